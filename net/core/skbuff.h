/* sk_buff: a packet's metadata over a linear data buffer that lives in an
 * lwIP pbuf.
 *
 *   head          data              tail           end
 *   |  headroom   |  len bytes      |  tailroom    |
 *
 * The pbuf owns the memory and its reference count is the shared-data count
 * (Linux's dataref): skb_clone() adds a reference to the same pbuf, the last
 * kfree_skb()/consume_skb() of any clone drops the data.  skb->users counts
 * references to the struct itself (skb_get).  Data shared with a clone is
 * read-only: copy it (skb_copy) before writing.
 *
 * Ownership at each hand-off:
 *  - driver -> skb_from_rx_buffer(): on success the skb owns the driver's DMA
 *    buffer until the last reference to its data goes; then the driver's
 *    release callback gets the buffer back exactly once (from whatever
 *    context frees last: softirq, lwIP).  On failure (NULL) the driver keeps
 *    the buffer.
 *  - caller -> netif_receive_skb()/netif_rx()/kfree_skb*()/consume_skb()/
 *    skb_to_pbuf(): the caller's reference is gone after the call.
 *  - skb_to_pbuf(): the pbuf (and the buffer under it) belongs to lwIP, which
 *    frees it with pbuf_free(); no copy unless the data was shared.
 *  - skb_from_pbuf(): the skb takes its own pbuf reference (on the first
 *    pbuf of a chain, which holds the rest); the caller keeps its own and
 *    may free it at once.
 *  - caller -> ndo_start_xmit() returning 0: the driver owns that reference
 *    until the device is done with the data (TX descriptor writeback).
 *
 * Linear and non-linear.  An skb from a pbuf chain (the TX path) is
 * non-linear, as Linux's: data..tail is the first pbuf, and the other
 * data_len bytes are in the pbufs chained after it.  Such an skb is
 * read-only (it is always cloned): skb_put/skb_push panic on it, skb_pull
 * stops at the linear part; skb_segs() and skb_copy_bits() read all of it.
 *
 * This header is what drivers see: no lwIP headers here; only net/ code
 * looks inside struct pbuf. */
#ifndef NET_CORE_SKBUFF_H
#define NET_CORE_SKBUFF_H

#include "kernel/types.h"
#include "kernel/percpu.h"

struct pbuf;
struct net_device;
struct journey_rec;

/* Why a packet was dropped (a subset of Linux's enum skb_drop_reason, same
 * names); counted per reason at the final free. */
enum skb_drop_reason {
	SKB_NOT_DROPPED_YET = 0,
	SKB_CONSUMED,                     /* not a drop: consume_skb() */
	SKB_DROP_REASON_NOT_SPECIFIED,
	SKB_DROP_REASON_NO_SOCKET,
	SKB_DROP_REASON_PKT_TOO_SMALL,
	SKB_DROP_REASON_PKT_TOO_BIG,
	SKB_DROP_REASON_OTHERHOST,
	SKB_DROP_REASON_IP_CSUM,
	SKB_DROP_REASON_IP_INHDR,
	SKB_DROP_REASON_TCP_CSUM,
	SKB_DROP_REASON_UDP_CSUM,
	SKB_DROP_REASON_UNHANDLED_PROTO,
	SKB_DROP_REASON_CPU_BACKLOG,      /* input_pkt_queue full (netdev_max_backlog) */
	SKB_DROP_REASON_NOMEM,
	SKB_DROP_REASON_DEV_HDR,
	SKB_DROP_REASON_DEV_READY,        /* device down */
	SKB_DROP_REASON_FULL_RING,
	SKB_DROP_REASON_QDISC_DROP,
	SKB_DROP_REASON_MAX
};

/* checksum state of a received packet (Linux's ip_summed values) */
#define CHECKSUM_NONE        0   /* nobody verified it: software must */
#define CHECKSUM_UNNECESSARY 1   /* the NIC verified it */
/* transmit: the NIC fills the checksums in skb->csum_flags (NETDEV_CSUM_*),
 * the IPv4 header at network_header, L4 pseudo-header sum preloaded */
#define CHECKSUM_PARTIAL     3

/* header offset not set yet */
#define SKB_HDR_UNSET 0xffff

/* headroom netdev_alloc_skb() reserves (Linux NET_SKB_PAD: a cache line) */
#define NET_SKB_PAD 64

