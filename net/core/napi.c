/* NAPI: the scheduling state machine and the NET_RX softirq loop that polls
 * the scheduled napis within netdev_budget frames and netdev_budget_usecs. */
#include "net/core/dev.h"
#include "fs/view.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/softirq.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdio.h>

bool napi_enabled = true;

/* The napis with a device, by id (Linux's napi_hash): a busy poller looks
 * its socket's napi up and claims it under the lock, so netif_napi_del,
 * which takes it too, cannot free one between the look and the claim.
 * A table of its own, nothing linked through the napis: free_netdev
 * forgets a device's napis by the device pointer alone (a driver's
 * error path may free its napi without netif_napi_del).  A napi that
 * finds the table full gets no id (no busy polling for it). */
#define NAPI_ID_SLOTS 64
static struct napi_id_slot {
	unsigned int id;                /* 0: free */
	struct napi_struct *napi;
	const struct net_device *dev;
} napi_ids[NAPI_ID_SLOTS];
/* guards napi_ids[] and napi_next_id; thread context only, irqsave:
 * netif_napi_add_weight and netif_napi_del (probe, remove, ethtool -L's
 * queue changes), free_netdev, and a busy poller's napi_busy_claim (a
 * thread with bottom halves off); never softirq or hard IRQ */
static struct spinlock napi_id_lock = SPINLOCK_INIT("napi_id");
static unsigned int napi_next_id = 1;
u64 napi_busy_rx_packets;
struct napi_busy_debug napi_busy_debug;

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
	napi->napi_id = 0;
	if (dev) {
		unsigned long flags = spin_lock_irqsave(&napi_id_lock);

		for (int i = 0; i < NAPI_ID_SLOTS; i++) {
			if (napi_ids[i].id)
				continue;
			napi->napi_id = napi_next_id++;
			napi_ids[i] = (struct napi_id_slot){ napi->napi_id, napi, dev };
			break;
		}
		spin_unlock_irqrestore(&napi_id_lock, flags);
	}
}

/* forget every id whose slot matches (napi, or dev when napi is NULL) */
static void napi_ids_forget(const struct napi_struct *napi, const struct net_device *dev)
{
	unsigned long flags = spin_lock_irqsave(&napi_id_lock);

	for (int i = 0; i < NAPI_ID_SLOTS; i++)
		if (napi_ids[i].id && (napi ? napi_ids[i].napi == napi : napi_ids[i].dev == dev))
			napi_ids[i] = (struct napi_id_slot){ 0, NULL, NULL };
	spin_unlock_irqrestore(&napi_id_lock, flags);
}

void netif_napi_forget_dev(const struct net_device *dev)
{
	napi_ids_forget(NULL, dev);
}

void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int))
{
	netif_napi_add_weight(dev, napi, poll, READ_ONCE(dev_weight));
}

void netif_napi_del(struct napi_struct *napi)
{
	if (napi->napi_id) {
		napi_ids_forget(napi, NULL);
		napi->napi_id = 0;
	}
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
	/* a busy poller owns it: it stays scheduled, its interrupt as it is */
	if (val & NAPIF_STATE_IN_BUSY_POLL)
		return false;
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

/* one call of napi's poll with budget, as NET_RX makes it (bottom halves
 * off, the napi owned); the work done */
static int napi_poll_once(struct napi_struct *napi, int budget)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	int work;

	sd->in_napi_poll = true;
	sd->polling = napi;
	work = napi->poll(napi, budget);
	/* GRO holds nothing past a poll (a completing driver flushed
	 * already: the napi may no longer be ours to touch) */
	if (work >= budget)
		napi_gro_flush(napi);
	/* and nothing waits for the stack past it */
	netif_receive_skb_list_flush();
	sd->polling = NULL;
	sd->in_napi_poll = false;
	napi->polls++;
	if (napi_poll_done_hook)
		napi_poll_done_hook();
	return work;
}

/* Poll one napi (already off the list); put it on repoll if it used its
 * whole weight.  Returns the work done. */
