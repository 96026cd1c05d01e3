/* l2reflect, the pure part: classify a frame and build the answer
 * (ARP: RFC 826; Ethernet II framing).  No device access, so the host
 * unit tests run it as is; l2reflect_run.c attaches it to devices. */
#include "drivers/net/l2reflect.h"
#include "kernel/errno.h"
#include <string.h>

#define ARP_HTYPE_ETHER 1
#define ARP_OP_REQUEST  1
#define ARP_OP_REPLY    2
#define ARP_LEN         28      /* Ethernet/IPv4 ARP body */
#define ETH_TYPE_OFF    12
#define CTRL_RING       "ring "
#define CTRL_RING_LEN   5
#define CTRL_MAX_DIGITS 5

/* IPv4 header (RFC 791) and UDP header (RFC 768) fields */
#define IP_VER_IHL      0
#define IP_TOT_LEN      2
#define IP_FRAG_OFF     6
#define IP_PROTO        9
#define IP_CSUM         10
#define IP_SADDR        12
#define IP_MIN_HLEN     20
#define IP_VERSION_4    4
#define IP_MF_OFFSET    0x3FFF  /* more-fragments flag and fragment offset */
#define IP_VERSION_SHIFT 4
#define IP_IHL_MASK     0x0F    /* header length in 32-bit words */
#define IP_IHL_UNIT     4
#define IP_ADDRS_LEN    8       /* source and destination */
/* UDP pseudo-header (RFC 768): addresses, zero, protocol, UDP length */
#define PSEUDO_ZERO     8
#define PSEUDO_PROTO    9
#define PSEUDO_LEN_OFF  10
#define PSEUDO_HLEN     12
#define IPPROTO_UDP     17
#define UDP_LEN         4
#define UDP_CSUM        6
#define UDP_HLEN        8

/* ARP body offsets (RFC 826) */
#define ARP_HTYPE 0
#define ARP_PTYPE 2
#define ARP_HLEN  4
#define ARP_PLEN  5
#define ARP_OPER  6
#define ARP_SHA   8
#define ARP_SPA   14
#define ARP_THA   18
#define ARP_TPA   24

static u16 get_be16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static void put_be16(u8 *p, u16 v) { p[0] = v >> 8; p[1] = v & 0xFF; }

static bool is_bcast(const u8 *mac)
{
	static const u8 bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return !memcmp(mac, bcast, ETH_ALEN);
}

static enum l2reflect_action arp_answer(const u8 *f, unsigned int len, const u8 mac[ETH_ALEN],
					u32 ip_be, u8 *out, unsigned int *out_len)
{
	const u8 *a = f + ETH_HLEN;
	u8 *r = out + ETH_HLEN;

	if (len < ETH_HLEN + ARP_LEN || get_be16(a + ARP_HTYPE) != ARP_HTYPE_ETHER ||
	    get_be16(a + ARP_PTYPE) != ETH_P_IP || a[ARP_HLEN] != ETH_ALEN || a[ARP_PLEN] != 4 ||
	    get_be16(a + ARP_OPER) != ARP_OP_REQUEST || memcmp(a + ARP_TPA, &ip_be, 4))
		return L2R_IGNORE;
	memset(out, 0, ETH_ZLEN);
	memcpy(out, a + ARP_SHA, ETH_ALEN);
	memcpy(out + ETH_ALEN, mac, ETH_ALEN);
	put_be16(out + ETH_TYPE_OFF, ETH_P_ARP);
	put_be16(r + ARP_HTYPE, ARP_HTYPE_ETHER);
	put_be16(r + ARP_PTYPE, ETH_P_IP);
	r[ARP_HLEN] = ETH_ALEN;
	r[ARP_PLEN] = 4;
	put_be16(r + ARP_OPER, ARP_OP_REPLY);
	memcpy(r + ARP_SHA, mac, ETH_ALEN);
	memcpy(r + ARP_SPA, &ip_be, 4);
	memcpy(r + ARP_THA, a + ARP_SHA, ETH_ALEN);
	memcpy(r + ARP_TPA, a + ARP_SPA, 4);
	*out_len = ETH_ZLEN;
	return L2R_REPLY;
}

