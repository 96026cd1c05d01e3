/* The shell's `trace`: the journey's per-stage latency percentiles, the
 * sampling rate, the raw records. */
#include "net/core/journey.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/shell/shell.h"
#include <stdlib.h>
#include <string.h>

/* print what show formats (sized first, as view_read does) */
static int trace_print(int (*show)(char *, size_t))
{
	int need = show(NULL, 0), got;
	size_t size;
	char *buf;

	if (need < 0)
		return shell_error("trace", "%s", errno_desc(need));
	/* records may complete between the two calls: some slack */
	size = (size_t)need + 4096;
	buf = kmalloc(size);
	if (!buf)
		return shell_error("trace", "%s", errno_desc(-ENOMEM));
	got = show(buf, size);
	if (got > 0)
		shell_write(buf, (size_t)got < size ? (size_t)got : size - 1);
	kfree(buf);
	return got < 0 ? shell_error("trace", "%s", errno_desc(got)) : 0;
}

static int cmd_trace(int argc, char **argv)
{
	if (argc == 1)
		return trace_print(journey_report);
	if (!strcmp(argv[1], "sample") && argc == 3) {
		char *end;
		long n = strtol(argv[2], &end, 10);

		if (!*argv[2] || *end || n < 0 || journey_set_sample((u32)n))
			return shell_error("trace", "sample: \"%s\": expected 0 (off) or N, "
					   "1 frame in N (N <= 1000000)", argv[2]);
		return 0;
	}
	if (!strcmp(argv[1], "reset") && argc == 2) {
		journey_reset();
		return 0;
	}
	if (!strcmp(argv[1], "csv") && argc == 2)
		return trace_print(journey_csv);
	return shell_error("trace", "usage: trace [sample N|reset|csv]");
}
SHELL_CMD("trace", cmd_trace,
	  "frame journey timing: trace [sample N|reset|csv] (percentiles per stage in ns)");
