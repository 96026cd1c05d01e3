/* The e1000 net_device_ops: open/stop (bringing the rings and the NAPI
 * instance up and down), transmit, RX filters, statistics, ring sizes and
 * interrupt throttling.  No PCI here (that is e1000_main.c), so the host
 * tests drive all of it.
 *
 * Contexts: open, stop and set_ringparam sleep-wait (napi_disable) and run
 * in process context only; start_xmit runs from any context (it masks
 * interrupts around the ring). */
#include "drivers/net/e1000/e1000.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/core/xmit.h"
#include <stdio.h>
#include <string.h>

#define E1000_TX_DRAIN_POLLS    1000    /* x 10 us for queued frames to leave before a stop */

u32 e1000_ring_default = E1000_RING_DEFAULT;

/* everything probe does once BAR0 is mapped: reset, the permanent MAC from
 * the NVM, defaults, counters zeroed.  The caller registers the netdev. */
int e1000_adapter_init(struct net_device *dev, const struct e1000_chip *chip,
		       volatile u8 *bar0, bool emulated)
{
	struct e1000_adapter *a = netdev_priv(dev);
	int rc;

	a->netdev = dev;
	a->tx_lock = (struct spinlock)SPINLOCK_INIT("e1000_tx");
	a->stats_lock = (struct spinlock)SPINLOCK_INIT("e1000_stats");
	a->rss_lock = (struct spinlock)SPINLOCK_INIT("e1000_rss");
	a->fault.held_lock = (struct spinlock)SPINLOCK_INIT("e1000_fault_held");
	e1000_hw_setup(&a->hw, chip, bar0);
	a->hw.emulated = emulated;
	rc = e1000_reset_hw(&a->hw);
	if (rc)
		return rc;
	rc = e1000_read_mac_addr(&a->hw, dev->perm_addr);
	if (rc)
		return rc;
	memcpy(dev->dev_addr, dev->perm_addr, ETH_ALEN);
	a->rx_count = a->tx_count = e1000_ring_default;
	a->itr_usecs = E1000_ITR_DEFAULT_US;
	a->itr.adaptive = e1000_adaptive_default;
	dev->netdev_ops = &e1000_netdev_ops;
	netif_napi_add(dev, &a->napi, e1000_poll);
	e1000_watchdog_init(a);
	/* offloads ethtool -K may switch, all on at probe as Linux has them:
	 * TX checksums of IPv4 and IPv6 frames and TSO on every chip (8254x
	 * SDM 3.3.6, 82574 7.2.10, 82576 7.2.2), RX verdicts where the chip
	 * really checks */
	dev->hw_features = NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_TSO;
	/* TSO over IPv6 on the 82574 and 82576 only: the 82540EM has none,
	 * and QEMU's e1000 writes the IPv6 payload length of each segment
	 * with the fixed header counted in (hw/net/e1000.c xmit_seg) */
	if (chip->type != e1000_82540)
		dev->hw_features |= NETIF_F_TSO6;
	dev->max_mtu = chip->type == e1000_82576 ? E1000_82576_MAX_MTU : E1000_MAX_MTU;
	dev->gso_max_size = E1000_TSO_MAX_SIZE;
	dev->gso_max_segs = E1000_TSO_MAX_SEGS;
	if (chip->flags & E1000_F_RX_CSUM)
		dev->hw_features |= NETIF_F_RXCSUM;
	/* VLAN tag stripping, insertion and filtering (e1000_vlan.c) */
	dev->hw_features |= e1000_vlan_hw_features(chip);
	dev->features = dev->hw_features;
	e1000_stats_reset(a);
	return 0;
}

void e1000_update_link(struct e1000_adapter *a)
{
	u32 speed;
	bool fd;

	if (e1000_check_link(&a->hw, &speed, &fd))
		netif_carrier_on(a->netdev, speed, fd);
	else
		netif_carrier_off(a->netdev);
}

static void e1000_set_rx_mode(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);

	e1000_set_rx_filters(&a->hw, dev->flags & IFF_PROMISC, dev->flags & IFF_ALLMULTI,
			     (const u8 (*)[ETH_ALEN])dev->mc_list, dev->mc_count);
	WRITE_ONCE(dev->rx_held_until_ns, a->hw.rx_held_until_ns);
}

