/* Per-CPU data, reached through the GS segment base (Linux's x86-64 scheme).
 *
 * DEFINE_PER_CPU(type, name) puts name in the linker section .bss..percpu
 * (linker.ld: __per_cpu_start..__per_cpu_end).  That section is the boot
 * CPU's copy: CPU 0's offset is 0.  smp.c gives every application processor
 * a zeroed copy of the section at bring-up and records its offset from the
 * section in __per_cpu_offset[cpu]; the CPU's GS base is that offset, so
 * `%gs:name` is this CPU's copy of name.  Every per-CPU variable therefore
 * starts zeroed on every CPU: a subsystem that needs another initial value
 * sets it in its per-CPU init (there is no initializer to copy).
 *
 *   this_cpu_ptr(&x)    this CPU's copy of x
 *   per_cpu(x, cpu)     cpu's copy of x (an lvalue)
 *   per_cpu_ptr(&x, cpu)
 *   smp_processor_id()  this CPU's logical number, 0..nr_cpu_ids_online()-1
 *
 * No thread migrates between CPUs (there are no threads yet), so a
 * this_cpu_ptr() stays valid for as long as the caller runs.  Host unit
 * tests (HOST_TEST) see one CPU and plain variables. */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include "kernel/types.h"

/* CPUs the kernel can run; more in the MADT boot this many (smp.c says so) */
#define NR_CPUS 16

#ifdef HOST_TEST

#define DEFINE_PER_CPU(type, name)  __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name
#define this_cpu_ptr(p)             (p)
#define per_cpu_ptr(p, cpu)         ((void)(cpu), (p))
#define per_cpu(var, cpu)           (*per_cpu_ptr(&(var), (cpu)))

static inline void local_add_u64(u64 *p, u64 n)
{
	*p += n;
}

#define this_cpu_add_u64(var, n)    ((var) += (n))

static inline unsigned int smp_processor_id(void)
{
	return 0;
}

static inline unsigned int nr_cpu_ids_online(void)
{
	return 1;
}

#else

#define PER_CPU_SECTION ".bss..percpu"

/* a per-CPU variable; zero on every CPU at start (see above) */
#define DEFINE_PER_CPU(type, name) \
	__section(PER_CPU_SECTION) __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name

/* each CPU's copy minus the boot CPU's copy (the section itself); 0 for CPU 0 */
extern unsigned long __per_cpu_offset[NR_CPUS];
/* this CPU's offset and number, in this CPU's own area */
DECLARE_PER_CPU(unsigned long, this_cpu_off);
DECLARE_PER_CPU(unsigned int, cpu_number);
/* CPUs running kernel code, numbered 0..nr_cpus_online-1 (smp.c) */
extern unsigned int nr_cpus_online;

/* %gs:var: this CPU's copy of a naturally aligned 4- or 8-byte variable */
static inline unsigned long __this_cpu_off(void)
{
	unsigned long off;

	__asm__ volatile("movq %%gs:%1, %0" : "=r"(off) : "m"(this_cpu_off));
	return off;
}

#define per_cpu_ptr(p, cpu) \
	((__typeof__(p))((unsigned long)(p) + __per_cpu_offset[(cpu)]))
#define per_cpu(var, cpu)   (*per_cpu_ptr(&(var), (cpu)))
#define this_cpu_ptr(p)     ((__typeof__(p))((unsigned long)(p) + __this_cpu_off()))

/* *p += n in one instruction, for a counter only this CPU writes (its
 * slot of an array, found from softirq or hard IRQ context, where nothing
 * migrates): an interrupt on this CPU cannot split it, and no other CPU
 * writes it, so no lock prefix.  Under QEMU's multi-threaded TCG with 2
 * or more vCPUs a locked add is a host atomic in a helper call; this is a
 * plain add. */
static inline void local_add_u64(u64 *p, u64 n)
{
	__asm__ volatile("addq %1, %0" : "+m"(*p) : "er"(n));
}

/* this CPU's copy of the per-CPU u64 var (or a field of one) += n: one
 * %gs-relative instruction, so no preemption, migration or interrupt
 * comes between finding the copy and adding to it (Linux's
 * this_cpu_add); no lock prefix, as local_add_u64.  From any context. */
#define this_cpu_add_u64(var, n) \
	__asm__ volatile("addq %1, %%gs:%0" : "+m"(var) : "er"((u64)(n)))

/* the index of the CPU running this code */
static inline unsigned int smp_processor_id(void)
{
	unsigned int id;

	__asm__ volatile("movl %%gs:%1, %0" : "=r"(id) : "m"(cpu_number));
	return id;
}

/* CPUs whose per-CPU state is reported: every CPU that came up */
static inline unsigned int nr_cpu_ids_online(void)
{
	return READ_ONCE(nr_cpus_online);
}

#endif

#endif
