/* 802.1Q VLAN sub-interfaces (Linux's 8021q): `ip link add link eth0 name
 * eth0.100 type vlan id 100` makes a net_device of its own (its own lwIP
 * netif, addresses, qdisc and counters in /proc/net/dev and ip -s link)
 * over a real one.
 *
 * Receive: the glue's rx handler hands every tagged frame of a real
 * device to vlan_rx_untag(): one with EtherType 0x8100 (IEEE 802.1Q 9.3),
 * or one whose tag the NIC took out already (rx-vlan-offload: the tag in
 * skb->vlan_tci, skb_vlan_tag_present).  It finds the sub-interface of its
 * VLAN id, takes a 4-byte tag still in the frame out in place (the MAC
 * addresses move up: no copy of the data) and makes the skb the
 * sub-interface's; a frame for an id nobody configured, or for a
 * sub-interface that is down, is dropped and counted in the real device's
 * rx_nohandler (no protocol took it).  With the real device's
 * rx-vlan-filter on, such frames do not even get that far: vlan_dev_add
 * and vlan_dev_del give the device the ids (ndo_vlan_rx_add_vid /
 * _kill_vid) and its NIC drops the others.  Untagged frames stay the real
 * device's: tagged and untagged traffic share one NIC.
 *
 * Transmit: with the real device's tx-vlan-offload on, the sub-interface's
 * ndo_start_xmit queues a clone of the frame (no copy) on the real device
 * with the tag beside it, and the NIC puts it in.  Off, it puts the tag in
 * itself: a copy of the frame 4 bytes longer, the real device's headroom
 * not being ours to write (lwIP keeps its TCP segments for
 * retransmission).  lwIP sums every checksum of a sub-interface itself (it
 * has no offloads).
 *
 * Only net/ includes this. */
#ifndef NET_LWIP_VLAN_H
#define NET_LWIP_VLAN_H

#include "drivers/net/netdevice.h"

struct net_device;
struct sk_buff;

#define VLAN_VID_MAX    4094    /* 4095 is reserved (802.1Q table 9-2) */
#define VLAN_DEV_MAX    4       /* sub-interfaces at once */

/* Make a sub-interface called name for VLAN id vid over real, attached to
 * lwIP and down (ip link set NAME up brings it up).  Process context,
 * core lock not held.  0, -EINVAL (vid outside 1..4094, or real is itself
 * a sub-interface), -EEXIST (the name, or vid on real, is taken), -ENOSPC,
 * -ENOMEM. */
int vlan_dev_add(struct net_device *real, const char *name, u16 vid);
/* Remove a sub-interface made by vlan_dev_add; -EOPNOTSUPP for another
 * device.  Process context, core lock not held. */
int vlan_dev_del(struct net_device *dev);

/* dev's real device if dev is a sub-interface, else NULL */
struct net_device *vlan_dev_real(const struct net_device *dev);
/* the VLAN id of a sub-interface (0 for another device) */
u16 vlan_dev_vid(const struct net_device *dev);

/* A tagged frame received on skb->dev (a real device): the skb untagged
 * and made its sub-interface's, or NULL when it was dropped and counted.
 * NET_RX softirq (or hard IRQ with napi=off). */
struct sk_buff *vlan_rx_untag(struct sk_buff *skb);

#endif
