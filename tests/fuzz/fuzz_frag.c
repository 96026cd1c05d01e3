/* libFuzzer target "frag": sequences of fragments, nested fragments and
 * ICMP errors, for both IP versions, built from a small program so that
 * random mutation keeps headers, lengths and checksums consistent enough
 * for lwIP to reassemble, deliver and answer, and fed through the same
 * receive and transmit path as target "rx" (this file includes
 * fuzz_rx.c: the fake NIC, the glue, lwIP, the services, the leak checks;
 * the fake NIC's transmit checks every frame against the MTU).
 *
 * The peer (10.0.2.2 / fe80::2) has four datagrams per IP version, k = 0..3:
 * a UDP echo request to port 7 (source port 40000 + k) of 8 * (n_k + 1)
 * bytes, the UDP checksum right over the whole datagram.  The program cuts
 * them into fragments in any order, overlapping or not, wraps IPv6
 * fragments inside other fragmented datagrams (a fragment of a fragment:
 * issue 11, finding 1), puts ICMP errors in between (Packet Too Big with
 * any MTU: finding 2) and echo requests whose replies need fragmenting.
 *
 * Input:
 *   u8  config    fuzz_rx's FUZZ_CFG_* bits (DHCP is masked off)
 *   u8  n[4]      IPv4 datagram k: 8 * (n[k] + 1) bytes of UDP
 *   u8  n6[4]     the same for IPv6
 *   then ops, until the input or the 64 frames run out:
 *   u8  op        bits 0-2 the kind, bits 3-7 its own bits (below)
 *   ...           the kind's arguments
 *
 *   0 FRAG4   u8 sel, u8 off, u8 len: datagram sel&3, 8-byte units from
 *             off, len+1 of them (clipped); MF set unless it reaches the
 *             end; op bit 3 flips MF, bit 4 sets DF, bit 5 changes the ID
 *   1 FRAG6   u8 sel, u8 off, u8 len: the same for IPv6; op bit 3 flips M;
 *             op bit 4: nest it: the Fragment header and data become the
 *             payload of outer datagram (id 0x8000 | sel) sent in two
 *             fragments (bit 5: in one atomic fragment instead); not
 *             nested, op bit 6 puts a Hop-by-Hop and bit 7 a Destination
 *             Options header (PadN) before the Fragment header
 *   2 ICMP4   u8 type sel, u16 mtu: destination unreachable (frag needed,
 *             the MTU in the next-hop MTU field), time exceeded or
 *             parameter problem, quoting a guest-to-peer UDP header
 *   3 ICMP6   u8 type sel, u16 mtu: Packet Too Big (the MTU as given),
 *             destination unreachable, time exceeded, parameter problem,
 *             quoting a guest-to-peer IPv6 + UDP header
 *   4 ECHO4   u16 size: an ICMP echo request of size bytes of data (up to
 *             4000), cut into 1480-byte fragments when it does not fit
 *   5 ECHO6   u16 size: the same for ICMPv6 (1448-byte fragments)
 *   6 TICKS   100 ms timer ticks before the next frame: op bits 3-7
 *   7 REPEAT  the previous frame again (a duplicate)
 *
 * ARP and ND for the peer come first, so that lwIP can answer. */
#define LLVMFuzzerTestOneInput fuzz_rx_one_input
#include "fuzz_rx.c"
#undef LLVMFuzzerTestOneInput

#define FRAG_DGRAMS       4
#define FRAG_UDP_PORT0    40000
#define FRAG_ECHO_MAX     4000
#define FRAG_OUT_MAX      (FUZZ_HDR_LEN + FUZZ_RECORDS_MAX * (FUZZ_REC_HDR_LEN + FUZZ_FRAME_MAX))

static const u8 peer_mac[ETH_ALEN] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const u8 peer4[4] = { 10, 0, 2, 2 }, guest4[4] = { 10, 0, 2, 15 };
static const u8 peer6[16] = { 0xfe, 0x80, [15] = 0x02 };
static const u8 guest6[16] = { 0xfe, 0x80, [8] = 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56 };

/* the rx input being written */
struct frag_out {
	u8 *buf;
	size_t len;
	unsigned int frames;
	u8 ticks;               /* for the next frame */
	u16 seq;                /* echo requests sent */
	size_t last, last_len;  /* the previous frame's record (REPEAT) */
	unsigned int frag6;     /* IPv6 frames with a Fragment header of their own */
};

