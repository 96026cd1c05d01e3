/* The application: one ordinary Linux program (a static x86-64 ELF built
 * against musl, `make APP=`) that barenet runs beside its services.
 *
 * It runs at CPL 3 in the kernel's one address space: its pages are the
 * lower half's (user pages), the kernel's stay supervisor-only.  Why not
 * CPL 0: the SysV ABI lets a leaf function keep data in the 128 bytes below
 * %rsp (the red zone), and Debian's musl libc.a does (movq %xmm0,-0x10(%rsp));
 * an interrupt at CPL 0 pushes its frame right there, with no stack switch.
 * At CPL 3 the CPU switches to TSS.RSP0 first.  The system calls are the
 * real `syscall` instruction (MSR_LSTAR), so libc.a is used unmodified.
 *
 * Each application thread is a kernel thread (kernel/sched.h) with a
 * struct app_thread: its FS base (TLS), its FPU/SSE state (FXSAVE area),
 * its clear_child_tid; kernel/sched.c calls app_switch() at a switch.
 * Threads run on one CPU, CPU 0 unless sched_setaffinity moved the
 * application (one TLB holds the user mappings: no shootdown needed). */
#ifndef KERNEL_APP_APP_H
#define KERNEL_APP_APP_H

#include "kernel/idt.h"
#include "kernel/list.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "kernel/uaccess.h"

#define APP_NAME_MAX      32
#define APP_ARGV_MAX      32            /* arguments after `--`, argv[0] included */
#define APP_FXSAVE_SIZE   512

/* signal numbers the exit log names (Linux x86-64) */
#define APP_SIGILL   4
#define APP_SIGTRAP  5
#define APP_SIGBUS   7
#define APP_SIGFPE   8
#define APP_SIGKILL  9
#define APP_SIGSEGV  11
#define APP_SIGSTOP  19
/* si_code of a fault (include/uapi/asm-generic/siginfo.h) */
#define APP_SEGV_MAPERR  1
#define APP_SEGV_ACCERR  2
#define APP_BUS_ADRERR   2

struct app_file;

struct app_thread {
	struct task_struct *task;
	struct list_head node;          /* app.threads */
	unsigned long fs_base;          /* MSR_FS_BASE while it runs */
	unsigned long clear_child_tid;  /* user address: 0 and a futex wake at exit */
	u8 *fxsave;                     /* 16-byte aligned FXSAVE area */
	/* the CPU whose registers were last loaded from fxsave and fs_base
	 * (kernel/app/arch.c, app_fpu_owner), -1: none.  Whoever writes
	 * fxsave or fs_base of a thread that is not running must set -1 */
	int fpu_cpu;
	struct trap_frame *regs;        /* the user registers of the syscall it is in */
	bool killed;                    /* exit_group or a fault: leave at the next chance */
	/* its last recvfrom slept: the next goes the blocking way at once
	 * (kernel/app/syscall.c, app_dgram_call); its own thread only */
	bool dgram_slept;
	/* signals (kernel/app/signal.c), under the_app.lock: blocked, pending
	 * (bit n-1: signal n), each pending one's si_code; the sigaltstack */
	u64 sigmask, sigpending;
	s8 sigcode[64];
	unsigned long ss_sp, ss_size;
};

/* the application's state (there is at most one) */
struct app {
	char name[APP_NAME_MAX];
	/* guards threads, nthreads, exiting, exit_status; thread context, irqsave */
	struct spinlock lock;
	struct list_head threads;
	int nthreads;
	int pid;                        /* the main thread's tid */
	bool exiting;
	int exit_status;                /* exit code, or 128 + signal */
	bool running;
	/* the one CPU every thread runs on (bit c: CPU c), BIT(0) at start;
	 * sched_setaffinity moves it while the application has one thread.
	 * Under lock. */
	unsigned long cpus;
};

extern struct app the_app;

/* the current thread's application side; NULL in a kernel thread */
static inline struct app_thread *app_current(void)
{
	return current->app;
}

/* per-CPU: the syscall entry's stacks (kernel/app/entry.S) */
void app_cpu_init(void);

/* the system call dispatcher, called by entry.S with interrupts off (it
 * turns them on, but for recvfrom/sendto's part that cannot wait);
 * returns with them off and app_exit_to_user's work done */
void app_syscall(struct trap_frame *tf);
/* before a return to CPL 3 (interrupt or syscall, interrupts off): a
 * killed thread exits here instead; pending signals are delivered */
void app_exit_to_user(struct trap_frame *tf);
/* true when app_exit_to_user has work for at (interrupts off) */
static inline bool app_exit_work(const struct app_thread *at)
{
	return READ_ONCE(at->killed) || (READ_ONCE(at->sigpending) & ~READ_ONCE(at->sigmask));
}
/* an exception at CPL 3: its signal's handler runs (kernel/app/signal.c),
 * or it is logged and ends the application (SIGSEGV, SIGBUS etc.) */
__noreturn void app_fault(struct trap_frame *tf);
/* load tf (a user frame) and iretq to it; never returns (entry.S) */
__noreturn void app_enter_user(struct trap_frame *tf);

/* thread life (kernel/app/thread.c) */
struct app_thread *app_thread_alloc(void);
void app_thread_free(struct app_thread *at);
/* a thread entering user mode at *frame (copied), on CPU 0, counted in the
 * application; its tid or -ENOMEM.  Not yet woken. */
int app_thread_create(struct trap_frame *frame, struct app_thread *at);
/* clone(2) for threads (CLONE_VM | CLONE_THREAD); the new tid or -errno */
long app_clone(unsigned long flags, unsigned long newsp, unsigned long ptid,
	       unsigned long ctid, unsigned long tls);
