/* `ethtool` in the shell, and ethtool="..." on the kernel command line.
 *
 * Command line: the value is an ethtool command without the word ethtool,
 * quoted, one setting per option, repeatable:
 *     ethtool="-G eth0 rx 512 tx 512" ethtool="-C eth0 rx-usecs 50"
 *     ethtool="-K eth0 rx off"
 * Only the setting forms (-G, -C, -K) are accepted.  The syntax is checked
 * when the option is read (a bad one is reported and ignored, as any bad
 * option); each is applied when the stack attaches the device it names,
 * before the device is opened, and a value the device refuses is reported
 * in the log and changes nothing. */
#include "net/ethtool/ethtool_cmd.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/shell/shell.h"
#include <string.h>

#define ETHTOOL_OUT_MAX     16384   /* the longest output: -S of a big NIC */
#define ETHTOOL_CMDLINE_MAX 8       /* ethtool= options kept */
#define ETHTOOL_ARGS_MAX    24

static int cmd_ethtool(int argc, char **argv)
{
	char *buf = kmalloc(ETHTOOL_OUT_MAX);
	struct seq_buf s;
	int status;

	if (!buf)
		return shell_error("ethtool", "%s", errno_desc(-ENOMEM));
	seq_buf_init(&s, buf, ETHTOOL_OUT_MAX);
	status = ethtool_main(argc, argv, &s);
	shell_write(buf, MIN((size_t)seq_buf_used(&s), (size_t)ETHTOOL_OUT_MAX - 1));
	kfree(buf);
	return status;
}
SHELL_CMD("ethtool", cmd_ethtool,
	  "NIC settings: ethtool [-i|-S|-g|-c|-k] DEV | -G DEV rx N tx N | -C DEV rx-usecs N"
	  " | -K DEV rx|tx on|off");

/* --- the command line ---------------------------------------------------- */

static char cmdline_cmds[ETHTOOL_CMDLINE_MAX][CMDLINE_VALUE_MAX];
static unsigned int cmdline_n;

/* split a copy of s into argv after "ethtool"; returns argc or -E2BIG */
static int split_words(char *s, char **argv)
{
	int argc = 0;

	argv[argc++] = "ethtool";
	while (*s) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		if (argc == ETHTOOL_ARGS_MAX)
			return -E2BIG;
		argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	argv[argc] = NULL;
	return argc;
}

/* parse a copy of one option into req; 0 or -EINVAL with the reason logged */
static int cmdline_parse(const char *value, struct ethtool_req *req, char *copy)
{
	char *argv[ETHTOOL_ARGS_MAX + 1];
	char err[256];
	struct seq_buf s;
	int argc, rc;

	strlcpy(copy, value, CMDLINE_VALUE_MAX);
	argc = split_words(copy, argv);
	if (argc < 0)
		return -EINVAL;
	seq_buf_init(&s, err, sizeof(err));
	rc = ethtool_parse(argc, argv, req, &s);
	if (rc) {
		pr_err("ethtool=\"%s\": %s", value, err);
		return rc;
	}
	if (req->mode != ETHTOOL_MODE_SRING && req->mode != ETHTOOL_MODE_SCOAL &&
	    req->mode != ETHTOOL_MODE_SFEAT) {
		pr_err("ethtool=\"%s\": only -G, -C and -K settings belong on the command line\n",
		       value);
		return -EINVAL;
	}
	return 0;
}

static int set_ethtool(const char *v)
{
	char copy[CMDLINE_VALUE_MAX];
	struct ethtool_req req;
	int rc = cmdline_parse(v, &req, copy);

	if (rc)
		return rc;
	if (cmdline_n == ETHTOOL_CMDLINE_MAX)
		return -ENOSPC;
	strlcpy(cmdline_cmds[cmdline_n++], v, CMDLINE_VALUE_MAX);
	return 0;
}
CMDLINE_OPT("ethtool", set_ethtool,
	    "a NIC setting at attach: ethtool=\"-G eth0 rx 512\" | \"-C eth0 rx-usecs 50\" | "
	    "\"-K eth0 rx off\" (repeatable)");

/* log each line of text at info level (or error for a failure) */
static void log_lines(const char *dev, const char *cmd, char *text, int status)
{
	char *line = text;

	if (!*text) {
		pr_info("%s: ethtool %s: done\n", dev, cmd);
		return;
	}
	while (*line) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (status)
			pr_err("%s: ethtool %s: %s (setting ignored)\n", dev, cmd, line);
		else
			pr_info("%s: ethtool %s: %s\n", dev, cmd, line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

void ethtool_cmdline_apply(struct net_device *dev)
{
	for (unsigned int i = 0; i < cmdline_n; i++) {
		char copy[CMDLINE_VALUE_MAX], out[512];
		struct ethtool_req req;
		struct seq_buf s;
		int status;

		if (cmdline_parse(cmdline_cmds[i], &req, copy) || strcmp(req.dev, dev->name))
			continue;
		seq_buf_init(&s, out, sizeof(out));
		status = ethtool_exec(&req, &s);
		log_lines(dev->name, cmdline_cmds[i], out, status);
	}
}
