/* The CPU side of running an application: the SYSCALL MSRs, SSE enabled
 * for CPL 3 code, and the per-thread state a switch saves and loads
 * (FXSAVE area, FS base, the kernel stack the CPU switches to). */
#include "kernel/app/app.h"
#include "kernel/gdt.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/x86.h"
#include <string.h>

/* SDM vol.4 table 2-2 */
#define MSR_EFER     0xc0000080
#define EFER_SCE     BIT(0)             /* SYSCALL/SYSRET enable */
#define MSR_STAR     0xc0000081         /* 47:32 kernel CS, 63:48 SYSRET base */
#define MSR_LSTAR    0xc0000082         /* 64-bit SYSCALL target */
#define MSR_SFMASK   0xc0000084         /* RFLAGS bits SYSCALL clears */
#define MSR_FS_BASE  0xc0000100
#define STAR_KERNEL_SHIFT 32
#define STAR_USER_SHIFT   48
/* SYSCALL clears TF, DF, IF, IOPL, NT, AC as Linux does (SDM vol.3A 2.3) */
#define SFMASK_BITS  (BIT(8) | BIT(10) | BIT(9) | (3UL << 12) | BIT(14) | BIT(18))

/* SDM vol.3A 2.5: CR0.MP, CR0.EM, CR0.TS; CR4.OSFXSR, CR4.OSXMMEXCPT */
#define CR0_MP       BIT(1)
#define CR0_EM       BIT(2)
#define CR0_TS       BIT(3)
#define CR4_OSFXSR   BIT(9)
#define CR4_OSXMMEXCPT BIT(10)

/* FXSAVE layout, SDM vol.1 10.5.1: FCW at 0, MXCSR at 24 */
#define FXSAVE_FCW     0
#define FXSAVE_MXCSR   24
#define FCW_DEFAULT    0x037f           /* all x87 exceptions masked, 64-bit precision */
#define MXCSR_DEFAULT  0x1f80           /* all SSE exceptions masked, round to nearest */

void app_syscall_entry(void);

/* read by kernel/app/entry.S as %gs:app_kernel_rsp, %gs:app_user_rsp */
DEFINE_PER_CPU(unsigned long, app_kernel_rsp);
DEFINE_PER_CPU(unsigned long, app_user_rsp);

void app_cpu_init(void)
{
	/* SSE for the application (the kernel itself is built without it:
	 * -mgeneral-regs-only), so its state is saved only around switches
	 * of application threads */
	write_cr0((read_cr0() | CR0_MP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_STAR, (u64)GDT_KERNEL_CS << STAR_KERNEL_SHIFT |
			(u64)GDT_USER_BASE << STAR_USER_SHIFT);
	wrmsr(MSR_LSTAR, (u64)app_syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static unsigned long kstack_top(struct task_struct *t)
{
	return (unsigned long)t->stack + (PAGE_SIZE << KTHREAD_STACK_ORDER);
}

/* Whose FPU/SSE state and FS base this CPU's registers hold (NULL: none
 * known), and, for that thread, TSS.RSP0 and app_kernel_rsp: set only by
 * app_switch_to with interrupts off, cleared by app_fpu_drop.  Together
 * with app_thread.fpu_cpu it is Linux's fpregs_state_valid()
 * (arch/x86/include/asm/fpu/sched.h: fpu_fpregs_owner_ctx and
 * fpu->last_cpu): the registers are still at's when this CPU's owner is
 * at AND at was last loaded on this CPU.  The owner alone would not do:
 * a thread moved to CPU 1 and back finds CPU 0's owner still pointing at
 * it, with the state it had before it left.  fpu_cpu alone would not do
 * either: another application thread may have been loaded here since. */
static DEFINE_PER_CPU(struct app_thread *, app_fpu_owner);

/* Interrupts off (kernel/sched.c).  The outgoing thread's registers are
 * always saved (Linux's switch_fpu_prepare does the same): its copy is
 * then current, whatever runs next, so a later migration, clone or signal
 * never has to fetch registers from another CPU.  The incoming thread's
 * are loaded only when this CPU's registers no longer hold them: kernel
 * threads never touch them (-mgeneral-regs-only, no FS-relative access),
 * so an application thread that sleeps through the idle thread (or a
 * kworker, ksoftirqd) and comes back needs neither the FXRSTOR (512 bytes
 * read) nor the FS base's WRMSR (under QEMU's TCG an exit from the
 * translated code) nor the stack writes. */
void app_switch_to(struct task_struct *prev, struct task_struct *next)
{
	struct app_thread *at = next->app;
	int cpu;

	if (prev->app)
		__asm__ volatile("fxsave64 (%0)" : : "r"(prev->app->fxsave) : "memory");
	if (!at)
		return;
	cpu = (int)smp_processor_id();
	if (*this_cpu_ptr(&app_fpu_owner) == at && at->fpu_cpu == cpu)
		return;
	__asm__ volatile("fxrstor64 (%0)" : : "r"(at->fxsave) : "memory");
	wrmsr(MSR_FS_BASE, at->fs_base);
	gdt_set_kernel_stack(kstack_top(next));
	*this_cpu_ptr(&app_kernel_rsp) = kstack_top(next);
	*this_cpu_ptr(&app_fpu_owner) = at;
	at->fpu_cpu = cpu;
}

void app_fpu_drop(struct app_thread *at)
{
	unsigned long flags = local_irq_save();

	if (*this_cpu_ptr(&app_fpu_owner) == at)
		*this_cpu_ptr(&app_fpu_owner) = NULL;
	at->fpu_cpu = -1;
	local_irq_restore(flags);
}

/* the FPU state a new program starts with (Linux's fpstate_init) */
void app_fpu_init(u8 *fx)
{
	memset(fx, 0, APP_FXSAVE_SIZE);
	*(u16 *)(fx + FXSAVE_FCW) = FCW_DEFAULT;
	*(u32 *)(fx + FXSAVE_MXCSR) = MXCSR_DEFAULT;
}

/* the running thread's FPU state into fx (clone copies its parent's) */
void app_fpu_save(u8 *fx)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(fx) : "memory");
}

void app_set_fs(unsigned long base)
{
	current->app->fs_base = base;
	wrmsr(MSR_FS_BASE, base);
}
