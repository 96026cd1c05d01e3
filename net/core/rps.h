/* Receive Packet Steering (Linux net/core/dev.c get_rps_cpu and
 * enqueue_to_backlog): a device's received frames spread over the CPUs of
 * /sys/class/net/<dev>/queues/rx-N/rps_cpus by their flow hash, each
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
 * it is no longer the caller's; false: deliver it here.  The settings
 * are those of the RX queue skb arrived on (skb->rx_queue). */
bool rps_steer_slow(struct net_device *dev, struct sk_buff *skb);

/* rps_steer_slow's first test, inline: RPS and RFS off for the frame's RX
 * queue (no rps_cpus, no rps_flow_cnt: the default) keep it here */
static inline bool rps_steer(struct net_device *dev, struct sk_buff *skb)
{
	const struct netdev_rx_queue *rxq;

	if (skb->rx_queue >= NETDEV_RX_QUEUES_MAX)
		return false;
	rxq = &dev->rx_queues[skb->rx_queue];
	if (likely(!READ_ONCE(rxq->rps_cpus) && !READ_ONCE(rxq->rps_flow_table)))
		return false;
	return rps_steer_slow(dev, skb);
}

/* RFS (Linux net/core/dev.c get_rps_cpu, sock_rps_record_flow).
 * net.core.rps_sock_flow_entries: the global socket flow table's size,
 * set through rps_sock_flow_set (0 = off; rounded up to a power of two;
 * above 2^29 -EINVAL, -ENOMEM).  Each RX queue's flow table is
 * rx-N/rps_flow_cnt.  A consumer reading a flow records its CPU with
 * rps_record_sock_flow(hash of the flow's last frame); frames of the
 * flow then go to that CPU's backlog. */
extern int rps_sock_flow_entries;
int rps_sock_flow_set(long n);
void rps_record_sock_flow(u32 hash);
/* the glue, before it hands a frame to lwIP: its flow hash (0 while
 * RFS is off), set as the one a socket that takes the frame saves (its
 * sk_rxhash); 0 after.  Per CPU, under the core lock. */
u32 rps_rx_hash_of(struct sk_buff *skb);
void rps_set_rx_hash(u32 hash);
u32 rps_current_rx_hash(void);

/* Linux's CPU mask files (%*pb, cpumask_parse): hex, as many digits as
 * the CPUs need, a newline; parse takes hex (commas between words, a
 * trailing newline), -EINVAL for anything else or a CPU not online */
int cpumask_format_hex(char *buf, size_t size, u32 mask);
int cpumask_parse_hex(const char *text, u32 *mask);

#endif
