/* Kernel threads: creation, start, stop, exit; every CPU's ksoftirqd/N;
 * and `ps` in procps' `ps aux` layout (kernel/sched.h). */
#include "kernel/sched.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/mutex.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/shell/shell.h"
#include "kernel/softirq.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/workqueue.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <string.h>

/* the callee-saved registers switch_to pops before its first return */
#define SWITCH_FRAME_REGS 6

void kthread_trampoline(void);

/* guards all_tasks and next_pid; thread context (create, stop, ps, top)
 * and CPU 0's tick (the load average's count), irqsave */
static struct spinlock tasks_lock = SPINLOCK_INIT("tasks");
static struct list_head all_tasks = LIST_HEAD_INIT(all_tasks);
static int next_pid = 1;
static DEFINE_PER_CPU(struct task_struct *, ksoftirqd);

/* Who frees a thread: it holds two references, its own (dropped in
 * kthread_exit) and its joiner's (kthread_stop, kthread_reap, or
 * kthread_detach for none).  The last one frees it once it has left its
 * CPU (exited); when that is not yet so (the thread's own drop, a detach
 * before the end), the thread waits on dead_tasks for reap_work.
 * dead_lock guards dead_tasks; thread context (the last kthread_put: the
 * thread's own exit or its joiner; the kworker's reap), irqsave. */
static struct spinlock dead_lock = SPINLOCK_INIT("kthread_dead");
static struct list_head dead_tasks = LIST_HEAD_INIT(dead_tasks);
static void kthread_reap_dead(struct work_struct *w);
static struct work_struct reap_work = { .func = kthread_reap_dead };
static u64 reap_requeues;
void (*kthread_exit_hook)(void);

static struct task_struct *kthread_create_v(int (*fn)(void *data), void *data,
					    const char *fmt, va_list ap)
{
	struct task_struct *t = kzalloc(sizeof(*t));
	unsigned long *sp;
	unsigned long flags;

	if (!t)
		return NULL;
	t->stack = page_alloc(KTHREAD_STACK_ORDER);
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	vsnprintf(t->comm, sizeof(t->comm), fmt, ap);
	t->fn = fn;
	t->data = data;
	t->state = TASK_NEW;
	t->cpus_allowed = ~0UL;
	t->migrate_to = -1;
	t->start_ns = ktime_get_ns();
	t->refs = 2;
	INIT_LIST_HEAD(&t->reap_node);
	INIT_LIST_HEAD(&t->run_node);
	INIT_LIST_HEAD(&t->timer_node);
	/* the first switch_to into it pops zeros and returns into the
	 * trampoline */
	sp = (unsigned long *)((char *)t->stack + (PAGE_SIZE << KTHREAD_STACK_ORDER));
	*--sp = 0;                              /* keeps the trampoline's frame aligned */
	*--sp = (unsigned long)kthread_trampoline;
	for (int i = 0; i < SWITCH_FRAME_REGS; i++)
		*--sp = 0;
	t->sp = (unsigned long)sp;
	flags = spin_lock_irqsave(&tasks_lock);
	t->pid = next_pid++;
	list_add_tail(&t->all_node, &all_tasks);
	spin_unlock_irqrestore(&tasks_lock, flags);
	return t;
}

struct task_struct *kthread_create(int (*fn)(void *data), void *data, const char *fmt, ...)
{
	struct task_struct *t;
	va_list ap;

	va_start(ap, fmt);
	t = kthread_create_v(fn, data, fmt, ap);
	va_end(ap);
	return t;
}

struct task_struct *kthread_run(int (*fn)(void *data), void *data, const char *fmt, ...)
{
	struct task_struct *t;
	va_list ap;

	va_start(ap, fmt);
	t = kthread_create_v(fn, data, fmt, ap);
	va_end(ap);
	if (t)
		wake_up_process(t);
	return t;
}

