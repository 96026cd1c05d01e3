/* The shell's `pktgen` and the pktgen= option.
 *
 *   pktgen                          Params, Current and Result (Linux's
 *                                   /proc/net/pktgen/<dev> layout)
 *   pktgen KEY VALUE ... [start]    set knobs (all or nothing), then start
 *   pktgen start | stop | reset     reset: the defaults again
 *
 * Knobs: dev IF, count N, rate PPS (ratep), size N|MIN:MAX (pkt_size),
 * dst A.B.C.D (dst_min), src A.B.C.D (src_min), dst_mac MAC, udp_src
 * PORT, udp_dst PORT, flows N.  `start` returns at once: the run goes on
 * from the idle loop and `pktgen` shows how far it got.  A line that
 * cannot start (no such device, no ARP entry) leaves the knobs as they were.
 *
 * pktgen="KEY VALUE ..." (spaces or commas between words) starts a run
 * with those knobs once the stack is up; its result goes to the log. */
#include "net/core/pktgen.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/shell/shell.h"
#include <string.h>

#define PKTGEN_SHOW_MAX   1024
#define BOOT_WORDS_MAX    32

/* the sentence for a pktgen_start error */
static const char *start_error(int rc, const struct pktgen_params *p)
{
	switch (rc) {
	case -EBUSY:
		return "a run is going: pktgen stop first";
	case -ENODEV:
		return "no such device (dev)";
	case -ENETDOWN:
		return "the device is down";
	case -EINVAL:
		return p->daddr ? "size above the device's MTU" : "set dst first";
	case -ENOENT:
		return "no ARP entry for dst: set dst_mac";
	case -ENODATA:
		return "the device has no IPv4 address: set src";
	}
	return errno_desc(rc);
}

static int pktgen_print(void)
{
	static char buf[PKTGEN_SHOW_MAX];
	int n = pktgen_show(buf, sizeof(buf));

	shell_write(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
	return 0;
}

static int cmd_pktgen_locked(int argc, char **argv)
{
	struct pktgen_params p;
	struct pktgen_result r;
	const char *action = NULL, *bad, *why;
	int rc;

	if (argc == 1)
		return pktgen_print();
	pktgen_get(&p, &r);
	argc--;
	argv++;
	if (!strcmp(argv[argc - 1], "start") || !strcmp(argv[argc - 1], "stop") ||
	    !strcmp(argv[argc - 1], "reset"))
		action = argv[--argc];
	if (action && strcmp(action, "start") && argc)
		return shell_error("pktgen", "%s takes no parameters", action);
	if (action && !strcmp(action, "stop")) {
		if (pktgen_stop())
			return shell_error("pktgen", "no run to stop");
		pktgen_get(NULL, &r);
		shell_printf("pktgen: stopped after %llu frames\n",
			     (unsigned long long)(r.sent + r.errors));
		return 0;
	}
	if (r.state == PKTGEN_RUNNING)
		return shell_error("pktgen", "a run is going: pktgen stop first");
	if (action && !strcmp(action, "reset")) {
		pktgen_params_default(&p);
		return pktgen_configure(&p);
	}
	if (pktgen_params_parse(&p, argc, argv, &bad, &why))
		return shell_error("pktgen", "%s: %s", bad, why);
	if (!action)
		return pktgen_configure(&p);
	/* the knobs stay as they were if the run cannot start */
	rc = pktgen_start(&p);
	if (rc)
		return shell_error("pktgen", "cannot start: %s", start_error(rc, &p));
	shell_printf("pktgen: %s: sending %llu frames\n", p.ifname, (unsigned long long)p.count);
	return 0;
}

/* guards pktgen_print's buffer: one pktgen command at a time over all the
 * shell sessions; threads only */
static DEFINE_MUTEX(pktgen_cmd_mutex);

static int cmd_pktgen(int argc, char **argv)
{
	int rc;

	mutex_lock(&pktgen_cmd_mutex);
	rc = cmd_pktgen_locked(argc, argv);
	mutex_unlock(&pktgen_cmd_mutex);
	return rc;
}
SHELL_CMD("pktgen", cmd_pktgen,
	  "packet generator: pktgen [dev IF] [count N] [rate PPS] [size N|MIN:MAX] [dst IP] "
	  "[src IP] [dst_mac MAC] [udp_src P] [udp_dst P] [flows N] [start|stop|reset]");

/* --- pktgen= ------------------------------------------------------------ */

static struct pktgen_params boot_params;
static bool boot_requested;

static int set_pktgen(const char *v)
{
	static char words[CMDLINE_VALUE_MAX];
	char *argv[BOOT_WORDS_MAX];
	struct pktgen_params p;
	const char *bad, *why;
	int argc = 0;

	if (strlen(v) >= sizeof(words))
		return -EINVAL;
	strlcpy(words, v, sizeof(words));
	for (char *s = words; *s;) {
		while (*s == ' ' || *s == ',')
			*s++ = '\0';
		if (!*s)
			break;
		if (argc == BOOT_WORDS_MAX)
			return -EINVAL;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != ',')
			s++;
	}
	pktgen_params_default(&p);
	if (pktgen_params_parse(&p, argc, argv, &bad, &why)) {
		pr_err("pktgen: %s: %s\n", bad, why);
		return -EINVAL;
	}
	boot_params = p;
	boot_requested = true;
	return 0;
}
CMDLINE_OPT("pktgen", set_pktgen,
	    "start pktgen once up: \"KEY VALUE ...\" as the shell command's knobs");

void pktgen_boot_start(void)
{
	int rc;

	if (!boot_requested)
		return;
	rc = pktgen_start(&boot_params);
	if (rc) {
		pr_err("pktgen: cannot start: %s\n", start_error(rc, &boot_params));
		return;
	}
	pktgen_log_result(true);
	pr_info("pktgen: %s: sending %llu frames\n", boot_params.ifname,
		(unsigned long long)boot_params.count);
}
