/* The application's file descriptors (kernel/app/fd.c): one table per
 * image (there is one application), APP_FD_MAX entries, 0/1/2 the console.
 * A struct app_file is reference-counted: the table holds one reference,
 * each system call using it another (fd_get/fd_put), so a close while
 * another thread blocks in recv on the same descriptor frees nothing under
 * it. */
#ifndef KERNEL_APP_FD_H
#define KERNEL_APP_FD_H

#include "kernel/types.h"

/* open files at once: socket/accept/epoll_create beyond it fail with EMFILE
 * (getrlimit(RLIMIT_NOFILE) reports it) */
#define APP_FD_MAX 1024

#include "kernel/list.h"
#include "kernel/spinlock.h"

struct app_file;
struct poll_table_struct;
struct iovec;

struct app_file_ops {
	const char *name;
	/* buf is a user address already checked for len bytes */
	long (*read)(struct app_file *f, void *buf, size_t len);
	long (*write)(struct app_file *f, const void *buf, size_t len);
	/* readv/writev in one call (iov: user buffers already checked, the
	 * array itself in the kernel); NULL: one read/write per piece */
	long (*rwv)(struct app_file *f, const struct iovec *iov, int iovcnt, bool write);
	/* readiness, EPOLLIN | EPOLLOUT | ... (net/socket/socket.h), after
	 * queueing pt's entry on the file's wait queue (poll_wait); NULL:
	 * always readable and writable, never changes */
	unsigned int (*poll)(struct app_file *f, struct poll_table_struct *pt);
	long (*ioctl)(struct app_file *f, unsigned int cmd, unsigned long arg);
	/* lseek(2); NULL: ESPIPE (sockets, the console) */
	long (*lseek)(struct app_file *f, long off, int whence);
	/* ftruncate(2); NULL: EINVAL, as Linux for what is not a regular file */
	long (*truncate)(struct app_file *f, long len);
	/* mmap(2) of the file (flags MAP_SHARED or MAP_PRIVATE, off page
	 * aligned); NULL: ENODEV */
	long (*mmap)(struct app_file *f, unsigned long hint, size_t len, int prot, int flags,
		     long off);
	/* O_NONBLOCK changed (fcntl F_SETFL, FIONBIO) */
	void (*set_flags)(struct app_file *f, unsigned int flags);
	/* wake blocked callers for good (exit_group) */
	void (*shutdown)(struct app_file *f);
	/* the last reference went */
	void (*release)(struct app_file *f);
};

struct app_file {
	const struct app_file_ops *ops;
	int refs;                       /* atomic */
	unsigned int flags;             /* O_NONBLOCK */
	void *priv;
	struct list_head epitems;       /* epoll registrations watching it (kernel/app/epoll.c) */
};

/* the file's readiness (f->ops->poll, or always ready) */
unsigned int app_file_poll(struct app_file *f, struct poll_table_struct *pt);
/* set O_NONBLOCK on or off (fcntl, FIONBIO) */
void app_file_set_nonblock(struct app_file *f, bool on);

/* a new file with one reference; NULL when out of memory */
struct app_file *app_file_alloc(const struct app_file_ops *ops, void *priv);
/* the descriptor table and its lock (kernel/app/fd.c, which says what the
 * lock guards); here only for fd_get */
extern struct spinlock app_fd_lock;
extern struct app_file *app_fds[APP_FD_MAX];

/* take a reference on fd's file: NULL when fd is not open (EBADF).
 * Inline: every system call on a descriptor starts here (a datagram
 * echo's two per request), and under QEMU's TCG a call's return is a
 * lookup of the next translated block.  The range is checked under the
 * lock, not before it: with an early return gcc splits the function in
 * two and every lookup makes two calls (as it did out of line) */
static inline struct app_file *fd_get(int fd)
{
	struct app_file *f = NULL;

	spin_lock(&app_fd_lock);
	if ((unsigned int)fd < APP_FD_MAX) {
		f = app_fds[fd];
		if (f)
			__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&app_fd_lock);
	return f;
}
void fd_put(struct app_file *f);
/* put f (whose reference moves to the table) at the lowest free
 * descriptor: the descriptor, or -EMFILE (f is put) */
int fd_install(struct app_file *f);
/* at descriptor fd exactly (dup2): fd or -EBADF */
int fd_install_at(struct app_file *f, int fd);
int fd_close(int fd);
/* 0/1/2: the console */
int fd_table_init(void);
/* exit_group: wake every blocked caller */
void fd_table_shutdown_all(void);
/* the application ended: close everything */
void fd_table_close_all(void);
/* open descriptors */
int fd_count(void);

#endif
