/* NAPI: the scheduling state machine and the NET_RX softirq loop that polls
 * the scheduled napis within netdev_budget frames and netdev_budget_usecs. */
#include "net/core/dev.h"
#include "kernel/printk.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"

bool napi_enabled = true;

void netif_napi_add_weight(struct net_device *dev, struct napi_struct *napi,
			   int (*poll)(struct napi_struct *, int), int weight)
{
	INIT_LIST_HEAD(&napi->poll_list);
	napi->poll = poll;
	napi->weight = weight > 0 ? weight : DEV_WEIGHT_DEFAULT;
	napi->dev = dev;
	napi->polls = napi->rx_work = napi->completions = napi->missed = 0;
	napi->gro.skb = NULL;
	/* disabled until napi_enable(), as in Linux */
	napi->state = NAPIF_STATE_SCHED;
}

void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int))
{
	netif_napi_add_weight(dev, napi, poll, READ_ONCE(dev_weight));
}

void netif_napi_del(struct napi_struct *napi)
{
	napi->poll = NULL;
	napi->dev = NULL;
}

void napi_enable(struct napi_struct *napi)
{
	__atomic_and_fetch(&napi->state, ~(NAPIF_STATE_SCHED | NAPIF_STATE_MISSED |
					   NAPIF_STATE_DISABLE), __ATOMIC_RELEASE);
}

void napi_disable(struct napi_struct *napi)
{
	__atomic_or_fetch(&napi->state, NAPIF_STATE_DISABLE, __ATOMIC_ACQ_REL);
	/* own SCHED ourselves: once we hold it, no poll runs or can start */
	while (__atomic_fetch_or(&napi->state, NAPIF_STATE_SCHED, __ATOMIC_ACQ_REL) &
	       NAPIF_STATE_SCHED) {
		/* it is scheduled: let NET_RX poll it to completion */
		do_softirq();
		cpu_relax();
	}
	__atomic_and_fetch(&napi->state, ~NAPIF_STATE_MISSED, __ATOMIC_RELEASE);
}

bool napi_schedule_prep(struct napi_struct *napi)
{
	unsigned long val = READ_ONCE(napi->state), new;

	do {
		if (val & NAPIF_STATE_DISABLE)
			return false;
		new = val | NAPIF_STATE_SCHED;
		/* already scheduled: make the running poll go round once more */
		if (val & NAPIF_STATE_SCHED)
			new |= NAPIF_STATE_MISSED;
	} while (!__atomic_compare_exchange_n(&napi->state, &val, new, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	if (val & NAPIF_STATE_SCHED) {
		napi->missed++;
		return false;
	}
	return true;
}

/* interrupts off: queue napi on this CPU's list and raise NET_RX */
static void napi_list_add_irqoff(struct napi_struct *napi)
{
	list_add_tail(&napi->poll_list, &softnet_data_this_cpu()->poll_list);
	raise_softirq_irqoff(NET_RX_SOFTIRQ);
}

void __napi_schedule(struct napi_struct *napi)
{
	unsigned long flags = local_irq_save();

	napi_list_add_irqoff(napi);
	local_irq_restore(flags);
}

bool napi_schedule(struct napi_struct *napi)
{
	if (!napi_schedule_prep(napi))
		return false;
	__napi_schedule(napi);
	return true;
}

bool napi_complete_done(struct napi_struct *napi, int work_done)
{
	unsigned long val = READ_ONCE(napi->state), new;

	(void)work_done;
	/* before the state changes: once it does, another CPU may poll */
	napi_gro_flush(napi);
	if (softnet_data_this_cpu()->in_napi_poll)
		netif_receive_skb_list_flush();
	do {
		if (!(val & NAPIF_STATE_SCHED)) {
			pr_warn("napi: complete of a napi that is not scheduled\n");
			return false;
		}
		new = val & ~(NAPIF_STATE_SCHED | NAPIF_STATE_MISSED);
		/* scheduled again while polling: stay scheduled, poll once more */
		if (val & NAPIF_STATE_MISSED)
			new |= NAPIF_STATE_SCHED;
	} while (!__atomic_compare_exchange_n(&napi->state, &val, new, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	if (val & NAPIF_STATE_MISSED) {
		__napi_schedule(napi);
		return false;
	}
	napi->completions++;
	return true;
}

/* Poll one napi (already off the list); put it on repoll if it used its
 * whole weight.  Returns the work done. */
static int napi_poll(struct napi_struct *napi, struct list_head *repoll)
{
	int weight = napi->weight;
	int work = 0;

	if (napi->poll && (READ_ONCE(napi->state) & NAPIF_STATE_SCHED)) {
		struct softnet_data *sd = softnet_data_this_cpu();

		sd->in_napi_poll = true;
		sd->polling = napi;
		work = napi->poll(napi, weight);
		/* GRO holds nothing past a poll (a completing driver flushed
		 * already: the napi may no longer be ours to touch) */
		if (work >= weight)
			napi_gro_flush(napi);
		/* and nothing waits for the stack past it */
		netif_receive_skb_list_flush();
		sd->polling = NULL;
		sd->in_napi_poll = false;
		napi->polls++;
		if (napi_poll_done_hook)
			napi_poll_done_hook();
	}
	if (work > weight) {
		pr_warn("napi: poll returned %d, more than its weight %d\n", work, weight);
		work = weight;
	}
	napi->rx_work += (u64)work;
	if (work < weight)
		return work;   /* the driver completed (or MISSED requeued it) */
	/* a full budget: the driver must not have completed; if it did anyway,
	 * it is either idle or already requeued */
	if (!(READ_ONCE(napi->state) & NAPIF_STATE_SCHED) || !list_empty(&napi->poll_list))
		return work;
	if (READ_ONCE(napi->state) & NAPIF_STATE_DISABLE) {
		napi_complete(napi);
		return work;
	}
	list_add_tail(&napi->poll_list, repoll);
	return work;
}

void (*napi_poll_done_hook)(void);

void net_rx_action(void)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	u64 time_limit = ktime_get_ns() + (u64)READ_ONCE(netdev_budget_usecs) * NSEC_PER_USEC;
	int budget = READ_ONCE(netdev_budget);
	struct list_head list, repoll;

	INIT_LIST_HEAD(&list);
	INIT_LIST_HEAD(&repoll);
	sd->net_rx_runs++;
	sd->in_rx_action = true;
	local_irq_disable();
	list_splice_init(&sd->poll_list, &list);
	local_irq_enable();

	while (!list_empty(&list)) {
		struct napi_struct *n = list_first_entry(&list, struct napi_struct, poll_list);

		list_del_init(&n->poll_list);
		budget -= napi_poll(n, &repoll);
		if (budget <= 0 || ktime_get_ns() >= time_limit) {
			if (!list_empty(&list) || !list_empty(&repoll))
				sd->time_squeeze++;
			break;
		}
	}

	/* what was not polled goes first, then what wants more, then what
	 * interrupts scheduled meanwhile */
	local_irq_disable();
	list_splice_tail_init(&sd->poll_list, &list);
	list_splice_tail_init(&repoll, &list);
	list_splice_init(&list, &sd->poll_list);
	if (!list_empty(&sd->poll_list))
		raise_softirq_irqoff(NET_RX_SOFTIRQ);
	local_irq_enable();
	sd->in_rx_action = false;
	/* the backlogs this run scheduled by RPS: one IPI each */
	if (sd->rps_ipi_mask)
		net_rps_send_ipi();
}
