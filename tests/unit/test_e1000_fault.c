/* The fault hooks of the e1000 driver and the recovery they call for,
 * against the fake NIC (fake_e1000.c): each RX fault changes delivery
 * exactly as counted, a lost interrupt is recovered by the driver's
 * watchdog, a spurious one is counted and harmless, rx_exhaust and
 * dd_delay end, and a stalled TX ring is found by the core's TX watchdog
 * and reset without leaks.  Since zero copy the hooks work on skbs over
 * the RX refill pool's buffers: rx_dup delivers a clone of the same
 * buffer, rx_reorder holds the skb itself and gives it up on stop, reset
 * and ring resize, and a reset frees the skbs (pbuf references) a
 * stalled TX ring held; every test ends with no skb, pool buffer or DMA
 * allocation left.  Each test runs for the 82540EM, 82574L and 82576
 * (loop index = chip). */
#include <check.h>
#include <string.h>
#include "e1000_fixture.h"
#include "kernel/errno.h"
#include "kernel/time.h"
#include "kernel/workqueue.h"
#include "lwip/pbuf.h"
#include "net/core/dev.h"
#include "net/core/watchdog.h"

#define R(off) fake.regs[(off) / 4]
#define RING 64
#define FRAME_LEN 100

static const struct e1000_chip *const *const chips = e1000_fixture_chips;
static const u8 *const test_mac = e1000_fixture_mac;

static struct net_device *dev;
static struct e1000_adapter *ad;

static struct {
	unsigned int n, last_flags;
	u32 seq[64];
	u8 last[FRAME_LEN];
	bool keep;                      /* the "stack" keeps the skbs (in kept[]) */
	unsigned int nkept;
	struct sk_buff *kept[64];
} rx;
static u32 tx_seq;

static void make_frame(u8 *f, u32 seq)
{
	memset(f, 0xA5, FRAME_LEN);
	memcpy(f, test_mac, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	memcpy(f + 14, &seq, sizeof(seq));
}

static int rx_capture(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	(void)d;
	if (rx.n < ARRAY_SIZE(rx.seq))
		memcpy(&rx.seq[rx.n], skb->data + 14, sizeof(u32));
	memcpy(rx.last, skb->data, MIN(skb->len, (u32)FRAME_LEN));
	rx.last_flags = flags;
	rx.n++;
	ck_assert(!rx.keep || rx.nkept < ARRAY_SIZE(rx.kept));
	if (rx.keep)
		rx.kept[rx.nkept++] = skb;
	else
		kfree_skb(skb);
	return 0;
}

static void free_kept(void)
{
	while (rx.nkept)
		kfree_skb(rx.kept[--rx.nkept]);
}

static void up(int chip)
{
	memset(&rx, 0, sizeof(rx));
	fault_off_all();
	fault_seed(7);
	host_clock_ns = 1000000000ULL;
	host_clock_step_ns = 0;
	memset(&skb_stats, 0, sizeof(skb_stats));
	dev = e1000_fixture_up(chip, RING, RING, false, rx_capture);
	ad = netdev_priv(dev);
	ck_assert(dev->carrier);
	tx_seq = 0;
}

/* stop and prove nothing leaked: no skb left, every pool buffer back
 * (the pool and its DMA buffers freed) */
static void down(void)
{
	fault_off_all();
	ck_assert_int_eq(netdev_stop(dev), 0);
	ck_assert_ptr_null(ad->fault.held);
	free_kept();
	e1000_fixture_release(dev);
	/* no skb still out (the cache drain in release frees only free ones) */
	ck_assert_uint_eq(skb_in_use(), 0);
}

/* buffers of the current RX pool the stack holds */
static u32 pool_lent(void)
{
	return ad->rx.pool->lent;
}

static void send(u32 first, unsigned int n)
{
	u8 f[FRAME_LEN];

	for (unsigned int i = 0; i < n; i++) {
		make_frame(f, first + i);
		ck_assert_int_eq(fake_rx(f, FRAME_LEN, FAKE_RX_CSUM_GOOD), 0);
	}
}

START_TEST(rx_drop_dup_counted)
{
	struct rtnl_link_stats64 st;

	up(_i);
	ck_assert_int_eq(fault_set(FAULT_RX_DROP, FAULT_PPM_MAX, 2, 1, 0), 0);
	send(0, 5);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_uint_eq(rx.seq[0], 2);        /* the first two went */
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_DROP], 2);
	dev->netdev_ops->ndo_get_stats64(dev, &st);
	ck_assert_uint_eq(st.rx_dropped, 2);
	/* the dropped frames' buffers went back to the pool */
	ck_assert_uint_eq(pool_lent(), 0);
	ck_assert_int_eq(fault_set(FAULT_RX_DUP, FAULT_PPM_MAX, 1, 1, 0), 0);
	rx.keep = true;
	send(5, 2);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 3 + 3);
	ck_assert_uint_eq(rx.seq[3], 5);
	ck_assert_uint_eq(rx.seq[4], 5);
	ck_assert_uint_eq(rx.seq[5], 6);
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_DUP], 1);
	/* the duplicate is a clone over the same pool buffer, not a copy */
	ck_assert_ptr_eq(rx.kept[0]->data, rx.kept[1]->data);
	ck_assert_uint_eq(skb_stats.clones, 1);
	ck_assert_uint_eq(skb_stats.copies, 0);
	ck_assert_uint_eq(pool_lent(), 2);
	/* the buffer comes back at the last of the two frees */
	kfree_skb(rx.kept[0]);
	ck_assert_uint_eq(pool_lent(), 2);
	kfree_skb(rx.kept[1]);
	ck_assert_uint_eq(pool_lent(), 1);
	rx.kept[0] = rx.kept[2];
	rx.nkept = 1;
	free_kept();
	ck_assert_uint_eq(pool_lent(), 0);
	down();
}
END_TEST

