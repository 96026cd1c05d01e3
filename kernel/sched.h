/* Kernel threads and the scheduler (kernel/sched.c, kernel/kthread.c,
 * kernel/switch.S).
 *
 * Each CPU has a run queue of its runnable threads, served round robin;
 * the CPU's boot context is its idle thread ("swapper/N", pid 0), always
 * runnable, which halts when nothing else runs.  A thread stays on the
 * CPU it was created for (kthread_bind before it first runs) until
 * set_cpus_allowed() takes that CPU out of its mask: then it moves to an
 * allowed one (at once when it sleeps or waits in a queue; when it runs,
 * at its next switch, which a reschedule IPI forces).
 * Preemption: on the tick, when another thread is runnable, the CPU is
 * marked need_resched, and at the exit of the outermost interrupt the
 * interrupted thread is switched out if it holds no spinlock, has softirqs
 * enabled and is not serving them (preempt_count() == 0, !in_softirq()).
 *
 * Sleeping is Linux's pattern: set_current_state(TASK_UNINTERRUPTIBLE),
 * re-check the condition, schedule(); wake_up_process() makes the thread
 * runnable again, and a wake-up between the two does not get lost (the
 * state is TASK_RUNNING again, so schedule() keeps it queued). */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include "kernel/list.h"
#include "kernel/types.h"

#define TASK_COMM_LEN          16
#define TASK_RUNNING           0
#define TASK_UNINTERRUPTIBLE   2
#define TASK_NEW               0x100   /* created, not yet woken */
#define TASK_DEAD              0x80
/* a kernel thread's stack: 2^KTHREAD_STACK_ORDER pages */
#define KTHREAD_STACK_ORDER    2
#define MAX_SCHEDULE_TIMEOUT   (~0UL >> 1)

struct task_struct {
	unsigned long sp;               /* saved by switch_to (kernel/switch.S) */
	int pid;                        /* 0: a CPU's idle thread */
	char comm[TASK_COMM_LEN];
	unsigned int cpu;
	volatile long state;
	bool on_rq;                     /* on its CPU's run queue */
	struct list_head run_node;      /* rq->tasks */
	struct list_head timer_node;    /* rq->sleepers while a timeout runs */
	struct list_head all_node;      /* every thread, for ps */
	unsigned long wake_at;          /* jiffies a timeout ends at */
	void *stack;                    /* NULL for an idle thread */
	int (*fn)(void *data);
	void *data;
	bool should_stop;               /* kthread_stop asked */
	bool exited;                    /* off the CPU for good: stack may go */
	int refs;                       /* the thread's own, its joiner's (kthread.c) */
	struct list_head reap_node;     /* kthread.c's detached dead threads */
	int exit_code;
	u64 runtime_ns;                 /* time on the CPU, as Linux's utime+stime */
	u64 start_ns;                   /* ktime at creation */
	u64 last_switch_ns;
	u64 nvcsw, nivcsw;              /* voluntary, preempted switches */
	unsigned long cpus_allowed;     /* bit c: may run on CPU c (set_cpus_allowed) */
	int migrate_to;                 /* -1, or the CPU it moves to once off this one */
	void *shell;                    /* the shell session this thread runs lines for */
	struct app_thread *app;         /* an application thread's user side (kernel/app/app.h) */
};

/* the thread running this code */
struct task_struct *get_current(void);
#define current get_current()

/* set up this CPU's run queue with its boot context as the idle thread;
 * every CPU calls it once before it enables interrupts for good */
void sched_init_cpu(void);
/* true once sched_init_cpu ran on this CPU */
bool sched_ready(void);

/* Give up the CPU: the next runnable thread runs; the caller stays queued
 * if its state is TASK_RUNNING, else it sleeps until woken.  Thread
 * context only, no spinlock held. */
void schedule(void);
/* Sleep until woken or timeout jiffies have passed; returns the jiffies
 * left (0: timed out).  Set the state first, as Linux's schedule_timeout.
 * An idle thread cannot sleep: it waits with interrupts on instead. */
unsigned long schedule_timeout(unsigned long timeout);
/* sleep ms milliseconds (thread), or wait them out (idle thread) */
void msleep(unsigned int ms);
/* make t runnable (on its CPU; a reschedule IPI when that is another
 * CPU); 1 if it was asleep, 0 if it already ran.  Any context. */
