/* The multiqueue side of ethtool (Linux igb_ethtool.c): the queues'
 * software counters summed into the device's (e1000_sw_stats_add,
 * e1000_mq_sw_add*), ethtool -S's per-queue counters, and the ops
 * -l/-L (channels: the queue count, through e1000_rebuild), -x/-X (the
 * RSS key and indirection table) and -n/-N (the hashed fields).  The
 * queues and RSS themselves are e1000_mq.c's. */
#include "drivers/net/e1000/e1000_mq.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include <string.h>

/* E1000_SW_STATS (e1000.h) names every field of struct e1000_sw_stats,
 * each a u64: a field of another type, or one the list leaves out (the
 * struct then outgrows the list), stops the build here */
#define E1000_SW_U64(f)                                                      \
	_Static_assert(__builtin_types_compatible_p(                         \
			       __typeof__(((struct e1000_sw_stats *)0)->f), u64), \
		       "e1000_sw_stats." #f ": not a u64");
E1000_SW_STATS(E1000_SW_U64, E1000_SW_U64, E1000_SW_U64)
#undef E1000_SW_U64
#define E1000_SW_ONE(f) + 1
_Static_assert(sizeof(struct e1000_sw_stats) ==
	       (0 E1000_SW_STATS(E1000_SW_ONE, E1000_SW_ONE, E1000_SW_ONE)) * sizeof(u64),
	       "e1000_sw_stats: a field E1000_SW_STATS (e1000.h) does not name");
#undef E1000_SW_ONE

/* Every counter of s added into w, field by field as E1000_SW_STATS
 * says: summed, the larger kept (tx_tso_descs_max), or left (irqs,
 * polls: a queue keeps them for its own vector).  The other interrupt,
 * link and reset counters are only ever counted in a->sw, so adding a
 * queue's zeros changes nothing. */
void e1000_sw_stats_add(struct e1000_sw_stats *w, const struct e1000_sw_stats *s)
{
#define E1000_SW_SUM(f) w->f += READ_ONCE(s->f);
#define E1000_SW_MAX(f) w->f = MAX(w->f, READ_ONCE(s->f));
#define E1000_SW_OWN(f)
	E1000_SW_STATS(E1000_SW_SUM, E1000_SW_MAX, E1000_SW_OWN)
#undef E1000_SW_SUM
#undef E1000_SW_MAX
#undef E1000_SW_OWN
}

/* the RX and TX counters of queues 1.. added into w (e1000_sw_stats_add) */
void e1000_mq_sw_add(struct e1000_adapter *a, struct e1000_sw_stats *w)
{
	for (unsigned int q = 1; q < a->max_queues; q++)
		e1000_sw_stats_add(w, &a->mq_q[q]->sw);
}

/* As e1000_mq_sw_add, each queue's counters taken under its tx_lock
 * together with the frames its TX ring holds not yet cleaned (added to
 * *frames): the queue's frames queued = its tx_packets + its ring's
 * frames at that moment, whatever its poll cleans or its CPU sends, so
 * the sums over the queues add up too (ethtool -S tx_ring_inflight).
 * Thread context; one queue's lock at a time, none held on entry. */
void e1000_mq_sw_add_tx_frames(struct e1000_adapter *a, struct e1000_sw_stats *w, u32 *frames)
{
	for (unsigned int qi = 1; qi < a->max_queues; qi++) {
		struct e1000_mq_queue *q = a->mq_q[qi];
		unsigned long irqf = spin_lock_irqsave(&q->tx_lock);

		e1000_sw_stats_add(w, &q->sw);
		/* a queue taken down (tx_up false) had its ring cleaned and
		 * freed: nothing in flight (e1000_mq_tx_down) */
		if (q->tx_up)
			*frames += e1000_tx_ring_frames(&q->tx);
		spin_unlock_irqrestore(&q->tx_lock, irqf);
	}
}

void e1000_mq_stats_reset(struct e1000_adapter *a)
{
	for (unsigned int q = 1; q < a->max_queues; q++)
		memset(&a->mq_q[q]->sw, 0, sizeof(a->mq_q[q]->sw));
	memset(a->qstats, 0, sizeof(a->qstats));
}

/* Linux igb's per-queue names (igb_ethtool.c igb_get_strings), and the
 * interrupts and polls of each queue's vector */
#define E1000_MQ_RX_STATS 5
static const char *const e1000_mq_stat_names[E1000_MQ_MAX][E1000_MQ_RX_STATS] = {
#define E1000_MQ_NAMES(n) { "rx_queue_" #n "_packets", "rx_queue_" #n "_bytes", \
			    "rx_queue_" #n "_drops", "rx_queue_" #n "_irqs", \
			    "rx_queue_" #n "_polls" }
	E1000_MQ_NAMES(0), E1000_MQ_NAMES(1), E1000_MQ_NAMES(2), E1000_MQ_NAMES(3),
	E1000_MQ_NAMES(4), E1000_MQ_NAMES(5), E1000_MQ_NAMES(6), E1000_MQ_NAMES(7),
#undef E1000_MQ_NAMES
};

static const char *const e1000_mq_tx_stat_names[E1000_MQ_MAX][3] = {
#define E1000_MQ_NAMES(n) { "tx_queue_" #n "_packets", "tx_queue_" #n "_bytes", \
			    "tx_queue_" #n "_restart" }
	E1000_MQ_NAMES(0), E1000_MQ_NAMES(1), E1000_MQ_NAMES(2), E1000_MQ_NAMES(3),
	E1000_MQ_NAMES(4), E1000_MQ_NAMES(5), E1000_MQ_NAMES(6), E1000_MQ_NAMES(7),
#undef E1000_MQ_NAMES
};

#define STAT_PUT(nm, v)                                                      \
	do {                                                                 \
		if (n < max)                                                 \
			st[n] = (struct ethtool_stat){ (nm), (v) };          \
		n++;                                                         \
	} while (0)

unsigned int e1000_mq_ethtool_stats(struct e1000_adapter *a, struct ethtool_stat *st,
				    unsigned int n, unsigned int max)
{
	unsigned int nq = a->hw.mq ? a->num_queues : 1;
	u64 mismatch = 0;

	for (unsigned int q = 0; q < E1000_MQ_MAX; q++)
		mismatch += READ_ONCE(a->qstats[q].rss_mismatch);
	for (unsigned int q = 0; q < nq; q++) {
		const struct e1000_queue_stats *s = &a->qstats[q];
		/* queue 0's vector is the adapter's own (e1000_intr/e1000_poll) */
		const u64 v[E1000_MQ_RX_STATS] = {
			s->rx_packets, s->rx_bytes, s->rx_drops,
			q ? s->irqs : a->sw.irqs, q ? s->polls : a->sw.polls,
		};

		for (unsigned int k = 0; k < E1000_MQ_RX_STATS; k++)
			STAT_PUT(e1000_mq_stat_names[q][k], v[k]);
	}
	/* Linux igb's tx_queue_N_{packets,bytes,restart}: restart is
	 * -EBUSY to the qdisc (ring full); the 82574 sends on queue 0 only */
	for (unsigned int q = 0; q < (e1000_mq_has_tx(&a->hw) ? nq : 1); q++) {
		const struct e1000_sw_stats *s = q ? &a->mq_q[q]->sw : &a->sw;

		STAT_PUT(e1000_mq_tx_stat_names[q][0], READ_ONCE(s->tx_packets));
		STAT_PUT(e1000_mq_tx_stat_names[q][1], READ_ONCE(s->tx_bytes));
		STAT_PUT(e1000_mq_tx_stat_names[q][2], READ_ONCE(s->tx_busy));
	}
	STAT_PUT("rx_rss_mismatch", mismatch);
	return n;
}

/* ---- ethtool -l/-L, -x/-X, -n/-N (Linux igb_ethtool.c) ---- */

int (*e1000_mq_irqs_hook)(struct e1000_adapter *a, unsigned int old_nq, unsigned int new_nq);

void e1000_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	struct e1000_adapter *a = netdev_priv(dev);

	memset(ch, 0, sizeof(*ch));
	if (!a->hw.mq) {
		/* one queue: the chip's only one, or no MSI-X vector per queue
		 * (MSI, INTx, napi=off, one CPU at probe): the probe log and
		 * ethtool -l's note say which */
		ch->max_combined = ch->combined_count = 1;
		ch->note = a->mq_why;
		return;
	}
	ch->max_combined = a->max_queues;
	ch->combined_count = a->num_queues;
	ch->max_other = ch->other_count = 1;    /* entry 0: link and other causes */
}

