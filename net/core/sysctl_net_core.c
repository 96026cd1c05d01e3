/* The net.core.* tunables of the receive path, settable by name
 * (net_sysctl_set) and on the kernel command line under the same names,
 * plus napi=on|off; and, read-only, the net.ipv4.* settings that lwIP fixes
 * when it is built (lwipopts.h), under Linux's names. */
#include "net/core/dev.h"
#include "net/core/xrlim.h"
#include "net/core/rps.h"
#include "fs/view.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "net/lwip/syncookie.h"
#include "net/lwip/tcp_guard.h"
#include "net/services/svc_conn.h"
#include "lwip/opt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the sysctl names' prefixes for the files under /proc/sys/net/{core,ipv4,ipv6/icmp}/
 * (and /proc/sys/net/ipv6/ip6frag_time, a file of its own) */
#define NET_CORE_PREFIX "net.core."
#define NET_IPV4_PREFIX "net.ipv4."
#define NET_IPV6_ICMP_PREFIX "net.ipv6.icmp."
#define NET_SVC_PREFIX  "net.svc."

int netdev_budget = NETDEV_BUDGET_DEFAULT;
int netdev_budget_usecs = NETDEV_BUDGET_USECS_DEFAULT;
int dev_weight = DEV_WEIGHT_DEFAULT;
int gro_normal_batch = GRO_NORMAL_BATCH_DEFAULT;
int netdev_max_backlog = NETDEV_MAX_BACKLOG_DEFAULT;
int sysctl_icmp_ratelimit = ICMP_RATELIMIT_DEFAULT;
int sysctl_icmp_msgs_per_sec = ICMP_MSGS_PER_SEC_DEFAULT;
int sysctl_icmp_msgs_burst = ICMP_MSGS_BURST_DEFAULT;
int sysctl_icmpv6_ratelimit = ICMP_RATELIMIT_DEFAULT;
/* socket buffers (net/socket/): Linux's SK_RMEM_MAX / SK_WMEM_MAX on
 * x86-64, SKB_TRUESIZE(256) * 256 = 212992, for all four */
#define SK_MEM_DEFAULT 212992
int sysctl_rmem_default = SK_MEM_DEFAULT;
int sysctl_rmem_max = SK_MEM_DEFAULT;
int sysctl_wmem_default = SK_MEM_DEFAULT;
int sysctl_wmem_max = SK_MEM_DEFAULT;
int sysctl_net_busy_read;
/* Linux's floors: SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF (net/socket/socket.c) */
#define SK_MIN_RCVBUF 2304
#define SK_MIN_SNDBUF 4608

/* the error rate limits' ranges: Linux takes any non-negative int; an hour
 * per message, or a billion a second, is far past any useful setting */
#define ICMP_RATELIMIT_MAX_MS  3600000
#define ICMP_MSGS_MAX          1000000000
/* issue 11's limits, used by net/services/svc_conn.c and net/lwip/tcp_guard.c */
int svc_max_per_source = SVC_MAX_PER_SOURCE_DEFAULT;
int svc_idle_timeout = SVC_IDLE_TIMEOUT_DEFAULT;
int tcp_stall_timeout = TCP_STALL_TIMEOUT_DEFAULT;
int tcp_orphan_retries;

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

