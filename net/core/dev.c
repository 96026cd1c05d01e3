/* The receive core: per-CPU softnet_data, the netif_rx() backlog and its
 * poll, delivery up the stack, the NET_TX completion queue and qdisc runs, and
 * /proc/net/softnet_stat. */
#include "net/core/dev.h"
#include "net/core/capture.h"
#include "net/core/journey.h"
#include "net/core/xmit.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdio.h>

/* per CPU: poll list, backlog, NET_TX completion queue and counters,
 * written only by their CPU with interrupts off where a hard IRQ also
 * does (napi_schedule, netif_rx, dev_kfree_skb_irq); the views read
 * every CPU's counters unlocked and sum or list them */
struct softnet_data softnet_data[NR_CPUS];
/* set once by the stack before any device opens; read from any CPU */
static net_rx_handler_t rx_handler;
static net_rx_list_handler_t rx_list_handler;
static net_rx_handler_t rx_list_pair;   /* the rx handler it stands for */

struct softnet_data *softnet_data_cpu(unsigned int cpu)
{
	return cpu < nr_cpu_ids_online() ? &softnet_data[cpu] : NULL;
}

net_rx_handler_t netif_set_rx_handler(net_rx_handler_t fn)
{
	return __atomic_exchange_n(&rx_handler, fn, __ATOMIC_ACQ_REL);
}

void netif_set_rx_list_handler(net_rx_list_handler_t fn, net_rx_handler_t pair)
{
	WRITE_ONCE(rx_list_pair, pair);
	WRITE_ONCE(rx_list_handler, fn);
}

/* the list handler, while the rx handler is the one it stands for (a
 * selftest's own handler gets its frames one by one) */
static net_rx_list_handler_t rx_list_fn(void)
{
	net_rx_list_handler_t fn = READ_ONCE(rx_list_handler);

	return fn && READ_ONCE(rx_handler) == READ_ONCE(rx_list_pair) ? fn : NULL;
}

int netif_receive_skb_one(struct sk_buff *skb, net_rx_handler_t fn)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	struct journey_rec *jr;
	int rc;

	if (!skb->tstamp)
		skb->tstamp = ktime_get_ns();
	sd->processed++;
	/* the packet taps (Linux's deliver_skb to ptype_all): before the
	 * protocol handler, which consumes the skb */
	capture_tap_skb(skb, CAPTURE_RX);
	jr = journey_rx_begin(skb);
	if (!fn) {
		kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
		journey_rx_end(jr);
		return NET_RX_DROP;
	}
	rc = fn(skb);
	/* the handler delivered it synchronously, up to the application */
	journey_rx_end(jr);
	return rc;
}

/* list to the list handler fn, or frame by frame without one */
static void rx_list_deliver(struct sk_buff_head *list, net_rx_list_handler_t fn)
{
	struct sk_buff *skb;

	if (fn)
		fn(list);
	/* without one, or what a handler left behind (none should): one by one */
	while ((skb = __skb_dequeue(list)))
		netif_receive_skb_one(skb, READ_ONCE(rx_handler));
}

void netif_receive_skb_list_flush(void)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	struct sk_buff_head list;

	if (!skb_queue_len(&sd->rx_list))
		return;
	/* off the per-CPU list first (the whole list moves: its ends point
	 * at the new head): what the stack receives meanwhile queues anew */
	list = sd->rx_list;
	list.next->prev = (struct sk_buff *)&list;
	list.prev->next = (struct sk_buff *)&list;
	skb_queue_head_init(&sd->rx_list);
	rx_list_deliver(&list, rx_list_fn());
}

void netif_receive_skb_list(struct sk_buff_head *list)
{
	/* frames this poll holds came first */
	netif_receive_skb_list_flush();
	rx_list_deliver(list, rx_list_fn());
}

int netif_receive_skb(struct sk_buff *skb)
{
	struct softnet_data *sd = softnet_data_this_cpu();

	/* in a napi poll: held for one delivery of several (the lwIP lock
	 * once for them), at the latest when the poll completes or ends */
	if (sd->in_napi_poll && !in_irq() && rx_list_fn()) {
		if (!skb->tstamp)
			skb->tstamp = ktime_get_ns();
		__skb_queue_tail(&sd->rx_list, skb);
		if (skb_queue_len(&sd->rx_list) >= (u32)READ_ONCE(gro_normal_batch))
			netif_receive_skb_list_flush();
		return NET_RX_SUCCESS;
	}
	return netif_receive_skb_one(skb, READ_ONCE(rx_handler));
}

/* Queue skb on sd's backlog; interrupts off.  The backlog napi is
 * scheduled when the queue goes from empty to non-empty: while it holds
 * frames, the napi is scheduled or polling. */
int flow_limit_cpu_bitmap;

/* Linux's skb_flow_limit, input_lock held: true to drop skb.  Frames
 * without a flow hash (none from the NIC, no RPS) are not limited. */
