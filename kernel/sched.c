/* The per-CPU run queues, schedule(), sleeping with a timeout, wake-ups,
 * preemption on the tick, and wait queues (kernel/sched.h, kernel/wait.h).
 *
 * rq->tasks holds a CPU's runnable threads other than the one running;
 * schedule() appends the running thread if it is still runnable and runs
 * the first one (round robin), or the idle thread when none is queued.
 * Once in its idle loop the idle thread is never queued (Linux's idle
 * class: it runs only when nothing else can, so a tick or cond_resched
 * never switches a busy thread to idle and back); before, as the boot
 * context, it is queued even while it waits.  rq->lock is a raw
 * lock word (interrupts are always off around it): it is held across the
 * switch and released by the thread switched to (finish_task_switch). */
#include "kernel/sched.h"
#include "kernel/app/app.h"
#include "kernel/apic.h"
#include "kernel/cpustat.h"
#include "kernel/errno.h"
#include "kernel/idle.h"
#include "kernel/idt.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/softirq.h"
#include "kernel/softlockup.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"
#include <string.h>

struct rq {
	/* guards tasks, sleepers, curr and the queued threads' state and
	 * on_rq; every context, interrupts off (a raw word: see above) */
	struct spinlock lock;
	struct list_head tasks;         /* runnable, not running */
	struct list_head sleepers;      /* threads in schedule_timeout */
	struct task_struct *curr;
	struct task_struct *last;       /* the thread switched away from */
	struct task_struct *migrating;  /* last, to move to its migrate_to CPU */
	struct task_struct idle;        /* this CPU's boot context */
	bool need_resched;
	bool ready;
	/* the idle thread has entered its idle loop (sched_idle_loop_enter):
	 * from then on it is never queued and runs only when rq->tasks is
	 * empty.  Before, it is the CPU's boot context doing real work (CPU
	 * 0's boot and selftests) and queued like any thread, even while it
	 * waits (schedule_timeout's idle branch polls its timeout) */
	bool idle_loop;
	/* switches from one thread to another on this CPU (Linux's
	 * rq->nr_switches, /proc/stat's ctxt); written under lock */
	u64 nr_switches;
};

DEFINE_PER_CPU(unsigned int, __preempt_count);
static DEFINE_PER_CPU(struct rq, runqueues);

void switch_to(unsigned long *prev_sp, unsigned long next_sp);

struct task_struct *get_current(void)
{
	return this_cpu_ptr(&runqueues)->curr;
}

bool sched_ready(void)
{
	return this_cpu_ptr(&runqueues)->ready;
}

void sched_init_cpu(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);
	struct task_struct *idle = &rq->idle;

	rq->lock.name = "rq";
	INIT_LIST_HEAD(&rq->tasks);
	INIT_LIST_HEAD(&rq->sleepers);
	idle->pid = 0;
	idle->cpu = smp_processor_id();
	idle->state = TASK_RUNNING;
	idle->on_rq = true;
	idle->cpus_allowed = BIT(idle->cpu);
	idle->migrate_to = -1;
	INIT_LIST_HEAD(&idle->run_node);
	INIT_LIST_HEAD(&idle->timer_node);
	INIT_LIST_HEAD(&idle->all_node);
	memcpy(idle->comm, "swapper/", 8);
	idle->comm[8] = (char)('0' + idle->cpu / 10 % 10);
	idle->comm[9] = (char)('0' + idle->cpu % 10);
	if (idle->cpu < 10) {
		idle->comm[8] = idle->comm[9];
		idle->comm[9] = 0;
	}
	idle->last_switch_ns = ktime_get_ns();
	rq->curr = idle;
	rq->ready = true;
}

unsigned long cpu_online_mask(void)
{
	unsigned int n = nr_cpu_ids_online();

	return n >= 8 * sizeof(long) ? ~0UL : BIT(n) - 1;
}

/* both queues, the lower CPU's first (two CPUs moving threads towards
 * each other must not each hold one); interrupts off */
static void double_rq_lock(struct rq *a, struct rq *b)
{
	if (a == b) {
		arch_spin_lock(&a->lock);
	} else if (a < b) {
		arch_spin_lock(&a->lock);
		arch_spin_lock(&b->lock);
	} else {
		arch_spin_lock(&b->lock);
		arch_spin_lock(&a->lock);
	}
}

