/* The descriptor table and the console file (kernel/app/fd.h). */
#include "kernel/app/fd.h"
#include "kernel/app/app.h"
#include "kernel/app/poll.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "net/socket/socket.h"
#include <string.h>

/* guards app_fds (here and in fd_get, inline in kernel/app/fd.h); thread
 * context only (system calls, the exit's close, the kworker's reaping),
 * never a hard IRQ: taken without turning interrupts off (each fd_get
 * would otherwise end in an sti, which under QEMU's TCG leaves the
 * translated code twice: two of them a datagram echoed) */
struct spinlock app_fd_lock = SPINLOCK_INIT("app_fd");
struct app_file *app_fds[APP_FD_MAX];

struct app_file *app_file_alloc(const struct app_file_ops *ops, void *priv)
{
	struct app_file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->priv = priv;
	f->refs = 1;
	INIT_LIST_HEAD(&f->epitems);
	return f;
}

unsigned int app_file_poll(struct app_file *f, struct poll_table_struct *pt)
{
	if (f->ops->poll)
		return f->ops->poll(f, pt);
	return EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
}

void app_file_set_nonblock(struct app_file *f, bool on)
{
	unsigned int flags;

	if (on)
		flags = __atomic_or_fetch(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
	else
		flags = __atomic_and_fetch(&f->flags, ~O_NONBLOCK, __ATOMIC_RELAXED);
	if (f->ops->set_flags)
		f->ops->set_flags(f, flags);
}

void fd_put(struct app_file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	/* closed for good: out of every epoll set (Linux's eventpoll_release) */
	epoll_file_release(f);
	if (f->ops->release)
		f->ops->release(f);
	kfree(f);
}

int fd_install(struct app_file *f)
{
	spin_lock(&app_fd_lock);
	for (int fd = 0; fd < APP_FD_MAX; fd++) {
		if (!app_fds[fd]) {
			app_fds[fd] = f;
			spin_unlock(&app_fd_lock);
			return fd;
		}
	}
	spin_unlock(&app_fd_lock);
	fd_put(f);
	return -EMFILE;
}

int fd_install_at(struct app_file *f, int fd)
{
	struct app_file *old;

	if (fd < 0 || fd >= APP_FD_MAX) {
		fd_put(f);
		return -EBADF;
	}
	spin_lock(&app_fd_lock);
	old = app_fds[fd];
	app_fds[fd] = f;
	spin_unlock(&app_fd_lock);
	if (old)
		fd_put(old);
	return fd;
}

int fd_close(int fd)
{
	struct app_file *f;

	if (fd < 0 || fd >= APP_FD_MAX)
		return -EBADF;
	spin_lock(&app_fd_lock);
	f = app_fds[fd];
	app_fds[fd] = NULL;
	spin_unlock(&app_fd_lock);
	if (!f)
		return -EBADF;
	fd_put(f);
	return 0;
}

int fd_count(void)
{
	int n = 0;

	for (int fd = 0; fd < APP_FD_MAX; fd++)
		n += READ_ONCE(app_fds[fd]) != NULL;
	return n;
}

void fd_table_shutdown_all(void)
{
	for (int fd = 0; fd < APP_FD_MAX; fd++) {
		struct app_file *f = fd_get(fd);

		if (!f)
			continue;
		if (f->ops->shutdown)
			f->ops->shutdown(f);
		fd_put(f);
	}
}

void fd_table_close_all(void)
{
	for (int fd = 0; fd < APP_FD_MAX; fd++)
		fd_close(fd);
}

/* --- the console: standard input, output and error --- */

static long console_read(struct app_file *f, void *buf, size_t len)
{
	(void)f;
	(void)buf;
	(void)len;
	return 0;       /* the shell owns the console's input: end of file */
}

/* the console's line: a write is copied in and printed this much at a time */
#define CONSOLE_LINE 256

static long console_write(struct app_file *f, const void *buf, size_t len)
{
	char line[CONSOLE_LINE];
	size_t done = 0;

	(void)f;
	while (done < len) {
		size_t n = MIN(len - done, sizeof(line));

		if (copy_from_user(line, (unsigned long)buf + done, n))
			return done ? (long)done : -EFAULT;
		printk_raw(line, n);
		done += n;
	}
	return (long)len;
}

/* writev on the console: pieces of up to CONSOLE_LINE bytes in all go out
 * in one printk_raw, so a line musl flushes as (buffer, rest) is not split
 * by another thread's output; longer ones piece by piece */
static long console_rwv(struct app_file *f, const struct iovec *iov, int iovcnt, bool write)
{
	char line[CONSOLE_LINE];
	size_t total = 0;

	if (!write)
		return 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total > sizeof(line)) {
		total = 0;
		for (int i = 0; i < iovcnt; i++) {
			long rc = console_write(f, iov[i].iov_base, iov[i].iov_len);

			if (rc < 0)
				return total ? (long)total : rc;
			total += (size_t)rc;
		}
		return (long)total;
	}
	total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (copy_from_user(line + total, (unsigned long)iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
		total += iov[i].iov_len;
	}
	if (total)
		printk_raw(line, total);
	return (long)total;
}

static long console_ioctl(struct app_file *f, unsigned int cmd, unsigned long arg)
{
	struct uapi_winsize ws = { .ws_row = 24, .ws_col = 80 };

	(void)f;
	/* a terminal: musl's stdout is line-buffered when TIOCGWINSZ works */
	if (cmd == TIOCGWINSZ)
		return copy_to_user(arg, &ws, sizeof(ws));
	return -ENOTTY;
}

static const struct app_file_ops console_ops = {
	.name = "console",
	.read = console_read,
	.write = console_write,
	.rwv = console_rwv,
	.ioctl = console_ioctl,
};

int fd_table_init(void)
{
	struct app_file *f = app_file_alloc(&console_ops, NULL);

	if (!f)
		return -ENOMEM;
	/* three references: 0, 1, 2 */
	f->refs = 3;
	f->flags = O_RDWR;
	memset(app_fds, 0, sizeof(app_fds));
	app_fds[0] = app_fds[1] = app_fds[2] = f;
	return 0;
}