START_TEST(rx_reorder_swaps_with_the_next)
{
	up(_i);
	ck_assert_int_eq(fault_set(FAULT_RX_REORDER, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(0, 3);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_uint_eq(rx.seq[0], 1);
	ck_assert_uint_eq(rx.seq[1], 0);
	ck_assert_uint_eq(rx.seq[2], 2);
	/* the last frame held: no later frame; the watchdog's interrupt and the
	 * poll deliver it once it is old enough */
	ck_assert_int_eq(fault_set(FAULT_RX_REORDER, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(3, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_ptr_nonnull(ad->fault.held);
	/* the skb itself waits, in its pool buffer: no copy */
	ck_assert_uint_eq(pool_lent(), 1);
	ck_assert_uint_eq(skb_stats.copies, 0);
	e1000_watchdog(dev);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 3);             /* too young */
	host_clock_ns += (E1000_FAULT_HOLD_MS + 1) * NSEC_PER_MSEC;
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 4);
	ck_assert_uint_eq(rx.seq[3], 3);
	ck_assert_ptr_null(ad->fault.held);
	ck_assert_uint_eq(pool_lent(), 0);
	down();
}
END_TEST

/* hold one frame back (the next poll delivers nothing) */
static void hold_one(u32 seq)
{
	unsigned int n = rx.n;

	ck_assert_int_eq(fault_set(FAULT_RX_REORDER, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(seq, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, n);
	ck_assert_ptr_nonnull(ad->fault.held);
	ck_assert_uint_eq(pool_lent(), 1);
}

START_TEST(rx_reorder_held_frame_released_on_reset_resize_stop)
{
	struct ethtool_ringparam rp;
	u64 released;

	up(_i);
	/* a reset: the drain delivers it, the buffer comes back */
	hold_one(0);
	released = skb_stats.rx_buffers_released;
	ck_assert_int_eq(netdev_reset(dev), 0);
	ck_assert_ptr_null(ad->fault.held);
	ck_assert_uint_eq(rx.n, 1);
	ck_assert_uint_eq(rx.seq[0], 0);
	ck_assert_uint_eq(skb_stats.rx_buffers_released, released + 1);
	ck_assert_uint_eq(pool_lent(), 0);
	/* a ring resize */
	hold_one(1);
	dev->netdev_ops->ndo_get_ringparam(dev, &rp);
	rp.rx_pending = RING * 2;
	ck_assert_int_eq(dev->netdev_ops->ndo_set_ringparam(dev, &rp), 0);
	ck_assert_ptr_null(ad->fault.held);
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(rx.seq[1], 1);
	ck_assert_uint_eq(ad->rx.count, RING * 2);
	ck_assert_uint_eq(pool_lent(), 0);
	/* a stop; the frame goes up before the rings go */
	hold_one(2);
	ck_assert_int_eq(netdev_stop(dev), 0);
	ck_assert_ptr_null(ad->fault.held);
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_uint_eq(rx.seq[2], 2);
	ck_assert_ptr_null(ad->rx.pool);
	ck_assert_int_eq(netdev_open(dev), 0);
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_REORDER], 3);
	down();
}
END_TEST

START_TEST(rx_corrupt_flips_one_byte_and_withdraws_the_verdict)
{
	u8 f[FRAME_LEN];
	int diff = 0;

	up(_i);
	send(0, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.last_flags, (chips[_i]->flags & E1000_F_RX_CSUM) ?
			  (NETDEV_RX_IP_CSUM_OK | NETDEV_RX_L4_CSUM_OK) : 0u);
	ck_assert_int_eq(fault_set(FAULT_RX_CORRUPT, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(1, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(rx.last_flags, 0);
	make_frame(f, 1);
	for (int i = 0; i < FRAME_LEN; i++) {
		if (rx.last[i] != f[i]) {
			diff++;
			ck_assert_int_ge(i, ETH_HLEN);
			ck_assert_uint_eq(rx.last[i] ^ f[i], 0xFF);
		}
	}
	ck_assert_int_eq(diff, 1);
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_CORRUPT], 1);
	down();
}
END_TEST

START_TEST(dd_delay_ends_within_the_same_softirq)
{
	u64 polls;

	up(_i);
	ck_assert_int_eq(fault_set(FAULT_DD_DELAY, FAULT_PPM_MAX, 1, 1, 3), 0);
	polls = ad->sw.polls;
	send(0, 2);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 2);
	/* three polls saw nothing, the fourth took both */
	ck_assert_uint_ge(ad->sw.polls - polls, 4);
	ck_assert_uint_eq(ad->fault.injected[FAULT_DD_DELAY], 1);
	ck_assert_uint_eq(ad->fault.dd_hold, 0);
	down();
}
END_TEST

START_TEST(rx_exhaust_withholds_then_the_watchdog_refills)
{
	u32 rdt;
	int refused = 0;

	up(_i);
	ck_assert_int_eq(fault_set(FAULT_RX_EXHAUST, FAULT_PPM_MAX, 1, 1, 50), 0);
	rdt = R(ad->hw.q.rdt);
	send(0, 8);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 8);
	ck_assert_uint_eq(R(ad->hw.q.rdt), rdt);        /* tail kept */
	/* the device fills what it has left, then misses */
	for (int i = 0; i < RING; i++) {
		u8 f[FRAME_LEN];

		make_frame(f, 8 + i);
		refused += fake_rx(f, FRAME_LEN, 0) == -ENOBUFS;
		e1000_fixture_irq_and_poll(ad);
	}
	ck_assert_int_gt(refused, 0);
	ck_assert_uint_gt(R(E1000_MPC), 0);
	/* not over yet: the watchdog leaves it */
	e1000_watchdog(dev);
	ck_assert_uint_eq(R(ad->hw.q.rdt), rdt);
	host_clock_ns += 51 * NSEC_PER_MSEC;
	e1000_watchdog(dev);
	ck_assert_uint_ne(R(ad->hw.q.rdt), rdt);
	send(100, 3);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 8 + (RING - refused) + 3);
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_EXHAUST], 1);
	/* the withheld slots were armed from the pool all along: every
	 * buffer is in the ring or free, none astray */
	ck_assert_uint_eq(pool_lent(), 0);
	ck_assert_uint_eq(ad->rx.pool->nfree + RING, ad->rx.pool->size);
	down();
}
END_TEST