enum l2reflect_action l2reflect_classify(const u8 *f, unsigned int len, const u8 mac[ETH_ALEN],
					 u32 ip_be, u8 *out, unsigned int *out_len)
{
	bool to_us;
	u16 type;

	if (len < ETH_HLEN)
		return L2R_IGNORE;
	to_us = !memcmp(f, mac, ETH_ALEN);
	type = get_be16(f + ETH_TYPE_OFF);
	if (type == ETH_P_ARP && (to_us || is_bcast(f)))
		return arp_answer(f, len, mac, ip_be, out, out_len);
	/* only frames addressed to us: reflecting broadcasts would start storms */
	if (!to_us)
		return L2R_IGNORE;
	if (type == L2REFLECT_ETHERTYPE) {
		if (len >= ETH_HLEN + 5 && !memcmp(f + ETH_HLEN, "stats", 5))
			return L2R_STATS;
		if (len >= ETH_HLEN + 4 && !memcmp(f + ETH_HLEN, "exit", 4))
			return L2R_EXIT;
		if (len >= ETH_HLEN + CTRL_RING_LEN && !memcmp(f + ETH_HLEN, CTRL_RING, CTRL_RING_LEN))
			return L2R_RING;
		return L2R_IGNORE;
	}
	memcpy(out, f + ETH_ALEN, ETH_ALEN);
	memcpy(out + ETH_ALEN, mac, ETH_ALEN);
	memcpy(out + 2 * ETH_ALEN, f + 2 * ETH_ALEN, len - 2 * ETH_ALEN);
	*out_len = len;
	return L2R_REPLY;
}

int l2reflect_parse_ipv4(const char *s, u32 *ip_be)
{
	u8 b[4];

	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (!digits || digits > 3 || v > 255)
			return -EINVAL;
		b[i] = (u8)v;
		if (i < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s || (b[0] | b[1] | b[2] | b[3]) == 0 || (b[0] & b[1] & b[2] & b[3]) == 0xFF ||
	    (b[0] >= 224 && b[0] <= 239))
		return -EINVAL;
	memcpy(ip_be, b, 4);
	return 0;
}

int l2reflect_parse_ring(const u8 *f, unsigned int len, u32 *count)
{
	unsigned int i = ETH_HLEN + CTRL_RING_LEN, digits = 0;
	u32 v = 0;

	if (len < i || memcmp(f + ETH_HLEN, CTRL_RING, CTRL_RING_LEN))
		return -EINVAL;
	while (i < len && f[i] >= '0' && f[i] <= '9' && digits < CTRL_MAX_DIGITS) {
		v = v * 10 + (u32)(f[i++] - '0');
		digits++;
	}
	/* the number ends the text: padding (NUL) or the frame's end follows */
	if (!digits || (i < len && f[i] != 0))
		return -EINVAL;
	*count = v;
	return 0;
}

/* 16-bit one's complement sum (RFC 1071), not complemented, folded */
static u16 csum_fold_add(u32 sum, const u8 *p, unsigned int len)
{
	for (unsigned int i = 0; i + 1 < len; i += 2)
		sum += get_be16(p + i);
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	while (sum >> 16)               /* end-around carry */
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (u16)sum;
}

bool l2reflect_prepare_csum(u8 *f, unsigned int len, struct netdev_tx_csum *csum)
{
	u8 *ip = f + ETH_HLEN, *udp, pseudo[PSEUDO_HLEN];
	unsigned int ihl, ulen;

	if (len < ETH_HLEN + IP_MIN_HLEN + UDP_HLEN || get_be16(f + ETH_TYPE_OFF) != ETH_P_IP ||
	    ip[IP_VER_IHL] >> IP_VERSION_SHIFT != IP_VERSION_4 || ip[IP_PROTO] != IPPROTO_UDP ||
	    (get_be16(ip + IP_FRAG_OFF) & IP_MF_OFFSET))
		return false;
	ihl = (ip[IP_VER_IHL] & IP_IHL_MASK) * IP_IHL_UNIT;
	if (ihl < IP_MIN_HLEN || ETH_HLEN + ihl + UDP_HLEN > len ||
	    get_be16(ip + IP_TOT_LEN) < ihl + UDP_HLEN || ETH_HLEN + (unsigned int)get_be16(ip + IP_TOT_LEN) > len)
		return false;
	udp = ip + ihl;
	ulen = get_be16(udp + UDP_LEN);
	if (ulen < UDP_HLEN || ihl + ulen > get_be16(ip + IP_TOT_LEN))
		return false;
	/* the device sums the L4 checksum to the end of the frame: Ethernet
	 * padding must be zeros, which add nothing */
	for (unsigned int i = ETH_HLEN + ihl + ulen; i < len; i++)
		if (f[i])
			return false;
	put_be16(ip + IP_CSUM, 0);
	csum->flags = NETDEV_CSUM_IP;
	csum->l3_offset = ETH_HLEN;
	csum->l3_len = (u16)ihl;
	/* UDP checksum 0 means "none" (RFC 768): leave it so */
	if (get_be16(udp + UDP_CSUM)) {
		memcpy(pseudo, ip + IP_SADDR, IP_ADDRS_LEN);
		pseudo[PSEUDO_ZERO] = 0;
		pseudo[PSEUDO_PROTO] = IPPROTO_UDP;
		put_be16(pseudo + PSEUDO_LEN_OFF, (u16)ulen);
		put_be16(udp + UDP_CSUM, csum_fold_add(0, pseudo, sizeof(pseudo)));
		csum->flags |= NETDEV_CSUM_UDP;
	}
	return true;
}
