/* net/core/gro.c over skbs on lwIP pbufs built for the host: which TCP
 * segments merge (in order, one flow, plain flags and options, checksums
 * right) and which flush the held skb, the merged skb's headers and its
 * zero-copy pbuf chain (every driver buffer back once lwIP frees it), the
 * size limits, IPv6, ethtool -K gro off, and the counters. */
#include <check.h>
#include <string.h>
#include "lwip_leak.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "lwip/pbuf.h"
#include "drivers/net/netdevice.h"
#include "net/core/dev.h"
#include "net/core/gro.h"
#include "net/core/rx_chain.h"
#include "check_main.h"

#define NBUF     80
#define BUFSZ    2048
#define MSS      1000
#define ETH      14
#define TCP_ACK  0x10
#define TCP_PSH  0x08
#define TCP_FIN  0x01
#define TCP_SYN  0x02

static u8 dma[NBUF][BUFSZ];
static int released[NBUF];
static struct net_device dev;
static struct napi_struct napi;

/* what reached the stack */
#define MAXUP 96
static struct sk_buff *up[MAXUP];
static int nup;

static int keep_rx(struct sk_buff *skb)
{
	ck_assert_int_lt(nup, MAXUP);
	up[nup++] = skb;
	return NET_RX_SUCCESS;
}

static void rx_release(void *ctx, void *buf)
{
	int i = (int)(((u8(*)[BUFSZ])buf) - dma);

	(void)ctx;
	ck_assert_int_ge(i, 0);
	ck_assert_int_lt(i, NBUF);
	released[i]++;
}

static void put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static void put32(u8 *p, u32 v)
{
	put16(p, (u16)(v >> 16));
	put16(p + 2, (u16)v);
}

static u32 sum16(u32 s, const u8 *p, u32 n)
{
	for (; n > 1; p += 2, n -= 2)
		s += (u32)(p[0] << 8 | p[1]);
	if (n)
		s += (u32)(p[0] << 8);
	return s;
}

