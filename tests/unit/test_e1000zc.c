/* e1000 zero copy over the fake register file: the RX refill pool (frames
 * go up in their own buffers, spares refill the ring, buffers come back
 * exactly once when the stack frees them, an empty pool copies instead of
 * stalling, a ring resize or stop with buffers still out) and TX
 * scatter-gather (a descriptor per pbuf of a chain, EOP/RS on the last,
 * the skb held until the device wrote DD, copies only where needed).
 * Each test runs for the 82540EM, 82574L and 82576 (loop index = chip);
 * ASan's leak check and the allocation counters prove nothing leaks. */
#include <check.h>
#include <string.h>
#include "e1000_fixture.h"
#include "kernel/errno.h"
#include "lwip/pbuf.h"
#include "net/core/dev.h"

static const u8 *const test_mac = e1000_fixture_mac;

static struct net_device *dev;
static struct e1000_adapter *ad;

/* frames the rx_handler keeps (the stack holding them), in order */
#define KEEP_MAX 512
static struct sk_buff *kept[KEEP_MAX];
static unsigned int nkept, nseen, out_of_order;
static u32 next_seq;

static int rx_keep(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	u32 seq;

	(void)d;
	(void)flags;
	memcpy(&seq, skb->data + 14, sizeof(seq));
	out_of_order += seq != next_seq;
	next_seq = seq + 1;
	nseen++;
	ck_assert_uint_lt(nkept, KEEP_MAX);
	kept[nkept++] = skb;
	return 0;
}

static void free_kept(void)
{
	while (nkept)
		kfree_skb(kept[--nkept]);
}

static void up(int chip, u32 rx_count, u32 tx_count)
{
	nkept = nseen = out_of_order = 0;
	next_seq = 0;
	memset(&skb_stats, 0, sizeof(skb_stats));
	dev = e1000_fixture_up(chip, rx_count, tx_count, false, rx_keep);
	ad = netdev_priv(dev);
}

/* stop, free, and prove nothing leaked: every buffer came back once */
static void down(void)
{
	ck_assert_int_eq(netdev_stop(dev), 0);
	free_kept();
	e1000_fixture_release(dev);
}

static u32 rx_seq;

/* n frames of len bytes from the wire, then the interrupt and the poll */
static void receive(unsigned int n, unsigned int len)
{
	u8 f[2048];

	for (unsigned int i = 0; i < n; i++) {
		memset(f, 0x5A, len);
		memcpy(f, test_mac, 6);
		f[12] = 0x88;
		f[13] = 0xB5;
		memcpy(f + 14, &rx_seq, sizeof(rx_seq));
		ck_assert_int_eq(fake_rx(f, len, 0), 0);
		rx_seq++;
	}
	e1000_fixture_irq_and_poll(ad);
}

static const struct e1000_rx_pool *pool(void)
{
	return ad->rx.pool;
}

START_TEST(rx_frames_go_up_in_their_own_buffers)
{
	u32 size, spares;
	const u8 *first;

	rx_seq = 0;
	up(_i, 64, 64);
	size = pool()->size;
	spares = size - 64;
	ck_assert_uint_eq(size, 64 + 64 / E1000_RX_POOL_SPARE_DIV);
	ck_assert_uint_eq(pool()->nfree, spares);
	first = ad->rx.buf[ad->rx.next_to_clean]->va;
	receive(10, 100);
	ck_assert_uint_eq(nseen, 10);
	ck_assert_uint_eq(out_of_order, 0);
	/* the skb's data is the DMA buffer the device wrote: no copy */
	ck_assert_ptr_eq(kept[0]->data, first);
	ck_assert_uint_eq(kept[0]->len, 100);
	ck_assert_uint_eq(ad->sw.rx_zc_frames, 10);
	ck_assert_uint_eq(ad->sw.rx_copied_frames, 0);
	ck_assert_uint_eq(pool()->lent, 10);
	ck_assert_uint_eq(pool()->nfree, spares - 10);
	/* the slot holds a spare now, not the buffer that went up */
	for (u32 i = 0; i < ad->rx.count; i++)
		for (unsigned int k = 0; k < nkept; k++)
			ck_assert_ptr_ne(ad->rx.buf[i]->va, kept[k]->data);
	/* a clone shares the buffer: it comes back once, at the last free */
	{
		struct sk_buff *c = skb_clone(kept[0]);

		ck_assert_ptr_nonnull(c);
		kfree_skb(kept[0]);
		ck_assert_uint_eq(skb_stats.rx_buffers_released, 0);
		kept[0] = c;
	}
	free_kept();
	ck_assert_uint_eq(skb_stats.rx_buffers_released, 10);
	ck_assert_uint_eq(pool()->lent, 0);
	ck_assert_uint_eq(pool()->nfree, spares);
	/* the same buffers serve again */
	receive(5, 60);
	ck_assert_uint_eq(ad->sw.rx_zc_frames, 15);
	free_kept();
	ck_assert_uint_eq(pool()->nfree, spares);
	ck_assert_uint_eq(ad->sw.rx_packets,
			  ad->sw.rx_zc_frames + ad->sw.rx_copied_frames);
	down();
}
END_TEST