static int flow_limit_mask_format(char *buf, size_t size)
{
	int len = cpumask_format_hex(buf, size, (u32)READ_ONCE(flow_limit_cpu_bitmap));

	/* without the newline: the callers add it */
	if (len > 0 && (size_t)len <= size && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return len > 0 ? len - 1 : len;
}

static int flow_limit_mask_parse(const char *text)
{
	u32 m;
	int rc = cpumask_parse_hex(text, &m);

	if (!rc)
		WRITE_ONCE(flow_limit_cpu_bitmap, (int)m);
	return rc;
}

struct net_sysctl {
	const char *name;
	int *var;                 /* NULL: read-only, the values in ro */
	long min, max;            /* accepted range, inclusive */
	void (*changed)(void);
	/* a setting with its own rules: set takes the number in place of
	 * the plain store (rounding, a table to build); format and parse
	 * read and write its text (a CPU mask in hex) */
	int (*set)(long v);
	int (*format)(char *buf, size_t size);
	int (*parse)(const char *text);
	long ro[NET_SYSCTL_VALS_MAX];
	unsigned int nro;         /* values of a read-only one */
};

#define NET_SYSCTL_RW(n, v, lo, hi, fn) \
	{ .name = (n), .var = (v), .min = (lo), .max = (hi), .changed = (fn) }
/* a read-only setting with 1..3 values (Linux's tcp_rmem has min, default, max) */
/* a CPU mask shown and written in Linux's hex (flow_limit_cpu_bitmap) */
#define NET_SYSCTL_MASK(n, v, fmt, prs) \
	{ .name = (n), .var = (v), .min = 0, .max = 0x7fffffff, .format = (fmt), .parse = (prs) }
/* a number whose store does more (fn: 0 or -errno) */
#define NET_SYSCTL_SET(n, v, lo, hi, fn) \
	{ .name = (n), .var = (v), .min = (lo), .max = (hi), .set = (fn) }
#define NET_SYSCTL_RO(n, ...) \
	{ .name = (n), .ro = { __VA_ARGS__ }, \
	  .nro = sizeof((long[]){ __VA_ARGS__ }) / sizeof(long) }

/* Ranges: at least one frame / one poll; budgets capped where a larger
 * value would only let one softirq run starve everything else. */
static const struct net_sysctl net_sysctls[] = {
	NET_SYSCTL_RW("net.core.netdev_budget", &netdev_budget, 1, 100000, NULL),
	/* 0 is allowed as in Linux: one poll per NET_RX run */
	NET_SYSCTL_RW("net.core.netdev_budget_usecs", &netdev_budget_usecs, 0, 1000000, NULL),
	NET_SYSCTL_RW("net.core.dev_weight", &dev_weight, 1, 100000, dev_weight_changed),
	/* Linux's range: at least one frame (1: each goes up at once) */
	NET_SYSCTL_RW("net.core.gro_normal_batch", &gro_normal_batch, 1, 0x7fffffff, NULL),
	NET_SYSCTL_RW("net.core.netdev_max_backlog", &netdev_max_backlog, 1, 1000000, NULL),
	NET_SYSCTL_RW("net.core.napi", &napi_sysctl, 0, 1, napi_changed),
	/* flow limit (net/core/dev.h): the CPUs it applies on, a hex mask
	 * as Linux's flow_limit_cpu_sysctl reads and writes it */
	NET_SYSCTL_MASK("net.core.flow_limit_cpu_bitmap", &flow_limit_cpu_bitmap,
			flow_limit_mask_format, flow_limit_mask_parse),
	/* RFS (net/core/rps.h): the socket flow table, rounded up to a power
	 * of two, 0 = off; Linux refuses more than 2^29 */
	NET_SYSCTL_SET("net.core.rps_sock_flow_entries", &rps_sock_flow_entries, 0, 1L << 29,
		       rps_sock_flow_set),
	NET_SYSCTL_RO("net.core.flow_limit_table_len", FLOW_LIMIT_TABLE_LEN),
	/* socket buffer sizes: the default a new socket gets, the most
	 * SO_RCVBUF/SO_SNDBUF may ask (before doubling) */
	NET_SYSCTL_RW("net.core.rmem_default", &sysctl_rmem_default, SK_MIN_RCVBUF, 0x7fffffff, NULL),
	NET_SYSCTL_RW("net.core.rmem_max", &sysctl_rmem_max, SK_MIN_RCVBUF, 0x7fffffff, NULL),
	NET_SYSCTL_RW("net.core.wmem_default", &sysctl_wmem_default, SK_MIN_SNDBUF, 0x7fffffff, NULL),
	NET_SYSCTL_RW("net.core.wmem_max", &sysctl_wmem_max, SK_MIN_SNDBUF, 0x7fffffff, NULL),
	/* busy polling: Linux's range, any non-negative int (microseconds) */
	NET_SYSCTL_RW("net.core.busy_read", &sysctl_net_busy_read, 0, 0x7fffffff, NULL),
	/* ICMP/ICMPv6 error and RST rate limits (net/core/xrlim.h) */
	NET_SYSCTL_RW("net.ipv4.icmp_ratelimit", &sysctl_icmp_ratelimit, 0, ICMP_RATELIMIT_MAX_MS,
		      NULL),
	NET_SYSCTL_RW("net.ipv4.icmp_msgs_per_sec", &sysctl_icmp_msgs_per_sec, 0, ICMP_MSGS_MAX, NULL),
	NET_SYSCTL_RW("net.ipv4.icmp_msgs_burst", &sysctl_icmp_msgs_burst, 0, ICMP_MSGS_MAX, NULL),
	NET_SYSCTL_RW("net.ipv6.icmp.ratelimit", &sysctl_icmpv6_ratelimit, 0, ICMP_RATELIMIT_MAX_MS,
		      NULL),
	/* IP reassembly time-outs, seconds (lwipopts.h; a u8 in lwIP) */
	NET_SYSCTL_RW("net.ipv4.ipfrag_time", &sysctl_ipfrag_time, 1, IPFRAG_TIME_MAX, NULL),
	NET_SYSCTL_RW("net.ipv6.ip6frag_time", &sysctl_ip6frag_time, 1, IPFRAG_TIME_MAX, NULL),
	/* barenet's own (issue 11): the services' connection slots
	 * (net/services/svc_conn.h) and TCP's give-up time for data that is
	 * not acknowledged, a zero window included (net/lwip/tcp_guard.h);
	 * the orphans' give-up time is Linux's tcp_orphan_retries */
	NET_SYSCTL_RW("net.svc.max_per_source", &svc_max_per_source, 0, 65535, NULL),
	NET_SYSCTL_RW("net.svc.idle_timeout", &svc_idle_timeout, 0, 86400, NULL),
	NET_SYSCTL_RW("net.ipv4.tcp_stall_timeout", &tcp_stall_timeout, 0, 86400, NULL),
	/* Linux's, its range and its 0 (= 8) */
	NET_SYSCTL_RW("net.ipv4.tcp_orphan_retries", &tcp_orphan_retries, 0, 255, NULL),
	/* the listen path, as Linux's (net/lwip/syncookie.h): SYN cookies
	 * 0|1|2, half-open connections per listener (lwIP's backlog is a u8),
	 * their SYN|ACK retransmissions, the smallest MSS we send with */
	NET_SYSCTL_RW("net.ipv4.tcp_syncookies", &tcp_syncookies, 0, 2, NULL),
	NET_SYSCTL_RW("net.ipv4.tcp_max_syn_backlog", &tcp_max_syn_backlog, 1, 255, NULL),
	NET_SYSCTL_RW("net.ipv4.tcp_synack_retries", &tcp_synack_retries, 0, 5, NULL),
	NET_SYSCTL_RW("net.ipv4.tcp_min_snd_mss", &tcp_min_snd_mss, 48, TCP_MSS, NULL),
	/* lwIP's TCP has one window and one send buffer for every connection,
	 * fixed at build time: Linux's min, default and max are all that */
	NET_SYSCTL_RO("net.ipv4.tcp_rmem", TCP_WND, TCP_WND, TCP_WND),
	NET_SYSCTL_RO("net.ipv4.tcp_wmem", TCP_SND_BUF, TCP_SND_BUF, TCP_SND_BUF),
	NET_SYSCTL_RO("net.ipv4.tcp_window_scaling", LWIP_WND_SCALE),
	NET_SYSCTL_RO("net.ipv4.tcp_timestamps", LWIP_TCP_TIMESTAMPS),
	NET_SYSCTL_RO("net.ipv4.tcp_sack", LWIP_TCP_SACK_OUT),
	NET_SYSCTL_RO("net.ipv4.tcp_syn_retries", TCP_SYNMAXRTX),
	NET_SYSCTL_RO("net.ipv4.tcp_retries2", TCP_MAXRTX),
	NET_SYSCTL_RO("net.ipv4.ip_default_ttl", IP_DEFAULT_TTL),
	NET_SYSCTL_RO("net.ipv4.ip_forward", IP_FORWARD),
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
	if (!s->var)
		return -EPERM;
	if (value < s->min || value > s->max)
		return -EINVAL;
	if (s->set)
		return s->set(value);
	if (s->parse) {
		/* a mask set by number: its bits, checked as the text is */
		char text[24];

		snprintf(text, sizeof(text), "%lx", value);
		return s->parse(text);
	}
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
	*value = s->var ? READ_ONCE(*s->var) : s->ro[0];
	return 0;
}

int net_sysctl_format(const char *name, char *buf, size_t size)
{
	const struct net_sysctl *s = net_sysctl_find(name);
	int len = 0;

	if (!s)
		return -ENOENT;
	if (s->format)
		return s->format(buf, size);
	if (s->var)
		return snprintf(buf, size, "%d", READ_ONCE(*s->var));
	/* Linux prints a vector sysctl's values separated by tabs */
	for (unsigned int i = 0; i < s->nro; i++)
		len += snprintf(buf + MIN((size_t)len, size), size - MIN((size_t)len, size),
				"%s%ld", i ? "\t" : "", s->ro[i]);
	return len;
}

bool net_sysctl_is_text(const char *name)
{
	const struct net_sysctl *s = net_sysctl_find(name);

	return s && s->parse;
}

int net_sysctl_store(const char *name, const char *text)
{
	const struct net_sysctl *s = net_sysctl_find(name);
	char *end;
	long v;

	if (!s)
		return -ENOENT;
	if (!s->var)
		return -EPERM;
	if (s->parse)
		return s->parse(text);
	/* as Linux's proc_dointvec: blanks around, a trailing newline */
	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text || *text == '\n')
		return -EINVAL;
	v = strtol(text, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	return net_sysctl_set(name, v);
}

const char *net_sysctl_name(unsigned int idx)
{
	return idx < ARRAY_SIZE(net_sysctls) ? net_sysctls[idx].name : NULL;
}

/* /proc/sys/net/<dir>/<name>: the value(s) and a newline, as Linux prints
 * an integer sysctl; idx counts the names under prefix */
static int net_sysctl_list_prefix(const char *prefix, unsigned int idx, char *name, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(net_sysctls); i++) {
		if (strncmp(net_sysctls[i].name, prefix, strlen(prefix)) || idx--)
			continue;
		snprintf(name, size, "%s", net_sysctls[i].name + strlen(prefix));
		return 0;
	}
	return -ENOENT;
}

