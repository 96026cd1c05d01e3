/* Signals for the application (kernel/app/signal.h), as Linux's x86-64.
 *
 * Actions are the application's (one table); the blocked mask, the
 * pending set and the alternate stack are each thread's (struct
 * app_thread), all under the_app.lock.  A sender (kill, tkill, tgkill)
 * drops a signal whose action is to ignore it, else marks it pending on
 * its thread (kill: the first thread that does not block it) and wakes
 * that thread.  Every wait of a system call (sockets' sk_wait, futex,
 * nanosleep, poll, select, epoll_wait) checks app_signal_pending() after
 * setting its state and leaves with -ERESTARTSYS (sockets and futexes
 * without a timeout, as Linux) or -EINTR; app_syscall_set_return() turns
 * -ERESTARTSYS into a restart (rip back by the 2 bytes of `syscall`, rax
 * the number again) when the handler has SA_RESTART, else into EINTR.
 *
 * Delivery happens on the way back to CPL 3 (app_exit_to_user, after a
 * system call or an interrupt): Linux's rt_sigframe is written below the
 * user stack (or on the sigaltstack for SA_ONSTACK) - return address
 * (sa_restorer), ucontext with the registers, the old mask and a pointer
 * to the FXSAVE image stored above it, siginfo - and the frame the iretq
 * loads becomes the handler's entry (rdi sig, rsi &info, rdx &uc).  Its
 * restorer calls rt_sigreturn, which loads the registers, the mask and the
 * FPU state back from the frame, so a handler that edits uc_mcontext
 * (musl's cancellation handler moves rip to __cp_cancel) is obeyed.
 * A default action that is not "ignore" ends the program (stop signals
 * too: there is no job control). */
#include "kernel/app/app.h"
#include "kernel/app/signal.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/x86.h"
#include <string.h>

#define NSIG            64
#define SIGSET_SIZE     8
#define SIG_DFL         0UL
#define SIG_IGN         1UL
#define SIG_BIT(sig)    BIT_ULL((sig) - 1)
/* never blocked, never caught */
#define SIG_UNBLOCKABLE (SIG_BIT(APP_SIGKILL) | SIG_BIT(APP_SIGSTOP))
#define SIG_BLOCK       0
#define SIG_UNBLOCK     1
#define SIG_SETMASK     2
/* sa_flags (include/uapi/asm-generic/signal-defs.h, x86's SA_RESTORER) */
#define SA_ONSTACK      0x08000000UL
#define SA_RESTART      0x10000000UL
#define SA_NODEFER      0x40000000UL
#define SA_RESETHAND    0x80000000UL
#define SA_RESTORER     0x04000000UL
/* si_code (include/uapi/asm-generic/siginfo.h) */
#define SI_USER         0
#define SI_TKILL        (-6)
/* sigaltstack */
#define SS_ONSTACK      1
#define SS_DISABLE      2
#define MINSIGSTKSZ     2048
/* arch/x86/kernel/signal.c: the red zone below the user's rsp, and the
 * RFLAGS bits sigreturn takes from the frame (FIX_EFLAGS) */
#define RED_ZONE        128
#define RFLAGS_CF  BIT(0)
#define RFLAGS_PF  BIT(2)
#define RFLAGS_AF  BIT(4)
#define RFLAGS_ZF  BIT(6)
#define RFLAGS_SF  BIT(7)
#define RFLAGS_TF  BIT(8)
#define RFLAGS_DF  BIT(10)
#define RFLAGS_OF  BIT(11)
#define RFLAGS_RF  BIT(16)
#define RFLAGS_AC  BIT(18)
#define FIX_EFLAGS (RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | RFLAGS_ZF | \
		    RFLAGS_AF | RFLAGS_PF | RFLAGS_CF | RFLAGS_RF)
/* ucontext uc_flags (arch/x86/include/uapi/asm/ucontext.h) */
#define UC_SIGCONTEXT_SS      0x2
#define UC_STRICT_RESTORE_SS  0x4
/* FXSAVE's MXCSR at byte 24; bits outside the default MXCSR_MASK make
 * FXRSTOR fault (SDM vol.1 10.5.1.2) */
#define FXSAVE_MXCSR    24
#define MXCSR_MASK      0xffbf

/* struct k_sigaction as rt_sigaction passes it (x86-64) */
struct k_sigaction {
	u64 handler, flags, restorer, mask;
};

