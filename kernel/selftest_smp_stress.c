/* selftest=smp, the stress half (kernel/smp_call.c runs it after the
 * call-function checks): for SMP_STRESS_MS every CPU runs a thread that
 * hammers kmalloc, the skb allocator (its per-CPU or shared head cache
 * and lwIP's pbuf pools behind it) and one spinlock-protected counter,
 * while wait/wake pairs (one thread of each pair on CPU c, the other on
 * c+1) pass a ball back and forth.  Every count must come out exact: each
 * object keeps the signature its owner wrote until the owner frees it,
 * the counter equals the increments made, kmalloc's live objects and the
 * skbs in use return to where they were, and no wake-up is lost (a lost
 * one shows as a pass the waiter noticed only when its wait timed out). */
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"
#include "net/core/skbuff.h"
#include <string.h>

#define SMP_STRESS_MS     3000
#define STRESS_KMALLOC_N  8             /* objects held at once per round */
#define STRESS_SKB_N      4
#define STRESS_WINDOW     16            /* spins between the counter's read and write */
#define STRESS_STOP       (~0UL)        /* the ball value that ends a pair */
/* a pass noticed this long after the ball was set: its wake-up was lost
 * (the wait's timeout found it) */
#define STRESS_WAKE_MS    5000          /* far above what a loaded host delays a vCPU */

struct stress_worker {
	unsigned int cpu;
	u64 deadline_ns;
	u64 kmalloc_ops, skb_ops, lock_incs, corrupt, nomem;
};

struct stress_pair {
	struct wait_queue_head wq;
	volatile unsigned long ball;    /* even: the pinger's turn, odd: the ponger's */
	volatile u64 set_ns;            /* when the ball last changed */
	u64 deadline_ns;
	u64 pings, pongs, missed, max_lag_ns;
};

/* guards stress_count; the stress threads only (thread context) */
static struct spinlock stress_lock = SPINLOCK_INIT("smp_stress");
static u64 stress_count;
static struct stress_worker workers[NR_CPUS];
static struct stress_pair pairs[NR_CPUS];

/* skb structs handed out so far, every CPU's count */
static u64 skb_allocs_now(void)
{
	struct skb_stats st;

	skb_stats_read(&st);
	return st.allocs;
}

static u64 signature(const struct stress_worker *w, u64 round, unsigned int i)
{
	return (u64)(w->cpu + 1) << 48 ^ round << 8 ^ i;
}

static void stress_kmalloc(struct stress_worker *w, u64 round)
{
	u64 *obj[STRESS_KMALLOC_N];

	for (unsigned int i = 0; i < STRESS_KMALLOC_N; i++) {
		size_t size = (size_t)16 << ((round + i) % 8);     /* 16..2048 */

		obj[i] = kmalloc(size);
		if (!obj[i]) {
			w->nomem++;
			continue;
		}
		for (size_t k = 0; k < size / sizeof(u64); k++)
			obj[i][k] = signature(w, round, i);
	}
	for (unsigned int i = 0; i < STRESS_KMALLOC_N; i++) {
		size_t size = (size_t)16 << ((round + i) % 8);

		if (!obj[i])
			continue;
		for (size_t k = 0; k < size / sizeof(u64); k++)
			if (obj[i][k] != signature(w, round, i)) {
				w->corrupt++;
				break;
			}
		kfree(obj[i]);
		w->kmalloc_ops++;
	}
}

static void stress_skb(struct stress_worker *w, u64 round)
{
	struct sk_buff *skb[STRESS_SKB_N];

	for (unsigned int i = 0; i < STRESS_SKB_N; i++) {
		u32 len = 64 + (u32)((round * 7 + i * 131) % 1400);
		u64 sig = signature(w, round, i);

		skb[i] = alloc_skb(len);
		if (!skb[i]) {
			w->nomem++;
			continue;
		}
		memcpy(skb_put(skb[i], sizeof(sig)), &sig, sizeof(sig));
		skb[i]->tstamp = sig;          /* the struct carries it too */
	}
	for (unsigned int i = 0; i < STRESS_SKB_N; i++) {
		u64 sig = signature(w, round, i), a, b;

		if (!skb[i])
			continue;
		memcpy(&a, skb[i]->data, sizeof(a));
		b = skb[i]->tstamp;
		if (a != sig || b != sig || skb[i]->users != 1)
			w->corrupt++;
		kfree_skb(skb[i]);
		w->skb_ops++;
	}
}

/* a read-modify-write with a window in it: without the lock, CPUs doing
 * this at once lose updates */
static void stress_lock_inc(struct stress_worker *w)
{
	u64 v;

	spin_lock(&stress_lock);
	v = READ_ONCE(stress_count);
	for (int i = 0; i < STRESS_WINDOW; i++)
		cpu_relax();
	WRITE_ONCE(stress_count, v + 1);
	spin_unlock(&stress_lock);
	w->lock_incs++;
}

static int stress_thread(void *data)
{
	struct stress_worker *w = data;

	for (u64 round = 0; ktime_get_ns() < w->deadline_ns; round++) {
		stress_kmalloc(w, round);
		stress_skb(w, round);
		stress_lock_inc(w);
	}
	return 0;
}

/* wait until the ball is a or b; a wake-up that never came shows as a
 * pass seen only when the wait timed out */
static void pair_wait(struct stress_pair *p, unsigned long a, unsigned long b)
{
	u64 lag;

	while (!wait_event_timeout(p->wq, p->ball == a || p->ball == b,
				   msecs_to_jiffies(STRESS_WAKE_MS)))
		;
	lag = ktime_get_ns() - p->set_ns;
	p->max_lag_ns = MAX(p->max_lag_ns, lag);
	if (lag >= (u64)STRESS_WAKE_MS * NSEC_PER_MSEC)
		p->missed++;
}

