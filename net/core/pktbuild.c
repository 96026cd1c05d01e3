/* Ethernet/IPv4 frames with UDP or ICMP echo, checksums included; the
 * layout is in net/core/pktbuild.h. */
#include "net/core/pktbuild.h"
#include "kernel/errno.h"
#include "lib/csum.h"
#include <string.h>

/* IPv4 header fields, RFC 791 3.1 (offsets from the header's start) */
#define IP_VER_IHL        0
#define IP_VER4_IHL5      0x45     /* version 4, 5 words */
#define IP_TOS            1
#define IP_TOT_LEN        2
#define IP_ID             4
#define IP_FRAG_OFF       6
#define IP_DF             0x4000   /* don't fragment */
#define IP_TTL            8
#define IP_PROTOCOL       9
#define IP_CHECK          10
#define IP_SADDR          12
#define IP_DADDR          16
#define IP_TOT_LEN_MAX    0xffff
/* UDP header, RFC 768 */
#define UDP_SPORT         0
#define UDP_DPORT         2
#define UDP_LEN           4
#define UDP_CHECK         6
/* ICMP echo, RFC 792 */
#define ICMP_TYPE         0
#define ICMP_CODE         1
#define ICMP_CHECK        2
#define ICMP_ECHO_ID      4
#define ICMP_ECHO_SEQ     6
/* Ethernet header, IEEE 802.3 */
#define ETH_DEST          0
#define ETH_SOURCE        6
#define ETH_TYPE          12
/* Linux pktgen's struct pktgen_hdr */
#define PGH_MAGIC         0
#define PGH_SEQ           4
#define PGH_TV_SEC        8
#define PGH_TV_USEC       12

#define NS_PER_S          1000000000ULL
#define NS_PER_US         1000ULL
/* XOR pattern that makes a checksum wrong (never turns it into 0) */
#define CSUM_BREAK        0x5a5a

static void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static void put_be32(u8 *p, u32 v)
{
	put_be16(p, (u16)(v >> 16));
	put_be16(p + 2, (u16)v);
}

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

/* Ethernet and IPv4 headers for an IP datagram filling frame_len bytes,
 * payload zeroed; returns the L4 header */
static u8 *build_ip4(u8 *f, u32 frame_len, const struct pkt_ip4 *p, u8 proto)
{
	u8 *ip = f + PKT_ETH_HLEN;

	memcpy(f + ETH_DEST, p->dst_mac, PKT_ETH_ALEN);
	memcpy(f + ETH_SOURCE, p->src_mac, PKT_ETH_ALEN);
	put_be16(f + ETH_TYPE, PKT_ETH_P_IP);
	memset(ip, 0, frame_len - PKT_ETH_HLEN);
	ip[IP_VER_IHL] = IP_VER4_IHL5;
	ip[IP_TOS] = 0;
	put_be16(ip + IP_TOT_LEN, (u16)(frame_len - PKT_ETH_HLEN));
	put_be16(ip + IP_ID, p->ip_id);
	put_be16(ip + IP_FRAG_OFF, IP_DF);
	ip[IP_TTL] = p->ttl ? p->ttl : PKT_TTL_DEFAULT;
	ip[IP_PROTOCOL] = proto;
	put_be32(ip + IP_SADDR, p->saddr);
	put_be32(ip + IP_DADDR, p->daddr);
	put_be16(ip + IP_CHECK, csum_finish(csum_add_be(0, ip, PKT_IPV4_HLEN)));
	return ip + PKT_IPV4_HLEN;
}

/* Linux pktgen's header at the start of the payload, if it fits */
static void put_pktgen_hdr(u8 *payload, u32 len, const struct pkt_ip4 *p)
{
	if (len < PKTGEN_HDR_LEN)
		return;
	put_be32(payload + PGH_MAGIC, PKTGEN_MAGIC);
	put_be32(payload + PGH_SEQ, p->seq);
	put_be32(payload + PGH_TV_SEC, (u32)(p->tstamp_ns / NS_PER_S));
	put_be32(payload + PGH_TV_USEC, (u32)(p->tstamp_ns % NS_PER_S / NS_PER_US));
}

static int check_len(size_t size, u32 frame_len)
{
	if (frame_len < PKT_FRAME_MIN || frame_len > size ||
	    frame_len - PKT_ETH_HLEN > IP_TOT_LEN_MAX)
		return -EINVAL;
	return 0;
}

