/* lwIP's loopback netif as the "lo" line of /proc/net/dev and
 * /sys/class/net/lo/statistics: its MIB-II counters.  lwIP counts every
 * looped packet on its loopif (netif_loop_output() with LWIP_HAVE_LOOPIF),
 * as Linux counts traffic to its own addresses on lo.  The counters are 32
 * bits wide in lwIP and wrap there. */
#include "drivers/net/netdevice_proc.h"
#include "kernel/errno.h"
#include "net/lwip/core_lock.h"
#include "lwip/netif.h"
#include <stdio.h>
#include <string.h>

int netdev_proc_extra(unsigned int idx, char *name, size_t size,
		      struct rtnl_link_stats64 *st)
{
	struct netif *n;
	int rc = -ENOENT;

	if (idx > 0)
		return -ENOENT;
	net_core_lock();
	for (n = netif_list; n; n = n->next)
		if (n->name[0] == 'l' && n->name[1] == 'o')
			break;
	if (n) {
		const struct stats_mib2_netif_ctrs *c = &n->mib2_counters;

		snprintf(name, size, "lo");
		memset(st, 0, sizeof(*st));
		st->rx_bytes = c->ifinoctets;
		st->rx_packets = (u64)c->ifinucastpkts + c->ifinnucastpkts;
		st->rx_errors = c->ifinerrors;
		st->rx_dropped = c->ifindiscards;
		st->tx_bytes = c->ifoutoctets;
		st->tx_packets = (u64)c->ifoutucastpkts + c->ifoutnucastpkts;
		st->tx_errors = c->ifouterrors;
		st->tx_dropped = c->ifoutdiscards;
		rc = 0;
	}
	net_core_unlock();
	return rc;
}
