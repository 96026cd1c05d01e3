/* sk_buff over lwIP pbufs: allocation, the head cache, data operations,
 * clones and copies, drop accounting, and the hand-offs to and from lwIP.
 * Ownership rules are in net/core/skbuff.h. */
#include "net/core/skbuff.h"
#include "net/core/journey.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/obj_cache.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#ifndef HOST_TEST
#include "kernel/smp.h"
#endif
#include "kernel/printk.h"
#include "kernel/x86.h"
#include "lwip/pbuf.h"
#include <string.h>

/* skb structs and RX-buffer wrappers kept for reuse instead of going back
 * to kmalloc: one of each per frame on the receive path.  The wrapper cap
 * is larger because each frame lent to the stack holds one until lwIP frees
 * it (up to a ring and a half per NIC: drivers/net/e1000/e1000_rxpool.c). */
#define SKB_CACHE_MAX    64
#define RX_BUF_CACHE_MAX 256

/* counters may be bumped from hard IRQ, softirq and thread context on
 * every CPU: each CPU adds to its own copy in one %gs-relative
 * instruction, which neither an interrupt nor a thread's migration can
 * split (this_cpu_add_u64), the views sum the copies.  One shared copy cost 6 atomic adds per received frame on a
 * cache line that every receiving CPU wrote (under QEMU's MTTCG with 2
 * vCPUs, host atomics in helper calls on a line bouncing between the host
 * cores) */
DEFINE_PER_CPU(struct skb_stats, skb_stats);
#define STAT_INC(field) this_cpu_add_u64(skb_stats.field, 1)
/* one field summed over the CPUs that came up (the others have no copy) */
#define STAT_SUM(field) ({ \
	u64 _sum = 0; \
	for (unsigned int _c = 0; _c < nr_cpu_ids_online(); _c++) \
		_sum += READ_ONCE(per_cpu(skb_stats, _c).field); \
	_sum; })

void skb_stats_read(struct skb_stats *out)
{
	_Static_assert(sizeof(*out) % sizeof(u64) == 0, "struct skb_stats: u64 fields only");
	u64 *o = (u64 *)out;

	memset(out, 0, sizeof(*out));
	for (unsigned int c = 0; c < nr_cpu_ids_online(); c++) {
		const u64 *in = (const u64 *)per_cpu_ptr(&skb_stats, c);

		for (size_t i = 0; i < sizeof(*out) / sizeof(u64); i++)
			o[i] += READ_ONCE(in[i]);
	}
}

/* skb structs and RX-buffer wrappers: per-CPU caches (kernel/obj_cache.h);
 * skb_cache_drain empties every CPU's lists, each on its own CPU. */
static DEFINE_PER_CPU(struct obj_cache, skb_cache_pcpu);
static const struct obj_cache_kind skb_cache = {
	&skb_cache_pcpu, SKB_CACHE_MAX, sizeof(struct sk_buff),
};
static const char *const drop_reason_names[SKB_DROP_REASON_MAX] = {
	[SKB_NOT_DROPPED_YET] = "NOT_DROPPED_YET",
	[SKB_CONSUMED] = "CONSUMED",
	[SKB_DROP_REASON_NOT_SPECIFIED] = "NOT_SPECIFIED",
	[SKB_DROP_REASON_NO_SOCKET] = "NO_SOCKET",
	[SKB_DROP_REASON_PKT_TOO_SMALL] = "PKT_TOO_SMALL",
	[SKB_DROP_REASON_PKT_TOO_BIG] = "PKT_TOO_BIG",
	[SKB_DROP_REASON_OTHERHOST] = "OTHERHOST",
	[SKB_DROP_REASON_IP_CSUM] = "IP_CSUM",
	[SKB_DROP_REASON_IP_INHDR] = "IP_INHDR",
	[SKB_DROP_REASON_TCP_CSUM] = "TCP_CSUM",
	[SKB_DROP_REASON_UDP_CSUM] = "UDP_CSUM",
	[SKB_DROP_REASON_UNHANDLED_PROTO] = "UNHANDLED_PROTO",
	[SKB_DROP_REASON_CPU_BACKLOG] = "CPU_BACKLOG",
	[SKB_DROP_REASON_NOMEM] = "NOMEM",
	[SKB_DROP_REASON_DEV_HDR] = "DEV_HDR",
	[SKB_DROP_REASON_DEV_READY] = "DEV_READY",
	[SKB_DROP_REASON_FULL_RING] = "FULL_RING",
	[SKB_DROP_REASON_QDISC_DROP] = "QDISC_DROP",
};