static void double_rq_unlock(struct rq *a, struct rq *b)
{
	arch_spin_unlock(&a->lock);
	if (a != b)
		arch_spin_unlock(&b->lock);
}

/* Move t to dst's queue (its run queue place, its timeout), or, when t
 * runs on its CPU now, ask for the move at its next switch (returns 1:
 * the caller makes that CPU switch).  switched: t has just left its CPU
 * (finish_task_switch), the move it asked for is due.  Interrupts off. */
static int move_task(struct task_struct *t, unsigned int dst, bool switched)
{
	struct rq *src, *drq = per_cpu_ptr(&runqueues, dst);
	bool queued;

	for (;;) {
		unsigned int cpu = READ_ONCE(t->cpu);

		src = per_cpu_ptr(&runqueues, cpu);
		double_rq_lock(src, drq);
		if (t->cpu == cpu)
			break;
		double_rq_unlock(src, drq);
	}
	if (!switched && (src->curr == t || t->migrate_to >= 0)) {
		/* running, or already on its way: it moves when it leaves */
		t->migrate_to = (int)dst;
		src->need_resched = true;
		double_rq_unlock(src, drq);
		return 1;
	}
	queued = t->on_rq;
	if (queued) {
		list_del_init(&t->run_node);
		list_add_tail(&t->run_node, &drq->tasks);
		drq->need_resched = true;
	}
	if (!list_empty(&t->timer_node)) {
		list_del_init(&t->timer_node);
		list_add_tail(&t->timer_node, &drq->sleepers);
	}
	t->cpu = dst;
	t->migrate_to = -1;
	double_rq_unlock(src, drq);
	if (queued && dst != smp_processor_id())
		lapic_send_ipi(cpu_apic_id(dst), IRQ_VECTOR_RESCHEDULE);
	return 0;
}

/* the switched-to thread's half of a switch: release the queue, let a
 * dead predecessor's stack go (it has left the CPU), and move a
 * predecessor that asked to migrate, now that its stack is free */
static void finish_task_switch(struct rq *rq)
{
	struct task_struct *last = rq->last, *moving = rq->migrating;

	rq->last = NULL;
	rq->migrating = NULL;
	arch_spin_unlock(&rq->lock);
	if (last && last->state == TASK_DEAD)
		__atomic_store_n(&last->exited, true, __ATOMIC_RELEASE);
	if (moving)
		move_task(moving, (unsigned int)moving->migrate_to, true);
}

/* interrupts off.  A preempted thread stays queued whatever its state
 * (it may be between set_current_state and schedule, Linux's rule) */
static void __schedule(struct rq *rq, bool preempt)
{
	struct task_struct *prev = rq->curr, *next;
	enum cpu_usage_stat st;
	u64 now;

	arch_spin_lock(&rq->lock);
	rq->need_resched = false;
	if (prev->migrate_to >= 0 && prev != &rq->idle) {
		/* set_cpus_allowed: it leaves this queue; finish_task_switch
		 * queues it on its new CPU once it is off this one */
		prev->on_rq = preempt || prev->state == TASK_RUNNING;
		rq->migrating = prev;
	} else if (prev == &rq->idle && rq->idle_loop) {
		/* never queued: picked when rq->tasks is empty */
	} else if (preempt || prev->state == TASK_RUNNING || prev == &rq->idle) {
		/* the boot context stays queued even while it waits
		 * (schedule_timeout) */
		list_add_tail(&prev->run_node, &rq->tasks);
	} else {
		prev->on_rq = false;
	}
	if (list_empty(&rq->tasks)) {
		next = &rq->idle;
	} else {
		next = list_first_entry(&rq->tasks, struct task_struct, run_node);
		list_del_init(&next->run_node);
	}
	if (next == prev) {
		rq->migrating = NULL;   /* cannot be: the idle thread never moves */
		arch_spin_unlock(&rq->lock);
		return;
	}
	rq->nr_switches++;
	now = ktime_get_ns();
	prev->runtime_ns += now - prev->last_switch_ns;
	next->last_switch_ns = now;
	rq->curr = next;
	rq->last = prev;
	/* a thread's time is system time, whatever the context left was */
	st = cpustat_switch(CPUTIME_SYSTEM);
	/* a CPU that switches threads is not stuck in one loop */
	softlockup_touch();
	/* an application thread's FPU, FS base and kernel stack */
	if (prev->app || next->app)
		app_switch_to(prev, next);
	switch_to(&prev->sp, next->sp);
	/* prev runs again here, on its own stack */
	finish_task_switch(this_cpu_ptr(&runqueues));
	cpustat_switch(st);
}

