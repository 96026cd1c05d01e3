/* Symmetric multiprocessing: the application processors (APs) the MADT
 * lists, started by the boot CPU (kernel/smp.c) through a real-mode
 * trampoline below 1 MiB (kernel/smp_trampoline.S), and the per-CPU
 * facts /proc/cpuinfo shows (kernel/cpuinfo.c).
 *
 * Logical CPU numbers are dense: the boot CPU is 0, and each AP that
 * answers takes the next number.  An AP runs only its idle loop (halted
 * between interrupts) and its LAPIC timer tick; device interrupts all go
 * to CPU 0, so the network path stays on CPU 0. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/* the physical page the APs start at (SIPI vector SMP_TRAMPOLINE_PHYS >> 12):
 * conventional memory that nothing else uses once the loader is done */
#define SMP_TRAMPOLINE_PHYS  0x8000
/* how long the boot CPU waits for a started AP to say it runs */
#ifndef SMP_AP_TIMEOUT_MS
#define SMP_AP_TIMEOUT_MS    2000
#endif
/* each AP's kernel stack: 2^SMP_AP_STACK_ORDER pages */
#define SMP_AP_STACK_ORDER   3

#ifndef __ASSEMBLY__
#include "kernel/types.h"

/* What a CPU reports about itself (CPUID, calibrations), filled on that
 * CPU as it comes up; /proc/cpuinfo prints it. */
struct cpuinfo_x86 {
	u32 apic_id;
	u32 family, model, stepping;
	char vendor[13];
	char model_name[49];
	u32 cpuid_1_edx, cpuid_1_ecx;           /* CPUID leaf 1 feature words */
	u32 cpuid_7_ebx;                         /* leaf 7 subleaf 0 */
	u32 ext_1_edx, ext_1_ecx;                /* leaf 0x80000001 */
	u64 lapic_timer_hz;                      /* this CPU's LAPIC timer input */
	u64 loops_per_jiffy;                     /* the delay-loop calibration */
};

/* Start every AP the MADT lists, up to NR_CPUS and maxcpus=, one at a
 * time; says how many came up.  Called once on the boot CPU after the
 * tick runs, with interrupts on.  Returns the number of CPUs online. */
unsigned int smp_init(void);

/* cpu's facts, or NULL for a CPU that is not online */
const struct cpuinfo_x86 *cpu_data(unsigned int cpu);
/* fill c for the CPU running this code (CPUID, a delay-loop calibration) */
void cpuinfo_collect(struct cpuinfo_x86 *c);

/* bounds [lo, hi) of an AP's kernel stack; false for CPU 0 (the boot
 * stack, kernel/backtrace.c knows it) or a CPU that is not online */
bool smp_cpu_stack(unsigned int cpu, unsigned long *lo, unsigned long *hi);

/* the CPU's physical APIC id (the IPI destination); ~0 when not online */
u32 cpu_apic_id(unsigned int cpu);

/* Run fn(info) on cpu, from its call-function IPI handler (hard IRQ
 * context, interrupts off), or directly when cpu is this CPU.  With wait,
 * return only after fn has returned there.  0, -ENXIO (no such CPU
 * online) or -EINVAL.  Must be called with interrupts on unless cpu is
 * this CPU (two CPUs waiting on each other with interrupts off would
 * never finish), and not from hard IRQ context. */
int smp_call_function_single(unsigned int cpu, void (*fn)(void *info), void *info, bool wait);

/* Run fn(info) on every online CPU in mask (bit c: CPU c) but this one,
 * as smp_call_function_single does; with wait, return once every one has
 * returned.  0, or the first IPI error (the others still ran).  Same
 * context rules as smp_call_function_single. */
int smp_call_function_many(unsigned long mask, void (*fn)(void *info), void *info, bool wait);

/* install the IPI handlers (call-function, reschedule, stop); smp_init
 * calls it before starting the APs */
int smp_ipi_init(void);

/* Stop every other CPU (panic): each halts with interrupts off for good;
 * waits up to 100 ms for them (then sends an NMI to the ones the IPI did
 * not reach and waits as long again) and returns how many stopped. */
unsigned int smp_send_stop(void);
/* after smp_send_stop: each stopped CPU prints its registers and
 * backtrace in turn (as the stop IPI found it); one that did not stop is
 * named */
void smp_dump_stopped_cpus(void);
/* the NMI handler's call: when a panic's stop went to this CPU as an NMI
 * (the IPI found interrupts off), stop here for good; else return.
 * tf: the interrupted frame. */
struct trap_frame;
void smp_stop_nmi(const struct trap_frame *tf);

/* selftest=smp's stress half (kernel/selftest_smp_stress.c): 0, or -EIO
 * when a count did not come out exact */
int smp_stress_test(void);

/* Interrupt counts of the IPIs this CPU received (/proc/interrupts CAL, RES) */
u64 smp_ipi_count(unsigned int cpu, int vector);

#endif
#endif
