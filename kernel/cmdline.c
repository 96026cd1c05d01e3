/* Command-line options: dispatch to the handlers registered with
 * CMDLINE_OPT() (collected by linker.ld into .cmdline_opts). */
#include "kernel/cmdline.h"
#include "kernel/bootinfo.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include <string.h>
#include <stdlib.h>

extern const struct cmdline_opt __cmdline_opts_start[], __cmdline_opts_end[];

static const struct cmdline_opt *opt_find(const char *key)
{
	for (const struct cmdline_opt *o = __cmdline_opts_start; o < __cmdline_opts_end; o++)
		if (!strcmp(o->key, key))
			return o;
	return NULL;
}

static int apply_one(const char *key, const char *value, void *ctx)
{
	int *problems = ctx;
	const struct cmdline_opt *o = opt_find(key);
	int rc;

	if (!o) {
		pr_err("cmdline: unknown option '%s' (ignored; 'help' lists the options)\n", key);
		++*problems;
		return 0;
	}
	rc = o->set(value);
	if (rc) {
		pr_err("cmdline: bad value '%s' for '%s' (%s): %s\n",
		       o->secret ? "(hidden)" : value, key, o->help, errno_name(rc));
		++*problems;
	}
	return 0;
}

static void report_syntax(size_t pos, const char *msg, void *ctx)
{
	(void)ctx;
	pr_err("cmdline: %s at column %zu; the rest of the line is ignored\n", msg, pos + 1);
}

int cmdline_apply(const char *s)
{
	int problems = 0;

	if (cmdline_split(s, apply_one, report_syntax, &problems) < 0)
		problems++;
	return problems;
}

static bool opt_is_secret(const char *key)
{
	const struct cmdline_opt *o = opt_find(key);

	return o && o->secret;
}

void cmdline_redact_secrets(char *s)
{
	cmdline_redact(s, opt_is_secret);
}

struct get_ctx {
	const char *key;
	char *buf;
	size_t size;
	bool found;
};

static int get_one(const char *key, const char *value, void *ctx)
{
	struct get_ctx *g = ctx;

	if (!strcmp(key, g->key)) {
		strlcpy(g->buf, value, g->size);
		g->found = true;
	}
	return 0;
}

const char *cmdline_get(const char *key, char *buf, size_t size)
{
	struct get_ctx g = { key, buf, size, false };

	cmdline_split(boot_info.cmdline, get_one, NULL, &g);
	return g.found ? buf : NULL;
}

static int set_loglevel(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 0 || n > 8)
		return -EINVAL;
	console_loglevel = n;
	return 0;
}
CMDLINE_OPT("loglevel", set_loglevel, "console log level 0..8");

static int set_nothing(const char *v)
{
	(void)v;
	return 0;
}
/* GRUB-style flags that mean nothing to barenet but are harmless */
CMDLINE_OPT("quiet", set_nothing, "accepted, no effect");
