/* Process-context work items run by the idle loop (kernel/workqueue.h).
 * The queue is a singly linked FIFO changed with interrupts off, since
 * schedule_work() may come from a hard IRQ handler. */
#include "kernel/workqueue.h"
#include "kernel/x86.h"

static struct work_struct *wq_head, **wq_tail = &wq_head;

bool schedule_work(struct work_struct *work)
{
	unsigned long flags = local_irq_save();
	bool queued = !work->pending;

	if (queued) {
		work->pending = true;
		work->next = NULL;
		*wq_tail = work;
		wq_tail = &work->next;
	}
	local_irq_restore(flags);
	return queued;
}

bool cancel_work(struct work_struct *work)
{
	unsigned long flags = local_irq_save();
	bool found = false;

	for (struct work_struct **pp = &wq_head; *pp; pp = &(*pp)->next) {
		if (*pp != work)
			continue;
		*pp = work->next;
		if (wq_tail == &work->next)
			wq_tail = pp;
		work->pending = false;
		found = true;
		break;
	}
	local_irq_restore(flags);
	return found;
}

int workqueue_run(void)
{
	unsigned long flags = local_irq_save();
	int batch = 0, n = 0;

	/* the items queued so far; later ones wait for the next pass, so an
	 * item that queues itself again cannot keep the idle loop here */
	for (struct work_struct *w = wq_head; w; w = w->next)
		batch++;
	local_irq_restore(flags);
	while (n < batch) {
		struct work_struct *w;

		/* one at a time off the shared queue: cancel_work finds every
		 * item that has not started */
		flags = local_irq_save();
		w = wq_head;
		if (w) {
			wq_head = w->next;
			if (!wq_head)
				wq_tail = &wq_head;
			/* cleared before the call: it may queue itself again */
			w->pending = false;
		}
		local_irq_restore(flags);
		if (!w)
			break;
		w->func(w);
		n++;
	}
	return n;
}

bool workqueue_pending(void)
{
	return READ_ONCE(wq_head) != NULL;
}
