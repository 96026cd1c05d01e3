/* Deferred work in process context: Linux's schedule_work() for the one
 * CPU and no threads.  Work items queued from any context (hard IRQ,
 * softirq) run from the idle loop, with interrupts and bottom halves
 * enabled, so their functions may wait for a NAPI poll to finish
 * (napi_disable) or busy-wait on the hardware for milliseconds: what a
 * driver's reset needs and a softirq must not do.
 *
 *     static void reset_fn(struct work_struct *w) { ... }
 *     INIT_WORK(&a->reset_work, reset_fn);
 *     schedule_work(&a->reset_work);      (from the TX watchdog, say)
 *
 * A work item is queued at most once: scheduling it again before it ran
 * does nothing and returns false.  Items run in the order they were
 * queued; an item may queue itself again (it runs on the next pass). */
#ifndef KERNEL_WORKQUEUE_H
#define KERNEL_WORKQUEUE_H

#include "kernel/types.h"

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	struct work_struct *next;       /* on the queue */
	bool pending;                   /* queued, not yet started */
};

#define INIT_WORK(w, f) (*(w) = (struct work_struct){ .func = (f) })

/* queue work; any context.  false when it was already queued */
bool schedule_work(struct work_struct *work);
/* take work off the queue if it has not started; true when it was queued */
bool cancel_work(struct work_struct *work);
/* work is waiting to run */
static inline bool work_pending(const struct work_struct *work)
{
	return READ_ONCE(work->pending);
}

/* the idle loop: run what is queued now (items queued meanwhile wait for
 * the next call).  Process context, interrupts enabled.  Returns the
 * number of items run. */
int workqueue_run(void);
/* anything queued (the idle loop must not halt) */
bool workqueue_pending(void);

#endif