const char *skb_drop_reason_name(enum skb_drop_reason reason)
{
	if ((unsigned int)reason >= SKB_DROP_REASON_MAX)
		return "?";
	return drop_reason_names[reason];
}

u64 skb_drop_count(enum skb_drop_reason reason)
{
	if ((unsigned int)reason >= SKB_DROP_REASON_MAX)
		return 0;
	return STAT_SUM(drops[reason]);
}

u64 skb_in_use(void)
{
	return STAT_SUM(allocs) - STAT_SUM(frees);
}

/* a zeroed struct from the cache or kmalloc */
static struct sk_buff *skb_struct_alloc(void)
{
	struct sk_buff *skb;
	bool hit;

	skb = obj_cache_get(&skb_cache, &hit);
	if (!skb)
		return NULL;
	if (hit)
		STAT_INC(cache_hits);
	memset(skb, 0, sizeof(*skb));
	skb->users = 1;
	skb->mac_header = skb->network_header = skb->transport_header = SKB_HDR_UNSET;
	STAT_INC(allocs);
	return skb;
}

static void skb_struct_free(struct sk_buff *skb)
{
	STAT_INC(frees);
	obj_cache_put(&skb_cache, skb);
}

/* point a fresh skb at [buf, buf + size) owned by p */
static void skb_attach(struct sk_buff *skb, struct pbuf *p, u8 *buf, u32 size)
{
	skb->pbuf = p;
	skb->head = skb->data = skb->tail = buf;
	skb->end = buf + size;
}

struct sk_buff *alloc_skb(u32 size)
{
	struct sk_buff *skb;
	struct pbuf *p;

	if (size > SKB_MAX_SIZE)
		return NULL;
	skb = skb_struct_alloc();
	if (!skb)
		return NULL;
	p = pbuf_alloc(PBUF_RAW, (u16_t)size, PBUF_RAM);
	if (!p) {
		skb_struct_free(skb);
		return NULL;
	}
	skb_attach(skb, p, p->payload, size);
	return skb;
}

struct sk_buff *netdev_alloc_skb(struct net_device *dev, u32 len)
{
	struct sk_buff *skb;

	if (len > SKB_MAX_SIZE - NET_SKB_PAD)
		return NULL;
	skb = alloc_skb(len + NET_SKB_PAD);
	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD);
	skb->dev = dev;
	return skb;
}

/* the lwIP custom pbuf over a driver's RX buffer, and how to give it back */
struct skb_rx_buf {
	struct pbuf_custom pc;     /* first: lwIP hands back &pc.pbuf */
	skb_release_fn release;
	void *ctx;
	void *buf;
};

static DEFINE_PER_CPU(struct obj_cache, rx_buf_cache_pcpu);
static const struct obj_cache_kind rx_buf_cache = {
	&rx_buf_cache_pcpu, RX_BUF_CACHE_MAX, sizeof(struct skb_rx_buf),
};

unsigned int skb_cache_count(void)
{
	return obj_cache_len(&skb_cache) + obj_cache_len(&rx_buf_cache);
}

static void skb_cache_drain_local(void *unused)
{
	(void)unused;
	obj_cache_drain_local(&skb_cache);
	obj_cache_drain_local(&rx_buf_cache);
}

void skb_cache_drain(void)
{
	skb_cache_drain_local(NULL);
#ifndef HOST_TEST
	/* the other CPUs' lists, each emptied on its own CPU */
	for (unsigned int cpu = 0; cpu < nr_cpu_ids_online(); cpu++)
		if (cpu != smp_processor_id())
			smp_call_function_single(cpu, skb_cache_drain_local, NULL, true);
#endif
}

/* lwIP calls this when the last reference to the data goes */
static void skb_rx_buf_free(struct pbuf *p)
{
	struct skb_rx_buf *rb = container_of(p, struct skb_rx_buf, pc.pbuf);

	skb_release_fn release = rb->release;
	void *ctx = rb->ctx, *buf = rb->buf;

	STAT_INC(rx_buffers_released);
	obj_cache_put(&rx_buf_cache, rb);
	release(ctx, buf);
}

