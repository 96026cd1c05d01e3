/* Mutexes for process context (Linux's include/linux/mutex.h, the parts
 * barenet uses): a lock a thread may hold while it sleeps, and that a
 * thread waiting for it sleeps on instead of spinning.
 *
 *     static DEFINE_MUTEX(cfg_mutex);     guards cfg; threads only
 *     mutex_lock(&cfg_mutex); ... msleep(10); ... mutex_unlock(&cfg_mutex);
 *
 * Rules, checked always (the reports start with "BUG: mutex", as Linux's
 * DEBUG_MUTEXES and might_sleep, and come with a backtrace):
 *   - only thread context takes a mutex: not hard IRQ, not a softirq, not
 *     with softirqs held off, not under a spinlock (each of those cannot
 *     sleep).  Reported; the lock is then taken by spinning, never by
 *     sleeping, so a free mutex still works and a held one hangs visibly;
 *   - only the owner unlocks.  An unlock by another thread is reported
 *     and ignored (the owner still holds it);
 *   - a thread that locks a mutex it holds: reported, then it would wait
 *     for itself for ever, so the kernel panics instead.
 * The idle thread may take a mutex (the boot sequence does); when it has
 * to wait it keeps running the CPU's other threads (schedule_timeout). */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H

#include "kernel/list.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"

struct task_struct;

struct mutex {
	/* guards owner and waiters; thread context (the mutex's own users),
	 * irqsave so that a misuse from an interrupt cannot deadlock on it */
	struct spinlock wait_lock;
	struct task_struct *owner;      /* NULL: free */
	struct list_head waiters;       /* struct mutex_waiter, first come first */
	const char *name;
	u64 contended;                  /* lock calls that had to wait */
};

#define MUTEX_INIT(m, n) {                                                   \
	.wait_lock = SPINLOCK_INIT("mutex"), .owner = NULL,                  \
	.waiters = LIST_HEAD_INIT((m).waiters), .name = (n) }
#define DEFINE_MUTEX(m) struct mutex m = MUTEX_INIT(m, #m)

/* a mutex in memory of its own (kmalloc, a struct member) */
void mutex_init(struct mutex *m, const char *name);
/* take m, sleeping while another thread holds it; thread context */
void mutex_lock(struct mutex *m);
/* take m if it is free: 1, else 0 at once; thread context */
int mutex_trylock(struct mutex *m);
/* release m; the owner only; the first waiter is woken */
void mutex_unlock(struct mutex *m);
/* some thread holds m */
static inline bool mutex_is_locked(const struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
/* the current thread holds m */
bool mutex_owned(const struct mutex *m);
/* "BUG: mutex" reports made so far, for the self-tests */
u64 mutex_debug_report_count(void);

#endif
