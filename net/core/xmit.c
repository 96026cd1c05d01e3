/* dev_queue_xmit() and the per-device FIFO qdisc with ring backpressure;
 * the contract is in net/core/xmit.h. */
#include "net/core/xmit.h"
#include "net/core/dev.h"
#include "kernel/x86.h"
#include "kernel/preempt.h"
#include "drivers/net/netdevice.h"
#include "net/core/capture.h"
#include "net/core/journey.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qdisc {
	struct net_device *dev;          /* NULL: slot free */
	/* q, requeued, running, stats; thread and softirq (NET_TX), with
	 * softirqs off on this CPU while held (bh) */
	struct spinlock lock;
	struct sk_buff_head q;           /* waiting frames, oldest first */
	struct sk_buff *requeued;        /* refused by a full ring: goes first */
	bool running;                    /* a runner is sending from it */
	bool scheduled;                  /* on the output queue for NET_TX */
	struct qdisc *next_sched;        /* link on the output queue */
	struct qdisc_stats st;
};

u32 default_txqueuelen = DEFAULT_TX_QUEUE_LEN;

static struct qdisc qdiscs[QDISC_MAX];
/* qdiscs waiting for NET_TX, one list for all CPUs (NET_TX on whichever
 * CPU runs first sends for them) */
static struct qdisc *output_queue;
/* guards output_queue, the qdiscs' scheduled and next_sched: any context
 * on any CPU (netif_tx_wake may come from hard IRQ context), irqsave */
static struct spinlock output_lock = SPINLOCK_INIT("output_queue");

static int set_txqueuelen(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 1 || n > TX_QUEUE_LEN_MAX)
		return -EINVAL;
	default_txqueuelen = (u32)n;
	return 0;
}
CMDLINE_OPT("txqueuelen", set_txqueuelen, "qdisc length of every device, 1..100000 (default 1000)");

static struct qdisc *qdisc_of(const struct net_device *dev)
{
	if (!dev)
		return NULL;
	for (unsigned int i = 0; i < QDISC_MAX; i++)
		if (READ_ONCE(qdiscs[i].dev) == dev)
			return &qdiscs[i];
	return NULL;
}

static void qdisc_lock(struct qdisc *qd)
{
	local_bh_disable();
	spin_lock(&qd->lock);
}

static void qdisc_unlock(struct qdisc *qd)
{
	spin_unlock(&qd->lock);
	local_bh_enable();
}

static u32 qdisc_backlog(const struct qdisc *qd)
{
	return skb_queue_len(&qd->q) + (qd->requeued ? 1 : 0);
}

int dev_qdisc_attach(struct net_device *dev)
{
	struct qdisc *qd = NULL;

	if (qdisc_of(dev))
		return -EEXIST;
	for (unsigned int i = 0; i < QDISC_MAX && !qd; i++)
		if (!qdiscs[i].dev)
			qd = &qdiscs[i];
	if (!qd)
		return -ENOSPC;
	*qd = (struct qdisc){ .lock = SPINLOCK_INIT("qdisc") };
	skb_queue_head_init(&qd->q);
	qd->st.limit = default_txqueuelen;
	WRITE_ONCE(qd->dev, dev);
	return 0;
}

/* take qd off the output queue if it is there; interrupts off */
static void output_queue_remove(struct qdisc *qd)
{
	for (struct qdisc **pp = &output_queue; *pp; pp = &(*pp)->next_sched) {
		if (*pp == qd) {
			*pp = qd->next_sched;
			break;
		}
	}
	qd->scheduled = false;
}

void dev_qdisc_detach(struct net_device *dev)
{
	struct qdisc *qd = qdisc_of(dev);
	unsigned long flags;

	if (!qd)
		return;
	flags = spin_lock_irqsave(&output_lock);
	output_queue_remove(qd);
	spin_unlock_irqrestore(&output_lock, flags);
	qdisc_lock(qd);
	if (qd->requeued)
		kfree_skb_reason(qd->requeued, SKB_DROP_REASON_QDISC_DROP);
	qd->requeued = NULL;
	__skb_queue_purge_reason(&qd->q, SKB_DROP_REASON_QDISC_DROP);
	WRITE_ONCE(qd->dev, NULL);
	qdisc_unlock(qd);
}

