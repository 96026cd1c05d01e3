/* poll, select and epoll for the application (kernel/app/poll.c,
 * kernel/app/epoll.c), over the files' poll ops and wait queues: a socket
 * wakes its queue with the readiness that changed (wake_up_poll), which
 * wakes a poll()ing thread or puts an epoll registration on its set's
 * ready list.  The EPOLL* bits are poll's POLL* bits (net/socket/socket.h). */
#ifndef KERNEL_APP_POLL_H
#define KERNEL_APP_POLL_H

#include "kernel/app/fd.h"
#include "net/socket/socket.h"

#define EPOLLEXCLUSIVE  (1u << 28)
#define EPOLLONESHOT    (1u << 30)
#define EPOLLET         (1u << 31)
#define EPOLL_CTL_ADD   1
#define EPOLL_CTL_DEL   2
#define EPOLL_CTL_MOD   3
#define EPOLL_CLOEXEC   02000000
/* how many registrations one epoll set may hold (Linux: max_user_watches) */
#define EPOLL_MAX_ITEMS 4096

/* poll/ppoll/select/pselect6/epoll_*: the result, or -ENOSYS for another nr */
long app_syscall_poll(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		      unsigned long a4, unsigned long a5, unsigned long a6);
long app_epoll_create(int flags);
long app_epoll_ctl(int epfd, int op, int fd, unsigned long uevent);
long app_epoll_wait(int epfd, unsigned long uevents, int maxevents, int timeout_ms);
/* f's last reference went: drop it from every epoll set */
void epoll_file_release(struct app_file *f);
/* jiffies for a timeout in ms (negative: none) */
unsigned long poll_timeout_jiffies(long ms);

#endif