static void pair_pass(struct stress_pair *p, unsigned long ball)
{
	p->set_ns = ktime_get_ns();
	WRITE_ONCE(p->ball, ball);
	wake_up(&p->wq);
}

static int stress_pinger(void *data)
{
	struct stress_pair *p = data;

	for (unsigned long i = 0;; i++) {
		pair_wait(p, 2 * i, 2 * i);
		if (ktime_get_ns() >= p->deadline_ns) {
			pair_pass(p, STRESS_STOP);
			return 0;
		}
		p->pings++;
		pair_pass(p, 2 * i + 1);
	}
}

static int stress_ponger(void *data)
{
	struct stress_pair *p = data;

	for (unsigned long i = 0;; i++) {
		pair_wait(p, 2 * i + 1, STRESS_STOP);
		if (p->ball == STRESS_STOP)
			return 0;
		p->pongs++;
		pair_pass(p, 2 * i + 2);
	}
}

int smp_stress_test(void)
{
	unsigned int n = nr_cpu_ids_online();
	struct task_struct *t[NR_CPUS], *a[NR_CPUS], *b[NR_CPUS];
	u64 deadline, incs = 0, kops = 0, sops = 0, corrupt = 0, nomem = 0, rounds = 0;
	u64 missed = 0, max_lag = 0, skb_used0, skb_allocs0;
	size_t live0, live1;
	int rc = 0;

	skb_cache_drain();
	live0 = kmalloc_live_objects();
	skb_used0 = skb_in_use();
	skb_allocs0 = skb_allocs_now();
	stress_count = 0;
	deadline = ktime_get_ns() + (u64)SMP_STRESS_MS * NSEC_PER_MSEC;
	for (unsigned int c = 0; c < n; c++) {
		workers[c] = (struct stress_worker){ .cpu = c, .deadline_ns = deadline };
		pairs[c] = (struct stress_pair){ .deadline_ns = deadline, .set_ns = ktime_get_ns() };
		init_waitqueue_head(&pairs[c].wq);
		t[c] = kthread_create(stress_thread, &workers[c], "stress/%u", c);
		a[c] = kthread_create(stress_pinger, &pairs[c], "stress_ping/%u", c);
		b[c] = kthread_create(stress_ponger, &pairs[c], "stress_pong/%u", (c + 1) % n);
		SELFTEST_CHECK("smp", t[c] && a[c] && b[c]);
		SELFTEST_CHECK("smp", kthread_bind(t[c], c) == 0 && kthread_bind(a[c], c) == 0 &&
			       kthread_bind(b[c], (c + 1) % n) == 0);
	}
	for (unsigned int c = 0; c < n; c++) {
		wake_up_process(t[c]);
		wake_up_process(a[c]);
		wake_up_process(b[c]);
	}
	for (unsigned int c = 0; c < n; c++) {
		SELFTEST_CHECK("smp", kthread_stop(t[c]) == 0);
		SELFTEST_CHECK("smp", kthread_stop(a[c]) == 0 && kthread_stop(b[c]) == 0);
		incs += workers[c].lock_incs;
		kops += workers[c].kmalloc_ops;
		sops += workers[c].skb_ops;
		corrupt += workers[c].corrupt;
		nomem += workers[c].nomem;
		rounds += pairs[c].pings;
		missed += pairs[c].missed;
		max_lag = MAX(max_lag, pairs[c].max_lag_ns);
		pr_info("smp: stress: CPU%u: kmalloc %llu, skb %llu, lock %llu, wait/wake %llu/%llu\n",
			c, (unsigned long long)workers[c].kmalloc_ops,
			(unsigned long long)workers[c].skb_ops,
			(unsigned long long)workers[c].lock_incs,
			(unsigned long long)pairs[c].pings, (unsigned long long)pairs[c].pongs);
		SELFTEST_CHECK("smp", pairs[c].pings == pairs[c].pongs);
		SELFTEST_CHECK("smp", workers[c].lock_incs > 0 && pairs[c].pings > 0);
	}
	skb_cache_drain();
	live1 = kmalloc_live_objects();
	pr_info("smp: stress: %u CPUs for %u ms: kmalloc %llu, skb %llu (allocs counted %llu), "
		"counter %llu of %llu, wait/wake %llu round trips, %llu corrupt, %llu nomem, "
		"%llu lost wake-ups (slowest pass %llu ms), kmalloc live %zu -> %zu, "
		"skbs in use %llu -> %llu\n", n,
		SMP_STRESS_MS, (unsigned long long)kops, (unsigned long long)sops,
		(unsigned long long)(skb_allocs_now() - skb_allocs0),
		(unsigned long long)stress_count, (unsigned long long)incs,
		(unsigned long long)rounds, (unsigned long long)corrupt,
		(unsigned long long)nomem, (unsigned long long)missed,
		(unsigned long long)(max_lag / NSEC_PER_MSEC), live0, live1,
		(unsigned long long)skb_used0, (unsigned long long)skb_in_use());
	SELFTEST_CHECK("smp", stress_count == incs);
	SELFTEST_CHECK("smp", corrupt == 0 && nomem == 0 && missed == 0);
	SELFTEST_CHECK("smp", skb_allocs_now() - skb_allocs0 >= sops);
	SELFTEST_CHECK("smp", skb_in_use() == skb_used0);
	SELFTEST_CHECK("smp", live1 == live0);
out:
	return rc;
}
