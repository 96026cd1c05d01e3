/* bn-inject: well-formed Ethernet, IPv4, UDP, ICMP, TCP, ARP and NDP frames
 * (the malformed ones start from these and break one thing). */
#include "inject.h"

#include <string.h>

#define ETH_P_IP        0x0800   /* RFC 894 */
#define ETH_P_ARP       0x0806   /* RFC 826 */
#define ETH_P_IPV6      0x86DD   /* RFC 2464 */
#define IP4_HLEN        20       /* RFC 791 3.1 */
#define IP4_TTL         64
#define IP6_HLEN        40       /* RFC 8200 3 */
#define UDP_HLEN        8        /* RFC 768 */
#define TCP_HLEN        20       /* RFC 9293 3.1 */
#define TCP_DOFF_SHIFT  4        /* data offset: high nibble of byte 12, in words */
#define TCP_WINDOW      8192
#define ICMP_HLEN       8        /* RFC 792 echo: type code csum ident seq */
#define ICMP_ECHO       8
#define IPPROTO_ICMP    1
#define IPPROTO_TCP     6
#define IPPROTO_UDP     17
#define IPPROTO_ICMPV6  58
#define ARP_HTYPE_ETHER 1        /* RFC 826, hardware type Ethernet */
#define ARP_LEN         28
#define IP_OPT_NOP      1        /* RFC 791 3.1 option type 1 */
#define ND_NS           135      /* RFC 4861 4.3 */
#define ND_OPT_SLLA     1        /* source link-layer address option */
#define ND_HOPLIMIT     255
#define ND_NS_LEN       (24 + 8) /* NS body + one SLLA option */

uint32_t csum_add(uint32_t sum, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

uint16_t inet_csum(const void *p, size_t n, uint32_t sum)
{
	sum = csum_add(sum, p, n);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

size_t eth_build(uint8_t *f, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN],
		 uint16_t type)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	put16(f + 2 * ETH_ALEN, type);
	return ETH_HLEN;
}

void ip4_build(uint8_t *ip, unsigned int ihl, uint16_t tot_len, uint16_t id, uint16_t frag,
	       uint8_t proto, uint32_t src, uint32_t dst)
{
	memset(ip, 0, ihl);
	ip[0] = (uint8_t)(0x40 | (ihl / 4));    /* version 4, IHL in words */
	put16(ip + 2, tot_len);
	put16(ip + 4, id);
	put16(ip + 6, frag);
	ip[8] = IP4_TTL;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	memset(ip + IP4_HLEN, IP_OPT_NOP, ihl - IP4_HLEN);
	put16(ip + 10, inet_csum(ip, ihl, 0));
}

uint16_t l4_csum4(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len)
{
	uint8_t pseudo[12];
	uint16_t c;

	put32(pseudo, src);
	put32(pseudo + 4, dst);
	pseudo[8] = 0;
	pseudo[9] = proto;
	put16(pseudo + 10, (uint16_t)len);
	c = inet_csum(l4, len, csum_add(0, pseudo, sizeof(pseudo)));
	/* RFC 768: a computed 0 is sent as all ones */
	return (proto == IPPROTO_UDP && c == 0) ? 0xffff : c;
}

size_t udp_frame(uint8_t *f, const struct endpoints *ep, uint16_t sport, uint16_t dport,
		 size_t plen, uint16_t id, uint32_t fill)
{
	uint8_t *ip = f + ETH_HLEN, *udp = ip + IP4_HLEN, *pl = udp + UDP_HLEN;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	ip4_build(ip, IP4_HLEN, (uint16_t)(IP4_HLEN + UDP_HLEN + plen), id, 0, IPPROTO_UDP,
		  ep->src_ip, ep->dst_ip);
	for (size_t i = 0; i < plen; i++)
		pl[i] = (uint8_t)(fill >> (8 * (i % 4)));
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(UDP_HLEN + plen));
	put16(udp + 6, 0);
	put16(udp + 6, l4_csum4(ep->src_ip, ep->dst_ip, IPPROTO_UDP, udp, UDP_HLEN + plen));
	return ETH_HLEN + IP4_HLEN + UDP_HLEN + plen;
}