static u16 fold(u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

/* a segment's description */
struct seg {
	int v6;
	u32 seq;
	u8 flags;
	u16 payload;
	u16 sport;
	int ts;            /* timestamp option with this value (0: none) */
	int ihl_words;     /* IPv4 header length in words (0: 5) */
	int bad_csum;
};

/* payload byte i of the stream at sequence seq */
static u8 stream_byte(u32 seq)
{
	return (u8)(seq * 13 + 7);
}

/* build s at f (cap bytes); the frame's length */
static u32 build_at(u8 *f, u32 cap, const struct seg *s)
{
	u8 *ip = f + ETH, *th;
	u32 iphl = s->v6 ? 40 : 4u * (u32)(s->ihl_words ? s->ihl_words : 5);
	u32 thl = s->ts ? 32 : 20, l4 = thl + s->payload, sum;

	memset(f, 0, cap);
	memcpy(f, "\x52\x54\x00\x12\x34\x56\x52\x54\x00\xab\xcd\xef", 12);
	put16(f + 12, s->v6 ? 0x86DD : 0x0800);
	if (s->v6) {
		ip[0] = 0x60;
		put16(ip + 4, (u16)l4);
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd; ip[23] = 1;
		ip[24] = 0xfd; ip[39] = 2;
	} else {
		ip[0] = (u8)(0x40 | (iphl / 4));
		put16(ip + 2, (u16)(iphl + l4));
		put16(ip + 6, 0x4000);          /* DF */
		ip[8] = 64;
		ip[9] = 6;
		put32(ip + 12, 0x0a000001);
		put32(ip + 16, 0x0a000002);
		if (iphl > 20)
			ip[20] = 1;             /* NOP options */
		put16(ip + 10, (u16)~fold(sum16(0, ip, iphl)));
	}
	th = ip + iphl;
	put16(th, s->sport ? s->sport : 40000);
	put16(th + 2, 5001);
	put32(th + 4, s->seq);
	put32(th + 8, 777);
	th[12] = (u8)((thl / 4) << 4);
	th[13] = s->flags;
	put16(th + 14, 1024);
	if (s->ts) {
		th[20] = 1; th[21] = 1; th[22] = 8; th[23] = 10;
		put32(th + 24, (u32)s->ts);
	}
	for (u32 i = 0; i < s->payload; i++)
		th[thl + i] = stream_byte(s->seq + i);
	sum = 6 + l4;
	sum = s->v6 ? sum16(sum, ip + 8, 32) : sum16(sum, ip + 12, 8);
	put16(th + 16, (u16)~fold(sum16(sum, th, l4)));
	if (s->bad_csum)
		th[16] ^= 0x55;
	return ETH + iphl + l4 < 60 ? 60 : ETH + iphl + l4;
}

/* build s into driver buffer b; the frame's length */
static u32 build(int b, const struct seg *s)
{
	return build_at(dma[b], BUFSZ, s);
}

/* driver buffer b received with s: through GRO */
static void rx(int b, const struct seg *s)
{
	u32 len = build(b, s);
	struct sk_buff *skb = skb_from_rx_buffer(&dev, dma[b], len, rx_release, NULL);

	ck_assert_ptr_nonnull(skb);
	napi_gro_receive(&napi, skb);
}

/* n segments of mss from seq, buffers b.., the last with last_flags */
static void rx_run_mss(int b, u32 seq, int n, u8 last_flags, u16 mss)
{
	for (int i = 0; i < n; i++) {
		struct seg s = { .seq = seq + (u32)i * mss, .payload = mss,
				 .flags = i == n - 1 ? last_flags : TCP_ACK };
		rx(b + i, &s);
	}
}

static void rx_run(int b, u32 seq, int n, u8 last_flags)
{
	for (int i = 0; i < n; i++) {
		struct seg s = { .seq = seq + (u32)i * MSS, .payload = MSS,
				 .flags = i == n - 1 ? last_flags : TCP_ACK };
		rx(b + i, &s);
	}
}

/* the TCP payload of an skb that went up is the stream from seq */
static void check_stream(struct sk_buff *skb, u32 hdr, u32 seq, u32 bytes)
{
	static u8 flat[70000];

	ck_assert_uint_eq(skb->len, hdr + bytes);
	ck_assert_int_eq(skb_copy_bits(skb, 0, flat, skb->len), 0);
	for (u32 i = 0; i < bytes; i++)
		ck_assert_uint_eq(flat[hdr + i], stream_byte(seq + i));
}

static void free_up(void)
{
	for (int i = 0; i < nup; i++)
		consume_skb(up[i]);
	nup = 0;
}

static void setup(void)
{
	lwip_leak_setup();
	ck_assert_int_eq(net_dev_init(), 0);
	netif_set_rx_handler(keep_rx);
	memset(&dev, 0, sizeof(dev));
	memset(released, 0, sizeof(released));
	dev.features = dev.hw_features = NETIF_F_GRO;
	netif_napi_add_weight(&dev, &napi, NULL, 64);
	nup = 0;
}

static void teardown(void)
{
	free_up();
	lwip_leak_check();
}

START_TEST(in_order_segments_merge_into_one_chain_without_copies)
{
	u64 copies = skb_stats.pbuf_copies;
	const u8 *ip;
	struct pbuf *p;
	u32 n = 0;

	rx_run(0, 1000, 4, TCP_ACK | TCP_PSH);
	/* the PSH ended it: up at once, one skb */
	ck_assert_int_eq(nup, 1);
	ck_assert_ptr_null(napi.gro.skb);
	ck_assert_uint_eq(up[0]->gso_segs, 4);
	ck_assert_uint_eq(up[0]->gso_size, MSS);
	ck_assert_uint_eq(up[0]->ip_summed, CHECKSUM_UNNECESSARY);
	check_stream(up[0], 54, 1000, 4 * MSS);
	ip = up[0]->data + ETH;
	ck_assert_uint_eq((u32)(ip[2] << 8 | ip[3]), 40 + 4 * MSS);
	ck_assert_uint_eq(fold(sum16(0, ip, 20)), 0xffff);
	ck_assert_uint_eq(ip[20 + 13], TCP_ACK | TCP_PSH);
	ck_assert_uint_eq(dev.gro.skbs, 1);
	ck_assert_uint_eq(dev.gro.segs, 4);
	ck_assert_uint_eq(dev.gro.bytes, 4 * MSS);
	ck_assert_uint_eq(dev.gro.flush_push, 1);
	/* to lwIP as the chain it is: four pbufs, each a driver buffer */
	p = skb_to_pbuf(up[0]);
	nup = 0;
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(skb_stats.pbuf_copies, copies);
	ck_assert_uint_eq(p->tot_len, 54 + 4 * MSS);
	ck_assert_uint_eq(p->len, 54 + MSS);
	for (struct pbuf *q = p; q; q = q->next)
		n++;
	ck_assert_uint_eq(n, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(released[i], 0);
	pbuf_free(p);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(released[i], 1);
}
END_TEST

/* a jumbo segment the NIC wrote over buffers b.. (2048 bytes each) and
 * verified (hw_csum), gathered as a driver does (net/core/rx_chain.c);
 * the number of buffers */
static int rx_jumbo(int b, const struct seg *s, bool hw_csum)
{
	static u8 frame[16384];
	struct rx_chain c = { 0 };
	u32 len = build_at(frame, sizeof(frame), s);
	int n = 0;
	struct sk_buff *skb;

	for (u32 off = 0; off < len; off += BUFSZ, n++) {
		u32 piece = len - off < BUFSZ ? len - off : BUFSZ;

		memcpy(dma[b + n], frame + off, piece);
		skb = skb_from_rx_buffer(&dev, dma[b + n], piece, rx_release, NULL);
		ck_assert_ptr_nonnull(skb);
		ck_assert_int_eq(rx_chain_add(&c, skb), 0);
	}
	skb = rx_chain_end(&c);
	ck_assert_ptr_nonnull(skb);
	ck_assert(skb_is_nonlinear(skb));
	skb->ip_summed = hw_csum ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
	napi_gro_receive(&napi, skb);
	return n;
}

START_TEST(jumbo_chains_merge_whole)
{
	u64 copies = skb_stats.pbuf_copies;
	struct pbuf *p;
	int bufs = 0;
	u32 jmss = 8960;

	/* three 8960-byte segments, five buffers each: one skb of all 15 */
	for (int i = 0; i < 3; i++) {
		struct seg s = { .seq = 5000 + (u32)i * jmss, .payload = (u16)jmss,
				 .flags = i == 2 ? TCP_ACK | TCP_PSH : TCP_ACK };

		bufs += rx_jumbo(bufs, &s, true);
	}
	ck_assert_int_eq(bufs, 15);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 3);
	ck_assert_uint_eq(up[0]->gso_size, jmss);
	check_stream(up[0], 54, 5000, 3 * jmss);
	ck_assert_uint_eq(dev.gro.segs, 3);
	p = skb_to_pbuf(up[0]);
	nup = 0;
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(skb_stats.pbuf_copies, copies);
	ck_assert_uint_eq(p->tot_len, 54 + 3 * jmss);
	pbuf_free(p);
	for (int i = 0; i < bufs; i++)
		ck_assert_int_eq(released[i], 1);
	/* not verified by the NIC: up alone (no sum over a chain here), and
	 * it flushes what was held */
	memset(released, 0, sizeof(released));
	{
		struct seg a = { .seq = 100, .payload = MSS, .flags = TCP_ACK };
		struct seg j = { .seq = 100 + MSS, .payload = 4000, .flags = TCP_ACK };

		rx(0, &a);
		ck_assert_ptr_nonnull(napi.gro.skb);
		bufs = 1 + rx_jumbo(1, &j, false);
	}
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(up[0]->len, 54 + MSS);
	ck_assert(skb_is_nonlinear(up[1]));
	check_stream(up[1], 54, 100 + MSS, 4000);
	free_up();
	for (int i = 0; i < bufs; i++)
		ck_assert_int_eq(released[i], 1);
}
END_TEST

START_TEST(held_flow_goes_up_at_the_end_of_the_poll)
{
	rx_run(0, 1, 3, TCP_ACK);
	ck_assert_int_eq(nup, 0);
	ck_assert_ptr_nonnull(napi.gro.skb);
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 3);
	check_stream(up[0], 54, 1, 3 * MSS);
	ck_assert_uint_eq(dev.gro.flush_poll, 1);
	/* napi_complete_done flushes too (the driver's last poll) */
	rx_run(3, 1 + 3 * MSS, 2, TCP_ACK);
	ck_assert_int_eq(nup, 1);
	napi.state = NAPIF_STATE_SCHED;
	ck_assert(napi_complete_done(&napi, 2));
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(dev.gro.flush_poll, 2);
}
END_TEST