bool skb_pbuf_is_rx_buffer(const struct pbuf *p)
{
	return (p->flags & PBUF_FLAG_IS_CUSTOM) &&
	       ((const struct pbuf_custom *)p)->custom_free_function == skb_rx_buf_free;
}

size_t skb_rx_pbuf_headroom(const struct pbuf *p)
{
	const struct skb_rx_buf *rb;

	/* only lwIP's own (ref 1): the bytes are nobody else's view */
	if (!skb_pbuf_is_rx_buffer(p) || p->ref != 1)
		return 0;
	rb = container_of(p, struct skb_rx_buf, pc.pbuf);
	return (size_t)((const u8 *)p->payload - (const u8 *)rb->buf);
}

struct sk_buff *skb_from_rx_buffer(struct net_device *dev, void *buf, u32 len,
				   skb_release_fn release, void *ctx)
{
	struct skb_rx_buf *rb;
	struct sk_buff *skb;
	struct pbuf *p;
	bool hit;

	if (!buf || !release || len > SKB_MAX_SIZE)
		return NULL;
	skb = skb_struct_alloc();
	if (!skb)
		return NULL;
	rb = obj_cache_get(&rx_buf_cache, &hit);
	if (!rb) {
		skb_struct_free(skb);
		return NULL;
	}
	if (hit)
		STAT_INC(rx_buf_cache_hits);
	rb->release = release;
	rb->ctx = ctx;
	rb->buf = buf;
	rb->pc.custom_free_function = skb_rx_buf_free;
	/* PBUF_REF: lwIP may only move the payload within what we give it,
	 * and write headers in front of it within buf (skb_rx_pbuf_headroom) */
	p = pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_REF, &rb->pc, buf, (u16_t)len);
	skb_attach(skb, p, buf, len);
	skb->tail = skb->end;
	skb->len = len;
	skb->dev = dev;
	return skb;
}

static __noreturn void skb_panic(const struct sk_buff *skb, u32 len, const char *op)
{
	panic("skb %s of %u bytes out of bounds: head %p data %p tail %p end %p len %u",
	      op, len, (void *)skb->head, (void *)skb->data, (void *)skb->tail,
	      (void *)skb->end, skb->len);
}

u8 *skb_put(struct sk_buff *skb, u32 len)
{
	u8 *old = skb->tail;

	if (len > skb_tailroom(skb))
		skb_panic(skb, len, "put");
	skb->tail += len;
	skb->len += len;
	return old;
}