START_TEST(irq_lost_recovered_by_the_watchdog_kick)
{
	up(_i);
	ck_assert_int_eq(fault_set(FAULT_IRQ_LOST, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(0, 2);
	ck_assert(e1000_intr(ad));
	ck_assert(!napi_is_scheduled(&ad->napi));       /* dropped on the floor */
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE);
	ck_assert_uint_eq(ad->fault.injected[FAULT_IRQ_LOST], 1);
	e1000_fixture_drain_softirqs();
	ck_assert_uint_eq(rx.n, 0);
	/* the frames wait in the ring until the driver's watchdog looks */
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 2);
	/* nothing left: no kick */
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	down();
}
END_TEST

START_TEST(irq_spurious_counted_and_harmless)
{
	u64 not_ours;

	up(_i);
	not_ours = ad->sw.irqs_not_ours;
	ck_assert_int_eq(fault_set(FAULT_IRQ_SPURIOUS, FAULT_PPM_MAX, 3, 1, 0), 0);
	for (int i = 0; i < 5; i++)
		e1000_watchdog(dev);
	ck_assert_uint_eq(ad->fault.injected[FAULT_IRQ_SPURIOUS], 3);
	ck_assert_uint_eq(ad->sw.irqs_not_ours - not_ours, 3);
	ck_assert(!napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE);
	send(0, 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 1);
	down();
}
END_TEST