int pkt_build_udp4(u8 *buf, size_t size, u32 frame_len, const struct pkt_ip4 *p)
{
	u32 ulen = frame_len - PKT_ETH_HLEN - PKT_IPV4_HLEN;
	u8 *udp, *ip = buf + PKT_ETH_HLEN;
	u32 sum;
	u16 csum;

	if (check_len(size, frame_len))
		return -EINVAL;
	udp = build_ip4(buf, frame_len, p, PKT_IPPROTO_UDP);
	put_be16(udp + UDP_SPORT, p->sport);
	put_be16(udp + UDP_DPORT, p->dport);
	put_be16(udp + UDP_LEN, (u16)ulen);
	put_pktgen_hdr(udp + PKT_UDP_HLEN, ulen - PKT_UDP_HLEN, p);
	if (p->no_udp_csum)
		return (int)frame_len;
	/* RFC 768: pseudo-header (addresses, protocol, UDP length), then
	 * header and data; a sum of 0 is sent as all ones */
	sum = csum_add_be(PKT_IPPROTO_UDP + ulen, ip + IP_SADDR, 8);
	csum = csum_finish(csum_add_be(sum, udp, ulen));
	put_be16(udp + UDP_CHECK, csum ? csum : 0xffff);
	return (int)frame_len;
}

int pkt_build_icmp4_echo(u8 *buf, size_t size, u32 frame_len, const struct pkt_ip4 *p)
{
	u32 len = frame_len - PKT_ETH_HLEN - PKT_IPV4_HLEN;
	u8 *icmp;

	if (check_len(size, frame_len))
		return -EINVAL;
	icmp = build_ip4(buf, frame_len, p, PKT_IPPROTO_ICMP);
	icmp[ICMP_TYPE] = PKT_ICMP_ECHO;
	icmp[ICMP_CODE] = 0;
	put_be16(icmp + ICMP_ECHO_ID, p->echo_id);
	put_be16(icmp + ICMP_ECHO_SEQ, p->echo_seq);
	put_pktgen_hdr(icmp + PKT_ICMP_ECHO_HLEN, len - PKT_ICMP_ECHO_HLEN, p);
	/* RFC 792: over the ICMP message, no pseudo-header */
	put_be16(icmp + ICMP_CHECK, csum_finish(csum_add_be(0, icmp, len)));
	return (int)frame_len;
}

int pkt_mangle(u8 *frame, u32 frame_len, enum pkt_fault fault)
{
	u8 *ip = frame + PKT_ETH_HLEN, *l4 = ip + PKT_IPV4_HLEN;

	if (frame_len < PKT_FRAME_MIN || get_be16(frame + ETH_TYPE) != PKT_ETH_P_IP)
		return -EINVAL;
	switch (fault) {
	case PKT_FAULT_NONE:
		return 0;
	case PKT_FAULT_IP_CSUM:
		put_be16(ip + IP_CHECK, get_be16(ip + IP_CHECK) ^ CSUM_BREAK);
		return 0;
	case PKT_FAULT_L4_CSUM:
		if (ip[IP_PROTOCOL] == PKT_IPPROTO_UDP)
			put_be16(l4 + UDP_CHECK, get_be16(l4 + UDP_CHECK) ^ CSUM_BREAK);
		else if (ip[IP_PROTOCOL] == PKT_IPPROTO_ICMP)
			put_be16(l4 + ICMP_CHECK, get_be16(l4 + ICMP_CHECK) ^ CSUM_BREAK);
		else
			return -EINVAL;
		return 0;
	case PKT_FAULT_IP_LEN: {
		/* longer than the frame by half a frame, header checksum
		 * recomputed so only the length is wrong */
		u32 tot = get_be16(ip + IP_TOT_LEN) + frame_len / 2;

		put_be16(ip + IP_TOT_LEN, (u16)MIN(tot, IP_TOT_LEN_MAX));
		put_be16(ip + IP_CHECK, 0);
		put_be16(ip + IP_CHECK, csum_finish(csum_add_be(0, ip, PKT_IPV4_HLEN)));
		return 0;
	}
	}
	return -EINVAL;
}

/* a decimal number 0..max with no sign and at most one leading zero;
 * returns the character after it, or NULL */
static const char *parse_dec(const char *s, u32 max, u32 *out)
{
	u32 v = 0;
	const char *start = s;

	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (u32)(*s - '0');
		if (v > max || s - start >= 10)
			return NULL;
		s++;
	}
	if (s == start || (start[0] == '0' && s - start > 1))
		return NULL;
	*out = v;
	return s;
}

int pkt_parse_ipv4(const char *s, u32 *addr)
{
	u32 a = 0;

	for (int i = 0; i < 4; i++) {
		u32 part;

		s = parse_dec(s, 255, &part);
		if (!s || *s != (i < 3 ? '.' : '\0'))
			return -EINVAL;
		s++;
		a = a << 8 | part;
	}
	*addr = a;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pkt_parse_mac(const char *s, u8 mac[PKT_ETH_ALEN])
{
	u8 out[PKT_ETH_ALEN];

	for (int i = 0; i < PKT_ETH_ALEN; i++) {
		int hi = hex_digit(*s), lo;

		if (hi < 0)
			return -EINVAL;
		s++;
		lo = hex_digit(*s);
		if (lo >= 0)
			s++;
		out[i] = (u8)(lo >= 0 ? hi << 4 | lo : hi);
		if (*s != (i < PKT_ETH_ALEN - 1 ? ':' : '\0'))
			return -EINVAL;
		s++;
	}
	memcpy(mac, out, PKT_ETH_ALEN);
	return 0;
}
