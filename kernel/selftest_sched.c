/* selftest=sched: kernel threads on every CPU (create, bind, run, stop),
 * msleep, wait/wake ping-pong across CPUs with wait_event_timeout, a wait
 * that times out, and preemption: two threads that never sleep share
 * CPU 0 (the second starts before the first is done only if the tick
 * preempts); a woken sleeper off its wait queue at once (autoremove);
 * detached threads that free themselves, also with an interrupt right
 * after their own drop (kthread_exit's order). */
#include "kernel/sched.h"
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"

#define PINGPONG_ROUNDS 200
#define SLEEP_MS        100
#define SPIN_MS         300
#define EXIT_RACE_THREADS 20    /* detached threads ended with an interrupt at the drop */
#define EXIT_RACE_MS    10000   /* at most this long for all of them */

struct pingpong {
	struct wait_queue_head wq;
	volatile unsigned long ball;    /* even: the pinger's turn, odd: the ponger's */
	unsigned int timeouts;
};

static struct pingpong pp[NR_CPUS];

static int pinger(void *data)
{
	struct pingpong *p = data;

	for (unsigned long i = 0; i < PINGPONG_ROUNDS; i++) {
		if (!wait_event_timeout(p->wq, p->ball == 2 * i, HZ))
			p->timeouts++;
		WRITE_ONCE(p->ball, 2 * i + 1);
		wake_up(&p->wq);
	}
	return (int)smp_processor_id() + 100;
}

static int ponger(void *data)
{
	struct pingpong *p = data;

	for (unsigned long i = 0; i < PINGPONG_ROUNDS; i++) {
		if (!wait_event_timeout(p->wq, p->ball == 2 * i + 1, HZ))
			p->timeouts++;
		WRITE_ONCE(p->ball, 2 * i + 2);
		wake_up(&p->wq);
	}
	return (int)smp_processor_id() + 200;
}

/* a wait that starts while CPU 0's tick is late (its interrupts off):
 * it must still last its whole time, measured on the TSC */
#define STALE_OFF_MS    45      /* CPU 0 runs with interrupts off this long */
#define STALE_START_MS  40      /* ... and lets the waiter start this far in */
#define STALE_WAIT_MS   30

struct stale_wait {
	volatile bool go;
	u64 waited;
};

static int stale_waiter(void *data)
{
	struct stale_wait *w = data;
	struct wait_queue_head never;
	u64 t0;

	init_waitqueue_head(&never);
	while (!READ_ONCE(w->go))
		cpu_relax();
	t0 = ktime_get_ns();
	wait_event_timeout(never, false, msecs_to_jiffies(STALE_WAIT_MS));
	w->waited = ktime_get_ns() - t0;
	return 0;
}

/* CPU 0 keeps jiffies; with its interrupts off they stop while the TSC
 * goes on.  A wait on CPU 1 that starts then must not end on the tick that
 * makes them up.  0, or -1 (the report says which check). */
static int stale_jiffies_wait(void)
{
	static struct stale_wait w;
	struct task_struct *t;
	unsigned long flags;
	int rc = 0;

	/* interrupts off pins this thread; it must be CPU 0, which keeps
	 * jiffies */
	SELFTEST_CHECK("sched", smp_processor_id() == 0);
	w.go = false;
	w.waited = 0;
	t = kthread_create(stale_waiter, &w, "stale/1");
	SELFTEST_CHECK("sched", t && kthread_bind(t, 1) == 0);
	wake_up_process(t);
	msleep(20);     /* the waiter is spinning on CPU 1 */
	flags = local_irq_save();
	mdelay(STALE_START_MS);
	WRITE_ONCE(w.go, true);
	mdelay(STALE_OFF_MS - STALE_START_MS);
	local_irq_restore(flags);
	SELFTEST_CHECK("sched", kthread_stop(t) == 0);
	pr_info("sched: test: a %u ms wait begun %u ms into a late tick took %llu ms\n",
		STALE_WAIT_MS, STALE_START_MS, (unsigned long long)(w.waited / NSEC_PER_MSEC));
	/* as the timeout above, to a tick; ending on the catching-up tick
	 * would take 5..15 ms */
	SELFTEST_CHECK("sched", w.waited >= (u64)(STALE_WAIT_MS - 1000 / HZ) * NSEC_PER_MSEC);
out:
	return rc;
}