struct frag_dgram {
	u8 data[8 * 256];
	u16 len;
};

static struct frag_dgram dg4[FRAG_DGRAMS], dg6[FRAG_DGRAMS];
static u8 frame[FUZZ_FRAME_MAX];
static u8 big[FRAG_ECHO_MAX + 64];

/* --- building frames ------------------------------------------------------ */

static void put16(u8 *p, u16 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { put16(p, (u16)(v >> 16)); put16(p + 2, (u16)v); }

static u32 csum_add(u32 sum, const u8 *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	return sum;
}

static u16 csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/* the IPv6 pseudo-header checksum of an upper-layer message */
static u16 csum6(const u8 *src, const u8 *dst, u8 nh, const u8 *msg, size_t len)
{
	u32 sum = csum_add(0, src, 16);

	sum = csum_add(sum, dst, 16);
	sum += (u32)(len >> 16) + (u32)(len & 0xffff) + nh;
	return csum_fold(csum_add(sum, msg, len));
}

/* whether frame[0..len) is IPv6 with a Fragment header in its own header
 * chain (after Hop-by-Hop/Destination Options/Routing headers), not one
 * inside the payload of a datagram it is a fragment of */
static bool frame_has_frag6(size_t len)
{
	size_t off = ETH_HLEN + 40;
	u8 nh;

	if (len < off || frame[12] != 0x86 || frame[13] != 0xdd)
		return false;
	nh = frame[ETH_HLEN + 6];
	while (nh == 0 || nh == 43 || nh == 60) {
		if (off + 2 > len)
			return false;
		nh = frame[off];
		off += 8u * (frame[off + 1] + 1u);
	}
	return nh == 44;
}

/* one record: the frame in frame[0..len) */
static void emit(struct frag_out *o, size_t len)
{
	if (o->frames >= FUZZ_RECORDS_MAX || len > FUZZ_FRAME_MAX)
		return;
	o->frag6 += frame_has_frag6(len);
	o->last = o->len;
	o->last_len = len;
	o->buf[o->len++] = (u8)(o->ticks << FUZZ_CTL_TICKS_SHIFT);
	put16(o->buf + o->len, (u16)len);
	o->len += 2;
	memcpy(o->buf + o->len, frame, len);
	o->len += len;
	o->frames++;
	o->ticks = 0;
}

static u8 *eth(u16 type)
{
	memcpy(frame, fuzz_mac, ETH_ALEN);
	memcpy(frame + ETH_ALEN, peer_mac, ETH_ALEN);
	put16(frame + 12, type);
	return frame + ETH_HLEN;
}

/* an IPv4 header at p for len bytes of payload */
static void ip4_hdr(u8 *p, u16 len, u16 id, u16 frag, u8 proto, const u8 *src, const u8 *dst)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (u16)(20 + len));
	put16(p + 4, id);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));
}

static void ip6_hdr(u8 *p, u16 plen, u8 nh, u8 hlim, const u8 *src, const u8 *dst)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = hlim;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}

static void frag6_hdr(u8 *p, u8 nh, u16 off8, bool more, u32 id)
{
	p[0] = nh;
	p[1] = 0;
	put16(p + 2, (u16)(off8 << 3 | (more ? 1 : 0)));
	put32(p + 4, id);
}

/* an 8-byte Hop-by-Hop or Destination Options header: PadN */
static void ext_hdr(u8 *p, u8 nh)
{
	p[0] = nh;
	p[1] = 0;
	p[2] = 1;               /* PadN */
	p[3] = 4;
	memset(p + 4, 0, 4);
}

static void arp_request(struct frag_out *o)
{
	u8 *a = eth(0x0806);

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, peer4, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, guest4, 4);
	memset(a + 28, 0, 18);          /* padded to the minimum */
	memset(frame, 0xff, ETH_ALEN);
	emit(o, ETH_HLEN + 28 + 18);
}

static void neighbor_solicit(struct frag_out *o)
{
	static const u8 snm[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x12, 0x34, 0x56 };
	u8 *ip = eth(0x86dd), *m = ip + 40;

	frame[0] = 0x33, frame[1] = 0x33, frame[2] = 0xff;
	frame[3] = 0x12, frame[4] = 0x34, frame[5] = 0x56;
	ip6_hdr(ip, 32, 58, 255, peer6, snm);
	memset(m, 0, 32);
	m[0] = 135;
	memcpy(m + 8, guest6, 16);
	m[24] = 1;                      /* source link-layer address */
	m[25] = 1;
	memcpy(m + 26, peer_mac, 6);
	put16(m + 2, csum6(peer6, snm, 58, m, 32));
	emit(o, ETH_HLEN + 40 + 32);
}