START_TEST(rx_empty_pool_copies_instead_of_stalling)
{
	u32 spares;

	rx_seq = 0;
	up(_i, 64, 64);
	spares = pool()->nfree;
	/* the stack keeps every frame: the spares run out after `spares` */
	for (int round = 0; round < 4; round++)
		receive(40, 80);
	ck_assert_uint_eq(nseen, 160);
	ck_assert_uint_eq(out_of_order, 0);
	ck_assert_uint_eq(ad->sw.rx_zc_frames, spares);
	ck_assert_uint_eq(ad->sw.rx_copied_frames, 160 - spares);
	ck_assert_uint_eq(ad->sw.rx_alloc_failed, 0);
	ck_assert_uint_eq(ad->sw.rx_dropped, 0);
	ck_assert_uint_eq(pool()->nfree, 0);
	/* the copies left their buffers in the ring: it still has all 64 */
	for (u32 i = 0; i < ad->rx.count; i++)
		ck_assert_ptr_nonnull(ad->rx.buf[i]);
	free_kept();
	ck_assert_uint_eq(pool()->nfree, spares);
	ck_assert_uint_eq(pool()->lent, 0);
	/* spares back: zero copy again */
	receive(3, 80);
	ck_assert_uint_eq(ad->sw.rx_zc_frames, spares + 3);
	down();
}
END_TEST

START_TEST(rx_no_memory_for_an_skb_drops_and_keeps_the_buffer)
{
	void *armed;
	u32 spares;

	rx_seq = 0;
	up(_i, 64, 64);
	spares = pool()->nfree;
	armed = ad->rx.buf[ad->rx.next_to_clean]->va;
	host_kmalloc_fail_after = 1;            /* every kmalloc fails */
	receive(1, 100);
	host_kmalloc_fail_after = 0;
	ck_assert_uint_eq(nseen, 0);
	ck_assert_uint_eq(ad->sw.rx_alloc_failed, 1);
	ck_assert_uint_eq(ad->sw.rx_dropped, 1);
	ck_assert_uint_eq(ad->sw.rx_packets, 0);
	/* the spare went back, the buffer was re-armed in its slot */
	ck_assert_uint_eq(pool()->nfree, spares);
	ck_assert_uint_eq(pool()->lent, 0);
	ck_assert_ptr_eq(ad->rx.buf[(ad->rx.next_to_clean + 63) % 64]->va, armed);
	rx_seq = 0;                             /* the dropped one never reached rx_keep */
	receive(2, 100);
	ck_assert_uint_eq(nseen, 2);
	down();
}
END_TEST

START_TEST(rx_resize_and_stop_with_buffers_in_the_stack)
{
	const struct net_device_ops *ops;
	struct ethtool_ringparam r;
	struct e1000_rx_pool *old;
	long dma_before;

	rx_seq = 0;
	up(_i, 64, 64);
	ops = dev->netdev_ops;
	receive(10, 100);
	old = ad->rx.pool;
	ck_assert_uint_eq(old->lent, 10);
	/* resize: the old ring goes, its pool stays for the 10 frames out */
	ops->ndo_get_ringparam(dev, &r);
	r.rx_pending = 128;
	ck_assert_int_eq(ops->ndo_set_ringparam(dev, &r), 0);
	ck_assert_ptr_ne(ad->rx.pool, old);
	ck_assert_uint_eq(ad->rx.pool->size, 128 + 128 / E1000_RX_POOL_SPARE_DIV);
	ck_assert(!old->attached);
	ck_assert_uint_eq(old->lent, 10);
	ck_assert_uint_eq(kept[3]->data[0], test_mac[0]);      /* still readable */
	receive(5, 100);
	ck_assert_uint_eq(nseen, 15);
	dma_before = fake_dma_allocs;
	/* the old frames come back: the last one frees the old pool */
	for (unsigned int k = 0; k < 10; k++)
		kfree_skb(kept[k]);
	ck_assert_int_eq(fake_dma_allocs, dma_before - 96);
	memmove(kept, kept + 10, 5 * sizeof(kept[0]));
	nkept = 5;
	/* stop with 5 out: the ring is freed, the pool waits for them */
	ck_assert_int_eq(netdev_stop(dev), 0);
	ck_assert_ptr_null(ad->rx.pool);
	ck_assert_int_eq(fake_dma_allocs, 192);
	free_kept();
	ck_assert_int_eq(fake_dma_allocs, 0);
	ck_assert_uint_eq(skb_stats.rx_buffers_released, 15);
	unregister_netdev(dev);
	free_netdev(dev);
	e1000_fixture_drain_softirqs();
	skb_cache_drain();
	ck_assert_int_eq(fake_allocs, 0);
}
END_TEST

