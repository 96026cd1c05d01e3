/* poll(2), ppoll, select(2), pselect6 (kernel/app/poll.h).
 *
 * Linux's do_poll: the first pass asks each file for its readiness with a
 * poll table whose qproc hangs an entry of ours on the file's wait queue;
 * the entry's callback marks the table triggered and wakes the thread.
 * When nothing is ready the thread sets its state, sleeps unless triggered
 * meanwhile, and passes again (without queueing) when woken.  The entries
 * come off every queue before the call returns. */
#include "kernel/app/poll.h"
#include "kernel/app/app.h"
#include "kernel/app/signal.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include <string.h>

#define POLL_FDS_MAX   APP_FD_MAX
#define FD_SETSIZE     1024

struct uapi_pollfd {
	int fd;
	short events, revents;
};

struct poll_entry {
	struct wait_queue_entry wait;
	struct wait_queue_head *wq;
	struct app_file *file;          /* a reference: the queue lives as long */
};

struct poll_wqueues {
	struct poll_table_struct pt;
	struct app_file *polling;       /* the file whose poll op runs now */
	struct task_struct *task;
	bool triggered;
	int n, max;
	struct poll_entry *entries;
};

static void pollwake(struct wait_queue_entry *e, unsigned int key)
{
	struct poll_wqueues *pw = e->private;

	(void)key;
	WRITE_ONCE(pw->triggered, true);
	wake_up_process(pw->task);
}

static void poll_queue(struct wait_queue_head *wq, struct poll_table_struct *pt)
{
	struct poll_wqueues *pw = (struct poll_wqueues *)pt;
	struct poll_entry *pe;

	if (pw->n >= pw->max)
		return;         /* one entry per descriptor: a repeat is not queued */
	pe = &pw->entries[pw->n++];
	init_waitqueue_func_entry(&pe->wait, pollwake, pw);
	pe->wq = wq;
	/* a close by another thread meanwhile must not free the queue under
	 * the entry (Linux's poll_get_entry takes the file too) */
	pe->file = pw->polling;
	__atomic_add_fetch(&pe->file->refs, 1, __ATOMIC_RELAXED);
	add_wait_queue(wq, &pe->wait);
}

static int poll_init(struct poll_wqueues *pw, int max)
{
	memset(pw, 0, sizeof(*pw));
	pw->pt.qproc = poll_queue;
	pw->pt.key = ~0u;
	pw->task = current;
	pw->max = max;
	pw->entries = max ? kmalloc(sizeof(*pw->entries) * (size_t)max) : NULL;
	return max && !pw->entries ? -ENOMEM : 0;
}

static void poll_free(struct poll_wqueues *pw)
{
	for (int i = 0; i < pw->n; i++) {
		remove_wait_queue(pw->entries[i].wq, &pw->entries[i].wait);
		fd_put(pw->entries[i].file);
	}
	kfree(pw->entries);
}

unsigned long poll_timeout_jiffies(long ms)
{
	if (ms < 0)
		return MAX_SCHEDULE_TIMEOUT;
	if (!ms)
		return 0;
	/* one tick more: the first may come at once, and a timeout is a
	 * lower bound (as msleep) */
	return msecs_to_jiffies((unsigned int)(ms > 86400000L ? 86400000L : ms)) + 1;
}

/* Sleep after a pass found nothing: false when the time is up, the
 * application ends or a signal is pending (the call says EINTR) */
static bool poll_sleep(struct poll_wqueues *pw, unsigned long *left)
{
	if (!*left || READ_ONCE(app_current()->killed))
		return false;
	set_current_state(TASK_UNINTERRUPTIBLE);
	if (app_signal_pending()) {
		set_current_state(TASK_RUNNING);
		return false;
	}
	if (!READ_ONCE(pw->triggered))
		*left = schedule_timeout(*left);
	set_current_state(TASK_RUNNING);
	WRITE_ONCE(pw->triggered, false);
	/* the pass after the last sleep still counts */
	return true;
}

/* the readiness of one descriptor for poll: POLLNVAL when it is not open */
static unsigned int fd_poll(int fd, struct poll_wqueues *pw, bool queue)
{
	struct app_file *f;
	unsigned int mask;

	if (fd < 0)
		return 0;
	f = fd_get(fd);
	if (!f)
		return EPOLLNVAL;
	pw->polling = f;
	mask = app_file_poll(f, queue ? &pw->pt : NULL);
	fd_put(f);
	return mask;
}

static long do_poll(unsigned long ufds, unsigned long nfds, unsigned long left)
{
	struct uapi_pollfd *pfd;
	struct poll_wqueues pw;
	size_t size = sizeof(*pfd) * nfds;
	long count = 0;
	bool first = true;

	if (nfds > POLL_FDS_MAX)
		return -EINVAL;
	pfd = nfds ? kmalloc(size) : NULL;
	if (nfds && !pfd)
		return -ENOMEM;
	if (copy_from_user(pfd, ufds, size) || poll_init(&pw, (int)nfds)) {
		kfree(pfd);
		return -EFAULT;
	}
	for (;;) {
		count = 0;
		for (unsigned long i = 0; i < nfds; i++) {
			/* POLLERR and POLLHUP are reported whether asked or not */
			unsigned int want = (unsigned short)pfd[i].events | EPOLLERR | EPOLLHUP;
			unsigned int mask = fd_poll(pfd[i].fd, &pw, first);

			pfd[i].revents = (short)(mask & (want | EPOLLNVAL));
			if (pfd[i].revents)
				count++;
		}
		first = false;
		if (count || !poll_sleep(&pw, &left))
			break;
	}
	poll_free(&pw);
	/* revents out; Linux writes them even when the count is 0 */
	for (unsigned long i = 0; i < nfds && count >= 0; i++)
		if (copy_to_user(ufds + i * sizeof(*pfd) + 6, &pfd[i].revents, sizeof(short)))
			count = -EFAULT;
	kfree(pfd);
	if (!count && (READ_ONCE(app_current()->killed) || app_signal_pending()))
		return -EINTR;
	return count;
}