/* one frame out as the stack sends it (an skb over an lwIP pbuf); *keep
 * (if not NULL) gets the pbuf with a reference of its own */
static int xmit_pbuf(struct pbuf **keep)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, FRAME_LEN, PBUF_RAM);
	struct sk_buff *skb;
	int rc;

	ck_assert_ptr_nonnull(p);
	make_frame(p->payload, tx_seq++);
	skb = skb_from_pbuf(dev, p);
	ck_assert_ptr_nonnull(skb);
	if (keep)
		*keep = p;
	else
		pbuf_free(p);
	rc = dev->netdev_ops->ndo_start_xmit(dev, skb, 0);
	if (rc)
		kfree_skb(skb);
	return rc;
}

static int xmit_one(void)
{
	return xmit_pbuf(NULL);
}

START_TEST(tx_stall_found_by_the_watchdog_and_reset)
{
	u64 t0 = host_clock_ns, ms = NSEC_PER_MSEC;
	u32 tdt;
	struct rtnl_link_stats64 st;
	struct ethtool_stat es[128];
	struct pbuf *stalled[3];
	const struct e1000_rx_pool *old_pool;
	int n, found = 0;

	up(_i);
	/* the stack holds received frames across the reset */
	rx.keep = true;
	send(0, 3);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(pool_lent(), 3);
	old_pool = ad->rx.pool;
	ck_assert_int_eq(xmit_one(), 0);
	ck_assert_uint_eq(fake_tx_run(8), 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 1);
	ck_assert_int_eq(fault_set(FAULT_TX_STALL, FAULT_PPM_MAX, 1, 1, 0), 0);
	tdt = R(ad->hw.q.tdt);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(xmit_pbuf(&stalled[i]), 0);
		ck_assert_uint_eq(stalled[i]->ref, 2);  /* ours and the ring's skb */
	}
	ck_assert_uint_eq(R(ad->hw.q.tdt), tdt);        /* the tail never moves */
	ck_assert_uint_eq(fake_tx_run(8), 0);
	t0 = host_clock_ns;
	/* in flight, no completion: quiet until watchdog_timeo has passed */
	dev_watchdog_check(dev, t0);
	dev_watchdog_check(dev, t0 + DEV_WATCHDOG_TIMEO_MS / 2 * ms);
	dev_watchdog_check(dev, t0 + (DEV_WATCHDOG_TIMEO_MS - 1) * ms);
	ck_assert_uint_eq(dev->tx_timeouts, 0);
	dev_watchdog_check(dev, t0 + DEV_WATCHDOG_TIMEO_MS * ms);
	ck_assert_uint_eq(dev->tx_timeouts, 1);
	ck_assert_uint_eq(ad->sw.tx_timeouts, 1);
	/* the one TX queue's: tx-0/tx_timeout */
	ck_assert_uint_eq(dev->tx_queue_timeouts[0], 1);
	ck_assert(work_pending(&ad->reset_work));
	/* once only, until another full timeout passes */
	dev_watchdog_check(dev, t0 + (DEV_WATCHDOG_TIMEO_MS + DEV_WATCHDOG_TIMEO_MS / 2) * ms);
	ck_assert_uint_eq(dev->tx_timeouts, 1);
	/* the reset in process context: rings rebuilt, stall gone, no leak */
	ck_assert_int_eq(workqueue_run(), 1);
	ck_assert_uint_eq(ad->sw.resets, 1);
	ck_assert(!ad->fault.tx_stalled);
	ck_assert(ad->running);
	/* the stalled frames' skbs were freed with the ring: only our own
	 * pbuf references are left */
	e1000_fixture_drain_softirqs();
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(stalled[i]->ref, 1);
		pbuf_free(stalled[i]);
	}
	/* the old pool lives while the stack holds its buffers: the frames
	 * are intact, and a new pool serves the new ring */
	ck_assert_ptr_ne(ad->rx.pool, old_pool);
	ck_assert_uint_eq(pool_lent(), 0);
	for (unsigned int k = 0; k < rx.nkept; k++) {
		u32 seq;

		memcpy(&seq, rx.kept[k]->data + 14, sizeof(seq));
		ck_assert_uint_eq(seq, k);
	}
	free_kept();
	rx.keep = false;
	ck_assert_int_eq(xmit_one(), 0);
	ck_assert_uint_eq(fake_tx_run(8), 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 2);
	/* counted where Linux shows it */
	dev->netdev_ops->ndo_get_stats64(dev, &st);
	ck_assert_uint_eq(st.tx_errors, 1);
	n = dev->netdev_ops->ndo_get_ethtool_stats(dev, es, ARRAY_SIZE(es));
	ck_assert_int_le(n, (int)ARRAY_SIZE(es));
	for (int i = 0; i < n; i++) {
		if (!strcmp(es[i].name, "tx_timeout_count")) {
			ck_assert_uint_eq(es[i].value, 1);
			found++;
		}
		if (!strcmp(es[i].name, "fault_tx_stall")) {
			ck_assert_uint_eq(es[i].value, 1);
			found++;
		}
	}
	ck_assert_int_eq(found, 2);
	/* progress: no timeout however long it runs */
	for (int i = 1; i <= 30; i++) {
		ck_assert_int_eq(xmit_one(), 0);
		dev_watchdog_check(dev, t0 + (u64)(4 * DEV_WATCHDOG_TIMEO_MS + 100 * i) * ms);
		ck_assert_uint_eq(fake_tx_run(8), 1);
		e1000_fixture_irq_and_poll(ad);
	}
	ck_assert_uint_eq(dev->tx_timeouts, 1);
	down();
}
END_TEST