START_TEST(out_of_order_or_another_flow_flushes)
{
	struct seg gap = { .seq = 1 + 3 * MSS + 1, .payload = MSS, .flags = TCP_ACK };
	struct seg other = { .seq = 1 + 4 * MSS, .payload = MSS, .flags = TCP_ACK, .sport = 40001 };

	rx_run(0, 1, 2, TCP_ACK);
	/* the next in order, then one byte past the next */
	rx_run(2, 1 + 2 * MSS, 1, TCP_ACK);
	rx(3, &gap);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 3);
	check_stream(up[0], 54, 1, 3 * MSS);
	ck_assert_uint_eq(dev.gro.flush_mismatch, 1);
	/* the out-of-order one is held alone; another flow flushes it */
	rx(4, &other);
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(up[1]->gso_segs, 0);
	ck_assert_uint_eq(up[1]->len, 54 + MSS);
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 3);
	/* one-segment flushes are no merges */
	ck_assert_uint_eq(dev.gro.skbs, 1);
}
END_TEST

START_TEST(other_flags_options_and_fragments_go_up_alone)
{
	struct seg fin = { .seq = 1 + 2 * MSS, .payload = 10, .flags = TCP_ACK | TCP_FIN };
	struct seg syn = { .seq = 5, .payload = 0, .flags = TCP_SYN };
	struct seg ipopt = { .seq = 1, .payload = MSS, .flags = TCP_ACK, .ihl_words = 6 };
	struct seg ipopt2 = { .seq = 1 + MSS, .payload = MSS, .flags = TCP_ACK, .ihl_words = 6 };

	rx_run(0, 1, 2, TCP_ACK);
	rx(2, &fin);                  /* flushes the two, goes up alone */
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(up[0]->gso_segs, 2);
	ck_assert_uint_eq(up[1]->len, 54 + 10);
	rx(3, &syn);
	ck_assert_int_eq(nup, 3);
	rx(4, &ipopt);
	rx(5, &ipopt2);
	ck_assert_int_eq(nup, 5);
	ck_assert_ptr_null(napi.gro.skb);
	ck_assert_uint_eq(dev.gro.skbs, 1);
}
END_TEST

