/* Wait queues (Linux's include/linux/wait.h, the parts barenet uses):
 * a thread sleeps until a condition holds, whoever makes it true calls
 * wake_up().  The condition is re-checked after the thread has queued
 * itself and set its state, so a wake-up between the check and the sleep
 * is not lost (kernel/sched.h). */
#ifndef KERNEL_WAIT_H
#define KERNEL_WAIT_H

#include "kernel/list.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"

struct wait_queue_head {
	/* guards head; thread context and any other (wake_up from hard IRQ
	 * or softirq), irqsave */
	struct spinlock lock;
	struct list_head head;
};

struct wait_queue_entry;
/* a waker's callback instead of waking e->task (poll/epoll): called with
 * wq->lock held and interrupts off, from any context; key is the
 * readiness (EPOLL* bits) the waker reports, ~0u when it does not say */
typedef void (*wait_queue_func_t)(struct wait_queue_entry *e, unsigned int key);

struct wait_queue_entry {
	struct task_struct *task;
	wait_queue_func_t func;         /* NULL: wake_up_process(task) */
	void *private;                  /* the callback's */
	struct list_head entry;
};

/* a wait queue set up at compile time (one a hard IRQ may wake before
 * any code ran) */
#define DECLARE_WAIT_QUEUE_HEAD(name) struct wait_queue_head name = {                \
	.lock = SPINLOCK_INIT(#name), .head = LIST_HEAD_INIT((name).head) }

void init_waitqueue_head(struct wait_queue_head *wq);
void init_wait_entry(struct wait_queue_entry *e);
/* queue e (once) and set the current thread's state */
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e, long state);
/* running again, e off the queue */
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e);
/* wake every thread waiting on wq; any context */
void wake_up(struct wait_queue_head *wq);
/* the same, telling callbacks what turned ready (EPOLL* bits in key);
 * plain entries are woken whatever the key */
void wake_up_poll(struct wait_queue_head *wq, unsigned int key);
/* an entry whose wake-up calls func (task: the current thread, for a
 * callback that wants to wake it) */
void init_waitqueue_func_entry(struct wait_queue_entry *e, wait_queue_func_t func, void *private);
/* queue e on wq until remove_wait_queue (poll tables: no state change) */
void add_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);
void remove_wait_queue(struct wait_queue_head *wq, struct wait_queue_entry *e);

/* jiffies in ms milliseconds, rounded up */
unsigned long msecs_to_jiffies(unsigned int ms);

/* Sleep until condition is true or timeout jiffies pass.  0 if the
 * condition is still false when the time is up, otherwise the jiffies
 * left (at least 1), as Linux's wait_event_timeout. */
#define wait_event_timeout(wq, condition, timeout) ({                        \
	unsigned long __left = (timeout);                                    \
	struct wait_queue_entry __we;                                        \
	bool __cond = (condition);                                           \
	if (!__cond) {                                                       \
		init_wait_entry(&__we);                                      \
		for (;;) {                                                   \
			prepare_to_wait(&(wq), &__we, TASK_UNINTERRUPTIBLE); \
			__cond = (condition);                                \
			if (__cond || !__left)                               \
				break;                                       \
			__left = schedule_timeout(__left);                   \
		}                                                            \
		finish_wait(&(wq), &__we);                                   \
	}                                                                    \
	__cond ? (__left ? __left : 1UL) : 0UL;                              \
})

/* the same without a timeout */
#define wait_event(wq, condition) \
	((void)wait_event_timeout(wq, condition, MAX_SCHEDULE_TIMEOUT))

#endif
