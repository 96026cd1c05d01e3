/* Command-line tokenizer, free of kernel dependencies so the host unit tests
 * build it as is. */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include <string.h>

int cmdline_split(const char *s,
		  int (*cb)(const char *key, const char *value, void *ctx),
		  void (*err)(size_t pos, const char *msg, void *ctx), void *ctx)
{
	const char *p = s;

	for (;;) {
		char key[CMDLINE_KEY_MAX], value[CMDLINE_VALUE_MAX];
		size_t klen = 0, vlen = 0, start;
		int rc;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			return 0;
		start = p - s;
		while (*p && *p != '=' && *p != ' ' && *p != '\t' && *p != '\n') {
			if (klen + 1 >= sizeof(key)) {
				if (err)
					err(start, "option name too long", ctx);
				return -EINVAL;
			}
			key[klen++] = *p++;
		}
		key[klen] = '\0';
		/* Linux's rule: what follows a bare `--` is the program's */
		if (!strcmp(key, "--") && *p != '=')
			return 0;
		if (!klen) {
			if (err)
				err(start, "'=' without an option name", ctx);
			return -EINVAL;
		}
		if (*p == '=') {
			bool quoted = *++p == '"';

			if (quoted)
				p++;
			while (*p && (quoted ? *p != '"' : (*p != ' ' && *p != '\t' && *p != '\n'))) {
				if (vlen + 1 >= sizeof(value)) {
					if (err)
						err(start, "option value too long", ctx);
					return -EINVAL;
				}
				value[vlen++] = *p++;
			}
			if (quoted) {
				if (*p != '"') {
					if (err)
						err(start, "unterminated quote", ctx);
					return -EINVAL;
				}
				p++;
			}
		}
		value[vlen] = '\0';
		rc = cb(key, value, ctx);
		if (rc)
			return rc;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

void cmdline_redact(char *s, bool (*secret)(const char *key))
{
	char *p = s;

	for (;;) {
		char key[CMDLINE_KEY_MAX];
		size_t klen = 0;
		bool quoted, hide;

		while (is_blank(*p))
			p++;
		if (!*p)
			return;
		for (; *p && *p != '=' && !is_blank(*p); p++)
			if (klen + 1 < sizeof(key))
				key[klen++] = *p;
		key[klen] = '\0';
		if (*p != '=')
			continue;
		quoted = *++p == '"';
		if (quoted)
			p++;
		hide = secret(key);
		for (; *p && (quoted ? *p != '"' : !is_blank(*p)); p++)
			if (hide)
				*p = '*';
		if (quoted && *p)
			p++;
	}
}

const char *cmdline_app_args(const char *s)
{
	const char *p = s;

	for (;;) {
		bool quoted = false;
		const char *start;

		while (is_blank(*p))
			p++;
		if (!*p)
			return NULL;
		start = p;
		while (*p && (quoted || !is_blank(*p))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if (p - start == 2 && start[0] == '-' && start[1] == '-')
			return p;
	}
}

int cmdline_argv_split(char *buf, char **argv, int max)
{
	char *p = buf, *out;
	int argc = 0;

	for (;;) {
		bool quoted = false;

		while (is_blank(*p))
			p++;
		if (!*p)
			return argc;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = out = p;
		/* quotes group words and are dropped, as a shell does */
		while (*p && (quoted || !is_blank(*p))) {
			if (*p == '"')
				quoted = !quoted;
			else
				*out++ = *p;
			p++;
		}
		if (quoted)
			return -EINVAL;
		if (*p)
			p++;
		*out = '\0';
	}
}