/* arch/x86/include/uapi/asm/sigcontext.h, struct sigcontext (64-bit) */
struct sigcontext64 {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2, fpstate;
	u64 reserved1[8];
};
_Static_assert(sizeof(struct sigcontext64) == 256, "struct sigcontext");

struct uctx {
	u64 uc_flags, uc_link;
	u64 ss_sp;                      /* stack_t */
	s32 ss_flags, ss_pad;
	u64 ss_size;
	struct sigcontext64 mc;
	u64 sigmask;
};
_Static_assert(sizeof(struct uctx) == 304, "struct ucontext");

/* siginfo_t: 128 bytes; kill/tkill carry pid and uid, faults the address */
struct ksiginfo {
	s32 signo, err, code, pad;
	union {
		struct { s32 pid; u32 uid; } kill;
		u64 addr;
		u8 size[112];
	} f;
};
_Static_assert(sizeof(struct ksiginfo) == 128, "siginfo_t");

/* arch/x86/include/asm/sigframe.h, struct rt_sigframe (64-bit) */
struct rt_sigframe {
	u64 pretcode;
	struct uctx uc;
	struct ksiginfo info;
};

/* the application's actions; under the_app.lock */
static struct k_sigaction actions[NSIG];

/* default action "ignore" (Linux's SIG_KERNEL_IGNORE_MASK) */
static bool default_ignores(int sig)
{
	return sig == 17 || sig == 18 || sig == 23 || sig == 28;   /* CHLD CONT URG WINCH */
}

/* sig is to be dropped as it stands; locked */
static bool sig_ignored(int sig)
{
	u64 h = actions[sig - 1].handler;

	return h == SIG_IGN || (h == SIG_DFL && default_ignores(sig));
}

bool app_signal_pending(void)
{
	struct app_thread *at = app_current();

	/* a killed thread (exit_group, a fatal signal) counts as Linux's
	 * pending SIGKILL: its wait ends even on a socket whose descriptor
	 * another thread closed, which exit_group's shutdown cannot reach */
	return at && (READ_ONCE(at->killed) || (READ_ONCE(at->sigpending) & ~READ_ONCE(at->sigmask)));
}

/* the lowest pending, unblocked signal, taken off; 0 for none; locked */
static int dequeue(struct app_thread *at, int *code)
{
	u64 ready = at->sigpending & ~at->sigmask;
	int sig;

	if (!ready)
		return 0;
	sig = __builtin_ctzll(ready) + 1;
	at->sigpending &= ~SIG_BIT(sig);
	*code = at->sigcode[sig - 1];
	return sig;
}

void app_syscall_set_return(struct trap_frame *tf, unsigned long nr, long rc)
{
	struct app_thread *at = app_current();
	unsigned long flags;
	u64 ready;
	bool restart = true;

	if (rc != -ERESTARTSYS || nr == SYS_rt_sigreturn) {
		tf->rax = (u64)rc;
		return;
	}
	/* the signal delivered next decides: a handler without SA_RESTART
	 * makes it EINTR; SA_RESTART, or an action that runs no handler,
	 * restarts the call */
	flags = spin_lock_irqsave(&the_app.lock);
	ready = at->sigpending & ~at->sigmask;
	if (ready) {
		const struct k_sigaction *ka = &actions[__builtin_ctzll(ready)];

		restart = ka->handler == SIG_DFL || ka->handler == SIG_IGN || ka->flags & SA_RESTART;
	}
	spin_unlock_irqrestore(&the_app.lock, flags);
	if (restart) {
		tf->rax = nr;
		tf->rip -= 2;           /* the `syscall` instruction (0f 05) again */
	} else {
		tf->rax = (u64)-EINTR;
	}
}

static bool on_altstack(const struct app_thread *at, unsigned long sp)
{
	return at->ss_size && sp > at->ss_sp && sp - at->ss_sp <= at->ss_size;
}

/* a default action that ends the program (interrupts come on) */
static __noreturn void sig_fatal(int sig)
{
	local_irq_enable();
	app_exit_group(128 + sig);
}

/* Write the frame for ka's handler and point tf at it: 0, or -EFAULT when
 * the stack cannot take it (Linux then forces SIGSEGV). */
