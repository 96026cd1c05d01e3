/* netinject: frames fed into the receive path at netif_receive_skb(),
 * without a NIC, to measure what the stack alone absorbs.
 *
 * The frames arrive on inj0, a pseudo net_device created on first use and
 * attached to the stack like a NIC: lwIP netif 198.18.0.1/24 (RFC 2544's
 * benchmarking range, never routed), and a static ARP entry for the
 * pretend peer 198.18.0.2 (02:62:6e:00:00:02) that "sends" them.  inj0
 * has a NAPI instance; its poll, in NET_RX like a driver's, builds each
 * frame from a template into a fresh sk_buff (the copy a driver makes
 * today) and calls netif_receive_skb(), dev_weight frames per poll, so
 * softnet's processed and time_squeeze, the backlog rules and the budget
 * all apply as for a NIC.  A pseudo device rather than the real NIC's rx
 * path: nothing reaches the wire, the frames need no DMA, and the real
 * NIC's counters stay about real traffic.
 *
 * Replies the stack sends to the peer (UDP echo, ICMP echo replies, port
 * unreachables) go through the qdisc to inj0's ndo_start_xmit, which
 * counts and discards them, as Linux's dummy device does: `replies` for
 * frames to the peer, `other` for the rest.  inj0 speaks IPv4 only (its
 * IPv6 link-local address is removed at once), so it sends nothing of its
 * own and the stack's counters move only by what is injected.
 *
 *   netinject                        kinds, inj0's counters, last result
 *   netinject KIND COUNT [SIZE]      inject and wait (Ctrl-C stops)
 *   netinject=KIND:COUNT[:SIZE]      once at boot, result in the log
 *
 * Kinds: udp (to discard/9), echo (udp/7), icmp (echo request), noport
 * (udp to a closed port), badudp (wrong UDP checksum), badip (wrong IPv4
 * header checksum), short (IPv4 total length past the frame's end).
 * The frames carry no checksum verdict (CHECKSUM_NONE): lwIP checks them
 * all, as for a NIC without receive offload. */
#ifndef NET_LWIP_NETINJECT_H
#define NET_LWIP_NETINJECT_H

#include "kernel/types.h"

#define NETINJECT_COUNT_MAX   10000000ULL
#define NETINJECT_SIZE_DEFAULT 60

/* the result of one run */
struct netinject_result {
	u64 requested;      /* COUNT */
	u64 injected;       /* frames handed to netif_receive_skb */
	u64 nomem;          /* frames not injected: no skb */
	u64 replies;        /* frames inj0 discarded that went to the peer */
	u64 other_tx;       /* other frames inj0 discarded */
	u64 elapsed_ns;     /* from the first poll to the last */
	u64 busy_ns;        /* time inside inj0's poll */
	bool stopped;       /* Ctrl-C */
};

/* Inject count frames of kind (a name above) of size bytes (60..1514)
 * and wait until the stack took them all.  Process context (the shell's
 * or kmain's), core lock not held.  0; -EINVAL for an unknown kind or a
 * bad count/size; -ENOMEM/-ENOSPC if inj0 cannot be made.  interactive:
 * the shell's Ctrl-C stops it. */
int netinject_run(const char *kind, u64 count, u32 size, bool interactive,
		  struct netinject_result *out);

/* the netinject= run, if asked for; call from kmain once the stack and its
 * timers are up */
void netinject_boot_run(void);

#endif
