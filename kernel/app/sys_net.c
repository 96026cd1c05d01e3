/* Sockets, poll, select and epoll for the application (kernel/app/syscall.h). */
#include "kernel/app/syscall.h"
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"

long app_syscall_net(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		     unsigned long a4, unsigned long a5, unsigned long a6)
{
	(void)nr;
	(void)a1;
	(void)a2;
	(void)a3;
	(void)a4;
	(void)a5;
	(void)a6;
	return -ENOSYS;
}
