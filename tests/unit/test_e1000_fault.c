/* The fault hooks of the e1000 driver and the recovery they call for,
 * against the fake NIC (fake_e1000.c): each RX fault changes delivery
 * exactly as counted, a lost interrupt is recovered by the driver's
 * watchdog, a spurious one is counted and harmless, rx_exhaust and
 * dd_delay end, and a stalled TX ring is found by the core's TX watchdog
 * and reset without leaks.  Each test runs for the 82540EM, 82574L and
 * 82576 (loop index = chip). */
#include <check.h>
#include <string.h>
#include "fake_e1000.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/workqueue.h"
#include "net/core/dev.h"
#include "net/core/watchdog.h"

#define R(off) fake.regs[(off) / 4]
#define RING 64
#define FRAME_LEN 100

static const struct e1000_chip *const chips[] = {
	&e1000_chip_82540em, &e1000_chip_82574l, &e1000_chip_82576,
};
static const u8 test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static struct net_device *dev;
static struct e1000_adapter *ad;

static struct {
	unsigned int n, last_flags;
	u32 seq[64];
	u8 last[FRAME_LEN];
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

static int rx_capture(struct net_device *d, const void *frame, unsigned int len,
		      unsigned int flags)
{
	(void)d;
	if (rx.n < ARRAY_SIZE(rx.seq))
		memcpy(&rx.seq[rx.n], (const u8 *)frame + 14, sizeof(u32));
	memcpy(rx.last, frame, MIN(len, (unsigned int)FRAME_LEN));
	rx.last_flags = flags;
	rx.n++;
	return 0;
}

static void up(int chip)
{
	fake_init(chips[chip], test_mac);
	memset(&rx, 0, sizeof(rx));
	fault_off_all();
	fault_seed(7);
	host_clock_ns = 1000000000ULL;
	host_clock_step_ns = 0;
	ck_assert_int_eq(net_dev_init(), 0);
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(e1000_adapter_init(dev, chips[chip], (volatile u8 *)fake.regs, false), 0);
	ck_assert_int_eq(register_netdev(dev), 0);
	ad = netdev_priv(dev);
	ad->rx_count = ad->tx_count = RING;
	dev->rx_handler = rx_capture;
	ck_assert_int_eq(netdev_open(dev), 0);
	ck_assert(dev->carrier);
	tx_seq = 0;
}

static void down(void)
{
	fault_off_all();
	ck_assert_int_eq(netdev_stop(dev), 0);
	unregister_netdev(dev);
	free_netdev(dev);
	ck_assert_int_eq(fake_allocs, 0);
	ck_assert_int_eq(fake_dma_allocs, 0);
}

static bool irq_was_ours;

static void irq_fn(void *ctx)
{
	(void)ctx;
	irq_was_ours = e1000_intr(ad);
}

/* interrupts until the device has no cause, then the softirqs */
static void irq_and_poll(void)
{
	do
		host_irq_simulate(irq_fn, NULL);
	while (irq_was_ours);
	while (ksoftirqd_run())
		;
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
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_uint_eq(rx.seq[0], 2);        /* the first two went */
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_DROP], 2);
	dev->netdev_ops->ndo_get_stats64(dev, &st);
	ck_assert_uint_eq(st.rx_dropped, 2);
	ck_assert_int_eq(fault_set(FAULT_RX_DUP, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(5, 2);
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 3 + 3);
	ck_assert_uint_eq(rx.seq[3], 5);
	ck_assert_uint_eq(rx.seq[4], 5);
	ck_assert_uint_eq(rx.seq[5], 6);
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_DUP], 1);
	down();
}
END_TEST

