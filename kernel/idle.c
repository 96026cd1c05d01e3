/* Idle time: the idle loop halts through idle_halt(), which counts the
 * time until the next interrupt; /proc/uptime shows it beside the uptime. */
#include "kernel/idle.h"
#include "fs/view.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/seq_buf.h"

#define CENTISEC_NS (NSEC_PER_SEC / 100)

static u64 idle_tsc;

void idle_halt(void)
{
	u64 t0 = rdtsc();

	safe_halt();
	/* the interrupt that woke us has run by now: its handler's time is
	 * counted as idle, as a tick-based count would do too */
	WRITE_ONCE(idle_tsc, idle_tsc + (rdtsc() - t0));
}

u64 idle_time_ns(void)
{
	return tsc_to_ns(READ_ONCE(idle_tsc));
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
