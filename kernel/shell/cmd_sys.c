/* System commands: dmesg, uptime, free, reboot, poweroff. */
#include "kernel/shell/shell.h"
#include "kernel/idle.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/power.h"
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