/* between e1000_rebuild's down and up: the new queue count */
static int e1000_mq_set_count(struct e1000_adapter *a, unsigned long nq)
{
	int rc = e1000_mq_irqs_hook ? e1000_mq_irqs_hook(a, a->num_queues, (unsigned int)nq) : 0;

	if (rc)
		return rc;
	a->num_queues = (u16)nq;
	WRITE_ONCE(a->netdev->real_num_rx_queues, (u16)nq);
	if (e1000_mq_has_tx(&a->hw))
		WRITE_ONCE(a->netdev->real_num_tx_queues, (u16)nq);
	a->hw.nvec = (u16)(nq + 1);
	/* Linux igb_reinit_queues: the default table for the new count,
	 * unless the user set one (which ethtool checked fits) */
	if (!a->netdev->rxfh_configured)
		e1000_mq_reta_default(a);
	return 0;
}

int e1000_set_channels(struct net_device *dev, const struct ethtool_channels *ch)
{
	struct e1000_adapter *a = netdev_priv(dev);

	/* igb_set_channels: combined only, the one other vector */
	if (ch->rx_count || ch->tx_count || ch->combined_count < 1)
		return -EINVAL;
	if (!a->hw.mq)
		return ch->combined_count == 1 && !ch->other_count ? 0 : -EINVAL;
	if (ch->other_count != 1 || ch->combined_count > a->max_queues)
		return -EINVAL;
	if (ch->combined_count == a->num_queues)
		return 0;
	return e1000_rebuild(a, e1000_mq_set_count, ch->combined_count);
}

