/* GRO: in-order TCP segments of one flow merged into one skb in the NAPI
 * poll (the rules are in net/core/gro.h). */
#include "net/core/gro.h"
#include "drivers/net/netdevice.h"
#include "net/core/dev.h"
#include "lib/csum.h"
#include <string.h>

/* header fields (IEEE 802.3, RFC 791 3.1, RFC 8200 3, RFC 9293 3.1) */
#define GRO_ETH_HLEN        14
#define GRO_ETH_TYPE        12
#define GRO_ETH_P_IP        0x0800
#define GRO_ETH_P_IPV6      0x86DD
#define IP4_VER_IHL         0
#define IP4_VER_IHL_PLAIN   0x45     /* version 4, 20 bytes: no options */
#define IP4_TOS             1
#define IP4_TOT_LEN         2
#define IP4_FRAG_OFF        6
#define IP4_MF_OFFSET_MASK  0x3FFF   /* MF and the fragment offset */
#define IP4_TTL             8
#define IP4_PROTOCOL        9
#define IP4_CHECK           10
#define IP4_ADDRS           12       /* saddr, daddr: 8 bytes */
#define IP4_HLEN            20
#define IP6_VER_SHIFT       4
#define IP6_PAYLOAD_LEN     4
#define IP6_NEXT_HEADER     6
#define IP6_HOP_LIMIT       7
#define IP6_ADDRS           8        /* saddr, daddr: 32 bytes */
#define IP6_HLEN            40
#define IPPROTO_TCP         6
#define TCP_PORTS           0        /* source, destination: 4 bytes */
#define TCP_SEQ             4
#define TCP_ACK_SEQ         8
#define TCP_DOFF            12       /* data offset in the high nibble */
#define TCP_FLAGS           13
#define TCP_WINDOW          14
#define TCP_CHECK           16
#define TCP_HLEN            20
#define TCP_FLAG_PSH        0x08
#define TCP_FLAG_ACK        0x10
/* the timestamp option as Linux and lwIP send it: NOP NOP kind 8 len 10
 * (RFC 7323 3.2, appendix A layout) */
#define TCP_OPT_NOP         1
#define TCP_OPT_TS          8
#define TCP_OPT_TS_LEN      10
#define TCP_HLEN_TS         32
#define TCP_HLEN_MAX        60
/* a frame over several RX buffers (net/core/rx_chain.c) is merged when
 * its headers, whatever they are, lie in its first buffer */
#define GRO_CHAIN_HEAD_MIN  (GRO_ETH_HLEN + IP6_HLEN + TCP_HLEN_MAX)

/* a relaxed atomic add: napis of one device may poll on several CPUs */
#define GRO_STAT_ADD(x, n) __atomic_add_fetch(&(x), (n), __ATOMIC_RELAXED)

/* what napi_gro_receive learnt about one frame */
struct gro_seg {
	const u8 *ip, *th;     /* IP and TCP headers, in the linear part */
	u32 seq, ip_len;       /* ip_len: the datagram's length from its header */
	u16 hdr_len;           /* Ethernet + IP + TCP headers */
	u16 payload;           /* TCP payload bytes */
	u8 l3;                 /* 4 or 6 */
	u8 flags;
};

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* The TCP checksum of a linear segment, checked in software: the
 * pseudo-header (RFC 9293 3.1, RFC 8200 8.1) plus header and data must
 * sum to all ones. */
static bool gro_tcp_csum_ok(const struct gro_seg *s)
{
	u32 l4len = s->ip_len - (u32)(s->th - s->ip);
	u32 sum = IPPROTO_TCP + l4len;

	if (s->l3 == 4)
		sum = csum_add_be(sum, s->ip + IP4_ADDRS, 8);
	else
		sum = csum_add_be(sum, s->ip + IP6_ADDRS, 32);
	sum = csum_add_be(sum, s->th, l4len);
	return csum_finish(sum) == 0;
}

/* true if the TCP options are none or just the timestamp option */
static bool gro_tcp_opts_plain(const u8 *th, u32 thlen)
{
	if (thlen == TCP_HLEN)
		return true;
	return thlen == TCP_HLEN_TS && th[TCP_HLEN] == TCP_OPT_NOP &&
	       th[TCP_HLEN + 1] == TCP_OPT_NOP && th[TCP_HLEN + 2] == TCP_OPT_TS &&
	       th[TCP_HLEN + 3] == TCP_OPT_TS_LEN;
}

/* Is skb a TCP segment GRO may merge?  Fills s; false for anything else
 * (which then goes up alone).  Checks the checksums the NIC did not. */
