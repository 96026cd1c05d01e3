/* GRO: generic receive offload in the NAPI poll (Linux's napi_gro_receive).
 *
 * A driver's poll hands each received frame to napi_gro_receive() instead
 * of netif_receive_skb() (here the lwIP glue's rx_handler does it for the
 * drivers, net/lwip/netif.c glue_rx).  In-order TCP segments of one flow
 * are merged into one skb of up to 64 KiB before it goes up: the later
 * segments' pbufs (each still the driver's RX buffer) are chained behind
 * the first frame's, their headers skipped (skb_gro_append: no copy).
 *
 * What merges (Linux's tcp_gro_receive rules, one flow held per napi):
 *  - TCP over IPv4 without options or fragmentation, or over IPv6 with TCP
 *    as the first next header; the NIC's checksum verdict, or a software
 *    check here (the merged skb goes up CHECKSUM_UNNECESSARY, so each
 *    segment is checked before it is merged);
 *  - flags ACK or ACK|PSH only; TCP options none or exactly the timestamp
 *    option, identical in every segment; the same Ethernet header,
 *    addresses, ports, TOS/traffic class, TTL/hop limit, ACK number and
 *    window;
 *  - the next sequence number, with a payload no larger than the first
 *    segment's (its size is the skb's gso_size).
 * The held skb goes up (is flushed) at the end of every poll, when a frame
 * comes that does not continue it (any other frame: another flow, other
 * flags or options, out of order, a non-TCP frame: order is kept), when
 * it is full (64 KiB of IP datagram or GRO_MAX_SEGS segments), and right
 * after a segment with PSH or a short one (the sender's burst ended).
 * The flushed skb's IP length and header checksum are rewritten for the
 * merged datagram; the TCP checksum field is left as the first segment's
 * (the skb is CHECKSUM_UNNECESSARY, as Linux's).  ethtool -K gro off
 * (NETIF_F_GRO) makes every frame go up alone, as before. */
#ifndef NET_CORE_GRO_H
#define NET_CORE_GRO_H

#include "kernel/types.h"

struct napi_struct;
struct sk_buff;

/* the most segments one merged skb holds (each holds an RX buffer) */
#define GRO_MAX_SEGS 64
/* the largest merged IP datagram: its 16-bit length field (Linux's
 * GRO_LEGACY_MAX_SIZE), less the Ethernet header for the pbuf's 16 bits */
#define GRO_MAX_IP_LEN (0xffff - 14)

/* A napi's held flow: napi_struct.gro */
struct napi_gro {
	struct sk_buff *skb;    /* the merged skb held, or NULL */
	u32 next_seq;           /* the sequence number that continues it */
	u16 mss;                /* the first segment's payload size */
	u16 segs;               /* segments in it */
	u16 hdr_len;            /* Ethernet + IP + TCP header bytes of its first frame */
	u8 l3;                  /* 4 or 6 */
};

/* Merge skb into napi's held flow, or send the held one up and hold skb,
 * or send skb up at once (netif_receive_skb); consumes skb.  NET_RX
 * softirq, inside napi's poll.  Returns NET_RX_SUCCESS or what
 * netif_receive_skb returned for a frame sent up at once. */
int napi_gro_receive(struct napi_struct *napi, struct sk_buff *skb);
/* Send napi's held skb up now (counted as an end-of-poll flush); the NAPI
 * core calls it when a poll ends and in napi_complete_done. */
void napi_gro_flush(struct napi_struct *napi);

#endif