START_TEST(a_bad_checksum_is_not_merged_and_counted)
{
	struct seg bad = { .seq = 1 + 2 * MSS, .payload = MSS, .flags = TCP_ACK, .bad_csum = 1 };

	rx_run(0, 1, 2, TCP_ACK);
	rx(2, &bad);
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(up[0]->gso_segs, 2);
	/* up unverified: the stack checks it and drops it */
	ck_assert_uint_eq(up[1]->ip_summed, CHECKSUM_NONE);
	ck_assert_uint_eq(dev.gro.csum_bad, 1);
}
END_TEST

START_TEST(timestamps_merge_only_when_equal)
{
	struct seg a = { .seq = 1, .payload = MSS, .flags = TCP_ACK, .ts = 100 };
	struct seg b = { .seq = 1 + MSS, .payload = MSS, .flags = TCP_ACK, .ts = 100 };
	struct seg c = { .seq = 1 + 2 * MSS, .payload = MSS, .flags = TCP_ACK, .ts = 101 };

	rx(0, &a);
	rx(1, &b);
	rx(2, &c);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 2);
	check_stream(up[0], 66, 1, 2 * MSS);
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 2);
}
END_TEST

START_TEST(a_short_segment_ends_the_merge)
{
	struct seg shorter = { .seq = 1 + 2 * MSS, .payload = 100, .flags = TCP_ACK };
	struct seg longer = { .seq = 1, .payload = MSS, .flags = TCP_ACK, .sport = 9 };
	struct seg longer2 = { .seq = 1 + MSS, .payload = MSS + 1, .flags = TCP_ACK, .sport = 9 };

	rx_run(0, 1, 2, TCP_ACK);
	rx(2, &shorter);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 3);
	check_stream(up[0], 54, 1, 2 * MSS + 100);
	/* one larger than the first is not merged */
	rx(3, &longer);
	rx(4, &longer2);
	ck_assert_int_eq(nup, 2);
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 3);
	ck_assert_uint_eq(up[2]->len, 54 + MSS + 1);
}
END_TEST

