/* Joining lwIP's TCP segments into TSO sends (see net/lwip/tso.h). */
#include "net/lwip/tso.h"
#include "kernel/mm.h"
#include "lwip/pbuf.h"
#include <string.h>

#define ETH_HLEN_           14
#define ETH_TYPE            12
#define ETH_P_IP_           0x0800
#define ETH_P_IPV6_         0x86DD
#define IP4_HLEN_MIN        20       /* RFC 791 3.1 */
#define IP4_TOT_LEN         2
#define IP4_FRAG            6
#define IP4_FRAG_MASK       0x3FFF   /* MF and the offset */
#define IP4_PROTO           9
#define IP4_CHECK           10
#define IP4_SADDR           12       /* then daddr: 8 bytes */
#define IP6_PLEN            4        /* RFC 8200 3 */
#define IP6_NEXT            6
#define IP6_SADDR           8        /* then daddr: 32 bytes */
#define IP6_HLEN            40
#define PROTO_TCP           6
#define TCP_SEQ             4        /* RFC 9293 3.1 */
#define TCP_ACK             8
#define TCP_DOFF            12
#define TCP_FLAGS           13
#define TCP_WIN             14
#define TCP_CHECK           16
#define TCP_HLEN_MIN        20
#define TCP_F_FIN           0x01
#define TCP_F_SYN           0x02
#define TCP_F_RST           0x04
#define TCP_F_PSH           0x08
#define TCP_F_ACK           0x10
#define TCP_F_URG           0x20
#define TCP_F_NOT_JOINED    (TCP_F_FIN | TCP_F_SYN | TCP_F_RST | TCP_F_URG)

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void wr16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* a segment's layout, from its first pbuf */
struct seg_info {
	u16 hdr_len, l3_len, payload;
	u32 seq;
	u8 flags;
	bool v6;
};

/* true for a TCP segment with data whose headers lie in the first pbuf
 * and that TSO may carry (ACK, maybe PSH, nothing else) */
static bool seg_parse(const struct pbuf *p, struct seg_info *s)
{
	const u8 *f = p->payload, *ip = f + ETH_HLEN_, *tcp;
	u16 type;
	u32 ip_len;

	if (p->len < ETH_HLEN_ + IP4_HLEN_MIN + TCP_HLEN_MIN)
		return false;
	type = rd16(f + ETH_TYPE);
	if (type == ETH_P_IP_) {
		s->l3_len = (u16)((ip[0] & 0x0F) * 4);
		if (s->l3_len < IP4_HLEN_MIN || ip[IP4_PROTO] != PROTO_TCP ||
		    (rd16(ip + IP4_FRAG) & IP4_FRAG_MASK))
			return false;
		ip_len = rd16(ip + IP4_TOT_LEN);
		s->v6 = false;
	} else if (type == ETH_P_IPV6_) {
		if (p->len < ETH_HLEN_ + IP6_HLEN + TCP_HLEN_MIN || ip[IP6_NEXT] != PROTO_TCP)
			return false;
		s->l3_len = IP6_HLEN;
		ip_len = IP6_HLEN + rd16(ip + IP6_PLEN);
		s->v6 = true;
	} else {
		return false;
	}
	if (ETH_HLEN_ + s->l3_len + TCP_HLEN_MIN > p->len)
		return false;
	tcp = ip + s->l3_len;
	s->hdr_len = (u16)(ETH_HLEN_ + s->l3_len + (tcp[TCP_DOFF] >> 4) * 4);
	s->flags = tcp[TCP_FLAGS];
	s->seq = rd32(tcp + TCP_SEQ);
	if (s->hdr_len < ETH_HLEN_ + s->l3_len + TCP_HLEN_MIN || s->hdr_len > p->len ||
	    ETH_HLEN_ + ip_len != p->tot_len || ip_len + ETH_HLEN_ <= s->hdr_len)
		return false;
	s->payload = (u16)(ETH_HLEN_ + ip_len - s->hdr_len);
	/* FIN is let through: lwIP sets it on its last unsent segment, which
	 * may be one of several wire segments (net_tso_add) */
	return (s->flags & TCP_F_ACK) && !(s->flags & (TCP_F_NOT_JOINED & ~TCP_F_FIN));
}

/* pieces of p's chain that hold payload (past hdr_len bytes), each cut
 * to NET_TSO_PIECE_MAX as chain_payload does */
static unsigned int payload_pieces(const struct pbuf *p, u16 hdr_len)
{
	unsigned int n = 0, off = 0;

	for (; p; off += p->len, p = p->next) {
		unsigned int skip = off >= hdr_len ? 0 : hdr_len - off;

		if (p->len > skip)
			n += (p->len - skip + NET_TSO_PIECE_MAX - 1) / NET_TSO_PIECE_MAX;
	}
	return n;
}

