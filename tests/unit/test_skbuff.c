/* net/core/skbuff.c over lwIP pbufs built for the host: every data op and
 * its bounds, clone/copy semantics and refcounts, the RX buffer release
 * callback, drop reasons, and the hand-offs to and from lwIP. */
#include <check.h>
#include <signal.h>
#include <string.h>
#include "kernel/errno.h"
#include "lwip_leak.h"
#include "lwip/pbuf.h"
#include "net/core/skbuff.h"
#include "check_main.h"

/* a driver's RX buffers and how often each came back */
#define NBUF 4
static u8 dma[NBUF][2048];
static int released[NBUF];
static void *release_ctx_seen;

static void rx_release(void *ctx, void *buf)
{
	int i = (int)(((u8(*)[2048])buf) - dma);

	ck_assert_int_ge(i, 0);
	ck_assert_int_lt(i, NBUF);
	ck_assert_ptr_eq(buf, dma[i]);
	release_ctx_seen = ctx;
	released[i]++;
}

static struct sk_buff *rx_skb(int i, u32 len)
{
	for (u32 b = 0; b < len; b++)
		dma[i][b] = (u8)(b * 7 + i);
	return skb_from_rx_buffer((struct net_device *)0x1234, dma[i], len, rx_release, &released);
}

START_TEST(alloc_put_push_pull_reserve_trim)
{
	struct sk_buff *skb = alloc_skb(128);
	u8 *p;

	ck_assert_ptr_nonnull(skb);
	ck_assert_uint_eq(skb_headroom(skb), 0);
	ck_assert_uint_eq(skb_tailroom(skb), 128);
	ck_assert_uint_eq(skb->len, 0);
	ck_assert_uint_eq(skb->users, 1);
	ck_assert(!skb_mac_header_was_set(skb));

	skb_reserve(skb, 32);
	ck_assert_uint_eq(skb_headroom(skb), 32);
	ck_assert_uint_eq(skb_tailroom(skb), 96);

	p = skb_put(skb, 50);
	ck_assert_ptr_eq(p, skb->head + 32);
	memset(p, 0xab, 50);
	ck_assert_uint_eq(skb->len, 50);
	ck_assert_ptr_eq(skb->tail, skb->data + 50);
	ck_assert_uint_eq(skb_tailroom(skb), 46);

	p = skb_push(skb, 14);
	ck_assert_ptr_eq(p, skb->head + 18);
	ck_assert_uint_eq(skb->len, 64);
	skb_reset_mac_header(skb);
	ck_assert_uint_eq(skb->mac_header, 18);

	ck_assert_ptr_eq(skb_pull(skb, 14), skb->head + 32);
	skb_reset_network_header(skb);
	ck_assert_ptr_eq(skb_network_header(skb), skb->data);
	ck_assert_ptr_eq(skb_mac_header(skb), skb->head + 18);
	ck_assert_uint_eq(skb->len, 50);

	ck_assert_ptr_null(skb_pull(skb, 51));           /* too much: unchanged */
	ck_assert_uint_eq(skb->len, 50);
	ck_assert_ptr_eq(skb->data, skb->head + 32);

	skb_trim(skb, 20);
	ck_assert_uint_eq(skb->len, 20);
	ck_assert_ptr_eq(skb->tail, skb->data + 20);
	skb_trim(skb, 40);                                 /* longer: no-op */
	ck_assert_uint_eq(skb->len, 20);

	/* exactly to the end is allowed */
	skb_put(skb, skb_tailroom(skb));
	ck_assert_ptr_eq(skb->tail, skb->end);
	ck_assert_uint_eq(skb_tailroom(skb), 0);
	consume_skb(skb);
}
END_TEST

START_TEST(netdev_alloc_skb_reserves_pad)
{
	struct net_device *dev = (struct net_device *)0x42;
	struct sk_buff *skb = netdev_alloc_skb(dev, 1514);

	ck_assert_ptr_nonnull(skb);
	ck_assert_uint_eq(skb_headroom(skb), NET_SKB_PAD);
	ck_assert_uint_ge(skb_tailroom(skb), 1514);
	ck_assert_ptr_eq(skb->dev, dev);
	kfree_skb(skb);
	ck_assert_ptr_null(netdev_alloc_skb(dev, SKB_MAX_SIZE));
	ck_assert_ptr_null(alloc_skb(SKB_MAX_SIZE + 1));
}
END_TEST