static bool skb_flow_limit(struct softnet_data *sd, unsigned int cpu, const struct sk_buff *skb,
			   u32 qlen)
{
	u16 new_flow, old_flow;

	if (!(READ_ONCE(flow_limit_cpu_bitmap) & (1 << cpu)) || !skb->hash ||
	    qlen < (u32)READ_ONCE(netdev_max_backlog) / 2)
		return false;
	new_flow = (u16)(skb->hash & (FLOW_LIMIT_TABLE_LEN - 1));
	old_flow = sd->flow_history[sd->flow_history_head];
	sd->flow_history[sd->flow_history_head] = new_flow;
	sd->flow_history_head = (u16)((sd->flow_history_head + 1) % FLOW_LIMIT_HISTORY);
	if (sd->flow_buckets[old_flow])
		sd->flow_buckets[old_flow]--;
	if (++sd->flow_buckets[new_flow] > FLOW_LIMIT_HISTORY / 2) {
		sd->flow_limit_count++;
		return true;
	}
	return false;
}

/* skb onto sd's backlog, interrupts off.  NET_RX_SUCCESS, with the
 * input_queue_tail it reached in *qtail (may be NULL); or NET_RX_DROP
 * (counted; skb still the caller's to free).  When the backlog napi was
 * idle it is scheduled here for this CPU's sd (kick NULL), else *kick is
 * set: the caller sends the IPI that schedules it on sd's CPU. */
static int enqueue_to_backlog(struct softnet_data *sd, struct sk_buff *skb, u32 *qtail,
			      bool *kick)
{
	u32 qlen;

	spin_lock(&sd->input_lock);
	qlen = skb_queue_len(&sd->input_pkt_queue);
	if (qlen >= (u32)READ_ONCE(netdev_max_backlog) ||
	    skb_flow_limit(sd, (unsigned int)(sd - softnet_data), skb, qlen)) {
		sd->dropped++;
		spin_unlock(&sd->input_lock);
		return NET_RX_DROP;
	}
	__skb_queue_tail(&sd->input_pkt_queue, skb);
	sd->input_queue_tail++;
	if (qtail)
		*qtail = sd->input_queue_tail;
	/* SCHED taken here; the napi goes on its poll list on its own CPU
	 * (only that CPU touches its poll list) */
	if (!qlen && napi_schedule_prep(&sd->backlog)) {
		if (kick) {
			*kick = true;
		} else {
			list_add_tail(&sd->backlog.poll_list, &sd->poll_list);
			raise_softirq_irqoff(NET_RX_SOFTIRQ);
		}
	}
	spin_unlock(&sd->input_lock);
	return NET_RX_SUCCESS;
}

/* on the RPS target, from the call-function IPI (interrupts off): its
 * own backlog napi onto its own poll list (Linux rps_trigger_softirq) */
static void rps_trigger_softirq(void *info)
{
	struct softnet_data *sd = softnet_data_this_cpu();

	(void)info;
	list_add_tail(&sd->backlog.poll_list, &sd->poll_list);
	raise_softirq_irqoff(NET_RX_SOFTIRQ);
	sd->received_rps++;
}

int netif_rx_cpu(unsigned int cpu, struct sk_buff *skb, u32 *qtail)
{
	struct softnet_data *sd = softnet_data_cpu(cpu);
	unsigned long flags;
	bool kick = false;
	int rc;

	if (!sd || in_irq() || irqs_disabled())
		return -EINVAL;
	if (!skb->tstamp)
		skb->tstamp = ktime_get_ns();
	flags = local_irq_save();
	rc = enqueue_to_backlog(sd, skb, qtail, cpu == smp_processor_id() ? NULL : &kick);
	local_irq_restore(flags);
	if (rc == NET_RX_DROP) {
		kfree_skb_reason(skb, SKB_DROP_REASON_CPU_BACKLOG);
	} else if (kick) {
		struct softnet_data *me = softnet_data_this_cpu();

		/* from NET_RX (RPS): one IPI per target at its end (Linux's
		 * rps_ipi_list); the target's napi is scheduled already, so
		 * no later frame asks again */
		if (me->in_rx_action)
			me->rps_ipi_mask |= 1U << cpu;
		else
			smp_call_function_single(cpu, rps_trigger_softirq, NULL, false);
	}
	return rc;
}

void net_rps_send_ipi(void)
{
	struct softnet_data *me = softnet_data_this_cpu();
	u32 m = me->rps_ipi_mask;

	me->rps_ipi_mask = 0;
	/* one call record per target: no wait for the previous target's
	 * IPI to run, as a loop over this CPU's single record would */
	smp_call_function_many(m, rps_trigger_softirq, NULL, false);
}

int netif_rx(struct sk_buff *skb)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	unsigned long flags;
	int rc;

	if (!skb->tstamp)
		skb->tstamp = ktime_get_ns();
	flags = local_irq_save();
	rc = enqueue_to_backlog(sd, skb, NULL, NULL);
	local_irq_restore(flags);
	/* a drop frees the skb; may be hard IRQ context, so via NET_TX */
	if (rc == NET_RX_DROP)
		dev_kfree_skb_irq_reason(skb, SKB_DROP_REASON_CPU_BACKLOG);
	return rc;
}

