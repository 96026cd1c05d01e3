/* Forced into every host unit test build (-include): stands in for
 * kernel/x86.h, whose privileged instructions (cli, sti, hlt) fault in a
 * user process.  The interrupt flag is a variable the tests can read. */
#ifndef KERNEL_X86_H
#define KERNEL_X86_H
/* also forced into assembly sources of a test (kallsyms tables) */
#ifndef __ASSEMBLER__

#include "kernel/types.h"

#define X86_RFLAGS_IF (1UL << 9)

/* the simulated RFLAGS.IF of the one simulated CPU (tests/unit/host_stubs.c) */
extern bool host_irqs_enabled;
/* local_irq_disable calls so far: tests check the pending mask is guarded */
extern unsigned long host_irq_disable_count;

static inline void local_irq_disable(void)
{
	host_irqs_enabled = false;
	host_irq_disable_count++;
}
static inline void local_irq_enable(void) { host_irqs_enabled = true; }
static inline void safe_halt(void) { host_irqs_enabled = true; }
static inline unsigned long local_save_flags(void)
{
	return host_irqs_enabled ? X86_RFLAGS_IF : 0;
}
static inline unsigned long local_irq_save(void)
{
	unsigned long f = local_save_flags();

	local_irq_disable();
	return f;
}
static inline void local_irq_restore(unsigned long f)
{
	if (f & X86_RFLAGS_IF)
		local_irq_enable();
}
static inline bool irqs_disabled(void) { return !host_irqs_enabled; }
static inline void cpu_relax(void) { }
static inline u64 rdtsc(void) { return __builtin_ia32_rdtsc(); }

#define mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#endif /* __ASSEMBLER__ */
#endif