void schedule(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);
	unsigned long flags = local_irq_save();

	if (rq->curr->state == TASK_RUNNING)
		rq->curr->nivcsw++;
	else
		rq->curr->nvcsw++;
	__schedule(rq, false);
	local_irq_restore(flags);
}

u64 sched_nr_switches(void)
{
	u64 n = 0;

	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
		n += READ_ONCE(per_cpu_ptr(&runqueues, c)->nr_switches);
	return n;
}

bool sched_runnable(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);

	return rq->ready && !list_empty(&rq->tasks);
}

void sched_idle_loop_enter(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);
	unsigned long flags = local_irq_save();

	arch_spin_lock(&rq->lock);
	rq->idle_loop = true;
	arch_spin_unlock(&rq->lock);
	local_irq_restore(flags);
}

void cond_resched(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);

	if (rq->ready && !list_empty(&rq->tasks) && !preempt_count() && !in_interrupt())
		schedule();
}

/* t made runnable, interrupts off: true when its state changed (it
 * slept or was about to); *queued: it was put on a run queue; *ipi_cpu
 * the CPU to interrupt so it schedules (t queued on another CPU than
 * this one), else -1.  The caller sends that IPI, after any lock of its
 * own is released */
static bool try_wake_task(struct task_struct *t, bool *queued, int *ipi_cpu)
{
	struct rq *rq;
	unsigned int cpu;
	bool changed = false, woke = false;

	/* t->cpu changes only under its queue's lock (move_task) */
	for (;;) {
		cpu = READ_ONCE(t->cpu);
		rq = per_cpu_ptr(&runqueues, cpu);
		arch_spin_lock(&rq->lock);
		if (t->cpu == cpu)
			break;
		arch_spin_unlock(&rq->lock);
	}
	if (t->state != TASK_RUNNING && t->state != TASK_DEAD) {
		t->state = TASK_RUNNING;
		changed = true;
		if (!list_empty(&t->timer_node))
			list_del_init(&t->timer_node);
		/* a thread that has just left for another CPU is queued here
		 * and moved at once by the finish_task_switch running on this
		 * CPU with interrupts off: this CPU cannot run it meanwhile */
		if (!t->on_rq) {
			t->on_rq = true;
			list_add_tail(&t->run_node, &rq->tasks);
			rq->need_resched = true;
			woke = true;
		}
	}
	arch_spin_unlock(&rq->lock);
	/* another CPU runs it: that CPU is interrupted so it schedules at
	 * the interrupt's exit (it may be halted) */
	*ipi_cpu = woke && cpu != smp_processor_id() ? (int)cpu : -1;
	*queued = woke;
	return changed;
}

int wake_up_process(struct task_struct *t)
{
	unsigned long flags = local_irq_save();
	int ipi_cpu;
	bool queued;

	try_wake_task(t, &queued, &ipi_cpu);
	if (ipi_cpu >= 0)
		lapic_send_ipi(cpu_apic_id((unsigned int)ipi_cpu), IRQ_VECTOR_RESCHEDULE);
	local_irq_restore(flags);
	return queued;
}

int set_cpus_allowed(struct task_struct *t, unsigned long mask)
{
	unsigned long flags;
	unsigned int dst;

	mask &= cpu_online_mask();
	if (!mask || !t->pid)
		return -EINVAL;
	dst = (unsigned int)__builtin_ctzl(mask);
	WRITE_ONCE(t->cpus_allowed, mask);
	if (t->state == TASK_NEW) {
		if (!(mask & BIT(t->cpu)))
			t->cpu = dst;
		return 0;
	}
	while (!(mask & BIT(READ_ONCE(t->cpu))) && READ_ONCE(t->state) != TASK_DEAD) {
		unsigned int cpu = READ_ONCE(t->cpu);

		flags = local_irq_save();
		if (move_task(t, dst, false)) {
			if (t == current)
				schedule();     /* returns on dst */
			else if (cpu != smp_processor_id())
				lapic_send_ipi(cpu_apic_id(cpu), IRQ_VECTOR_RESCHEDULE);
		}
		local_irq_restore(flags);
		if (t != current && !(mask & BIT(READ_ONCE(t->cpu)))) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule_timeout(1);
		}
	}
	return 0;
}