/* ---- TX ---- */

/* a pbuf of n bytes, each byte (seed + i) */
static struct pbuf *piece(u16 n, u8 seed)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, n, PBUF_RAM);

	ck_assert_ptr_nonnull(p);
	for (u16 i = 0; i < n; i++)
		((u8 *)p->payload)[i] = (u8)(seed + i);
	return p;
}

/* an Ethernet/IPv4 header piece (42 bytes: as lwIP's udp_sendto builds
 * for a payload it cannot prepend to) and more pieces of the given sizes */
static struct pbuf *chain(const u16 *sizes, unsigned int n)
{
	struct pbuf *head = piece(sizes[0], 1);
	u8 *h = head->payload;

	memcpy(h, test_mac, 6);
	h[12] = 0x08;
	h[13] = 0x00;
	h[14] = 0x45;
	for (unsigned int k = 1; k < n; k++)
		pbuf_cat(head, piece(sizes[k], (u8)(k * 50)));
	return head;
}

/* the whole frame, read through the chain */
static void flatten(struct pbuf *p, u8 *out)
{
	ck_assert_uint_eq(pbuf_copy_partial(p, out, p->tot_len, 0), p->tot_len);
}

/* --- TSO ------------------------------------------------------------------ */

static u32 tso_sum(u32 sum, const u8 *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 2)
		sum += (u32)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return sum;
}

#define TSO_SEQ 1000u

/* a TSO send as the glue builds it (net/lwip/tso.c): the headers for the
 * whole send (IPv4 checksum 0, the TCP field holding the pseudo-header
 * sum without the length, PSH), then npieces pieces of plen bytes */
static struct sk_buff *tso_skb(bool v6, unsigned int npieces, u16 plen, u16 mss)
{
	unsigned int hl = v6 ? 40 : 20, hdr = ETH_HLEN + hl + 20;
	u32 total = hdr + npieces * plen;
	struct pbuf *p = piece((u16)hdr, 0);
	u8 *f = p->payload, *ip = f + ETH_HLEN, *tcp = ip + hl;
	struct sk_buff *skb;
	u32 seed;

	memset(f, 0, hdr);
	memcpy(f, test_mac, 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xDD : 0x00;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (u8)((total - ETH_HLEN - 40) >> 8);
		ip[5] = (u8)(total - ETH_HLEN - 40);
		ip[6] = 6;
		ip[7] = 64;
		for (int i = 0; i < 32; i++)
			ip[8 + i] = (u8)(i * 3 + 1);
		seed = tso_sum(6, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		ip[2] = (u8)((total - ETH_HLEN) >> 8);
		ip[3] = (u8)(total - ETH_HLEN);
		ip[4] = 0x12;
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
		seed = tso_sum(6, ip + 12, 8);
	}
	tcp[1] = 7;
	tcp[4] = (u8)(TSO_SEQ >> 24);
	tcp[5] = (u8)(TSO_SEQ >> 16);
	tcp[6] = (u8)(TSO_SEQ >> 8);
	tcp[7] = (u8)TSO_SEQ;
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;                 /* ACK, PSH */
	tcp[16] = (u8)(seed >> 8);
	tcp[17] = (u8)seed;
	for (unsigned int k = 0; k < npieces; k++)
		pbuf_cat(p, piece(plen, (u8)(k * 7)));
	skb = skb_from_pbuf(dev, p);
	pbuf_free(p);
	ck_assert_ptr_nonnull(skb);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_flags = NETDEV_CSUM_TCP | (v6 ? NETDEV_CSUM_IPV6 : NETDEV_CSUM_IP);
	skb->network_header = (u16)(skb->data - skb->head) + ETH_HLEN;
	skb->transport_header = (u16)(skb->network_header + hl);
	skb->gso_size = mss;
	skb->gso_segs = (u16)((npieces * plen + mss - 1) / mss);
	return skb;
}

START_TEST(tso_send_cut_into_right_segments)
{
	for (int v = 0; v < 2; v++) {
		bool v6 = v, ok = !v6 || e1000_fixture_chips[_i]->type != e1000_82540;
		unsigned int hl = v6 ? 40 : 20, hdr = ETH_HLEN + hl + 20;
		struct sk_buff *skb;
		u8 all[10 * 1000];
		unsigned int off = 0;

		up(_i, 64, 64);
		skb = tso_skb(v6, 10, 1000, 1400);
		/* the payload as sent, to compare the wire with */
		ck_assert_int_eq(skb_copy_bits(skb, hdr, all, sizeof(all)), 0);
		if (!ok) {
			/* QEMU's e1000 cannot: refused, counted, nothing queued */
			ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), -EINVAL);
			kfree_skb(skb);
			ck_assert_uint_eq(ad->sw.tx_tso_dropped, 1);
			ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63);
			down();
			continue;
		}
		ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
		/* a context, the header, a descriptor per piece */
		ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63 - 12);
		/* in flight: the wire segments it makes (tx_packets' unit) */
		ck_assert_uint_eq(e1000_tx_ring_frames(&ad->tx), 8);
		ck_assert_uint_eq(fake_tx_run(10), 1);
		ck_assert_uint_eq(fake.tso_sends, 1);
		ck_assert_uint_eq(fake.tx_wire_n, 8);   /* 10000 bytes in 1400s */
		for (unsigned int k = 0; k < fake.tx_wire_n; k++) {
			const u8 *w = fake.tx_wire[k], *ip = w + ETH_HLEN, *tcp = ip + hl;
			unsigned int n = fake.tx_wire_len[k], l4 = n - ETH_HLEN - hl, chunk = n - hdr;
			u32 seq = (u32)tcp[4] << 24 | (u32)tcp[5] << 16 | (u32)tcp[6] << 8 | tcp[7];
			u32 ph;

			ck_assert_uint_le(chunk, 1400);
			ck_assert_uint_eq(seq, TSO_SEQ + off);
			ck_assert_mem_eq(w + hdr, all + off, chunk);
			ck_assert_uint_eq(!!(tcp[13] & 0x08), k + 1 == fake.tx_wire_n);
			if (v6) {
				ck_assert_uint_eq((u32)ip[4] << 8 | ip[5], l4);
				ph = tso_sum(6 + l4, ip + 8, 32);
			} else {
				ck_assert_uint_eq((u32)ip[2] << 8 | ip[3], n - ETH_HLEN);
				ck_assert_uint_eq(tso_sum(0, ip, 20), 0xFFFF);
				ph = tso_sum(6 + l4, ip + 12, 8);
			}
			ck_assert_uint_eq(tso_sum(ph, tcp, l4), 0xFFFF);
			off += chunk;
		}
		ck_assert_uint_eq(off, sizeof(all));
		e1000_fixture_irq_and_poll(ad);
		ck_assert_uint_eq(ad->sw.tx_tso_sends, 1);
		ck_assert_uint_eq(ad->sw.tx_tso6_sends, v6);
		ck_assert_uint_eq(ad->sw.tx_tso_segments, 8);
		ck_assert_uint_eq(ad->sw.tx_tso_descs, 12);
		ck_assert_uint_eq(ad->sw.tx_tso_descs_max, 12);
		/* counted as the wire frames, headers repeated (Linux's way) */
		ck_assert_uint_eq(ad->sw.tx_packets, 8);
		ck_assert_uint_eq(ad->sw.tx_bytes, 10000 + 8 * hdr);
		ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63);
		ck_assert_uint_eq(e1000_tx_ring_frames(&ad->tx), 0);
		down();
	}
}
END_TEST