/* ip link set mtu: RCTL.LPE (and the 82576's RLPML) follow it at once,
 * or at the next up; the rings keep their 2048-byte buffers, a longer
 * frame spans several (dev->mtu, checked against max_mtu already, is
 * set by the caller after this) */
static int e1000_change_mtu(struct net_device *dev, unsigned int mtu)
{
	struct e1000_adapter *a = netdev_priv(dev);
	struct e1000_hw *hw = &a->hw;
	u32 rctl, want;

	if (!a->running)
		return 0;
	rctl = er32(hw, E1000_RCTL);
	want = e1000_rctl_for_mtu(hw, rctl, mtu);
	if (want != rctl) {
		e1000_write_rctl(hw, want);
		WRITE_ONCE(dev->rx_held_until_ns, hw->rx_held_until_ns);
	}
	return 0;
}

/* bring the rings up with the configured sizes; the poll and interrupts last */
static int e1000_up(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	int rc = e1000_rings_alloc(a);

	if (rc)
		return rc;
	e1000_irq_setup(hw);
	if (hw->mq) {
		rc = e1000_mq_up(a);
		if (rc) {
			e1000_rings_free(a);
			return rc;
		}
	}
	/* drop causes latched while we were down, before the rings run */
	ew32(hw, E1000_ICR, er32(hw, E1000_ICR));
	if (e1000_uses_eicr(hw))
		(void)er32(hw, E1000_EICR);
	e1000_rar_set(hw, a->netdev->dev_addr, 0);
	e1000_vlan_restore(a);
	e1000_set_rx_mode(a->netdev);
	e1000_fault_clear(a);
	e1000_tx_configure(a);
	e1000_rx_configure(a);
	if (hw->mq)
		e1000_mq_rx_place_late(a);
	WRITE_ONCE(a->netdev->rx_held_until_ns, hw->rx_held_until_ns);
	e1000_set_itr(hw, a->itr_usecs);
	e1000_itr_restart(a);
	a->tx_up = true;
	a->running = true;
	napi_enable(&a->napi);
	e1000_irq_enable(hw);
	if (hw->mq)
		e1000_mq_enable(a);
	/* frames the emulator held back land as soon as the receiver is on,
	 * and their cause may have been raised before any handler would act
	 * on it: look at the ring once, as the poll does after unmasking */
	if (e1000_rx_pending(a))
		e1000_irq_raise_rx(hw);
	return 0;
}

/* the receiver is off: hand what the device already wrote to the handler,
 * in softirq-like context, so a stop loses no frame the device counted */
static void e1000_rx_drain(struct e1000_adapter *a)
{
	unsigned long irqf;

	local_bh_disable();
	WRITE_ONCE(a->in_rx, smp_processor_id() + 1);
	while (e1000_clean_rx(a, (int)a->rx.count) > 0)
		;
	e1000_fault_rx_flush(a, false);
	WRITE_ONCE(a->in_rx, 0);
	irqf = spin_lock_irqsave(&a->tx_lock);
	if (a->tx.tail_pending)
		e1000_tx_flush(a, &a->tx);
	spin_unlock_irqrestore(&a->tx_lock, irqf);
	local_bh_enable();
}

/* let the device send what is queued, so a stop drops nothing it accepted */
static void e1000_tx_drain(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	unsigned long irqf;

	if (a->tx_hung)
		return;         /* a TX timeout: the device will not send them */
	irqf = spin_lock_irqsave(&a->tx_lock);
	if (a->tx.tail_pending)
		e1000_tx_flush(a, &a->tx);
	spin_unlock_irqrestore(&a->tx_lock, irqf);
	for (int i = 0; i < E1000_TX_DRAIN_POLLS; i++) {
		if (er32(hw, hw->q.tdh) == a->tx.next_to_use)
			return;
		udelay(10);
	}
	pr_warn("%s: TX did not drain (TDH %u, TDT %u)\n", a->netdev->name,
		er32(hw, hw->q.tdh), a->tx.next_to_use);
}