unsigned long schedule_timeout(unsigned long timeout)
{
	struct rq *rq = this_cpu_ptr(&runqueues);
	struct task_struct *t = rq->curr;
	unsigned long expire = jiffies_now() + timeout, now, flags;

	if (t == &rq->idle) {
		/* the idle thread never leaves the CPU: wait with interrupts
		 * on (a wake-up sets its state) while the others run.  It
		 * halts as the idle loop does (idle_halt: idle time, and no
		 * soft lockup: CPU 0's boot context waiting in a self-test or
		 * a boot wait is not stuck) */
		while (READ_ONCE(t->state) != TASK_RUNNING &&
		       (timeout == MAX_SCHEDULE_TIMEOUT || READ_ONCE(jiffies) < expire)) {
			local_irq_disable();
			if (!list_empty(&rq->tasks)) {
				__schedule(rq, false);
				local_irq_enable();
				continue;
			}
			if (READ_ONCE(t->state) != TASK_RUNNING)
				idle_halt();
			else
				local_irq_enable();
		}
		t->state = TASK_RUNNING;
	} else {
		if (timeout != MAX_SCHEDULE_TIMEOUT) {
			flags = local_irq_save();
			arch_spin_lock(&rq->lock);
			t->wake_at = expire;
			if (t->state != TASK_RUNNING && list_empty(&t->timer_node))
				list_add_tail(&t->timer_node, &rq->sleepers);
			arch_spin_unlock(&rq->lock);
			local_irq_restore(flags);
		}
		schedule();
		flags = local_irq_save();
		arch_spin_lock(&rq->lock);
		if (!list_empty(&t->timer_node))
			list_del_init(&t->timer_node);
		arch_spin_unlock(&rq->lock);
		local_irq_restore(flags);
	}
	if (timeout == MAX_SCHEDULE_TIMEOUT)
		return timeout;
	now = jiffies_now();
	return now < expire ? expire - now : 0;
}

unsigned long msecs_to_jiffies(unsigned int ms)
{
	return ((unsigned long)ms * HZ + MSEC_PER_SEC - 1) / MSEC_PER_SEC;
}

void msleep(unsigned int ms)
{
	unsigned long left = msecs_to_jiffies(ms) + 1;

	while (left) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		left = schedule_timeout(left);
	}
}

u64 task_runtime_ns(const struct task_struct *t, u64 now)
{
	const struct rq *rq = per_cpu_ptr(&runqueues, READ_ONCE(t->cpu));
	u64 ns = READ_ONCE(t->runtime_ns), since = READ_ONCE(t->last_switch_ns);

	/* running now: its current slice is not in runtime_ns yet */
	if (READ_ONCE(rq->curr) == t && now > since)
		ns += now - since;
	return ns;
}

/* --- load average (Linux's kernel/sched/loadavg.c, fixed point) --- */

#define FSHIFT          11
#define FIXED_1         (1UL << FSHIFT)
#define LOAD_FREQ_S     5               /* seconds between samples */
static const unsigned long load_exp[3] = { 1884, 2014, 2037 };  /* 1/exp(5s/1, 5, 15 min) */
static unsigned long avenrun[3];
static unsigned long load_next;

static void count_runnable(struct task_struct *t, void *ctx)
{
	if (READ_ONCE(t->state) == TASK_RUNNING)
		(*(unsigned long *)ctx)++;
}

/* CPU 0's tick, every LOAD_FREQ_S: fold the threads running or waiting
 * for a CPU (state R; barenet's sleepers are all S) into the averages */
static void calc_load_tick(unsigned long now)
{
	unsigned long active = 0;

	if (smp_processor_id() != 0 || now < load_next)
		return;
	load_next = now + (unsigned long)LOAD_FREQ_S * HZ;
	for_each_task(count_runnable, &active);
	active *= FIXED_1;
	for (int i = 0; i < 3; i++) {
		unsigned long a = avenrun[i] * load_exp[i] + active * (FIXED_1 - load_exp[i]);

		/* rounded as Linux's calc_load */
		if (active >= avenrun[i])
			a += FIXED_1 - 1;
		WRITE_ONCE(avenrun[i], a / FIXED_1);
	}
}

void get_avenrun_hundredths(unsigned long loads[3])
{
	for (int i = 0; i < 3; i++)
		loads[i] = (READ_ONCE(avenrun[i]) * 100 + FIXED_1 / 2) >> FSHIFT;
}

