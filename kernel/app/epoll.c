/* epoll (kernel/app/poll.h), Linux's fs/eventpoll.c in miniature.
 *
 * A registration (struct epitem) hangs a callback entry on its file's wait
 * queue.  When the file wakes the queue with readiness bits the item wants,
 * the callback (any context, the queue's lock held) puts the item on its
 * set's ready list and wakes the set's waiters.  epoll_wait takes the ready
 * list, and for each item, off the list first, asks the file for its
 * readiness now: reported if still ready; then a level-triggered item goes
 * back on the list (the next epoll_wait asks again), an edge-triggered one
 * waits for the next wake-up, a one-shot one is disabled until
 * EPOLL_CTL_MOD.  Taking the item off before asking means a wake-up during
 * the scan puts it back: no event is lost.
 *
 * The sets' item lists and the files' lists of items are guarded by one
 * sleeping lock (ep_mutex), held across a scan so a file cannot be freed
 * under it: a file's last close removes its items under the same lock
 * (epoll_file_release), as Linux's eventpoll_release does.  Nested epoll
 * sets (an epoll descriptor added to another) are refused with EINVAL. */
#include "kernel/app/poll.h"
#include "kernel/app/app.h"
#include "kernel/app/signal.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/wait.h"

/* the events that are the item's options, not readiness */
#define EP_PRIVATE_BITS (EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)

struct uapi_epoll_event {
	u32 events;
	u64 data;
} __packed;

struct eventpoll {
	/* guards rdllist and the items' rdllink; any context (the wake-up
	 * callback runs in softirq under a socket's queue lock), irqsave */
	struct spinlock lock;
	struct list_head rdllist;
	struct list_head items;         /* ep_mutex */
	int nitems;                     /* ep_mutex */
	struct wait_queue_head wq;      /* threads in epoll_wait */
};

struct epitem {
	struct eventpoll *ep;
	struct app_file *file;          /* no reference: release unregisters */
	int fd;
	u32 events;                     /* wanted, with EPOLLERR | EPOLLHUP; 0 once a one-shot fired */
	u64 data;
	struct wait_queue_entry wait;
	struct wait_queue_head *wq;     /* where wait hangs, or NULL */
	struct list_head rdllink;
	struct list_head itemlink;
	struct list_head flink;
};

/* the sleeping lock above: a flag under a spinlock, waiters on a queue.
 * ep_mutex_spin guards ep_mutex_held; thread context (epoll_ctl,
 * epoll_wait, a file's release), irqsave */
static struct spinlock ep_mutex_spin = SPINLOCK_INIT("ep_mutex");
static bool ep_mutex_held;
static struct wait_queue_head ep_mutex_wq = {
	.lock = SPINLOCK_INIT("waitqueue"),
	.head = LIST_HEAD_INIT(ep_mutex_wq.head),
};

static bool ep_mutex_try(void)
{
	unsigned long flags = spin_lock_irqsave(&ep_mutex_spin);
	bool got = !ep_mutex_held;

	ep_mutex_held = true;
	spin_unlock_irqrestore(&ep_mutex_spin, flags);
	return got;
}

static void ep_mutex_lock(void)
{
	wait_event(ep_mutex_wq, ep_mutex_try());
}

static void ep_mutex_unlock(void)
{
	unsigned long flags = spin_lock_irqsave(&ep_mutex_spin);

	ep_mutex_held = false;
	spin_unlock_irqrestore(&ep_mutex_spin, flags);
	wake_up(&ep_mutex_wq);
}

static void ep_ready(struct eventpoll *ep, struct epitem *epi)
{
	unsigned long flags = spin_lock_irqsave(&ep->lock);

	if (list_empty(&epi->rdllink))
		list_add_tail(&epi->rdllink, &ep->rdllist);
	spin_unlock_irqrestore(&ep->lock, flags);
	wake_up(&ep->wq);
}

static void ep_poll_callback(struct wait_queue_entry *e, unsigned int key)
{
	struct epitem *epi = e->private;

	if (!(READ_ONCE(epi->events) & ~EP_PRIVATE_BITS))
		return;                 /* a one-shot that fired: disabled */
	if (key != ~0u && !(key & epi->events))
		return;
	ep_ready(epi->ep, epi);
}

/* the poll table of an EPOLL_CTL_ADD: queues that item's entry */
struct ep_pqueue {
	struct poll_table_struct pt;
	struct epitem *epi;
};