u8 *skb_push(struct sk_buff *skb, u32 len)
{
	if (len > skb_headroom(skb))
		skb_panic(skb, len, "push");
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

u8 *skb_pull(struct sk_buff *skb, u32 len)
{
	if (len > skb_headlen(skb))
		return NULL;
	skb->data += len;
	skb->len -= len;
	return skb->data;
}

void skb_trim(struct sk_buff *skb, u32 len)
{
	if (skb->len <= len)
		return;
	if (len <= skb_headlen(skb)) {
		skb->tail = skb->data + len;
		skb->data_len = 0;
	} else {
		/* the cut falls in the chain: skb_segs stops there */
		skb->data_len = len - skb_headlen(skb);
	}
	skb->len = len;
}

unsigned int skb_segs(const struct sk_buff *skb, struct skb_seg *segs, unsigned int max)
{
	unsigned int n = 0;
	u32 left = skb->data_len;

	if (skb_headlen(skb)) {
		if (n < max)
			segs[n] = (struct skb_seg){ skb->data, skb_headlen(skb) };
		n++;
	}
	for (const struct pbuf *q = skb->pbuf->next; q && left; q = q->next) {
		u32 piece = MIN((u32)q->len, left);

		if (!piece)
			continue;
		if (n < max)
			segs[n] = (struct skb_seg){ q->payload, piece };
		n++;
		left -= piece;
	}
	return n;
}

int skb_copy_bits(const struct sk_buff *skb, u32 offset, void *to, u32 len)
{
	u32 head = skb_headlen(skb), left;
	u8 *out = to;

	if (offset > skb->len || len > skb->len - offset)
		return -EINVAL;
	if (offset < head) {
		u32 n = MIN(len, head - offset);

		memcpy(out, skb->data + offset, n);
		out += n;
		len -= n;
		offset = 0;
	} else {
		offset -= head;
	}
	/* the rest from the chain: offset is now relative to its start */
	left = len;
	for (const struct pbuf *q = skb->pbuf->next; q && left; q = q->next) {
		u32 n;

		if (offset >= q->len) {
			offset -= q->len;
			continue;
		}
		n = MIN((u32)q->len - offset, left);
		memcpy(out, (const u8 *)q->payload + offset, n);
		out += n;
		left -= n;
		offset = 0;
	}
	return left ? -EINVAL : 0;
}

void skb_reserve(struct sk_buff *skb, u32 len)
{
	if (skb->len || len > skb_tailroom(skb))
		skb_panic(skb, len, "reserve");
	skb->data += len;
	skb->tail += len;
}

/* copy the metadata (not the links, users or data ownership) */
static void skb_copy_header(struct sk_buff *to, const struct sk_buff *from)
{
	to->dev = from->dev;
	to->tstamp = from->tstamp;
	to->hash = from->hash;
	to->protocol = from->protocol;
	to->mac_header = from->mac_header;
	to->network_header = from->network_header;
	to->transport_header = from->transport_header;
	to->ip_summed = from->ip_summed;
	to->vlan_proto = from->vlan_proto;
	to->vlan_tci = from->vlan_tci;
}

struct sk_buff *skb_clone(struct sk_buff *skb)
{
	struct sk_buff *n;

	/* the pbuf reference count is narrow (LWIP_PBUF_REF_T) */
	if ((LWIP_PBUF_REF_T)(skb->pbuf->ref + 1) == 0)
		return NULL;
	n = skb_struct_alloc();
	if (!n)
		return NULL;
	skb_copy_header(n, skb);
	n->pbuf = skb->pbuf;
	n->head = skb->head;
	n->data = skb->data;
	n->tail = skb->tail;
	n->end = skb->end;
	n->len = skb->len;
	n->data_len = skb->data_len;
	pbuf_ref(skb->pbuf);
	n->cloned = skb->cloned = 1;
	STAT_INC(clones);
	return n;
}

struct sk_buff *skb_copy(const struct sk_buff *skb)
{
	u32 size = (u32)(skb->end - skb->head);
	struct sk_buff *n;

	if (skb_is_nonlinear(skb))
		size = skb_headroom(skb) + skb->len;
	n = alloc_skb(size);
	if (!n)
		return NULL;
	skb_copy_header(n, skb);
	if (skb_is_nonlinear(skb))
		skb_copy_bits(skb, 0, n->head + skb_headroom(skb), skb->len);
	else
		memcpy(n->head, skb->head, size);
	n->data = n->head + skb_headroom(skb);
	n->tail = n->data + skb->len;
	n->len = skb->len;
	STAT_INC(copies);
	return n;
}

bool skb_cloned(const struct sk_buff *skb)
{
	return skb->cloned && skb->pbuf->ref > 1;
}

struct sk_buff *skb_get(struct sk_buff *skb)
{
	__atomic_add_fetch(&skb->users, 1, __ATOMIC_RELAXED);
	return skb;
}

/* drop one struct reference; true if it was the last */
static bool skb_unref(struct sk_buff *skb)
{
	if (skb->users == 1)
		return true;
	return __atomic_sub_fetch(&skb->users, 1, __ATOMIC_ACQ_REL) == 0;
}

static void skb_release(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if ((unsigned int)reason >= SKB_DROP_REASON_MAX || reason == SKB_NOT_DROPPED_YET)
		reason = SKB_DROP_REASON_NOT_SPECIFIED;
	STAT_INC(drops[reason]);
	journey_skb_release(skb);
	/* the last reference to the data frees it: mem_free, or the driver's
	 * release callback for an RX buffer */
	pbuf_free(skb->pbuf);
	skb_struct_free(skb);
}

void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!skb || !skb_unref(skb))
		return;
	skb_release(skb, reason);
}

void consume_skb(struct sk_buff *skb)
{
	kfree_skb_reason(skb, SKB_CONSUMED);
}

void __skb_queue_purge_reason(struct sk_buff_head *q, enum skb_drop_reason reason)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q)))
		kfree_skb_reason(skb, reason);
}