START_TEST(rx_reorder_swaps_with_the_next)
{
	up(_i);
	ck_assert_int_eq(fault_set(FAULT_RX_REORDER, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(0, 3);
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_uint_eq(rx.seq[0], 1);
	ck_assert_uint_eq(rx.seq[1], 0);
	ck_assert_uint_eq(rx.seq[2], 2);
	/* the last frame held: no later frame; the watchdog's interrupt and the
	 * poll deliver it once it is old enough */
	ck_assert_int_eq(fault_set(FAULT_RX_REORDER, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(3, 1);
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 3);
	ck_assert(ad->fault.holding);
	e1000_watchdog(dev);
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 3);             /* too young */
	host_clock_ns += (E1000_FAULT_HOLD_MS + 1) * NSEC_PER_MSEC;
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 4);
	ck_assert_uint_eq(rx.seq[3], 3);
	ck_assert(!ad->fault.holding);
	down();
}
END_TEST

START_TEST(rx_corrupt_flips_one_byte_and_withdraws_the_verdict)
{
	u8 f[FRAME_LEN];
	int diff = 0;

	up(_i);
	send(0, 1);
	irq_and_poll();
	ck_assert_uint_eq(rx.last_flags, (chips[_i]->flags & E1000_F_RX_CSUM) ?
			  (NETDEV_RX_IP_CSUM_OK | NETDEV_RX_L4_CSUM_OK) : 0u);
	ck_assert_int_eq(fault_set(FAULT_RX_CORRUPT, FAULT_PPM_MAX, 1, 1, 0), 0);
	send(1, 1);
	irq_and_poll();
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
	irq_and_poll();
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
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 8);
	ck_assert_uint_eq(R(ad->hw.q.rdt), rdt);        /* tail kept */
	/* the device fills what it has left, then misses */
	for (int i = 0; i < RING; i++) {
		u8 f[FRAME_LEN];

		make_frame(f, 8 + i);
		refused += fake_rx(f, FRAME_LEN, 0) == -ENOBUFS;
		irq_and_poll();
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
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 8 + (RING - refused) + 3);
	ck_assert_uint_eq(ad->fault.injected[FAULT_RX_EXHAUST], 1);
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
	while (ksoftirqd_run())
		;
	ck_assert_uint_eq(rx.n, 0);
	/* the frames wait in the ring until the driver's watchdog looks */
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	irq_and_poll();
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
	irq_and_poll();
	ck_assert_uint_eq(rx.n, 1);
	down();
}
END_TEST

static int xmit_one(void)
{
	u8 f[FRAME_LEN];

	make_frame(f, tx_seq++);
	return dev->netdev_ops->ndo_start_xmit(dev, f, FRAME_LEN, NULL, 0);
}

START_TEST(tx_stall_found_by_the_watchdog_and_reset)
{
	u64 t0 = host_clock_ns, ms = NSEC_PER_MSEC;
	u32 tdt;
	struct rtnl_link_stats64 st;
	struct ethtool_stat es[128];
	int n, found = 0;

	up(_i);
	ck_assert_int_eq(xmit_one(), 0);
	ck_assert_uint_eq(fake_tx_run(8), 1);
	irq_and_poll();
	ck_assert_uint_eq(ad->sw.tx_packets, 1);
	ck_assert_int_eq(fault_set(FAULT_TX_STALL, FAULT_PPM_MAX, 1, 1, 0), 0);
	tdt = R(ad->hw.q.tdt);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(xmit_one(), 0);
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
	ck_assert(work_pending(&ad->reset_work));
	/* once only, until another full timeout passes */
	dev_watchdog_check(dev, t0 + (DEV_WATCHDOG_TIMEO_MS + DEV_WATCHDOG_TIMEO_MS / 2) * ms);
	ck_assert_uint_eq(dev->tx_timeouts, 1);
	/* the reset in process context: rings rebuilt, stall gone, no leak */
	ck_assert_int_eq(workqueue_run(), 1);
	ck_assert_uint_eq(ad->sw.resets, 1);
	ck_assert(!ad->fault.tx_stalled);
	ck_assert(ad->running);
	ck_assert_int_eq(xmit_one(), 0);
	ck_assert_uint_eq(fake_tx_run(8), 1);
	irq_and_poll();
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
		irq_and_poll();
	}
	ck_assert_uint_eq(dev->tx_timeouts, 1);
	down();
}
END_TEST

START_TEST(reset_on_demand_keeps_settings)
{
	u32 rdlen;

	up(_i);
	rdlen = R(ad->hw.q.rdlen);
	send(0, 2);
	irq_and_poll();
	ck_assert_int_eq(netdev_reset(dev), 0);
	ck_assert_uint_eq(ad->sw.resets, 1);
	ck_assert_uint_eq(R(ad->hw.q.rdlen), rdlen);
	ck_assert(R(E1000_RCTL) & E1000_RCTL_EN);
	send(2, 2);
	irq_and_poll();
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
	Suite *s = suite_create("e1000_fault");
	TCase *tc = tcase_create("hooks");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, rx_drop_dup_counted, 0, 3);
	tcase_add_loop_test(tc, rx_reorder_swaps_with_the_next, 0, 3);
	tcase_add_loop_test(tc, rx_corrupt_flips_one_byte_and_withdraws_the_verdict, 0, 3);
	tcase_add_loop_test(tc, dd_delay_ends_within_the_same_softirq, 0, 3);
	tcase_add_loop_test(tc, rx_exhaust_withholds_then_the_watchdog_refills, 0, 3);
	tcase_add_loop_test(tc, irq_lost_recovered_by_the_watchdog_kick, 0, 3);
	tcase_add_loop_test(tc, irq_spurious_counted_and_harmless, 0, 3);
	tcase_add_loop_test(tc, tx_stall_found_by_the_watchdog_and_reset, 0, 3);
	tcase_add_loop_test(tc, reset_on_demand_keeps_settings, 0, 3);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
