/* The workqueue's worker threads: one per CPU, [kworker/N:0], each
 * sleeping until schedule_work() on its CPU wakes it, then running that
 * CPU's pool (kernel/workqueue.h). */
#include "kernel/workqueue.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"

static DEFINE_PER_CPU(struct task_struct *, kworker);

static int kworker_fn(void *data)
{
	unsigned int cpu = (unsigned int)(unsigned long)data;

	while (!kthread_should_stop()) {
		/* queue-then-check: a schedule_work after the check finds us
		 * TASK_UNINTERRUPTIBLE and wakes us */
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (!workqueue_pending_cpu(cpu)) {
			schedule();
			continue;
		}
		set_current_state(TASK_RUNNING);
		workqueue_run_cpu(cpu);
		cond_resched();
	}
	return 0;
}

void workqueue_wake_worker(unsigned int cpu)
{
	struct task_struct *t = per_cpu(kworker, cpu);

	if (t)
		wake_up_process(t);
}

int workqueue_init(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids_online(); cpu++) {
		struct task_struct *t = kthread_create(kworker_fn, (void *)(unsigned long)cpu,
						       "kworker/%u:0", cpu);

		if (!t)
			return -ENOMEM;
		kthread_bind(t, cpu);
		per_cpu(kworker, cpu) = t;
		/* work queued before the worker existed runs now */
		wake_up_process(t);
	}
	return 0;
}