static bool gro_parse(struct net_device *dev, struct sk_buff *skb, struct gro_seg *s)
{
	const u8 *f = skb->data;
	u32 len = skb->len, thlen, l4len;
	u16 type;

	if (len < GRO_ETH_HLEN + IP4_HLEN + TCP_HLEN)
		return false;
	/* a jumbo frame gathered over several buffers: its headers in the
	 * first, its checksum verified by the NIC (no software sum over a
	 * chain here) */
	if (skb_is_nonlinear(skb) &&
	    (skb->ip_summed != CHECKSUM_UNNECESSARY || skb_headlen(skb) < GRO_CHAIN_HEAD_MIN))
		return false;
	type = get_be16(f + GRO_ETH_TYPE);
	s->ip = f + GRO_ETH_HLEN;
	if (type == GRO_ETH_P_IP) {
		if (s->ip[IP4_VER_IHL] != IP4_VER_IHL_PLAIN || s->ip[IP4_PROTOCOL] != IPPROTO_TCP ||
		    (get_be16(s->ip + IP4_FRAG_OFF) & IP4_MF_OFFSET_MASK))
			return false;
		s->ip_len = get_be16(s->ip + IP4_TOT_LEN);
		s->l3 = 4;
		s->th = s->ip + IP4_HLEN;
	} else if (type == GRO_ETH_P_IPV6 && len >= GRO_ETH_HLEN + IP6_HLEN + TCP_HLEN) {
		if ((s->ip[0] >> IP6_VER_SHIFT) != 6 || s->ip[IP6_NEXT_HEADER] != IPPROTO_TCP)
			return false;
		s->ip_len = IP6_HLEN + (u32)get_be16(s->ip + IP6_PAYLOAD_LEN);
		s->l3 = 6;
		s->th = s->ip + IP6_HLEN;
	} else {
		return false;
	}
	if (GRO_ETH_HLEN + s->ip_len > len)
		return false;
	/* padding would be cut off a chain (gro_hold), which then no longer
	 * goes to lwIP as it is: only an exact chain merges */
	if (skb_is_nonlinear(skb) && GRO_ETH_HLEN + s->ip_len != len)
		return false;
	l4len = s->ip_len - (u32)(s->th - s->ip);
	thlen = (u32)(s->th[TCP_DOFF] >> 4) * 4;
	if (l4len < TCP_HLEN || thlen < TCP_HLEN || thlen >= l4len ||
	    !gro_tcp_opts_plain(s->th, thlen))
		return false;
	s->flags = s->th[TCP_FLAGS];
	if (s->flags != TCP_FLAG_ACK && s->flags != (TCP_FLAG_ACK | TCP_FLAG_PSH))
		return false;
	s->hdr_len = (u16)(s->th - f + thlen);
	s->payload = (u16)(l4len - thlen);
	s->seq = get_be32(s->th + TCP_SEQ);
	if (skb->ip_summed != CHECKSUM_UNNECESSARY) {
		/* the IPv4 header's own sum, then the segment's */
		if (s->l3 == 4 && csum_finish(csum_add_be(0, s->ip, IP4_HLEN)) != 0)
			return false;
		if (!gro_tcp_csum_ok(s)) {
			GRO_STAT_ADD(dev->gro.csum_bad, 1);
			return false;
		}
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	return true;
}

/* Does s (in skb) continue the held skb: the same device (a VLAN
 * sub-interface is another), the same flow and everything Linux's
 * tcp_gro_receive compares, the next sequence number, no larger payload */
static bool gro_continues(const struct napi_gro *g, const struct sk_buff *skb,
			  const struct gro_seg *s)
{
	const u8 *f = g->skb->data, *ip = f + GRO_ETH_HLEN, *th = ip + (s->th - s->ip);

	if (skb->dev != g->skb->dev || s->l3 != g->l3 || s->hdr_len != g->hdr_len ||
	    s->seq != g->next_seq ||
	    s->payload > g->mss || memcmp(f, s->ip - GRO_ETH_HLEN, GRO_ETH_HLEN))
		return false;
	if (s->l3 == 4) {
		if (ip[IP4_TOS] != s->ip[IP4_TOS] || ip[IP4_TTL] != s->ip[IP4_TTL] ||
		    memcmp(ip + IP4_ADDRS, s->ip + IP4_ADDRS, 8))
			return false;
	} else if (memcmp(ip, s->ip, IP6_PAYLOAD_LEN) ||
		   ip[IP6_HOP_LIMIT] != s->ip[IP6_HOP_LIMIT] ||
		   memcmp(ip + IP6_ADDRS, s->ip + IP6_ADDRS, 32)) {
		return false;
	}
	/* ports, ACK number, data offset, window, and the options: equal
	 * (the sequence number was checked above, flags are ACK[|PSH] and
	 * the held skb never has PSH: it went up at once) */
	return !memcmp(th + TCP_PORTS, s->th + TCP_PORTS, 4) &&
	       !memcmp(th + TCP_ACK_SEQ, s->th + TCP_ACK_SEQ, 4) &&
	       th[TCP_DOFF] == s->th[TCP_DOFF] &&
	       !memcmp(th + TCP_WINDOW, s->th + TCP_WINDOW, 2) &&
	       !memcmp(th + TCP_HLEN, s->th + TCP_HLEN, s->hdr_len - (u32)(s->th - s->ip) -
		       GRO_ETH_HLEN - TCP_HLEN);
}

/* the merged datagram's headers: its length, the IPv4 header sum, and the
 * last segment's PSH */
static void gro_fix_headers(const struct napi_gro *g, struct sk_buff *skb, bool psh)
{
	u8 *ip = skb->data + GRO_ETH_HLEN;
	u32 ip_len = skb->len - GRO_ETH_HLEN;

	if (g->l3 == 4) {
		put_be16(ip + IP4_TOT_LEN, (u16)ip_len);
		put_be16(ip + IP4_CHECK, 0);
		put_be16(ip + IP4_CHECK, csum_finish(csum_add_be(0, ip, IP4_HLEN)));
	} else {
		put_be16(ip + IP6_PAYLOAD_LEN, (u16)(ip_len - IP6_HLEN));
	}
	if (psh)
		ip[(g->l3 == 4 ? IP4_HLEN : IP6_HLEN) + TCP_FLAGS] |= TCP_FLAG_PSH;
}

/* send the held skb up; *reason counts why */
static void gro_flush(struct napi_gro *g, u64 *reason, bool psh)
{
	struct sk_buff *skb = g->skb;
	struct net_device *dev = skb->dev;

	g->skb = NULL;
	if (g->segs > 1) {
		gro_fix_headers(g, skb, psh);
		skb->gso_size = g->mss;
		skb->gso_segs = g->segs;
		GRO_STAT_ADD(dev->gro.skbs, 1);
		GRO_STAT_ADD(dev->gro.segs, g->segs);
		GRO_STAT_ADD(dev->gro.bytes, skb->len - g->hdr_len);
		GRO_STAT_ADD(*reason, 1);
	}
	netif_receive_skb(skb);
}

void napi_gro_flush(struct napi_struct *napi)
{
	struct napi_gro *g = &napi->gro;

	if (g->skb)
		gro_flush(g, &g->skb->dev->gro.flush_poll, false);
}

/* hold skb as the start of a new merged skb */
static void gro_hold(struct napi_gro *g, struct sk_buff *skb, const struct gro_seg *s)
{
	/* the frame's padding (a short segment) is not part of it */
	skb_trim(skb, GRO_ETH_HLEN + s->ip_len);
	g->skb = skb;
	g->l3 = s->l3;
	g->mss = s->payload;
	g->segs = 1;
	g->hdr_len = s->hdr_len;
	g->next_seq = s->seq + s->payload;
}

int napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb)
{
	struct napi_gro *g = &napi->gro;
	struct net_device *dev = skb->dev;
	struct gro_seg s;

	if (!(READ_ONCE(dev->features) & NETIF_F_GRO) || !gro_parse(dev, skb, &s)) {
		/* not ours to merge: what is held goes first, order kept */
		if (g->skb)
			gro_flush(g, &g->skb->dev->gro.flush_mismatch, false);
		return netif_receive_skb(skb);
	}
	if (g->skb && gro_continues(g, skb, &s) && g->segs < GRO_MAX_SEGS &&
	    g->skb->len - GRO_ETH_HLEN + s.payload <= GRO_MAX_IP_LEN &&
	    !skb_gro_append(g->skb, skb, s.hdr_len, s.payload)) {
		bool psh = s.flags & TCP_FLAG_PSH, last = psh || s.payload < g->mss;

		g->segs++;
		g->next_seq += s.payload;
		if (last)
			gro_flush(g, &dev->gro.flush_push, psh);
		else if (g->segs == GRO_MAX_SEGS ||
			 g->skb->len - GRO_ETH_HLEN + g->mss > GRO_MAX_IP_LEN)
			gro_flush(g, &dev->gro.flush_full, false);
		return NET_RX_SUCCESS;
	}
	if (g->skb)
		gro_flush(g, &g->skb->dev->gro.flush_mismatch, false);
	/* a PSH segment ends a burst: nothing will follow it to merge */
	if (s.flags & TCP_FLAG_PSH)
		return netif_receive_skb(skb);
	gro_hold(g, skb, &s);
	return NET_RX_SUCCESS;
}