static int net_sysctl_show_prefix(const char *prefix, const char *file, char *buf, size_t size)
{
	char name[VIEW_PATH_MAX];
	int len;

	snprintf(name, sizeof(name), "%s%s", prefix, file);
	len = net_sysctl_format(name, buf, size);
	if (len < 0)
		return len;
	return len + snprintf(buf + MIN((size_t)len, size), size - MIN((size_t)len, size), "\n");
}

static int net_core_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	return net_sysctl_list_prefix(NET_CORE_PREFIX, idx, name, size);
}
VIEW_DIR("/proc/sys/net/core/*", net_core_list);

static int net_core_show(char *buf, size_t size, const char *const *args)
{
	return net_sysctl_show_prefix(NET_CORE_PREFIX, args[0], buf, size);
}

/* echo VALUE > /proc/sys/net/core/NAME, as sysctl -w */
static int net_core_store(const char *text, const char *const *args)
{
	char name[VIEW_PATH_MAX];

	snprintf(name, sizeof(name), "%s%s", NET_CORE_PREFIX, args[0]);
	return net_sysctl_store(name, text);
}
VIEW_RW("/proc/sys/net/core/*", net_core_show, net_core_store);

static int net_ipv4_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	return net_sysctl_list_prefix(NET_IPV4_PREFIX, idx, name, size);
}
VIEW_DIR("/proc/sys/net/ipv4/*", net_ipv4_list);