void app_threads_init(void);
/* exit=app: power off once the application has ended (its status) */
extern bool app_poweroff_at_exit;
/* end the current thread (status: exit_group's or the thread's code) */
__noreturn void app_thread_exit(int status);
/* end every thread of the application with status */
__noreturn void app_exit_group(int status);

/* FPU state: a new program's, the running thread's (for clone) */
void app_fpu_init(u8 *fx);
void app_fpu_save(u8 *fx);
/* the current thread's FS base (arch_prctl ARCH_SET_FS) */
void app_set_fs(unsigned long base);

/* save prev's user state, load next's unless this CPU's registers still
 * hold it (kernel/sched.c, interrupts off) */
void app_switch_to(struct task_struct *prev, struct task_struct *next);
/* at's registers on this CPU count for nothing any more (its thread is
 * ending; or its saved copy was written while it was not running) */
void app_fpu_drop(struct app_thread *at);

/* start the embedded application's main thread after `ready` (no-op when
 * the image has none); argv from the command line after `--` */
void app_start(void);

/* user memory (kernel/app/uvm.c) */
/* the memory limit (app.mem_max=); before anything is mapped */
int uvm_init(void);
/* where the heap starts: the end of the loaded image */
void uvm_set_brk(unsigned long brk_start);
/* Linux's access_ok: [addr, addr+len) is below USER_TOP and does not wrap;
 * and not in the first USER_MIN bytes, never mapped (mmap refuses them
 * as Linux's mmap_min_addr does), so a small-integer pointer is EFAULT
 * before any work.  Whether the range is mapped is found by the copy
 * itself (kernel/uaccess.h).  An empty range is always fine. */
static inline bool access_ok(unsigned long addr, size_t len)
{
	return !len || (addr >= USER_MIN && addr + len >= addr && addr + len <= USER_TOP);
}
/* copies that may meet an unmapped or read-only page: 0, or -EFAULT when
 * the range is not a user one or a page of it faulted (then part of it
 * may have been copied).  Inline: the check and one call to the copy
 * (kernel/uaccess.S), a system call's few small copies each */
static inline int copy_from_user(void *dst, unsigned long usrc, size_t n)
{
	if (!access_ok(usrc, n) || uaccess_copy(dst, (const void *)usrc, n))
		return -EFAULT;
	return 0;
}

static inline int copy_to_user(unsigned long udst, const void *src, size_t n)
{
	if (!access_ok(udst, n) || uaccess_copy((void *)udst, src, n))
		return -EFAULT;
	return 0;
}

/* zero n user bytes: 0 or -EFAULT */
int clear_user(unsigned long udst, size_t n);
/* one u32 read in one load (futexes, socklen_t): 0 or -EFAULT */
static inline int get_user_u32(u32 *v, unsigned long usrc)
{
	if (!access_ok(usrc, sizeof(*v)))
		return -EFAULT;
	return uaccess_get_u32(v, (const void *)usrc);
}

/* one u32 written in one store (socklen_t): 0 or -EFAULT */
static inline int put_user_u32(unsigned long udst, u32 v)
{
	if (!access_ok(udst, sizeof(v)))
		return -EFAULT;
	return uaccess_put_u32((void *)udst, v);
}
/* map len bytes of zeroed pages at addr (page-aligned), prot PROT_*; for
 * the loader: 0 or -errno */
int uvm_map_fixed(unsigned long addr, size_t len, int prot);
/* a free range of len bytes in the mmap area, mapped zeroed with prot */
long uvm_mmap_anon(unsigned long hint, size_t len, int prot, bool fixed);
/* map frames[i] (physical, page-aligned; 0: leave that page unmapped)
 * at a free range (or hint, as uvm_mmap_anon), marked as a memory file's
 * (kernel/app/tmpfs.c: unmapping gives them back to the file, never to the
 * page allocator); the address or -errno */
long uvm_mmap_frames(unsigned long hint, size_t len, int prot, bool fixed,
		     const unsigned long *frames);
int uvm_munmap(unsigned long addr, size_t len);
/* the signal for a user page fault at addr (interrupts off) and its si_code:
 * SIGBUS for a shared file mapping's page past the file's end, else
 * SIGSEGV (SEGV_MAPERR: nothing mapped, SEGV_ACCERR: the protection) */
int uvm_fault_signal(unsigned long addr, int *code);
/* madvise(MADV_DONTNEED): the process's own pages in the range read back
 * as zeros; a memory file's pages and shared anonymous ones keep their
 * contents (Linux drops them and reads the same back); 0, -EINVAL or
 * -ENOMEM (part of the range not mapped) */
long uvm_madvise_dontneed(unsigned long addr, size_t len);
/* mark the pages of a MAP_SHARED | MAP_ANONYMOUS mapping as such */
void uvm_mark_shm(unsigned long addr, size_t len);
int uvm_mprotect(unsigned long addr, size_t len, int prot);
unsigned long uvm_brk(unsigned long want);
/* free every user page (the application ended) */
void uvm_teardown(void);
/* user pages mapped now */
unsigned long uvm_pages(void);

/* futexes (kernel/app/futex.c) */
long app_futex(unsigned long uaddr, int op, u32 val, unsigned long utime,
	       unsigned long uaddr2, u32 val3);
/* wake up to n waiters on uaddr; the count woken */
int futex_wake(unsigned long uaddr, int n);
/* wake every futex waiter of the application (exit_group) */
void futex_wake_all(void);

#endif
