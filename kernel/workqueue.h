/* Deferred work in process context: Linux's schedule_work() on the
 * system workqueue.  Each CPU has a pool with one worker thread,
 * [kworker/N:0] (kernel/kworker.c); schedule_work() from any context
 * (hard IRQ, softirq, thread) queues the item on the calling CPU's pool
 * and wakes its worker, which runs the items in thread context with
 * interrupts and bottom halves enabled, so their functions may sleep,
 * wait for a NAPI poll to finish (napi_disable) or busy-wait on the
 * hardware for milliseconds: what a driver's reset needs and a softirq
 * must not do.
 *
 *     static void reset_fn(struct work_struct *w) { ... }
 *     INIT_WORK(&a->reset_work, reset_fn);
 *     schedule_work(&a->reset_work);      (from the TX watchdog, say)
 *
 * A work item is queued at most once: scheduling it again before it ran
 * does nothing and returns false.  Items of one pool run in the order they
 * were queued; an item may queue itself again (it runs on the next pass). */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include "kernel/types.h"

struct work_struct;
struct worker_pool;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	struct work_struct *next;       /* on the queue */
	struct worker_pool *pool;       /* where it is queued (pending) */
	bool pending;                   /* queued, not yet started */
};

#define INIT_WORK(w, f) (*(w) = (struct work_struct){ .func = (f) })

/* queue work on this CPU's pool; any context.  false when it was
 * already queued */
bool schedule_work(struct work_struct *work);
/* take work off its queue if it has not started; true when it was queued */
bool cancel_work(struct work_struct *work);
/* work is waiting to run */
static inline bool work_pending(const struct work_struct *work)
{
	return READ_ONCE(work->pending);
}

/* Run what cpu's pool holds now (items queued meanwhile wait for the
 * next call): the worker thread's body, and the host tests' way to run
 * work.  Process context, interrupts enabled.  Returns the items run. */
int workqueue_run_cpu(unsigned int cpu);
/* workqueue_run_cpu for this CPU */
int workqueue_run(void);
/* anything queued on cpu's pool */
bool workqueue_pending_cpu(unsigned int cpu);
/* the items run since boot on cpu's pool */
u64 workqueue_done(unsigned int cpu);

/* start the worker of every online CPU (kernel/kworker.c; after
 * ksoftirqd_init); 0 or -ENOMEM */
int workqueue_init(void);
/* wake cpu's worker: kernel/kworker.c, a no-op before it runs (and in
 * the host tests) */
void workqueue_wake_worker(unsigned int cpu);

#endif