START_TEST(put_past_end_is_caught)
{
	struct sk_buff *skb = alloc_skb(64);

	skb_put(skb, 60);
	skb_put(skb, 5);          /* panics (abort) before touching memory */
}
END_TEST

START_TEST(push_below_head_is_caught)
{
	struct sk_buff *skb = alloc_skb(64);

	skb_reserve(skb, 8);
	skb_push(skb, 9);
}
END_TEST

START_TEST(reserve_past_end_is_caught)
{
	struct sk_buff *skb = alloc_skb(64);

	skb_reserve(skb, 65);
}
END_TEST

START_TEST(allocation_failure_leaks_nothing)
{
	host_kmalloc_fail_after = 1;
	ck_assert_ptr_null(alloc_skb(100));
	ck_assert_ptr_null(skb_from_rx_buffer(NULL, dma[0], 60, rx_release, NULL));
	host_kmalloc_fail_after = 2;      /* the skb struct, then not the RX wrapper */
	ck_assert_ptr_null(skb_from_rx_buffer(NULL, dma[0], 60, rx_release, NULL));
	host_kmalloc_fail_after = 0;
	ck_assert_int_eq(released[0], 0);  /* the driver keeps its buffer */
}
END_TEST

START_TEST(rx_buffer_is_zero_copy_and_released_once)
{
	struct sk_buff *skb = rx_skb(1, 60);

	ck_assert_ptr_nonnull(skb);
	ck_assert_ptr_eq(skb->head, dma[1]);
	ck_assert_ptr_eq(skb->data, dma[1]);
	ck_assert_uint_eq(skb->len, 60);
	ck_assert_uint_eq(skb_tailroom(skb), 0);
	ck_assert_ptr_eq(skb->dev, (struct net_device *)0x1234);
	skb_pull(skb, 14);
	ck_assert_uint_eq(skb->data[0], (u8)(14 * 7 + 1));
	ck_assert_int_eq(released[1], 0);
	kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
	ck_assert_int_eq(released[1], 1);
	ck_assert_ptr_eq(release_ctx_seen, &released);
	ck_assert_uint_eq(skb_stats.rx_buffers_released, 1);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_OTHERHOST), 1);
}
END_TEST

START_TEST(clone_shares_data_and_last_free_releases)
{
	struct sk_buff *a = rx_skb(2, 100), *b, *c;

	b = skb_clone(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_ptr_eq(b->data, a->data);
	ck_assert_ptr_eq(b->pbuf, a->pbuf);
	ck_assert_uint_eq(a->pbuf->ref, 2);
	ck_assert(a->cloned && b->cloned);
	ck_assert(skb_cloned(a) && skb_cloned(b));
	ck_assert_ptr_eq(b->dev, a->dev);

	/* a clone has its own pointers */
	skb_pull(b, 20);
	ck_assert_uint_eq(a->len, 100);
	ck_assert_uint_eq(b->len, 80);

	c = skb_clone(b);
	ck_assert_uint_eq(a->pbuf->ref, 3);
	ck_assert_uint_eq(c->len, 80);

	consume_skb(a);
	ck_assert_int_eq(released[2], 0);
	kfree_skb(c);
	ck_assert_int_eq(released[2], 0);
	ck_assert(!skb_cloned(b));        /* the only one left */
	ck_assert_uint_eq(b->data[0], (u8)(20 * 7 + 2));
	consume_skb(b);
	ck_assert_int_eq(released[2], 1);
	ck_assert_uint_eq(skb_stats.clones, 2);
	ck_assert_uint_eq(skb_drop_count(SKB_CONSUMED), 2);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED), 1);
}
END_TEST

START_TEST(clone_refcount_cannot_wrap)
{
	struct sk_buff *a = alloc_skb(16), *c[300];
	int n = 0;

	while (n < 300 && (c[n] = skb_clone(a)))
		n++;
	ck_assert_int_eq(n, 254);          /* the pbuf ref (u8) stops at 255 */
	ck_assert_uint_eq(a->pbuf->ref, 255);
	while (n--)
		consume_skb(c[n]);
	ck_assert_uint_eq(a->pbuf->ref, 1);
	consume_skb(a);
}
END_TEST