static int sleeper(void *data)
{
	u64 t0 = ktime_get_ns();

	msleep(SLEEP_MS);
	*(u64 *)data = ktime_get_ns() - t0;
	return 0;
}

struct spinner {
	u64 first_ns, last_ns;
};

static int spin_thread(void *data)
{
	struct spinner *s = data;
	u64 end;

	s->first_ns = ktime_get_ns();
	end = s->first_ns + (u64)SPIN_MS * NSEC_PER_MSEC;
	while ((s->last_ns = ktime_get_ns()) < end)
		cpu_relax();
	return 0;
}

/* --- a lone busy thread keeps its CPU --- */

struct lone_spinner {
	u64 nivcsw;
};

static int lone_spin_thread(void *data)
{
	struct lone_spinner *s = data;
	u64 end = ktime_get_ns() + (u64)SPIN_MS * NSEC_PER_MSEC;

	while (ktime_get_ns() < end)
		cpu_relax();
	s->nivcsw = current->nivcsw;
	return 0;
}

/* The idle thread runs only when nothing else can: a thread spinning
 * alone on a CPU is not preempted on every tick for the idle thread
 * (which would switch straight back).  Linux's idle class. */
static int selftest_lone_spinner(unsigned int cpu)
{
	struct lone_spinner ls = { .nivcsw = ~0ULL };
	struct task_struct *t = kthread_create(lone_spin_thread, &ls, "spin/lone");
	int rc = 0;

	SELFTEST_CHECK("sched", t && kthread_bind(t, cpu) == 0);
	wake_up_process(t);
	SELFTEST_CHECK("sched", kthread_stop(t) == 0);
	pr_info("sched: test: a lone spinner on CPU%u was preempted %llu times in %u ms\n",
		cpu, (unsigned long long)ls.nivcsw, SPIN_MS);
	/* HZ ticks a second would each preempt it for the idle thread; the
	 * few real wake-ups (kworkers, ksoftirqd) on that CPU stay well under */
	SELFTEST_CHECK("sched", ls.nivcsw < (u64)SPIN_MS * HZ / 1000 / 3);
out:
	return rc;
}

/* --- a woken sleeper leaves the queue --- */

struct wq_once {
	struct wait_queue_head wq;
	volatile bool go;
};

static int wq_once_sleeper(void *data)
{
	struct wq_once *w = data;

	return wait_event_timeout(w->wq, w->go, 10 * HZ) ? 0 : -ETIMEDOUT;
}

/* wake_up takes a plain sleeper off the queue (Linux's
 * autoremove_wake_function): a second wake-up before it runs finds the
 * queue empty, which the socket layer's sk_wake relies on to skip the
 * wake-ups of datagrams queued while its reader runs */
static int selftest_wake_autoremove(void)
{
	static struct wq_once w;
	struct task_struct *t;
	unsigned long flags;
	bool empty;
	int rc = 0;

	init_waitqueue_head(&w.wq);
	w.go = false;
	t = kthread_create(wq_once_sleeper, &w, "wq_once");
	SELFTEST_CHECK("sched", t && kthread_bind(t, smp_processor_id()) == 0);
	wake_up_process(t);
	for (int i = 0; i < 1000 && (list_empty(&w.wq.head) || READ_ONCE(t->state) == TASK_RUNNING);
	     i++)
		msleep(1);
	SELFTEST_CHECK("sched", !list_empty(&w.wq.head));
	/* interrupts off: the sleeper (on this CPU) cannot run before the look */
	flags = local_irq_save();
	w.go = true;
	wake_up(&w.wq);
	empty = list_empty(&w.wq.head);
	local_irq_restore(flags);
	SELFTEST_CHECK("sched", kthread_stop(t) == 0);
	pr_info("sched: test: a woken sleeper %s the wait queue\n", empty ? "left" : "stayed on");
	SELFTEST_CHECK("sched", empty);
out:
	return rc;
}

/* --- detached threads --- */

static int wait_for_go(void *data)
{
	while (!READ_ONCE(*(volatile bool *)data))
		msleep(1);
	return 0;
}

/* returns in TASK_UNINTERRUPTIBLE, as a loop that set its state, then
 * found kthread_should_stop() and broke out, does */
static int exit_asleep(void *data)
{
	(void)data;
	set_current_state(TASK_UNINTERRUPTIBLE);
	return 9;
}

struct pid_find {
	int pid;
	bool found;
};

static void pid_find_fn(struct task_struct *t, void *ctx)
{
	struct pid_find *f = ctx;

	if (t->pid == f->pid)
		f->found = true;
}

