/* selftest=mutex, selftest=completion, selftest=affinity: the process
 * context primitives of kernel/mutex.h, kernel/completion.h and
 * set_cpus_allowed (kernel/sched.h), with threads on every CPU. */
#include "kernel/completion.h"
#include "kernel/errno.h"
#include "kernel/mutex.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"

#define MUTEX_THREADS_PER_CPU 2
#define MUTEX_ROUNDS          300
#define MUTEX_SLEEP_EVERY     50        /* a round that sleeps with the lock held */
#define MUTEX_WINDOW          64        /* spins between the read and the write */
#define COMPLETION_TIMEOUT_MS 100

/* --- mutex --- */

struct mutex_test {
	/* guards count, holders, max_holders; the test's threads only */
	struct mutex lock;
	u64 count;                      /* under lock, with a window in each update */
	int holders;                    /* threads inside the lock now: must stay <= 1 */
	int max_holders;
};

static struct mutex_test mt;

static int mutex_hammer(void *data)
{
	(void)data;
	for (int i = 0; i < MUTEX_ROUNDS; i++) {
		u64 v;

		mutex_lock(&mt.lock);
		mt.holders++;
		mt.max_holders = MAX(mt.max_holders, mt.holders);
		v = READ_ONCE(mt.count);
		for (int k = 0; k < MUTEX_WINDOW; k++)
			cpu_relax();
		/* the others must wait for us while we sleep holding it */
		if (i % MUTEX_SLEEP_EVERY == 0)
			msleep(1);
		WRITE_ONCE(mt.count, v + 1);
		mt.holders--;
		mutex_unlock(&mt.lock);
	}
	return 0;
}

static int mutex_holder(void *data)
{
	struct completion *locked = data;

	mutex_lock(&mt.lock);
	complete(locked);
	while (!kthread_should_stop())
		msleep(5);
	mutex_unlock(&mt.lock);
	return mutex_is_locked(&mt.lock) ? 1 : 0;
}

static void mutex_in_irq(void *info)
{
	int *got = info;

	*got = mutex_trylock(&mt.lock);
	if (*got)
		mutex_unlock(&mt.lock);
}

static int selftest_mutex(void)
{
	unsigned int n = nr_cpu_ids_online(), nt = 0;
	struct task_struct *t[NR_CPUS * MUTEX_THREADS_PER_CPU], *h;
	struct completion locked;
	u64 reports0, want;
	int rc = 0, got = -1;

	mutex_init(&mt.lock, "mutex_test");
	mt.count = 0;
	for (unsigned int c = 0; c < n; c++) {
		for (int k = 0; k < MUTEX_THREADS_PER_CPU; k++) {
			t[nt] = kthread_create(mutex_hammer, NULL, "mutex/%u:%d", c, k);
			SELFTEST_CHECK("mutex", t[nt] && kthread_bind(t[nt], c) == 0);
			wake_up_process(t[nt++]);
		}
	}
	for (unsigned int i = 0; i < nt; i++)
		SELFTEST_CHECK("mutex", kthread_stop(t[i]) == 0);
	want = (u64)nt * MUTEX_ROUNDS;
	pr_info("mutex: test: %u threads on %u CPUs, count %llu of %llu, %llu waits slept, "
		"at most %d inside\n", nt, n, (unsigned long long)mt.count,
		(unsigned long long)want, (unsigned long long)mt.lock.contended, mt.max_holders);
	SELFTEST_CHECK("mutex", mt.count == want);
	SELFTEST_CHECK("mutex", mt.max_holders == 1);
	SELFTEST_CHECK("mutex", mt.lock.contended > 0);
	SELFTEST_CHECK("mutex", !mutex_is_locked(&mt.lock));

	/* trylock against a holder; an unlock by a thread that is not the
	 * owner is reported and changes nothing */
	init_completion(&locked);
	h = kthread_run(mutex_holder, &locked, "mutex/holder");
	SELFTEST_CHECK("mutex", h);
	wait_for_completion(&locked);
	SELFTEST_CHECK("mutex", mutex_trylock(&mt.lock) == 0);
	reports0 = mutex_debug_report_count();
	mutex_unlock(&mt.lock);
	SELFTEST_CHECK("mutex", mutex_debug_report_count() == reports0 + 1);
	SELFTEST_CHECK("mutex", mutex_is_locked(&mt.lock) && mt.lock.owner == h);
	SELFTEST_CHECK("mutex", kthread_stop(h) == 0);
	SELFTEST_CHECK("mutex", mutex_trylock(&mt.lock) == 1 && mutex_owned(&mt.lock));
	mutex_unlock(&mt.lock);

	/* contexts that cannot sleep: softirqs off here, and a hard IRQ on
	 * another CPU (the call-function IPI); reported, the free mutex
	 * still taken */
	reports0 = mutex_debug_report_count();
	local_bh_disable();
	mutex_lock(&mt.lock);
	mutex_unlock(&mt.lock);
	local_bh_enable();
	SELFTEST_CHECK("mutex", mutex_debug_report_count() == reports0 + 1);
	if (n > 1) {
		SELFTEST_CHECK("mutex", smp_call_function_single(1, mutex_in_irq, &got, true) == 0);
		SELFTEST_CHECK("mutex", got == 1);
		SELFTEST_CHECK("mutex", mutex_debug_report_count() == reports0 + 2);
	}
	SELFTEST_CHECK("mutex", !mutex_is_locked(&mt.lock));
	pr_info("mutex: test: non-owner unlock and atomic-context locks reported (%llu reports)\n",
		(unsigned long long)mutex_debug_report_count());
out:
	return rc;
}
SELFTEST("mutex", selftest_mutex,
	 "threads on every CPU share a sleeping mutex (exact count); misuse reported");