/* more pieces than QEMU's models map for one packet (64): no copy can
 * hold 64 KiB, and a cut-short send would be wrong: refused and counted */
START_TEST(tso_too_many_pieces_dropped_and_counted)
{
	struct sk_buff *skb;

	up(_i, 256, 256);
	skb = tso_skb(false, E1000_TSO_MAX_SEGS, 100, 1400);  /* + the header: 65 */
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), -EINVAL);
	kfree_skb(skb);
	ck_assert_uint_eq(ad->sw.tx_tso_dropped, 1);
	ck_assert_uint_eq(ad->sw.tx_tso_sends, 0);
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 255);
	/* one piece fewer fits */
	skb = tso_skb(false, E1000_TSO_MAX_SEGS - 1, 100, 1400);
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_wire_n, 5);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_tso_descs_max, 1 + E1000_TSO_MAX_SEGS);
	down();
}
END_TEST

START_TEST(tx_three_segment_chain_one_descriptor_each)
{
	static const u16 sizes[] = { 42, 300, 700 };
	struct pbuf *p = chain(sizes, 3), *q;
	struct sk_buff *skb;
	u8 want[1042];
	u64 in_use;

	up(_i, 64, 64);
	flatten(p, want);
	skb = skb_from_pbuf(dev, p);
	ck_assert_ptr_nonnull(skb);
	ck_assert_uint_eq(p->ref, 2);           /* ours and the skb's */
	fake.tx_log_n = 0;
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	in_use = skb_in_use();
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63 - 3);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	/* three data descriptors over the pbufs themselves, EOP and RS only on
	 * the last (the one whose DD the driver waits for) */
	ck_assert_uint_eq(fake.tx_log_n, 3);
	q = p;
	for (unsigned int k = 0; k < 3; k++, q = q->next) {
		ck_assert_uint_eq(fake.tx_log[k].addr, (u64)(uintptr_t)q->payload);
		ck_assert_uint_eq(fake.tx_log[k].len, sizes[k]);
		ck_assert(fake.tx_log[k].eop == (k == 2));
		ck_assert(fake.tx_log[k].rs == (k == 2));
	}
	ck_assert_uint_eq(fake.tx_last_len, 1042);
	ck_assert_uint_eq(fake.tx_last_ndesc, 3);
	ck_assert_mem_eq(fake.tx_last, want, 1042);
	/* DD written, not cleaned yet: the driver still holds the skb */
	ck_assert_uint_eq(p->ref, 2);
	ck_assert_uint_eq(skb_in_use(), in_use);
	e1000_fixture_irq_and_poll(ad);
	/* cleaned: the skb and its pbuf reference are gone */
	ck_assert_uint_eq(p->ref, 1);
	ck_assert_uint_eq(skb_in_use(), in_use - 1);
	ck_assert_uint_eq(ad->sw.tx_packets, 1);
	ck_assert_uint_eq(ad->sw.tx_bytes, 1042);
	ck_assert_uint_eq(ad->sw.tx_zc_frames, 1);
	ck_assert_uint_eq(ad->sw.tx_sg_segments, 3);
	ck_assert_uint_eq(ad->sw.tx_linearized, 0);
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63);
	pbuf_free(p);
	down();
}
END_TEST

