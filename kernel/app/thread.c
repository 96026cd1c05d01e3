/* Application threads: clone (pthread_create), exit, exit_group, the end
 * of an application, faults at CPL 3 (kernel/app/app.h).
 *
 * A thread is a kernel thread on CPU 0 whose first act is app_enter_user()
 * on a copy of its parent's system-call frame (rax 0, the new stack, the
 * TLS of CLONE_SETTLS).  exit_group marks every other thread killed and
 * wakes it: a thread leaves when it next returns to CPL 3
 * (app_exit_to_user), or from a wait (futex, nanosleep, poll, a socket's)
 * that sees the mark (app_signal_pending: as Linux's pending SIGKILL).  Ended threads are freed from the work queue
 * once they have left the CPU; the last one to end frees the application's
 * memory and files and says so on the console. */
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/signal.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/gdt.h"
#include "kernel/mm.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/workqueue.h"
#include "kernel/x86.h"
#include <string.h>

struct app the_app = {
	.lock = SPINLOCK_INIT("app"),
	.threads = LIST_HEAD_INIT(the_app.threads),
	.cpus = 1,
};

/* guards zombies; thread context and the work queue, irqsave */
static struct spinlock zombie_lock = SPINLOCK_INIT("app_zombies");
static struct list_head zombies = LIST_HEAD_INIT(zombies);
static struct work_struct reap_work;
/* exit=app: power off when the application has ended */
bool app_poweroff_at_exit;

struct app_thread *app_thread_alloc(void)
{
	struct app_thread *at = kzalloc(sizeof(*at));

	if (!at)
		return NULL;
	at->fxsave = kmalloc(APP_FXSAVE_SIZE);  /* kmalloc aligns to 16 */
	if (!at->fxsave) {
		kfree(at);
		return NULL;
	}
	INIT_LIST_HEAD(&at->node);
	at->fpu_cpu = -1;               /* never loaded: the first switch loads it */
	return at;
}

void app_thread_free(struct app_thread *at)
{
	kfree(at->fxsave);
	kfree(at);
}

static void reap_fn(struct work_struct *w)
{
	unsigned long flags = spin_lock_irqsave(&zombie_lock);
	struct app_thread *at, *n;
	bool again = false;

	(void)w;
	list_for_each_entry_safe(at, n, &zombies, node) {
		struct task_struct *t = at->task;

		if (!kthread_reap(t)) {
			again = true;
			continue;
		}
		list_del_init(&at->node);
		app_thread_free(at);
	}
	spin_unlock_irqrestore(&zombie_lock, flags);
	if (again)
		schedule_work(&reap_work);
}

/* the last thread is gone: free what the application held */
static void app_finish(void)
{
	unsigned long before = uvm_pages();

	fd_table_close_all();
	uvm_teardown();
	pr_info("app: %s ended, %lu pages freed\n", the_app.name, before);
	WRITE_ONCE(the_app.running, false);
	if (app_poweroff_at_exit)
		machine_poweroff(the_app.exit_status ? EXIT_FAIL : EXIT_OK);
}

void app_thread_exit(int status)
{
	struct app_thread *at = app_current();
	unsigned long flags;
	bool last;

	local_irq_enable();
	if (at->clear_child_tid) {
		u32 zero = 0;

		/* pthread_join waits for this word to become 0 */
		if (!copy_to_user(at->clear_child_tid, &zero, sizeof(zero)))
			futex_wake(at->clear_child_tid, 1);
	}
	flags = spin_lock_irqsave(&the_app.lock);
	list_del_init(&at->node);
	last = --the_app.nthreads == 0;
	spin_unlock_irqrestore(&the_app.lock, flags);
	if (last)
		app_finish();
	flags = spin_lock_irqsave(&zombie_lock);
	list_add_tail(&at->node, &zombies);
	spin_unlock_irqrestore(&zombie_lock, flags);
	schedule_work(&reap_work);
	/* this CPU's registers name no freed thread (the next one allocated
	 * at the same address has fpu_cpu -1 anyway: app_thread_alloc) */
	app_fpu_drop(at);
	kthread_exit(status);
}

void app_exit_group(int status)
{
	struct app_thread *at;
	unsigned long flags = spin_lock_irqsave(&the_app.lock);
	bool first = !the_app.exiting;

	if (first) {
		the_app.exiting = true;
		the_app.exit_status = status;
	}
	list_for_each_entry(at, &the_app.threads, node) {
		if (at == app_current())
			continue;
		WRITE_ONCE(at->killed, true);
		wake_up_process(at->task);
	}
	spin_unlock_irqrestore(&the_app.lock, flags);
	if (first) {
		if (status > 128 && status < 128 + 64)
			pr_info("app: %s (pid %d) killed by signal %d\n", the_app.name,
				the_app.pid, status - 128);
		else
			pr_info("app: %s (pid %d) exited with status %d\n", the_app.name,
				the_app.pid, status);
		/* threads blocked in sockets or futexes come out */
		fd_table_shutdown_all();
		futex_wake_all();
	}
	app_thread_exit(the_app.exit_status);
}

