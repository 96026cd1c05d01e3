/* 802.1Q VLAN sub-interfaces: the pseudo device, its transmit (the tag
 * put in) and the receive demultiplexer (the tag taken out).  The rules
 * are in net/lwip/vlan.h. */
#include "net/lwip/vlan.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "net/core/dev.h"
#include "net/core/skbuff.h"
#include "net/core/xmit.h"
#include "net/lwip/netif_glue.h"
#include <stdio.h>
#include <string.h>

#define VLAN_TCI_OFF    14      /* the TCI after the TPID that holds the EtherType's place */

struct vlan_priv {
	struct net_device *real;
	u16 vid;
	/* ndo_get_stats64 */
	u64 rx_packets, rx_bytes;
	u64 tx_packets, tx_bytes, tx_dropped;
};

static struct net_device *vlan_devs[VLAN_DEV_MAX];

static const struct net_device_ops vlan_ops;

static struct vlan_priv *vlan_priv_of(const struct net_device *dev)
{
	return dev && dev->netdev_ops == &vlan_ops ? netdev_priv(dev) : NULL;
}

struct net_device *vlan_dev_real(const struct net_device *dev)
{
	struct vlan_priv *v = vlan_priv_of(dev);

	return v ? v->real : NULL;
}

u16 vlan_dev_vid(const struct net_device *dev)
{
	struct vlan_priv *v = vlan_priv_of(dev);

	return v ? v->vid : 0;
}

/* the sub-interface of vid on real, or NULL */
static struct net_device *vlan_find(const struct net_device *real, u16 vid)
{
	for (unsigned int i = 0; i < VLAN_DEV_MAX; i++) {
		struct net_device *d = READ_ONCE(vlan_devs[i]);
		struct vlan_priv *v = vlan_priv_of(d);

		if (v && v->real == real && v->vid == vid)
			return d;
	}
	return NULL;
}

/* The frame queued on the real device with the sub-interface's tag beside
 * it (skb->vlan_tci), as Linux's vlan_dev_hard_start_xmit: the NIC puts it
 * in (tx-vlan-offload), or net/core/xmit.c does as the frame leaves the
 * real device's qdisc (xmit_vlan_push) when the NIC cannot. */
static int vlan_xmit(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct vlan_priv *v = netdev_priv(dev);
	u32 len = skb->len;
	struct sk_buff *n;

	(void)flags;
	if (skb->len < ETH_HLEN)
		return -EINVAL;
	/* a clone (no copy of the data): the caller's transmit tap looks at
	 * skb after this call, as eth0.100 sent it (untagged) */
	n = skb_clone(skb);
	consume_skb(skb);
	if (!n) {
		v->tx_dropped++;
		return 0;
	}
	__vlan_hwaccel_put_tag(n, ETH_P_8021Q, v->vid);
	n->dev = v->real;
	if (dev_queue_xmit(n)) {
		v->tx_dropped++;
		return 0;
	}
	v->tx_packets++;
	v->tx_bytes += len;
	return 0;
}

static int vlan_open(struct net_device *dev)
{
	(void)dev;
	return 0;
}

static int vlan_stop(struct net_device *dev)
{
	(void)dev;
	return 0;
}

static void vlan_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *st)
{
	struct vlan_priv *v = netdev_priv(dev);

	st->rx_packets = v->rx_packets;
	st->rx_bytes = v->rx_bytes;
	st->tx_packets = v->tx_packets;
	st->tx_bytes = v->tx_bytes;
	st->tx_dropped = v->tx_dropped;
}

static void vlan_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	(void)dev;
	snprintf(info->driver, sizeof(info->driver), "802.1Q VLAN Support");
	snprintf(info->version, sizeof(info->version), "1.8");
	snprintf(info->fw_version, sizeof(info->fw_version), "N/A");
}

static const struct net_device_ops vlan_ops = {
	.ndo_open = vlan_open,
	.ndo_stop = vlan_stop,
	.ndo_start_xmit = vlan_xmit,
	.ndo_get_stats64 = vlan_get_stats64,
	.ndo_get_drvinfo = vlan_get_drvinfo,
};

struct sk_buff *vlan_rx_untag(struct sk_buff *skb)
{
	struct net_device *real = skb->dev, *vdev;
	struct vlan_priv *v;
	bool hw = skb_vlan_tag_present(skb);
	u16 vid;

