/* Network device registry, link reporting and the RX hand-off. */
#include "drivers/net/netdevice.h"
#include "kernel/mm.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "net/core/napi.h"
#include <stdio.h>
#include <string.h>

static struct net_device *netdevs[NETDEV_MAX];
static int next_ifindex = 1;

struct net_device *alloc_netdev(size_t priv_size)
{
	struct net_device *dev = kzalloc(sizeof(*dev) + priv_size);

	if (!dev)
		return NULL;
	dev->mtu = ETH_DATA_LEN;
	dev->flags = IFF_BROADCAST | IFF_MULTICAST;
	dev->priv = dev + 1;
	return dev;
}

void free_netdev(struct net_device *dev)
{
	/* Linux's free_netdev deletes the device's napis too */
	netif_napi_forget_dev(dev);
	kfree(dev);
}

int register_netdev(struct net_device *dev)
{
	for (int i = 0; i < NETDEV_MAX; i++) {
		if (netdevs[i])
			continue;
		/* a pseudo device comes with its own name (inj0) */
		if (!dev->name[0])
			snprintf(dev->name, sizeof(dev->name), "eth%d", i);
		dev->ifindex = next_ifindex++;
		/* the software features every device has, on as Linux's
		 * register_netdevice turns them on (NETIF_F_SOFT_FEATURES) */
		dev->hw_features |= NETIF_F_GRO;
		dev->features |= NETIF_F_GRO;
		netdevs[i] = dev;
		return 0;
	}
	return -ENOSPC;
}

void unregister_netdev(struct net_device *dev)
{
	for (int i = 0; i < NETDEV_MAX; i++)
		if (netdevs[i] == dev)
			netdevs[i] = NULL;
}

bool netdev_registered(const struct net_device *dev)
{
	for (int i = 0; i < NETDEV_MAX; i++)
		if (READ_ONCE(netdevs[i]) == dev)
			return true;
	return false;
}

struct net_device *netdev_get_by_name(const char *name)
{
	for (int i = 0; i < NETDEV_MAX; i++)
		if (netdevs[i] && !strcmp(netdevs[i]->name, name))
			return netdevs[i];
	return NULL;
}

struct net_device *netdev_get_by_index(int n)
{
	for (int i = 0; i < NETDEV_MAX; i++)
		if (netdevs[i] && n-- == 0)
			return netdevs[i];
	return NULL;
}

const char *netdev_fmt_mac(char *buf, const u8 mac[ETH_ALEN])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

void netif_carrier_on(struct net_device *dev, u32 speed_mbps, bool full_duplex)
{
	bool changed = !dev->carrier || dev->speed_mbps != speed_mbps ||
		       dev->full_duplex != full_duplex;

	dev->carrier = true;
	dev->speed_mbps = speed_mbps;
	dev->full_duplex = full_duplex;
	if (changed)
		pr_info("%s: link up, %u Mbps %s duplex\n", dev->name, speed_mbps,
			full_duplex ? "full" : "half");
}

void netif_carrier_off(struct net_device *dev)
{
	if (dev->carrier)
		pr_info("%s: link down\n", dev->name);
	dev->carrier = false;
}

bool netif_rx_ready(const struct net_device *dev)
{
	return (dev->flags & IFF_UP) && READ_ONCE(dev->carrier) &&
	       ktime_get_ns() >= READ_ONCE(dev->rx_held_until_ns);
}

int netdev_open(struct net_device *dev)
{
	int rc;

	if (dev->flags & IFF_UP)
		return 0;
	/* up before ndo_open: the first interrupt may deliver a frame at once */
	dev->flags |= IFF_UP;
	rc = dev->netdev_ops->ndo_open(dev);
	if (rc)
		dev->flags &= ~IFF_UP;
	return rc;
}

int netdev_stop(struct net_device *dev)
{
	int rc;

	if (!(dev->flags & IFF_UP))
		return 0;
	rc = dev->netdev_ops->ndo_stop(dev);
	dev->flags &= ~IFF_UP;
	return rc;
}

int netdev_set_promisc(struct net_device *dev, bool on)
{
	if (on)
		dev->flags |= IFF_PROMISC;
	else
		dev->flags &= ~IFF_PROMISC;
	if (dev->netdev_ops->ndo_set_rx_mode)
		dev->netdev_ops->ndo_set_rx_mode(dev);
	return 0;
}

int netdev_add_mc(struct net_device *dev, const u8 addr[ETH_ALEN])
{
	if (!(addr[0] & 1))
		return -EINVAL;         /* not a group address */
	for (unsigned int i = 0; i < dev->mc_count; i++)
		if (!memcmp(dev->mc_list[i], addr, ETH_ALEN))
			return 0;
	if (dev->mc_count >= NETDEV_MC_MAX)
		return -ENOSPC;
	memcpy(dev->mc_list[dev->mc_count++], addr, ETH_ALEN);
	if (dev->netdev_ops->ndo_set_rx_mode)
		dev->netdev_ops->ndo_set_rx_mode(dev);
	return 0;
}
