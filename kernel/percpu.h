/* Per-CPU data.  Until application processors are started only the boot CPU
 * runs kernel code, so this CPU is always 0; per-CPU state is still kept in
 * arrays of NR_CPUS so /proc-style reports have the Linux layout and SMP
 * needs only a real smp_processor_id(). */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#define NR_CPUS 8

/* the index of the CPU running this code */
static inline unsigned int smp_processor_id(void)
{
	return 0;
}

/* CPUs whose per-CPU state is reported (the boot CPU only, for now) */
static inline unsigned int nr_cpu_ids_online(void)
{
	return 1;
}

#endif
