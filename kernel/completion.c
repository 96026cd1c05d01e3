/* Completions (kernel/completion.h) over a wait queue: the count is
 * changed and read under the queue's lock, so an event taken by one
 * waiter cannot be taken by another. */
#include "kernel/completion.h"
#include "kernel/sched.h"

/* complete_all's count: no number of waiters uses it up */
#define COMPLETE_ALL_DONE (~0U >> 1)

void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
	x->wait.lock.name = "completion";
}

void reinit_completion(struct completion *x)
{
	WRITE_ONCE(x->done, 0);
}

void complete(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	if (x->done != COMPLETE_ALL_DONE)
		x->done++;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	/* every waiter re-checks; the ones that find done 0 sleep again */
	wake_up(&x->wait);
}

void complete_all(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);

	x->done = COMPLETE_ALL_DONE;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	wake_up(&x->wait);
}

bool try_wait_for_completion(struct completion *x)
{
	unsigned long flags = spin_lock_irqsave(&x->wait.lock);
	bool got = x->done != 0;

	if (got && x->done != COMPLETE_ALL_DONE)
		x->done--;
	spin_unlock_irqrestore(&x->wait.lock, flags);
	return got;
}

bool completion_done(struct completion *x)
{
	return READ_ONCE(x->done) != 0;
}

unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout)
{
	struct wait_queue_entry we;
	bool got;

	init_wait_entry(&we);
	for (;;) {
		/* queued and asleep before looking: a complete() after the
		 * look wakes us (kernel/wait.h) */
		prepare_to_wait(&x->wait, &we, TASK_UNINTERRUPTIBLE);
		got = try_wait_for_completion(x);
		if (got || !timeout)
			break;
		timeout = schedule_timeout(timeout);
	}
	finish_wait(&x->wait, &we);
	if (!got)
		return 0;
	return timeout ? timeout : 1;
}

void wait_for_completion(struct completion *x)
{
	wait_for_completion_timeout(x, MAX_SCHEDULE_TIMEOUT);
}
