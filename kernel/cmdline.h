/* Kernel command line: space-separated key=value options (or bare keys),
 * values optionally in double quotes.  Subsystems register the keys they
 * understand with CMDLINE_OPT(); an unknown key is reported, not ignored.
 * A bare `--` ends the options: the rest is the application's argv. */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "kernel/types.h"

#define CMDLINE_KEY_MAX   32
#define CMDLINE_VALUE_MAX 256

struct cmdline_opt {
	const char *key;
	/* value is "" for a bare key; return 0 or -EINVAL (message printed by caller) */
	int (*set)(const char *value);
	const char *help;
	bool secret;            /* the value never shows: log, /proc/cmdline */
};

#define CMDLINE_OPT_FLAGS(k, fn, h, sec)                                     \
	static const struct cmdline_opt __cmdline_opt_##fn                   \
	__used __section(".cmdline_opts") __aligned(8) = { (k), (fn), (h), (sec) }
#define CMDLINE_OPT(k, fn, h) CMDLINE_OPT_FLAGS(k, fn, h, false)
/* an option whose value is a secret (a password, a token) */
#define CMDLINE_OPT_SECRET(k, fn, h) CMDLINE_OPT_FLAGS(k, fn, h, true)

/* Split s into options; call cb(key, value, ctx) for each (value "" when
 * bare).  Stops at the first non-zero return of cb and returns it; returns
 * -EINVAL for malformed input (empty key, unterminated quote, key or value
 * too long) after calling err(pos, msg, ctx) if given. */
int cmdline_split(const char *s,
		  int (*cb)(const char *key, const char *value, void *ctx),
		  void (*err)(size_t pos, const char *msg, void *ctx), void *ctx);

/* The text after a bare `--` (the application's arguments), or NULL when
 * the line has none.  Options stop there (cmdline_split). */
const char *cmdline_app_args(const char *s);
/* Split buf in place into at most max words (double quotes group words and
 * are removed); the count, -E2BIG for more words, -EINVAL for an
 * unterminated quote. */
int cmdline_argv_split(char *buf, char **argv, int max);

/* Apply every option of s through the registered CMDLINE_OPT handlers.
 * Returns the number of problems (unknown keys, bad values, syntax errors),
 * each already reported with pr_err. */
int cmdline_apply(const char *s);

/* Overwrite in place with '*' the value of every option of s for which
 * secret(key) is true (quotes and length kept). */
void cmdline_redact(char *s, bool (*secret)(const char *key));
/* cmdline_redact with the CMDLINE_OPT_SECRET options */
void cmdline_redact_secrets(char *s);

/* the value of key in the boot command line (last one wins), or NULL */
const char *cmdline_get(const char *key, char *buf, size_t size);

#endif