/* The backlog napi's poll: deliver queued skbs, at most quota, taken off
 * NET_RX_LIST_BATCH at a time under one input_lock hold and delivered as
 * one list.  input_queue_head passes a batch only once it is delivered
 * (at the next hold): RFS moves a flow off this CPU only after that. */
static int process_backlog(struct napi_struct *napi, int quota)
{
	struct softnet_data *sd = container_of(napi, struct softnet_data, backlog);
	struct sk_buff_head batch;
	u32 delivered = 0;
	int work = 0;

	skb_queue_head_init(&batch);
	for (;;) {
		struct sk_buff *skb = NULL;
		int n = 0;

		local_irq_disable();
		spin_lock(&sd->input_lock);
		sd->input_queue_head += delivered;
		delivered = 0;
		while (n < quota - work && n < NET_RX_LIST_BATCH &&
		       (skb = __skb_dequeue(&sd->input_pkt_queue))) {
			__skb_queue_tail(&batch, skb);
			n++;
		}
		if (!n && work < quota) {
			/* empty, under the lock every enqueuer (this CPU's
			 * netif_rx, other CPUs' RPS) takes: none can slip
			 * between the check and the state change: idle */
			__atomic_and_fetch(&napi->state, ~(NAPIF_STATE_SCHED | NAPIF_STATE_MISSED),
					   __ATOMIC_RELEASE);
		}
		spin_unlock(&sd->input_lock);
		local_irq_enable();
		if (!n)
			break;
		netif_receive_skb_list(&batch);
		delivered = (u32)n;
		work += n;
	}
	return work;
}

void dev_kfree_skb_irq_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	unsigned long flags;

	if (!skb)
		return;
	/* not our last reference: nothing to free, just drop it */
	if (__atomic_sub_fetch(&skb->users, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	skb->users = 1;
	skb->drop_reason = (u8)reason;
	flags = local_irq_save();
	__skb_queue_tail(&sd->completion_queue, skb);
	raise_softirq_irqoff(NET_TX_SOFTIRQ);
	local_irq_restore(flags);
}

void dev_kfree_skb_irq(struct sk_buff *skb)
{
	dev_kfree_skb_irq_reason(skb, SKB_CONSUMED);
}

void dev_kfree_skb_any(struct sk_buff *skb)
{
	if (in_irq() || irqs_disabled())
		dev_kfree_skb_irq(skb);
	else
		consume_skb(skb);
}

void net_tx_action(void)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	struct sk_buff_head q;
	struct sk_buff *skb;

	/* tails a thread left (the tick raised us, net/core/xmit.h) */
	if (dev_xmit_deferred_pending())
		dev_xmit_flush_deferred();
	skb_queue_head_init(&q);
	local_irq_disable();
	while ((skb = __skb_dequeue(&sd->completion_queue)))
		__skb_queue_tail(&q, skb);
	local_irq_enable();
	while ((skb = __skb_dequeue(&q)))
		kfree_skb_reason(skb, (enum skb_drop_reason)skb->drop_reason);
	/* then the qdiscs waiting to send (Linux's output_queue) */
	net_tx_run_queues();
}

int net_dev_init(void)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct softnet_data *sd = &softnet_data[cpu];

		INIT_LIST_HEAD(&sd->poll_list);
		sd->input_lock = (struct spinlock)SPINLOCK_INIT("softnet_input");
		skb_queue_head_init(&sd->input_pkt_queue);
		skb_queue_head_init(&sd->completion_queue);
		skb_queue_head_init(&sd->rx_list);
		netif_napi_add_weight(NULL, &sd->backlog, process_backlog, dev_weight);
		napi_enable(&sd->backlog);
	}
	open_softirq(NET_TX_SOFTIRQ, net_tx_action);
	open_softirq(NET_RX_SOFTIRQ, net_rx_action);
	return 0;
}

int softnet_stat_show(char *buf, size_t size)
{
	size_t len = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids_online(); cpu++) {
		const struct softnet_data *sd = &softnet_data[cpu];
		int n;

		/* Linux net/core/net-procfs.c: processed dropped time_squeeze,
		 * six retired columns, received_rps flow_limit_count, backlog
		 * length, cpu */
		n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
			     "%08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x %08x\n",
			     sd->processed, sd->dropped, sd->time_squeeze, 0, 0, 0, 0, 0, 0,
			     sd->received_rps, sd->flow_limit_count,
			     skb_queue_len(&sd->input_pkt_queue), cpu);
		if (n > 0)
			len += (size_t)n;
	}
	return (int)len;
}

static int softnet_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return softnet_stat_show(buf, size);
}
VIEW("/proc/net/softnet_stat", softnet_show);