/* true once no thread with pid is listed, within ms */
static bool pid_gone_within(int pid, unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

	for (;;) {
		struct pid_find f = { .pid = pid };

		for_each_task(pid_find_fn, &f);
		if (!f.found)
			return true;
		if (ktime_get_ns() >= end)
			return false;
		msleep(1);
	}
}

static bool exited_within(struct task_struct *t, unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

	for (;;) {
		if (__atomic_load_n(&t->exited, __ATOMIC_ACQUIRE))
			return true;
		if (ktime_get_ns() >= end)
			return false;
		msleep(1);
	}
}

/* kthread_detach before and after the thread ends: either way its task
 * and stack go (it leaves the task list) with nobody stopping it; the
 * second one ends in TASK_UNINTERRUPTIBLE */
static int selftest_kthread_detach(void)
{
	static volatile bool go;
	struct task_struct *t;
	int pid, rc = 0;

	go = false;
	t = kthread_run(wait_for_go, (void *)&go, "detach/a");
	SELFTEST_CHECK("sched", t);
	pid = t->pid;
	kthread_detach(t);
	WRITE_ONCE(go, true);
	SELFTEST_CHECK("sched", pid_gone_within(pid, 2000));

	t = kthread_run(exit_asleep, NULL, "detach/b");
	SELFTEST_CHECK("sched", t);
	pid = t->pid;
	SELFTEST_CHECK("sched", exited_within(t, 2000));
	kthread_detach(t);
	SELFTEST_CHECK("sched", pid_gone_within(pid, 0));
	pr_info("sched: test: detached threads freed themselves\n");

out:
	return rc;
}

static unsigned int exit_race_done;