START_TEST(copy_is_deep_with_same_layout)
{
	struct sk_buff *a = rx_skb(3, 200), *b;

	skb_pull(a, 14);
	skb_reset_network_header(a);
	a->protocol = 0x0008;
	a->hash = 0xdeadbeef;
	a->tstamp = 12345;
	b = skb_copy(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(b->head, a->head);
	ck_assert_ptr_ne(b->pbuf, a->pbuf);
	ck_assert_uint_eq(skb_headroom(b), 14);
	ck_assert_uint_eq(b->len, 186);
	ck_assert_uint_eq(b->network_header, a->network_header);
	ck_assert_uint_eq(b->protocol, 0x0008);
	ck_assert_uint_eq(b->hash, 0xdeadbeef);
	ck_assert_uint_eq(b->tstamp, 12345);
	ck_assert(!b->cloned && !skb_cloned(a));
	ck_assert_mem_eq(b->head, a->head, 200);
	b->data[0] ^= 0xff;                /* private: the original is untouched */
	ck_assert_uint_eq(a->data[0], (u8)(14 * 7 + 3));
	consume_skb(a);
	ck_assert_int_eq(released[3], 1);  /* the copy does not hold the DMA buffer */
	ck_assert_uint_eq(b->data[1], (u8)(15 * 7 + 3));
	consume_skb(b);
}
END_TEST

START_TEST(skb_get_keeps_struct_until_last_put)
{
	struct sk_buff *a = rx_skb(0, 64);

	ck_assert_ptr_eq(skb_get(a), a);
	ck_assert_uint_eq(a->users, 2);
	kfree_skb_reason(a, SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(released[0], 0);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_NO_SOCKET), 0);   /* not freed yet */
	ck_assert_uint_eq(a->users, 1);
	kfree_skb_reason(a, SKB_DROP_REASON_NO_SOCKET);
	ck_assert_int_eq(released[0], 1);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_NO_SOCKET), 1);
	kfree_skb(NULL);                   /* allowed, like Linux */
}
END_TEST

START_TEST(drop_reasons_are_counted_by_name)
{
	static const enum skb_drop_reason reasons[] = {
		SKB_DROP_REASON_PKT_TOO_SMALL, SKB_DROP_REASON_PKT_TOO_SMALL,
		SKB_DROP_REASON_IP_CSUM, SKB_DROP_REASON_CPU_BACKLOG,
		SKB_NOT_DROPPED_YET, (enum skb_drop_reason)999,
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		kfree_skb_reason(alloc_skb(32), reasons[i]);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_PKT_TOO_SMALL), 2);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_IP_CSUM), 1);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_CPU_BACKLOG), 1);
	/* "not dropped yet" and nonsense count as unspecified */
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_NOT_SPECIFIED), 2);
	ck_assert_uint_eq(skb_drop_count(SKB_CONSUMED), 0);
	ck_assert_uint_eq(skb_drop_count((enum skb_drop_reason)999), 0);
	ck_assert_str_eq(skb_drop_reason_name(SKB_DROP_REASON_CPU_BACKLOG), "CPU_BACKLOG");
	ck_assert_str_eq(skb_drop_reason_name(SKB_DROP_REASON_UNHANDLED_PROTO), "UNHANDLED_PROTO");
	for (int r = 0; r < SKB_DROP_REASON_MAX; r++)
		ck_assert_ptr_nonnull(skb_drop_reason_name(r));
	ck_assert_str_eq(skb_drop_reason_name(SKB_DROP_REASON_MAX), "?");
}
END_TEST

START_TEST(to_pbuf_hands_over_without_copy)
{
	struct sk_buff *skb = rx_skb(1, 98);
	struct pbuf *p;
	u8 *data;

	skb_pull(skb, 14);
	data = skb->data;
	p = skb_to_pbuf(skb);              /* skb is gone; lwIP owns p */
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(p->payload, data);
	ck_assert_uint_eq(p->len, 84);
	ck_assert_uint_eq(p->tot_len, 84);
	ck_assert_ptr_null(p->next);
	ck_assert_uint_eq(p->ref, 1);
	ck_assert_uint_eq(skb_stats.pbuf_copies, 0);
	/* lwIP moves its payload pointer inside the buffer as it parses */
	ck_assert_int_eq(pbuf_remove_header(p, 20), 0);
	ck_assert_int_eq(released[1], 0);
	pbuf_free(p);
	ck_assert_int_eq(released[1], 1);
}
END_TEST

