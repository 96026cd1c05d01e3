/* watch: run a command again and again, as procps watch does, until
 * Ctrl-C: the seeds' `watch -n1 grep RX /proc/softirqs`.
 *
 *   watch [-n SECS | -nSECS | --interval=SECS] [-t] COMMAND...
 *
 * SECS may have a fraction ("0.5"); under 0.1 it is 0.1 and the title
 * shows it to a tenth, as procps does.  COMMAND is one shell line (the
 * words joined by blanks; a quoted "a | b" keeps its pipe).  procps repaints
 * a curses screen; a serial console keeps history, so each round is a block:
 * the title "Every 1.0s: COMMAND" (unless -t), a blank line, the output.
 * There is no wall clock, so the title has no date.  Between rounds the
 * session's thread sleeps (ps shows it S, its CPU time stays), and stops
 * on Ctrl-C or when a remote session hangs up. */
#include "kernel/shell/shell.h"
#include "kernel/shell/line.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include <string.h>

#define CTRL_C            0x03
#define WATCH_MIN_MS      100ULL                  /* procps: at least 0.1 s */
#define WATCH_MAX_MS      (86400ULL * MSEC_PER_SEC) /* a day: beyond is a typo */
#define WATCH_DEFAULT_MS  2000ULL                 /* procps's default interval */
#define MS_PER_TENTH      100ULL
#define DECIMAL           10ULL

/* "2", "0.5", "1.25" in milliseconds (digits past the third decimal are
 * ignored); -1 when it is not a number */
static long long parse_secs(const char *s)
{
	unsigned long long ms = 0, scale = MSEC_PER_SEC;
	bool digits = false;

	for (; *s >= '0' && *s <= '9'; s++, digits = true) {
		ms = ms * DECIMAL + (unsigned long long)(*s - '0') * MSEC_PER_SEC;
		if (ms > WATCH_MAX_MS)
			return -1;
	}
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits = true) {
			scale /= DECIMAL;
			ms += (unsigned long long)(*s - '0') * scale;
		}
	}
	return digits && !*s ? (long long)ms : -1;
}

/* between rounds: the session's thread sleeps, looking for Ctrl-C (or
 * the session's end) every tick; false once one came */
static bool watch_wait(u64 until)
{
	while (ktime_get_ns() < until) {
		int c;

		while ((c = shell_getc()) >= 0)
			if (c == CTRL_C)
				return false;
		if (shell_hungup())
			return false;
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_timeout(1);
	}
	return true;
}

static int watch_usage(void)
{
	shell_puts("Usage:\n watch [-n SECS] [-t] COMMAND...\n");
	return 1;
}

static int cmd_watch(int argc, char **argv)
{
	char line[SHELL_LINE_MAX];
	long long ms = WATCH_DEFAULT_MS;
	bool title = true;
	size_t len = 0;
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *val = NULL;

		if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--no-title")) {
			title = false;
			continue;
		}
		if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--interval")) {
			if (++i == argc)
				return watch_usage();
			val = argv[i];
		} else if (!strncmp(argv[i], "-n", 2)) {
			val = argv[i] + 2;
		} else if (!strncmp(argv[i], "--interval=", strlen("--interval="))) {
			val = argv[i] + strlen("--interval=");
		} else {
			shell_printf("watch: invalid option -- '%s'\n", argv[i] + 1);
			return watch_usage();
		}
		ms = parse_secs(val);
		if (ms < 0) {
			shell_printf("watch: failed to parse argument: '%s'\n", val);
			return 1;
		}
	}
	if (i == argc)
		return watch_usage();
	if (!strcmp(argv[i], "watch"))
		return shell_error("watch", "a watch inside a watch would never end");
	if (shell_in_pipe())
		return shell_error("watch", "runs until Ctrl-C: not in a pipe (quote the pipe: "
				   "watch \"cat F | grep X\")");
	if ((unsigned long long)ms < WATCH_MIN_MS)
		ms = WATCH_MIN_MS;
	line[0] = '\0';
	for (; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > sizeof(line))
			return shell_error("watch", "command too long");
		if (len)
			line[len++] = ' ';
		memcpy(line + len, argv[i], n + 1);
		len += n;
	}
	for (;;) {
		u64 next = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

		if (title)
			shell_printf("Every %llu.%llus: %s\n\n", (unsigned long long)ms / MSEC_PER_SEC,
				     (unsigned long long)(ms % MSEC_PER_SEC) / MS_PER_TENTH, line);
		shell_run_line(line);
		if (!watch_wait(next))
			break;
	}
	shell_puts("^C\n");
	return 0;
}
SHELL_CMD("watch", cmd_watch,
	  "run a command every SECS (default 2) until Ctrl-C: watch [-n SECS] [-t] COMMAND...");
