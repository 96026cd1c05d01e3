/* CPU time accounting: where each CPU's time goes (system, hard IRQ,
 * softirq, idle), counted in TSC ticks at every change of context, and
 * shown as Linux's /proc/stat (kernel/cpustat.c). */
#ifndef KERNEL_CPUSTAT_H
#define KERNEL_CPUSTAT_H

#include "kernel/types.h"

/* Linux include/linux/kernel_stat.h's order; user and nice stay 0 here
 * (there is no user mode), iowait/steal/guest are never entered */
enum cpu_usage_stat {
	CPUTIME_USER,
	CPUTIME_NICE,
	CPUTIME_SYSTEM,
	CPUTIME_SOFTIRQ,
	CPUTIME_IRQ,
	CPUTIME_IDLE,
	CPUTIME_IOWAIT,
	CPUTIME_STEAL,
	CPUTIME_GUEST,
	CPUTIME_GUEST_NICE,
	NR_STATS,
};

/* Charge the time since this CPU's last switch to the context it was in,
 * and enter context to.  Returns the context left, for the caller to
 * switch back to when it is done (interrupt and softirq entry/exit).
 * Safe with interrupts on or off. */
enum cpu_usage_stat cpustat_switch(enum cpu_usage_stat to);
/* an application processor starts its accounting now, in system time */
void cpustat_cpu_start(void);
/* nanoseconds cpu spent in context st since boot, up to now */
u64 cpustat_ns(unsigned int cpu, enum cpu_usage_stat st);

#endif
