/* The e1000 family's interrupt path: the hard IRQ (top half) and the NAPI
 * poll it schedules (bottom half), as STYLE.md and net/core/napi.h ask.
 *
 *   hard IRQ:  read the cause (ICR, or EICR on the 82576 in MSI-X mode);
 *              zero: on INTx "not mine" (the line may be shared), on
 *              MSI/MSI-X ours all the same, with nothing to do (below);
 *              mask the device (IMC/EIMC; with MSI-X the vector alone,
 *              e1000_irq_mask_napi), acknowledge, napi_schedule().
 *              Nothing else.
 *   poll:      link change, TX completions (netif_tx_wake for a waiting
 *              qdisc), up to budget RX frames, the
 *              TX tail once for the whole batch; under budget:
 *              napi_complete_done(), the adaptive throttle (e1000_itr.c),
 *              unmask, and look at the ring once more
 *              (a frame that landed between the last look and the unmask
 *              raised its cause while masked: no interrupt will come).
 *
 * napi=off (napi_enabled false): no poll.  Each interrupt handles exactly
 * one received frame in hard IRQ context, unmasks, and if the ring holds
 * more, sets the receive cause again through ICS/EICS, so every frame gets
 * its own interrupt (the interrupt-per-frame baseline NAPI is measured
 * against).
 *
 * An MSI or MSI-X vector belongs to this device alone, so an interrupt on
 * it is never another device's, even when no cause is pending (Linux's
 * igb_msix_ring and e1000_intr_msix_rx claim theirs without reading a
 * cause).  Such empty messages do come: QEMU 10.0's igb and e1000e, with
 * EITR set, send one on the vector each time a throttle interval that
 * began with an interrupt runs out, pending cause or not
 * (igb_intrmgr_on_msix_throttling_timer, e1000e_intrmgr_on_msix_
 * throttling_timer; a 2025 qemu-devel series makes them check EICR&EIMS
 * first).  The chips only hold a pending interrupt back (82576 8.8.12
 * EITR; the I210 datasheet's throttle flow, figure 7-15: a counter that
 * runs out with no event stays at zero).  The hard IRQ has read and
 * cleared the cause by then, so the message finds EICR/ICR zero; answered
 * with IRQ_NONE, it made kernel/irq.c report "no handler claimed the
 * interrupt" at the first link change.  It is claimed and counted
 * (irqs_not_ours) and schedules nothing: a later cause raises its own
 * interrupt, and the poll's look after unmasking covers the ring.
 *
 * ICR is acknowledged by writing its bits back: QEMU's e1000e clears ICR
 * on read only while IMS is 0 (e1000e_core.c), and the datasheets allow
 * write-1-to-clear on every chip (8254x 13.4.17; 82574 10.2.4.1). */
#include "drivers/net/e1000/e1000.h"
#include "kernel/printk.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include "net/core/xmit.h"

#define E1000_STATS_EVERY       1024    /* polls (or napi=off interrupts) between counter folds */

/* the device's pending causes; reading EICR acknowledges them */
static u32 e1000_read_cause(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	/* multiqueue: EIAC cleared the vector's EICR bit as the message went
	 * (and reading EICR would clear the other vectors' bits, e1000_mq.c):
	 * the cause is work in queue 0's rings or a cause the other vector
	 * passed on; none is an empty message, as an empty EICR is below */
	if (hw->mq)
		return e1000_rx_pending(a) || e1000_tx_completed_pending(a, &a->tx) ||
		       READ_ONCE(a->icr_pending) ? hw->eims_rx0 : 0;
	return e1000_uses_eicr(hw) ? er32(hw, E1000_EICR) : er32(hw, E1000_ICR);
}

/* the ICR causes the hard IRQ collected, plus (82576 with one MSI-X
 * vector, where the interrupt carries only EICR, whose one bit the queue
 * and the other causes share) ICR itself: GPIE.NSICR clears it on read.
 * Read once per interrupt (icr_due), not in the polls the look after an
 * unmask starts: an other cause (LSC) that came since keeps the EICR bit,
 * whose message at the unmask sets icr_due again.  With several vectors
 * the other causes have their own, whose handler reads ICR
 * (e1000_mq_other_intr, icr_pending). */