/* The device sent all it was given (TDH == TDT, DD set) and the driver has
 * not cleaned it: the CPU that polls the ring did not run (a vCPU a loaded
 * host descheduled; igb on a fresh clone: TDH 5 TDT 5 next_to_use 5
 * next_to_clean 2, reset after 500 ms).  No hung transmitter, however long
 * it lasts: the watchdog counts nothing and queues no reset; frames the
 * device has not sent still start its clock. */
START_TEST(tx_sent_but_not_cleaned_is_no_hang)
{
	u64 t0 = host_clock_ns, ms = NSEC_PER_MSEC;
	u64 completed;

	up(_i);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(xmit_one(), 0);
	ck_assert_uint_eq(fake_tx_run(8), 3);
	ck_assert(e1000_tx_completed_pending(ad, &ad->tx));
	for (int i = 0; i <= 4; i++)
		dev_watchdog_check(dev, t0 + (u64)i * DEV_WATCHDOG_TIMEO_MS * ms);
	ck_assert_uint_eq(dev->tx_timeouts, 0);
	ck_assert_uint_eq(ad->sw.tx_timeouts, 0);
	ck_assert(!work_pending(&ad->reset_work));
	ck_assert_uint_eq(e1000_tx_inflight(dev, &completed), 0);
	/* the driver catches up: all three completed, nothing left */
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 3);
	/* a frame the device has not sent is in flight again */
	ck_assert_int_eq(xmit_one(), 0);
	ck_assert_uint_eq(e1000_tx_inflight(dev, &completed), 1);
	ck_assert_uint_eq(fake_tx_run(8), 1);
	e1000_fixture_irq_and_poll(ad);
	down();
}
END_TEST

