/* /proc/version and /proc/cmdline. */
#include "fs/view.h"
#include "kernel/bootinfo.h"
#include "kernel/version.h"
#include <stdio.h>

/* Linux's linux_proc_banner: "%s version %s (%s@%s) (%s) %s\n" -- system
 * name, release, builder, compiler, build; there is no build user/host or
 * build counter to report, so those read "barenet@barenet" and "#1", and
 * the build string carries the tree it was built from (barenet_build) */
static int version_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return snprintf(buf, size, "barenet version %s (barenet@barenet) (gcc version %s) #1 %s\n",
			BARENET_VERSION, __VERSION__, barenet_build);
}
VIEW("/proc/version", version_show);

/* the command line the loader passed, as Linux prints it */
static int cmdline_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return snprintf(buf, size, "%s\n", boot_info.cmdline);
}
VIEW("/proc/cmdline", cmdline_show);
