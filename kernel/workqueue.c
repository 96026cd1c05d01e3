/* Process-context work items on per-CPU pools (kernel/workqueue.h).  A
 * pool's queue is a singly linked FIFO under its lock, taken with
 * interrupts off since schedule_work() may come from a hard IRQ handler
 * on this CPU, and from any other CPU (cancel_work, a run). */
#include "kernel/workqueue.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"

struct worker_pool {
	/* guards head, tail and the queued items' next/pending/pool; every
	 * context (schedule_work from hard IRQ), irqsave */
	struct spinlock lock;
	struct work_struct *head, **tail;
	u64 done;                       /* items run (the worker writes it) */
};

static DEFINE_PER_CPU(struct worker_pool, worker_pools);

/* cpu's pool, set up on first use: by cpu itself (schedule_work with
 * interrupts off, or its worker) */
static struct worker_pool *pool_of(unsigned int cpu)
{
	struct worker_pool *p = per_cpu_ptr(&worker_pools, cpu);

	/* the per-CPU area starts zeroed: set up on first use */
	if (!p->tail) {
		p->lock.name = "worker_pool";
		p->tail = &p->head;
	}
	return p;
}

/* a weak no-op for the host tests; kernel/kworker.c wakes the thread */
__attribute__((weak)) void workqueue_wake_worker(unsigned int cpu)
{
	(void)cpu;
}

bool schedule_work(struct work_struct *work)
{
	unsigned long flags = local_irq_save();
	unsigned int cpu = smp_processor_id();
	struct worker_pool *p = pool_of(cpu);
	bool queued;

	spin_lock(&p->lock);
	/* pending is only ever set under a pool's lock; an item queued on
	 * another CPU's pool is seen here as pending too (set before that
	 * lock was released, read with the flag's atomic load) */
	queued = !__atomic_exchange_n(&work->pending, true, __ATOMIC_ACQ_REL);
	if (queued) {
		work->next = NULL;
		work->pool = p;
		*p->tail = work;
		p->tail = &work->next;
	}
	spin_unlock(&p->lock);
	if (queued)
		workqueue_wake_worker(cpu);
	local_irq_restore(flags);
	return queued;
}

bool cancel_work(struct work_struct *work)
{
	struct worker_pool *p = READ_ONCE(work->pool);
	unsigned long flags;
	bool found = false;

	if (!p)
		return false;
	flags = spin_lock_irqsave(&p->lock);
	for (struct work_struct **pp = &p->head; *pp; pp = &(*pp)->next) {
		if (*pp != work)
			continue;
		*pp = work->next;
		if (p->tail == &work->next)
			p->tail = pp;
		WRITE_ONCE(work->pending, false);
		found = true;
		break;
	}
	spin_unlock_irqrestore(&p->lock, flags);
	return found;
}

int workqueue_run_cpu(unsigned int cpu)
{
	unsigned long flags = local_irq_save();
	struct worker_pool *p = pool_of(cpu);
	int batch = 0, n = 0;

	spin_lock(&p->lock);
	/* the items queued so far; later ones wait for the next pass, so an
	 * item that queues itself again cannot keep the worker here */
	for (struct work_struct *w = p->head; w; w = w->next)
		batch++;
	spin_unlock_irqrestore(&p->lock, flags);
	while (n < batch) {
		struct work_struct *w;

		/* one at a time off the shared queue: cancel_work finds every
		 * item that has not started */
		flags = spin_lock_irqsave(&p->lock);
		w = p->head;
		if (w) {
			p->head = w->next;
			if (!p->head)
				p->tail = &p->head;
			/* cleared before the call: it may queue itself again */
			WRITE_ONCE(w->pending, false);
		}
		spin_unlock_irqrestore(&p->lock, flags);
		if (!w)
			break;
		w->func(w);
		n++;
	}
	WRITE_ONCE(p->done, p->done + (u64)n);
	return n;
}

int workqueue_run(void)
{
	return workqueue_run_cpu(smp_processor_id());
}

/* the readers use the pool as it is (zeroed: empty): only its own CPU
 * sets a pool up (pool_of), with interrupts off */
bool workqueue_pending_cpu(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&worker_pools, cpu)->head) != NULL;
}

u64 workqueue_done(unsigned int cpu)
{
	return READ_ONCE(per_cpu_ptr(&worker_pools, cpu)->done);
}
