/* Receive Packet Steering (Linux net/core/dev.c get_rps_cpu and
 * enqueue_to_backlog): a device's received frames spread over the CPUs of
 * /sys/class/net/<dev>/queues/rx-0/rps_cpus by their flow hash, each
 * queued on its CPU's backlog (netif_rx_cpu) and delivered there by the
 * backlog napi. */
#ifndef NET_CORE_RPS_H
#define NET_CORE_RPS_H

#include "drivers/net/netdevice.h"
#include "net/core/skbuff.h"

/* The flow hash of a frame: the NIC's (skb->hash) or, without one, a keyed
 * hash of its addresses, protocol and ports (IPv4/IPv6, TCP/UDP; the
 * addresses alone for a fragment or another protocol); 0 for a non-IP
 * frame.  Stored in skb->hash. */
u32 rps_flow_hash(struct sk_buff *skb);

/* The CPU skb goes to, or -1 (RPS off for dev, or a frame without a
 * hash): the (hash * n / 2^32)-th of the n CPUs in rps_cpus. */
int rps_get_cpu(struct net_device *dev, struct sk_buff *skb);

/* true when skb went to another CPU's backlog (or was dropped there):
 * it is no longer the caller's; false: deliver it here */
bool rps_steer(struct net_device *dev, struct sk_buff *skb);

#endif
