/* The net_device counters as Linux shows them: /proc/net/dev (Linux
 * net/core/net-procfs.c) and /sys/class/net/<dev>/statistics/<counter>
 * (net/core/net-sysfs.c), both from ndo_get_stats64, plus the interfaces
 * that are not net_devices (netdevice_proc_extra: lwIP's loopback). */
#include "drivers/net/netdevice_proc.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "lib/seq_buf.h"
#include <stdio.h>
#include <string.h>

/* Linux dev_get_stats(): the driver's counters plus the core's own */
static void netdev_stats(struct net_device *dev, struct rtnl_link_stats64 *st)
{
	memset(st, 0, sizeof(*st));
	if (dev->netdev_ops && dev->netdev_ops->ndo_get_stats64)
		dev->netdev_ops->ndo_get_stats64(dev, st);
	st->rx_nohandler += READ_ONCE(dev->rx_nohandler);
}

__attribute__((weak)) int netdev_proc_extra(unsigned int idx, char *name, size_t size,
					   struct rtnl_link_stats64 *stats)
{
	(void)idx;
	(void)name;
	(void)size;
	(void)stats;
	return -ENOENT;
}

/* the idx-th interface: the extras first, then the net_devices */
static int netdev_proc_nth(unsigned int idx, char *name, size_t size,
			   struct rtnl_link_stats64 *st)
{
	struct net_device *dev;
	unsigned int extras = 0;
	char tmp[IFNAMSIZ];
	struct rtnl_link_stats64 ignored;

	while (netdev_proc_extra(extras, tmp, sizeof(tmp), &ignored) == 0)
		extras++;
	if (idx < extras) {
		memset(st, 0, sizeof(*st));
		return netdev_proc_extra(idx, name, size, st);
	}
	dev = netdev_get_by_index((int)(idx - extras));
	if (!dev)
		return -ENOENT;
	snprintf(name, size, "%s", dev->name);
	netdev_stats(dev, st);
	return 0;
}

int netdev_proc_find(const char *name, struct rtnl_link_stats64 *st)
{
	char n[IFNAMSIZ];

	for (unsigned int i = 0; netdev_proc_nth(i, n, sizeof(n), st) == 0; i++)
		if (!strcmp(n, name))
			return 0;
	return -ENODEV;
}

/* one line of /proc/net/dev: Linux dev_seq_printf_stats(), whose drop,
 * frame and carrier columns are sums of the detailed counters */
static void dev_proc_line(struct seq_buf *s, const char *name,
			  const struct rtnl_link_stats64 *stp)
{
	struct rtnl_link_stats64 st = *stp;

	seq_buf_printf(s, "%6s: %7llu %7llu %4llu %4llu %4llu %5llu %10llu %9llu "
		       "%8llu %7llu %4llu %4llu %4llu %5llu %7llu %10llu\n",
		       name,
		       (unsigned long long)st.rx_bytes, (unsigned long long)st.rx_packets,
		       (unsigned long long)st.rx_errors,
		       (unsigned long long)(st.rx_dropped + st.rx_missed_errors),
		       (unsigned long long)st.rx_fifo_errors,
		       (unsigned long long)(st.rx_length_errors + st.rx_over_errors +
					    st.rx_crc_errors + st.rx_frame_errors),
		       (unsigned long long)st.rx_compressed, (unsigned long long)st.multicast,
		       (unsigned long long)st.tx_bytes, (unsigned long long)st.tx_packets,
		       (unsigned long long)st.tx_errors, (unsigned long long)st.tx_dropped,
		       (unsigned long long)st.tx_fifo_errors, (unsigned long long)st.collisions,
		       (unsigned long long)(st.tx_carrier_errors + st.tx_aborted_errors +
					    st.tx_window_errors + st.tx_heartbeat_errors),
		       (unsigned long long)st.tx_compressed);
}

static int dev_proc_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	struct rtnl_link_stats64 st;
	char name[IFNAMSIZ];

	(void)args;
	seq_buf_init(&s, buf, size);
	seq_buf_puts(&s, "Inter-|   Receive                            "
		     "                    |  Transmit\n"
		     " face |bytes    packets errs drop fifo frame "
		     "compressed multicast|bytes    packets errs "
		     "drop fifo colls carrier compressed\n");
	for (unsigned int i = 0; netdev_proc_nth(i, name, sizeof(name), &st) == 0; i++)
		dev_proc_line(&s, name, &st);
	return seq_buf_used(&s);
}
VIEW("/proc/net/dev", dev_proc_show);

static int net_class_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	struct rtnl_link_stats64 st;

	(void)args;
	return netdev_proc_nth(idx, name, size, &st);
}
VIEW_DIR("/sys/class/net/*", net_class_list);

#define NETSTAT(f) { #f, offsetof(struct rtnl_link_stats64, f) }
static const struct {
	const char *name;
	size_t offset;
} netstat_fields[] = {
	NETSTAT(rx_packets), NETSTAT(tx_packets), NETSTAT(rx_bytes), NETSTAT(tx_bytes),
	NETSTAT(rx_errors), NETSTAT(tx_errors), NETSTAT(rx_dropped), NETSTAT(tx_dropped),
	NETSTAT(multicast), NETSTAT(collisions), NETSTAT(rx_length_errors),
	NETSTAT(rx_over_errors), NETSTAT(rx_crc_errors), NETSTAT(rx_frame_errors),
	NETSTAT(rx_fifo_errors), NETSTAT(rx_missed_errors), NETSTAT(tx_aborted_errors),
	NETSTAT(tx_carrier_errors), NETSTAT(tx_fifo_errors), NETSTAT(tx_heartbeat_errors),
	NETSTAT(tx_window_errors), NETSTAT(rx_compressed), NETSTAT(tx_compressed),
	NETSTAT(rx_nohandler), NETSTAT(rx_otherhost_dropped),
};
_Static_assert(ARRAY_SIZE(netstat_fields) * sizeof(u64) == sizeof(struct rtnl_link_stats64),
	       "every rtnl_link_stats64 field has a statistics file");

static int netstat_list(unsigned int idx, const char *const *args, char *name, size_t size)
{
	(void)args;
	if (idx >= ARRAY_SIZE(netstat_fields))
		return -ENOENT;
	snprintf(name, size, "%s", netstat_fields[idx].name);
	return 0;
}
VIEW_DIR("/sys/class/net/*/statistics/*", netstat_list);

/* one counter, "%llu\n" as net-sysfs.c's netstat_show() prints it */
static int netstat_show(char *buf, size_t size, const char *const *args)
{
	struct rtnl_link_stats64 st;

	for (size_t i = 0; i < ARRAY_SIZE(netstat_fields); i++) {
		if (strcmp(netstat_fields[i].name, args[1]))
			continue;
		if (netdev_proc_find(args[0], &st))
			return -ENODEV;
		return snprintf(buf, size, "%llu\n", (unsigned long long)
				*(const u64 *)((const char *)&st + netstat_fields[i].offset));
	}
	return -ENOENT;
}
VIEW("/sys/class/net/*/statistics/*", netstat_show);