static u32 e1000_take_icr(struct e1000_adapter *a)
{
	u32 icr = __atomic_exchange_n(&a->icr_pending, 0, __ATOMIC_ACQUIRE);

	if (e1000_uses_eicr(&a->hw) && !a->hw.mq &&
	    __atomic_exchange_n(&a->icr_due, false, __ATOMIC_ACQUIRE))
		icr |= er32(&a->hw, E1000_ICR);
	return icr;
}

void e1000_clean_tx0(struct e1000_adapter *a)
{
	int cleaned;

	/* completions freed descriptors: a qdisc held back by -EBUSY may go
	 * on.  tx_lock without irqsave: in a poll interrupts are on and no
	 * hard IRQ takes it (napi=off runs this in the hard IRQ, interrupts
	 * off); skbs freed here go at once (dev_kfree_skb_any) */
	spin_lock(&a->tx_lock);
	cleaned = e1000_clean_tx(a, &a->tx);
	spin_unlock(&a->tx_lock);
	if (cleaned)
		netif_tx_wake(a->netdev);
}

/* The TX tail a batch left on ring t (an rx_handler's NETDEV_TX_MORE
 * sends while in_rx names this CPU, or e1000_mq_xmit's while the queue's
 * does), written once for all of them; also the tail a thread's sends
 * left (ndo_tx_flush, net/core/xmit.h's deferred tails).  Under an
 * emulator each tail write runs the device's whole transmit path
 * synchronously.  A sampled frame among them gets its TX_TAIL stamp
 * here, where its tail is written (read back from the device only while
 * the journey samples).  Ring t's lock held. */
void e1000_tx_flush_batch(struct e1000_adapter *a, struct e1000_tx_ring *t)
{
	u32 from = journey_on ? er32(&a->hw, e1000_tx_tail_reg(&a->hw, t)) : t->next_to_use;

	e1000_tx_flush(a, t);
	if (t->tail_pending)
		return;         /* not written (an injected TX stall) */
	for (u32 i = from; i < t->count && i != t->next_to_use; i = (i + 1) % t->count)
		journey_tx_tail(t->slot[i].journey);
}

/* the work both modes share: link, TX completions, up to budget frames
 * handed up the stack (in a napi poll, poll, the batch too, while in_rx
 * names this CPU), then the TX tail for what the rx_handler queued with
 * NETDEV_TX_MORE (the stack's replies wrote theirs at once) */
static int e1000_service(struct e1000_adapter *a, int budget, u64 *count, bool poll)
{
	u32 icr = e1000_take_icr(a);
	int work;

	if (icr & E1000_ICR_LSC)
		e1000_update_link(a);
	if (++*count % E1000_STATS_EVERY == 0)
		e1000_stats_update(a);
	e1000_clean_tx0(a);
	WRITE_ONCE(a->in_rx, smp_processor_id() + 1);
	work = e1000_clean_rx(a, budget);
	if (unlikely(a->fault.held))
		e1000_fault_rx_flush(a, true);
	/* what netif_receive_skb held for one delivery (the poll would
	 * deliver it right after) goes up while in_rx is set; not from
	 * napi=off's hard IRQ, which queued nothing there and may have
	 * interrupted another napi's poll holding its own batch */
	if (poll)
		netif_receive_skb_list_flush();
	WRITE_ONCE(a->in_rx, 0);
	spin_lock(&a->tx_lock);
	if (a->tx.tail_pending)
		e1000_tx_flush_batch(a, &a->tx);
	spin_unlock(&a->tx_lock);
	return work;
}

/* napi=off: one frame per interrupt */
static void e1000_intr_one_frame(struct e1000_adapter *a)
{
	e1000_service(a, 1, &a->sw.irqs, false);
	e1000_irq_enable(&a->hw);
	if (e1000_rx_pending(a)) {
		a->sw.irqs_raised++;
		e1000_irq_raise_rx(&a->hw);
	}
}

