/* grep: the lines of view files, or of piped input, that contain a fixed
 * string (no regular expressions): cat /proc/net/netstat | grep IpExt
 *   grep [-v] [-i] [-c] PATTERN [PATH...]
 * Exit status as grep's: 0 some line matched, 1 none, 2 an error. */
#include "kernel/shell/shell.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include <ctype.h>
#include <string.h>

struct grep_opts {
	bool invert, icase, count;
	const char *pat;
	const char *prefix;     /* "path:" with several files, else NULL */
};

static bool line_has(const char *line, size_t n, const struct grep_opts *o)
{
	size_t m = strlen(o->pat);

	for (size_t i = 0; i + m <= n; i++) {
		size_t k = 0;

		while (k < m && (o->icase ? tolower((unsigned char)line[i + k]) ==
				 tolower((unsigned char)o->pat[k]) : line[i + k] == o->pat[k]))
			k++;
		if (k == m)
			return true;
	}
	return false;
}

/* the matching lines of text; returns how many */
static unsigned int grep_text(const char *text, size_t len, const struct grep_opts *o)
{
	unsigned int hits = 0;
	size_t i = 0;

	while (i < len) {
		size_t n = 0;

		while (i + n < len && text[i + n] != '\n')
			n++;

		if (line_has(text + i, n, o) != o->invert) {
			hits++;
			if (!o->count) {
				if (o->prefix)
					shell_printf("%s:", o->prefix);
				shell_write(text + i, n);
				shell_puts("\n");
			}
		}
		i += n + 1;
	}
	return hits;
}

static int cmd_grep(int argc, char **argv)
{
	struct grep_opts o = { 0 };
	unsigned int hits = 0;
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		for (const char *f = argv[i] + 1; *f; f++) {
			if (*f == 'v')
				o.invert = true;
			else if (*f == 'i')
				o.icase = true;
			else if (*f == 'c')
				o.count = true;
			else {
				shell_printf("grep: invalid option -- '%c'\n", *f);
				return 2;
			}
		}
	}
	if (i == argc) {
		shell_puts("Usage: grep [-v] [-i] [-c] PATTERN [FILE]...\n");
		return 2;
	}
	o.pat = argv[i++];
	if (i == argc) {
		size_t len;
		const char *in = shell_stdin(&len);

		if (!in) {
			shell_puts("grep: no input: give a file or pipe into it\n");
			return 2;
		}
		hits = grep_text(in, len, &o);
		if (o.count)
			shell_printf("%u\n", hits);
		return hits ? 0 : 1;
	}
	for (int f = i; f < argc; f++) {
		char *text;
		size_t len;
		unsigned int n;
		int rc = view_read(argv[f], &text, &len);

		if (rc) {
			shell_printf("grep: %s: %s\n", argv[f], errno_desc(rc));
			status = 2;
			continue;
		}
		o.prefix = argc - i > 1 ? argv[f] : NULL;
		n = grep_text(text, len, &o);
		if (o.count)
			o.prefix ? shell_printf("%s:%u\n", argv[f], n) : shell_printf("%u\n", n);
		hits += n;
		kfree(text);
	}
	return status ? status : hits ? 0 : 1;
}
SHELL_CMD_ARGS("grep", cmd_grep, "lines containing a string: grep [-v] [-i] [-c] PATTERN [PATH...]",
	       SHELL_ARGS_PATHS);
