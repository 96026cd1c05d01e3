/* Recovery in the e1000 family driver: the ops of the core's TX watchdog
 * (net/core/watchdog.h) and the driver's own periodic checks, as Linux's
 * e1000_watchdog does them.
 *
 *   e1000_tx_inflight  descriptors given to the device and not cleaned
 *                      (none while the device has sent the oldest: the
 *                      driver is behind then, not the device), and the
 *                      running count of completed frames: the core sees a
 *                      hang as "in flight, no completion for
 *                      watchdog_timeo"
 *   e1000_tx_timeout   (TIMER softirq) counts tx_timeout_count, logs one
 *                      line and queues the reset: a reset waits for the
 *                      poll to finish and for the chip, which a softirq
 *                      must not do, so it runs as process-context work;
 *                      it names the queue that hung, whose tx-N/tx_timeout
 *                      the core counts
 *   e1000_watchdog     (TIMER softirq, every watchdog period) reads the
 *                      link (carrier right even if an LSC was lost),
 *                      raises the interrupt for work a lost interrupt left
 *                      in a ring (the 82574 with RSS queues: schedules
 *                      the poll, its masked cause ignores ICS),
 *                      gives RX descriptors back after rx_exhaust, and
 *                      injects irq_spurious, and turns RSS on after a
 *                      rebuild when no poll did (e1000_mq.c)
 *   e1000_reset        `netdev reset ethN`: the same reset, at once */
#include "drivers/net/e1000/e1000.h"
#include "drivers/net/e1000/e1000_mq.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/core/watchdog.h"

unsigned int e1000_tx_inflight(struct net_device *dev, u64 *completed)
{
	struct e1000_adapter *a = netdev_priv(dev);
	const struct e1000_tx_ring *t = &a->tx;
	unsigned int n;

	*completed = READ_ONCE(a->sw.tx_packets);
	if (!READ_ONCE(a->running) || READ_ONCE(a->resetting) || !t->count)
		return 0;
	/* a racy peek: the watchdog needs the same answer for a whole timeout */
	n = (READ_ONCE(t->next_to_use) + t->count - READ_ONCE(t->next_to_clean)) % t->count;
	/* The device sent the oldest frame and the driver has not cleaned it:
	 * the driver is behind (the CPU that polls this ring not running, as
	 * a vCPU a loaded host deschedules; an interrupt late), not the
	 * transmitter, and a reset cures nothing.  igb in a loaded run of
	 * test_views_over_a_nic: "timed out after 500 ms (TDH 5 TDT 5
	 * next_to_use 5 next_to_clean 2)", then its link down for ~0.5 s.  Nothing in flight
	 * for the watchdog: its clock starts again (this pass's ndo_watchdog
	 * has raised the interrupt for the clean). */
	if (n && e1000_tx_completed_pending(a, t))
		n = 0;
	/* igb's other TX queues: a hang of any is the device's */
	if (a->hw.mq)
		n += e1000_mq_tx_inflight(a, completed);
	return n;
}

unsigned int e1000_tx_timeout(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);
	struct e1000_hw *hw = &a->hw;
	unsigned int q = 0;
	const struct e1000_tx_ring *t = &a->tx;
	u32 tdh = hw->q.tdh, tdt = hw->q.tdt;

	/* the queue that hung: queue 0 when it holds frames, else the first
	 * other one that does (no queue completed any for the whole timeout) */
	if (a->hw.mq && READ_ONCE(t->next_to_use) == READ_ONCE(t->next_to_clean))
		q = e1000_mq_tx_busy_queue(a, &t);
	if (q) {
		tdh = E1000_ADV_TDH(q);
		tdt = E1000_ADV_TDT(q);
	}
	a->sw.tx_timeouts++;
	pr_warn("%s: NETDEV WATCHDOG: transmit queue %u timed out after %u ms "
		"(TDH %u TDT %u next_to_use %u next_to_clean %u); resetting\n",
		dev->name, q, dev->watchdog_timeo_ms, er32(hw, tdh), er32(hw, tdt),
		t->next_to_use, t->next_to_clean);
	a->tx_hung = true;
	schedule_work(&a->reset_work);
	return q;
}

