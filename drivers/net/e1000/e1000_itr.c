/* Adaptive interrupt moderation for the e1000 family (ethtool -C DEV
 * adaptive-rx on), the technique of Intel's Linux drivers (e1000's
 * e1000_update_itr/e1000_set_itr, igb's igb_update_itr), in our own words:
 *
 * An "interrupt period" runs from one NAPI completion to the next (every
 * poll that returned its whole budget in between belongs to it).  When it
 * ends, the packets and bytes the driver moved in it, RX and TX each, put
 * the traffic in one of three classes, judged from the class it was in:
 *
 *   lowest latency  a few small frames: request/response, ping   70000 irq/s
 *   low latency     mixed traffic                                 20000 irq/s
 *   bulk            many or large frames: throughput              4000 irq/s
 *
 * The heavier class of RX and TX wins.  The throttle (ITR, or EITR(0) on
 * the 82576) then moves toward the class's interrupt rate: at once when the
 * rate goes down (a burst must not pay for many interrupts), by a quarter
 * of the target per period when it goes up (a single quiet period in a
 * stream does not undo the bulk setting).  Periods in which nothing moved
 * (a link interrupt) change nothing.  The register is written only when
 * the interval changes; each write counts in ethtool -S itr_changes.
 *
 * Contexts: e1000_itr_update runs from the poll (NET_RX softirq);
 * e1000_itr_set_adaptive and e1000_itr_restart from process context with
 * bottom halves off, so they never interleave with an update. */
#include "drivers/net/e1000/e1000.h"
#include "kernel/time.h"


bool e1000_adaptive_default;

/* interrupt rates of the classes (interrupts per second) */
#define E1000_ITR_RATE_LOWEST   70000u  /* ~14 us */
#define E1000_ITR_RATE_LOW      20000u  /* 50 us */
#define E1000_ITR_RATE_BULK     4000u   /* 250 us */
/* an increasing rate climbs by target / E1000_ITR_RAMP per period */
#define E1000_ITR_RAMP          4

/* classification thresholds, per period and direction */
#define ITR_SMALL_BYTES         512     /* "a few small frames": under this many bytes */
#define ITR_FEW_PACKETS         2       /* ... and at most this many frames */
#define ITR_BIG_FRAME           1200    /* average frame size that means bulk */
#define ITR_MANY_PACKETS        35      /* frames in a period that leave bulk for low */
#define ITR_LOW_TO_BULK_BYTES   10000   /* low: past this, judge frame size */
#define ITR_BULK_KEEP_BYTES     6000    /* bulk: under this, traffic went quiet */
#define ITR_BULK_BURST_BYTES    25000   /* bulk: past this with many frames, low */
#define ITR_LOWEST_BURST_BYTES  512     /* lowest: more than this with ITR_LOWEST_BURST_PKTS+ */
#define ITR_LOWEST_BURST_PKTS   5       /*   frames leaves lowest */

static const u32 class_rate[] = {
	[E1000_ITR_LOWEST] = E1000_ITR_RATE_LOWEST,
	[E1000_ITR_LOW] = E1000_ITR_RATE_LOW,
	[E1000_ITR_BULK] = E1000_ITR_RATE_BULK,
};

static u32 rate_to_usecs(u32 rate)
{
	return (u32)((USEC_PER_SEC + rate / 2) / rate);
}

static u32 usecs_to_rate(u32 usecs)
{
	return usecs ? (u32)(USEC_PER_SEC / usecs) : E1000_ITR_RATE_LOWEST;
}

enum e1000_itr_class e1000_itr_classify(enum e1000_itr_class cur, u64 packets, u64 bytes)
{
	u64 avg;

	if (!packets)
		return cur;
	avg = bytes / packets;
	switch (cur) {
	case E1000_ITR_LOWEST:
		if (avg > ITR_BIG_FRAME && bytes > ITR_LOW_TO_BULK_BYTES)
			return E1000_ITR_BULK;
		if (packets >= ITR_LOWEST_BURST_PKTS || bytes > ITR_LOWEST_BURST_BYTES)
			return E1000_ITR_LOW;
		return E1000_ITR_LOWEST;
	case E1000_ITR_LOW:
		if (bytes > ITR_LOW_TO_BULK_BYTES)
			return E1000_ITR_BULK;
		if (avg > ITR_BIG_FRAME * 2)
			return E1000_ITR_BULK;
		if (packets <= ITR_FEW_PACKETS && bytes < ITR_SMALL_BYTES)
			return E1000_ITR_LOWEST;
		return E1000_ITR_LOW;
	case E1000_ITR_BULK:
	default:
		if (bytes > ITR_BULK_BURST_BYTES)
			return E1000_ITR_BULK;
		if (bytes < ITR_BULK_KEEP_BYTES)
			return packets <= ITR_FEW_PACKETS ? E1000_ITR_LOWEST : E1000_ITR_LOW;
		return packets > ITR_MANY_PACKETS && avg < ITR_BIG_FRAME ? E1000_ITR_LOW
									 : E1000_ITR_BULK;
	}
}