int dev_set_txqueuelen(struct net_device *dev, u32 len)
{
	struct qdisc *qd = qdisc_of(dev);

	if (!qd)
		return -ENODEV;
	if (len < 1 || len > TX_QUEUE_LEN_MAX)
		return -EINVAL;
	WRITE_ONCE(qd->st.limit, len);
	return 0;
}

/* put qd on the output queue and raise NET_TX (Linux __netif_schedule) */
static void qdisc_schedule(struct qdisc *qd)
{
	unsigned long flags = spin_lock_irqsave(&output_lock);

	if (!qd->scheduled) {
		qd->scheduled = true;
		qd->next_sched = output_queue;
		output_queue = qd;
		raise_softirq_irqoff(NET_TX_SOFTIRQ);
	}
	spin_unlock_irqrestore(&output_lock, flags);
}

/* Linux's validate_xmit_vlan (net/core/dev.c): a tag beside the frame
 * (skb->vlan_tci, set by a VLAN sub-interface) goes into the frame when
 * dev cannot put it in itself (no NETIF_F_HW_VLAN_CTAG_TX), after the MAC
 * addresses.  In place, as __vlan_hwaccel_push_inside, when the frame is
 * linear, not shared and has VLAN_HLEN of headroom; else into a copy
 * (skb_cow_head's case: lwIP's frames are shared, TCP keeps its segments
 * for retransmission).  Checked as the frame leaves the qdisc, so a frame
 * queued while the offload was on and sent after it went off gets its
 * tag too.  The frame to send, or NULL when it was dropped (no memory). */
static struct sk_buff *xmit_vlan_push(struct net_device *dev, struct sk_buff *skb)
{
	u16 tci = skb_vlan_tag_get(skb);
	struct sk_buff *n;
	u8 *p;

	if (!skb_vlan_tag_present(skb) || (READ_ONCE(dev->features) & NETIF_F_HW_VLAN_CTAG_TX))
		return skb;
	if (skb->len < ETH_HLEN) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return NULL;
	}
	if (skb_cloned(skb) || skb_is_nonlinear(skb) || skb_headroom(skb) < VLAN_HLEN) {
		n = netdev_alloc_skb(dev, skb->len + VLAN_HLEN);
		if (!n) {
			kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
			return NULL;
		}
		skb_copy_bits(skb, 0, skb_put(n, skb->len), skb->len);
		n->sender_cpu = skb->sender_cpu;
		n->hash = skb->hash;
		n->protocol = skb->protocol;
		consume_skb(skb);
		skb = n;
	}
	p = skb_push(skb, VLAN_HLEN);
	memmove(p, p + VLAN_HLEN, 2 * ETH_ALEN);
	p[2 * ETH_ALEN] = (u8)(ETH_P_8021Q >> 8);
	p[2 * ETH_ALEN + 1] = (u8)ETH_P_8021Q;
	p[2 * ETH_ALEN + 2] = (u8)(tci >> 8);
	p[2 * ETH_ALEN + 3] = (u8)tci;
	if (skb_mac_header_was_set(skb))
		skb->mac_header = (u16)(skb->mac_header - VLAN_HLEN);
	__vlan_hwaccel_clear_tag(skb);
	return skb;
}

/* Send from qd until it is empty, the ring is full, or DEV_TX_WEIGHT
 * frames went (then NET_TX comes back for the rest).  Called with qd's
 * lock held and no runner; releases the lock. */