size_t icmp_echo_frame(uint8_t *f, const struct endpoints *ep, uint16_t ident, uint16_t seq,
		       size_t plen)
{
	uint8_t *ip = f + ETH_HLEN, *ic = ip + IP4_HLEN;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	ip4_build(ip, IP4_HLEN, (uint16_t)(IP4_HLEN + ICMP_HLEN + plen), seq, 0, IPPROTO_ICMP,
		  ep->src_ip, ep->dst_ip);
	memset(ic, 0, ICMP_HLEN);
	ic[0] = ICMP_ECHO;
	put16(ic + 4, ident);
	put16(ic + 6, seq);
	for (size_t i = 0; i < plen; i++)
		ic[ICMP_HLEN + i] = (uint8_t)i;
	put16(ic + 2, inet_csum(ic, ICMP_HLEN + plen, 0));
	return ETH_HLEN + IP4_HLEN + ICMP_HLEN + plen;
}

size_t tcp_frame(uint8_t *f, const struct endpoints *ep, uint16_t sport, uint16_t dport,
		 uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t *ip = f + ETH_HLEN, *tcp = ip + IP4_HLEN;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	ip4_build(ip, IP4_HLEN, IP4_HLEN + TCP_HLEN, (uint16_t)seq, 0, IPPROTO_TCP,
		  ep->src_ip, ep->dst_ip);
	memset(tcp, 0, TCP_HLEN);
	put16(tcp, sport);
	put16(tcp + 2, dport);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = (TCP_HLEN / 4) << TCP_DOFF_SHIFT;
	tcp[13] = flags;
	put16(tcp + 14, TCP_WINDOW);
	put16(tcp + 16, l4_csum4(ep->src_ip, ep->dst_ip, IPPROTO_TCP, tcp, TCP_HLEN));
	return ETH_HLEN + IP4_HLEN + TCP_HLEN;
}

size_t arp_frame(uint8_t *f, const uint8_t eth_dst[ETH_ALEN], uint16_t op,
		 const uint8_t sha[ETH_ALEN], uint32_t spa, const uint8_t tha[ETH_ALEN],
		 uint32_t tpa)
{
	uint8_t *a = f + ETH_HLEN;

	eth_build(f, eth_dst, sha, ETH_P_ARP);
	put16(a, ARP_HTYPE_ETHER);
	put16(a + 2, ETH_P_IP);
	a[4] = ETH_ALEN;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, ETH_ALEN);
	put32(a + 14, spa);
	memcpy(a + 18, tha, ETH_ALEN);
	put32(a + 24, tpa);
	/* padded to the minimum by us, as a NIC would */
	memset(a + ARP_LEN, 0, ETH_ZLEN - ETH_HLEN - ARP_LEN);
	return ETH_ZLEN;
}

void ip6_linklocal(uint8_t out[16], const uint8_t mac[ETH_ALEN])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = mac[0] ^ 0x02;        /* the universal/local bit inverted */
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = mac[3];
	out[14] = mac[4];
	out[15] = mac[5];
}

size_t ndp_ns_frame(uint8_t *f, const uint8_t src_mac[ETH_ALEN], const uint8_t src[16],
		    const uint8_t target[16])
{
	/* to the target's solicited-node group ff02::1:ffXX:XXXX (RFC 4291
	 * 2.7.1) and its multicast MAC 33:33:ff:XX:XX:XX (RFC 2464 7) */
	uint8_t dst[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff,
			    [13] = target[13], [14] = target[14], [15] = target[15] };
	uint8_t mac[ETH_ALEN] = { 0x33, 0x33, 0xff, target[13], target[14], target[15] };
	uint8_t *ip = f + ETH_HLEN, *nd = ip + IP6_HLEN, pseudo[40];

	eth_build(f, mac, src_mac, ETH_P_IPV6);
	memset(ip, 0, IP6_HLEN);
	ip[0] = 0x60;                   /* version 6 */
	put16(ip + 4, ND_NS_LEN);
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = ND_HOPLIMIT;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memset(nd, 0, ND_NS_LEN);
	nd[0] = ND_NS;
	memcpy(nd + 8, target, 16);
	nd[24] = ND_OPT_SLLA;
	nd[25] = 1;                     /* length in units of 8 bytes */
	memcpy(nd + 26, src_mac, ETH_ALEN);
	/* RFC 8200 8.1 pseudo-header: addresses, length, next header */
	memcpy(pseudo, ip + 8, 32);
	put32(pseudo + 32, ND_NS_LEN);
	put32(pseudo + 36, IPPROTO_ICMPV6);
	put16(nd + 2, inet_csum(nd, ND_NS_LEN, csum_add(0, pseudo, sizeof(pseudo))));
	return ETH_HLEN + IP6_HLEN + ND_NS_LEN;
}
