/* Packet capture: taps on the receive path (netif_receive_skb), the
 * transmit path (at ndo_start_xmit, once the driver took or refused the
 * frame, so a ring-full requeue is not captured twice) and lwIP's loopback write
 * pcap records into a ring; a TCP port (cmdline capture=<port>,
 * net/services/capture_srv.c) streams them, so that
 *
 *     nc <guest> <port> | tshark -r -
 *
 * shows live traffic.  The file format is pcap with nanosecond timestamps
 * (magic 0xa1b23c4d), link type Ethernet; looped packets get an all-zero
 * Ethernet header, as Linux's lo shows them.  Timestamps count from boot
 * (there is no wall clock).
 *
 * Off (the default) a tap is one predictable branch on capture_active.
 * On, a frame that passes the filter is copied (up to the snap length) into
 * the ring if there is room for the whole record; otherwise it is counted
 * as dropped.  The data path never waits for the reader.
 *
 * Filter: any of "ether <type>", "proto <udp|tcp|icmp|icmp6|N>",
 * "port <N>", all of which must match (ports: UDP or TCP source or
 * destination; the protocol is IPv4's or the IPv6 fixed header's next
 * header).  Empty or "none": every frame.  TCP segments to or from the
 * capture port itself are never captured (they would feed the stream
 * with its own traffic); they count as filtered. */
#ifndef NET_CORE_CAPTURE_H
#define NET_CORE_CAPTURE_H

#include "kernel/types.h"
#include "net/core/skbuff.h"

/* pcap file format (draft-ietf-opsawg-pcap, sections 4 and 5) */
#define PCAP_MAGIC_NSEC       0xa1b23c4du  /* timestamps in ns */
#define PCAP_VERSION_MAJOR    2
#define PCAP_VERSION_MINOR    4
#define PCAP_LINKTYPE_ETHERNET 1          /* LINKTYPE_ETHERNET (tcpdump.org linktypes) */
#define PCAP_FILE_HDR_LEN     24
#define PCAP_REC_HDR_LEN      16

#define CAPTURE_SNAPLEN       2048        /* bytes kept of each frame */
#define CAPTURE_RING_DEFAULT_KIB 256
#define CAPTURE_RING_MIN_KIB  4
#define CAPTURE_RING_MAX_KIB  16384

/* where a frame was tapped */
enum capture_point { CAPTURE_RX, CAPTURE_TX, CAPTURE_LOOP, CAPTURE_POINTS };

struct capture_filter {
	u16 ethertype;          /* 0: any */
	s16 ip_proto;           /* -1: any */
	s32 port;               /* -1: any */
};

struct capture_stats {
	u64 seen;               /* frames the taps looked at while on */
	u64 captured;           /* records written */
	u64 filtered;           /* did not match the filter */
	u64 dropped;            /* matched, but the ring had no room */
	u64 bytes;              /* record bytes written */
	u64 cycles;             /* TSC cycles spent in the taps while on */
	u64 point[CAPTURE_POINTS];  /* captured per tap point */
	u32 ring_size, ring_used;
};

/* the static flag the taps test */
extern bool capture_active;

void __capture_frame(enum capture_point pt, const void *frame, u32 caplen, u32 len);
/* a non-linear skb, or one whose 802.1Q tag rides beside it
 * (skb_vlan_tag_present): its pieces gathered first, the tag put back in
 * after the MAC addresses as the wire carries it */
void __capture_skb_gather(const struct sk_buff *skb, enum capture_point pt);

/* tap an skb whose data starts at the Ethernet header */
static inline void capture_tap_skb(const struct sk_buff *skb, enum capture_point pt)
{
	if (likely(!capture_active))
		return;
	if (skb_is_nonlinear(skb) || skb_vlan_tag_present(skb))
		__capture_skb_gather(skb, pt);
	else
		__capture_frame(pt, skb->data, skb->len, skb->len);
}

/* Turn the taps on (allocating the ring the first time) or off.
 * 0 or -ENOMEM. */
int capture_set(bool on);
/* "proto udp port 9" etc.; 0 or -EINVAL (the filter is then unchanged) */
int capture_filter_parse(const char *s, struct capture_filter *f);
int capture_set_filter(const struct capture_filter *f);
void capture_get_filter(struct capture_filter *f);
/* the filter as capture_filter_parse reads it ("none" for all) */
int capture_filter_format(const struct capture_filter *f, char *buf, size_t size);
/* does the frame match f */
bool capture_filter_match(const struct capture_filter *f, const u8 *frame, u32 len);

void capture_get_stats(struct capture_stats *st);
void capture_reset_stats(void);

/* The reader's side: bytes waiting, copy up to max of them (records are a
 * byte stream: a read may end inside a record), forget what waits (a new
 * live reader starts from now).  Any context. */
u32 capture_ring_avail(void);
u32 capture_ring_read(void *buf, u32 max);
/* copy without consuming; then consume n bytes (a writer that may fail
 * between the two) */
u32 capture_ring_peek(void *buf, u32 max);
void capture_ring_consume(u32 n);
void capture_ring_discard(void);
/* the 24-byte pcap file header */
void capture_pcap_header(u8 out[PCAP_FILE_HDR_LEN]);
/* called (any context) after a record is written, when set */
extern void (*capture_notify)(void);

/* the TCP port of capture= (0: none) */
extern u16 capture_port;

#endif
