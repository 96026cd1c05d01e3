/* The net.core.* tunables of the receive path, settable by name
 * (net_sysctl_set) and on the kernel command line under the same names,
 * plus napi=on|off. */
#include "net/core/dev.h"
#include "fs/view.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the sysctl name's prefix for the files under /proc/sys/net/core/ */
#define NET_CORE_PREFIX "net.core."

int netdev_budget = NETDEV_BUDGET_DEFAULT;
int netdev_budget_usecs = NETDEV_BUDGET_USECS_DEFAULT;
int dev_weight = DEV_WEIGHT_DEFAULT;
int netdev_max_backlog = NETDEV_MAX_BACKLOG_DEFAULT;

/* net.core.napi (barenet's own: Linux has no such switch): 1 = NAPI
 * receive, 0 = one frame per interrupt through netif_rx.  Drivers read
 * napi_enabled at each interrupt, so a change applies from the next one. */
static int napi_sysctl = 1;

static void napi_changed(void)
{
	WRITE_ONCE(napi_enabled, READ_ONCE(napi_sysctl) != 0);
}

/* the backlog napi follows dev_weight (Linux: dev_rx_weight) */
static void dev_weight_changed(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids_online(); cpu++)
		WRITE_ONCE(softnet_data_cpu(cpu)->backlog.weight, dev_weight);
}

struct net_sysctl {
	const char *name;
	int *var;
	long min, max;            /* accepted range, inclusive */
	void (*changed)(void);
};

/* Ranges: at least one frame / one poll; budgets capped where a larger
 * value would only let one softirq run starve everything else. */
static const struct net_sysctl net_sysctls[] = {
	{ "net.core.netdev_budget", &netdev_budget, 1, 100000, NULL },
	/* 0 is allowed as in Linux: one poll per NET_RX run */
	{ "net.core.netdev_budget_usecs", &netdev_budget_usecs, 0, 1000000, NULL },
	{ "net.core.dev_weight", &dev_weight, 1, 100000, dev_weight_changed },
	{ "net.core.netdev_max_backlog", &netdev_max_backlog, 1, 1000000, NULL },
	{ "net.core.napi", &napi_sysctl, 0, 1, napi_changed },
};

static const struct net_sysctl *net_sysctl_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(net_sysctls); i++)
		if (!strcmp(net_sysctls[i].name, name))
			return &net_sysctls[i];
	return NULL;
}

int net_sysctl_set(const char *name, long value)
{
	const struct net_sysctl *s = net_sysctl_find(name);

	if (!s)
		return -ENOENT;
	if (value < s->min || value > s->max)
		return -EINVAL;
	WRITE_ONCE(*s->var, (int)value);
	if (s->changed)
		s->changed();
	return 0;
}

int net_sysctl_get(const char *name, long *value)
{
	const struct net_sysctl *s = net_sysctl_find(name);

	if (!s)
		return -ENOENT;
	*value = READ_ONCE(*s->var);
	return 0;
}

const char *net_sysctl_name(unsigned int idx)
{
	return idx < ARRAY_SIZE(net_sysctls) ? net_sysctls[idx].name : NULL;
}

/* /proc/sys/net/core/<name>: the value and a newline, as Linux prints an
 * integer sysctl */
static int net_sysctl_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	if (idx >= ARRAY_SIZE(net_sysctls))
		return -ENOENT;
	snprintf(name, size, "%s", net_sysctls[idx].name + strlen(NET_CORE_PREFIX));
	return 0;
}
VIEW_DIR("/proc/sys/net/core/*", net_sysctl_list);

static int net_sysctl_show(char *buf, size_t size, const char *const *args)
{
	char name[VIEW_PATH_MAX];
	long v;
	int rc;

	snprintf(name, sizeof(name), NET_CORE_PREFIX "%s", args[0]);
	rc = net_sysctl_get(name, &v);
	return rc ? rc : snprintf(buf, size, "%ld\n", v);
}
VIEW("/proc/sys/net/core/*", net_sysctl_show);

/* a whole decimal number, or -EINVAL */
static int parse_long(const char *v, long *out)
{
	char *end;

	if (!*v)
		return -EINVAL;
	*out = strtol(v, &end, 10);
	return *end ? -EINVAL : 0;
}

static int sysctl_from_cmdline(const char *name, const char *v)
{
	long value;
	int rc = parse_long(v, &value);

	return rc ? rc : net_sysctl_set(name, value);
}

static int set_netdev_budget(const char *v)
{
	return sysctl_from_cmdline("net.core.netdev_budget", v);
}
CMDLINE_OPT("net.core.netdev_budget", set_netdev_budget, "frames per NET_RX run, 1..100000");

static int set_netdev_budget_usecs(const char *v)
{
	return sysctl_from_cmdline("net.core.netdev_budget_usecs", v);
}
CMDLINE_OPT("net.core.netdev_budget_usecs", set_netdev_budget_usecs,
	    "microseconds per NET_RX run, 0..1000000");

static int set_dev_weight(const char *v)
{
	return sysctl_from_cmdline("net.core.dev_weight", v);
}
CMDLINE_OPT("net.core.dev_weight", set_dev_weight, "frames per napi poll, 1..100000");

static int set_netdev_max_backlog(const char *v)
{
	return sysctl_from_cmdline("net.core.netdev_max_backlog", v);
}
CMDLINE_OPT("net.core.netdev_max_backlog", set_netdev_max_backlog,
	    "netif_rx backlog length, 1..1000000");

static int set_napi(const char *v)
{
	if (!strcmp(v, "on"))
		return net_sysctl_set("net.core.napi", 1);
	if (!strcmp(v, "off"))
		return net_sysctl_set("net.core.napi", 0);
	return -EINVAL;
}
CMDLINE_OPT("napi", set_napi, "NAPI receive: on|off (off: one frame per interrupt); "
	    "live: sysctl -w net.core.napi=0|1");
