/* Address questions answered from lwIP's netif and ARP cache; see
 * net/lwip/addr_query.h. */
#include "net/lwip/addr_query.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_glue.h"
#include "kernel/errno.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include <string.h>

int net_ipv4_addr_of(struct net_device *dev, u32 *addr)
{
	struct netif *nif;
	int rc = 0;

	net_core_lock();
	nif = net_netif_of(dev);
	if (!nif)
		rc = -ENODEV;
	else if (ip4_addr_isany_val(*netif_ip4_addr(nif)))
		rc = -ENODATA;
	else
		*addr = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(nif)));
	net_core_unlock();
	return rc;
}

int net_arp_lookup(struct net_device *dev, u32 addr, u8 mac[ETH_ALEN])
{
	struct eth_addr *eth;
	const ip4_addr_t *ip;
	struct netif *nif;
	ip4_addr_t want;
	int rc = -ENOENT;

	ip4_addr_set_u32(&want, lwip_htonl(addr));
	net_core_lock();
	nif = net_netif_of(dev);
	if (!nif)
		rc = -ENODEV;
	else if (etharp_find_addr(nif, &want, &eth, &ip) >= 0) {
		memcpy(mac, eth->addr, ETH_ALEN);
		rc = 0;
	}
	net_core_unlock();
	return rc;
}