static int exit_at_once(void *data)
{
	(void)data;
	__atomic_add_fetch(&exit_race_done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* kthread_exit_hook: an interrupt (a reschedule IPI to this CPU) right
 * after the thread's own drop */
static void exit_race_interrupt(void)
{
	lapic_send_self_ipi(IRQ_VECTOR_RESCHEDULE);
}

/* kthread_exit's order: a detached thread's own drop is its last
 * reference, which queues reap_work on its CPU and wakes that CPU's
 * kworker.  An interrupt before the thread has left the CPU would switch
 * to the kworker, which finds the thread still on its CPU and queues
 * itself again.  kthread_exit_hook raises one at exactly that point in
 * every thread that ends here; kthread_exit keeps interrupts off from
 * the drop to the switch, so it is taken only after the thread has left
 * and the reaper never has to come back. */
static int selftest_kthread_exit_race(void)
{
	u64 requeues = kthread_reap_requeues(), end;
	unsigned int started = 0;
	int pid = 0, rc = 0;

	__atomic_store_n(&exit_race_done, 0, __ATOMIC_RELAXED);
	WRITE_ONCE(kthread_exit_hook, exit_race_interrupt);
	end = ktime_get_ns() + (u64)EXIT_RACE_MS * NSEC_PER_MSEC;
	while (started < EXIT_RACE_THREADS && ktime_get_ns() < end) {
		struct task_struct *t = kthread_create(exit_at_once, NULL, "exitrace");

		SELFTEST_CHECK("sched", t);
		pid = t->pid;
		kthread_detach(t);      /* its own drop will be the last */
		wake_up_process(t);
		started++;
		while (__atomic_load_n(&exit_race_done, __ATOMIC_ACQUIRE) < started &&
		       ktime_get_ns() < end)
			msleep(1);
	}
	SELFTEST_CHECK("sched", exit_race_done == EXIT_RACE_THREADS);
	SELFTEST_CHECK("sched", pid_gone_within(pid, 2000));
	requeues = kthread_reap_requeues() - requeues;
	pr_info("sched: test: exit race: %u threads ended with an interrupt after their "
		"drop, reaper requeued %llu times\n", EXIT_RACE_THREADS,
		(unsigned long long)requeues);
	SELFTEST_CHECK("sched", requeues == 0);
out:
	WRITE_ONCE(kthread_exit_hook, NULL);
	return rc;
}

static int selftest_sched(void)
{
	unsigned int n = nr_cpu_ids_online();
	struct task_struct *a[NR_CPUS], *b[NR_CPUS], *s1, *s2;
	struct spinner sp1 = { 0 }, sp2 = { 0 };
	struct wait_queue_head never;
	u64 slept[NR_CPUS], t0, waited;
	unsigned long left;
	int rc = 0;

	/* ping-pong: the pinger on CPU c, the ponger on CPU c+1 */
	for (unsigned int c = 0; c < n; c++) {
		init_waitqueue_head(&pp[c].wq);
		pp[c].ball = 0;
		pp[c].timeouts = 0;
		a[c] = kthread_create(pinger, &pp[c], "ping/%u", c);
		b[c] = kthread_create(ponger, &pp[c], "pong/%u", (c + 1) % n);
		SELFTEST_CHECK("sched", a[c] && b[c]);
		SELFTEST_CHECK("sched", kthread_bind(a[c], c) == 0);
		SELFTEST_CHECK("sched", kthread_bind(b[c], (c + 1) % n) == 0);
		wake_up_process(a[c]);
		wake_up_process(b[c]);
	}
	for (unsigned int c = 0; c < n; c++) {
		SELFTEST_CHECK("sched", kthread_stop(a[c]) == (int)c + 100);
		SELFTEST_CHECK("sched", kthread_stop(b[c]) == (int)((c + 1) % n) + 200);
		SELFTEST_CHECK("sched", pp[c].ball == 2 * PINGPONG_ROUNDS);
		SELFTEST_CHECK("sched", pp[c].timeouts == 0);
	}
	pr_info("sched: test: %u CPUs, %u wait/wake round trips each, no timeout\n", n,
		PINGPONG_ROUNDS);

	/* msleep on every CPU */
	for (unsigned int c = 0; c < n; c++) {
		a[c] = kthread_create(sleeper, &slept[c], "sleeper/%u", c);
		SELFTEST_CHECK("sched", a[c] && kthread_bind(a[c], c) == 0);
		wake_up_process(a[c]);
	}
	for (unsigned int c = 0; c < n; c++) {
		SELFTEST_CHECK("sched", kthread_stop(a[c]) == 0);
		pr_info("sched: test: msleep(%u) on CPU%u took %llu ms\n", SLEEP_MS, c,
			(unsigned long long)(slept[c] / NSEC_PER_MSEC));
		SELFTEST_CHECK("sched", slept[c] >= (u64)SLEEP_MS * NSEC_PER_MSEC);
		SELFTEST_CHECK("sched", slept[c] < 10ULL * SLEEP_MS * NSEC_PER_MSEC);
	}

	/* a wait nobody ends */
	init_waitqueue_head(&never);
	t0 = ktime_get_ns();
	left = wait_event_timeout(never, false, msecs_to_jiffies(SLEEP_MS));
	waited = ktime_get_ns() - t0;
	SELFTEST_CHECK("sched", left == 0);
	SELFTEST_CHECK("sched", waited >= (u64)(SLEEP_MS - 1000 / HZ) * NSEC_PER_MSEC);

	/* a wait begun on a stale jiffies value (CPU 0 keeps them) */
	if (n >= 2)
		SELFTEST_CHECK("sched", stale_jiffies_wait() == 0);

	/* preemption: two spinners on CPU 0 */
	s1 = kthread_create(spin_thread, &sp1, "spin/a");
	s2 = kthread_create(spin_thread, &sp2, "spin/b");
	SELFTEST_CHECK("sched", s1 && s2);
	wake_up_process(s1);
	wake_up_process(s2);
	SELFTEST_CHECK("sched", kthread_stop(s1) == 0 && kthread_stop(s2) == 0);
	pr_info("sched: test: spinners on CPU0: b started %lld ms before a ended\n",
		(long long)((s64)(sp1.last_ns - sp2.first_ns) / (s64)NSEC_PER_MSEC));
	/* without preemption b starts only after a's 300 ms */
	SELFTEST_CHECK("sched", sp2.first_ns && sp2.first_ns + 50 * NSEC_PER_MSEC < sp1.last_ns);
	/* an AP, in its idle loop (CPU 0's idle thread is this boot
	 * context, queued while it waits here) */
	rc = n >= 2 ? selftest_lone_spinner(n - 1) : 0;
	if (!rc)
		rc = selftest_wake_autoremove();
	if (!rc)
		rc = selftest_kthread_detach();
	if (!rc)
		rc = selftest_kthread_exit_race();
out:
	return rc;
}
SELFTEST("sched", selftest_sched,
	 "kthreads on every CPU: wait/wake ping-pong, msleep, a timeout, preemption on CPU 0");
