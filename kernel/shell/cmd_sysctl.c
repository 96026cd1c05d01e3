/* sysctl: read and set the tunables (net.core.* for now) with procps
 * sysctl's syntax and messages:
 *   sysctl -a                  every tunable, "name = value"
 *   sysctl name...             those
 *   sysctl -w name=value...    set (also without -w), then show the value
 * A value that is not a whole number or out of range changes nothing; the
 * net.ipv4.* settings are read-only (lwIP fixes them at build time). */
#include "kernel/shell/shell.h"
#include "kernel/errno.h"
#include "net/core/dev.h"
#include <stdlib.h>
#include <string.h>

#define SYSCTL_NAME_MAX 64
#define SYSCTL_VALUE_MAX 64

/* procps reports a missing key by its /proc/sys file */
static int sysctl_missing(const char *name)
{
	shell_printf("sysctl: cannot stat /proc/sys/");
	for (const char *p = name; *p; p++)
		shell_printf("%c", *p == '.' ? '/' : *p);
	shell_printf(": %s\n", errno_desc(-ENOENT));
	return 1;
}

static int sysctl_show(const char *name)
{
	char v[SYSCTL_VALUE_MAX];

	if (net_sysctl_format(name, v, sizeof(v)) < 0)
		return sysctl_missing(name);
	shell_printf("%s = %s\n", name, v);
	return 0;
}

static int sysctl_write(const char *arg)
{
	char name[SYSCTL_NAME_MAX];
	const char *eq = strchr(arg, '='), *val;
	size_t len;
	char *end;
	long v;
	int rc;

	if (!eq || eq == arg)
		return shell_error("sysctl", "\"%s\" must be of the form name=value", arg);
	len = eq - arg;
	if (len >= sizeof(name))
		return sysctl_missing(arg);
	memcpy(name, arg, len);
	name[len] = '\0';
	/* procps trims blanks around the '=' */
	while (len && name[len - 1] == ' ')
		name[--len] = '\0';
	for (val = eq + 1; *val == ' '; val++)
		;
	if (net_sysctl_is_text(name)) {
		/* a CPU mask: the text as written to its /proc/sys file */
		rc = net_sysctl_store(name, val);
		if (rc) {
			shell_printf("sysctl: setting key \"%s\": %s\n", name, errno_desc(rc));
			return 1;
		}
		return sysctl_show(name);
	}
	v = strtol(val, &end, 10);
	if (!*val || *end) {
		shell_printf("sysctl: setting key \"%s\": %s (not a whole number: \"%s\")\n",
			     name, errno_desc(-EINVAL), val);
		return 1;
	}
	rc = net_sysctl_set(name, v);
	if (rc == -ENOENT)
		return sysctl_missing(name);
	if (rc == -EPERM) {
		/* procps's words for a file it may not write */
		shell_printf("sysctl: permission denied on key '%s'\n", name);
		return 1;
	}
	if (rc) {
		shell_printf("sysctl: setting key \"%s\": %s (%ld is out of range)\n", name,
			     errno_desc(rc), v);
		return 1;
	}
	return sysctl_show(name);
}

static int cmd_sysctl(int argc, char **argv)
{
	bool write = false;
	int status = 0, i = 1;

	if (argc < 2)
		return shell_error("sysctl", "usage: sysctl -a | sysctl name... | sysctl -w name=value...");
	if (!strcmp(argv[1], "-a") || !strcmp(argv[1], "-A")) {
		if (argc > 2)
			return shell_error("sysctl", "-a takes no names");
		for (unsigned int k = 0; net_sysctl_name(k); k++)
			sysctl_show(net_sysctl_name(k));
		return 0;
	}
	if (!strcmp(argv[1], "-w")) {
		write = true;
		i = 2;
		if (argc < 3)
			return shell_error("sysctl", "-w needs name=value");
	} else if (argv[1][0] == '-') {
		return shell_error("sysctl", "unknown option %s (use -a or -w)", argv[1]);
	}
	for (; i < argc; i++) {
		if (write || strchr(argv[i], '='))
			status |= sysctl_write(argv[i]);
		else
			status |= sysctl_show(argv[i]);
	}
	return status;
}
SHELL_CMD("sysctl", cmd_sysctl, "show or set tunables: sysctl -a | name... | -w name=value");