/* datagram k's bytes: a UDP echo request to port 7 */
static void make_dgram(struct frag_dgram *d, unsigned int k, u8 n, bool v6)
{
	d->len = (u16)(8 * (n + 1));
	if (d->len < 8)
		d->len = 8;
	for (unsigned int i = 8; i < d->len; i++)
		d->data[i] = (u8)('a' + (i + k) % 26);
	put16(d->data, (u16)(FRAG_UDP_PORT0 + k));
	put16(d->data + 2, 7);
	put16(d->data + 4, d->len);
	put16(d->data + 6, 0);
	if (v6) {
		u16 c = csum6(peer6, guest6, 17, d->data, d->len);

		put16(d->data + 6, c ? c : 0xffff);
	}
	/* IPv4: checksum 0, none (RFC 768) */
}

/* clip [off, off + n) 8-byte units to the datagram: bytes from, count */
static bool clip(const struct frag_dgram *d, u8 off, u8 n, u16 *from, u16 *count)
{
	u32 f = (u32)off * 8, c = ((u32)n + 1) * 8;

	if (f >= d->len)
		return false;
	if (f + c > d->len)
		c = d->len - f;
	*from = (u16)f;
	*count = (u16)c;
	return true;
}

static void op_frag4(struct frag_out *o, u8 op, const u8 *a)
{
	const struct frag_dgram *d = &dg4[a[0] & 3];
	u16 from, count, frag;
	bool more;
	u8 *ip;

	if (!clip(d, a[1], a[2], &from, &count))
		return;
	if (count > FUZZ_MTU - 20)
		count = FUZZ_MTU - 20;
	more = from + count < d->len;
	if (op & BIT(3))
		more = !more;
	frag = (u16)(from / 8 | (more ? 0x2000 : 0) | (op & BIT(4) ? 0x4000 : 0));
	ip = eth(0x0800);
	ip4_hdr(ip, count, (u16)(0x100 + (a[0] & 3) + (op & BIT(5) ? 0x10 : 0)), frag, 17, peer4,
		guest4);
	memcpy(ip + 20, d->data + from, count);
	emit(o, ETH_HLEN + 20 + count);
}

static void op_frag6(struct frag_out *o, u8 op, const u8 *a)
{
	const struct frag_dgram *d = &dg6[a[0] & 3];
	u16 from, count, inner;
	bool more;
	u8 *ip, *in;

	if (!clip(d, a[1], a[2], &from, &count))
		return;
	more = from + count < d->len;
	if (op & BIT(3))
		more = !more;
	ip = eth(0x86dd);
	if (!(op & BIT(4))) {
		/* the unfragmentable part: optional extension headers */
		u16 ext = 0;
		u8 first = 44, *h = ip + 40;

		if (op & BIT(7)) {              /* Destination Options */
			first = 60;
			ext += 8;
		}
		if (op & BIT(6)) {              /* Hop-by-Hop, always first */
			ext_hdr(h, first);
			h += 8;
			first = 0;
			ext += 8;
		}
		if (op & BIT(7)) {
			ext_hdr(h, 44);
			h += 8;
		}
		if (count > FUZZ_MTU - 48 - ext)
			count = (u16)(FUZZ_MTU - 48 - ext);
		ip6_hdr(ip, (u16)(ext + 8 + count), first, 64, peer6, guest6);
		frag6_hdr(h, 17, (u16)(from / 8), more, 0x200 + (a[0] & 3));
		memcpy(h + 8, d->data + from, count);
		emit(o, (size_t)(ETH_HLEN + 48 + ext + count));
		return;
	}
	/* nested: the inner Fragment header and data are the payload of an
	 * outer datagram, in two fragments at 16 bytes (or one atomic one) */
	if (count > FUZZ_MTU - 64)
		count = FUZZ_MTU - 64;
	inner = (u16)(8 + count);
	in = big;
	frag6_hdr(in, 17, (u16)(from / 8), more, 0x200 + (a[0] & 3));
	memcpy(in + 8, d->data + from, count);
	if ((op & BIT(5)) || inner <= 16) {
		ip6_hdr(ip, (u16)(8 + inner), 44, 64, peer6, guest6);
		frag6_hdr(ip + 40, 44, 0, false, 0x8000u | (a[0] & 3));
		memcpy(ip + 48, in, inner);
		emit(o, ETH_HLEN + 48 + inner);
		return;
	}
	ip6_hdr(ip, 8 + 16, 44, 64, peer6, guest6);
	frag6_hdr(ip + 40, 44, 0, true, 0x8000u | (a[0] & 3));
	memcpy(ip + 48, in, 16);
	emit(o, ETH_HLEN + 48 + 16);
	ip = eth(0x86dd);
	ip6_hdr(ip, (u16)(8 + inner - 16), 44, 64, peer6, guest6);
	frag6_hdr(ip + 40, 44, 2, false, 0x8000u | (a[0] & 3));
	memcpy(ip + 48, in + 16, inner - 16);
	emit(o, ETH_HLEN + 48 + inner - 16);
}

