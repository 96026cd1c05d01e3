/* The per-CPU preemption count (Linux's preempt_count, without its IRQ
 * and softirq fields: those are in_irq() and in_softirq()).  Every
 * spinlock holds preemption off while held (kernel/spinlock.h), so the
 * tick never switches threads (kernel/sched.c) under a lock or with
 * softirqs disabled; a thread is preempted only at preempt_count() == 0. */
#ifndef KERNEL_PREEMPT_H
#define KERNEL_PREEMPT_H

#include "kernel/percpu.h"

#ifdef HOST_TEST
static inline void preempt_disable(void) { }
static inline void preempt_enable(void) { }
static inline unsigned int preempt_count(void) { return 0; }
#else
DECLARE_PER_CPU(unsigned int, __preempt_count);

/* this CPU's count: an interrupt between the read and the write of a
 * plain increment restores the value it found, so one instruction on
 * %gs suffices */
static inline __attribute__((always_inline)) void preempt_disable(void)
{
	__asm__ volatile("incl %%gs:%0" : "+m"(__preempt_count) : : "memory");
}

static inline __attribute__((always_inline)) void preempt_enable(void)
{
	__asm__ volatile("decl %%gs:%0" : "+m"(__preempt_count) : : "memory");
}

static inline __attribute__((always_inline)) unsigned int preempt_count(void)
{
	unsigned int n;

	__asm__ volatile("movl %%gs:%1, %0" : "=r"(n) : "m"(__preempt_count));
	return n;
}
#endif

#endif
