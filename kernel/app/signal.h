/* Signals for the application (kernel/app/signal.c): Linux's x86-64
 * rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack, kill, tkill,
 * tgkill, and the delivery of a signal to a thread (a frame on its user
 * stack, the handler run on the way back to CPL 3). */
#ifndef KERNEL_APP_SIGNAL_H
#define KERNEL_APP_SIGNAL_H

#include "kernel/types.h"

/* Linux's kernel-internal errno: a wait cut short by a signal, to be
 * restarted when the handler has SA_RESTART (or there is no handler to
 * run), else EINTR (app_syscall_set_return).  Never seen by the program. */
#define ERESTARTSYS 512

struct trap_frame;

/* the current thread has a signal pending that it does not block, or is
 * killed (a wait in a system call returns -ERESTARTSYS or -EINTR for it);
 * false in a kernel thread */
bool app_signal_pending(void);
/* the system call nr's result rc into tf: -ERESTARTSYS becomes a restart
 * of the call (rip back on the syscall instruction) or -EINTR, as Linux */
void app_syscall_set_return(struct trap_frame *tf, unsigned long nr, long rc);
/* on the way back to CPL 3 (interrupts off): each pending signal the
 * thread does not block gets its action, a handler its frame in tf; a
 * signal whose action ends the program does not return */
void app_signal_deliver(struct trap_frame *tf);
/* a fault at CPL 3 (interrupts off): true when sig has a handler and tf
 * now enters it; false when the fault is to end the program (Linux's
 * force_sig_fault: a blocked or ignored fault signal kills) */
bool app_signal_fault(struct trap_frame *tf, int sig, int code, unsigned long addr);

/* the system calls; each returns what Linux returns */
long app_sys_rt_sigaction(int sig, unsigned long uact, unsigned long uold, size_t size);
long app_sys_rt_sigprocmask(int how, unsigned long uset, unsigned long uold, size_t size);
long app_sys_rt_sigpending(unsigned long uset, size_t size);
/* the restored rax: app_syscall stores it back as the "result" */
long app_sys_rt_sigreturn(struct trap_frame *tf);
long app_sys_sigaltstack(unsigned long uss, unsigned long uold, unsigned long sp);
long app_sys_kill(int pid, int sig);
/* tgid 0: tkill(2) */
long app_sys_tgkill(int tgid, int tid, int sig, bool tkill);

#endif