static int setup_frame(struct trap_frame *tf, const struct k_sigaction *ka, int sig,
		       const struct ksiginfo *info, u64 oldmask)
{
	struct app_thread *at = app_current();
	u8 fx[APP_FXSAVE_SIZE] __attribute__((aligned(16)));
	struct rt_sigframe f;
	unsigned long sp = tf->rsp, fp, frame;

	if (!(ka->flags & SA_RESTORER))
		return -EFAULT;         /* x86-64: no restorer, no way back */
	if (ka->flags & SA_ONSTACK && at->ss_size && !on_altstack(at, sp))
		sp = at->ss_sp + at->ss_size;
	else
		sp -= RED_ZONE;
	fp = (sp - APP_FXSAVE_SIZE) & ~63UL;
	frame = ((fp - sizeof(f)) & ~15UL) - 8;        /* as after a call */
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.ss_sp = at->ss_sp;
	f.uc.ss_size = at->ss_size;
	f.uc.ss_flags = !at->ss_size ? SS_DISABLE : on_altstack(at, tf->rsp) ? SS_ONSTACK : 0;
	f.uc.mc = (struct sigcontext64){
		.r8 = tf->r8, .r9 = tf->r9, .r10 = tf->r10, .r11 = tf->r11,
		.r12 = tf->r12, .r13 = tf->r13, .r14 = tf->r14, .r15 = tf->r15,
		.rdi = tf->rdi, .rsi = tf->rsi, .rbp = tf->rbp, .rbx = tf->rbx,
		.rdx = tf->rdx, .rax = tf->rax, .rcx = tf->rcx, .rsp = tf->rsp,
		.rip = tf->rip, .eflags = tf->rflags,
		.cs = (u16)tf->cs, .ss = (u16)tf->ss,
		.err = tf->vector == (u64)-1 ? 0 : tf->error_code,
		.trapno = tf->vector == (u64)-1 ? 0 : tf->vector,
		.oldmask = oldmask, .cr2 = info->signo == APP_SIGSEGV || info->signo == APP_SIGBUS ?
					   info->f.addr : 0,
		.fpstate = fp,
	};
	f.uc.sigmask = oldmask;
	f.info = *info;
	/* the interrupted FPU state (live: the kernel uses no SSE) */
	__asm__ volatile("fxsave64 (%0)" : : "r"(fx) : "memory");
	if (!access_ok(frame, fp + APP_FXSAVE_SIZE - frame) ||
	    copy_to_user(fp, fx, sizeof(fx)) || copy_to_user(frame, &f, sizeof(f)))
		return -EFAULT;
	/* the handler starts with a clean FPU, as Linux's */
	app_fpu_init(fx);
	__asm__ volatile("fxrstor64 (%0)" : : "r"(fx) : "memory");
	tf->rdi = (u64)sig;
	tf->rsi = frame + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = frame + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rsp = frame;
	tf->rip = ka->handler;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_RF | RFLAGS_TF);
	return 0;
}

/* run sig's action for the current thread (interrupts off) */
static void handle_signal(struct trap_frame *tf, int sig, const struct ksiginfo *info)
{
	struct app_thread *at = app_current();
	struct k_sigaction ka;
	unsigned long flags = spin_lock_irqsave(&the_app.lock);
	u64 oldmask = at->sigmask;

	ka = actions[sig - 1];
	if (ka.handler == SIG_IGN || (ka.handler == SIG_DFL && default_ignores(sig))) {
		spin_unlock_irqrestore(&the_app.lock, flags);
		return;
	}
	if (ka.handler == SIG_DFL) {
		spin_unlock_irqrestore(&the_app.lock, flags);
		pr_err("app: %s (tid %d): signal %d, whose default action ends the program\n",
		       the_app.name, current->pid, sig);
		sig_fatal(sig);
	}
	if (ka.flags & SA_RESETHAND)
		actions[sig - 1].handler = SIG_DFL;
	at->sigmask |= (ka.mask | (ka.flags & SA_NODEFER ? 0 : SIG_BIT(sig))) & ~SIG_UNBLOCKABLE;
	spin_unlock_irqrestore(&the_app.lock, flags);
	if (setup_frame(tf, &ka, sig, info, oldmask)) {
		pr_err("app: %s (tid %d): no room for the frame of signal %d at rsp %#llx\n",
		       the_app.name, current->pid, sig, (unsigned long long)tf->rsp);
		sig_fatal(APP_SIGSEGV);
	}
}