int kthread_bind(struct task_struct *t, unsigned int cpu)
{
	if (t->state != TASK_NEW || cpu >= nr_cpu_ids_online())
		return -EINVAL;
	t->cpu = cpu;
	t->cpus_allowed = BIT(cpu);
	return 0;
}

bool kthread_should_stop(void)
{
	return READ_ONCE(current->should_stop);
}

static void kthread_free(struct task_struct *t)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);

	list_del_init(&t->all_node);
	spin_unlock_irqrestore(&tasks_lock, flags);
	page_free(t->stack, KTHREAD_STACK_ORDER);
	kfree(t);
}

static bool kthread_has_exited(struct task_struct *t)
{
	return __atomic_load_n(&t->exited, __ATOMIC_ACQUIRE);
}

/* drop one of t's two references; the last frees it, now if it has left
 * its CPU, else through reap_work */
static void kthread_put(struct task_struct *t)
{
	unsigned long flags;

	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (t != current && kthread_has_exited(t)) {
		kthread_free(t);
		return;
	}
	flags = spin_lock_irqsave(&dead_lock);
	list_add_tail(&t->reap_node, &dead_tasks);
	spin_unlock_irqrestore(&dead_lock, flags);
	schedule_work(&reap_work);
}

/* [kworker]: free the detached threads that have left their CPUs; again
 * later for one still on its way out */
static void kthread_reap_dead(struct work_struct *w)
{
	struct task_struct *t, *n;
	struct list_head done;
	unsigned long flags;
	bool again = false;

	(void)w;
	INIT_LIST_HEAD(&done);
	flags = spin_lock_irqsave(&dead_lock);
	list_for_each_entry_safe(t, n, &dead_tasks, reap_node) {
		if (kthread_has_exited(t)) {
			list_del_init(&t->reap_node);
			list_add_tail(&t->reap_node, &done);
		} else {
			again = true;
		}
	}
	spin_unlock_irqrestore(&dead_lock, flags);
	list_for_each_entry_safe(t, n, &done, reap_node)
		kthread_free(t);
	if (again) {
		__atomic_add_fetch(&reap_requeues, 1, __ATOMIC_RELAXED);
		schedule_work(&reap_work);
	}
}

u64 kthread_reap_requeues(void)
{
	return __atomic_load_n(&reap_requeues, __ATOMIC_RELAXED);
}

void kthread_exit(int code)
{
	struct task_struct *t = current;

	t->exit_code = code;
	/* interrupts off from here: no tick switches to the kworker that
	 * reap_work wakes on this CPU before this thread has left it (it
	 * would find it not exited yet and queue itself again and again) */
	local_irq_disable();
	kthread_put(t);
	/* selftest=sched raises an interrupt here: it waits for the switch */
	if (READ_ONCE(kthread_exit_hook))
		kthread_exit_hook();
	/* TASK_DEAD is stored without the run queue's lock: a wake_up_process
	 * that found the thread asleep (fn returned after set_current_state)
	 * may store TASK_RUNNING over it, and schedule() then keeps it queued
	 * and comes back here.  Store it again: a waker leaves TASK_DEAD be. */
	for (;;) {
		local_irq_disable();
		WRITE_ONCE(t->state, TASK_DEAD);
		schedule();
	}
}

int kthread_stop(struct task_struct *t)
{
	int code;

	WRITE_ONCE(t->should_stop, true);
	wake_up_process(t);
	while (!kthread_has_exited(t)) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(1);
	}
	code = t->exit_code;
	kthread_put(t);
	return code;
}

bool kthread_reap(struct task_struct *t)
{
	if (!kthread_has_exited(t))
		return false;
	kthread_put(t);
	return true;
}

void kthread_detach(struct task_struct *t)
{
	kthread_put(t);
}

int kthread_last_pid(void)
{
	return READ_ONCE(next_pid) - 1;
}

void for_each_task(void (*fn)(struct task_struct *t, void *ctx), void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);
	struct task_struct *t;

	list_for_each_entry(t, &all_tasks, all_node)
		fn(t, ctx);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

/* --- ksoftirqd/N --- */

