/* Hardware statistics: 32-bit clear-on-read registers (8254x SDM 13.7;
 * 82574 10.2.7; 82576 8.19) accumulated into the 64-bit counters of
 * struct e1000_hw_stats, and the rtnl_link_stats64 view of them.
 *
 * QEMU's models (hw/net/e1000.c, e1000e_core.c, igb_core.c) clear only
 * the packet/octet counters on read (GPRC, GPTC, TPR, TPT, GORC, GOTC, TOR,
 * TOT, PRCxx/PTCxx, BPRC, MPRC, BPTC, MPTC, RUC, ROC, TSCTC); CRCERRS..MPC,
 * RNBC and the other error counters keep counting from the last reset.  On
 * the emulator (hw->emulated) those are accumulated as differences from the
 * previous raw value instead. */
#include "drivers/net/e1000/e1000.h"
#include <string.h>

struct e1000_stat_reg {
	u32 reg;                /* the register, or the low half of a pair */
	u16 offset;             /* into struct e1000_hw_stats */
	u8 pair;                /* 64-bit low/high pair: read low, then high */
	u8 emu_cor;             /* QEMU clears it on read too */
};

#define STAT(r, f, p, c) { E1000_##r, offsetof(struct e1000_hw_stats, f), p, c }

static const struct e1000_stat_reg e1000_stat_regs[E1000_STATS_REGS] = {
	STAT(CRCERRS, crcerrs, 0, 0),   STAT(ALGNERRC, algnerrc, 0, 0),
	STAT(SYMERRS, symerrs, 0, 0),   STAT(RXERRC, rxerrc, 0, 0),
	STAT(MPC, mpc, 0, 0),           STAT(SCC, scc, 0, 0),
	STAT(ECOL, ecol, 0, 0),         STAT(MCC, mcc, 0, 0),
	STAT(LATECOL, latecol, 0, 0),   STAT(COLC, colc, 0, 0),
	STAT(DC, dc, 0, 0),             STAT(TNCRS, tncrs, 0, 0),
	STAT(SEC, sec, 0, 0),           STAT(CEXTERR, cexterr, 0, 0),
	STAT(RLEC, rlec, 0, 0),         STAT(XONRXC, xonrxc, 0, 0),
	STAT(XONTXC, xontxc, 0, 0),     STAT(XOFFRXC, xoffrxc, 0, 0),
	STAT(XOFFTXC, xofftxc, 0, 0),   STAT(FCRUC, fcruc, 0, 0),
	STAT(GPRC, gprc, 0, 1),         STAT(BPRC, bprc, 0, 1),
	STAT(MPRC, mprc, 0, 1),         STAT(GPTC, gptc, 0, 1),
	STAT(GORCL, gorc, 1, 1),        STAT(GOTCL, gotc, 1, 1),
	STAT(RNBC, rnbc, 0, 0),         STAT(RUC, ruc, 0, 1),
	STAT(RFC, rfc, 0, 0),           STAT(ROC, roc, 0, 1),
	STAT(RJC, rjc, 0, 0),           STAT(TORL, tor, 1, 1),
	STAT(TOTL, tot, 1, 1),          STAT(TPR, tpr, 0, 1),
	STAT(TPT, tpt, 0, 1),           STAT(MPTC, mptc, 0, 1),
	STAT(BPTC, bptc, 0, 1),
};

/* read every counter once and add what it counted since the last read;
 * stats_lock held */
static void e1000_stats_fold(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	if (er32(hw, E1000_STATUS) == E1000_REG_GONE)
		return;
	for (unsigned int i = 0; i < E1000_STATS_REGS; i++) {
		const struct e1000_stat_reg *s = &e1000_stat_regs[i];
		u64 *acc = (u64 *)((u8 *)&a->hs + s->offset);
		u64 v = er32(hw, s->reg);

		if (s->pair)
			v |= (u64)er32(hw, s->reg + 4) << 32;   /* high read clears both */
		if (hw->emulated && !s->emu_cor) {
			u32 raw = (u32)v;

			v = (u32)(raw - a->stats_last[i]);      /* modulo 2^32, as the register wraps */
			a->stats_last[i] = raw;
		}
		*acc += v;
	}
}

void e1000_stats_update(struct e1000_adapter *a)
{
	/* the poll (on the interrupt's CPU) and the views (any CPU) both
	 * fold: a register read once must be added once */
	unsigned long flags = spin_lock_irqsave(&a->stats_lock);

	e1000_stats_fold(a);
	spin_unlock_irqrestore(&a->stats_lock, flags);
}