START_TEST(to_pbuf_keeps_headroom_for_lwip)
{
	struct sk_buff *skb = alloc_skb(200);
	struct pbuf *p;

	skb_reserve(skb, 40);
	memset(skb_put(skb, 100), 0x5a, 100);
	p = skb_to_pbuf(skb);
	ck_assert_uint_eq(p->len, 100);
	/* lwIP may prepend headers into the skb's headroom, no further */
	ck_assert_int_eq(pbuf_add_header(p, 40), 0);
	ck_assert_int_ne(pbuf_add_header(p, 1), 0);
	ck_assert_uint_eq(p->len, 140);
	pbuf_free(p);
}
END_TEST

/* LWIP_HOOK_PBUF_REF_HEADROOM's answer (the kernel's lwIP calls it from
 * pbuf_add_header; the host's lwIP is built without it): for an RX
 * buffer lwIP alone holds, the bytes from the buffer's start to the
 * payload, following the payload as lwIP moves it; none once shared, and
 * none for a pbuf of another kind */
START_TEST(rx_pbuf_headroom)
{
	struct sk_buff *skb = rx_skb(1, 98), *other = alloc_skb(100);
	struct pbuf *p, *q;

	skb_pull(skb, 14);
	p = skb_to_pbuf(skb);
	ck_assert_uint_eq(skb_rx_pbuf_headroom(p), 14);
	ck_assert_int_eq(pbuf_remove_header(p, 28), 0);      /* IP and UDP parsed */
	ck_assert_uint_eq(skb_rx_pbuf_headroom(p), 42);
	/* what the hook lets lwIP do: the payload back to the buffer's start */
	ck_assert_int_eq(pbuf_add_header_force(p, 42), 0);
	ck_assert_ptr_eq(p->payload, dma[1]);
	ck_assert_uint_eq(skb_rx_pbuf_headroom(p), 0);
	ck_assert_int_eq(pbuf_remove_header(p, 8), 0);
	pbuf_ref(p);                                          /* shared */
	ck_assert_uint_eq(skb_rx_pbuf_headroom(p), 0);
	pbuf_free(p);
	ck_assert_uint_eq(skb_rx_pbuf_headroom(p), 8);
	/* an skb's own pbuf (alloc_skb: PBUF_RAM) is not an RX buffer */
	skb_reserve(other, 40);
	skb_put(other, 10);
	q = skb_to_pbuf(other);
	ck_assert_uint_eq(skb_rx_pbuf_headroom(q), 0);
	pbuf_free(q);
	ck_assert_int_eq(released[1], 0);
	pbuf_free(p);
	ck_assert_int_eq(released[1], 1);
}
END_TEST

START_TEST(to_pbuf_copies_shared_data)
{
	struct sk_buff *a = rx_skb(2, 80), *b = skb_clone(a);
	struct pbuf *p;

	skb_pull(a, 14);
	p = skb_to_pbuf(a);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_ne(p->payload, b->data + 14);     /* a private copy ... */
	ck_assert_mem_eq(p->payload, b->data + 14, 66);  /* ... of the same bytes */
	ck_assert_uint_eq(p->len, 66);
	ck_assert_uint_eq(skb_stats.pbuf_copies, 1);
	ck_assert_int_eq(pbuf_add_header(p, 14), 0);      /* headroom kept */
	pbuf_free(p);
	ck_assert_int_eq(released[2], 0);                 /* b still holds the buffer */
	consume_skb(b);
	ck_assert_int_eq(released[2], 1);

	/* a struct reference held elsewhere also forces a copy */
	a = rx_skb(3, 60);
	skb_get(a);
	p = skb_to_pbuf(a);
	ck_assert_ptr_ne(p->payload, a->data);
	ck_assert_uint_eq(a->users, 1);
	pbuf_free(p);
	consume_skb(a);
	ck_assert_int_eq(released[3], 1);
}
END_TEST