static int ksoftirqd_fn(void *data)
{
	(void)data;
	while (!kthread_should_stop()) {
		/* queue-then-check: a raise after the check finds us
		 * TASK_UNINTERRUPTIBLE and wakes us */
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (!local_softirq_pending()) {
			schedule();
			continue;
		}
		set_current_state(TASK_RUNNING);
		ksoftirqd_run();
		cond_resched();
	}
	return 0;
}

void ksoftirqd_wake(void)
{
	struct task_struct *t;

	if (!sched_ready())
		return;
	t = *this_cpu_ptr(&ksoftirqd);
	if (t)
		wake_up_process(t);
}

int ksoftirqd_init(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids_online(); cpu++) {
		struct task_struct *t = kthread_create(ksoftirqd_fn, NULL, "ksoftirqd/%u", cpu);

		if (!t)
			return -ENOMEM;
		kthread_bind(t, cpu);
		per_cpu(ksoftirqd, cpu) = t;
		wake_up_process(t);
	}
	return 0;
}

/* --- ps --- */

struct ps_ctx {
	u64 now;
	int n;
	struct ps_row {
		int pid;
		char stat;
		u64 runtime_ns, start_ns;
		char comm[TASK_COMM_LEN];
		bool user;              /* an application's thread: no brackets */
	} rows[64];
};

static void ps_collect(struct task_struct *t, void *arg)
{
	struct ps_ctx *c = arg;
	struct ps_row *r;

	if (c->n >= (int)ARRAY_SIZE(c->rows))
		return;
	r = &c->rows[c->n++];
	r->pid = t->pid;
	r->stat = t->state == TASK_DEAD ? 'Z' : t->state == TASK_RUNNING ? 'R' : 'S';
	/* a running thread's current slice counts too, on any CPU */
	r->runtime_ns = task_runtime_ns(t, c->now);
	r->start_ns = t->start_ns;
	memcpy(r->comm, t->comm, sizeof(r->comm));
	r->user = t->app != NULL;
}

/* procps' `ps aux`: USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND;
 * kernel threads in brackets, an application's threads (kernel/app/) by
 * its name without, no memory of their own, no terminal.  START
 * is the time since boot (there is no wall clock), %CPU the thread's CPU
 * time over its life, TIME its CPU time (M:SS) */
static int cmd_ps_locked(int argc, char **argv)
{
	static struct ps_ctx c;

	(void)argc;
	(void)argv;
	c.n = 0;
	c.now = ktime_get_ns();
	for_each_task(ps_collect, &c);
	shell_printf("USER         PID %%CPU %%MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n");
	for (int i = 0; i < c.n; i++) {
		struct ps_row *r = &c.rows[i];
		u64 life = c.now - r->start_ns, permille = life ? r->runtime_ns * 1000 / life : 0;
		u64 start_s = r->start_ns / NSEC_PER_SEC, cpu_s = r->runtime_ns / NSEC_PER_SEC;

		shell_printf("%-8s %6d %2llu.%llu  0.0      0     0 ?        %-4c %02llu:%02llu %3llu:%02llu %s%s%s\n",
			     "root", r->pid, (unsigned long long)(permille / 10),
			     (unsigned long long)(permille % 10), r->stat,
			     (unsigned long long)(start_s / 60), (unsigned long long)(start_s % 60),
			     (unsigned long long)(cpu_s / 60), (unsigned long long)(cpu_s % 60),
			     r->user ? "" : "[", r->comm, r->user ? "" : "]");
	}
	return 0;
}

/* guards cmd_ps's table: one ps at a time over all the shell sessions;
 * threads only */
static DEFINE_MUTEX(ps_mutex);

static int cmd_ps(int argc, char **argv)
{
	int rc;

	mutex_lock(&ps_mutex);
	rc = cmd_ps_locked(argc, argv);
	mutex_unlock(&ps_mutex);
	return rc;
}
SHELL_CMD("ps", cmd_ps, "kernel threads, as ps aux (ps aux, ps: the same)");
