/* Idle time: the idle loop halts through idle_halt(), in the cpustat
 * context "idle" until the next interrupt switches to hard IRQ time
 * (kernel/cpustat.c); /proc/uptime shows it beside the uptime. */
#include "kernel/idle.h"
#include "fs/view.h"
#include "kernel/cpustat.h"
#include "kernel/percpu.h"
#include "kernel/softlockup.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/seq_buf.h"

#define CENTISEC_NS (NSEC_PER_SEC / 100)

void idle_halt(void)
{
	enum cpu_usage_stat prev = cpustat_switch(CPUTIME_IDLE);

	/* a CPU that halts is not stuck (kernel/softlockup.h) */
	softlockup_touch();
	/* the interrupt that wakes us switches to hard IRQ time at its entry
	 * and back to idle at its exit: only the halted time stays idle */
	safe_halt();
	cpustat_switch(prev);
}

u64 idle_time_ns(void)
{
	u64 ns = 0;

	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++)
		ns += cpustat_ns(c, CPUTIME_IDLE);
	return ns;
}

/* Linux fs/proc/uptime.c: "%lu.%02lu %lu.%02lu\n", uptime and the idle
 * time summed over CPUs, in seconds with centiseconds */
static int uptime_proc_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	u64 up = ktime_get_ns(), idle = idle_time_ns();

	(void)args;
	seq_buf_init(&s, buf, size);
	seq_buf_printf(&s, "%llu.%02llu %llu.%02llu\n",
		       (unsigned long long)(up / NSEC_PER_SEC),
		       (unsigned long long)(up % NSEC_PER_SEC / CENTISEC_NS),
		       (unsigned long long)(idle / NSEC_PER_SEC),
		       (unsigned long long)(idle % NSEC_PER_SEC / CENTISEC_NS));
	return seq_buf_used(&s);
}
VIEW("/proc/uptime", uptime_proc_show);