START_TEST(from_pbuf_shares_single_and_chain)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, 60, PBUF_RAM), *q, *r, *e;
	struct sk_buff *skb, *lin;
	struct skb_seg segs[4];
	u8 out[50];

	memset(p->payload, 0x11, 60);
	skb = skb_from_pbuf((struct net_device *)0x9, p);
	ck_assert_ptr_eq(skb->data, p->payload);
	ck_assert_uint_eq(skb->len, 60);
	ck_assert(!skb_is_nonlinear(skb));
	ck_assert_uint_eq(p->ref, 2);
	ck_assert(skb_cloned(skb));        /* lwIP still holds it: read-only */
	pbuf_free(p);                      /* the caller's reference */
	ck_assert(!skb_cloned(skb));
	ck_assert_uint_eq(skb_segs(skb, segs, 4), 1);
	ck_assert_ptr_eq(segs[0].data, skb->data);
	ck_assert_uint_eq(segs[0].len, 60);
	consume_skb(skb);

	/* a chain of three with an empty pbuf in it: shared, not copied */
	q = pbuf_alloc(PBUF_RAW, 30, PBUF_RAM);
	e = pbuf_alloc(PBUF_RAW, 0, PBUF_RAM);
	r = pbuf_alloc(PBUF_RAW, 20, PBUF_RAM);
	memset(q->payload, 0x22, 30);
	memset(r->payload, 0x33, 20);
	pbuf_cat(q, e);
	pbuf_cat(q, r);
	skb = skb_from_pbuf(NULL, q);
	ck_assert_uint_eq(skb_stats.pbuf_copies, 0);
	ck_assert_uint_eq(skb->len, 50);
	ck_assert_uint_eq(skb->data_len, 20);
	ck_assert_uint_eq(skb_headlen(skb), 30);
	ck_assert(skb_is_nonlinear(skb));
	ck_assert_uint_eq(q->ref, 2);
	ck_assert_uint_eq(r->ref, 1);      /* held through q */
	/* pieces in order, the empty one left out; max 1 still counts all */
	ck_assert_uint_eq(skb_segs(skb, segs, 4), 2);
	ck_assert_ptr_eq(segs[0].data, q->payload);
	ck_assert_uint_eq(segs[0].len, 30);
	ck_assert_ptr_eq(segs[1].data, r->payload);
	ck_assert_uint_eq(segs[1].len, 20);
	ck_assert_uint_eq(skb_segs(skb, segs, 1), 2);
	/* reads across the pieces; past the end is refused */
	ck_assert_int_eq(skb_copy_bits(skb, 0, out, 50), 0);
	ck_assert_uint_eq(out[29], 0x22);
	ck_assert_uint_eq(out[30], 0x33);
	ck_assert_uint_eq(out[49], 0x33);
	ck_assert_int_eq(skb_copy_bits(skb, 35, out, 15), 0);
	ck_assert_uint_eq(out[0], 0x33);
	ck_assert_int_eq(skb_copy_bits(skb, 40, out, 11), -EINVAL);
	/* a non-linear skb cannot grow, and pulls stop at the linear part */
	ck_assert_uint_eq(skb_tailroom(skb), 0);
	ck_assert_ptr_null(skb_pull(skb, 31));
	/* skb_copy makes it linear */
	lin = skb_copy(skb);
	ck_assert(!skb_is_nonlinear(lin));
	ck_assert_uint_eq(lin->len, 50);
	ck_assert_uint_eq(lin->data[30], 0x33);
	consume_skb(lin);
	/* trimming into the chain shortens the last piece */
	skb_trim(skb, 40);
	ck_assert_uint_eq(skb_segs(skb, segs, 4), 2);
	ck_assert_uint_eq(segs[1].len, 10);
	skb_trim(skb, 10);
	ck_assert(!skb_is_nonlinear(skb));
	ck_assert_uint_eq(skb_segs(skb, segs, 4), 1);
	pbuf_free(q);
	ck_assert_uint_eq(q->ref, 1);
	consume_skb(skb);                  /* the last reference frees the chain */
}
END_TEST

START_TEST(queue_and_purge)
{
	struct sk_buff_head q;
	struct sk_buff *a = alloc_skb(8), *b = alloc_skb(8), *c = alloc_skb(8);

	skb_queue_head_init(&q);
	ck_assert_ptr_null(__skb_dequeue(&q));
	__skb_queue_tail(&q, a);
	__skb_queue_tail(&q, b);
	__skb_queue_tail(&q, c);
	ck_assert_uint_eq(skb_queue_len(&q), 3);
	ck_assert_ptr_eq(__skb_dequeue(&q), a);
	consume_skb(a);
	__skb_queue_purge_reason(&q, SKB_DROP_REASON_DEV_READY);
	ck_assert_uint_eq(skb_queue_len(&q), 0);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_DEV_READY), 2);
}
END_TEST

