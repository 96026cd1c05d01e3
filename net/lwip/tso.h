/* TCP segmentation offload from lwIP: the consecutive segments of one TCP
 * flow that lwIP sends while it holds the core lock become one large send.
 *
 * lwIP hands each segment to linkoutput on its own.  The glue (net/lwip/netif.c) offers each one here: a TCP
 * segment with data that continues the pending batch (same flow and
 * headers, the next sequence number, every segment but the last a whole
 * number of the batch's MSS) is held, with a reference on lwIP's pbuf; anything else
 * sends the batch first.  The batch goes when it is full (64 KiB, or the
 * device's piece limit), at the end of the NAPI poll that made lwIP send
 * it (napi_poll_done_hook: the ACKs of one poll open the window once, not
 * frame by frame), or, outside a poll, when the core lock is released
 * (net_core_unlock: the end of a timer's or an application's work).  A batch of one segment goes as it is;
 * a longer one becomes a pbuf chain: a copy of the first segment's headers
 * (lengths for the whole send, the TCP checksum field holding the
 * pseudo-header sum without the length, PSH from the last segment), then
 * each segment's payload in place (custom pbufs that each hold a reference
 * on the segment's pbuf), which the NIC cuts back into the same segments.
 * lwIP builds segments of up to 64 KiB for a netif that does TSO (its
 * first pbuf's tcp_gso_size names the wire segment size, lwipopts.h): such
 * a segment is a batch of its own, or joins one whose wire size it shares.
 * lwIP does not rewrite a segment whose pbuf is referenced
 * (tcp_output_segment_busy), so the data stays put until the NIC is done. */
#ifndef NET_LWIP_TSO_H
#define NET_LWIP_TSO_H

#include "kernel/types.h"

struct pbuf;
struct netif;

#define NET_TSO_MAX_SEGS 64     /* segments one batch holds */
/* the longest payload piece of a send: lwIP's segments past the MSS may
 * be one 64 KiB pbuf (a split's remainder), and a descriptor takes less
 * (the 8254x's 16288 bytes, 8254x SDM 3.3.3) */
#define NET_TSO_PIECE_MAX 8192

/* one netif's pending batch (zeroed: none) */
struct net_tso {
	struct pbuf *seg[NET_TSO_MAX_SEGS]; /* lwIP's segments, a reference held on each */
	unsigned int nseg;
	unsigned int segs;      /* wire segments: lwIP's segments may hold several */
	unsigned int pieces;    /* payload pieces so far (the NIC's descriptors, header apart) */
	u32 len;                /* the send's length: header + every payload */
	u32 next_seq;           /* the sequence number that continues it */
	u16 hdr_len;            /* Ethernet + IP + TCP header */
	u16 l3_len;
	u16 mss;                /* the wire segments' payload: lwIP's tcp_gso_size, else the first segment's */
	u16 last_payload;       /* the last segment's (a multiple of mss to join more) */
	bool v6;
};

/* what net_tso_add did with a frame */
enum net_tso_verdict {
	NET_TSO_NOT_TCP,        /* not a segment to join: send the batch, then the frame alone */
	NET_TSO_BREAK,          /* a segment that does not continue the batch: send the batch, offer it again */
	NET_TSO_HELD,           /* joined (or a new batch): nothing to send yet */
	NET_TSO_FULL,           /* joined, and the batch must go now */
	NET_TSO_PIECES,         /* a segment to send alone as a TSO send, but in more
				 * pieces than the device takes: linear, it would fit */
};

/* Offer lwIP's frame p (Ethernet header first) to the batch t.  tso_ok:
 * the device segments this family (NETIF_F_TSO / _TSO6); max_len, max_pieces:
 * its limits (gso_max_size, gso_max_segs).  Core lock held. */
enum net_tso_verdict net_tso_add(struct net_tso *t, struct pbuf *p, bool tso_v4, bool tso_v6,
				 u32 max_len, unsigned int max_pieces);

/* The pending batch as one frame to send, and the batch emptied: a single
 * segment as lwIP built it (*gso_segs 1), or the joined chain (*gso_segs
 * segments of *gso_size).  The caller owns one reference on the result.
 * NULL when nothing is pending or memory is short (the batch is dropped
 * then; TCP sends it again).  Core lock held. */
struct pbuf *net_tso_take(struct net_tso *t, u16 *gso_size, u16 *gso_segs, bool *v6);

/* drop the pending batch (detach) */
void net_tso_discard(struct net_tso *t);

/* lwIP's cuts of its unsent segments (tcp_split_unsent_seg: at the window
 * edge for a segment past the MSS, patch 0045), counted by the hook
 * LWIP_HOOK_TCP_SPLIT_COPIED (lwip_hooks.h) and shown in /proc/net/netstat
 * (TcpExt TCPSplits, TCPSplitCopied).  Core lock held. */
struct net_tcp_split_stats {
	u64 splits;             /* segments cut in two */
	u64 copied;             /* payload bytes copied to do it (0 since patch 0050) */
};
extern struct net_tcp_split_stats net_tcp_split_stats;

/* the hook: one cut that copied copied bytes of payload */
void net_tcp_split_count(u16 copied);

#endif