/* Interrupts off, the poll stopped, the receiver off and the frames it
 * already stored delivered, TX drained, DMA off, rings freed.  Nothing the
 * device counted is lost: a resize under traffic keeps the counters of
 * device, driver and peer equal (QEMU holds frames while RCTL.EN is 0). */
static void e1000_down(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	unsigned long irqf;

	if (!a->running)
		return;
	a->running = false;             /* the hard IRQ only masks from now on */
	a->rss_stage_next = true;       /* the host may queue frames meanwhile (e1000_mq.c) */
	e1000_irq_disable(hw);
	/* a poll under way finishes first; it may have unmasked on its way out */
	napi_disable(&a->napi);
	if (hw->mq)
		e1000_mq_stop(a);
	e1000_irq_disable(hw);
	/* what the device completed goes up first, the receiver still on */
	a->rx.stopped = true;
	e1000_rx_drain(a);
	if (hw->mq)
		e1000_mq_rx_stop(a);    /* their tails too, the receiver still on */
	e1000_rx_disable(a);
	e1000_rx_drain(a);
	if (hw->mq) {
		e1000_mq_down(a);
		e1000_mq_tx_down(a);    /* while TCTL.EN still lets them send */
	}
	e1000_tx_drain(a);
	e1000_tx_disable(a);
	irqf = spin_lock_irqsave(&a->tx_lock);
	a->tx_up = false;               /* start_xmit checks it under tx_lock */
	e1000_clean_tx(a, &a->tx);
	spin_unlock_irqrestore(&a->tx_lock, irqf);
	e1000_rings_free(a);
	__atomic_store_n(&a->icr_pending, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&a->icr_due, true, __ATOMIC_RELAXED);    /* the first poll after up looks */
}

static int e1000_open(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);
	int rc = e1000_up(a);

	if (rc)
		return rc;
	rc = e1000_setup_link(&a->hw);
	if (rc)
		pr_warn("%s: PHY setup failed (%s); link may stay down\n", dev->name, errno_name(rc));
	e1000_update_link(a);
	return 0;
}

static int e1000_stop(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);

	e1000_down(a);
	e1000_stats_update(a);
	netif_carrier_off(dev);
	return 0;
}

/* The tail write is deferred only with NETDEV_TX_MORE: from an
 * rx_handler inside this CPU's poll (l2reflect: the poll writes the tail
 * once for the batch, e1000_service) and for a thread's send that allows
 * it (net/core/xmit.h, deferred tails: written by ndo_tx_flush, or by the
 * next poll).  Replies the stack sends from the poll write it at once, as
 * in Linux (tests/unit/test_e1000.c tx_replies_in_poll_write_tail_at_once
 * says why); elsewhere the tail moves now too */
static int e1000_start_xmit(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct e1000_adapter *a = netdev_priv(dev);
	unsigned long irqf;
	/* during a reset the qdisc keeps the frame (requeue) until the wake */
	int rc = READ_ONCE(a->resetting) ? -EBUSY : -ENETDOWN;
	bool in_poll = READ_ONCE(a->in_rx) == smp_processor_id() + 1;

	/* the 82574's RSS queue 1 has no TX ring: the replies of an
	 * rx_handler in its poll come here, and it writes their deferred
	 * tail at its end (e1000_mq_poll) */
	if (!in_poll && (flags & NETDEV_TX_MORE) && a->hw.mq && !e1000_mq_has_tx(&a->hw))
		in_poll = e1000_mq_tx0_in_poll(a, smp_processor_id());
	/* igb with several queues: the sending CPU's TX queue (XPS: the
	 * queues tx-N/xps_cpus gives that CPU, else cpu mod the queues; the
	 * CPU that queued it, skb->sender_cpu, or this one for a frame that
	 * did not pass the qdisc); queue 0 is the one below (the others
	 * defer their tail only in their own poll, e1000_mq_xmit) */
	if (e1000_mq_has_tx(&a->hw)) {
		unsigned int cpu = skb->sender_cpu ? skb->sender_cpu - 1u : smp_processor_id();
		unsigned int q = netdev_pick_tx_queue(dev, cpu, skb->hash,
						      READ_ONCE(a->num_queues));

		if (q)
			return e1000_mq_xmit(a, q, skb, flags);
	}
	if (!in_poll && !netdev_xmit_defer_ok())
		flags &= ~NETDEV_TX_MORE;
	/* the ring is shared with the poll and (napi=off) the hard IRQ, on
	 * any CPU */
	irqf = spin_lock_irqsave(&a->tx_lock);
	if (a->tx_up) {
		rc = e1000_xmit(a, &a->tx, skb, flags);
		if (!rc && in_poll && (flags & NETDEV_TX_MORE))
			a->sw.tx_tail_batched++;
		if (!rc && !in_poll && a->tx.tail_pending) {
			if (netdev_tx_deferred(dev))
				a->sw.tx_tail_deferred++;
			else
				e1000_tx_flush(a, &a->tx);
		}
	}
	spin_unlock_irqrestore(&a->tx_lock, irqf);
	return rc;
}