START_TEST(tx_chain_with_checksum_context_and_empty_piece)
{
	static const u16 sizes[] = { 42, 0, 100, 58 };
	struct pbuf *p = chain(sizes, 4);
	struct sk_buff *skb;
	u8 want[200];

	up(_i, 64, 64);
	flatten(p, want);
	skb = skb_from_pbuf(dev, p);
	pbuf_free(p);                           /* the skb's reference is the last */
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_flags = NETDEV_CSUM_IP | NETDEV_CSUM_UDP;
	skb->network_header = ETH_HLEN;
	skb->transport_header = ETH_HLEN + 20;
	fake.tx_log_n = 0;
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	/* a context descriptor, then one per non-empty piece */
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63 - 4);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_ctx, 1);
	ck_assert_uint_eq(fake.tx_log_n, 3);
	ck_assert_uint_eq(fake.tx_last_len, 200);
	/* the bytes gathered in order; the device filled the two checksum
	 * fields the context names (IPv4 header at 24, UDP at 40) */
	memcpy(want + ETH_HLEN + 10, fake.tx_last + ETH_HLEN + 10, 2);
	memcpy(want + ETH_HLEN + 20 + 6, fake.tx_last + ETH_HLEN + 20 + 6, 2);
	ck_assert_mem_eq(fake.tx_last, want, 200);
	ck_assert_uint_eq(fake.tx_last_popts, NETDEV_CSUM_IP | NETDEV_CSUM_UDP);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_sg_segments, 3);
	down();
}
END_TEST

START_TEST(tx_copies_only_what_cannot_go_in_place)
{
	u16 sizes[E1000_TX_MAX_SEGS + 2];
	struct pbuf *p;
	struct sk_buff *skb;
	u8 want[1024];
	unsigned int n = E1000_TX_MAX_SEGS + 2, total = 0;

	up(_i, 64, 64);
	/* more pieces than descriptors per frame: one copy */
	sizes[0] = 42;
	for (unsigned int k = 1; k < n; k++)
		sizes[k] = 50;
	p = chain(sizes, n);
	total = p->tot_len;
	flatten(p, want);
	skb = skb_from_pbuf(dev, p);
	pbuf_free(p);
	fake.tx_log_n = 0;
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_log_n, 1);
	ck_assert_uint_eq(fake.tx_last_len, total);
	ck_assert_mem_eq(fake.tx_last, want, total);
	ck_assert_uint_eq(ad->sw.tx_linearized, 1);
	ck_assert_uint_eq(ad->sw.tx_zc_frames, 0);

	/* a piece the device cannot reach: copied too */
	sizes[1] = 200;
	p = chain(sizes, 2);
	flatten(p, want);
	fake.dma_refuse_lo = (uintptr_t)p->next->payload;
	fake.dma_refuse_hi = fake.dma_refuse_lo + 1;
	skb = skb_from_pbuf(dev, p);
	pbuf_free(p);
	fake.tx_log_n = 0;
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	fake.dma_refuse_lo = fake.dma_refuse_hi = 0;
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_log_n, 1);
	ck_assert_uint_eq(fake.tx_last_len, 242);
	ck_assert_mem_eq(fake.tx_last, want, 242);
	ck_assert_uint_eq(ad->sw.tx_linearized, 2);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 2);
	down();
}
END_TEST

/* --- jumbo frames ------------------------------------------------------- */

#define JUMBO_MTU 9000

/* ip link set mtu: the driver's half (the glue sets dev->mtu after it) */
static void set_mtu(unsigned int mtu)
{
	ck_assert_int_eq(dev->netdev_ops->ndo_change_mtu(dev, mtu), 0);
	dev->mtu = mtu;
}

/* one frame of len bytes (pattern from seed) from the wire; no poll */
static void wire_frame(u8 *f, unsigned int len, u8 seed, bool tagged)
{
	for (unsigned int i = 0; i < len; i++)
		f[i] = (u8)(seed + i * 7);
	memcpy(f, test_mac, 6);
	if (tagged) {
		f[12] = 0x81;
		f[13] = 0x00;
		f[16] = 0x88;
		f[17] = 0xB5;
		memcpy(f + 18, &rx_seq, sizeof(rx_seq));
	} else {
		f[12] = 0x88;
		f[13] = 0xB5;
		memcpy(f + 14, &rx_seq, sizeof(rx_seq));
	}
	ck_assert_int_eq(fake_rx(f, len, 0), 0);
}

