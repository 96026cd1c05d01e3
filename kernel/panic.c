/* panic(): the last words of the kernel.
 *
 * Everything here must work with a broken kernel: printk is switched to its
 * lock-free panic mode first, the backtrace walker checks every frame, and
 * a fault inside panic (or a second panic from a handler) takes the nested
 * path, which prints one line and stops. */
#include "kernel/panic.h"
#include "kernel/backtrace.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/idt.h"
#include "kernel/kallsyms.h"
#include "kernel/percpu.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <string.h>

#define PANIC_MSG_MAX 256

enum panic_action { PANIC_HALT, PANIC_EXIT };
static enum panic_action panic_action = PANIC_HALT;
static int panic_depth;

static int set_panic(const char *v)
{
	if (!strcmp(v, "halt"))
		panic_action = PANIC_HALT;
	else if (!strcmp(v, "exit"))
		panic_action = PANIC_EXIT;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("panic", set_panic, "after a panic: halt (default) | exit (power off, status EXIT_PANIC)");

bool panic_in_progress(void)
{
	return READ_ONCE(panic_depth) != 0;
}

/* Stop for good.  hlt in a loop: an NMI wakes the CPU, its handler returns. */
static __noreturn void panic_stop(bool quiet)
{
	local_irq_disable();
	if (panic_action == PANIC_EXIT) {
		if (quiet)      /* printk itself may be what failed */
			outl(ISA_DEBUG_EXIT_PORT, EXIT_PANIC);
		else
			machine_poweroff(EXIT_PANIC);
	}
	for (;;)
		hlt();
}

/* the registers as they are now, for a panic outside an exception */
static __attribute__((noinline)) void trap_frame_capture(struct trap_frame *tf)
{
	memset(tf, 0, sizeof(*tf));
	__asm__ volatile("movq %%rax, %0\n\tmovq %%rbx, %1\n\tmovq %%rcx, %2\n\t"
			 "movq %%rdx, %3\n\tmovq %%rsi, %4\n\tmovq %%rdi, %5\n\t"
			 : "=m"(tf->rax), "=m"(tf->rbx), "=m"(tf->rcx),
			   "=m"(tf->rdx), "=m"(tf->rsi), "=m"(tf->rdi));
	__asm__ volatile("movq %%r8, %0\n\tmovq %%r9, %1\n\tmovq %%r10, %2\n\t"
			 "movq %%r11, %3\n\tmovq %%r12, %4\n\tmovq %%r13, %5\n\t"
			 "movq %%r14, %6\n\tmovq %%r15, %7\n\t"
			 : "=m"(tf->r8), "=m"(tf->r9), "=m"(tf->r10), "=m"(tf->r11),
			   "=m"(tf->r12), "=m"(tf->r13), "=m"(tf->r14), "=m"(tf->r15));
	__asm__ volatile("movw %%cs, %w0\n\tmovw %%ss, %w1\n\tpushfq\n\tpopq %2\n\t"
			 : "=r"(tf->cs), "=r"(tf->ss), "=r"(tf->rflags));
	/* the caller's view: its frame pointer, the address it returns to here */
	tf->rbp = *(unsigned long *)__builtin_frame_address(0);
	tf->rip = (unsigned long)__builtin_return_address(0);
	tf->rsp = (unsigned long)__builtin_frame_address(0) + 2 * sizeof(long);
	tf->vector = tf->error_code = ~0ULL;
}

void show_regs(const struct trap_frame *tf)
{
	char sym[KSYM_FORMAT_MAX];

	printk(KERN_EMERG "RIP: 0x%016llx %s\n", (unsigned long long)tf->rip,
	       symbol_format(sym, sizeof(sym), tf->rip));
	printk(KERN_EMERG "RSP: 0x%016llx RFLAGS: 0x%08llx CS: 0x%04llx SS: 0x%04llx\n",
	       (unsigned long long)tf->rsp, (unsigned long long)tf->rflags,
	       (unsigned long long)tf->cs, (unsigned long long)tf->ss);
	printk(KERN_EMERG "RAX: 0x%016llx RBX: 0x%016llx RCX: 0x%016llx\n",
	       (unsigned long long)tf->rax, (unsigned long long)tf->rbx, (unsigned long long)tf->rcx);
	printk(KERN_EMERG "RDX: 0x%016llx RSI: 0x%016llx RDI: 0x%016llx\n",
	       (unsigned long long)tf->rdx, (unsigned long long)tf->rsi, (unsigned long long)tf->rdi);
	printk(KERN_EMERG "RBP: 0x%016llx R08: 0x%016llx R09: 0x%016llx\n",
	       (unsigned long long)tf->rbp, (unsigned long long)tf->r8, (unsigned long long)tf->r9);
	printk(KERN_EMERG "R10: 0x%016llx R11: 0x%016llx R12: 0x%016llx\n",
	       (unsigned long long)tf->r10, (unsigned long long)tf->r11, (unsigned long long)tf->r12);
	printk(KERN_EMERG "R13: 0x%016llx R14: 0x%016llx R15: 0x%016llx\n",
	       (unsigned long long)tf->r13, (unsigned long long)tf->r14, (unsigned long long)tf->r15);
	printk(KERN_EMERG "CR0: 0x%016llx CR2: 0x%016llx CR3: 0x%016llx CR4: 0x%016llx\n",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

static __noreturn void panic_common(const struct trap_frame *tf, const char *fmt, va_list ap)
{
	char msg[PANIC_MSG_MAX];
	struct trap_frame here;
	unsigned int stopped = 0;
	int depth;

	local_irq_disable();
	depth = __atomic_add_fetch(&panic_depth, 1, __ATOMIC_SEQ_CST);
	if (depth > 2)
		panic_stop(true);       /* the nested report itself failed */
	printk_enter_panic();
	/* the other CPUs halt where they are: nothing changes under the report */
	if (depth == 1 && nr_cpu_ids_online() > 1)
		stopped = smp_send_stop();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (depth == 2) {
		printk(KERN_EMERG "Kernel panic: nested panic, stopping: %s\n", msg);
		panic_stop(true);
	}
	printk(KERN_EMERG "Kernel panic: %s\n", msg);
	if (nr_cpu_ids_online() > 1)
		printk(KERN_EMERG "on CPU%u; %u of the %u other CPUs stopped\n", smp_processor_id(),
		       stopped, nr_cpu_ids_online() - 1);
	if (!tf) {
		trap_frame_capture(&here);
		tf = &here;
	}
	show_regs(tf);
	printk(KERN_EMERG "Call Trace:\n");
	backtrace_print(tf->rip, tf->rbp, tf == &here ? 0 : tf->rsp);
	/* then what the others were doing, as Linux's panic shows with its
	 * NMI backtraces */
	if (stopped)
		smp_dump_stopped_cpus();
	printk(KERN_EMERG "---[ end Kernel panic: %s ]---\n", msg);
	panic_stop(false);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(NULL, fmt, ap);
}

void panic_trap(const struct trap_frame *tf, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(tf, fmt, ap);
}