/* The TX-done cause a tail write raises, where the driver can hold it
 * back by itself: TXDW in ICR (8254x, and the 82574 and 82576 in MSI or
 * INTx), TXQ0 on the 82574 in MSI-X mode; 0 where it rides a vector
 * with the receive queue's (the 82576 in MSI-X mode, EICR) or several
 * queues share the device (multiqueue). */
u32 e1000_tx_done_cause(const struct e1000_hw *hw)
{
	if (hw->mq || e1000_uses_eicr(hw))
		return 0;
	return hw->msix ? E1000_ICR_TXQ0 : E1000_ICR_TXDW;
}

int e1000_tx_reap_ack(struct e1000_adapter *a, u32 cause)
{
	int cleaned = e1000_clean_tx(a, &a->tx);

	if (a->tx.next_to_clean == a->tx.next_to_use && cleaned) {
		/* with TXDW the device also set TXQE (the ring ran empty; not
		 * an interrupt cause of ours): left in ICR it would make the
		 * next interrupt with no cause of its own look like ours */
		ew32(&a->hw, E1000_ICR, cause == E1000_ICR_TXDW ? cause | E1000_ICR_TXQE : cause);
		a->sw.tx_done_reaped++;
	}
	return cleaned;
}

/* The cause a thread's flush holds back around its tail write:
 * e1000_tx_done_cause's, or on the 82576 in MSI-X mode with one queue the
 * vector's EICR bit, which TX queue 0's completions share with RX queue 0
 * and the other causes (IVAR0, IVAR_MISC: everything on vector 0). */
static u32 e1000_flush_cause(const struct e1000_hw *hw)
{
	if (!hw->mq && e1000_uses_eicr(hw))
		return hw->eims_rx0;
	return e1000_tx_done_cause(hw);
}

/* The 82576 in MSI-X mode (tx_lock held, the vector's bit masked): reap,
 * and with nothing left in flight clear the vector's EICR bit, then give
 * back what shares it.  QEMU's igb sends a message only for an EICR bit
 * that turns pending while unmasked (igb_raise_interrupts), so a bit left
 * set would fire at the unmask, an interrupt whose poll only reaps.  A
 * frame RX queue 0 took meanwhile, or another cause (the link: ICR, which
 * GPIE.NSICR clears on read, passed on to the poll as the hard IRQ does),
 * set the bit again through EICS, so the unmask interrupts for it as
 * before; one that comes after the look sets the bit itself.  The ring
 * causes in ICR are not passed on: the poll works from the rings, and a
 * frame the last poll took leaves RXT0 behind. */
static int e1000_tx_reap_ack_eicr(struct e1000_adapter *a, u32 bit)
{
	struct e1000_hw *hw = &a->hw;
	int cleaned = e1000_clean_tx(a, &a->tx);
	u32 icr;

	if (a->tx.next_to_clean != a->tx.next_to_use || !cleaned)
		return cleaned;
	ew32(hw, E1000_EICR, bit);
	a->sw.tx_done_reaped++;
	icr = er32(hw, E1000_ICR) & ~(E1000_ICR_TXDW | E1000_ICR_TXQE | E1000_ICR_RXT0 |
				      E1000_ICR_RXDMT0 | E1000_ICR_RXO);
	if (icr)
		__atomic_fetch_or(&a->icr_pending, icr, __ATOMIC_RELEASE);
	if (icr || e1000_rx_pending(a))
		ew32(hw, E1000_EICS, bit);
	return cleaned;
}

