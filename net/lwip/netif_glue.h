/* The lwIP side of a net_device: one lwIP netif per device.
 *
 * Receive: the driver hands an sk_buff (over its DMA buffer: no copy) to
 * dev->rx_handler (glue_rx); the glue records what the NIC verified in
 * skb->ip_summed and hands it to the receive core (netif_receive_skb in
 * softirq context, netif_rx otherwise).  The receive core's handler
 * (net_glue_deliver, set with netif_set_rx_handler) turns the skb into a
 * pbuf with skb_to_pbuf and calls netif->input under the core lock.
 *
 * Transmit: lwIP's linkoutput makes an skb over the pbuf chain
 * (skb_from_pbuf, no copy) and calls dev_queue_xmit(); the driver sends
 * from the pbufs and frees the skb at completion.  A full qdisc comes back
 * to lwIP as ERR_MEM.
 *
 * Only net/ includes this (and lwIP's headers). */
#ifndef NET_LWIP_NETIF_GLUE_H
#define NET_LWIP_NETIF_GLUE_H

#include "kernel/types.h"

struct net_device;
struct netif;

/* counters of one glued device */
struct net_glue_stats {
	u64 rx_frames;      /* frames the driver handed us */
	u64 rx_bytes;
	u64 rx_nomem;       /* no skb for a padded runt: dropped (the driver makes the skb) */
	u64 rx_runts;       /* frames under ETH_ZLEN, copied and padded to it */
	u64 rx_csum_hw;     /* frames delivered with the NIC's checksum verdict trusted */
	u64 rx_input_err;   /* netif->input refused the pbuf */
	u64 tx_frames;      /* linkoutput calls that reached the qdisc */
	u64 tx_nomem;       /* no skb for a frame: ERR_MEM to lwIP */
	u64 tx_linearized;  /* chains copied to sum a TCP/UDP checksum in software */
	u64 tx_csum_sw;     /* TCP/UDP checksums lwIP left that the glue summed (family not offloaded) */
	u64 tx_frag_nocsum; /* first fragments lwIP sent without an L4 checksum under offload (0: patch 0020) */
	u64 tx_tso_sends;   /* joined TSO sends handed to the qdisc (net/lwip/tso.h) */
	u64 tx_tso_segs;    /* lwIP segments in them */
	u64 tx_qdisc_full;  /* qdisc full: ERR_MEM to lwIP */
	u64 tx_errors;      /* device down or other: ERR_IF to lwIP */
	u64 link_changes;
};

/* Attach dev to lwIP: a qdisc, a netif (MAC and MTU from dev, link state
 * following dev->carrier, checksum control from what the NIC verifies),
 * dev->rx_handler, IPv6 link-local address and SLAAC; opens dev if it is
 * not up.  The first attached device becomes the default netif.  Takes the
 * core lock: call without it.  0, -EEXIST, -ENOSPC or the driver's error. */
int net_attach_netdev(struct net_device *dev);
/* Undo net_attach_netdev (the device is left as it is).  Takes the lock. */
void net_detach_netdev(struct net_device *dev);

/* ip link set DEV up|down: the device opened (or stopped) and its netif
 * up (or down).  Takes the core lock: call without it.  0, -ENODEV (not
 * attached) or the driver's error. */
int net_glue_set_up(struct net_device *dev, bool up);

/* ip link set DEV mtu N: the driver's ndo_change_mtu (if it has one),
 * then dev->mtu and the netif's (IPv4 and IPv6: lwIP's MSS follows it;
 * IPv6's destination cache starts over; below 1280 the device has no
 * IPv6, as Linux's, and gets it back at 1280 and above).
 * -EINVAL outside ETH_MIN_MTU..max_mtu (a VLAN sub-interface: no more
 * than its real device's), -ENODEV, or the driver's error.  Takes the
 * core lock: call without it. */
int net_glue_set_mtu(struct net_device *dev, u32 mtu);

/* the lwIP netif of dev, or NULL; core lock held */
struct netif *net_netif_of(struct net_device *dev);
/* the device under an attached netif, or NULL (loop netif) */
struct net_device *net_dev_of_netif(struct netif *netif);
/* the Linux name of a netif: its device's ("eth0"), "lo" for lwIP's
 * loopback, else lwIP's own ("en3"); into buf (>= IFNAMSIZ) */
const char *net_netif_name(struct netif *netif, char *buf, size_t size);
/* the glue counters of dev; 0 or -ENODEV */
int net_glue_stats(struct net_device *dev, struct net_glue_stats *out);
/* the i-th attached device, or NULL */
struct net_device *net_glue_dev(int i);

/* Make the netifs' link state follow their devices' carrier (the TIMER
 * softirq calls it; core lock held). */
void net_glue_poll_link(void);

/* Send the TCP segments held for TSO sends (net/lwip/tso.h); core lock
 * held: net_core_unlock calls it, lwIP's work of the lock hold done. */
void net_glue_tx_flush(void);

/* Install the receive core's handler (once, at stack init). */
void net_glue_init(void);

#endif