void app_exit_to_user(struct trap_frame *tf)
{
	struct app_thread *at = app_current();

	if (!at || !app_exit_work(at))
		return;
	if (READ_ONCE(at->killed))
		app_thread_exit(the_app.exit_status);
	if (READ_ONCE(at->sigpending) & ~READ_ONCE(at->sigmask))
		app_signal_deliver(tf);
}

/* si_code of the faults Linux names one for (include/uapi/asm-generic/
 * siginfo.h): FPE_INTDIV, ILL_ILLOPN, SI_KERNEL (#GP, int3) */
#define FPE_INTDIV   1
#define ILL_ILLOPN   2
#define SI_KERNEL    0x80

/* an exception's signal and its si_code (a page fault's: uvm_fault_signal) */
static int fault_signal(int vector, int *code)
{
	*code = 0;
	switch (vector) {
	case EXC_DE:
		*code = FPE_INTDIV;
		return APP_SIGFPE;
	case EXC_MF:
	case EXC_XM:
		return APP_SIGFPE;
	case EXC_UD:
		*code = ILL_ILLOPN;
		return APP_SIGILL;
	case EXC_BP:
		*code = SI_KERNEL;
		return APP_SIGTRAP;
	case EXC_DB:
		return APP_SIGTRAP;
	case EXC_GP:
		*code = SI_KERNEL;
		return APP_SIGSEGV;
	default:
		return APP_SIGSEGV;
	}
}

void app_fault(struct trap_frame *tf)
{
	int code, sig = fault_signal((int)tf->vector, &code);
	unsigned long addr = tf->vector == EXC_GP ? 0 : tf->rip;

	if (tf->vector == EXC_PF) {
		addr = read_cr2();
		sig = uvm_fault_signal(addr, &code);
	}
	/* a handler for it: the thread goes on there (Linux's force_sig_fault) */
	if (app_signal_fault(tf, sig, code, addr))
		app_enter_user(tf);

	if (tf->vector == EXC_PF)
		pr_err("app: %s (tid %d): %s at rip %#llx, address %#llx, error %#llx\n",
		       the_app.name, current->pid, exception_name((int)tf->vector),
		       (unsigned long long)tf->rip, (unsigned long long)addr,
		       (unsigned long long)tf->error_code);
	else
		pr_err("app: %s (tid %d): %s at rip %#llx, error %#llx\n", the_app.name,
		       current->pid, exception_name((int)tf->vector),
		       (unsigned long long)tf->rip, (unsigned long long)tf->error_code);
	local_irq_enable();
	app_exit_group(128 + sig);
}

/* a new thread: its frame was copied by its creator */
static int thread_start(void *data)
{
	struct trap_frame frame;

	memcpy(&frame, data, sizeof(frame));
	kfree(data);
	app_enter_user(&frame);
}

int app_thread_create(struct trap_frame *frame, struct app_thread *at)
{
	struct trap_frame *copy = kmalloc(sizeof(*copy));
	struct task_struct *t;
	unsigned long flags;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, frame, sizeof(*copy));
	t = kthread_create(thread_start, copy, "%s", the_app.name);
	if (!t) {
		kfree(copy);
		return -ENOMEM;
	}
	at->task = t;
	t->app = at;
	/* a new thread starts on the application's CPU (not yet running:
	 * set_cpus_allowed only places it) */
	set_cpus_allowed(t, READ_ONCE(the_app.cpus));
	flags = spin_lock_irqsave(&the_app.lock);
	/* created while the application ends: it leaves on its first entry */
	if (the_app.exiting)
		at->killed = true;
	list_add_tail(&at->node, &the_app.threads);
	the_app.nthreads++;
	spin_unlock_irqrestore(&the_app.lock, flags);
	return t->pid;
}

long app_clone(unsigned long flags, unsigned long newsp, unsigned long ptid,
	       unsigned long ctid, unsigned long tls)
{
	struct app_thread *parent = app_current(), *at;
	struct trap_frame frame;
	int tid;

	/* threads only: one address space, one process (no fork) */
	if ((flags & (CLONE_VM | CLONE_THREAD)) != (CLONE_VM | CLONE_THREAD))
		return -ENOSYS;
	if (!newsp)
		return -EINVAL;
	at = app_thread_alloc();
	if (!at)
		return -ENOMEM;
	memcpy(&frame, parent->regs, sizeof(frame));
	frame.rax = 0;
	frame.rsp = newsp;
	app_fpu_save(at->fxsave);
	at->fs_base = flags & CLONE_SETTLS ? tls : parent->fs_base;
	/* the creator's blocked signals; no sigaltstack (Linux, CLONE_VM) */
	at->sigmask = READ_ONCE(parent->sigmask);
	if (flags & CLONE_CHILD_CLEARTID)
		at->clear_child_tid = ctid;
	tid = app_thread_create(&frame, at);
	if (tid < 0) {
		app_thread_free(at);
		return tid;
	}
	if (flags & CLONE_PARENT_SETTID)
		copy_to_user(ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		copy_to_user(ctid, &tid, sizeof(tid));
	wake_up_process(at->task);
	return tid;
}

void app_threads_init(void)
{
	INIT_WORK(&reap_work, reap_fn);
}
