/* The user's side of the TX watchdog and device resets: `netdev` (list,
 * `netdev reset <dev>`, `netdev watchdog <dev> <ms>`) and Linux's
 * /sys/class/net/<dev>/queues/tx-N/tx_timeout. */
#include "net/core/watchdog.h"
#include "drivers/net/netdevice.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/shell/shell.h"
#include "kernel/x86.h"
#include "net/core/xps.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int netdev_list(void)
{
	struct net_device *dev;

	shell_printf("%-8s %-4s %-7s %12s %11s\n", "device", "up", "carrier", "watchdog_ms",
		     "tx_timeouts");
	for (int i = 0; (dev = netdev_get_by_index(i)); i++)
		shell_printf("%-8s %-4s %-7s %12u %11llu\n", dev->name,
			     dev->flags & IFF_UP ? "yes" : "no", dev->carrier ? "yes" : "no",
			     dev->watchdog_timeo_ms, (unsigned long long)dev->tx_timeouts);
	return 0;
}

static int cmd_netdev(int argc, char **argv)
{
	struct net_device *dev;
	char *end;
	long ms;
	int rc;

	if (argc == 1)
		return netdev_list();
	if (argc < 3 || (strcmp(argv[1], "reset") && strcmp(argv[1], "watchdog")))
		return shell_error("netdev", "usage: netdev | netdev reset <dev> | "
				   "netdev watchdog <dev> <ms>");
	dev = netdev_get_by_name(argv[2]);
	if (!dev)
		return shell_error("netdev", "%s: no such device", argv[2]);
	if (!strcmp(argv[1], "reset")) {
		if (argc != 3)
			return shell_error("netdev", "usage: netdev reset <dev>");
		rc = netdev_reset(dev);
		if (rc)
			return shell_error("netdev", "%s: reset failed: %s", dev->name,
					   errno_desc(rc));
		shell_printf("%s: reset\n", dev->name);
		return 0;
	}
	if (argc != 4)
		return shell_error("netdev", "usage: netdev watchdog <dev> <ms>");
	ms = strtol(argv[3], &end, 10);
	if (!*argv[3] || *end || ms < 0 || netdev_set_watchdog_timeo(dev, (unsigned int)ms))
		return shell_error("netdev", "watchdog timeout '%s' is not 0 (off) or 1..%d ms",
				   argv[3], DEV_WATCHDOG_TIMEO_MAX);
	return 0;
}
SHELL_CMD("netdev", cmd_netdev, "devices' TX watchdog: netdev [reset <dev> | watchdog <dev> <ms>]");

/* Linux net-sysfs.c tx_timeout_show: "%lu\n", the queue's own count (the
 * driver names the queue that hung, dev_watchdog_check); lo (lwIP's
 * loopback, no net_device) never times out */
static int tx_timeout_show(char *buf, size_t size, const char *const *args)
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
VIEW("/sys/class/net/*/queues/*/tx_timeout", tx_timeout_show);