/* The link changes and no LSC interrupt says so (one lost, or its cause
 * taken by another ICR read): the driver's watchdog pass reads the link
 * and the carrier follows, down and up again. */
START_TEST(link_change_without_lsc_found_by_the_watchdog)
{
	up(_i);
	ck_assert(dev->carrier);
	fake.link_up = false;
	e1000_watchdog(dev);
	ck_assert(!dev->carrier);
	fake.link_up = true;
	e1000_watchdog(dev);
	ck_assert(dev->carrier);
	down();
}
END_TEST

START_TEST(reset_on_demand_keeps_settings)
{
	u32 rdlen;

	up(_i);
	rdlen = R(ad->hw.q.rdlen);
	send(0, 2);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_int_eq(netdev_reset(dev), 0);
	ck_assert_uint_eq(ad->sw.resets, 1);
	ck_assert_uint_eq(R(ad->hw.q.rdlen), rdlen);
	ck_assert(R(E1000_RCTL) & E1000_RCTL_EN);
	send(2, 2);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 4);
	ck_assert_uint_eq(rx.seq[3], 3);
	ck_assert_int_eq(netdev_stop(dev), 0);
	ck_assert_int_eq(netdev_reset(dev), -ENETDOWN);
	ck_assert_int_eq(netdev_open(dev), 0);
	down();
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("hooks");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, rx_drop_dup_counted, 0, 3);
	tcase_add_loop_test(tc, rx_reorder_swaps_with_the_next, 0, 3);
	tcase_add_loop_test(tc, rx_reorder_held_frame_released_on_reset_resize_stop, 0, 3);
	tcase_add_loop_test(tc, rx_corrupt_flips_one_byte_and_withdraws_the_verdict, 0, 3);
	tcase_add_loop_test(tc, dd_delay_ends_within_the_same_softirq, 0, 3);
	tcase_add_loop_test(tc, rx_exhaust_withholds_then_the_watchdog_refills, 0, 3);
	tcase_add_loop_test(tc, irq_lost_recovered_by_the_watchdog_kick, 0, 3);
	tcase_add_loop_test(tc, irq_spurious_counted_and_harmless, 0, 3);
	tcase_add_loop_test(tc, tx_stall_found_by_the_watchdog_and_reset, 0, 3);
	tcase_add_loop_test(tc, tx_sent_but_not_cleaned_is_no_hang, 0, 3);
	tcase_add_loop_test(tc, link_change_without_lsc_found_by_the_watchdog, 0, 3);
	tcase_add_loop_test(tc, reset_on_demand_keeps_settings, 0, 3);
	return e1000_fixture_run("e1000_fault", tc);
}