static int net_ipv4_show(char *buf, size_t size, const char *const *args)
{
	return net_sysctl_show_prefix(NET_IPV4_PREFIX, args[0], buf, size);
}
VIEW("/proc/sys/net/ipv4/*", net_ipv4_show);

static int net_ipv6_icmp_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	return net_sysctl_list_prefix(NET_IPV6_ICMP_PREFIX, idx, name, size);
}
VIEW_DIR("/proc/sys/net/ipv6/icmp/*", net_ipv6_icmp_list);

static int net_ipv6_icmp_show(char *buf, size_t size, const char *const *args)
{
	return net_sysctl_show_prefix(NET_IPV6_ICMP_PREFIX, args[0], buf, size);
}
VIEW("/proc/sys/net/ipv6/icmp/*", net_ipv6_icmp_show);

static int net_ip6frag_time_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return net_sysctl_show_prefix("net.ipv6.", "ip6frag_time", buf, size);
}
VIEW("/proc/sys/net/ipv6/ip6frag_time", net_ip6frag_time_show);

static int net_svc_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	return net_sysctl_list_prefix(NET_SVC_PREFIX, idx, name, size);
}
VIEW_DIR("/proc/sys/net/svc/*", net_svc_list);

static int net_svc_show(char *buf, size_t size, const char *const *args)
{
	return net_sysctl_show_prefix(NET_SVC_PREFIX, args[0], buf, size);
}
VIEW("/proc/sys/net/svc/*", net_svc_show);

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

