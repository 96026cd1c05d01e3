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
 *   netinject                        kinds, inj0's counters, a run in flight
 *   netinject KIND COUNT [SIZE]      inject and wait (Ctrl-C stops)
 *   netinject stop                   stop the run in flight (any session's,
 *                                    or netinject='s)
 *   netinject=KIND:COUNT[:SIZE]      once at boot, in the kernel thread
 *                                    [netinject] (the console answers
 *                                    meanwhile), result in the log
 *
 * The thread that runs an injection (a shell session's, or [netinject])
 * schedules inj0's napi and sleeps until its poll completes; NET_RX runs
 * in that CPU's ksoftirqd/N, which the scheduler shares with the other
 * threads as for any softirq work raised outside an interrupt.
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
 * and wait until the stack took them all.  Thread context (a shell
 * session's or [netinject]), core lock not held.  0; -EINVAL for an unknown kind or a
 * bad count/size; -ENOMEM/-ENOSPC if inj0 cannot be made.  interactive:
 * the shell's Ctrl-C stops it. */
int netinject_run(const char *kind, u64 count, u32 size, bool interactive,
		  struct netinject_result *out);

/* Start the netinject= run, if asked for, in the kernel thread
 * [netinject], which logs its result, calls then (unless NULL) and ends.
 * Call from kmain once the stack, its timers and the kworkers are up.
 * true when the thread took then over; false when nothing was asked or
 * there is no thread (then is the caller's to run). */
bool netinject_boot_start(void (*then)(void));

#endif