/* ndo_tx_flush: the tail a thread's send left, written without a TX-done
 * interrupt where the driver can hold the cause back.  Under QEMU the
 * tail write runs the device's transmit synchronously and raises TX-done
 * at once: from a thread (the poll is over, the interrupt unmasked) that
 * is an interrupt per flush, whose poll only reaps the ring, and which
 * starts the device's throttle interval (ITR; QEMU's e1000 and e1000e
 * hold the next interrupt at least 128 us after it), so the next
 * request's RX interrupt waits behind it while the CPU sits halted.  So
 * the cause is masked around the write, what completed is reaped here,
 * the cause acknowledged when nothing is left in flight, and unmasked:
 * a device that has not finished (real hardware) keeps its cause pending
 * and interrupts as before.  The 82576 in MSI-X mode masks its vector
 * (EIMC/EIMS; e1000_tx_reap_ack_eicr).  Not while the napi is scheduled:
 * the device is masked for its poll, which reaps. */
static void e1000_tx_flush_deferred(struct net_device *dev)
{
	struct e1000_adapter *a = netdev_priv(dev);
	struct e1000_hw *hw = &a->hw;
	unsigned long irqf = spin_lock_irqsave(&a->tx_lock);
	bool eicr = e1000_uses_eicr(hw);
	u32 cause = 0;
	int cleaned;

	if (a->tx_up && a->tx.tail_pending) {
		if (napi_enabled && !napi_is_scheduled(&a->napi))
			cause = e1000_flush_cause(hw);
		if (cause)
			ew32(hw, eicr ? E1000_EIMC : E1000_IMC, cause);
		e1000_tx_flush_batch(a, &a->tx);      /* the journey's TX_TAIL stamps too */
	}
	spin_unlock_irqrestore(&a->tx_lock, irqf);
	if (!cause)
		return;
	/* reaped as the poll does (bottom halves off, interrupts on: skbs
	 * freed at once, no NET_TX raised for them) */
	local_bh_disable();
	spin_lock(&a->tx_lock);
	if (!a->tx_up) {                /* went down meanwhile: stays masked */
		spin_unlock(&a->tx_lock);
		local_bh_enable();
		return;
	}
	cleaned = eicr ? e1000_tx_reap_ack_eicr(a, cause) : e1000_tx_reap_ack(a, cause);
	ew32(hw, eicr ? E1000_EIMS : E1000_IMS, cause);
	spin_unlock(&a->tx_lock);
	if (cleaned)
		netif_tx_wake(dev);
	local_bh_enable();
}

int e1000_reinit(struct e1000_adapter *a)
{
	struct net_device *dev = a->netdev;
	u64 t0 = ktime_get_ns();
	int rc;

	if (!a->running)
		return -ENETDOWN;
	WRITE_ONCE(a->resetting, true);
	e1000_down(a);
	/* the reset clears the counters: fold them first, and restart the
	 * emulator's sticky ones from zero (e1000_stats.c) */
	e1000_stats_update(a);
	rc = e1000_reset_hw(&a->hw);
	memset(a->stats_last, 0, sizeof(a->stats_last));
	if (!rc)
		rc = e1000_up(a);
	if (!rc && e1000_setup_link(&a->hw))
		pr_warn("%s: PHY setup failed after reset; link may stay down\n", dev->name);
	a->tx_hung = false;
	WRITE_ONCE(a->resetting, false);
	a->sw.resets++;
	if (rc) {
		pr_err("%s: reset failed (%s); device down\n", dev->name, errno_name(rc));
		netif_carrier_off(dev);
		return rc;
	}
	e1000_update_link(a);
	/* frames the qdisc held back during the reset go now */
	netif_tx_wake(dev);
	pr_info("%s: reset done in %llu us\n", dev->name,
		(unsigned long long)((ktime_get_ns() - t0) / NSEC_PER_USEC));
	return 0;
}