void sched_tick(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);
	struct task_struct *t, *n;
	unsigned long now = READ_ONCE(jiffies);

	if (!rq->ready)
		return;
	calc_load_tick(now);
	arch_spin_lock(&rq->lock);
	list_for_each_entry_safe(t, n, &rq->sleepers, timer_node) {
		if (now < t->wake_at)
			continue;
		list_del_init(&t->timer_node);
		if (t->state != TASK_RUNNING && t->state != TASK_DEAD) {
			t->state = TASK_RUNNING;
			if (!t->on_rq) {
				t->on_rq = true;
				list_add_tail(&t->run_node, &rq->tasks);
			}
		}
	}
	/* another thread waits for the CPU: take it from the running one */
	if (!list_empty(&rq->tasks))
		rq->need_resched = true;
	arch_spin_unlock(&rq->lock);
}

void sched_preempt_irq(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);

	if (!rq->ready || !rq->need_resched || preempt_count() || in_softirq())
		return;
	rq->curr->nivcsw++;
	__schedule(rq, true);
}

bool sched_irq_preemptible(const struct trap_frame *tf)
{
	struct rq *rq = this_cpu_ptr(&runqueues);

	if (!rq->ready || !tf)
		return false;
	/* CPL 3: an application between system calls */
	if ((tf->cs & 3) == 3)
		return true;
	/* sched_preempt_irq's conditions; a nested interrupt interrupted
	 * another handler, which is never preempted */
	return READ_ONCE(*this_cpu_ptr(&irq_nesting)) == 1 && !preempt_count() && !in_softirq();
}

void kthread_entry(void);

/* where a new thread starts (kernel/switch.S's trampoline) */
void kthread_entry(void)
{
	struct rq *rq = this_cpu_ptr(&runqueues);
	struct task_struct *t;

	finish_task_switch(rq);
	local_irq_enable();
	t = rq->curr;
	kthread_exit(t->fn(t->data));
}

/* --- wait queues --- */

void init_waitqueue_head(struct wait_queue_head *wq)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT("waitqueue");
	INIT_LIST_HEAD(&wq->head);
}

void init_wait_entry(struct wait_queue_entry *e)
{
	e->task = current;
	e->func = NULL;
	e->private = NULL;
	INIT_LIST_HEAD(&e->entry);
}

void init_waitqueue_func_entry(struct wait_queue_entry *e, wait_queue_func_t func, void *private)
{
	init_wait_entry(e);
	e->func = func;
	e->private = private;
}

void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (list_empty(&e->entry))
		list_add_tail(&e->entry, &wq->head);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags;

	if (list_empty(&e->entry))
		return;
	flags = spin_lock_irqsave(&wq->lock);
	list_del_init(&e->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, long state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	if (list_empty(&e->entry))
		list_add_tail(&e->entry, &wq->head);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags;

	set_current_state(TASK_RUNNING);
	if (list_empty(&e->entry))
		return;
	flags = spin_lock_irqsave(&wq->lock);
	list_del_init(&e->entry);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_poll(struct wait_queue_head *wq, unsigned int key)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock), ipis = 0;
	struct wait_queue_entry *e, *n;
	bool queued;
	int cpu;

	/* a callback may take its own entry off with list_del_init (EPOLLONESHOT; the lock is held) */
	list_for_each_entry_safe(e, n, &wq->head, entry) {
		if (e->func) {
			e->func(e, key);
			continue;
		}
		/* a plain sleeper leaves the queue once woken (Linux's
		 * autoremove_wake_function): it queues itself again
		 * (prepare_to_wait) before it looks at its condition, so the
		 * wake-ups of what arrives while it runs cost the waker
		 * nothing (sk_wake's empty queue) */
		if (try_wake_task(e->task, &queued, &cpu))
			list_del_init(&e->entry);
		if (cpu >= 0)
			ipis |= BIT(cpu);
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	/* the reschedule IPIs after the queue's lock: a waiter's
	 * prepare_to_wait or finish_wait on another CPU does not spin
	 * behind the LAPIC write */
	while (ipis) {
		cpu = __builtin_ctzl(ipis);
		ipis &= ipis - 1;
		lapic_send_ipi(cpu_apic_id((unsigned int)cpu), IRQ_VECTOR_RESCHEDULE);
	}
}

void wake_up(struct wait_queue_head *wq)
{
	wake_up_poll(wq, ~0u);
}
