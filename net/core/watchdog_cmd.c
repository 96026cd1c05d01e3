/* The user's side of the TX watchdog and device resets: `netdev` (list,
 * `netdev reset <dev>`, `netdev watchdog <dev> <ms>`); the count per TX
 * queue, tx-N/tx_timeout, is in net/core/xps.c. */
#include "net/core/watchdog.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/shell/shell.h"
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