static u8 jf[16384], jout[16384];

START_TEST(rx_jumbo_frame_gathered_without_copy)
{
	struct sk_buff *skb;
	struct pbuf *p;
	const u8 *first;
	u32 spares, len = JUMBO_MTU + ETH_HLEN;

	rx_seq = 0;
	up(_i, 64, 64);
	spares = pool()->nfree;
	ck_assert_uint_eq(dev->max_mtu, _i == 2 ? 9216u : 9000u);
	/* the 82576 takes long packets at every MTU, up to its largest
	 * MTU's frame (header, a tag, FCS): the driver counts what is past
	 * the MTU, which QEMU's igb would drop uncounted */
	ck_assert_uint_eq(!!(fake.regs[E1000_RCTL / 4] & E1000_RCTL_LPE), _i == 2);
	if (_i == 2)
		ck_assert_uint_eq(fake.regs[E1000_RLPML / 4], 9216 + ETH_HLEN + VLAN_HLEN + ETH_FCS_LEN);
	set_mtu(JUMBO_MTU);
	ck_assert(fake.regs[E1000_RCTL / 4] & E1000_RCTL_LPE);
	if (_i == 2)
		ck_assert_uint_eq(fake.regs[E1000_RLPML / 4], 9216 + ETH_HLEN + VLAN_HLEN + ETH_FCS_LEN);
	first = ad->rx.buf[ad->rx.next_to_clean]->va;
	wire_frame(jf, len, 3, false);
	rx_seq++;
	e1000_fixture_irq_and_poll(ad);
	/* one skb over the five 2048-byte buffers the device wrote */
	ck_assert_uint_eq(nseen, 1);
	skb = kept[0];
	ck_assert_uint_eq(skb->len, len);
	ck_assert(skb_is_nonlinear(skb));
	ck_assert_ptr_eq(skb->data, first);
	ck_assert_int_eq(skb_copy_bits(skb, 0, jout, len), 0);
	ck_assert_mem_eq(jout, jf, len);
	ck_assert_uint_eq(ad->sw.rx_multi_buf_frames, 1);
	ck_assert_uint_eq(ad->sw.rx_multi_buf_bufs, 5);
	ck_assert_uint_eq(ad->sw.rx_zc_frames, 1);
	ck_assert_uint_eq(ad->sw.rx_packets, 1);
	ck_assert_uint_eq(ad->sw.rx_bytes, len);
	ck_assert_uint_eq(pool()->lent, 5);
	ck_assert_uint_eq(pool()->nfree, spares - 5);
	/* lwIP gets the chain as it is: no copy, the buffers still lent */
	nkept = 0;
	p = skb_to_pbuf(skb);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(skb_stats.pbuf_copies, 0);
	ck_assert_uint_eq(p->tot_len, len);
	ck_assert_ptr_nonnull(p->next);
	ck_assert_uint_eq(pbuf_copy_partial(p, jout, (u16)len, 0), len);
	ck_assert_mem_eq(jout, jf, len);
	ck_assert_uint_eq(pool()->lent, 5);
	pbuf_free(p);
	/* each buffer back exactly once */
	ck_assert_uint_eq(skb_stats.rx_buffers_released, 5);
	ck_assert_uint_eq(pool()->lent, 0);
	ck_assert_uint_eq(pool()->nfree, spares);

	/* a frame cut by the budget: held until its EOP, then whole */
	wire_frame(jf, len, 9, false);
	rx_seq++;
	for (int k = 0; k < 4; k++)
		ck_assert_int_eq(e1000_clean_rx(ad, 1), 1);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_ptr_nonnull(ad->rx.chain.skb);
	ck_assert_int_eq(e1000_clean_rx(ad, 1), 1);
	ck_assert_uint_eq(nseen, 2);
	ck_assert_ptr_null(ad->rx.chain.skb);
	ck_assert_int_eq(skb_copy_bits(kept[0], 0, jout, len), 0);
	ck_assert_mem_eq(jout, jf, len);
	/* and a small frame after it still goes up alone, linear */
	receive(1, 100);
	ck_assert_uint_eq(nseen, 3);
	ck_assert(!skb_is_nonlinear(kept[1]));
	ck_assert_uint_eq(out_of_order, 0);
	/* a stop with half a frame gathered frees it: nothing leaks */
	wire_frame(jf, len, 11, false);
	ck_assert_int_eq(e1000_clean_rx(ad, 2), 2);
	ck_assert_ptr_nonnull(ad->rx.chain.skb);
	/* back at 1500 the long packets go off again (not on the 82576) */
	set_mtu(ETH_DATA_LEN);
	ck_assert_uint_eq(!!(fake.regs[E1000_RCTL / 4] & E1000_RCTL_LPE), _i == 2);
	ck_assert_uint_eq(ad->sw.rx_packets, ad->sw.rx_zc_frames + ad->sw.rx_copied_frames);
	down();
}
END_TEST

