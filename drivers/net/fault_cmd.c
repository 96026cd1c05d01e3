/* The user's side of fault injection (drivers/net/fault.h): the fault=
 * and fault.seed= options, the `fault` shell command, and
 * /sys/kernel/debug/fault/<name>/{probability,interval,times,param,calls,injected}
 * (after Linux's /sys/kernel/debug/fail_*). */
#include "drivers/net/fault.h"
#include "fs/view.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/shell/shell.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_ERR_MAX 96

static int fault_opt(const char *v)
{
	char err[FAULT_ERR_MAX];

	if (fault_configure(v, err, sizeof(err))) {
		pr_err("fault: %s\n", err);
		return -EINVAL;
	}
	pr_info("fault: injection armed from the command line: %s (seed %llu)\n", v,
		(unsigned long long)fault_get_seed());
	return 0;
}
CMDLINE_OPT("fault", fault_opt,
	    "inject driver faults: <name>:<prob>[:<times>[:<param>]],... (prob <n>ppm, <n>%, 1/<n>)");

/* a whole number in any base strtoull takes; -EINVAL otherwise */
static int fault_parse_u64(const char *v, u64 *out)
{
	char *end;

	if (!*v || *v == '-')
		return -EINVAL;
	*out = strtoull(v, &end, 0);
	return *end ? -EINVAL : 0;
}

static int fault_seed_opt(const char *v)
{
	u64 seed;

	if (fault_parse_u64(v, &seed))
		return -EINVAL;
	fault_seed(seed);
	return 0;
}
CMDLINE_OPT("fault.seed", fault_seed_opt, "seed of the fault injection sequences (a number)");

static void fault_show_one(enum fault_id id)
{
	struct fault_attr f;
	char times[24];

	fault_get(id, &f);
	if (f.times == FAULT_TIMES_UNLIMITED)
		snprintf(times, sizeof(times), "-");
	else
		snprintf(times, sizeof(times), "%lld", (long long)f.times);
	shell_printf("%-13s %-3s %8u %8u %8s %8u %10llu %10llu\n", fault_name(id),
		     f.prob_ppm && f.times ? "on" : "off", f.prob_ppm, f.interval ? f.interval : 1,
		     times, f.param, (unsigned long long)f.calls, (unsigned long long)f.injected);
}

static int fault_list(void)
{
	shell_printf("seed %llu\n", (unsigned long long)fault_get_seed());
	shell_printf("%-13s %-3s %8s %8s %8s %8s %10s %10s\n", "fault", "", "ppm", "interval",
		     "left", "param", "calls", "injected");
	for (int i = 0; i < FAULT_NR; i++)
		fault_show_one(i);
	return 0;
}

/* fault set <name> <prob> [times=N] [interval=N] [param=N] */
static int fault_cmd_set(int argc, char **argv)
{
	int id;
	u32 ppm, interval = 1, param = 0;
	s64 times = FAULT_TIMES_UNLIMITED;

	if (argc < 4)
		return shell_error("fault", "usage: fault set <name> <prob> [times=N] [interval=N] [param=N]");
	id = fault_lookup(argv[2]);
	if (id < 0)
		return shell_error("fault", "unknown fault '%s' (see 'fault')", argv[2]);
	if (fault_parse_prob(argv[3], &ppm))
		return shell_error("fault", "probability '%s' is not <n>ppm, <n>%%, 1/<n> or off",
				   argv[3]);
	for (int i = 4; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		u64 v;

		if (!eq || fault_parse_u64(eq + 1, &v))
			return shell_error("fault", "'%s' is not key=<number>", argv[i]);
		*eq = '\0';
		if (!strcmp(argv[i], "times") && v <= INT32_MAX)
			times = (s64)v;
		else if (!strcmp(argv[i], "interval") && v >= 1 && v <= UINT32_MAX)
			interval = (u32)v;
		else if (!strcmp(argv[i], "param") && v >= 1 && v <= UINT32_MAX)
			param = (u32)v;
		else
			return shell_error("fault", "bad %s=%llu (times >= 0, interval and param >= 1)",
					   argv[i], (unsigned long long)v);
	}
	if (fault_set(id, ppm, times, interval, param))
		return shell_error("fault", "cannot set %s", argv[2]);
	fault_show_one(id);
	return 0;
}

static int cmd_fault(int argc, char **argv)
{
	u64 seed;

	if (argc == 1)
		return fault_list();
	if (!strcmp(argv[1], "set"))
		return fault_cmd_set(argc, argv);
	if (!strcmp(argv[1], "off")) {
		int id;

		if (argc == 2) {
			fault_off_all();
			return 0;
		}
		id = fault_lookup(argv[2]);
		if (argc > 3 || id < 0)
			return shell_error("fault", "usage: fault off [<name>]");
		return fault_set(id, 0, FAULT_TIMES_UNLIMITED, 1, 0) ? 1 : 0;
	}
	if (!strcmp(argv[1], "seed")) {
		if (argc != 3 || fault_parse_u64(argv[2], &seed))
			return shell_error("fault", "usage: fault seed <number>");
		fault_seed(seed);
		return 0;
	}
	return shell_error("fault", "usage: fault | fault set <name> <prob> [times=N] "
			   "[interval=N] [param=N] | fault off [<name>] | fault seed <n>");
}
SHELL_CMD("fault", cmd_fault, "driver fault injection: fault [set <name> <prob> ...|off|seed <n>]");

static const char *const fault_files[] = {
	"probability", "interval", "times", "param", "calls", "injected",
};

static int fault_dir_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	if (idx >= FAULT_NR)
		return -ENOENT;
	snprintf(name, size, "%s", fault_name(idx));
	return 0;
}
VIEW_DIR("/sys/kernel/debug/fault/*", fault_dir_list);

static int fault_file_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	if (idx >= ARRAY_SIZE(fault_files))
		return -ENOENT;
	snprintf(name, size, "%s", fault_files[idx]);
	return 0;
}
VIEW_DIR("/sys/kernel/debug/fault/*/*", fault_file_list);

/* one number per file, as debugfs shows a u64 (probability in ppm, times
 * -1 for unlimited) */
static int fault_file_show(char *buf, size_t size, const char *const *args)
{
	int id = fault_lookup(args[0]);
	struct fault_attr f;
	long long v;

	if (id < 0)
		return -ENOENT;
	fault_get(id, &f);
	if (!strcmp(args[1], "probability"))
		v = f.prob_ppm;
	else if (!strcmp(args[1], "interval"))
		v = f.interval ? f.interval : 1;
	else if (!strcmp(args[1], "times"))
		v = f.times;
	else if (!strcmp(args[1], "param"))
		v = f.param;
	else if (!strcmp(args[1], "calls"))
		v = (long long)f.calls;
	else if (!strcmp(args[1], "injected"))
		v = (long long)f.injected;
	else
		return -ENOENT;
	return snprintf(buf, size, "%lld\n", v);
}
VIEW("/sys/kernel/debug/fault/*/*", fault_file_show);