static void ep_ptable_queue(struct wait_queue_head *wq, struct poll_table_struct *pt)
{
	struct epitem *epi = ((struct ep_pqueue *)pt)->epi;

	if (epi->wq)
		return;
	init_waitqueue_func_entry(&epi->wait, ep_poll_callback, epi);
	epi->wq = wq;
	add_wait_queue(wq, &epi->wait);
}

/* ep_mutex held */
static void ep_unregister(struct epitem *epi)
{
	struct eventpoll *ep = epi->ep;
	unsigned long flags;

	if (epi->wq)
		remove_wait_queue(epi->wq, &epi->wait);
	flags = spin_lock_irqsave(&ep->lock);
	list_del_init(&epi->rdllink);
	spin_unlock_irqrestore(&ep->lock, flags);
	list_del_init(&epi->itemlink);
	list_del_init(&epi->flink);
	ep->nitems--;
	kfree(epi);
}

void epoll_file_release(struct app_file *f)
{
	struct epitem *epi, *n;

	if (list_empty(&f->epitems))
		return;
	ep_mutex_lock();
	list_for_each_entry_safe(epi, n, &f->epitems, flink)
		ep_unregister(epi);
	ep_mutex_unlock();
}

/* --- the epoll file --- */

static unsigned int ep_file_poll(struct app_file *f, struct poll_table_struct *pt)
{
	struct eventpoll *ep = f->priv;

	(void)pt;
	return list_empty(&ep->rdllist) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static void ep_file_release(struct app_file *f)
{
	struct eventpoll *ep = f->priv;
	struct epitem *epi, *n;

	ep_mutex_lock();
	list_for_each_entry_safe(epi, n, &ep->items, itemlink)
		ep_unregister(epi);
	ep_mutex_unlock();
	kfree(ep);
}

static const struct app_file_ops ep_file_ops = {
	.name = "anon_inode:[eventpoll]",
	.poll = ep_file_poll,
	.release = ep_file_release,
};

long app_epoll_create(int flags)
{
	struct eventpoll *ep;
	struct app_file *f;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = kzalloc(sizeof(*ep));
	if (!ep)
		return -ENOMEM;
	ep->lock = (struct spinlock)SPINLOCK_INIT("eventpoll");
	INIT_LIST_HEAD(&ep->rdllist);
	INIT_LIST_HEAD(&ep->items);
	init_waitqueue_head(&ep->wq);
	f = app_file_alloc(&ep_file_ops, ep);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	f->flags = O_RDWR;
	return fd_install(f);
}

static struct epitem *ep_find(struct eventpoll *ep, struct app_file *f, int fd)
{
	struct epitem *epi;

	list_for_each_entry(epi, &ep->items, itemlink)
		if (epi->file == f && epi->fd == fd)
			return epi;
	return NULL;
}

long app_epoll_ctl(int epfd, int op, int fd, unsigned long uevent)
{
	struct uapi_epoll_event ev = { 0 };
	struct app_file *epf, *f;
	struct ep_pqueue epq;
	struct eventpoll *ep;
	struct epitem *epi;
	unsigned int mask;
	long rc = 0;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	epf = fd_get(epfd);
	if (!epf)
		return -EBADF;
	f = fd_get(fd);
	if (!f) {
		fd_put(epf);
		return -EBADF;
	}
	if (epf->ops != &ep_file_ops || f == epf) {
		rc = -EINVAL;
		goto out;
	}
	if (f->ops == &ep_file_ops || !f->ops->poll) {
		rc = f->ops == &ep_file_ops ? -EINVAL : -EPERM;      /* Linux: EPERM for a file that cannot poll */
		goto out;
	}
	ep = epf->priv;
	ep_mutex_lock();
	epi = ep_find(ep, f, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (epi) {
			rc = -EEXIST;
			break;
		}
		if (ep->nitems >= EPOLL_MAX_ITEMS) {
			rc = -ENOSPC;
			break;
		}
		epi = kzalloc(sizeof(*epi));
		if (!epi) {
			rc = -ENOMEM;
			break;
		}
		epi->ep = ep;
		epi->file = f;
		epi->fd = fd;
		epi->events = ev.events | EPOLLERR | EPOLLHUP;
		epi->data = ev.data;
		INIT_LIST_HEAD(&epi->rdllink);
		INIT_LIST_HEAD(&epi->itemlink);
		INIT_LIST_HEAD(&epi->flink);
		list_add_tail(&epi->itemlink, &ep->items);
		list_add_tail(&epi->flink, &f->epitems);
		ep->nitems++;
		epq.pt.qproc = ep_ptable_queue;
		epq.pt.key = epi->events;
		epq.epi = epi;
		mask = app_file_poll(f, &epq.pt);
		if (mask & epi->events)
			ep_ready(ep, epi);
		break;
	case EPOLL_CTL_MOD:
		if (!epi) {
			rc = -ENOENT;
			break;
		}
		WRITE_ONCE(epi->events, ev.events | EPOLLERR | EPOLLHUP);
		epi->data = ev.data;
		if (app_file_poll(f, NULL) & epi->events)
			ep_ready(ep, epi);
		break;
	case EPOLL_CTL_DEL:
		if (!epi)
			rc = -ENOENT;
		else
			ep_unregister(epi);
		break;
	default:
		rc = -EINVAL;
	}
	ep_mutex_unlock();
out:
	fd_put(f);
	fd_put(epf);
	return rc;
}

/* report what is ready now into the user array; the count */
static int ep_send_events(struct eventpoll *ep, unsigned long uevents, int maxevents)
{
	struct list_head txlist = LIST_HEAD_INIT(txlist);
	struct epitem *epi, *n;
	unsigned long flags;
	int count = 0;

	ep_mutex_lock();
	flags = spin_lock_irqsave(&ep->lock);
	list_splice_init(&ep->rdllist, &txlist);
	spin_unlock_irqrestore(&ep->lock, flags);
	list_for_each_entry_safe(epi, n, &txlist, rdllink) {
		struct uapi_epoll_event ev;
		unsigned int mask;

		if (count == maxevents)
			break;
		flags = spin_lock_irqsave(&ep->lock);
		list_del_init(&epi->rdllink);
		spin_unlock_irqrestore(&ep->lock, flags);
		mask = app_file_poll(epi->file, NULL) & epi->events;
		if (!mask)
			continue;
		ev.events = mask;
		ev.data = epi->data;
		/* a page of the array gone: the event stays ready, the
		 * call returns what it wrote or EFAULT (Linux's
		 * ep_send_events) */
		if (copy_to_user(uevents + (unsigned long)count * sizeof(ev), &ev, sizeof(ev))) {
			ep_ready(ep, epi);
			if (!count)
				count = -EFAULT;
			break;
		}
		count++;
		if (epi->events & EPOLLONESHOT)
			WRITE_ONCE(epi->events, epi->events & EP_PRIVATE_BITS);
		else if (!(epi->events & EPOLLET))
			ep_ready(ep, epi);      /* level-triggered: asked again next time */
	}
	/* what did not fit waits for the next call */
	flags = spin_lock_irqsave(&ep->lock);
	list_splice_init(&txlist, &ep->rdllist);
	spin_unlock_irqrestore(&ep->lock, flags);
	ep_mutex_unlock();
	return count;
}

long app_epoll_wait(int epfd, unsigned long uevents, int maxevents, int timeout_ms)
{
	unsigned long left = poll_timeout_jiffies(timeout_ms);
	struct wait_queue_entry we;
	struct eventpoll *ep;
	struct app_file *f;
	long count = 0;

	if (maxevents <= 0 || (unsigned long)maxevents > 0x7fffffffUL / sizeof(struct uapi_epoll_event))
		return -EINVAL;
	if (!access_ok(uevents, (size_t)maxevents * sizeof(struct uapi_epoll_event)))
		return -EFAULT;
	f = fd_get(epfd);
	if (!f)
		return -EBADF;
	if (f->ops != &ep_file_ops) {
		fd_put(f);
		return -EINVAL;
	}
	ep = f->priv;
	init_wait_entry(&we);
	for (;;) {
		bool empty;
		unsigned long flags;

		count = ep_send_events(ep, uevents, maxevents);
		if (count)
			break;
		prepare_to_wait(&ep->wq, &we, TASK_UNINTERRUPTIBLE);
		flags = spin_lock_irqsave(&ep->lock);
		empty = list_empty(&ep->rdllist);
		spin_unlock_irqrestore(&ep->lock, flags);
		if (empty) {
			if (!left || READ_ONCE(app_current()->killed) || app_signal_pending()) {
				finish_wait(&ep->wq, &we);
				count = left ? -EINTR : 0;
				break;
			}
			left = schedule_timeout(left);
		}
		finish_wait(&ep->wq, &we);
	}
	fd_put(f);
	return count;
}
