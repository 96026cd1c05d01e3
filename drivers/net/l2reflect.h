/* l2reflect: a link-layer self-test responder that stands in for the
 * network stack on every registered net_device (cmdline
 * `l2reflect=<IPv4 address>`).  It answers ARP requests for that address,
 * sends every other unicast frame addressed to the device back to its
 * sender (source and destination swapped, payload unchanged), and obeys
 * control frames (EtherType L2REFLECT_ETHERTYPE, payload "stats", "exit"
 * or "ring <n>") so a host-side test can ask for the counters, resize the
 * device's rings at run time, and end the run.
 *
 * Reflected IPv4/UDP frames go out with the NIC's checksum offload: the IP
 * header checksum is zeroed, the UDP checksum replaced by the pseudo-header
 * sum, and the device fills both in (context descriptors), so the peer's
 * checksum check proves the offload. */
#ifndef DRIVERS_NET_L2REFLECT_H
#define DRIVERS_NET_L2REFLECT_H

#include "drivers/net/netdevice.h"

#define L2REFLECT_ETHERTYPE 0x88B6      /* IEEE 802 local experimental EtherType 2 */
#define ETH_P_ARP           0x0806
#define ETH_P_IP            0x0800

enum l2reflect_action {
	L2R_IGNORE,             /* not for us (or broadcast we do not answer) */
	L2R_REPLY,              /* out[] holds an answer to send */
	L2R_STATS,              /* control: print the counters */
	L2R_EXIT,               /* control: print the counters and power off */
	L2R_RING,               /* control: resize the rings (l2reflect_parse_ring) */
};

struct l2reflect_counters {
	u64 rx, reflected, arp_replies, ignored, tx_busy, tx_errors;
	u64 rx_csum_ok;         /* frames the NIC said had good IP and L4 checksums */
	u64 tx_csum;            /* answers sent with checksum offload */
};

/* Decide what to do with one received frame; an answer (at most len bytes,
 * or an ARP reply of ETH_ZLEN) goes to out.  Pure: no device access. */
enum l2reflect_action l2reflect_classify(const u8 *frame, unsigned int len, const u8 mac[ETH_ALEN],
					 u32 ip_be, u8 *out, unsigned int *out_len);

/* the ring size of a "ring <n>" control frame; 0 or -EINVAL */
int l2reflect_parse_ring(const u8 *frame, unsigned int len, u32 *count);

/* Prepare an answer that is Ethernet/IPv4/UDP for checksum offload: zero
 * the IP header checksum, put the pseudo-header sum into a nonzero UDP
 * checksum, and describe both in csum.  Returns false (frame untouched)
 * for anything else: not IPv4/UDP, a fragment, a truncated header. */
bool l2reflect_prepare_csum(u8 *frame, unsigned int len, struct netdev_tx_csum *csum);

/* parse a dotted quad into network order; 0 or -EINVAL (0.0.0.0,
 * 255.255.255.255 and multicast refused) */
int l2reflect_parse_ipv4(const char *s, u32 *ip_be);

/* open every registered device and attach the responder, if the command
 * line asked for it; returns the devices attached */
int l2reflect_start(void);

/* Thread context (a kworker: the control frame's handler schedules the
 * work): carry out requests that must not run in the poll that received
 * them (ring resizes); _pending() says one waits. */
bool l2reflect_work_pending(void);
void l2reflect_service(void);

#endif