void app_signal_deliver(struct trap_frame *tf)
{
	struct app_thread *at = app_current();

	for (;;) {
		struct ksiginfo info = { 0 };
		unsigned long flags = spin_lock_irqsave(&the_app.lock);
		int code = 0, sig = dequeue(at, &code);

		spin_unlock_irqrestore(&the_app.lock, flags);
		if (!sig)
			return;
		info.signo = sig;
		info.code = code;
		info.f.kill.pid = the_app.pid;  /* uid 0 */
		handle_signal(tf, sig, &info);
	}
}

bool app_signal_fault(struct trap_frame *tf, int sig, int code, unsigned long addr)
{
	struct app_thread *at = app_current();
	struct ksiginfo info = { .signo = sig, .code = code };
	unsigned long flags = spin_lock_irqsave(&the_app.lock);
	u64 h = actions[sig - 1].handler;
	bool caught = h != SIG_DFL && h != SIG_IGN && !(at->sigmask & SIG_BIT(sig));

	spin_unlock_irqrestore(&the_app.lock, flags);
	if (!caught)
		return false;
	info.f.addr = addr;
	handle_signal(tf, sig, &info);
	return true;
}

/* --- sending --- */

/* mark sig pending on at (NULL: the application's, on the first thread
 * that does not block it) and wake it; locked */
static void send_locked(struct app_thread *at, int sig, int code)
{
	if (sig_ignored(sig))
		return;                 /* dropped at once, as Linux */
	if (!at) {
		struct app_thread *t;

		list_for_each_entry(t, &the_app.threads, node) {
			if (!at)
				at = t;         /* the main thread if all block it */
			if (!(t->sigmask & SIG_BIT(sig))) {
				at = t;
				break;
			}
		}
		if (!at)
			return;
	}
	at->sigpending |= SIG_BIT(sig);
	at->sigcode[sig - 1] = (s8)code;
	if (!(at->sigmask & SIG_BIT(sig)) || sig == APP_SIGKILL)
		wake_up_process(at->task);
}

long app_sys_tgkill(int tgid, int tid, int sig, bool tkill)
{
	struct app_thread *at, *found = NULL;
	unsigned long flags;

	if (tid <= 0 || (!tkill && tgid <= 0))
		return -EINVAL;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!tkill && tgid != the_app.pid)
		return -ESRCH;
	flags = spin_lock_irqsave(&the_app.lock);
	list_for_each_entry(at, &the_app.threads, node) {
		if (at->task->pid == tid) {
			found = at;
			break;
		}
	}
	if (found && sig)
		send_locked(found, sig, SI_TKILL);
	spin_unlock_irqrestore(&the_app.lock, flags);
	return found ? 0 : -ESRCH;
}

long app_sys_kill(int pid, int sig)
{
	unsigned long flags;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	/* the one process: its pid, its process group (-pid), or 0 (the
	 * caller's group); -1 means every process but the caller: none */
	if (pid != the_app.pid && pid != 0 && pid != -the_app.pid)
		return -ESRCH;
	if (!sig)
		return 0;
	flags = spin_lock_irqsave(&the_app.lock);
	send_locked(NULL, sig, SI_USER);
	spin_unlock_irqrestore(&the_app.lock, flags);
	return 0;
}

/* --- actions, masks, stacks --- */

