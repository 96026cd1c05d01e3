/* Completions (Linux's include/linux/completion.h): one thread waits
 * until another context says an event happened.  complete() counts one
 * event and wakes a waiter, who consumes it; complete_all() lets every
 * present and future waiter through until reinit_completion().  An event
 * completed before the wait is not lost (done counts it).
 *
 *     struct completion done;  init_completion(&done);
 *     ... start the work, whose end calls complete(&done) (any context);
 *     if (!wait_for_completion_timeout(&done, msecs_to_jiffies(500))) ...
 */
#ifndef KERNEL_COMPLETION_H
#define KERNEL_COMPLETION_H

#include "kernel/wait.h"

struct completion {
	unsigned int done;              /* under wait.lock */
	struct wait_queue_head wait;
};

void init_completion(struct completion *x);
/* done = 0 again (after complete_all), with nobody waiting */
void reinit_completion(struct completion *x);
/* one event: the first waiter goes on; any context */
void complete(struct completion *x);
/* every waiter goes on, now and until reinit_completion; any context */
void complete_all(struct completion *x);
/* sleep until an event; thread context */
void wait_for_completion(struct completion *x);
/* the same for at most timeout jiffies: 0 on timeout, else the jiffies
 * left (at least 1) */
unsigned long wait_for_completion_timeout(struct completion *x, unsigned long timeout);
/* take an event without waiting: true if there was one */
bool try_wait_for_completion(struct completion *x);
/* complete() or complete_all() came and nobody is waiting for it */
bool completion_done(struct completion *x);

#endif