/* forget the accumulated counts (the registers are read and dropped) */
void e1000_stats_reset(struct e1000_adapter *a)
{
	unsigned long flags = spin_lock_irqsave(&a->stats_lock);

	e1000_stats_fold(a);
	memset(&a->hs, 0, sizeof(a->hs));
	memset(&a->sw, 0, sizeof(a->sw));
	e1000_mq_stats_reset(a);
	spin_unlock_irqrestore(&a->stats_lock, flags);
}

/* the Linux meaning of each field, from hardware and driver counters; the
 * driver counts errors only for frames the device stored (RCTL.SBP), so the
 * two sources do not overlap in normal operation */
void e1000_sw_total(struct e1000_adapter *a, struct e1000_sw_stats *out)
{
	*out = a->sw;
	e1000_mq_sw_add(a, out);
}

void e1000_stats_fill(struct e1000_adapter *a, struct rtnl_link_stats64 *s)
{
	const struct e1000_hw_stats *h = &a->hs;
	struct e1000_sw_stats total;
	const struct e1000_sw_stats *w = &total;

	e1000_stats_update(a);
	e1000_sw_total(a, &total);
	memset(s, 0, sizeof(*s));
	s->rx_packets = w->rx_packets;
	s->tx_packets = w->tx_packets;
	s->rx_bytes = w->rx_bytes;
	s->tx_bytes = w->tx_bytes;
	s->multicast = h->mprc;
	s->collisions = h->colc;
	s->rx_crc_errors = h->crcerrs + w->rx_crc_errors;
	s->rx_frame_errors = h->algnerrc + w->rx_frame_errors;
	s->rx_length_errors = h->rlec + h->ruc + h->roc + w->rx_length_errors;
	s->rx_missed_errors = h->mpc;
	s->rx_errors = h->rxerrc + h->crcerrs + h->algnerrc + h->ruc + h->roc + h->cexterr +
		       w->rx_crc_errors + w->rx_frame_errors + w->rx_length_errors;
	s->rx_dropped = w->rx_dropped;
	s->tx_aborted_errors = h->ecol;
	s->tx_window_errors = h->latecol;
	s->tx_carrier_errors = h->tncrs;
	/* a TX timeout is a transmit error, as most Linux drivers count it */
	s->tx_errors = h->ecol + h->latecol + w->tx_timeouts;
}

/* One ethtool -S line; n counts every counter, stored or not. */
#define STAT_ADD(nm, v)                                                      \
	do {                                                                 \
		if (n < max)                                                 \
			st[n] = (struct ethtool_stat){ (nm), (v) };          \
		n++;                                                         \
	} while (0)