/* the largest linear skb: pbuf lengths are 16-bit */
#define SKB_MAX_SIZE 0xffff

struct sk_buff {
	struct sk_buff *next, *prev;  /* links in one struct sk_buff_head */
	struct net_device *dev;       /* received on / to be sent by */
	u64 tstamp;                   /* receive time, ktime_get_ns(); 0 = not yet */
	u32 hash;                     /* flow hash (RSS or software); 0 = none */
	u16 protocol;                 /* ethertype, network byte order */
	u16 mac_header;               /* offsets from head, or SKB_HDR_UNSET */
	u16 network_header;
	u16 transport_header;
	u32 len;                      /* bytes from data to tail */
	u32 data_len;                 /* bytes in the pbufs chained after the first (non-linear) */
	u8 cloned;                    /* data shared with a clone: read-only */
	u8 ip_summed;                 /* CHECKSUM_* */
	u8 csum_flags;                /* CHECKSUM_PARTIAL: NETDEV_CSUM_* */
	u8 drop_reason;               /* for a free deferred by dev_kfree_skb_irq_reason */
	u16 gso_size;                 /* TSO: TCP payload bytes per wire segment, 0 = none */
	u16 gso_segs;                 /* TSO: the wire segments it makes */
	u16 vlan_proto;               /* 802.1Q tag out of band (the NIC took it out / puts it in):
				       * its TPID (ETH_P_8021Q, host order), 0 = no tag */
	u16 vlan_tci;                 /* that tag's TCI (priority, DEI, VLAN id) */
	u16 rx_queue;                 /* the device RX queue it arrived on (Linux skb_get_rx_queue) */
	u16 sender_cpu;               /* TX: the CPU that queued it + 1 (dev_queue_xmit), 0 = unset;
				       * a multiqueue driver's queue choice (Linux's XPS sender_cpu) */
	u32 users;                    /* references to this struct */
	u8 *head, *data, *tail, *end;
	struct pbuf *pbuf;            /* owns head..end; pbuf->ref is the data refcount */
	struct journey_rec *journey;  /* sampled frame's timing record (net/core/journey.h), or NULL;
				       * not copied by skb_clone/skb_copy */
};

/* A queue of skbs (Linux sk_buff_head, without its lock: callers keep the
 * queue to one context or disable interrupts around it). */
struct sk_buff_head {
	struct sk_buff *next, *prev;
	u32 qlen;
};

/* driver callback that takes an RX buffer back (refill pool) */
typedef void (*skb_release_fn)(void *ctx, void *buf);

/* A new skb with size bytes of data room (no headroom), or NULL if memory
 * is short or size > SKB_MAX_SIZE.  Uses lwIP's heap: softirq/process
 * context only. */
struct sk_buff *alloc_skb(u32 size);
/* alloc_skb(len + NET_SKB_PAD) with the pad reserved as headroom, skb->dev set */
struct sk_buff *netdev_alloc_skb(struct net_device *dev, u32 len);
/* Zero-copy receive: an skb whose data is len bytes at buf, a driver-owned
 * (DMA) buffer.  When the last reference to the data goes, release(ctx, buf)
 * is called once.  NULL on failure, and the driver keeps buf.  Needs only
 * kmalloc: may run in hard IRQ context if kmalloc may. */
struct sk_buff *skb_from_rx_buffer(struct net_device *dev, void *buf, u32 len,
				   skb_release_fn release, void *ctx);

/* What a receive buffer a driver posts holds of memory, as a socket
 * charges it (Linux's truesize): the e1000 family's 2048-byte buffer, the
 * only size drivers here post, and its pbuf wrapper. */
#define SKB_RX_BUF_TRUESIZE (2048 + 64)
/* true if p is a driver's RX buffer (skb_from_rx_buffer's custom pbuf):
 * holding it holds the DMA buffer away from the ring */
bool skb_pbuf_is_rx_buffer(const struct pbuf *p);
/* lwIP's LWIP_HOOK_PBUF_REF_HEADROOM (net/lwip/include/lwip_hooks.h): for
 * an RX-buffer pbuf that lwIP alone holds (ref 1), the bytes of the buffer
 * in front of its payload (the frame's own headers, already parsed), which
 * pbuf_add_header may overwrite to answer in place; 0 for any other pbuf */
size_t skb_rx_pbuf_headroom(const struct pbuf *p);

/* Add len bytes at the tail; returns where they go.  Panics past end
 * (Linux skb_over_panic): writing there would corrupt memory. */