START_TEST(rx_jumbo_over_the_mtu_dropped_once)
{
	u32 spares;

	rx_seq = 0;
	up(_i, 64, 64);
	spares = pool()->nfree;
	set_mtu(JUMBO_MTU);
	/* one byte over: gathered, then dropped as a length error */
	wire_frame(jf, JUMBO_MTU + ETH_HLEN + 1, 1, false);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(nseen, 0);
	ck_assert_uint_eq(ad->sw.rx_length_errors, 1);
	ck_assert_uint_eq(ad->sw.rx_dropped, 1);
	ck_assert_uint_eq(pool()->lent, 0);
	ck_assert_uint_eq(pool()->nfree, spares);
	/* a tagged frame may be VLAN_HLEN longer: with the tag left in it
	 * (rx-vlan-offload and rx-vlan-filter off, the software path) */
	{
		u32 f = dev->features & ~(NETIF_F_HW_VLAN_CTAG_RX |
				  NETIF_F_HW_VLAN_CTAG_TX |
				  NETIF_F_HW_VLAN_CTAG_FILTER);

		ck_assert_int_eq(dev->netdev_ops->ndo_set_features(dev, f), 0);
		dev->features = f;
	}
	wire_frame(jf, JUMBO_MTU + ETH_HLEN + VLAN_HLEN, 2, true);
	rx_seq++;
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_uint_eq(kept[0]->len, JUMBO_MTU + ETH_HLEN + VLAN_HLEN);
	free_kept();
	/* far over: dropped before its end, one error, the rest not kept */
	wire_frame(jf, 14000, 4, false);
	for (int k = 0; k < 6; k++)
		ck_assert_int_eq(e1000_clean_rx(ad, 1), 1);
	ck_assert_ptr_null(ad->rx.chain.skb);
	ck_assert(ad->rx.chain.dropping);
	ck_assert_uint_eq(pool()->lent, 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert(!ad->rx.chain.dropping);
	ck_assert_uint_eq(ad->sw.rx_length_errors, 2);
	ck_assert_uint_eq(ad->sw.rx_dropped, 2);
	/* the next frame goes up */
	wire_frame(jf, 3000, 5, false);
	rx_seq++;
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(nseen, 2);
	ck_assert_uint_eq(kept[0]->len, 3000);
	ck_assert_uint_eq(ad->sw.rx_packets, 2);
	free_kept();
	ck_assert_uint_eq(pool()->nfree, spares);
	down();
}
END_TEST

START_TEST(rx_jumbo_no_memory_mid_frame_drops_it_whole)
{
	u32 spares;

	rx_seq = 0;
	up(_i, 64, 64);
	spares = pool()->nfree;
	set_mtu(JUMBO_MTU);
	wire_frame(jf, 9000, 1, false);
	ck_assert_int_eq(e1000_clean_rx(ad, 2), 2);     /* two pieces gathered */
	host_kmalloc_fail_after = 1;                    /* the third has no skb */
	ck_assert_int_eq(e1000_clean_rx(ad, 1), 1);
	host_kmalloc_fail_after = 0;
	ck_assert_ptr_null(ad->rx.chain.skb);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(nseen, 0);
	ck_assert_uint_eq(ad->sw.rx_alloc_failed, 1);
	ck_assert_uint_eq(ad->sw.rx_dropped, 1);
	ck_assert_uint_eq(ad->sw.rx_packets, 0);
	ck_assert_uint_eq(pool()->lent, 0);
	ck_assert_uint_eq(pool()->nfree, spares);
	wire_frame(jf, 9000, 2, false);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(nseen, 1);
	ck_assert_uint_eq(kept[0]->len, 9000);
	down();
}
END_TEST

START_TEST(tx_jumbo_frame_in_its_pieces_or_copied_across_slots)
{
	u16 sizes[2] = { 54, JUMBO_MTU + ETH_HLEN - 54 };
	struct sk_buff *skb;
	struct pbuf *p;
	u32 total = JUMBO_MTU + ETH_HLEN;

	up(_i, 64, 64);
	/* over the MTU: refused */
	p = chain(sizes, 2);
	skb = skb_from_pbuf(dev, p);
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), -EINVAL);
	kfree_skb(skb);
	set_mtu(JUMBO_MTU);
	/* the header and the 8960-byte piece, a descriptor each, in place */
	flatten(p, jf);
	skb = skb_from_pbuf(dev, p);
	pbuf_free(p);
	fake.tx_log_n = 0;
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_len, total);
	ck_assert_mem_eq(fake.tx_last, jf, total);
	ck_assert_uint_eq(fake.tx_last_ndesc, 2);
	ck_assert_uint_eq(ad->sw.tx_zc_frames, 1);
	ck_assert_uint_eq(ad->sw.tx_linearized, 0);
	/* a piece the device cannot reach: copied, into five slot buffers */
	p = chain(sizes, 2);
	flatten(p, jf);
	fake.dma_refuse_lo = (uintptr_t)p->next->payload;
	fake.dma_refuse_hi = fake.dma_refuse_lo + 1;
	skb = skb_from_pbuf(dev, p);
	pbuf_free(p);
	ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
	fake.dma_refuse_lo = fake.dma_refuse_hi = 0;
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_len, total);
	ck_assert_mem_eq(fake.tx_last, jf, total);
	ck_assert_uint_eq(fake.tx_last_ndesc, (total + E1000_TX_BUF_SIZE - 1) / E1000_TX_BUF_SIZE);
	ck_assert_uint_eq(ad->sw.tx_linearized, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 2);
	down();
}
END_TEST

