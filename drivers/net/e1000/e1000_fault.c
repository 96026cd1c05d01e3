/* Fault injection in the e1000 family driver (drivers/net/fault.h): the
 * slow halves of the hooks e1000.h inlines.  The hook sites:
 *
 *   e1000_clean_rx   rx_drop, rx_dup, rx_reorder, rx_corrupt on each good
 *                    frame before netdev_rx; dd_delay where DD is tested;
 *                    rx_exhaust where the RX tail moves
 *   e1000_intr       irq_lost once the cause is acknowledged (queue 0's
 *                    vector); e1000_mq_ring_intr the same on each other
 *                    RSS queue's (MSI-X)
 *   e1000_tx_flush   tx_stall before the TX tail moves
 *   e1000_rx_disable rx_stop_gap once the receiver is off
 *   e1000_watchdog   irq_spurious, once per watchdog period
 *
 * What each fault does, and what is supposed to recover from it:
 *   rx_drop      the frame is not delivered; counted in rx_dropped (in
 *                the receiving ring's counters); TCP retransmits, ping
 *                loses exactly that reply
 *   rx_dup       delivered twice, the second an skb_clone over the same
 *                buffer (TCP discards the duplicate)
 *   rx_reorder   the skb held (its refill pool buffer stays lent, no
 *                copy); delivered after the next frame, by the next poll
 *                once older than E1000_FAULT_HOLD_MS (the watchdog raises
 *                one), or by the drain when the device stops (stop,
 *                reset, ring resize), so no pool buffer stays out
 *   rx_corrupt   one byte past the Ethernet header XORed with 0xFF and the
 *                NIC's checksum verdict withdrawn, so the stack checks in
 *                software: one changed byte always changes the Internet
 *                checksum, the frame is dropped as a checksum error
 *   rx_exhaust   the RX tail stops moving for param ms: the device runs
 *                out of descriptors (missed packets).  The cleaned slots
 *                are still re-armed from the refill pool as usual, only
 *                not given to the device, so the pool's count does not
 *                change; the watchdog moves the tail when the time is up
 *   irq_lost     the hard IRQ acknowledges the cause, unmasks its vector
 *                and returns: the next interrupt on that vector, or the
 *                watchdog's kick (e1000_watchdog, e1000_mq_watchdog_kick:
 *                irq_kicks), polls the ring
 *   irq_spurious the device's vector raised with no cause: the hard IRQ
 *                answers "not mine", counted in irqs_not_ours
 *   dd_delay     a descriptor whose DD is set is not seen for param polls:
 *                the poll's look after unmasking reschedules it
 *   tx_stall     the TX tail stops moving until the rings are rebuilt: the
 *                TX watchdog (net/core/watchdog.c) resets the device, and
 *                freeing the rings frees the skbs the stalled descriptors
 *                held (zero copy: the lwIP pbuf references under them)
 *   rx_stop_gap  a stop (down, reset, ring resize) waits param ms right
 *                after RCTL.EN goes off (e1000_rx_disable, inline there):
 *                a frame that arrives meanwhile is held by QEMU, and must
 *                reach the next ring (test_nic.py test_resize_keeps_held_frame)
 *
 * Injections are counted per fault (fault.c) and per device (ethtool -S
 * fault_<name>). */
#include "drivers/net/e1000/e1000.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/core/dev.h"

#define E1000_FAULT_FLIP        0xFF    /* rx_corrupt: XOR of the chosen byte */

static void e1000_fault_count(struct e1000_adapter *a, enum fault_id id)
{
	/* RSS queues' polls on several CPUs count the RX faults at once */
	__atomic_fetch_add(&a->fault.injected[id], 1, __ATOMIC_RELAXED);
}

/* a frame the hook takes out of the path: hard IRQ (napi=off) may not
 * free, NET_TX does it then */
static void e1000_fault_free_skb(struct sk_buff *skb)
{
	if (in_irq() || irqs_disabled())
		dev_kfree_skb_irq_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
	else
		kfree_skb(skb);
}

bool e1000_fault_rx_slow(struct e1000_adapter *a, struct e1000_sw_stats *sw, struct sk_buff *skb,
			 unsigned int flags)
{
	struct e1000_fault_state *f = &a->fault;
	struct sk_buff *dup = NULL;
	unsigned long irqf;

	if (fault_should_fail(FAULT_RX_DROP)) {
		e1000_fault_count(a, FAULT_RX_DROP);
		sw->rx_dropped++;       /* the ring's own: its poll alone writes it */
		/* the pool buffer under it goes back with the last reference */
		e1000_fault_free_skb(skb);
		return true;
	}
	/* the skb is the driver's alone here (not cloned yet): writable */
	if (skb->len > ETH_HLEN && fault_should_fail(FAULT_RX_CORRUPT)) {
		e1000_fault_count(a, FAULT_RX_CORRUPT);
		skb->data[ETH_HLEN + fault_random(FAULT_RX_CORRUPT, skb->len - ETH_HLEN)] ^=
			E1000_FAULT_FLIP;
		/* the NIC checked the frame before the flip: its verdict no longer holds */
		flags = 0;
	}
	/* one slot for the device: the first queue's poll to find it empty
	 * takes it */
	irqf = spin_lock_irqsave(&f->held_lock);
	if (!f->held && fault_should_fail(FAULT_RX_REORDER)) {
		/* the skb itself waits (its pool buffer stays lent), no copy */
		e1000_fault_count(a, FAULT_RX_REORDER);
		f->held_flags = flags;
		f->held_since_ns = ktime_get_ns();
		WRITE_ONCE(f->held, skb);
		spin_unlock_irqrestore(&f->held_lock, irqf);
		return true;
	}
	spin_unlock_irqrestore(&f->held_lock, irqf);
	/* a second skb over the same buffer: the stack copies whichever it
	 * takes while the other still shares the data */
	if (fault_should_fail(FAULT_RX_DUP))
		dup = skb_clone(skb);
	netdev_rx(a->netdev, skb, flags);
	if (dup) {
		e1000_fault_count(a, FAULT_RX_DUP);
		netdev_rx(a->netdev, dup, flags);
	}
	/* the held frame overtaken: it goes up after this one */
	e1000_fault_rx_flush(a, false);
	return true;
}

