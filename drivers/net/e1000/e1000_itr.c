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

#define USEC_PER_SEC            1000000u

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
	return (USEC_PER_SEC + rate / 2) / rate;
}

static u32 usecs_to_rate(u32 usecs)
{
	return usecs ? USEC_PER_SEC / usecs : E1000_ITR_RATE_LOWEST;
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
	if (a->running)
		e1000_set_itr(&a->hw, usecs);
}

void e1000_itr_update(struct e1000_adapter *a)
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

void e1000_itr_restart(struct e1000_adapter *a)
{
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