int e1000_rebuild(struct e1000_adapter *a, int (*change)(struct e1000_adapter *a, unsigned long arg),
		  unsigned long arg)
{
	bool was_up = a->running;
	int rc;

	if (was_up)
		e1000_down(a);
	rc = change(a, arg);
	if (was_up) {
		int up = e1000_up(a);

		if (up) {
			pr_err("%s: rings did not come back up (%s); device down\n", a->netdev->name,
			       errno_name(up));
			netif_carrier_off(a->netdev);
			return up;
		}
		e1000_update_link(a);
		netif_tx_wake(a->netdev);
	}
	return rc;
}

static void e1000_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	e1000_stats_fill(netdev_priv(dev), s);
}

static void e1000_get_ringparam(struct net_device *dev, struct ethtool_ringparam *r)
{
	struct e1000_adapter *a = netdev_priv(dev);

	*r = (struct ethtool_ringparam){
		.rx_max_pending = E1000_RING_MAX, .tx_max_pending = E1000_RING_MAX,
		.rx_pending = a->rx_count, .tx_pending = a->tx_count,
	};
}

/* new sizes take a full down/up of the rings; on failure the old sizes return */
static int e1000_set_ringparam(struct net_device *dev, const struct ethtool_ringparam *r)
{
	struct e1000_adapter *a = netdev_priv(dev);
	u32 old_rx = a->rx_count, old_tx = a->tx_count;
	int rc;

	if (e1000_valid_ring_size(r->rx_pending) || e1000_valid_ring_size(r->tx_pending) ||
	    r->rx_mini_pending || r->rx_jumbo_pending)
		return -EINVAL;
	if (r->rx_pending == old_rx && r->tx_pending == old_tx)
		return 0;
	if (!a->running) {
		a->rx_count = r->rx_pending;
		a->tx_count = r->tx_pending;
		return 0;
	}
	e1000_down(a);
	a->rx_count = r->rx_pending;
	a->tx_count = r->tx_pending;
	rc = e1000_up(a);
	if (rc) {
		a->rx_count = old_rx;
		a->tx_count = old_tx;
		if (e1000_up(a))
			pr_err("%s: cannot restore the old rings; device down\n", dev->name);
	}
	pr_info("%s: rings rx %u tx %u%s\n", dev->name, a->rx_count, a->tx_count,
		rc ? " (resize failed, old sizes kept)" : "");
	return rc;
}

static void e1000_get_coalesce(struct net_device *dev, struct ethtool_coalesce *ec)
{
	struct e1000_adapter *a = netdev_priv(dev);

	/* one throttle for both directions, reported once, as Linux e1000;
	 * with adaptive-rx on, the interval the algorithm chose last */
	*ec = (struct ethtool_coalesce){
		.rx_coalesce_usecs = READ_ONCE(a->itr_usecs),
		.use_adaptive_rx_coalesce = a->itr.adaptive,
	};
}

/* One throttle for RX and TX (ITR, or EITR(0)): tx equal to rx or 0.
 * adaptive-rx on: rx-usecs is where the algorithm starts; off: rx-usecs
 * is the fixed interval (unchanged, the one adaptive chose last). */
static int e1000_set_coalesce(struct net_device *dev, const struct ethtool_coalesce *ec)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (ec->rx_coalesce_usecs > E1000_ITR_MAX_US ||
	    (ec->tx_coalesce_usecs && ec->tx_coalesce_usecs != ec->rx_coalesce_usecs) ||
	    ec->use_adaptive_rx_coalesce > 1)
		return -EINVAL;
	if (ec->use_adaptive_tx_coalesce)
		return -EOPNOTSUPP;
	/* the poll adapts the throttle in NET_RX: not in between */
	local_bh_disable();
	a->itr_usecs = ec->rx_coalesce_usecs;
	if (a->running)
		e1000_set_itr(&a->hw, a->itr_usecs);
	e1000_itr_restart(a);
	e1000_itr_set_adaptive(a, ec->use_adaptive_rx_coalesce);
	local_bh_enable();
	return 0;
}