static void op_icmp4(struct frag_out *o, const u8 *a)
{
	static const u8 types[][2] = { { 3, 4 }, { 3, 3 }, { 11, 0 }, { 12, 0 } };
	const u8 *t = types[a[0] & 3];
	u8 *ip = eth(0x0800), *m = ip + 20, *q = m + 8;

	memset(m, 0, 8);
	m[0] = t[0];
	m[1] = t[1];
	if (t[0] == 3 && t[1] == 4)
		put16(m + 6, (u16)(a[1] << 8 | a[2]));
	else if (t[0] == 12)
		m[4] = a[1];
	/* the quoted packet: a UDP reply of the guest's to the peer */
	ip4_hdr(q, 8 + 100, 0x4242, 0, 17, guest4, peer4);
	put16(q + 20, 7);
	put16(q + 22, FRAG_UDP_PORT0);
	put16(q + 24, 108);
	put16(q + 26, 0);
	put16(m + 2, csum_fold(csum_add(0, m, 8 + 28)));
	ip4_hdr(ip, 8 + 28, 0x300, 0, 1, peer4, guest4);
	emit(o, ETH_HLEN + 20 + 8 + 28);
}

static void op_icmp6(struct frag_out *o, const u8 *a)
{
	static const u8 types[][2] = { { 2, 0 }, { 1, 4 }, { 3, 1 }, { 4, 0 } };
	const u8 *t = types[a[0] & 3];
	u8 *ip = eth(0x86dd), *m = ip + 40, *q = m + 8;
	const u16 qlen = 40 + 8 + 32;

	memset(m, 0, 8);
	m[0] = t[0];
	m[1] = t[1];
	if (t[0] == 2)
		put32(m + 4, (u32)(a[1] << 8 | a[2]));
	else if (t[0] == 4)
		put32(m + 4, a[1]);
	ip6_hdr(q, 8 + 1400, 17, 64, guest6, peer6);
	put16(q + 40, 7);
	put16(q + 42, FRAG_UDP_PORT0);
	put16(q + 44, 8 + 1400);
	put16(q + 46, 0);
	memset(q + 48, 'q', 32);
	ip6_hdr(ip, (u16)(8 + qlen), 58, 255, peer6, guest6);
	put16(m + 2, csum6(peer6, guest6, 58, m, 8 + qlen));
	emit(o, ETH_HLEN + 40 + 8 + qlen);
}

/* an echo request of size bytes of data, in fragments of at most
 * fragsize bytes of the IP payload when it does not fit the MTU */
