/* The shell: the command registry, splitting a line into words, running
 * the command, and the built-ins help, history and echo (see
 * kernel/shell/shell.h). */
#include "kernel/shell/shell.h"
#include "kernel/shell/line.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/printk.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "fs/view.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include <stdio.h>
#include <string.h>

static void shell_run(const char *text);

/* shell_printf formats into a buffer of this size (longer output: write) */
#define SHELL_PRINTF_MAX 1024
/* help lists at most this many commands */
#define SHELL_CMDS_MAX   64

static bool shell_enabled = true;
static bool shell_started;
static struct line_ed shell_line;

static void console_session_write(struct shell_session *s, const char *buf, size_t n)
{
	(void)s;
	console_tty_write(buf, n);      /* whole, between kernel messages */
}

static int console_session_getc(struct shell_session *s)
{
	(void)s;
	return serial_rx_getc();
}

static struct shell_session console = {
	.write = console_session_write, .getc = console_session_getc,
};
/* the console thread's input poll: with the receive interrupt it wakes
 * the thread at once; the period bounds the wait of the polled fallback */
#define SHELL_RX_POLL_MS 100

/* The session whose line the running thread runs: each shell thread (the
 * console's, each remote session's) sets its own (task_struct.shell) for
 * the length of a line; anything else (boot code, a selftest) writes to
 * the console. */
static struct shell_session *shell_cur(void)
{
	struct task_struct *t = sched_ready() ? current : NULL;

	return t && t->shell ? t->shell : &console;
}

