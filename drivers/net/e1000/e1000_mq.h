/* The multiqueue driver's internals, shared by its two halves and by no
 * other file: e1000_mq.c (the datapath: routing, RSS setup, poll,
 * interrupts, transmit, up/down) and e1000_mq_ethtool.c (the per-queue
 * counters and ethtool -S, -l/-L, -x/-X, -n/-N).  What the rest of the
 * driver calls is in e1000.h. */
#ifndef DRIVERS_NET_E1000_MQ_H
#define DRIVERS_NET_E1000_MQ_H

#include "drivers/net/e1000/e1000.h"

#define E1000_MQ_IRQ_NAME       (IFNAMSIZ + 12)

struct e1000_mq_queue {
	struct e1000_adapter *a;
	struct e1000_rx_ring rx;        /* queue > 0 (queue 0's is a->rx) */
	struct napi_struct napi;        /* queue > 0 (queue 0's is a->napi) */
	struct e1000_sw_stats sw;       /* its RX and TX counters (queue > 0), kept across rebuilds */
	struct e1000_tx_ring tx;        /* queue > 0 (queue 0's is a->tx) */
	/* guards tx (the ring, its slots, tail_pending, ctx_key), tx_up and
	 * the TX counters of sw: start_xmit on the CPUs that map to this
	 * queue (thread or softirq: irqsave), this queue's poll (softirq on
	 * its vector's CPU: interrupts on, no hard IRQ takes it with
	 * napi=on), napi=off's hard IRQ (interrupts off), e1000_mq_tx_down,
	 * ethtool -S (thread: irqsave, e1000_mq_sw_add_tx_frames; no other
	 * lock held) */
	struct spinlock tx_lock;
	bool tx_up;                     /* ring usable by start_xmit; under tx_lock */
	/* CPU number + 1 of the CPU whose poll of this queue hands its frames
	 * up now (0: none): an rx_handler's reply with NETDEV_TX_MORE on this
	 * TX queue from that CPU defers the tail, which the poll writes once
	 * at its end (as a->in_rx for queue 0) */
	u32 in_rx;
	u16 index;
	u32 eims;                       /* its vector's EICR/EIMS bit */
	char irq_name[E1000_MQ_IRQ_NAME];
};

/* the 82574: queue causes in ICR/IMS routed by IVAR, not EICR/EIMS */
static inline bool mq_icr(const struct e1000_hw *hw)
{
	return hw->chip->flags & E1000_F_MSIX_IVAR;
}

/* Linux's default table (igb_setup_mrqc) for a->num_queues */
void e1000_mq_reta_default(struct e1000_adapter *a);
/* MRQC as a->rss_fields and a->rss_staged say; rss_lock held */
void e1000_mq_write_mrqc(struct e1000_adapter *a);
/* RSSRK, RETA, RXCSUM.PCSD and MRQC from a->rss_key, a->reta, a->rss_fields */
void e1000_mq_setup_rss(struct e1000_adapter *a);

#endif