/* --- completion --- */

struct completion_test {
	struct completion one, all;
	int woke_one, woke_all;         /* atomic */
};

static struct completion_test ct;

static int completion_waiter(void *data)
{
	(void)data;
	wait_for_completion(&ct.one);
	__atomic_fetch_add(&ct.woke_one, 1, __ATOMIC_SEQ_CST);
	wait_for_completion(&ct.all);
	__atomic_fetch_add(&ct.woke_all, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void complete_in_irq(void *info)
{
	complete(info);
}

static int selftest_completion(void)
{
	unsigned int n = nr_cpu_ids_online();
	struct task_struct *t[NR_CPUS];
	struct completion x;
	u64 t0, waited;
	int rc = 0;

	init_completion(&ct.one);
	init_completion(&ct.all);
	ct.woke_one = ct.woke_all = 0;
	for (unsigned int c = 0; c < n; c++) {
		t[c] = kthread_create(completion_waiter, NULL, "compl/%u", c);
		SELFTEST_CHECK("completion", t[c] && kthread_bind(t[c], c) == 0);
		wake_up_process(t[c]);
	}
	/* each complete() lets exactly one waiter through */
	for (unsigned int k = 1; k <= n; k++) {
		complete(&ct.one);
		t0 = ktime_get_ns();
		while (__atomic_load_n(&ct.woke_one, __ATOMIC_SEQ_CST) < (int)k &&
		       ktime_get_ns() - t0 < NSEC_PER_SEC)
			msleep(1);
		msleep(20);     /* time for a second waiter to go through wrongly */
		SELFTEST_CHECK("completion", __atomic_load_n(&ct.woke_one, __ATOMIC_SEQ_CST) == (int)k);
	}
	SELFTEST_CHECK("completion", ct.woke_all == 0);
	/* complete_all: every waiter, and later ones too */
	complete_all(&ct.all);
	for (unsigned int c = 0; c < n; c++)
		SELFTEST_CHECK("completion", kthread_stop(t[c]) == 0);
	SELFTEST_CHECK("completion", ct.woke_all == (int)n);
	SELFTEST_CHECK("completion", wait_for_completion_timeout(&ct.all, 1) > 0);
	reinit_completion(&ct.all);
	SELFTEST_CHECK("completion", !try_wait_for_completion(&ct.all));

	/* an event before the wait is kept; a wait nobody ends times out */
	init_completion(&x);
	complete(&x);
	SELFTEST_CHECK("completion", wait_for_completion_timeout(&x, 1) > 0);
	t0 = ktime_get_ns();
	SELFTEST_CHECK("completion",
		       wait_for_completion_timeout(&x, msecs_to_jiffies(COMPLETION_TIMEOUT_MS)) == 0);
	waited = ktime_get_ns() - t0;
	SELFTEST_CHECK("completion",
		       waited >= (u64)(COMPLETION_TIMEOUT_MS - 1000 / HZ) * NSEC_PER_MSEC);
	/* completed from a hard IRQ on another CPU */
	if (n > 1) {
		SELFTEST_CHECK("completion",
			       smp_call_function_single(n - 1, complete_in_irq, &x, false) == 0);
		SELFTEST_CHECK("completion", wait_for_completion_timeout(&x, HZ) > 0);
	}
	pr_info("completion: test: %u waiters, one each per complete(), all by complete_all, "
		"timeout after %llu ms\n", n, (unsigned long long)(waited / NSEC_PER_MSEC));
out:
	return rc;
}
SELFTEST("completion", selftest_completion,
	 "complete() wakes one waiter per event, complete_all every one; timeouts");

/* --- affinity --- */

struct affinity_test {
	struct wait_queue_head wq;
	volatile int go;
	volatile int seen_cpu;          /* smp_processor_id() the thread last saw */
	volatile u64 loops;
};

static struct affinity_test at;

/* runs (never sleeps) and reports where it runs */
static int affinity_spinner(void *data)
{
	(void)data;
	while (!kthread_should_stop()) {
		WRITE_ONCE(at.seen_cpu, (int)smp_processor_id());
		at.loops++;
		cpu_relax();
	}
	return 0;
}

/* sleeps on a wait queue, then in msleep, and reports where it woke */
static int affinity_sleeper(void *data)
{
	int *where = data;

	wait_event(at.wq, READ_ONCE(at.go) >= 1);
	where[0] = (int)smp_processor_id();
	msleep(200);
	where[1] = (int)smp_processor_id();
	return 0;
}

/* moves itself */
static int affinity_self(void *data)
{
	int *where = data;

	where[0] = (int)smp_processor_id();
	if (set_cpus_allowed(current, BIT(nr_cpu_ids_online() - 1)))
		return -1;
	where[1] = (int)smp_processor_id();
	return 0;
}

static int selftest_affinity(void)
{
	unsigned int n = nr_cpu_ids_online(), last = n - 1;
	struct task_struct *t;
	int where[2] = { -1, -1 }, self[2] = { -1, -1 }, rc = 0;
	u64 t0, loops;

	init_waitqueue_head(&at.wq);
	SELFTEST_CHECK("affinity", set_cpus_allowed(current, ~0UL) == -EINVAL);
	if (n < 2) {
		t = kthread_create(affinity_spinner, NULL, "affinity/spin");
		SELFTEST_CHECK("affinity", t && set_cpus_allowed(t, BIT(1)) == -EINVAL);
		wake_up_process(t);
		SELFTEST_CHECK("affinity", kthread_stop(t) == 0);
		pr_info("affinity: test: one CPU: a mask of other CPUs is refused\n");
		goto out;
	}
	/* a running thread: switched out by the IPI, runs on on the new CPU */
	at.seen_cpu = -1;
	t = kthread_create(affinity_spinner, NULL, "affinity/spin");
	SELFTEST_CHECK("affinity", t && kthread_bind(t, 0) == 0);
	wake_up_process(t);
	t0 = ktime_get_ns();
	while (READ_ONCE(at.seen_cpu) != 0 && ktime_get_ns() - t0 < NSEC_PER_SEC)
		msleep(1);
	SELFTEST_CHECK("affinity", at.seen_cpu == 0);
	SELFTEST_CHECK("affinity", set_cpus_allowed(t, BIT(last)) == 0);
	SELFTEST_CHECK("affinity", t->cpu == last);
	loops = at.loops;
	t0 = ktime_get_ns();
	while ((READ_ONCE(at.seen_cpu) != (int)last || at.loops == loops) &&
	       ktime_get_ns() - t0 < NSEC_PER_SEC)
		msleep(1);
	SELFTEST_CHECK("affinity", at.seen_cpu == (int)last);
	SELFTEST_CHECK("affinity", kthread_stop(t) == 0);

	/* a sleeping thread moves at once; it wakes on its new CPU, then
	 * sleeps in msleep there */
	at.go = 0;
	t = kthread_create(affinity_sleeper, where, "affinity/sleep");
	SELFTEST_CHECK("affinity", t && kthread_bind(t, 0) == 0);
	wake_up_process(t);
	msleep(50);
	SELFTEST_CHECK("affinity", set_cpus_allowed(t, BIT(last)) == 0);
	SELFTEST_CHECK("affinity", t->cpu == last);
	WRITE_ONCE(at.go, 1);
	wake_up(&at.wq);
	msleep(50);
	/* and while in msleep (a timeout queued on its CPU) back to CPU 0 */
	SELFTEST_CHECK("affinity", set_cpus_allowed(t, BIT(0)) == 0);
	SELFTEST_CHECK("affinity", kthread_stop(t) == 0);
	SELFTEST_CHECK("affinity", where[0] == (int)last && where[1] == 0);

	/* a thread that moves itself */
	t = kthread_create(affinity_self, self, "affinity/self");
	SELFTEST_CHECK("affinity", t && kthread_bind(t, 0) == 0);
	wake_up_process(t);
	SELFTEST_CHECK("affinity", kthread_stop(t) == 0);
	SELFTEST_CHECK("affinity", self[0] == 0 && self[1] == (int)last);
	pr_info("affinity: test: a running thread CPU0 -> CPU%u, a sleeping one CPU0 -> CPU%u "
		"(woke there) -> CPU0 (in msleep), one moved itself CPU0 -> CPU%u\n",
		last, last, last);
out:
	return rc;
}
SELFTEST("affinity", selftest_affinity,
	 "set_cpus_allowed moves running, sleeping and self-moving threads");

/* --- smp_call_function_many --- */

static void call_many_mark(void *info)
{
	int *slots = info;

	slots[smp_processor_id()]++;
}

static int selftest_call_many(void)
{
	unsigned int n = nr_cpu_ids_online(), me;
	int slots[NR_CPUS] = { 0 }, rc = 0;

	SELFTEST_CHECK("call_many", smp_call_function_many(~0UL, call_many_mark, slots, true) == 0);
	me = smp_processor_id();
	for (unsigned int c = 0; c < n; c++)
		SELFTEST_CHECK("call_many", slots[c] == (c == me ? 0 : 1));
	pr_info("call_many: test: ran once on each of the %u other CPUs\n", n - 1);
out:
	return rc;
}
SELFTEST("call_many", selftest_call_many,
	 "smp_call_function_many with wait runs once on every other CPU");