int wake_up_process(struct task_struct *t);
static inline void set_current_state(long state)
{
	__atomic_store_n(&current->state, state, __ATOMIC_SEQ_CST);
}
/* another thread than the running one and the idle thread waits for
 * this CPU (the idle loop must not halt; a busy poller stops:
 * net/core/napi.h); interrupts off for an answer that holds */
bool sched_runnable(void);
/* context switches on every CPU since boot (/proc/stat's ctxt) */
u64 sched_nr_switches(void);
/* the calling CPU's idle thread starts its idle loop: from now on it runs
 * only when no other thread is runnable (kernel/main.c, kernel/smp.c) */
void sched_idle_loop_enter(void);
/* yield the CPU to the other runnable threads (the caller stays runnable) */
void cond_resched(void);

/* the tick, on every CPU: end timeouts, mark need_resched */
void sched_tick(void);
/* at the exit of the outermost interrupt: preempt when allowed and due */
void sched_preempt_irq(void);
/* From an interrupt handler: whether sched_preempt_irq at this
 * interrupt's exit may switch away from the code tf shows it interrupted
 * (need_resched aside): user mode, or a thread at preempt_count() 0 outside
 * softirqs, interrupted by the outermost interrupt, once the run queue
 * runs.  The soft-lockup watchdog's test of preemptible code. */
struct trap_frame;
bool sched_irq_preemptible(const struct trap_frame *tf);

/* Let t run only on the CPUs in mask (bit c: CPU c; offline CPUs are
 * ignored); when its CPU is not among them it moves to the lowest allowed
 * one, and the call returns once it is there (a running thread is
 * switched out by a reschedule IPI first).  0, or -EINVAL when mask names
 * no online CPU.  Thread context; t may be current. */
int set_cpus_allowed(struct task_struct *t, unsigned long mask);
/* the CPUs every CPU online makes up (bits 0..n-1) */
unsigned long cpu_online_mask(void);

/* t's time on the CPU so far (its current slice included when it runs
 * now), as of now (ktime ns); for views: a snapshot */
u64 task_runtime_ns(const struct task_struct *t, u64 now);
/* the 1, 5 and 15 minute load averages in hundredths (threads running or
 * waiting for a CPU, sampled every 5 s as Linux's) */
void get_avenrun_hundredths(unsigned long loads[3]);

/* --- kernel threads (kernel/kthread.c) --- */

/* A thread that will run fn(data) on CPU 0 (kthread_bind to move it before
 * it runs), named with printf's fmt; not started: wake_up_process() it.
 * NULL when out of memory. */
struct task_struct *kthread_create(int (*fn)(void *data), void *data, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* kthread_create, then wake it */
struct task_struct *kthread_run(int (*fn)(void *data), void *data, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* pin a not yet started thread to cpu (an online CPU); 0 or -EINVAL */
int kthread_bind(struct task_struct *t, unsigned int cpu);
/* Ask t to stop (kthread_should_stop() turns true), wake it, wait until it
 * returns; its return value.  t is freed. */
int kthread_stop(struct task_struct *t);
/* free t, a thread that ended by itself (kthread_exit), once it has left
 * its CPU: true when freed, false when it has not left yet (call again).
 * Only its one joiner calls it (not with kthread_stop, not once detached). */
bool kthread_reap(struct task_struct *t);
/* Nobody will stop or reap t: it frees itself once it has ended (at once
 * if it already has).  t may not be used after the call; kthread_stop or
 * kthread_reap on it is a use after free. */
void kthread_detach(struct task_struct *t);
/* times the reaper found a detached thread not yet off its CPU and
 * queued itself again (selftest=sched) */
u64 kthread_reap_requeues(void);
/* selftest=sched: called in kthread_exit right after the thread's own
 * drop, before it leaves its CPU (to raise an interrupt there); NULL */
extern void (*kthread_exit_hook)(void);
/* true once kthread_stop was called for the current thread */
bool kthread_should_stop(void);
/* end the current thread with code (also: returning from fn) */
__noreturn void kthread_exit(int code);

/* start ksoftirqd/N on every online CPU (after smp_init) */
int ksoftirqd_init(void);

/* the pid the newest thread got (0: none yet) */
int kthread_last_pid(void);
/* every thread but the idle threads, for views: calls fn with the list lock
 * held and interrupts off */
void for_each_task(void (*fn)(struct task_struct *t, void *ctx), void *ctx);

#endif