	if (hw) {
		/* the NIC took the tag out already (rx-vlan-offload) */
		vid = skb_vlan_tag_get(skb) & VLAN_VID_MASK;
	} else {
		if (skb_headlen(skb) < ETH_HLEN + VLAN_HLEN)
			goto drop;
		vid = (u16)(skb->data[VLAN_TCI_OFF] << 8 | skb->data[VLAN_TCI_OFF + 1]) &
		      VLAN_VID_MASK;
	}
	vdev = vlan_find(real, vid);
	if (!vdev || !(READ_ONCE(vdev->flags) & IFF_UP))
		goto drop;
	if (hw) {
		__vlan_hwaccel_clear_tag(skb);
	} else if (skb_cloned(skb)) {
		/* not ours to write: untag a private copy */
		struct sk_buff *c = skb_copy(skb);

		consume_skb(skb);
		if (!c)
			return NULL;
		skb = c;
	}
	if (!hw) {
		/* the MAC addresses move up over the tag */
		memmove(skb->data + VLAN_HLEN, skb->data, 2 * ETH_ALEN);
		skb_pull(skb, VLAN_HLEN);
	}
	skb->dev = vdev;
	v = netdev_priv(vdev);
	v->rx_packets++;
	v->rx_bytes += skb->len;
	return skb;

drop:
	/* no sub-interface takes it: no protocol handler either (Linux drops
	 * it in IP as another host's) */
	WRITE_ONCE(real->rx_nohandler, real->rx_nohandler + 1);
	kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
	return NULL;
}

int vlan_dev_add(struct net_device *real, const char *name, u16 vid)
{
	struct net_device *dev;
	struct vlan_priv *v;
	unsigned int slot = VLAN_DEV_MAX;
	int rc;

	if (!vid || vid > VLAN_VID_MAX || vlan_priv_of(real))
		return -EINVAL;
	if (netdev_get_by_name(name) || vlan_find(real, vid))
		return -EEXIST;
	for (unsigned int i = 0; i < VLAN_DEV_MAX && slot == VLAN_DEV_MAX; i++)
		if (!vlan_devs[i])
			slot = i;
	if (slot == VLAN_DEV_MAX)
		return -ENOSPC;
	dev = alloc_netdev(sizeof(*v));
	if (!dev)
		return -ENOMEM;
	v = netdev_priv(dev);
	v->real = real;
	v->vid = vid;
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->netdev_ops = &vlan_ops;
	dev->mtu = real->mtu;
	memcpy(dev->dev_addr, real->dev_addr, ETH_ALEN);
	memcpy(dev->perm_addr, real->dev_addr, ETH_ALEN);
	dev->carrier = READ_ONCE(real->carrier);
	dev->speed_mbps = real->speed_mbps;
	dev->full_duplex = real->full_duplex;
	rc = register_netdev(dev);
	if (rc)
		goto err_free;
	WRITE_ONCE(vlan_devs[slot], dev);
	rc = net_attach_netdev(dev);
	if (rc)
		goto err_unregister;
	/* the real device's VLAN filter passes the id from now on */
	if (real->netdev_ops->ndo_vlan_rx_add_vid) {
		rc = real->netdev_ops->ndo_vlan_rx_add_vid(real, vid);
		if (rc) {
			net_detach_netdev(dev);
			goto err_unregister;
		}
	}
	/* a new link is down until ip link set NAME up, as Linux's */
	net_glue_set_up(dev, false);
	return 0;

err_unregister:
	WRITE_ONCE(vlan_devs[slot], NULL);
	unregister_netdev(dev);
err_free:
	free_netdev(dev);
	return rc;
}

int vlan_dev_del(struct net_device *dev)
{
	struct vlan_priv *v = vlan_priv_of(dev);

	if (!v)
		return -EOPNOTSUPP;
	if (v->real->netdev_ops->ndo_vlan_rx_kill_vid)
		v->real->netdev_ops->ndo_vlan_rx_kill_vid(v->real, v->vid);
	/* no new frame finds it, then it leaves lwIP and the list */
	for (unsigned int i = 0; i < VLAN_DEV_MAX; i++)
		if (vlan_devs[i] == dev)
			WRITE_ONCE(vlan_devs[i], NULL);
	net_detach_netdev(dev);
	unregister_netdev(dev);
	free_netdev(dev);
	return 0;
}