START_TEST(merges_stop_at_64k)
{
	const u8 *ip;

	/* 70 segments of 1000: the segment limit comes first */
	rx_run(0, 1, 70, TCP_ACK);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(dev.gro.flush_full, 1);
	ck_assert_uint_le(up[0]->len - ETH, GRO_MAX_IP_LEN);
	ck_assert_uint_eq(up[0]->gso_segs, GRO_MAX_SEGS);
	ip = up[0]->data + ETH;
	ck_assert_uint_eq((u32)(ip[2] << 8 | ip[3]), up[0]->len - ETH);
	check_stream(up[0], 54, 1, GRO_MAX_SEGS * MSS);
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(up[1]->gso_segs, 70 - GRO_MAX_SEGS);
}
END_TEST

START_TEST(merges_stop_at_the_datagram_limit)
{
	/* 1448-byte segments: 45 make 65200 bytes of datagram, a 46th would
	 * pass 65521 */
	rx_run_mss(0, 1, 50, TCP_ACK, 1448);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(dev.gro.flush_full, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 45);
	ck_assert_uint_eq(up[0]->len, 54 + 45 * 1448);
	check_stream(up[0], 54, 1, 45 * 1448);
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 2);
	ck_assert_uint_eq(up[1]->gso_segs, 5);
}
END_TEST

START_TEST(ipv6_segments_merge)
{
	const u8 *ip;

	for (int i = 0; i < 3; i++) {
		struct seg s = { .v6 = 1, .seq = 1 + (u32)i * MSS, .payload = MSS, .flags = TCP_ACK };

		rx(i, &s);
	}
	napi_gro_flush(&napi);
	ck_assert_int_eq(nup, 1);
	ck_assert_uint_eq(up[0]->gso_segs, 3);
	ip = up[0]->data + ETH;
	ck_assert_uint_eq((u32)(ip[4] << 8 | ip[5]), 20 + 3 * MSS);
	check_stream(up[0], 74, 1, 3 * MSS);
}
END_TEST

START_TEST(gro_off_sends_every_frame_up_alone)
{
	dev.features = 0;
	rx_run(0, 1, 4, TCP_ACK);
	ck_assert_int_eq(nup, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(up[i]->gso_segs, 0);
	ck_assert_uint_eq(dev.gro.skbs, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gro");
	TCase *tc = tcase_create("gro");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, in_order_segments_merge_into_one_chain_without_copies);
	tcase_add_test(tc, jumbo_chains_merge_whole);
	tcase_add_test(tc, held_flow_goes_up_at_the_end_of_the_poll);
	tcase_add_test(tc, out_of_order_or_another_flow_flushes);
	tcase_add_test(tc, other_flags_options_and_fragments_go_up_alone);
	tcase_add_test(tc, a_bad_checksum_is_not_merged_and_counted);
	tcase_add_test(tc, timestamps_merge_only_when_equal);
	tcase_add_test(tc, a_short_segment_ends_the_merge);
	tcase_add_test(tc, merges_stop_at_64k);
	tcase_add_test(tc, merges_stop_at_the_datagram_limit);
	tcase_add_test(tc, ipv6_segments_merge);
	tcase_add_test(tc, gro_off_sends_every_frame_up_alone);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