/* --- select --- */

#define BITS_PER_LONG 64
#define SEL_IN   (EPOLLRDNORM | EPOLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR)
#define SEL_OUT  (EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR)
#define SEL_EX   (EPOLLPRI)

static long do_select(int n, unsigned long uin, unsigned long uout, unsigned long uex,
		      unsigned long left)
{
	unsigned long in[FD_SETSIZE / BITS_PER_LONG] = { 0 }, out[FD_SETSIZE / BITS_PER_LONG] = { 0 },
		      ex[FD_SETSIZE / BITS_PER_LONG] = { 0 };
	unsigned long rin[FD_SETSIZE / BITS_PER_LONG], rout[FD_SETSIZE / BITS_PER_LONG],
		      rex[FD_SETSIZE / BITS_PER_LONG];
	size_t bytes = (size_t)(n + BITS_PER_LONG - 1) / BITS_PER_LONG * sizeof(long);
	struct poll_wqueues pw;
	bool first = true;
	long count;

	if (n < 0 || n > FD_SETSIZE)
		return -EINVAL;
	if ((uin && copy_from_user(in, uin, bytes)) || (uout && copy_from_user(out, uout, bytes)) ||
	    (uex && copy_from_user(ex, uex, bytes)))
		return -EFAULT;
	/* a descriptor in a set that is not open: EBADF, as Linux */
	for (int fd = 0; fd < n; fd++) {
		unsigned long bit = 1UL << (fd % BITS_PER_LONG);
		struct app_file *f;

		if (!((in[fd / BITS_PER_LONG] | out[fd / BITS_PER_LONG] | ex[fd / BITS_PER_LONG]) & bit))
			continue;
		f = fd_get(fd);
		if (!f)
			return -EBADF;
		fd_put(f);
	}
	if (poll_init(&pw, n))
		return -ENOMEM;
	for (;;) {
		count = 0;
		memset(rin, 0, sizeof(rin));
		memset(rout, 0, sizeof(rout));
		memset(rex, 0, sizeof(rex));
		for (int fd = 0; fd < n; fd++) {
			int w = fd / BITS_PER_LONG;
			unsigned long bit = 1UL << (fd % BITS_PER_LONG);
			unsigned int mask;

			if (!((in[w] | out[w] | ex[w]) & bit))
				continue;
			mask = fd_poll(fd, &pw, first);
			if ((in[w] & bit) && (mask & SEL_IN)) {
				rin[w] |= bit;
				count++;
			}
			if ((out[w] & bit) && (mask & SEL_OUT)) {
				rout[w] |= bit;
				count++;
			}
			if ((ex[w] & bit) && (mask & SEL_EX)) {
				rex[w] |= bit;
				count++;
			}
		}
		first = false;
		if (count || !poll_sleep(&pw, &left))
			break;
	}
	poll_free(&pw);
	if ((uin && copy_to_user(uin, rin, bytes)) || (uout && copy_to_user(uout, rout, bytes)) ||
	    (uex && copy_to_user(uex, rex, bytes)))
		return -EFAULT;
	if (!count && (READ_ONCE(app_current()->killed) || app_signal_pending()))
		return -EINTR;
	return count;
}

/* a struct timespec (or timeval) timeout: jiffies, MAX for none */
static long ts_timeout(unsigned long uts, bool timeval, unsigned long *left)
{
	struct uapi_timespec ts;
	u64 ns;

	*left = MAX_SCHEDULE_TIMEOUT;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
	    ts.tv_nsec >= (timeval ? 1000000L : (long)NSEC_PER_SEC))
		return -EINVAL;
	ns = (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec * (timeval ? 1000 : 1);
	if (ns > 86400ULL * NSEC_PER_SEC)
		ns = 86400ULL * NSEC_PER_SEC;
	*left = (unsigned long)((ns * HZ + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
	if (*left)
		(*left)++;      /* a lower bound, as poll_timeout_jiffies */
	return 0;
}

long app_syscall_poll(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		      unsigned long a4, unsigned long a5, unsigned long a6)
{
	unsigned long left;
	long rc;

	(void)a6;
	switch (nr) {
	case SYS_poll:
		return do_poll(a1, a2, poll_timeout_jiffies((int)a3));
	case SYS_ppoll:
		/* a4: the signal mask (no signals: ignored) */
		rc = ts_timeout(a3, false, &left);
		return rc ? rc : do_poll(a1, a2, left);
	case SYS_select:
		rc = ts_timeout(a5, true, &left);
		return rc ? rc : do_select((int)a1, a2, a3, a4, left);
	case SYS_pselect6:
		rc = ts_timeout(a5, false, &left);
		return rc ? rc : do_select((int)a1, a2, a3, a4, left);
	case SYS_epoll_create:
		return (int)a1 <= 0 ? -EINVAL : app_epoll_create(0);
	case SYS_epoll_create1:
		return app_epoll_create((int)a1);
	case SYS_epoll_ctl:
		return app_epoll_ctl((int)a1, (int)a2, (int)a3, a4);
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
		return app_epoll_wait((int)a1, a2, (int)a3, (int)a4);
	default:
		return -ENOSYS;
	}
}