static void __qdisc_run(struct qdisc *qd)
{
	struct net_device *dev = qd->dev;
	int quota = DEV_TX_WEIGHT;

	qd->running = true;
	qd->st.runs++;
	while (quota > 0) {
		struct sk_buff *skb = qd->requeued;
		enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
		bool look;
		u32 len;
		int rc;

		if (skb)
			qd->requeued = NULL;
		else if (!(skb = __skb_dequeue(&qd->q)))
			break;
		len = skb->len;         /* skb may be gone once the driver has it */
		qd->st.backlog_bytes -= len;
		qdisc_unlock(qd);

		skb = xmit_vlan_push(dev, skb);
		if (!skb) {
			qdisc_lock(qd);
			qd->st.tx_dropped++;
			quota--;
			continue;
		}

		/* an accepted frame is the driver's, which may free it at TX
		 * completion before the journey or the capture tap looks at
		 * it: while either is on (read once, so that one switched on
		 * during the call does not look), a reference of our own
		 * across the call.  A refused frame stays ours. */
		look = READ_ONCE(journey_on) || READ_ONCE(capture_active);
		if (look) {
			skb_get(skb);
			journey_xmit_begin(skb);
		}
		if (dev->flags & IFF_UP)
			rc = dev->netdev_ops->ndo_start_xmit(dev, skb,
					softnet_data_this_cpu()->xmit_defer ? NETDEV_TX_MORE : 0);
		else
			rc = -ENETDOWN;
		if (look) {
			journey_xmit_end(skb, rc);
			/* the transmit tap, once per frame: not for a refusal
			 * that requeues it (it comes back here) */
			if (rc != -EBUSY)
				capture_tap_skb(skb, CAPTURE_TX);
			/* the extra reference: the last one only if the driver
			 * took the frame and already completed it */
			consume_skb(skb);
		}

		qdisc_lock(qd);
		if (rc == -EBUSY) {
			/* ring full: keep the frame at the head, stop until a
			 * wake, a new frame, or the timer kick */
			qd->requeued = skb;
			/* its length now: the tag may have gone in */
			qd->st.backlog_bytes += skb->len;
			qd->st.requeues++;
			qd->st.busy++;
			break;
		}
		if (rc == 0) {
			qd->st.packets++;
			qd->st.bytes += len;
		} else if (rc == -ENETDOWN) {
			qd->st.down_drops++;
			qd->st.tx_dropped++;
			reason = SKB_DROP_REASON_DEV_READY;
		} else {
			qd->st.xmit_errors++;
			qd->st.tx_dropped++;
		}
		if (rc) {
			qdisc_unlock(qd);
			kfree_skb_reason(skb, reason);
			qdisc_lock(qd);
		}
		quota--;
	}
	qd->running = false;
	/* out of quota with frames left: yield, NET_TX continues */
	if (!quota && qdisc_backlog(qd))
		qdisc_schedule(qd);
	qdisc_unlock(qd);
}

static void qdisc_run(struct qdisc *qd)
{
	qdisc_lock(qd);
	if (qd->running) {
		/* the runner sees what we queued before it stops */
		qdisc_unlock(qd);
		return;
	}
	__qdisc_run(qd);
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	struct qdisc *qd = qdisc_of(dev);
	u32 backlog;

	if (!qd) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -ENODEV;
	}
	if (!skb->len) {
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return -EINVAL;
	}
	journey_mark(skb, JOURNEY_TX_QUEUE);
	/* the TX queue follows the CPU that sends, not the one that happens
	 * to run the qdisc later: a frame held here (ring full) and dequeued
	 * by a wake on another CPU keeps its queue, so a flow's frames stay
	 * in one ring in order (Linux picks the queue before the qdisc,
	 * netdev_pick_tx) */
	skb->sender_cpu = (u16)(smp_processor_id() + 1);
	qdisc_lock(qd);
	if (!(dev->flags & IFF_UP)) {
		qd->st.down_drops++;
		qd->st.tx_dropped++;
		qdisc_unlock(qd);
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return -ENETDOWN;
	}
	backlog = qdisc_backlog(qd);
	if (backlog >= qd->st.limit) {
		qd->st.drops++;
		qd->st.tx_dropped++;
		qdisc_unlock(qd);
		kfree_skb_reason(skb, SKB_DROP_REASON_QDISC_DROP);
		return -ENOBUFS;
	}
	__skb_queue_tail(&qd->q, skb);
	qd->st.enqueued++;
	qd->st.backlog_bytes += skb->len;
	if (backlog + 1 > qd->st.backlog_max)
		qd->st.backlog_max = backlog + 1;
	/* no runner: this sender runs the qdisc, without letting the lock
	 * go in between (the runner sees what we queued before it stops) */
	if (qd->running)
		qdisc_unlock(qd);
	else
		__qdisc_run(qd);
	return 0;
}

void netif_tx_wake(struct net_device *dev)
{
	struct qdisc *qd = qdisc_of(dev);

	/* a racy peek is fine: a frame queued after it runs the qdisc itself */
	if (qd && (qd->requeued || skb_queue_len(&qd->q))) {
		__atomic_add_fetch(&qd->st.wakes, 1, __ATOMIC_RELAXED);
		qdisc_schedule(qd);
	}
}