int e1000_get_ethtool_stats(struct net_device *dev, struct ethtool_stat *st, unsigned int max)
{
	struct e1000_adapter *a = netdev_priv(dev);
	const struct e1000_hw_stats *h = &a->hs;
	struct e1000_sw_stats total;
	const struct e1000_sw_stats *w = &total;
	struct rtnl_link_stats64 s;
	unsigned long irqf;
	unsigned int n = 0;
	u32 tx_inflight;

	e1000_stats_fill(a, &s);        /* folds the registers in first */
	/* each TX queue's counters and its ring's frames of one moment, under
	 * its own lock: queued = tx_packets + tx_ring_inflight exactly,
	 * whatever a poll cleans.  Queue 0 here, the igb's queues 1.. (their
	 * CPUs' sends) in e1000_mq_sw_add_tx_frames.  (Before: queues 1..'s
	 * counters were added without their locks and their rings' frames
	 * left out, so a frame on TX queue 1 not yet cleaned at one read and
	 * cleaned by the next put test_zerocopy[igb] one frame out.) */
	irqf = spin_lock_irqsave(&a->tx_lock);
	total = a->sw;
	tx_inflight = e1000_tx_ring_frames(&a->tx);
	spin_unlock_irqrestore(&a->tx_lock, irqf);
	e1000_mq_sw_add_tx_frames(a, &total, &tx_inflight);
	s.tx_packets = total.tx_packets;
	s.tx_bytes = total.tx_bytes;
	/* the netdev counters and Linux e1000's names for the registers */
	STAT_ADD("rx_packets", s.rx_packets);
	STAT_ADD("tx_packets", s.tx_packets);
	STAT_ADD("rx_bytes", s.rx_bytes);
	STAT_ADD("tx_bytes", s.tx_bytes);
	STAT_ADD("rx_broadcast", h->bprc);
	STAT_ADD("tx_broadcast", h->bptc);
	STAT_ADD("rx_multicast", h->mprc);
	STAT_ADD("tx_multicast", h->mptc);
	STAT_ADD("rx_errors", s.rx_errors);
	STAT_ADD("tx_errors", s.tx_errors);
	STAT_ADD("rx_dropped", s.rx_dropped);
	STAT_ADD("multicast", s.multicast);
	STAT_ADD("collisions", s.collisions);
	STAT_ADD("rx_length_errors", s.rx_length_errors);
	STAT_ADD("rx_crc_errors", s.rx_crc_errors);
	STAT_ADD("rx_frame_errors", s.rx_frame_errors);
	STAT_ADD("rx_no_buffer_count", h->rnbc);
	STAT_ADD("rx_missed_errors", h->mpc);
	STAT_ADD("tx_aborted_errors", s.tx_aborted_errors);
	STAT_ADD("tx_carrier_errors", s.tx_carrier_errors);
	STAT_ADD("tx_window_errors", s.tx_window_errors);
	STAT_ADD("tx_abort_late_coll", h->latecol);
	STAT_ADD("tx_deferred_ok", h->dc);
	STAT_ADD("tx_single_coll_ok", h->scc);
	STAT_ADD("tx_multi_coll_ok", h->mcc);
	STAT_ADD("rx_long_length_errors", h->roc);
	STAT_ADD("rx_short_length_errors", h->ruc);
	STAT_ADD("rx_align_errors", h->algnerrc);
	STAT_ADD("rx_flow_control_xon", h->xonrxc);
	STAT_ADD("rx_flow_control_xoff", h->xoffrxc);
	STAT_ADD("tx_flow_control_xon", h->xontxc);
	STAT_ADD("tx_flow_control_xoff", h->xofftxc);
	STAT_ADD("rx_long_byte_count", h->gorc);
	STAT_ADD("rx_csum_offload_good", w->rx_csum_offloaded);
	/* registers Linux folds into the above, shown on their own */
	STAT_ADD("rx_symbol_errors", h->symerrs);
	STAT_ADD("rx_receive_errors", h->rxerrc);
	STAT_ADD("rx_sequence_errors", h->sec);
	STAT_ADD("rx_carrier_ext_errors", h->cexterr);
	STAT_ADD("rx_length_field_errors", h->rlec);
	STAT_ADD("rx_flow_control_unsupported", h->fcruc);
	STAT_ADD("rx_fragment_errors", h->rfc);
	STAT_ADD("rx_jabber_errors", h->rjc);
	STAT_ADD("rx_good_packets", h->gprc);
	STAT_ADD("tx_good_packets", h->gptc);
	STAT_ADD("tx_good_bytes", h->gotc);
	STAT_ADD("rx_total_packets", h->tpr);
	STAT_ADD("tx_total_packets", h->tpt);
	STAT_ADD("rx_total_bytes", h->tor);
	STAT_ADD("tx_total_bytes", h->tot);
	STAT_ADD("tx_excessive_collisions", h->ecol);
	STAT_ADD("tx_no_crs", h->tncrs);
	/* the driver's own */
	STAT_ADD("tx_csum_offload", w->tx_csum_offloaded);
	STAT_ADD("tx_csum_offload_ipv6", w->tx_csum_ipv6);
	STAT_ADD("tx_csum_offload_udp", w->tx_csum_udp);
	/* TSO: tx_tso_descs / tx_tso_sends is the descriptors per send */
	STAT_ADD("tx_tso_sends", w->tx_tso_sends);
	STAT_ADD("tx_tso6_sends", w->tx_tso6_sends);
	STAT_ADD("tx_tso_segments", w->tx_tso_segments);
	STAT_ADD("tx_tso_descs", w->tx_tso_descs);
	STAT_ADD("tx_tso_descs_max", w->tx_tso_descs_max);
	STAT_ADD("tx_tso_dropped", w->tx_tso_dropped);
	/* VLAN offloads: tags the chip took out / put in, and frames with a
	 * tag dropped because the chip no longer put tags in */
	STAT_ADD("rx_vlan_stripped", w->rx_vlan_stripped);
	STAT_ADD("tx_vlan_inserted", w->tx_vlan_inserted);
	STAT_ADD("tx_vlan_dropped", w->tx_vlan_dropped);
	STAT_ADD("tx_busy", w->tx_busy);
	STAT_ADD("interrupts", w->irqs);
	STAT_ADD("napi_polls", w->polls);
	STAT_ADD("link_changes", w->link_changes);
	STAT_ADD("itr_changes", a->itr.changes);
	/* the throttle off for lone frames (e1000_itr.c): now (0/1), times */
	STAT_ADD("itr_off", READ_ONCE(a->itr.off));
	STAT_ADD("itr_lone_offs", a->itr.lone_offs);
	/* the core's count, which dev_get_stats adds to ours (Linux does the same) */
	STAT_ADD("rx_nohandler", READ_ONCE(dev->rx_nohandler));
	/* zero copy: rx_zc_frames + rx_copied_frames + rx_alloc_failed are
	 * the good frames; tx_zc_frames + tx_linearized are the frames sent */
	STAT_ADD("rx_zc_frames", w->rx_zc_frames);
	STAT_ADD("rx_copied_frames", w->rx_copied_frames);
	STAT_ADD("rx_alloc_failed", w->rx_alloc_failed);
	/* jumbo frames: good frames that spanned several buffers, and those buffers */
	STAT_ADD("rx_multi_buf_frames", w->rx_multi_buf_frames);
	STAT_ADD("rx_multi_buf_bufs", w->rx_multi_buf_bufs);
	STAT_ADD("rx_pool_size", a->rx.pool ? a->rx.pool->size : 0);
	STAT_ADD("rx_pool_free", a->rx.pool ? READ_ONCE(a->rx.pool->nfree) : 0);
	STAT_ADD("rx_pool_lent", a->rx.pool ? READ_ONCE(a->rx.pool->lent) : 0);
	/* ring fill: frames waiting for the poll, descriptors in flight */
	STAT_ADD("rx_ring_ready", e1000_rx_ready(a));
	STAT_ADD("tx_ring_used", a->tx.count ? a->tx.count - 1 - e1000_tx_unused(&a->tx) : 0);
	/* frames in those descriptors, in tx_packets' unit (TSO: segments):
	 * tx_zc_frames + tx_linearized + tx_tso_segments - tx_tso_sends =
	 * tx_packets + tx_ring_inflight (reset and teardown aside) */
	STAT_ADD("tx_ring_inflight", tx_inflight);
	STAT_ADD("tx_zc_frames", w->tx_zc_frames);
	STAT_ADD("tx_linearized", w->tx_linearized);
	STAT_ADD("tx_sg_segments", w->tx_sg_segments);
	STAT_ADD("tx_tail_deferred", w->tx_tail_deferred);
	STAT_ADD("tx_tail_batched", w->tx_tail_batched);
	STAT_ADD("tx_done_reaped", w->tx_done_reaped);
	STAT_ADD("tx_timeout_count", w->tx_timeouts);
	STAT_ADD("resets", w->resets);
	STAT_ADD("irq_kicks", w->irq_kicks);
	STAT_ADD("irqs_not_ours", w->irqs_not_ours);
	STAT_ADD("rx_rss_staged_opens", w->rss_staged_opens);
	/* faults injected on this device (drivers/net/fault.h) */
	STAT_ADD("fault_rx_drop", a->fault.injected[FAULT_RX_DROP]);
	STAT_ADD("fault_rx_dup", a->fault.injected[FAULT_RX_DUP]);
	STAT_ADD("fault_rx_reorder", a->fault.injected[FAULT_RX_REORDER]);
	STAT_ADD("fault_rx_corrupt", a->fault.injected[FAULT_RX_CORRUPT]);
	STAT_ADD("fault_rx_exhaust", a->fault.injected[FAULT_RX_EXHAUST]);
	STAT_ADD("fault_irq_lost", a->fault.injected[FAULT_IRQ_LOST]);
	STAT_ADD("fault_irq_spurious", a->fault.injected[FAULT_IRQ_SPURIOUS]);
	STAT_ADD("fault_dd_delay", a->fault.injected[FAULT_DD_DELAY]);
	STAT_ADD("fault_tx_stall", a->fault.injected[FAULT_TX_STALL]);
	STAT_ADD("fault_rx_stop_gap", a->fault.injected[FAULT_RX_STOP_GAP]);
	/* igb and e1000e: per-queue counters (e1000_mq.c) */
	if (a->hw.chip->max_rss_queues > 1)
		n = e1000_mq_ethtool_stats(a, st, n, max);
	return (int)n;
}