/* true if the chain behind skb's first pbuf is exactly its data_len bytes
 * and nobody else holds a piece of it (so lwIP may own it as it is) */
static bool skb_gro_chain_whole(const struct sk_buff *skb)
{
	u32 total = 0;

	if (!skb_is_nonlinear(skb))
		return false;
	for (const struct pbuf *q = skb->pbuf->next; q; q = q->next) {
		if (q->ref != 1)
			return false;
		total += q->len;
	}
	return total == skb->data_len;
}

int skb_gro_append(struct sk_buff *head, struct sk_buff *skb, u32 off, u32 len)
{
	struct pbuf *hp = head->pbuf, *p = skb->pbuf;

	bool chain = skb_is_nonlinear(skb);

	if (head == skb || head->users != 1 || hp->ref != 1 || skb->users != 1 ||
	    p->ref != 1 || off > skb->len || len > skb->len - off || !len ||
	    head->len + len > SKB_MAX_SIZE ||
	    (skb_is_nonlinear(head) && !skb_gro_chain_whole(head)))
		return -EINVAL;
	/* a chain (a frame over several RX buffers) goes whole: its linear
	 * part from off, then its pbufs as they are */
	if (chain ? !skb_gro_chain_whole(skb) || off >= skb_headlen(skb) || len != skb->len - off :
		    p->next != NULL)
		return -EINVAL;
	if (!skb_is_nonlinear(head)) {
		/* the first pbuf becomes head's linear part exactly */
		hp->payload = head->data;
		hp->len = hp->tot_len = (u16_t)head->len;
	}
	p->payload = skb->data + off;
	p->len = (u16_t)(chain ? skb_headlen(skb) - off : len);
	p->tot_len = (u16_t)len;
	/* pbuf_cat: head's chain takes over skb's pbuf reference */
	pbuf_cat(hp, p);
	head->len += len;
	head->data_len += len;
	journey_skb_release(skb);
	STAT_INC(drops[SKB_CONSUMED]);
	skb_struct_free(skb);
	return 0;
}

struct pbuf *skb_to_pbuf(struct sk_buff *skb)
{
	struct pbuf *p = skb->pbuf;
	u32 headroom = skb_headroom(skb);

	if (skb->users == 1 && p->ref == 1 && !skb_is_nonlinear(skb)) {
		/* sole owner: lwIP gets the pbuf itself, payload at data */
		p->payload = skb->data;
		p->len = p->tot_len = (u16_t)skb->len;
		skb_struct_free(skb);
		STAT_INC(drops[SKB_CONSUMED]);
		return p;
	}
	if (skb->users == 1 && p->ref == 1 && skb_gro_chain_whole(skb)) {
		/* a GRO-built chain, sole owner: the first pbuf's payload at
		 * data, the chained pbufs (each its own RX buffer) as they are */
		p->payload = skb->data;
		p->len = (u16_t)skb_headlen(skb);
		p->tot_len = (u16_t)skb->len;
		skb_struct_free(skb);
		STAT_INC(drops[SKB_CONSUMED]);
		return p;
	}
	/* shared: lwIP may write into what it owns, so give it a copy */
	p = pbuf_alloc(PBUF_RAW, (u16_t)(headroom + skb->len), PBUF_RAM);
	if (!p) {
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	pbuf_remove_header(p, headroom);
	skb_copy_bits(skb, 0, p->payload, skb->len);
	STAT_INC(pbuf_copies);
	consume_skb(skb);
	return p;
}

struct sk_buff *skb_from_pbuf(struct net_device *dev, struct pbuf *p)
{
	struct sk_buff *skb;

	if ((LWIP_PBUF_REF_T)(p->ref + 1) == 0)
		return NULL;
	skb = skb_struct_alloc();
	if (!skb)
		return NULL;
	/* one reference on the first pbuf keeps the whole chain */
	pbuf_ref(p);
	skb_attach(skb, p, p->payload, p->len);
	skb->tail = skb->end;
	skb->len = p->tot_len;
	skb->data_len = (u32)p->tot_len - p->len;
	/* lwIP still holds the data (retransmission queues): read-only */
	skb->cloned = 1;
	skb->dev = dev;
	return skb;
}