/* same flow and the same headers but for the sequence number: the
 * Ethernet header, the addresses, ports, ACK, window and TCP options */
static bool same_headers(const struct net_tso *t, const struct pbuf *p, const struct seg_info *s)
{
	const u8 *a = t->seg[0]->payload, *b = p->payload;
	unsigned int l4 = ETH_HLEN_ + t->l3_len;

	if (s->hdr_len != t->hdr_len || s->v6 != t->v6 || memcmp(a, b, ETH_HLEN_))
		return false;
	if (t->v6 ? memcmp(a + ETH_HLEN_ + IP6_SADDR, b + ETH_HLEN_ + IP6_SADDR, 32) :
		    memcmp(a + ETH_HLEN_ + IP4_SADDR, b + ETH_HLEN_ + IP4_SADDR, 8))
		return false;
	return !memcmp(a + l4, b + l4, TCP_SEQ) &&
	       !memcmp(a + l4 + TCP_ACK, b + l4 + TCP_ACK, 4) &&
	       !memcmp(a + l4 + TCP_WIN, b + l4 + TCP_WIN, 2) &&
	       !memcmp(a + l4 + TCP_HLEN_MIN, b + l4 + TCP_HLEN_MIN, t->hdr_len - l4 - TCP_HLEN_MIN);
}

enum net_tso_verdict net_tso_add(struct net_tso *t, struct pbuf *p, bool tso_v4, bool tso_v6,
				 u32 max_len, unsigned int max_pieces)
{
	struct seg_info s;
	unsigned int pieces;
	u16 gso;

	if (!seg_parse(p, &s) || !(s.v6 ? tso_v6 : tso_v4))
		return NET_TSO_NOT_TCP;
	/* lwIP's segment of several wire segments (lwipopts.h) */
	gso = p->tcp_gso_size && s.payload > p->tcp_gso_size ? p->tcp_gso_size : 0;
	/* a FIN on one wire segment goes alone, as before; on a segment of
	 * several (tcp_send_fin adds it to lwIP's last unsent segment, which
	 * patch 0045 makes large) it ends the batch: the NIC keeps FIN, like
	 * PSH, on the last wire segment only (QEMU's e1000 xmit_seg,
	 * net_tx_pkt_tcp_fragment_fix; Linux's tcp_gso_segment) */
	if ((s.flags & TCP_F_FIN) && !gso)
		return NET_TSO_NOT_TCP;
	pieces = payload_pieces(p, s.hdr_len);
	if (t->nseg) {
		if (t->nseg == NET_TSO_MAX_SEGS || s.seq != t->next_seq ||
		    t->last_payload % t->mss || (gso ? gso != t->mss : s.payload > t->mss) ||
		    t->len + s.payload > max_len || 1 + t->pieces + pieces > max_pieces ||
		    !same_headers(t, p, &s))
			return NET_TSO_BREAK;
	} else {
		if (s.hdr_len + s.payload > max_len)
			return NET_TSO_NOT_TCP;
		if (1 + pieces > max_pieces)
			return gso && 1 + (s.payload + NET_TSO_PIECE_MAX - 1u) / NET_TSO_PIECE_MAX <= max_pieces ?
			       NET_TSO_PIECES : NET_TSO_NOT_TCP;
		t->hdr_len = s.hdr_len;
		t->l3_len = s.l3_len;
		t->mss = gso ? gso : s.payload;
		t->v6 = s.v6;
		t->len = s.hdr_len;
		t->pieces = 0;
		t->segs = 0;
	}
	pbuf_ref(p);
	t->seg[t->nseg++] = p;
	t->pieces += pieces;
	t->len += s.payload;
	t->last_payload = s.payload;
	t->segs += gso ? (s.payload + gso - 1u) / gso : 1u;
	t->next_seq = s.seq + s.payload;
	/* PSH does not end the batch: lwIP sets it at the end of every
	 * tcp_write, and the NIC keeps it on the last segment only, as
	 * Linux's GSO does; the batch goes when the lock is released */
	if (t->nseg == NET_TSO_MAX_SEGS || (s.flags & TCP_F_FIN))
		return NET_TSO_FULL;
	return NET_TSO_HELD;
}

/* one payload piece in place: a custom pbuf that holds a reference on the
 * segment's pbuf until the send is done with it */
struct tso_piece {
	struct pbuf_custom pc;          /* first: lwIP frees through it */
	struct pbuf *seg;
};

static void tso_piece_free(struct pbuf *p)
{
	struct tso_piece *tp = (struct tso_piece *)p;

	pbuf_free(tp->seg);
	kfree(tp);
}