u8 *skb_put(struct sk_buff *skb, u32 len);
/* Add len bytes in front of data; returns the new data.  Panics below head. */
u8 *skb_push(struct sk_buff *skb, u32 len);
/* Remove len bytes from the front; returns the new data, or NULL (and
 * changes nothing) if the linear part holds fewer than len bytes. */
u8 *skb_pull(struct sk_buff *skb, u32 len);
/* Cut the data to len bytes (no-op if already shorter). */
void skb_trim(struct sk_buff *skb, u32 len);
/* Make len bytes of headroom in an empty skb.  Panics past end. */
void skb_reserve(struct sk_buff *skb, u32 len);

/* bytes in the linear part, data..tail */
static inline u32 skb_headlen(const struct sk_buff *skb)
{
	return skb->len - skb->data_len;
}

static inline bool skb_is_nonlinear(const struct sk_buff *skb)
{
	return skb->data_len != 0;
}

/* one piece of a frame, for a driver's scatter-gather DMA */
struct skb_seg {
	const void *data;
	u32 len;
};

/* The pieces of the frame in order, empty ones left out: the linear part,
 * then the chained pbufs.  Fills segs[0..max-1] and returns how many
 * pieces there are (more than max: the caller copies, or asks again). */
unsigned int skb_segs(const struct sk_buff *skb, struct skb_seg *segs, unsigned int max);
/* Copy len bytes at offset of the frame (linear or not) to to; 0, or
 * -EINVAL (nothing copied) past the end. */
int skb_copy_bits(const struct sk_buff *skb, u32 offset, void *to, u32 len);

static inline u32 skb_headroom(const struct sk_buff *skb)
{
	return (u32)(skb->data - skb->head);
}

static inline u32 skb_tailroom(const struct sk_buff *skb)
{
	return (u32)(skb->end - skb->tail);
}

/* A second skb over the same data (pbuf reference +1); both become
 * cloned.  NULL if memory is short. */
struct sk_buff *skb_clone(struct sk_buff *skb);
/* A private deep copy of head..end with the same offsets (a non-linear
 * skb becomes linear, headroom kept).  NULL if memory is short. */
struct sk_buff *skb_copy(const struct sk_buff *skb);
/* true if the data is shared with another clone (write only after skb_copy) */
bool skb_cloned(const struct sk_buff *skb);
/* another reference to the struct itself; returns skb */
struct sk_buff *skb_get(struct sk_buff *skb);

/* Drop a reference; at the last one free the struct and its data reference
 * and count the drop under reason. */
void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason);
static inline void kfree_skb(struct sk_buff *skb)
{
	kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
}
/* Free after normal use: counted as consumed, not as a drop. */
void consume_skb(struct sk_buff *skb);

/* For net/ glue only.  Hand the data to lwIP as one pbuf (chain) whose
 * payload is skb->data and total length skb->len; the skb is consumed.
 * Zero-copy when this is the only reference to the struct and the data (a
 * GRO-built skb stays the chain it is); otherwise the data is copied into
 * a new pbuf (headroom kept).  NULL if that copy fails (the skb
 * is then dropped, reason NOMEM). */
struct pbuf *skb_to_pbuf(struct sk_buff *skb);
/* For GRO (net/core/gro.c): append len bytes of skb's data from offset
 * off to head's, without a copy: skb's pbuf (holding its RX buffer) is
 * chained behind head's, and head becomes non-linear.  Both must be
 * linear-or-GRO-built, sole owners of their struct and data (users 1,
 * pbuf reference 1); skb is consumed.  A non-linear skb (its own chain:
 * a frame over several RX buffers, net/core/rx_chain.c) goes whole: off
 * within its linear part and len all the rest.  0, or -EINVAL (nothing
 * changed) when they are not, off + len passes skb's end, or head would
 * pass SKB_MAX_SIZE. */
int skb_gro_append(struct sk_buff *head, struct sk_buff *skb, u32 off, u32 len);
/* For net/ glue only (the TX path): an skb over p's data without a copy:
 * the skb holds its own reference to p (and so to the chain behind it) and
 * is marked cloned; a chain makes a non-linear skb.  NULL if memory is
 * short. */
struct sk_buff *skb_from_pbuf(struct net_device *dev, struct pbuf *p);

