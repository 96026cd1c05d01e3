/* Sleeping mutexes with owner checks (kernel/mutex.h).  A waiter queues
 * itself under wait_lock, sets its state and sleeps; mutex_unlock clears
 * the owner and wakes the first waiter, which takes the lock if nobody
 * took it meanwhile (no hand-off: a running thread may get it first, as
 * with Linux's optimistic path) or queues again at the front. */
#include "kernel/mutex.h"
#include "kernel/backtrace.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/softirq.h"

struct mutex_waiter {
	struct list_head node;
	struct task_struct *task;
};

static u64 reports;

u64 mutex_debug_report_count(void)
{
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}

void mutex_init(struct mutex *m, const char *name)
{
	m->wait_lock = (struct spinlock)SPINLOCK_INIT("mutex");
	m->owner = NULL;
	INIT_LIST_HEAD(&m->waiters);
	m->name = name;
	m->contended = 0;
}

static const char *mutex_name(const struct mutex *m)
{
	return m->name ? m->name : "(unnamed)";
}

/* the report's backtrace starts at the mutex call's caller */
static __attribute__((noinline)) void mutex_report_trace(void)
{
	unsigned long *fp = __builtin_frame_address(0);

	/* fp[0]: mutex_lock/unlock's frame, whose caller is what we show */
	backtrace_print(fp[1], fp[0], 0);
}

static bool mutex_context_ok(struct mutex *m, const char *op)
{
	bool irq = in_irq(), bh = !irq && in_softirq();
	unsigned int pc = preempt_count();

	if (!irq && !bh && !pc)
		return true;
	__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
	pr_err("BUG: mutex %s(%s) from a context that cannot sleep on CPU#%u: %s [%s pid %d]\n",
	       op, mutex_name(m), smp_processor_id(),
	       irq ? "hard IRQ" : bh ? (in_serving_softirq() ? "softirq" : "softirqs off")
				  : "spinlock held (preempt_count > 0)",
	       current ? current->comm : "?", current ? current->pid : -1);
	mutex_report_trace();
	return false;
}

/* wait_lock held: take m if free */
static bool mutex_take(struct mutex *m)
{
	if (m->owner)
		return false;
	WRITE_ONCE(m->owner, current);
	return true;
}

void mutex_lock(struct mutex *m)
{
	struct mutex_waiter w = { .task = current };
	bool can_sleep = mutex_context_ok(m, "mutex_lock"), counted = false;
	unsigned long flags;

	INIT_LIST_HEAD(&w.node);
	for (;;) {
		flags = spin_lock_irqsave(&m->wait_lock);
		if (mutex_take(m)) {
			if (!list_empty(&w.node))
				list_del_init(&w.node);
			spin_unlock_irqrestore(&m->wait_lock, flags);
			return;
		}
		if (m->owner == current) {
			spin_unlock_irqrestore(&m->wait_lock, flags);
			__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
			pr_err("BUG: mutex recursion: %s [pid %d] locks %s, which it holds\n",
			       current->comm, current->pid, mutex_name(m));
			mutex_report_trace();
			panic("mutex: %s locked twice by %s", mutex_name(m), current->comm);
		}
		if (!counted) {
			m->contended++;
			counted = true;
		}
		if (!can_sleep) {
			spin_unlock_irqrestore(&m->wait_lock, flags);
			cpu_relax();
			continue;
		}
		/* queued and asleep before the unlock can look: its wake-up
		 * finds us (kernel/sched.h's lost-wake-up rule) */
		if (list_empty(&w.node))
			list_add_tail(&w.node, &m->waiters);
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock_irqrestore(&m->wait_lock, flags);
		schedule_timeout(MAX_SCHEDULE_TIMEOUT);
	}
}

int mutex_trylock(struct mutex *m)
{
	unsigned long flags;
	bool got;

	mutex_context_ok(m, "mutex_trylock");
	flags = spin_lock_irqsave(&m->wait_lock);
	got = mutex_take(m);
	spin_unlock_irqrestore(&m->wait_lock, flags);
	return got;
}

bool mutex_owned(const struct mutex *m)
{
	return READ_ONCE(m->owner) == current;
}

void mutex_unlock(struct mutex *m)
{
	struct task_struct *owner, *wake = NULL;
	unsigned long flags;

	flags = spin_lock_irqsave(&m->wait_lock);
	owner = m->owner;
	if (owner != current) {
		spin_unlock_irqrestore(&m->wait_lock, flags);
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		pr_err("BUG: mutex_unlock(%s) by %s [pid %d], which does not hold it (owner: %s)\n",
		       mutex_name(m), current ? current->comm : "?", current ? current->pid : -1,
		       owner ? owner->comm : "none");
		mutex_report_trace();
		return;
	}
	WRITE_ONCE(m->owner, NULL);
	if (!list_empty(&m->waiters)) {
		struct mutex_waiter *w = list_first_entry(&m->waiters, struct mutex_waiter, node);

		wake = w->task;
	}
	/* woken under wait_lock: the waiter's frame (w) stays valid until it
	 * took the lock, which needs wait_lock */
	if (wake)
		wake_up_process(wake);
	spin_unlock_irqrestore(&m->wait_lock, flags);
}