int e1000_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (!a->hw.mq)
		return -EOPNOTSUPP;
	p->indir_size = E1000_RETA_SIZE;
	p->key_size = E1000_RSS_KEY_SIZE;
	p->rx_rings = a->num_queues;
	for (unsigned int i = 0; i < E1000_RETA_SIZE; i++)
		p->indir[i] = a->reta[i];
	memcpy(p->key, a->rss_key, E1000_RSS_KEY_SIZE);
	return 0;
}

int e1000_set_rxfh(struct net_device *dev, const struct ethtool_rxfh_param *p)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (!a->hw.mq)
		return -EOPNOTSUPP;
	if (p->set_indir) {
		if (p->indir_size != E1000_RETA_SIZE)
			return -EINVAL;
		for (unsigned int i = 0; i < E1000_RETA_SIZE; i++)
			if (p->indir[i] >= a->num_queues)
				return -EINVAL;
	}
	if (p->set_key && p->key_size != E1000_RSS_KEY_SIZE)
		return -EINVAL;
	/* the poll reads the table for rx_rss_mismatch: not in between */
	local_bh_disable();
	if (p->set_indir)
		for (unsigned int i = 0; i < E1000_RETA_SIZE; i++)
			a->reta[i] = (u8)p->indir[i];
	if (p->set_key)
		memcpy(a->rss_key, p->key, E1000_RSS_KEY_SIZE);
	if (a->running)
		e1000_mq_setup_rss(a);
	local_bh_enable();
	return 0;
}

static u32 e1000_mq_udp_bit(u32 flow_type)
{
	return flow_type == UDP_V4_FLOW ? E1000_MRQC_RSS_FIELD_IPV4_UDP : E1000_MRQC_RSS_FIELD_IPV6_UDP;
}

#define E1000_RXH_2TUPLE (RXH_IP_SRC | RXH_IP_DST)
#define E1000_RXH_4TUPLE (E1000_RXH_2TUPLE | RXH_L4_B_0_1 | RXH_L4_B_2_3)

int e1000_get_rxfh_fields(struct net_device *dev, u32 flow_type, u32 *fields)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (!a->hw.mq)
		return -EOPNOTSUPP;
	switch (flow_type) {
	case TCP_V4_FLOW:
	case TCP_V6_FLOW:
		*fields = E1000_RXH_4TUPLE;
		return 0;
	case UDP_V4_FLOW:
	case UDP_V6_FLOW:
		/* the 82574's bits 22/23 stay clear: QEMU never hashes UDP ports there */
		*fields = (a->rss_fields & e1000_mq_udp_bit(flow_type)) ? E1000_RXH_4TUPLE
									: E1000_RXH_2TUPLE;
		return 0;
	default:
		return -EINVAL;
	}
}

/* igb_set_rss_hash_opt: TCP always hashes the 4-tuple; UDP the 2-tuple
 * or the 4-tuple (MRQC bits 22/23) */
int e1000_set_rxfh_fields(struct net_device *dev, u32 flow_type, u32 fields)
{
	struct e1000_adapter *a = netdev_priv(dev);
	u32 bit;

	if (!a->hw.mq)
		return -EOPNOTSUPP;
	if (fields & ~E1000_RXH_4TUPLE)
		return -EINVAL;
	switch (flow_type) {
	case TCP_V4_FLOW:
	case TCP_V6_FLOW:
		return fields == E1000_RXH_4TUPLE ? 0 : -EINVAL;
	case UDP_V4_FLOW:
	case UDP_V6_FLOW:
		if (fields != E1000_RXH_2TUPLE && fields != E1000_RXH_4TUPLE)
			return -EINVAL;
		/* the 82574 hashes UDP by addresses only (QEMU
		 * e1000e_rss_get_hash_type has no UDP type) */
		if (fields == E1000_RXH_4TUPLE && mq_icr(&a->hw))
			return -EINVAL;
		bit = e1000_mq_udp_bit(flow_type);
		a->rss_fields = fields == E1000_RXH_4TUPLE ? a->rss_fields | bit : a->rss_fields & ~bit;
		if (a->running) {
			unsigned long irqf = spin_lock_irqsave(&a->rss_lock);

			e1000_mq_write_mrqc(a);
			spin_unlock_irqrestore(&a->rss_lock, irqf);
		}
		return 0;
	default:
		return -EINVAL;
	}
}