static int set_shell(const char *v)
{
	if (!strcmp(v, "on"))
		shell_enabled = true;
	else if (!strcmp(v, "off"))
		shell_enabled = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("shell", set_shell, "serial console shell after ready: on|off");

/* To the session in charge: for the console the serial port only (its
 * line editing escapes would show as garbage on the VGA text screen). */
void shell_write(const char *s, size_t n)
{
	struct shell_session *cur = shell_cur();

	if (cur->pipe_capturing) {
		size_t room = SHELL_PIPE_MAX - cur->pipe_len;

		memcpy(cur->pipe_buf + cur->pipe_len, s, MIN(n, room));
		cur->pipe_len += MIN(n, room);
		return;
	}
	cur->write(cur, s, n);
}

int shell_getc(void)
{
	struct shell_session *cur = shell_cur();

	return cur->getc(cur);
}

bool shell_hungup(void)
{
	struct shell_session *cur = shell_cur();

	return cur->hungup && cur->hungup(cur);
}

void shell_session_run(struct shell_session *s, const char *line)
{
	struct task_struct *t = current;
	void *prev = t->shell;

	t->shell = s;
	shell_run(line);
	t->shell = prev;
}

const char *shell_stdin(size_t *len)
{
	struct shell_session *cur = shell_cur();

	*len = cur->stdin_len;
	return cur->stdin_buf;
}

void shell_puts(const char *s)
{
	shell_write(s, strlen(s));
}

static int shell_vprintf(const char *fmt, va_list ap)
{
	char buf[SHELL_PRINTF_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > 0)
		shell_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

int shell_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = shell_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int shell_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	shell_printf("%s: ", cmd);
	va_start(ap, fmt);
	shell_vprintf(fmt, ap);
	va_end(ap);
	shell_puts("\n");
	return 1;
}

const struct shell_cmd *shell_cmd_find(const char *name)
{
	for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* Split line in place into argv: words separated by blanks; '...' and
 * "..." group (no escapes inside).  Returns argc, or -E2BIG / -EINVAL
 * (unterminated quote). */
static int shell_split(char *line, char **argv)
{
	int argc = 0;
	char *r = line, *w = line;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		if (argc == SHELL_ARGS_MAX)
			return -E2BIG;
		argv[argc++] = w;
		while (*r && *r != ' ' && *r != '\t') {
			if (*r == '"' || *r == '\'') {
				char q = *r++;

				while (*r && *r != q)
					*w++ = *r++;
				if (!*r)
					return -EINVAL;
				r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* the '|' outside quotes, or NULL */
static char *find_pipe(char *line)
{
	char q = 0;

	for (char *p = line; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (*p == '|') {
			return p;
		}
	}
	return NULL;
}

static void shell_run_one(char *line);

/* left | right: left's output into pipe_buf, then right reads it */
static void shell_run_pipe(char *line, char *bar)
{
	struct shell_session *cur = shell_cur();

	*bar = '\0';
	if (find_pipe(bar + 1)) {
		cur->last_status = shell_error("barenet", "one pipe per line");
		return;
	}
	cur->pipe_buf = kmalloc(SHELL_PIPE_MAX);
	if (!cur->pipe_buf) {
		cur->last_status = shell_error("barenet", "%s", errno_desc(-ENOMEM));
		return;
	}
	cur->pipe_len = 0;
	cur->pipe_capturing = true;
	shell_run_one(line);
	cur->pipe_capturing = false;
	cur->stdin_buf = cur->pipe_buf;
	cur->stdin_len = cur->pipe_len;
	shell_run_one(bar + 1);
	cur->stdin_buf = NULL;
	cur->stdin_len = 0;
	kfree(cur->pipe_buf);
	cur->pipe_buf = NULL;
}

static void shell_run(const char *text)
{
	char line[SHELL_LINE_MAX];
	char *bar;

	strlcpy(line, text, sizeof(line));
	bar = find_pipe(line);
	if (bar)
		shell_run_pipe(line, bar);
	else
		shell_run_one(line);
}

void shell_run_line(const char *line)
{
	shell_run(line);
}

bool shell_in_pipe(void)
{
	struct shell_session *cur = shell_cur();

	return cur->stdin_buf || cur->pipe_capturing;
}

static void shell_run_one(char *line)
{
	struct shell_session *cur = shell_cur();
	char *argv[SHELL_ARGS_MAX + 1];
	const struct shell_cmd *cmd;
	int argc, rc;

	argc = shell_split(line, argv);
	if (argc == 0) {
		if (cur->stdin_buf || cur->pipe_capturing)
			cur->last_status = shell_error("barenet",
							   "syntax error near unexpected token `|'");
		return;
	}
	if (argc < 0) {
		if (argc == -E2BIG)
			shell_cur()->last_status = shell_error("barenet", "too many words (at most %d)",
						  SHELL_ARGS_MAX);
		else
			shell_cur()->last_status = shell_error("barenet", "unterminated quote");
		return;
	}
	/* everything runs as root: sudo is a no-op prefix */
	if (!strcmp(argv[0], "sudo") && argc > 1) {
		for (int i = 0; i < argc; i++)
			argv[i] = argv[i + 1];
		argc--;
	}
	cmd = shell_cmd_find(argv[0]);
	if (!cmd) {
		shell_error(argv[0], "command not found (try help)");
		shell_cur()->last_status = SHELL_STATUS_NOT_FOUND;
		return;
	}
	rc = cmd->fn(argc, argv);
	shell_cur()->last_status = rc < 0 ? 1 : rc;
}

/* the console's banner and first prompt, once */
static void shell_console_begin(void)
{
	if (shell_started)
		return;
	shell_started = true;
	line_init(&shell_line, SHELL_PROMPT, shell_write, shell_complete);
	shell_puts("barenet shell: type help for the commands\n");
	line_start(&shell_line);
}

void shell_poll(void)
{
	int c;

	if (!shell_enabled)
		return;
	shell_console_begin();
	while ((c = serial_rx_getc()) >= 0) {
		switch (line_feed(&shell_line, c)) {
		case LINE_ENTER:
			shell_session_run(&console, shell_line.buf);
			line_start(&shell_line);
			break;
		case LINE_CANCEL:
			shell_cur()->last_status = 130;      /* 128 + SIGINT, as sh reports it */
			line_start(&shell_line);
			break;
		case LINE_EDITING:
			break;
		}
	}
}

/* the console's thread: sleeps until the receive interrupt brings input */
static int shell_console_thread(void *data)
{
	(void)data;
	current->shell = &console;
	while (!kthread_should_stop()) {
		serial_rx_wait(SHELL_RX_POLL_MS);
		shell_poll();
	}
	return 0;
}

int shell_start(void)
{
	if (!shell_enabled)
		return 0;
	/* the banner and prompt now, from the caller: a thread that first
	 * runs after an application's output (or a line typed meanwhile)
	 * would put them in the middle of it */
	shell_console_begin();
	return kthread_run(shell_console_thread, NULL, "shell/ttyS0") ? 0 : -ENOMEM;
}

/* --- built-ins --- */

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *sorted[SHELL_CMDS_MAX];
	unsigned int n = 0, width = 0;

	if (argc > 1) {
		int status = 0;

		for (int i = 1; i < argc; i++) {
			const struct shell_cmd *c = shell_cmd_find(argv[i]);

			if (c)
				shell_printf("%s - %s\n", c->name, c->help);
			else
				status = shell_error("help", "no command %s", argv[i]);
		}
		return status;
	}
	for (const struct shell_cmd *c = __shell_cmds_start;
	     c < __shell_cmds_end && n < SHELL_CMDS_MAX; c++) {
		unsigned int j = n++;

		for (; j > 0 && strcmp(sorted[j - 1]->name, c->name) > 0; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = c;
		width = MAX(width, (unsigned int)strlen(c->name));
	}
	for (unsigned int i = 0; i < n; i++)
		shell_printf("  %-*s  %s\n", (int)width, sorted[i]->name, sorted[i]->help);
	return 0;
}
SHELL_CMD("help", cmd_help, "list the commands, or show one's help: help [command]");

static int cmd_history(int argc, char **argv)
{
	unsigned int n = line_history_count(&shell_line);

	(void)argv;
	if (argc > 1)
		return shell_error("history", "takes no arguments");
	if (shell_cur() != &console)
		return shell_error("history", "kept for the serial console only");
	/* numbered like bash: the oldest kept line first */
	for (unsigned int k = n; k >= 1; k--)
		shell_printf("%5u  %s\n", shell_line.hist_n - k + 1,
			     line_history_get(&shell_line, k));
	return 0;
}
SHELL_CMD("history", cmd_history, "the lines typed so far, oldest first");

/* echo WORDS > FILE: the words and a newline written to a writable view
 * (/proc/irq/N/smp_affinity).  Errors as bash words them: the file cannot
 * be opened ("bash: FILE: Permission denied"), or refuses what is written
 * ("bash: echo: write error: Invalid argument", nothing changed). */
static int echo_to_file(int argc, char **argv, int redir)
{
	const char *path = argv[redir][1] ? argv[redir] + 1 : (redir + 1 < argc ? argv[redir + 1] : NULL);
	int last = argv[redir][1] ? redir + 1 : redir + 2;
	char text[256];
	size_t len = 0;
	int rc;

	if (!path || last != argc) {
		shell_puts("bash: syntax error near unexpected token `newline'\n");
		return 2;
	}
	text[0] = 0;
	for (int i = 1; i < redir; i++) {
		int n = snprintf(text + len, sizeof(text) - len, "%s%s", i > 1 ? " " : "",
				 strcmp(argv[i], "$?") ? argv[i] : "");
		if (n < 0 || (size_t)n >= sizeof(text) - len - 1)
			return shell_error("bash: echo", "write error: %s", errno_desc(-E2BIG));
		len += (size_t)n;
	}
	text[len++] = '\n';
	text[len] = 0;
	rc = view_write(path, text);
	if (rc == -ENOENT || rc == -EACCES || rc == -EISDIR)
		return shell_error("bash", "%s: %s", path, errno_desc(-rc));
	if (rc)
		return shell_error("bash: echo", "write error: %s", errno_desc(-rc));
	return 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '>')
			return echo_to_file(argc, argv, i);
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			shell_puts(" ");
		if (!strcmp(argv[i], "$?"))
			shell_printf("%d", shell_cur()->last_status);
		else
			shell_puts(argv[i]);
	}
	shell_puts("\n");
	return 0;
}
SHELL_CMD("echo", cmd_echo, "print the arguments ($? is the last exit status); > FILE writes them to a writable view");

static int cmd_exit(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return shell_error("exit", "takes no arguments");
	struct shell_session *cur = shell_cur();

	if (!cur->close)
		return shell_error("exit", "the serial console stays (poweroff or reboot end it)");
	cur->close(cur);
	return 0;
}
SHELL_CMD("exit", cmd_exit, "end this remote shell session");