static int e1000_get_hw_stats(struct net_device *dev, char *buf, size_t size)
{
	struct e1000_adapter *a = netdev_priv(dev);
	const struct e1000_hw_stats *h = &a->hs;

	e1000_stats_update(a);
	return snprintf(buf, size, "gprc=%llu gptc=%llu gorc=%llu gotc=%llu tpr=%llu tpt=%llu "
			"mpc=%llu rnbc=%llu crcerrs=%llu ruc=%llu roc=%llu irqs=%llu irqs_not_ours=%llu "
			"irqs_raised=%llu polls=%llu tx_busy=%llu rx_csum_offloaded=%llu "
			"tx_csum_offloaded=%llu rx_ring=%u tx_ring=%u",
			(unsigned long long)h->gprc, (unsigned long long)h->gptc,
			(unsigned long long)h->gorc, (unsigned long long)h->gotc,
			(unsigned long long)h->tpr, (unsigned long long)h->tpt,
			(unsigned long long)h->mpc, (unsigned long long)h->rnbc,
			(unsigned long long)h->crcerrs, (unsigned long long)h->ruc,
			(unsigned long long)h->roc, (unsigned long long)a->sw.irqs,
			(unsigned long long)a->sw.irqs_not_ours,
			(unsigned long long)a->sw.irqs_raised, (unsigned long long)a->sw.polls,
			(unsigned long long)a->sw.tx_busy, (unsigned long long)a->sw.rx_csum_offloaded,
			(unsigned long long)a->sw.tx_csum_offloaded, a->rx_count, a->tx_count);
}

void (*e1000_drvinfo_hook)(struct net_device *dev, struct ethtool_drvinfo *info);

/* Linux's driver for each chip, so that tools keyed on it work */
static void e1000_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	struct e1000_adapter *a = netdev_priv(dev);
	static const char *const names[] = {
		[e1000_82540] = "e1000", [e1000_82574] = "e1000e", [e1000_82576] = "igb",
	};

	snprintf(info->driver, sizeof(info->driver), "%s", names[a->hw.chip->type]);
	if (e1000_drvinfo_hook)
		e1000_drvinfo_hook(dev, info);
}

const struct net_device_ops e1000_netdev_ops = {
	.ndo_open = e1000_open,
	.ndo_stop = e1000_stop,
	.ndo_start_xmit = e1000_start_xmit,
	.ndo_set_rx_mode = e1000_set_rx_mode,
	.ndo_change_mtu = e1000_change_mtu,
	.ndo_get_stats64 = e1000_get_stats64,
	.ndo_get_ringparam = e1000_get_ringparam,
	.ndo_set_ringparam = e1000_set_ringparam,
	.ndo_get_coalesce = e1000_get_coalesce,
	.ndo_set_coalesce = e1000_set_coalesce,
	.ndo_get_hw_stats = e1000_get_hw_stats,
	.ndo_get_ethtool_stats = e1000_get_ethtool_stats,
	.ndo_get_drvinfo = e1000_get_drvinfo,
	.ndo_fix_features = e1000_fix_features,
	.ndo_set_features = e1000_set_features,
	.ndo_vlan_rx_add_vid = e1000_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid = e1000_vlan_rx_kill_vid,
	.ndo_tx_inflight = e1000_tx_inflight,
	.ndo_tx_flush = e1000_tx_flush_deferred,
	.ndo_tx_timeout = e1000_tx_timeout,
	.ndo_watchdog = e1000_watchdog,
	.ndo_reset = e1000_reset,
	.ndo_get_channels = e1000_get_channels,
	.ndo_set_channels = e1000_set_channels,
	.ndo_get_rxfh = e1000_get_rxfh,
	.ndo_set_rxfh = e1000_set_rxfh,
	.ndo_get_rxfh_fields = e1000_get_rxfh_fields,
	.ndo_set_rxfh_fields = e1000_set_rxfh_fields,
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_USECS |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
};