/* append seg's payload pieces (past hdr_len, at most NET_TSO_PIECE_MAX
 * each) after *tail, moving *tail on; the chain's tot_len fields are left to chain_sum_lengths (pbuf_cat
 * walks the whole chain per piece: quadratic in a 44-piece send); false
 * when memory is short */
static bool chain_payload(struct pbuf **tail, struct pbuf *seg, u16 hdr_len)
{
	unsigned int off = 0;

	for (struct pbuf *q = seg; q; off += q->len, q = q->next) {
		unsigned int skip = off >= hdr_len ? 0 : hdr_len - off;
		struct tso_piece *tp;
		struct pbuf *np;

		for (; skip < q->len; skip += NET_TSO_PIECE_MAX) {
			u16 n = (u16)MIN(q->len - skip, NET_TSO_PIECE_MAX);

			tp = kmalloc(sizeof(*tp));
			if (!tp)
				return false;
			tp->seg = seg;
			tp->pc.custom_free_function = tso_piece_free;
			np = pbuf_alloced_custom(PBUF_RAW, n, PBUF_REF, &tp->pc,
						 (u8 *)q->payload + skip, n);
			if (!np) {
				kfree(tp);
				return false;
			}
			pbuf_ref(seg);
			(*tail)->next = np;
			*tail = np;
		}
	}
	return true;
}

/* each pbuf's tot_len: its len and all that follows it (lwIP's chain rule) */
static void chain_sum_lengths(struct pbuf *p)
{
	u32 total = 0;

	for (struct pbuf *q = p; q; q = q->next)
		total += q->len;
	for (struct pbuf *q = p; q; total -= q->len, q = q->next)
		q->tot_len = (u16)total;
}

/* the first segment's headers for the whole send: IP lengths of the
 * whole, the IPv4 header checksum left to the NIC, PSH and FIN as the
 * last segment has them, and the TCP field holding the pseudo-header sum
 * without the length (the NIC adds each segment's) */
static void joined_headers(const struct net_tso *t, u8 *h)
{
	u8 *ip = h + ETH_HLEN_, *tcp = ip + t->l3_len;
	const u8 *last = t->seg[t->nseg - 1]->payload;
	u32 sum = PROTO_TCP;

	memcpy(h, t->seg[0]->payload, t->hdr_len);
	if (t->v6) {
		wr16(ip + IP6_PLEN, (u16)(t->len - ETH_HLEN_ - IP6_HLEN));
		for (int i = 0; i < 32; i += 2)
			sum += rd16(ip + IP6_SADDR + i);
	} else {
		wr16(ip + IP4_TOT_LEN, (u16)(t->len - ETH_HLEN_));
		wr16(ip + IP4_CHECK, 0);
		for (int i = 0; i < 8; i += 2)
			sum += rd16(ip + IP4_SADDR + i);
	}
	tcp[TCP_FLAGS] = (u8)((tcp[TCP_FLAGS] & ~(TCP_F_PSH | TCP_F_FIN)) |
			      (last[ETH_HLEN_ + t->l3_len + TCP_FLAGS] & (TCP_F_PSH | TCP_F_FIN)));
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	wr16(tcp + TCP_CHECK, (u16)sum);
}

struct pbuf *net_tso_take(struct net_tso *t, u16 *gso_size, u16 *gso_segs, bool *v6)
{
	struct pbuf *out = NULL;

	if (!t->nseg)
		return NULL;
	*v6 = t->v6;
	*gso_size = t->mss;
	*gso_segs = (u16)t->segs;
	if (t->segs == 1) {
		out = t->seg[0];        /* our reference becomes the caller's */
		t->nseg = 0;
		return out;
	}
	out = pbuf_alloc(PBUF_RAW, t->hdr_len, PBUF_RAM);
	if (out) {
		struct pbuf *tail = out;
		bool ok = true;

		joined_headers(t, out->payload);
		for (unsigned int i = 0; i < t->nseg && ok; i++)
			ok = chain_payload(&tail, t->seg[i], t->hdr_len);
		chain_sum_lengths(out);
		if (!ok) {
			pbuf_free(out);
			out = NULL;
		}
	}
	net_tso_discard(t);
	return out;
}

struct net_tcp_split_stats net_tcp_split_stats;

void net_tcp_split_count(u16 copied)
{
	net_tcp_split_stats.splits++;
	net_tcp_split_stats.copied += copied;
}

void net_tso_discard(struct net_tso *t)
{
	for (unsigned int i = 0; i < t->nseg; i++)
		pbuf_free(t->seg[i]);
	t->nseg = 0;
}
