/* Fault injection in the e1000 family driver (drivers/net/fault.h): the
 * slow halves of the hooks e1000.h inlines.  The hook sites:
 *
 *   e1000_clean_rx   rx_drop, rx_dup, rx_reorder, rx_corrupt on each good
 *                    frame before netdev_rx; dd_delay where DD is tested;
 *                    rx_exhaust where the RX tail moves
 *   e1000_intr       irq_lost once the cause is acknowledged
 *   e1000_tx_flush   tx_stall before the TX tail moves
 *   e1000_watchdog   irq_spurious, once per watchdog period
 *
 * What each fault does, and what is supposed to recover from it:
 *   rx_drop      the frame is not delivered; counted in rx_dropped (TCP
 *                retransmits, ping loses exactly that reply)
 *   rx_dup       delivered twice (TCP discards the duplicate)
 *   rx_reorder   copied and held; delivered after the next frame, or by
 *                the next poll once older than E1000_FAULT_HOLD_MS (the
 *                watchdog raises one)
 *   rx_corrupt   one byte past the Ethernet header XORed with 0xFF and the
 *                NIC's checksum verdict withdrawn, so the stack checks in
 *                software: one changed byte always changes the Internet
 *                checksum, the frame is dropped as a checksum error
 *   rx_exhaust   the RX tail stops moving for param ms: the device runs
 *                out of descriptors (missed packets); the watchdog moves
 *                the tail when the time is up
 *   irq_lost     the hard IRQ acknowledges the cause, unmasks and returns:
 *                the next interrupt, or the watchdog's kick, polls
 *   irq_spurious the device's vector raised with no cause: the hard IRQ
 *                answers "not mine", counted in irqs_not_ours
 *   dd_delay     a descriptor whose DD is set is not seen for param polls:
 *                the poll's look after unmasking reschedules it
 *   tx_stall     the TX tail stops moving until the rings are rebuilt: the
 *                TX watchdog (net/core/watchdog.c) resets the device
 *
 * Injections are counted per fault (fault.c) and per device (ethtool -S
 * fault_<name>). */
#include "drivers/net/e1000/e1000.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <string.h>

#define E1000_FAULT_FLIP        0xFF    /* rx_corrupt: XOR of the chosen byte */

static void e1000_fault_count(struct e1000_adapter *a, enum fault_id id)
{
	a->fault.injected[id]++;
}

bool e1000_fault_rx_slow(struct e1000_adapter *a, void *frame, unsigned int len,
			 unsigned int flags)
{
	struct e1000_fault_state *f = &a->fault;
	bool dup;

	if (fault_should_fail(FAULT_RX_DROP)) {
		e1000_fault_count(a, FAULT_RX_DROP);
		a->sw.rx_dropped++;
		return true;
	}
	if (len > ETH_HLEN && fault_should_fail(FAULT_RX_CORRUPT)) {
		e1000_fault_count(a, FAULT_RX_CORRUPT);
		((u8 *)frame)[ETH_HLEN + fault_random(FAULT_RX_CORRUPT, len - ETH_HLEN)] ^=
			E1000_FAULT_FLIP;
		/* the NIC checked the frame before the flip: its verdict no longer holds */
		flags = 0;
	}
	if (!f->holding && len <= sizeof(f->held) && fault_should_fail(FAULT_RX_REORDER)) {
		/* the buffer goes back to the device after this call: keep a copy */
		e1000_fault_count(a, FAULT_RX_REORDER);
		memcpy(f->held, frame, len);
		f->held_len = (u16)len;
		f->held_flags = flags;
		f->held_since_ns = ktime_get_ns();
		f->holding = true;
		return true;
	}
	dup = fault_should_fail(FAULT_RX_DUP);
	netdev_rx(a->netdev, frame, len, flags);
	if (dup) {
		e1000_fault_count(a, FAULT_RX_DUP);
		netdev_rx(a->netdev, frame, len, flags);
	}
	/* the held frame overtaken: it goes up after this one */
	e1000_fault_rx_flush(a, false);
	return true;
}

void e1000_fault_rx_flush(struct e1000_adapter *a, bool aged_only)
{
	struct e1000_fault_state *f = &a->fault;

	if (!f->holding)
		return;
	if (aged_only && ktime_get_ns() - f->held_since_ns < E1000_FAULT_HOLD_MS * NSEC_PER_MSEC)
		return;
	f->holding = false;
	netdev_rx(a->netdev, f->held, f->held_len, f->held_flags);
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

bool e1000_fault_irq_lost_slow(struct e1000_adapter *a)
{
	if (!fault_should_fail(FAULT_IRQ_LOST))
		return false;
	e1000_fault_count(a, FAULT_IRQ_LOST);
	/* acknowledged and forgotten: the work stays in the rings */
	e1000_irq_enable(&a->hw);
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

	f->holding = false;
	f->dd_hold = 0;
	f->exhaust_until_ns = 0;
	f->tx_stalled = false;
}