START_TEST(head_cache_reuses_structs)
{
	struct sk_buff *a = alloc_skb(8), *b;
	long live;

	consume_skb(a);
	live = host_kmalloc_live;
	ck_assert_int_eq(live, 1);         /* kept in the cache */
	b = alloc_skb(8);
	ck_assert_ptr_eq(b, a);
	ck_assert_uint_eq(skb_stats.cache_hits, 1);
	ck_assert_uint_eq(b->users, 1);    /* reset on reuse */
	ck_assert(!b->cloned);
	consume_skb(b);
	skb_cache_drain();
	ck_assert_int_eq(host_kmalloc_live, 0);
}
END_TEST

START_TEST(rx_wrapper_cache_stops_per_frame_kmalloc)
{
	struct sk_buff *skb;
	long live = -1;

	for (int i = 0; i < 100; i++) {
		skb = rx_skb(i % 4, 60);
		ck_assert_ptr_nonnull(skb);
		kfree_skb_reason(skb, SKB_CONSUMED);
		if (i == 0)
			live = host_kmalloc_live;
		ck_assert_int_eq(host_kmalloc_live, live);   /* reused, not kmalloc'ed */
	}
	ck_assert_int_eq(live, 2);                        /* one skb, one wrapper */
	ck_assert_uint_eq(skb_cache_count(), 2);
	ck_assert_uint_eq(skb_stats.rx_buf_cache_hits, 99);
	ck_assert_uint_eq(skb_stats.rx_buffers_released, 100);
	skb_cache_drain();
	ck_assert_uint_eq(skb_cache_count(), 0);
	ck_assert_int_eq(host_kmalloc_live, 0);
}
END_TEST

START_TEST(rx_wrapper_cache_is_bounded)
{
	enum { N = 300 };
	static struct sk_buff *held[N];

	for (int i = 0; i < N; i++) {
		held[i] = rx_skb(i % 4, 60);
		ck_assert_ptr_nonnull(held[i]);
	}
	for (int i = 0; i < N; i++)
		kfree_skb_reason(held[i], SKB_CONSUMED);
	/* 64 skb structs and 256 wrappers kept, the rest back to kmalloc */
	ck_assert_uint_eq(skb_cache_count(), 64 + 256);
	ck_assert_int_eq(host_kmalloc_live, 64 + 256);
	skb_cache_drain();
	ck_assert_int_eq(host_kmalloc_live, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("skbuff");
	TCase *tc = tcase_create("ops");

	tcase_add_checked_fixture(tc, lwip_leak_setup, lwip_leak_check);
	tcase_add_test(tc, alloc_put_push_pull_reserve_trim);
	tcase_add_test(tc, netdev_alloc_skb_reserves_pad);
	tcase_add_test_raise_signal(tc, put_past_end_is_caught, SIGABRT);
	tcase_add_test_raise_signal(tc, push_below_head_is_caught, SIGABRT);
	tcase_add_test_raise_signal(tc, reserve_past_end_is_caught, SIGABRT);
	tcase_add_test(tc, allocation_failure_leaks_nothing);
	tcase_add_test(tc, rx_buffer_is_zero_copy_and_released_once);
	tcase_add_test(tc, clone_shares_data_and_last_free_releases);
	tcase_add_test(tc, clone_refcount_cannot_wrap);
	tcase_add_test(tc, copy_is_deep_with_same_layout);
	tcase_add_test(tc, skb_get_keeps_struct_until_last_put);
	tcase_add_test(tc, drop_reasons_are_counted_by_name);
	tcase_add_test(tc, to_pbuf_hands_over_without_copy);
	tcase_add_test(tc, to_pbuf_keeps_headroom_for_lwip);
	tcase_add_test(tc, to_pbuf_copies_shared_data);
	tcase_add_test(tc, from_pbuf_shares_single_and_chain);
	tcase_add_test(tc, queue_and_purge);
	tcase_add_test(tc, head_cache_reuses_structs);
	tcase_add_test(tc, rx_wrapper_cache_stops_per_frame_kmalloc);
	tcase_add_test(tc, rx_wrapper_cache_is_bounded);
	tcase_add_test(tc, rx_pbuf_headroom);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
