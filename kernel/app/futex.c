/* futex(2) for the application's threads: WAIT, WAKE, REQUEUE,
 * CMP_REQUEUE and the BITSET forms with a full bitset (what musl's
 * mutexes, condition variables, pthread_join and semaphores use).  One
 * address space, so a futex is its user address; PRIVATE changes nothing.
 *
 * A waiter queues itself and sets its state under futex_lock after reading
 * the word, so a waker that changes the word and then calls FUTEX_WAKE
 * either finds it queued or made it read the new value (-EAGAIN). */
#include "kernel/app/app.h"
#include "kernel/app/signal.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/wait.h"

struct futex_waiter {
	unsigned long uaddr;
	struct task_struct *task;
	struct list_head node;
	bool woken;
};

/* guards waiters and their uaddr/woken; thread context, irqsave */
static struct spinlock futex_lock = SPINLOCK_INIT("futex");
static struct list_head waiters = LIST_HEAD_INIT(waiters);

/* jiffies for a relative timespec, rounded up; MAX_SCHEDULE_TIMEOUT for none */
static long timeout_jiffies(unsigned long utime, bool absolute, int clock)
{
	struct uapi_timespec ts;
	u64 ns;

	if (!utime)
		return (long)MAX_SCHEDULE_TIMEOUT;
	if (copy_from_user(&ts, utime, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
		return -EINVAL;
	ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
	(void)clock;    /* both clocks count from boot (no wall clock) */
	if (absolute) {
		u64 now = ktime_get_ns();

		ns = ns > now ? ns - now : 0;
	}
	/* one tick more: a timeout is a lower bound */
	return ns ? (long)((ns * HZ + NSEC_PER_SEC - 1) / NSEC_PER_SEC) + 1 : 0;
}

static long futex_wait(unsigned long uaddr, u32 val, long timeout)
{
	struct futex_waiter w = { .uaddr = uaddr, .task = current };
	unsigned long flags, left = (unsigned long)timeout;
	u32 cur;
	long rc;

	if (uaddr & 3)
		return -EINVAL;
	flags = spin_lock_irqsave(&futex_lock);
	rc = get_user_u32(&cur, uaddr);
	if (rc || cur != val) {
		spin_unlock_irqrestore(&futex_lock, flags);
		return rc ? rc : -EAGAIN;
	}
	list_add_tail(&w.node, &waiters);
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock_irqrestore(&futex_lock, flags);
		if (!READ_ONCE(app_current()->killed) && !app_signal_pending())
			left = schedule_timeout(left);
		set_current_state(TASK_RUNNING);
		flags = spin_lock_irqsave(&futex_lock);
		if (w.woken) {
			rc = 0;
			break;
		}
		/* a wake-up that was not a FUTEX_WAKE: sleep on unless the
		 * time is up or the application ends */
		if (READ_ONCE(app_current()->killed) || !left) {
			list_del_init(&w.node);
			rc = left ? -EINTR : -ETIMEDOUT;
			break;
		}
		/* a signal: Linux restarts an untimed wait (SA_RESTART), a
		 * timed one says EINTR */
		if (app_signal_pending()) {
			list_del_init(&w.node);
			rc = timeout == (long)MAX_SCHEDULE_TIMEOUT ? -ERESTARTSYS : -EINTR;
			break;
		}
	}
	spin_unlock_irqrestore(&futex_lock, flags);
	return rc;
}

/* wake up to nwake waiters of uaddr, move up to nmove more to uaddr2;
 * the number woken (plus moved, for CMP_REQUEUE) */
static int futex_requeue(unsigned long uaddr, int nwake, int nmove, unsigned long uaddr2,
			 bool count_moved)
{
	struct futex_waiter *w, *n;
	unsigned long flags = spin_lock_irqsave(&futex_lock);
	int woken = 0, moved = 0;

	list_for_each_entry_safe(w, n, &waiters, node) {
		if (w->uaddr != uaddr)
			continue;
		if (woken < nwake) {
			list_del_init(&w->node);
			w->woken = true;
			wake_up_process(w->task);
			woken++;
		} else if (moved < nmove) {
			w->uaddr = uaddr2;
			moved++;
		} else {
			break;
		}
	}
	spin_unlock_irqrestore(&futex_lock, flags);
	return woken + (count_moved ? moved : 0);
}

int futex_wake(unsigned long uaddr, int n)
{
	return futex_requeue(uaddr, n, 0, 0, false);
}

void futex_wake_all(void)
{
	struct futex_waiter *w;
	unsigned long flags = spin_lock_irqsave(&futex_lock);

	/* no one is dequeued: each sees its thread killed and leaves */
	list_for_each_entry(w, &waiters, node)
		wake_up_process(w->task);
	spin_unlock_irqrestore(&futex_lock, flags);
}

long app_futex(unsigned long uaddr, int op, u32 val, unsigned long utime,
	       unsigned long uaddr2, u32 val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	long timeout;
	u32 cur;

	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && val3 != ~0u)
			return -EINVAL;         /* partial bitsets: not implemented */
		timeout = timeout_jiffies(utime, cmd == FUTEX_WAIT_BITSET,
					  op & FUTEX_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC);
		if (timeout < 0)
			return timeout;
		return futex_wait(uaddr, val, timeout);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && val3 != ~0u)
			return -EINVAL;
		return futex_wake(uaddr, (int)val);
	case FUTEX_REQUEUE:
		/* utime carries the requeue count */
		return futex_requeue(uaddr, (int)val, (int)utime, uaddr2, false);
	case FUTEX_CMP_REQUEUE:
		if (copy_from_user(&cur, uaddr, sizeof(cur)))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
		return futex_requeue(uaddr, (int)val, (int)utime, uaddr2, true);
	default:
		return -ENOSYS;
	}
}