START_TEST(tx_chain_larger_than_the_free_descriptors_waits)
{
	static const u16 sizes[] = { 42, 100, 100 };
	struct pbuf *p;
	struct sk_buff *skb;
	int queued = 0, rc;

	up(_i, 64, 64);
	/* 21 frames of 3 descriptors fill 63; the 22nd finds no room and
	 * nothing of it is queued */
	for (;;) {
		p = chain(sizes, 3);
		skb = skb_from_pbuf(dev, p);
		pbuf_free(p);
		rc = dev->netdev_ops->ndo_start_xmit(dev, skb, 0);
		if (rc) {
			kfree_skb(skb);
			break;
		}
		queued++;
	}
	ck_assert_int_eq(rc, -EBUSY);
	ck_assert_int_eq(queued, 21);
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 0);
	ck_assert_uint_eq(fake_tx_run(100), 21);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 21);
	ck_assert_uint_eq(ad->sw.tx_sg_segments, 63);
	down();
}
END_TEST

/* the received skb goes straight back out (zero copy both ways): its
 * buffer returns to the pool only when the TX descriptor is done */
static int rx_bounce(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	(void)flags;
	nseen++;
	if (d->netdev_ops->ndo_start_xmit(d, skb, NETDEV_TX_MORE))
		kfree_skb(skb);
	return 0;
}

START_TEST(rx_buffer_sent_back_returns_after_tx_completion)
{
	u32 spares;

	rx_seq = 0;
	up(_i, 64, 64);
	dev->rx_handler = rx_bounce;
	spares = pool()->nfree;
	receive(20, 200);
	ck_assert_uint_eq(nseen, 20);
	ck_assert_uint_eq(pool()->lent, 20);    /* in the TX ring now */
	ck_assert_uint_eq(fake_tx_run(100), 20);
	ck_assert_uint_eq(fake.tx_last_len, 200);
	e1000_fixture_irq_and_poll(ad);        /* TX clean frees them */
	ck_assert_uint_eq(pool()->lent, 0);
	ck_assert_uint_eq(pool()->nfree, spares);
	ck_assert_uint_eq(ad->sw.tx_zc_frames, 20);
	ck_assert_uint_eq(ad->sw.rx_zc_frames, 20);
	down();
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("zero-copy");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, rx_frames_go_up_in_their_own_buffers, 0, 3);
	tcase_add_loop_test(tc, rx_empty_pool_copies_instead_of_stalling, 0, 3);
	tcase_add_loop_test(tc, rx_no_memory_for_an_skb_drops_and_keeps_the_buffer, 0, 3);
	tcase_add_loop_test(tc, rx_resize_and_stop_with_buffers_in_the_stack, 0, 3);
	tcase_add_loop_test(tc, tx_three_segment_chain_one_descriptor_each, 0, 3);
	tcase_add_loop_test(tc, tso_send_cut_into_right_segments, 0, 3);
	tcase_add_loop_test(tc, tso_too_many_pieces_dropped_and_counted, 0, 3);
	tcase_add_loop_test(tc, tx_chain_with_checksum_context_and_empty_piece, 0, 3);
	tcase_add_loop_test(tc, tx_copies_only_what_cannot_go_in_place, 0, 3);
	tcase_add_loop_test(tc, tx_chain_larger_than_the_free_descriptors_waits, 0, 3);
	tcase_add_loop_test(tc, rx_buffer_sent_back_returns_after_tx_completion, 0, 3);
	tcase_add_loop_test(tc, rx_jumbo_frame_gathered_without_copy, 0, 3);
	tcase_add_loop_test(tc, rx_jumbo_over_the_mtu_dropped_once, 0, 3);
	tcase_add_loop_test(tc, rx_jumbo_no_memory_mid_frame_drops_it_whole, 0, 3);
	tcase_add_loop_test(tc, tx_jumbo_frame_in_its_pieces_or_copied_across_slots, 0, 3);
	return e1000_fixture_run("e1000zc", tc);
}