void e1000_fault_rx_flush(struct e1000_adapter *a, bool aged_only)
{
	struct e1000_fault_state *f = &a->fault;
	struct sk_buff *skb;
	unsigned int flags;
	unsigned long irqf;

	if (!READ_ONCE(f->held))
		return;
	/* taken under the lock, delivered outside it: two queues' polls
	 * never hand up the same skb */
	irqf = spin_lock_irqsave(&f->held_lock);
	skb = f->held;
	if (!skb || (aged_only &&
		     ktime_get_ns() - f->held_since_ns < E1000_FAULT_HOLD_MS * NSEC_PER_MSEC)) {
		spin_unlock_irqrestore(&f->held_lock, irqf);
		return;
	}
	flags = f->held_flags;
	WRITE_ONCE(f->held, NULL);
	spin_unlock_irqrestore(&f->held_lock, irqf);
	netdev_rx(a->netdev, skb, flags);
}

bool e1000_fault_dd_delay_slow(struct e1000_adapter *a)
{
	struct e1000_fault_state *f = &a->fault;

	if (f->dd_hold) {
		f->dd_hold--;
		return true;
	}
	if (!fault_should_fail(FAULT_DD_DELAY))
		return false;
	e1000_fault_count(a, FAULT_DD_DELAY);
	/* this poll is the first of param that do not see it */
	f->dd_hold = fault_param(FAULT_DD_DELAY) - 1;
	return true;
}

bool e1000_fault_rx_exhaust_slow(struct e1000_adapter *a)
{
	struct e1000_fault_state *f = &a->fault;
	u64 now = ktime_get_ns();

	if (f->exhaust_until_ns) {
		if (now < f->exhaust_until_ns)
			return true;
		f->exhaust_until_ns = 0;        /* over: this write gives them all back */
		return false;
	}
	if (!fault_should_fail(FAULT_RX_EXHAUST))
		return false;
	e1000_fault_count(a, FAULT_RX_EXHAUST);
	f->exhaust_until_ns = now + (u64)fault_param(FAULT_RX_EXHAUST) * NSEC_PER_MSEC;
	return true;
}

/* counted here; the caller unmasks its own vector (queue 0's and the
 * other causes: e1000_irq_enable; queue q's: e1000_mq_ring_intr) */
bool e1000_fault_irq_lost_slow(struct e1000_adapter *a)
{
	if (!fault_should_fail(FAULT_IRQ_LOST))
		return false;
	e1000_fault_count(a, FAULT_IRQ_LOST);
	return true;
}

bool e1000_fault_tx_stall_slow(struct e1000_adapter *a)
{
	struct e1000_fault_state *f = &a->fault;

	if (f->tx_stalled)
		return true;
	if (!fault_should_fail(FAULT_TX_STALL))
		return false;
	e1000_fault_count(a, FAULT_TX_STALL);
	f->tx_stalled = true;
	pr_warn("%s: fault: TX ring stalled (tail kept at %u, %u descriptors held back)\n",
		a->netdev->name, er32(&a->hw, a->hw.q.tdt),
		(a->tx.next_to_use + a->tx.count - er32(&a->hw, a->hw.q.tdt)) % a->tx.count);
	return true;
}

int (*e1000_raise_vector_hook)(struct e1000_adapter *a);

void e1000_fault_irq_spurious(struct e1000_adapter *a)
{
	unsigned long flags;

	e1000_fault_count(a, FAULT_IRQ_SPURIOUS);
	if (e1000_raise_vector_hook && !e1000_raise_vector_hook(a))
		return;
	/* no way to raise the vector: run the hard IRQ body as it would run */
	flags = local_irq_save();
	e1000_intr(a);
	local_irq_restore(flags);
}

void e1000_fault_clear(struct e1000_adapter *a)
{
	struct e1000_fault_state *f = &a->fault;
	unsigned long irqf = spin_lock_irqsave(&f->held_lock);
	struct sk_buff *held = f->held;

	WRITE_ONCE(f->held, NULL);
	spin_unlock_irqrestore(&f->held_lock, irqf);
	if (held)
		e1000_fault_free_skb(held);
	f->dd_hold = 0;
	f->exhaust_until_ns = 0;
	f->tx_stalled = false;
}