/* the counters the period is measured from start now */
static void e1000_itr_mark(struct e1000_adapter *a)
{
	a->itr.rx_packets = a->sw.rx_packets;
	a->itr.rx_bytes = a->sw.rx_bytes;
	a->itr.tx_packets = a->sw.tx_packets;
	a->itr.tx_bytes = a->sw.tx_bytes;
}

static void e1000_itr_program(struct e1000_adapter *a, u32 usecs)
{
	if (usecs == a->itr_usecs)
		return;
	a->itr_usecs = usecs;
	a->itr.changes++;
	a->itr.off = false;             /* the register holds the new interval */
	a->itr.lone = 0;
	if (a->running)
		e1000_set_itr(&a->hw, usecs);
}

static void e1000_itr_adapt(struct e1000_adapter *a)
{
	struct e1000_itr *t = &a->itr;
	u64 rx_p = a->sw.rx_packets - t->rx_packets, tx_p = a->sw.tx_packets - t->tx_packets;
	enum e1000_itr_class rx, tx, cls;
	u32 target, rate;

	if (!t->adaptive || (!rx_p && !tx_p))
		return;         /* a period without traffic says nothing */
	/* a direction that moved nothing does not vote */
	rx = rx_p ? e1000_itr_classify(t->cls, rx_p, a->sw.rx_bytes - t->rx_bytes)
		  : E1000_ITR_LOWEST;
	tx = tx_p ? e1000_itr_classify(t->cls, tx_p, a->sw.tx_bytes - t->tx_bytes)
		  : E1000_ITR_LOWEST;
	e1000_itr_mark(a);
	cls = MAX(rx, tx);
	t->cls = cls;
	target = class_rate[cls];
	rate = t->rate;
	if (target < rate)
		rate = target;
	else if (target > rate)
		rate = MIN(rate + target / E1000_ITR_RAMP, target);
	t->rate = rate;
	e1000_itr_program(a, rate_to_usecs(rate));
}

/* Lone frames (82576 with one MSI-X vector): the throttle off while
 * interrupt periods come one at a time, each at least the interval after
 * the previous one and each moving a small batch (at most
 * E1000_ITR_LONE_FRAMES each way: requests and their replies, a ping).
 * The throttle holds back nothing then: the interrupt rate is already
 * under its cap.  What it does cost under QEMU 10.0's igb: each
 * interrupt arms the vector's EITR timer, the reply's TX-done (same
 * vector, EICR) waits for it, and at its end the timer sends a message
 * whatever is pending (igb_intrmgr_on_msix_throttling_timer,
 * e1000_irq.c), so a lone frame costs two interrupts and its reply waits
 * the interval; and QEMU 10.0 times EITR in 1024 ns units of the whole
 * register (igb_set_eitr, igb_intrmgr_rearm_timer), four times the
 * 82576's 1 us units of bits 14:2: 50 us becomes 205 us.  UDP echo with
 * one request in flight: 2,846 replies/s at 1.85 interrupts each with
 * EITR 50 us, 6,636 with rx-usecs 0 (bench/udpcost.py INF=1 MODEL=igb).
 *
 * A few requests in flight (the echo with 8) are lone too: with the
 * throttle on, each interrupt's poll finds the requests that came during
 * the 205 us; with it off, the first request interrupts at once and the
 * polls the look after the unmask starts take the rest, 0.1-0.2
 * interrupts per request either way.  When a period had to move at most
 * one frame each way, and the first period that came sooner put the
 * throttle back, that echo kept the throttle on, or whichever state the
 * traffic before it had left: make bench's igb 64 B x8 (right after the
 * 1-in-flight cell) gave 28-30k replies/s in the two boots whose 1 in
 * flight ran at bd730f3's rate (throttle mostly on) and 40k in the one
 * whose 1 in flight ran 35 % faster (mostly off); bd730f3, its EITR
 * always on, gave 34-37k.  A poll may move more frames than are in
 * flight (the host's next request lands while it runs), so the bound is
 * a burst's, not one frame.
 *
 * Only periods an interrupt started count (a poll the look after an
 * unmask started is no interrupt the throttle could have held back; its
 * frames are not the next interrupt's either).  After
 * E1000_ITR_LONE_PERIODS such periods in a row EITR is written 0.  The
 * interval goes back at the first period that moves more (a burst), or
 * after E1000_ITR_LONE_PERIODS periods in a row that each ended within
 * the interval of the previous one, so while it is off the interrupt
 * rate stays under the cap the interval sets but for a few periods.  The
 * way back takes as many periods as the way off.  While off, the poll
 * reaps the reply's completion and acknowledges the vector's cause
 * before unmasking (e1000_irq.c
 * e1000_poll_reap_tx): with no timer, that cause would send a message at
 * once whose poll only reaps.  ethtool -C and adaptive changes write the
 * register and start over.  The 82574 is left alone: QEMU's e1000e
 * raises an EITR below 500 (128 us) to 500, so 0 would throttle longer
 * (e1000e_set_eitr). */
