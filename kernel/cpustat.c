/* CPU time accounting and /proc/stat.
 *
 * Each CPU is in one context at a time: system (boot, the idle loop's
 * work, the shell), hard IRQ (irq_dispatch), softirq (softirq_handle) or
 * idle (halted in idle_halt).  Every entry to and exit from those calls
 * cpustat_switch(), which charges the TSC ticks since the previous switch
 * to the context being left.  An interrupt that wakes the CPU from hlt is
 * therefore hard IRQ time, and the NET_RX work it raises is softirq time,
 * not idle: what a CPU-use figure under network load needs.  Linux's
 * tick-sampled accounting gives the same columns; this one is exact to the
 * switch, at the cost of two rdtsc per interrupt. */
#include "kernel/cpustat.h"
#include "fs/view.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/seq_buf.h"
#include <stdio.h>

/* /proc/stat counts in USER_HZ ticks (Linux: 100 on every architecture
 * userspace sees, include/asm-generic/param.h) */
#define USER_HZ 100
#define NSEC_PER_USER_TICK (NSEC_PER_SEC / USER_HZ)

struct cpustat {
	u64 tsc[NR_STATS];
	u64 last;                       /* TSC at the last switch */
	enum cpu_usage_stat cur;
};

/* boot time until the first switch is system time */
static struct cpustat cpustats[NR_CPUS] = {
	[0 ... NR_CPUS - 1] = { .cur = CPUTIME_SYSTEM },
};

enum cpu_usage_stat cpustat_switch(enum cpu_usage_stat to)
{
	struct cpustat *cs = &cpustats[smp_processor_id()];
	unsigned long flags = local_irq_save();
	enum cpu_usage_stat prev = cs->cur;
	u64 now = rdtsc();

	/* the first switch charges the time since the TSC's reset: boot */
	cs->tsc[prev] += now - (cs->last ? cs->last : boot_tsc);
	cs->last = now;
	cs->cur = to;
	local_irq_restore(flags);
	return prev;
}

void cpustat_cpu_start(void)
{
	struct cpustat *cs = &cpustats[smp_processor_id()];
	unsigned long flags = local_irq_save();

	/* nothing before this instant was this CPU's time */
	cs->last = rdtsc();
	cs->cur = CPUTIME_SYSTEM;
	local_irq_restore(flags);
}

u64 cpustat_ns(unsigned int cpu, enum cpu_usage_stat st)
{
	u64 t;
	unsigned long flags;

	if (cpu >= NR_CPUS || st >= NR_STATS)
		return 0;
	if (cpu == smp_processor_id())
		cpustat_switch(cpustats[cpu].cur);      /* charge up to now */
	flags = local_irq_save();
	t = cpustats[cpu].tsc[st];
	local_irq_restore(flags);
	return tsc_to_ns(t);
}

static void stat_cpu_line(struct seq_buf *s, const char *label, const u64 *ns)
{
	/* Linux fs/proc/stat.c: user nice system idle iowait irq softirq
	 * steal guest guest_nice */
	static const enum cpu_usage_stat order[] = {
		CPUTIME_USER, CPUTIME_NICE, CPUTIME_SYSTEM, CPUTIME_IDLE, CPUTIME_IOWAIT,
		CPUTIME_IRQ, CPUTIME_SOFTIRQ, CPUTIME_STEAL, CPUTIME_GUEST, CPUTIME_GUEST_NICE,
	};

	seq_buf_printf(s, "%s", label);
	for (unsigned int i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		seq_buf_printf(s, " %llu", (unsigned long long)(ns[order[i]] / NSEC_PER_USER_TICK));
	seq_buf_printf(s, "\n");
}

/* Linux fs/proc/stat.c's layout: the "cpu" sum (two spaces: "cpu  "),
 * one "cpuN" line per CPU, then intr (total of all vectors), ctxt, btime,
 * processes, procs_running, procs_blocked, softirq (total, then per type) */
static int stat_proc_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	unsigned int ncpu = nr_cpu_ids_online();
	u64 sum[NR_STATS] = { 0 }, per[NR_CPUS][NR_STATS];
	u64 intr = 0, softirqs[NR_SOFTIRQS] = { 0 }, softirq_total = 0;
	char label[16];

	(void)args;
	seq_buf_init(&s, buf, size);
	for (unsigned int c = 0; c < ncpu; c++)
		for (unsigned int st = 0; st < NR_STATS; st++) {
			per[c][st] = cpustat_ns(c, st);
			sum[st] += per[c][st];
		}
	stat_cpu_line(&s, "cpu ", sum);
	for (unsigned int c = 0; c < ncpu; c++) {
		snprintf(label, sizeof(label), "cpu%u", c);
		stat_cpu_line(&s, label, per[c]);
	}
	for (int v = 0; v < IRQ_VECTORS; v++)
		intr += irq_count(v);
	for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++) {
		for (unsigned int c = 0; c < ncpu; c++)
			softirqs[nr] += kstat_softirqs_cpu(nr, c);
		softirq_total += softirqs[nr];
	}
	seq_buf_printf(&s, "intr %llu\nctxt %llu\nbtime 0\nprocesses 0\nprocs_running 1\n"
		       "procs_blocked 0\nsoftirq %llu", (unsigned long long)intr,
		       (unsigned long long)sched_nr_switches(), (unsigned long long)softirq_total);
	for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++)
		seq_buf_printf(&s, " %llu", (unsigned long long)softirqs[nr]);
	seq_buf_printf(&s, "\n");
	return seq_buf_used(&s);
}
VIEW("/proc/stat", stat_proc_show);