static int napi_poll(struct napi_struct *napi, struct list_head *repoll)
{
	int weight = napi->weight;
	int work = 0;

	if (napi->poll && (READ_ONCE(napi->state) & NAPIF_STATE_SCHED))
		work = napi_poll_once(napi, weight);
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

/* --- busy polling (net/core/napi.h) --- */

/* Linux's BUSY_POLL_BUDGET: frames per poll call of a busy loop */
#define BUSY_POLL_BUDGET 8

/* napi_id's napi, owned for busy polling (SCHED and IN_BUSY_POLL set),
 * or NULL: it is scheduled (NET_RX will poll it) or being disabled, or
 * (*gone set) there is no such napi */
static struct napi_struct *napi_busy_claim(unsigned int napi_id, bool *gone)
{
	struct napi_struct *n, *found = NULL;
	unsigned long flags = spin_lock_irqsave(&napi_id_lock);

	*gone = true;
	for (int i = 0; i < NAPI_ID_SLOTS; i++) {
		unsigned long val;

		if (napi_ids[i].id != napi_id)
			continue;
		*gone = false;
		n = napi_ids[i].napi;
		val = READ_ONCE(n->state);
		if (!(val & (NAPIF_STATE_SCHED | NAPIF_STATE_DISABLE)) && n->poll &&
		    __atomic_compare_exchange_n(&n->state, &val,
						val | NAPIF_STATE_SCHED | NAPIF_STATE_IN_BUSY_POLL,
						false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			found = n;
		break;
	}
	spin_unlock_irqrestore(&napi_id_lock, flags);
	return found;
}

/* Linux's busy_poll_stop: give the napi back by one ordinary poll, which
 * completes it (and unmasks the device) or, with a full budget, leaves it
 * to NET_RX; bottom halves off.  The frames that poll took. */
static int napi_busy_stop(struct napi_struct *napi)
{
	int budget = napi->weight, work;

	__atomic_and_fetch(&napi->state, ~(NAPIF_STATE_IN_BUSY_POLL | NAPIF_STATE_MISSED),
			   __ATOMIC_ACQ_REL);
	work = napi_poll_once(napi, budget);
	if (work >= budget)
		__napi_schedule(napi);
	return work;
}

static void napi_busy_debug_add(u64 *counter, u64 n)
{
	if (n)
		__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

bool napi_busy_loop(unsigned int napi_id, bool (*loop_end)(void *arg), void *arg,
		    unsigned int usecs)
{
	u64 end = ktime_get_ns() + (u64)usecs * NSEC_PER_USEC;
	struct napi_busy_debug *d = &napi_busy_debug;
	struct napi_struct *napi = NULL;
	bool done = false, gone = false, owned = false;
	u64 polls = 0, missed = 0, stop = 0, yields = 0, *why;

	if (!napi_id)
		return false;
	/* no switch while this CPU owns the napi (its interrupt may be
	 * masked until the loop gives it back) */
	preempt_disable();
	for (;;) {
		local_bh_disable();
		if (!napi) {
			napi = napi_busy_claim(napi_id, &gone);
			missed += !napi && !gone;
			owned |= napi != NULL;
		}
		if (napi) {
			polls++;
			__atomic_fetch_add(&napi_busy_rx_packets,
					   (u64)napi_poll_once(napi, BUSY_POLL_BUDGET), __ATOMIC_RELAXED);
		}
		/* softirqs raised meanwhile run here, as in Linux: the TIMER,
		 * other napis, and NET_RX for this one when an interrupt had
		 * scheduled it (the claim then failed) */
		local_bh_enable();
		if (gone) {
			why = &d->end_gone;
			break;
		}
		if (loop_end(arg)) {
			done = true;
			why = &d->end_input;
			break;
		}
		if (ktime_get_ns() >= end) {
			why = &d->end_time;
			break;
		}
		if (sched_runnable()) {
			/* Linux: another thread wants the CPU (the console
			 * shell's periodic look, ksoftirqd): give the napi
			 * back, let it run, then poll on until input or time
			 * (ending here left a third of a paced echo's
			 * datagrams to the interrupt on one CPU) */
			if (napi) {
				local_bh_disable();
				stop += (u64)napi_busy_stop(napi);
				local_bh_enable();
				napi = NULL;
			}
			yields++;
			preempt_enable();
			cond_resched();
			preempt_disable();
			continue;
		}
		cpu_relax();
	}
	if (napi) {
		local_bh_disable();
		stop += (u64)napi_busy_stop(napi);
		local_bh_enable();
	}
	preempt_enable();
	napi_busy_debug_add(&d->loops, 1);
	napi_busy_debug_add(why, 1);
	napi_busy_debug_add(&d->never_owned, !owned && !gone);
	napi_busy_debug_add(&d->polls, polls);
	napi_busy_debug_add(&d->claims_missed, missed);
	napi_busy_debug_add(&d->stop_frames, stop);
	napi_busy_debug_add(&d->yields, yields);
	return done;
}

static int busy_poll_show(char *buf, size_t size, const char *const *args)
{
	const struct napi_busy_debug *d = &napi_busy_debug;

	(void)args;
	return snprintf(buf, size,
			"loops %llu\nend_input %llu\nend_time %llu\nyields %llu\n"
			"end_gone %llu\nnever_owned %llu\nclaims_missed %llu\npolls %llu\n"
			"rx_packets %llu\nstop_frames %llu\nread_queued %llu\nread_no_napi %llu\n",
			(unsigned long long)READ_ONCE(d->loops),
			(unsigned long long)READ_ONCE(d->end_input),
			(unsigned long long)READ_ONCE(d->end_time),
			(unsigned long long)READ_ONCE(d->yields),
			(unsigned long long)READ_ONCE(d->end_gone),
			(unsigned long long)READ_ONCE(d->never_owned),
			(unsigned long long)READ_ONCE(d->claims_missed),
			(unsigned long long)READ_ONCE(d->polls),
			(unsigned long long)READ_ONCE(napi_busy_rx_packets),
			(unsigned long long)READ_ONCE(d->stop_frames),
			(unsigned long long)READ_ONCE(d->read_queued),
			(unsigned long long)READ_ONCE(d->read_no_napi));
}
VIEW("/sys/kernel/debug/busy_poll", busy_poll_show);