static void e1000_reset_work(struct work_struct *w)
{
	struct e1000_adapter *a = container_of(w, struct e1000_adapter, reset_work);
	int rc = e1000_reinit(a);

	if (rc && rc != -ENETDOWN)
		pr_err("%s: reset after TX timeout failed (%s)\n", a->netdev->name, errno_name(rc));
}

int e1000_reset(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);

	/* a reset already queued is this one */
	cancel_work(&a->reset_work);
	return e1000_reinit(a);
}

/* rx_exhaust over: give the device every descriptor software holds again
 * (clean_rx moves the tail only when frames arrive, and none can arrive
 * into a ring with no free descriptor) */
static void e1000_rx_tail_refresh(struct e1000_adapter *a)
{
	struct e1000_rx_ring *r = &a->rx;
	unsigned long flags;

	if (!a->fault.exhaust_until_ns || ktime_get_ns() < a->fault.exhaust_until_ns)
		return;
	/* napi=off cleans from the hard IRQ: no interrupt between read and write */
	flags = local_irq_save();
	a->fault.exhaust_until_ns = 0;
	if (!r->stopped)
		ew32(&a->hw, a->hw.q.rdt, (r->next_to_clean + r->count - 1) % r->count);
	local_irq_restore(flags);
}

void e1000_watchdog(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (!READ_ONCE(a->running) || READ_ONCE(a->resetting))
		return;
	/* The link as the device has it, as Linux's e1000_watchdog reads it:
	 * carrier otherwise follows LSC interrupts only, and one lost (or its
	 * cause taken by another ICR read) would leave eth0 NO-CARRIER, with
	 * the TX watchdog stopped, until the next link change.  One STATUS
	 * read per pass; a change prints once (netif_carrier_on/off). */
	e1000_update_link(a);
	e1000_rx_tail_refresh(a);
	/* Work in a ring and no poll coming: an interrupt was lost (or a
	 * held frame is due).  Linux's e1000_watchdog sets a receive cause
	 * through ICS every run for the same reason; here only when needed.
	 * Softirqs do not nest, so the poll is not half-way. */
	if (!napi_is_scheduled(&a->napi) &&
	    (e1000_rx_pending(a) || e1000_tx_completed_pending(a, &a->tx) ||
	     (a->fault.held &&
	      ktime_get_ns() - a->fault.held_since_ns >= E1000_FAULT_HOLD_MS * NSEC_PER_MSEC))) {
		a->sw.irq_kicks++;
		/* The 82574 in MSI-X with RSS queues: a queue cause left
		 * masked (EIAC cleared its IMS bit as a message went, and no
		 * poll has written IMS since) takes the ICS write silently,
		 * and the kick repeats every pass for nothing (make bench's
		 * sockbench boot, e1000e, 2 CPUs: queue 0's ring held an
		 * iperf client's SYNs for 45 s, rx_ring_ready 9 then 10,
		 * irq_kicks climbing by ~10 a second, queue 0's vector
		 * count still, until a new connection's traffic came).
		 * The poll is scheduled here instead; its end acknowledges
		 * and unmasks the vector (e1000_irq_unmask_napi), as Linux's
		 * e1000e claims every message on a ring vector by polling. */
		if (a->hw.mq && mq_icr(&a->hw))
			napi_schedule(&a->napi);
		else
			e1000_irq_raise_rx(&a->hw);
	}
	/* and each other queue's ring (MSI-X multiqueue) */
	if (a->hw.mq && READ_ONCE(a->num_queues) > 1)
		e1000_mq_watchdog_kick(a);
	if (unlikely(fault_should_fail(FAULT_IRQ_SPURIOUS)))
		e1000_fault_irq_spurious(a);
	/* RSS staged after a rebuild and no traffic to end it (e1000_mq.c) */
	if (unlikely(READ_ONCE(a->rss_staged)))
		e1000_mq_watchdog_staged(a);
}

void e1000_watchdog_init(struct e1000_adapter *a)
{
	INIT_WORK(&a->reset_work, e1000_reset_work);
	a->netdev->watchdog_timeo_ms = DEV_WATCHDOG_TIMEO_MS;
}
