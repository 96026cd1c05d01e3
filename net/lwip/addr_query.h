/* What code outside lwIP's glue may ask about a device's addresses
 * without seeing lwIP: pktgen's default source address and destination
 * MAC.  Both take the core lock: call without it, in process or softirq
 * context. */
#ifndef NET_LWIP_ADDR_QUERY_H
#define NET_LWIP_ADDR_QUERY_H

#include "kernel/types.h"
#include "drivers/net/netdevice.h"

/* dev's IPv4 address, host byte order: 0, -ENODEV (not attached to the
 * stack) or -ENODATA (no address yet) */
int net_ipv4_addr_of(struct net_device *dev, u32 *addr);
/* the MAC of addr (host order) in the ARP cache of dev's netif: 0,
 * -ENODEV, or -ENOENT (no complete entry) */
int net_arp_lookup(struct net_device *dev, u32 addr, u8 mac[ETH_ALEN]);

#endif
