/* System commands: dmesg, uptime, free, reboot, poweroff, sleep. */
#include "kernel/shell/shell.h"
#include "kernel/idle.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/power.h"
#include "kernel/sched.h"
#include "kernel/time.h"

#define DMESG_CHUNK 512
#define SEC_PER_MIN 60ULL
#define SEC_PER_HOUR 3600ULL
#define SEC_PER_DAY 86400ULL

static int no_args(const char *cmd, int argc)
{
	return argc > 1 ? shell_error(cmd, "takes no arguments") : 0;
}

static int cmd_dmesg(int argc, char **argv)
{
	char chunk[DMESG_CHUNK];
	u64 pos = 0;
	size_t n;

	(void)argv;
	if (no_args("dmesg", argc))
		return 1;
	while ((n = log_read(&pos, chunk, sizeof(chunk))) > 0)
		shell_write(chunk, n);
	return 0;
}
SHELL_CMD("dmesg", cmd_dmesg, "print the kernel log (what printk kept)");

/* "1 day, 02:03:04.56" */
static void print_duration(u64 ns)
{
	u64 s = ns / NSEC_PER_SEC, days = s / SEC_PER_DAY;

	if (days)
		shell_printf("%llu day%s, ", (unsigned long long)days, days == 1 ? "" : "s");
	shell_printf("%02llu:%02llu:%02llu.%02llu",
		     (unsigned long long)(s % SEC_PER_DAY / SEC_PER_HOUR),
		     (unsigned long long)(s % SEC_PER_HOUR / SEC_PER_MIN),
		     (unsigned long long)(s % SEC_PER_MIN),
		     (unsigned long long)(ns % NSEC_PER_SEC / (NSEC_PER_SEC / 100)));
}

static int cmd_uptime(int argc, char **argv)
{
	u64 up = ktime_get_ns(), idle = idle_time_ns();

	(void)argv;
	if (no_args("uptime", argc))
		return 1;
	/* no wall clock, no load average here: the time since boot, and how
	 * much of it the CPU spent halted */
	shell_puts("up ");
	print_duration(up);
	shell_printf(", idle %llu%%\n", (unsigned long long)(up ? idle * 100 / up : 0));
	return 0;
}
SHELL_CMD("uptime", cmd_uptime, "time since boot and the share of it spent idle");

static int cmd_free(int argc, char **argv)
{
	u64 total = mm_total_ram_kib(), free = mm_free_kib();

	(void)argv;
	if (no_args("free", argc))
		return 1;
	/* procps-ng free: a 7-wide row label, then " %11s" per column, in
	 * KiB; there is no page cache, shared memory or swap here, so those
	 * are truly 0 */
	shell_printf("%-7s %11s %11s %11s %11s %11s %11s\n", "", "total", "used", "free",
		     "shared", "buff/cache", "available");
	shell_printf("%-7s %11llu %11llu %11llu %11llu %11llu %11llu\n", "Mem:",
		     (unsigned long long)total, (unsigned long long)(total - free),
		     (unsigned long long)free, 0ULL, 0ULL, (unsigned long long)free);
	shell_printf("%-7s %11llu %11llu %11llu\n", "Swap:", 0ULL, 0ULL, 0ULL);
	return 0;
}
SHELL_CMD("free", cmd_free, "memory in KiB: total, used, free (procps layout)");

static int cmd_reboot(int argc, char **argv)
{
	(void)argv;
	if (no_args("reboot", argc))
		return 1;
	machine_restart();
}
SHELL_CMD("reboot", cmd_reboot, "reset the machine");

static int cmd_poweroff(int argc, char **argv)
{
	(void)argv;
	if (no_args("poweroff", argc))
		return 1;
	machine_poweroff(EXIT_OK);
}
SHELL_CMD("poweroff", cmd_poweroff, "power off (QEMU exits with the kernel's ok status)");

/* sleep: coreutils' sleep NUMBER (seconds, a fraction allowed), in
 * steps of SLEEP_STEP_MS so that Ctrl-C and a session that left stop it.
 * The shell's thread sleeps: the other sessions and the console go on. */
#define SLEEP_STEP_MS   100
#define SLEEP_MAX_S     86400ULL
#define CTRL_C          0x03

static int cmd_sleep(int argc, char **argv)
{
	unsigned long long ms = 0, scale = MSEC_PER_SEC;
	const char *p;
	u64 end;
	int c;

	if (argc != 2)
		return shell_error("sleep", "usage: sleep SECONDS");
	p = argv[1];
	for (; *p >= '0' && *p <= '9'; p++)
		ms = ms * 10 + (unsigned long long)(*p - '0') * MSEC_PER_SEC;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			ms += (unsigned long long)(*p - '0') * (scale /= 10);
	if (*p || p == argv[1] || ms > SLEEP_MAX_S * MSEC_PER_SEC)
		return shell_error("sleep", "invalid time interval '%s'", argv[1]);
	end = ktime_get_ns() + ms * NSEC_PER_MSEC;
	while (ktime_get_ns() < end) {
		u64 left_ms = (end - ktime_get_ns()) / NSEC_PER_MSEC + 1;

		while ((c = shell_getc()) >= 0)
			if (c == CTRL_C)
				return 130;     /* 128 + SIGINT */
		if (shell_hungup())
			return 1;
		msleep((unsigned int)MIN(left_ms, (u64)SLEEP_STEP_MS));
	}
	return 0;
}
SHELL_CMD("sleep", cmd_sleep, "sleep SECONDS (a fraction allowed): wait, in this session only");