static void op_echo(struct frag_out *o, bool v6, const u8 *a)
{
	u16 size = (u16)(a[0] << 8 | a[1]) % (FRAG_ECHO_MAX + 1);
	u16 len = (u16)(8 + size), hl = v6 ? 40 : 20;
	u16 fragsize = v6 ? 1448 : 1480;
	u16 seq = ++o->seq;

	memset(big, 0, 8);
	big[0] = v6 ? 128 : 8;
	put16(big + 4, 0x4242);
	put16(big + 6, seq);
	for (u16 i = 0; i < size; i++)
		big[8 + i] = (u8)i;
	put16(big + 2, v6 ? csum6(peer6, guest6, 58, big, len) : csum_fold(csum_add(0, big, len)));
	if (len + hl <= FUZZ_MTU) {
		u8 *ip = eth(v6 ? 0x86dd : 0x0800);

		if (v6)
			ip6_hdr(ip, len, 58, 64, peer6, guest6);
		else
			ip4_hdr(ip, len, 0x400 + seq, 0, 1, peer4, guest4);
		memcpy(ip + hl, big, len);
		emit(o, ETH_HLEN + hl + len);
		return;
	}
	for (u16 off = 0; off < len; off = (u16)(off + fragsize)) {
		u16 n = (u16)(len - off < fragsize ? len - off : fragsize);
		bool more = off + n < len;
		u8 *ip = eth(v6 ? 0x86dd : 0x0800);

		if (v6) {
			ip6_hdr(ip, (u16)(8 + n), 44, 64, peer6, guest6);
			frag6_hdr(ip + 40, 58, (u16)(off / 8), more, 0x4000u + seq);
			memcpy(ip + 48, big + off, n);
			emit(o, ETH_HLEN + 48 + n);
		} else {
			ip4_hdr(ip, n, (u16)(0x400 + seq), (u16)(off / 8 | (more ? 0x2000 : 0)), 1,
				peer4, guest4);
			memcpy(ip + 20, big + off, n);
			emit(o, ETH_HLEN + 20 + n);
		}
	}
}

static size_t frag_program(const u8 *p, size_t size, u8 *out, unsigned int *frag6)
{
	static const u8 nargs[8] = { 3, 3, 3, 3, 2, 2, 0, 0 };
	struct frag_out o = { .buf = out };
	const u8 *end = p + size;

	if (size < 9)
		return 0;
	out[0] = p[0] & (u8)~FUZZ_CFG_DHCP;
	out[1] = out[2] = out[3] = 0;
	o.len = FUZZ_HDR_LEN;
	for (unsigned int k = 0; k < FRAG_DGRAMS; k++) {
		make_dgram(&dg4[k], k, p[1 + k], false);
		make_dgram(&dg6[k], k, p[5 + k], true);
	}
	p += 9;
	arp_request(&o);
	neighbor_solicit(&o);
	while (p < end && o.frames < FUZZ_RECORDS_MAX) {
		u8 op = *p++;

		if ((size_t)(end - p) < nargs[op & 7])
			break;
		switch (op & 7) {
		case 0: op_frag4(&o, op, p); break;
		case 1: op_frag6(&o, op, p); break;
		case 2: op_icmp4(&o, p); break;
		case 3: op_icmp6(&o, p); break;
		case 4: op_echo(&o, false, p); break;
		case 5: op_echo(&o, true, p); break;
		case 6: o.ticks = (u8)(op >> 3); break;
		case 7:
			if (o.last_len && o.frames < FUZZ_RECORDS_MAX) {
				memmove(frame, o.buf + o.last + FUZZ_REC_HDR_LEN, o.last_len);
				emit(&o, o.last_len);
			}
			break;
		}
		p += nargs[op & 7];
	}
	*frag6 = o.frag6;
	return o.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 *out;
	unsigned int frag6 = 0;
	u32 reass_in;
	size_t len;
	int rc;

	if (!out) {
		out = malloc(FRAG_OUT_MAX);
		FUZZ_CHECK(out, "malloc");
	}
	len = frag_program(data, size, out, &frag6);
	if (getenv("FUZZ_FRAG_DUMP")) {
		/* the rx input this program makes (for tests/fuzz/regressions/rx) */
		FILE *f = fopen(getenv("FUZZ_FRAG_DUMP"), "wb");

		FUZZ_CHECK(f && fwrite(out, 1, len, f) == len && fclose(f) == 0, "dump");
	}
	if (!len)
		return 0;
	reass_in = lwip_stats.ip6_frag.recv;
	rc = fuzz_rx_one_input(out, len);
	/* issue 11, finding 1: only a fragment the peer sent may reach
	 * reassembly; a Fragment header inside a reassembled datagram (a
	 * fragment of a fragment) must be dropped, not reassembled again
	 * (RFC 8200 4.5): ip6_reass counts every fragment it takes */
	FUZZ_CHECK((u32)(lwip_stats.ip6_frag.recv - reass_in) <= frag6,
		   "%u fragments reassembled, %u sent: a nested Fragment header was reassembled",
		   (unsigned int)(lwip_stats.ip6_frag.recv - reass_in), frag6);
	return rc;
}
