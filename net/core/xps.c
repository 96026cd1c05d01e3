/* Transmit Packet Steering's files (net/core/xps.h): tx-N/xps_cpus, read
 * and written as Linux's net-sysfs.c xps_cpus_show/xps_cpus_store, and
 * tx-N/tx_timeout (net/core/queues.c lists them). */
#include "net/core/xps.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/types.h"
#include "kernel/x86.h"
#include "net/core/queues.h"
#include "net/core/rps.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned int xps_nr_tx_queues(const struct net_device *dev)
{
	unsigned int n = dev ? READ_ONCE(dev->real_num_tx_queues) : 1;

	return n ? MIN(n, (unsigned int)NETDEV_TX_QUEUES_MAX) : 1;
}

int xps_tx_queue_of(const char *const *args, struct net_device **devp)
{
	struct net_device *dev = netdev_get_by_name(args[0]);
	unsigned long q;
	char *end;

	*devp = dev;
	if (!dev && strcmp(args[0], "lo"))
		return -ENOENT;
	if (strncmp(args[1], "tx-", 3) || !args[1][3])
		return -ENOENT;
	q = strtoul(args[1] + 3, &end, 10);
	if (*end || q >= xps_nr_tx_queues(dev))
		return -ENOENT;
	return (int)q;
}

/* the CPUs mapped to the queue, hex as rps_cpus; lo's one queue: none */
int xps_cpus_show(char *buf, size_t size, const char *const *args)
{
	struct net_device *dev;
	int q = xps_tx_queue_of(args, &dev);

	if (q < 0)
		return q;
	return cpumask_format_hex(buf, size, dev ? READ_ONCE(dev->xps_cpus[q]) : 0U);
}

/* a hex mask of online CPUs (a trailing newline allowed): their sends
 * go to this queue (netdev_pick_tx_queue); 0 unmaps it.  A bad mask or a
 * CPU that is not there: -EINVAL, nothing changed (bash's "write error:
 * Invalid argument"), as Linux's xps_cpus_store */
int xps_cpus_store(const char *text, const char *const *args)
{
	struct net_device *dev;
	int q = xps_tx_queue_of(args, &dev), rc;
	u32 m;

	if (q < 0)
		return q;
	if (!dev)
		return -EOPNOTSUPP;
	rc = cpumask_parse_hex(text, &m);
	if (rc)
		return rc;
	WRITE_ONCE(dev->xps_cpus[q], m);
	return 0;
}

/* Linux net-sysfs.c tx_timeout_show: "%lu\n", the queue's own count (the
 * driver names the queue that hung, dev_watchdog_check); lo (lwIP's
 * loopback, no net_device) never times out */
int tx_timeout_show(char *buf, size_t size, const char *const *args)
{
	struct net_device *dev;
	int q = xps_tx_queue_of(args, &dev);

	if (q < 0)
		return q;
	if (!dev)
		return snprintf(buf, size, "0\n");
	return snprintf(buf, size, "%llu\n",
			(unsigned long long)READ_ONCE(dev->tx_queue_timeouts[q]));
}
