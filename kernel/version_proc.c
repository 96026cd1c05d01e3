/* /proc/version, /proc/cmdline and /proc/lock_debug. */
#include "fs/view.h"
#include "kernel/bootinfo.h"
#include "kernel/spinlock.h"
#include "kernel/version.h"
#include <stdio.h>

/* Linux's linux_proc_banner: "%s version %s (%s@%s) (%s) %s\n" -- system
 * name, release, builder, compiler, build; there is no build user/host or
 * build counter to report, so those read "barenet@barenet" and "#1", and
 * the build string is "SMP", the flavour and the tree it was built from
 * (barenet_build), as Linux's "#1 SMP PREEMPT_DYNAMIC Debian ..." */
static int version_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return snprintf(buf, size,
			"barenet version %s (barenet@barenet) (gcc version %s) #1 SMP %s %s\n",
			BARENET_VERSION, __VERSION__, BARENET_FLAVOUR, barenet_build);
}
VIEW("/proc/version", version_show);

/* whether this image checks its spinlocks (LOCK_DEBUG, kernel/spinlock_debug.c)
 * and how many reports the checks made */
static int lock_debug_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
#if LOCK_DEBUG
	return snprintf(buf, size, "checks: on\nreports: %llu\n",
			(unsigned long long)spin_debug_report_count());
#else
	return snprintf(buf, size, "checks: off (built with LOCK_DEBUG=0)\n");
#endif
}
VIEW("/proc/lock_debug", lock_debug_show);

/* the command line the loader passed, as Linux prints it */
static int cmdline_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return snprintf(buf, size, "%s\n", boot_info.cmdline);
}
VIEW("/proc/cmdline", cmdline_show);