#define E1000_ITR_LONE_PERIODS  4
/* most frames each way a lone period's polls (from the interrupt to the
 * completion) may move: a burst (a flood, a TCP window) moves more and
 * puts the throttle back at once */
#define E1000_ITR_LONE_FRAMES   16

static bool e1000_itr_lone_applies(const struct e1000_adapter *a)
{
	const struct e1000_hw *hw = &a->hw;

	return hw->msix && !hw->mq && (hw->chip->flags & E1000_F_EITR) && a->itr_usecs;
}

static void e1000_itr_lone_update(struct e1000_adapter *a)
{
	struct e1000_itr *t = &a->itr;
	u64 rx, tx, now, gap;
	bool burst, soon;

	/* what decides it changes only with a restart (ethtool -C, up),
	 * which marks the counters afresh */
	if (!e1000_itr_lone_applies(a))
		return;
	rx = a->sw.rx_packets - t->lone_rx;
	tx = a->sw.tx_packets - t->lone_tx;
	t->lone_rx = a->sw.rx_packets;
	t->lone_tx = a->sw.tx_packets;
	/* a poll the look after an unmask started, not an interrupt: the
	 * throttle had no part in it (its frames are not the next
	 * interrupt's either) */
	if (a->sw.irqs == t->lone_irqs)
		return;
	t->lone_irqs = a->sw.irqs;
	if (!rx && !tx)
		return;         /* a link change: no traffic to judge */
	now = ktime_get_ns();
	gap = now - t->lone_ns;
	t->lone_ns = now;
	burst = rx > E1000_ITR_LONE_FRAMES || tx > E1000_ITR_LONE_FRAMES;
	soon = gap < (u64)a->itr_usecs * NSEC_PER_USEC;
	if (!t->off) {
		if (burst || soon) {
			t->lone = 0;
		} else if (++t->lone >= E1000_ITR_LONE_PERIODS) {
			t->off = true;
			t->lone = 0;
			t->lone_offs++;
			e1000_set_itr(&a->hw, 0);
		}
		return;
	}
	/* off: t->lone counts the periods in a row that came sooner */
	if (burst || (soon && ++t->lone >= E1000_ITR_LONE_PERIODS)) {
		t->off = false;
		t->lone = 0;
		e1000_set_itr(&a->hw, a->itr_usecs);
	} else if (!soon) {
		t->lone = 0;
	}
}

void e1000_itr_update(struct e1000_adapter *a)
{
	e1000_itr_adapt(a);
	e1000_itr_lone_update(a);
}

void e1000_itr_restart(struct e1000_adapter *a)
{
	/* the caller wrote the interval to the register */
	a->itr.off = false;
	a->itr.lone = 0;
	a->itr.lone_rx = a->sw.rx_packets;
	a->itr.lone_tx = a->sw.tx_packets;
	a->itr.lone_irqs = a->sw.irqs;
	a->itr.lone_ns = ktime_get_ns();
	a->itr.cls = E1000_ITR_LOW;
	a->itr.rate = usecs_to_rate(a->itr_usecs);
	e1000_itr_mark(a);
}

void e1000_itr_set_adaptive(struct e1000_adapter *a, bool on)
{
	if (on && !a->itr.adaptive)
		e1000_itr_restart(a);
	a->itr.adaptive = on;
}
