/* The serial console shell: `barenet# ` after `ready`, run by its own
 * thread, [shell/ttyS0] (never from an interrupt handler: the receive
 * interrupt wakes the thread), with line editing, history
 * and Tab completion (kernel/shell/line.h), and commands registered like
 * cmdline options:
 *
 *     static int cmd_uptime(int argc, char **argv) { ...; return 0; }
 *     SHELL_CMD("uptime", cmd_uptime, "time since boot");
 *
 * A command returns 0, a positive exit status, or a negative errno (status
 * 1).  It reports its own errors as one line, "name: what went wrong", and
 * returns non-zero; the shell answers an unknown command with
 * "name: command not found" (status 127).  `echo $?` shows the last status.
 * Cmdline `shell=off` leaves the console without a shell. */
#ifndef KERNEL_SHELL_SHELL_H
#define KERNEL_SHELL_SHELL_H

#include "kernel/types.h"

#define SHELL_PROMPT    "barenet# "
#define SHELL_ARGS_MAX  16
#define SHELL_STATUS_NOT_FOUND 127

/* what a command's arguments are, for Tab completion */
enum shell_args {
	SHELL_ARGS_NONE,
	SHELL_ARGS_PATHS,       /* view paths (/proc/..., /sys/...) */
};

struct shell_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;       /* one line */
	enum shell_args args;
};

#define SHELL_CMD_ARGS(n, f, h, a)                                           \
	static const struct shell_cmd __shell_cmd_##f                        \
	__used __section(".shell_cmds") __aligned(8) = { (n), (f), (h), (a) }
#define SHELL_CMD(n, f, h) SHELL_CMD_ARGS(n, f, h, SHELL_ARGS_NONE)

/* the registry, in link order */
extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];
/* the command called name, or NULL */
const struct shell_cmd *shell_cmd_find(const char *name);

/* Called by the console thread with interrupts enabled: print the prompt
 * the first time, then take what the console received and run finished
 * lines.  Returns at once with shell=off. */
void shell_poll(void);
/* start the console thread [shell/ttyS0] (after ready; none with
 * shell=off); 0 or -ENOMEM */
int shell_start(void);

/* output of commands: to the serial console, not to the kernel log */
void shell_write(const char *s, size_t n);
void shell_puts(const char *s);
int shell_printf(const char *fmt, ...) __printf(1, 2);
/* "cmd: message\n"; returns 1, the status to return */
int shell_error(const char *cmd, const char *fmt, ...) __printf(2, 3);

/* Pipes: "cmd ... | cmd2 ..." runs cmd with its output captured (up to
 * SHELL_PIPE_MAX bytes), then cmd2, which reads it with shell_stdin().
 * One pipe per line.  sudo CMD runs CMD (everything runs as root). */
#define SHELL_PIPE_MAX  65536
/* the piped input of the running command (*len bytes), or NULL */
const char *shell_stdin(size_t *len);
/* the running command is one side of a pipe (reads or is captured) */
bool shell_in_pipe(void);
/* run a whole line (with its pipe, sudo, ...) from inside a command, for
 * the session in charge: watch's rounds; its status in last_status */
void shell_run_line(const char *line);

/* Sessions: the serial console's, and each remote one
 * (net/services/shell_srv.c), each served by a thread of its own, so a
 * long command in one does not hold up the others.  The session of the
 * running thread (task_struct.shell) gets the command's output
 * (shell_write and everything above it) and is where a long command looks
 * for Ctrl-C (shell_getc) and for a peer that left (shell_hungup).
 * Commands run in thread context: they may sleep; a command that keeps
 * state between calls guards it (two sessions may run it at once). */
struct shell_session {
	void (*write)(struct shell_session *s, const char *buf, size_t n);
	int (*getc)(struct shell_session *s);           /* a byte typed meanwhile, or -1 */
	bool (*hungup)(struct shell_session *s);        /* NULL: never */
	void (*close)(struct shell_session *s);         /* `exit`; NULL: cannot */
	int last_status;
	/* the line's pipe: output captured from the left command, input
	 * of the right (the session's thread only) */
	char *pipe_buf;
	size_t pipe_len;
	bool pipe_capturing;
	const char *stdin_buf;
	size_t stdin_len;
};

/* run one line (with a pipe, sudo, ...) for s in the current thread; its
 * status in s->last_status */
void shell_session_run(struct shell_session *s, const char *line);
/* the next byte the running command's session typed, or -1 (for Ctrl-C) */
int shell_getc(void);
/* the running command's session is gone: stop and return */
bool shell_hungup(void);

/* Tab completion of the line being edited (kernel/shell/complete.c) */
struct line_ed;
void shell_complete(struct line_ed *le);

#endif