void dev_qdisc_kick_all(void)
{
	for (unsigned int i = 0; i < QDISC_MAX; i++) {
		struct qdisc *qd = &qdiscs[i];

		if (READ_ONCE(qd->dev) && (READ_ONCE(qd->requeued) || skb_queue_len(&qd->q)))
			qdisc_schedule(qd);
	}
}

void net_tx_run_queues(void)
{
	struct qdisc *run[QDISC_MAX];
	unsigned int n = 0;
	unsigned long flags;

	/* taken off the list under the lock: once scheduled is clear another
	 * CPU may put a qdisc back (rewriting next_sched) */
	flags = spin_lock_irqsave(&output_lock);
	for (struct qdisc *qd = output_queue; qd && n < QDISC_MAX; qd = qd->next_sched) {
		qd->scheduled = false;
		run[n++] = qd;
	}
	output_queue = NULL;
	spin_unlock_irqrestore(&output_lock, flags);
	for (unsigned int i = 0; i < n; i++)
		if (READ_ONCE(run[i]->dev))
			qdisc_run(run[i]);
}

int dev_qdisc_stats(struct net_device *dev, struct qdisc_stats *out)
{
	struct qdisc *qd = qdisc_of(dev);

	if (!qd)
		return -ENODEV;
	qdisc_lock(qd);
	*out = qd->st;
	out->backlog = qdisc_backlog(qd);
	qdisc_unlock(qd);
	return 0;
}

int dev_qdisc_show(struct net_device *dev, char *buf, size_t size)
{
	struct qdisc_stats s;

	if (dev_qdisc_stats(dev, &s))
		return snprintf(buf, size, "qdisc noqueue 0: dev %s root refcnt 1\n", dev->name);
	/* tc -s qdisc show: overlimits is 0 for a pfifo */
	return snprintf(buf, size,
			"qdisc pfifo 0: dev %s root refcnt 1 limit %up\n"
			" Sent %llu bytes %llu pkt (dropped %llu, overlimits 0 requeues %llu)\n"
			" backlog %ub %up requeues %llu\n",
			dev->name, s.limit, (unsigned long long)s.bytes,
			(unsigned long long)s.packets, (unsigned long long)s.tx_dropped,
			(unsigned long long)s.requeues, s.backlog_bytes, s.backlog,
			(unsigned long long)s.requeues);
}

/* --- deferred tails (net/core/xmit.h) --- */

bool netdev_tx_deferred(struct net_device *dev)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	unsigned int i;

	for (i = 0; i < sd->xmit_deferred_n; i++)
		if (sd->xmit_deferred[i] == dev)
			break;
	if (i == XMIT_DEFERRED_DEVS)
		return false;   /* no room to remember it: the driver writes now */
	if (i == sd->xmit_deferred_n) {
		sd->xmit_deferred[i] = dev;
		sd->xmit_deferred_n++;
	}
	sd->xmit_deferred_frames++;
	return true;
}

bool dev_xmit_deferred_due(void)
{
	return dev_xmit_deferred_pending();
}

/* The list is taken whole by one xchg of its length, not with interrupts
 * off (under QEMU's TCG the restore is an exit from the translated code):
 * entries are added only by this CPU's sender between
 * dev_xmit_defer_begin and dev_xmit_defer_end, bottom halves off, so
 * nothing on this CPU adds one while a taker copies them (a thread here,
 * or a softirq, which may run on top of the thread and take the list
 * first: then the thread's xchg finds it empty); preemption off keeps the
 * taker on the CPU whose list it took */
void dev_xmit_flush_deferred(void)
{
	struct net_device *devs[XMIT_DEFERRED_DEVS];
	struct softnet_data *sd;
	unsigned int n;

	preempt_disable();
	sd = softnet_data_this_cpu();
	n = __atomic_exchange_n(&sd->xmit_deferred_n, 0, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < n; i++)
		devs[i] = sd->xmit_deferred[i];
	sd->xmit_deferred_frames = 0;
	preempt_enable();
	/* a device removed since (its stop wrote the tail) is gone */
	for (unsigned int i = 0; i < n; i++)
		if (netdev_registered(devs[i]) && devs[i]->netdev_ops->ndo_tx_flush)
			devs[i]->netdev_ops->ndo_tx_flush(devs[i]);
}