long app_sys_rt_sigaction(int sig, unsigned long uact, unsigned long uold, size_t size)
{
	struct k_sigaction ka, old;
	struct app_thread *at;
	unsigned long flags;

	if (size != SIGSET_SIZE || sig < 1 || sig > NSIG)
		return -EINVAL;
	if (uact && (SIG_BIT(sig) & SIG_UNBLOCKABLE))
		return -EINVAL;
	if (uact && copy_from_user(&ka, uact, sizeof(ka)))
		return -EFAULT;
	flags = spin_lock_irqsave(&the_app.lock);
	old = actions[sig - 1];
	if (uact) {
		ka.mask &= ~SIG_UNBLOCKABLE;
		actions[sig - 1] = ka;
		/* now ignored: what is pending goes (Linux's sigaction) */
		if (sig_ignored(sig))
			list_for_each_entry(at, &the_app.threads, node)
				at->sigpending &= ~SIG_BIT(sig);
	}
	spin_unlock_irqrestore(&the_app.lock, flags);
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long app_sys_rt_sigprocmask(int how, unsigned long uset, unsigned long uold, size_t size)
{
	struct app_thread *at = app_current();
	unsigned long flags;
	u64 set = 0, old;

	if (size != SIGSET_SIZE)
		return -EINVAL;
	if (uset && copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	if (uset && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return -EINVAL;
	flags = spin_lock_irqsave(&the_app.lock);
	old = at->sigmask;
	if (uset) {
		if (how == SIG_BLOCK)
			at->sigmask |= set;
		else if (how == SIG_UNBLOCK)
			at->sigmask &= ~set;
		else
			at->sigmask = set;
		at->sigmask &= ~SIG_UNBLOCKABLE;
	}
	spin_unlock_irqrestore(&the_app.lock, flags);
	/* what it unblocked and is pending runs on the way out */
	return uold && copy_to_user(uold, &old, sizeof(old)) ? -EFAULT : 0;
}

long app_sys_rt_sigpending(unsigned long uset, size_t size)
{
	struct app_thread *at = app_current();
	u64 set;

	if (size > SIGSET_SIZE)
		return -EINVAL;
	/* blocked and pending; the application's pending set is the threads' */
	set = READ_ONCE(at->sigpending) & READ_ONCE(at->sigmask);
	return copy_to_user(uset, &set, size) ? -EFAULT : 0;
}

long app_sys_sigaltstack(unsigned long uss, unsigned long uold, unsigned long sp)
{
	struct app_thread *at = app_current();
	struct { u64 sp; s32 flags, pad; u64 size; } ss, old = {
		at->ss_sp, !at->ss_size ? SS_DISABLE : on_altstack(at, sp) ? SS_ONSTACK : 0, 0,
		at->ss_size };

	if (uss) {
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (on_altstack(at, sp))
			return -EPERM;
		/* 0, SS_DISABLE, or SS_ONSTACK as an old spelling of 0 (Linux) */
		if (ss.flags & ~(SS_DISABLE | SS_ONSTACK) || ss.flags == (SS_DISABLE | SS_ONSTACK))
			return -EINVAL;
		if (ss.flags & SS_DISABLE) {
			ss.sp = 0;
			ss.size = 0;
		} else if (ss.size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	if (uss) {
		at->ss_sp = ss.sp;
		at->ss_size = ss.size;
	}
	return 0;
}

long app_sys_rt_sigreturn(struct trap_frame *tf)
{
	struct app_thread *at = app_current();
	u8 fx[APP_FXSAVE_SIZE] __attribute__((aligned(16)));
	unsigned long frame = tf->rsp - 8, flags;   /* the handler's ret took pretcode */
	struct rt_sigframe f;
	const struct sigcontext64 *mc = &f.uc.mc;

	if (copy_from_user(&f, frame, sizeof(f)) || mc->rip >= USER_TOP ||
	    (mc->fpstate && copy_from_user(fx, mc->fpstate, sizeof(fx)))) {
		pr_err("app: %s (tid %d): rt_sigreturn with a bad frame at %#lx\n", the_app.name,
		       current->pid, frame);
		sig_fatal(APP_SIGSEGV);
	}
	tf->r8 = mc->r8;
	tf->r9 = mc->r9;
	tf->r10 = mc->r10;
	tf->r11 = mc->r11;
	tf->r12 = mc->r12;
	tf->r13 = mc->r13;
	tf->r14 = mc->r14;
	tf->r15 = mc->r15;
	tf->rdi = mc->rdi;
	tf->rsi = mc->rsi;
	tf->rbp = mc->rbp;
	tf->rbx = mc->rbx;
	tf->rdx = mc->rdx;
	tf->rcx = mc->rcx;
	tf->rsp = mc->rsp;
	tf->rip = mc->rip;
	tf->rflags = (tf->rflags & ~(u64)FIX_EFLAGS) | (mc->eflags & FIX_EFLAGS);
	if (mc->fpstate) {
		*(u32 *)(fx + FXSAVE_MXCSR) &= MXCSR_MASK;
		__asm__ volatile("fxrstor64 (%0)" : : "r"(fx) : "memory");
	}
	flags = spin_lock_irqsave(&the_app.lock);
	at->sigmask = f.uc.sigmask & ~SIG_UNBLOCKABLE;
	spin_unlock_irqrestore(&the_app.lock, flags);
	return (long)mc->rax;
}
