/* The system-call tables' halves (kernel/app/syscall.c dispatches). */
#ifndef KERNEL_APP_SYSCALL_H
#define KERNEL_APP_SYSCALL_H

#include "kernel/types.h"

/* sockets, poll, select, epoll (kernel/app/sys_net.c): the result, or
 * -ENOSYS when nr is none of them */
long app_syscall_net(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		     unsigned long a4, unsigned long a5, unsigned long a6);
/* sendto and recvfrom (kernel/app/sys_net.c), which app_syscall calls
 * before its switch (a datagram loop's every request makes both) */
long app_sys_sendto(int fd, unsigned long buf, size_t len, int flags, unsigned long uaddr,
		    int alen);
long app_sys_recvfrom(int fd, unsigned long buf, size_t len, int flags, unsigned long uaddr,
		      unsigned long ulen);

#endif