/* The 802.1Q tag carried beside the frame instead of in it (Linux's
 * hwaccel tag): a NIC that strips received tags puts them here, and a
 * frame with one here is sent with the tag put in by the NIC.  The frame
 * itself is then untagged. */
static inline bool skb_vlan_tag_present(const struct sk_buff *skb)
{
	return skb->vlan_proto != 0;
}
static inline u16 skb_vlan_tag_get(const struct sk_buff *skb)
{
	return skb->vlan_tci;
}
static inline void __vlan_hwaccel_put_tag(struct sk_buff *skb, u16 proto, u16 tci)
{
	skb->vlan_proto = proto;
	skb->vlan_tci = tci;
}
static inline void __vlan_hwaccel_clear_tag(struct sk_buff *skb)
{
	skb->vlan_proto = 0;
	skb->vlan_tci = 0;
}

/* header offsets */
static inline void skb_reset_mac_header(struct sk_buff *skb)
{
	skb->mac_header = (u16)(skb->data - skb->head);
}
static inline void skb_reset_network_header(struct sk_buff *skb)
{
	skb->network_header = (u16)(skb->data - skb->head);
}
static inline void skb_reset_transport_header(struct sk_buff *skb)
{
	skb->transport_header = (u16)(skb->data - skb->head);
}
static inline u8 *skb_mac_header(const struct sk_buff *skb)
{
	return skb->head + skb->mac_header;
}
static inline u8 *skb_network_header(const struct sk_buff *skb)
{
	return skb->head + skb->network_header;
}
static inline u8 *skb_transport_header(const struct sk_buff *skb)
{
	return skb->head + skb->transport_header;
}
static inline bool skb_mac_header_was_set(const struct sk_buff *skb)
{
	return skb->mac_header != SKB_HDR_UNSET;
}

/* queues */
static inline void skb_queue_head_init(struct sk_buff_head *q)
{
	q->next = q->prev = (struct sk_buff *)q;
	q->qlen = 0;
}

static inline u32 skb_queue_len(const struct sk_buff_head *q)
{
	return READ_ONCE(q->qlen);
}

static inline void __skb_queue_tail(struct sk_buff_head *q, struct sk_buff *skb)
{
	struct sk_buff *last = q->prev;

	skb->next = (struct sk_buff *)q;
	skb->prev = last;
	last->next = skb;
	q->prev = skb;
	q->qlen++;
}

static inline struct sk_buff *__skb_dequeue(struct sk_buff_head *q)
{
	struct sk_buff *skb = q->next;

	if (skb == (struct sk_buff *)q)
		return NULL;
	q->next = skb->next;
	skb->next->prev = (struct sk_buff *)q;
	skb->next = skb->prev = NULL;
	q->qlen--;
	return skb;
}

/* free every skb of q under reason */
void __skb_queue_purge_reason(struct sk_buff_head *q, enum skb_drop_reason reason);

/* counters */
struct skb_stats {
	u64 allocs;                        /* skb structs handed out */
	u64 frees;                         /* skb structs given back */
	u64 cache_hits;                    /* allocs served from the head cache */
	u64 rx_buf_cache_hits;             /* skb_from_rx_buffer wrappers reused */
	u64 clones, copies, pbuf_copies;   /* pbuf_copies: skb_to_pbuf/skb_from_pbuf had to copy */
	u64 rx_buffers_released;           /* driver release callbacks called */
	u64 drops[SKB_DROP_REASON_MAX];    /* [SKB_CONSUMED] = consumed */
};
/* one copy per CPU (kernel/percpu.h; host tests: one plain copy); read
 * them through skb_stats_read, skb_in_use, skb_drop_count */
DECLARE_PER_CPU(struct skb_stats, skb_stats);
/* every CPU's skb_stats added up into *out */
void skb_stats_read(struct skb_stats *out);

/* "CPU_BACKLOG" etc. (Linux's names without the prefix) */
const char *skb_drop_reason_name(enum skb_drop_reason reason);
/* drops counted under reason */
u64 skb_drop_count(enum skb_drop_reason reason);
/* skb structs currently allocated (not in the head cache) */
u64 skb_in_use(void);
/* objects held for reuse by the skb layer's caches (skb structs and RX
 * buffer wrappers: kmalloc'ed, not in use) */
unsigned int skb_cache_count(void);
/* give the caches (every CPU's) back to kmalloc (tests, shutdown); thread
 * context with interrupts on (the other CPUs empty theirs in an IPI) */
void skb_cache_drain(void);

#endif
