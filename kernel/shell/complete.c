/* Tab completion: command names for the first word, view paths for the
 * arguments of commands that take paths (cat, ls).  One match is completed
 * (with a space after a name or file, a slash after a directory); several
 * are completed to their common prefix, or listed when that adds nothing. */
#include "kernel/shell/shell.h"
#include "kernel/shell/line.h"
#include "fs/view.h"
#include <string.h>

#define COMPLETE_MAX   64              /* candidates kept */
#define COMPLETE_NAME  VIEW_NAME_MAX

struct candidates {
	const char *prefix;             /* what was typed of the name */
	size_t prefix_len;
	unsigned int n;                 /* matches, also past COMPLETE_MAX */
	char name[COMPLETE_MAX][COMPLETE_NAME];
	bool is_dir[COMPLETE_MAX];
};

/* keep the matches sorted by name (listing order) */
static void cand_add(struct candidates *c, const char *name, bool is_dir)
{
	unsigned int kept = MIN(c->n, (unsigned int)COMPLETE_MAX), i;

	if (strncmp(name, c->prefix, c->prefix_len))
		return;
	c->n++;
	for (i = kept; i > 0 && strcmp(c->name[i - 1], name) > 0; i--) {
		if (i < COMPLETE_MAX) {
			memcpy(c->name[i], c->name[i - 1], COMPLETE_NAME);
			c->is_dir[i] = c->is_dir[i - 1];
		}
	}
	if (i < COMPLETE_MAX) {
		strlcpy(c->name[i], name, COMPLETE_NAME);
		c->is_dir[i] = is_dir;
	}
}

static int cand_add_entry(const char *name, bool is_dir, void *ctx)
{
	cand_add(ctx, name, is_dir);
	return 0;
}

/* length of the prefix all kept candidates share */
static size_t cand_common(const struct candidates *c)
{
	unsigned int kept = MIN(c->n, (unsigned int)COMPLETE_MAX);
	size_t len = strlen(c->name[0]);

	for (unsigned int i = 1; i < kept; i++) {
		size_t k = 0;

		while (k < len && c->name[i][k] == c->name[0][k])
			k++;
		len = k;
	}
	return len;
}

static void cand_show(struct line_ed *le, const struct candidates *c)
{
	unsigned int kept = MIN(c->n, (unsigned int)COMPLETE_MAX);

	shell_puts("\n");
	for (unsigned int i = 0; i < kept; i++)
		shell_printf("%s%s%s", i ? "  " : "", c->name[i], c->is_dir[i] ? "/" : "");
	if (c->n > kept)
		shell_printf("  ... (%u more)", c->n - kept);
	shell_puts("\n");
	line_refresh(le);
}

static void cand_apply(struct line_ed *le, struct candidates *c)
{
	size_t common;

	if (!c->n)
		return;
	common = cand_common(c);
	if (c->n == 1) {
		line_insert(le, c->name[0] + c->prefix_len, common - c->prefix_len);
		line_insert(le, c->is_dir[0] ? "/" : " ", 1);
	} else if (common > c->prefix_len) {
		line_insert(le, c->name[0] + c->prefix_len, common - c->prefix_len);
	} else {
		cand_show(le, c);
	}
}

static void complete_command(struct line_ed *le, struct candidates *c)
{
	for (const struct shell_cmd *cmd = __shell_cmds_start; cmd < __shell_cmds_end; cmd++)
		cand_add(c, cmd->name, false);
	cand_apply(le, c);
}

/* word: the path typed so far ("/proc/ne"); the directory part is listed */
static void complete_path(struct line_ed *le, struct candidates *c, const char *word,
			  size_t len)
{
	char dir[VIEW_PATH_MAX];
	const char *slash;

	if (len == 0) {
		line_insert(le, "/", 1);
		return;
	}
	if (word[0] != '/')
		return;                 /* every view path is absolute */
	slash = word + len;
	while (slash > word && slash[-1] != '/')
		slash--;
	if ((size_t)(slash - word) >= sizeof(dir))
		return;
	memcpy(dir, word, slash - word);
	dir[slash - word] = '\0';
	c->prefix = slash;
	c->prefix_len = word + len - slash;
	if (view_list_dir(dir, cand_add_entry, c))
		return;
	cand_apply(le, c);
}

void shell_complete(struct line_ed *le)
{
	static struct candidates cands;     /* too big for the stack */
	char word[SHELL_LINE_MAX], first[SHELL_LINE_MAX];
	unsigned int start = le->pos, f = 0;
	const struct shell_cmd *cmd;

	while (start > 0 && le->buf[start - 1] != ' ')
		start--;
	memcpy(word, le->buf + start, le->pos - start);
	word[le->pos - start] = '\0';
	memset(&cands, 0, sizeof(cands));
	cands.prefix = word;
	cands.prefix_len = strlen(word);

	/* the first word of the line: a command name */
	while (f < le->len && le->buf[f] == ' ')
		f++;
	if (f >= start) {
		complete_command(le, &cands);
		return;
	}
	{
		unsigned int e = f;

		while (e < le->len && le->buf[e] != ' ')
			e++;
		memcpy(first, le->buf + f, e - f);
		first[e - f] = '\0';
	}
	cmd = shell_cmd_find(first);
	if (cmd && cmd->args == SHELL_ARGS_PATHS)
		complete_path(le, &cands, word, strlen(word));
}