bool e1000_intr(struct e1000_adapter *a)
{
	/* LAB:BEGIN e1000-irq intr */
	struct e1000_hw *hw = &a->hw;
	u32 cause = e1000_read_cause(a);

	if (!cause || cause == E1000_REG_GONE) {
		a->sw.irqs_not_ours++;
		/* a vector of our own is ours even when empty; a device that
		 * reads all ones is gone, and the kernel should say so */
		return !cause && e1000_irq_exclusive(hw);
	}
	e1000_irq_mask_napi(hw);
	if (!e1000_uses_eicr(hw)) {
		ew32(hw, E1000_ICR, cause);
		__atomic_fetch_or(&a->icr_pending, cause, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&a->icr_due, true, __ATOMIC_RELEASE);
	}
	if (!a->running)
		return true;            /* going down: stay masked */
	if (unlikely(e1000_fault_irq_lost(a))) {
		/* acknowledged and forgotten: the work stays in the rings */
		e1000_irq_enable(hw);
		return true;
	}
	/* the journey's RX_IRQ stamp: only from an interrupt that starts the
	 * work; one arriving while the poll runs (it only marks the napi
	 * missed) would stamp later than the poll that takes the frame */
	if (napi_enabled) {
		a->sw.irqs++;
		if (napi_schedule_prep(&a->napi)) {
			journey_mark_cpu(JOURNEY_RX_IRQ);
			__napi_schedule(&a->napi);
		}
	} else {
		journey_mark_cpu(JOURNEY_RX_IRQ);
		e1000_intr_one_frame(a);        /* counts irqs itself */
	}
	return true;
	/* LAB:END */
}

/* The replies this poll sent (each wrote its tail at once): under QEMU
 * they completed at that write and raised TX-done while the device was
 * masked for the poll.  Reaped and acknowledged before the unmask, that
 * cause raises no interrupt whose poll would only reap them and which
 * would start the device's throttle interval, holding the next request's
 * RX interrupt back (e1000_tx_flush_deferred says more).  A device still
 * sending (real hardware) keeps its cause. */
static void e1000_poll_reap_tx(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	u32 cause = e1000_tx_done_cause(hw);
	int cleaned = 0;

	if (!cause) {
		/* the 82576 with one MSI-X vector: TX-done sets the vector's
		 * EICR bit, which RX and the other causes share.  Only while
		 * the throttle is off for lone frames (e1000_itr.c), where
		 * the unmask would send a message for it at once: reaped and
		 * acknowledged here.  A frame that landed since the ring was
		 * last looked at loses its cause with it, and the look after
		 * the unmask finds it; an other cause (LSC) stays in ICR for
		 * the next poll (and the watchdog reads the link) */
		if (!a->itr.off || hw->mq || !e1000_uses_eicr(hw))
			return;
		spin_lock(&a->tx_lock);
		if (a->tx_up && a->tx.next_to_clean != a->tx.next_to_use) {
			cleaned = e1000_clean_tx(a, &a->tx);
			if (cleaned && a->tx.next_to_clean == a->tx.next_to_use) {
				ew32(hw, E1000_EICR, hw->eims_rx0);
				a->sw.tx_done_reaped++;
			}
		}
		spin_unlock(&a->tx_lock);
		if (cleaned)
			netif_tx_wake(a->netdev);
		return;
	}
	spin_lock(&a->tx_lock);
	if (a->tx_up && a->tx.next_to_clean != a->tx.next_to_use)
		cleaned = e1000_tx_reap_ack(a, cause);
	spin_unlock(&a->tx_lock);
	if (cleaned)
		netif_tx_wake(a->netdev);
}

int e1000_poll(struct napi_struct *napi, int budget)
{
	struct e1000_adapter *a = container_of(napi, struct e1000_adapter, napi);
	struct e1000_hw *hw = &a->hw;
	int work;

	journey_mark_cpu(JOURNEY_RX_NAPI);
	work = e1000_service(a, budget, &a->sw.polls, true);
	if (unlikely(READ_ONCE(a->rss_staged)))
		e1000_mq_poll_staged(a, work, budget);
	if (work >= budget)
		return budget;          /* more to do: stay scheduled, masked */
	e1000_poll_reap_tx(a);
	if (napi_complete_done(napi, work)) {
		e1000_itr_update(a);    /* the interrupt period ends here */
		e1000_irq_unmask_napi(hw);
		if ((e1000_rx_pending(a) || e1000_tx_completed_pending(a, &a->tx)) &&
		    napi_schedule_prep(napi)) {
			e1000_irq_mask_napi(hw);
			__napi_schedule(napi);
		}
	}
	return work;
}