/* a sysctl also settable at boot as key=value: fn hands the value to
 * sysctl_from_cmdline, which checks it as sysctl -w does */
#define SYSCTL_CMDLINE_OPT(fn, key, help)                                     \
	static int fn(const char *v)                                          \
	{                                                                     \
		return sysctl_from_cmdline(key, v);                           \
	}                                                                     \
	CMDLINE_OPT(key, fn, help)

SYSCTL_CMDLINE_OPT(set_netdev_budget, "net.core.netdev_budget",
		   "frames per NET_RX run, 1..100000");

SYSCTL_CMDLINE_OPT(set_netdev_budget_usecs, "net.core.netdev_budget_usecs",
		   "microseconds per NET_RX run, 0..1000000");

SYSCTL_CMDLINE_OPT(set_dev_weight, "net.core.dev_weight",
		   "frames per napi poll, 1..100000");

SYSCTL_CMDLINE_OPT(set_netdev_max_backlog, "net.core.netdev_max_backlog",
		   "netif_rx backlog length, 1..1000000");

SYSCTL_CMDLINE_OPT(set_ipfrag_time, "net.ipv4.ipfrag_time",
		   "seconds an IPv4 datagram's fragments wait for the rest, 1..255");

SYSCTL_CMDLINE_OPT(set_ip6frag_time, "net.ipv6.ip6frag_time",
		   "seconds an IPv6 datagram's fragments wait for the rest, 1..255");

SYSCTL_CMDLINE_OPT(set_rmem_default, "net.core.rmem_default",
		   "a new socket's receive buffer, bytes (2304..; default 212992)");

SYSCTL_CMDLINE_OPT(set_gro_normal_batch, "net.core.gro_normal_batch",
		   "frames a NAPI poll holds for one delivery to the stack, 1..; default 8");

SYSCTL_CMDLINE_OPT(set_busy_read, "net.core.busy_read",
		   "microseconds a new socket's blocking reads poll the NIC before sleeping (default 0)");

SYSCTL_CMDLINE_OPT(set_rmem_max, "net.core.rmem_max",
		   "the most SO_RCVBUF may ask, bytes (default 212992)");

SYSCTL_CMDLINE_OPT(set_wmem_default, "net.core.wmem_default",
		   "a new socket's send buffer, bytes (4608..; default 212992)");

SYSCTL_CMDLINE_OPT(set_wmem_max, "net.core.wmem_max",
		   "the most SO_SNDBUF may ask, bytes (default 212992)");

SYSCTL_CMDLINE_OPT(set_icmp_ratelimit, "net.ipv4.icmp_ratelimit",
		   "ms between ICMP errors to one host (6 in a burst), 0 = no per-host limit; default 1000");

SYSCTL_CMDLINE_OPT(set_icmp_msgs_per_sec, "net.ipv4.icmp_msgs_per_sec",
		   "ICMP/ICMPv6 errors (and RSTs for no connection) a second, all hosts; default 1000");

SYSCTL_CMDLINE_OPT(set_icmp_msgs_burst, "net.ipv4.icmp_msgs_burst",
		   "burst of the global ICMP error limit; default 50");

SYSCTL_CMDLINE_OPT(set_icmpv6_ratelimit, "net.ipv6.icmp.ratelimit",
		   "ms between ICMPv6 errors to one host, 0 = no per-host limit; default 1000");

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
