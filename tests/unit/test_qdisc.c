/* net/core/xmit.c over a fake net_device whose ring holds a few frames and
 * answers -EBUSY when full: FIFO order, requeue at the head, wake and the
 * NET_TX softirq, the txqueuelen limit (-ENOBUFS, counted as tx_dropped),
 * a device that goes down, the counters adding up, and no leaks; a VLAN
 * tag beside a frame put into it for a device without tx-vlan-offload. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "lwip_leak.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "net/core/dev.h"
#include "net/core/xmit.h"
#include "check_main.h"

#define RING_MAX 64

/* the fake device: a "ring" of accepted frames (their first byte, a
 * sequence number), room for ring_room more before it says -EBUSY */
struct fake_dev {
	struct net_device dev;
	u8 seen[4096];
	unsigned int nseen;
	int ring_room;
	int busy_answers;
	int xmit_error;          /* returned instead of 0 when set */
	/* the last frame taken: its skb, first bytes, length, tag beside it */
	const struct sk_buff *last;
	u8 last_frame[64];
	u32 last_len;
	bool last_tag;
};

/* takes the frame (and frees it, as a driver's TX clean-up would) */
static int fake_xmit(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct fake_dev *f = container_of(dev, struct fake_dev, dev);

	(void)flags;
	ck_assert_uint_ge(skb->len, 1);
	if (f->ring_room <= 0) {
		f->busy_answers++;
		return -EBUSY;
	}
	if (f->xmit_error)
		return f->xmit_error;
	f->ring_room--;
	ck_assert_uint_lt(f->nseen, sizeof(f->seen));
	f->seen[f->nseen++] = skb->data[0];
	f->last = skb;
	f->last_len = skb->len;
	f->last_tag = skb_vlan_tag_present(skb);
	ck_assert_int_eq(skb_copy_bits(skb, 0, f->last_frame, MIN(skb->len, sizeof(f->last_frame))), 0);
	consume_skb(skb);
	return 0;
}

static const struct net_device_ops fake_ops = { .ndo_start_xmit = fake_xmit };

static struct fake_dev *fd;

static void setup(void)
{
	lwip_leak_setup();
	ck_assert_int_eq(net_dev_init(), 0);
	fd = calloc(1, sizeof(*fd));
	strcpy(fd->dev.name, "fake0");
	fd->dev.flags = IFF_UP;
	fd->dev.netdev_ops = &fake_ops;
	fd->ring_room = RING_MAX;
	default_txqueuelen = DEFAULT_TX_QUEUE_LEN;
	ck_assert_int_eq(dev_qdisc_attach(&fd->dev), 0);
}

static void teardown(void)
{
	dev_qdisc_detach(&fd->dev);
	free(fd);
	ck_assert_uint_eq(local_softirq_pending(), 0);
	lwip_leak_check();
}

/* queue one 60-byte frame whose first byte is seq */
static int send_one(u8 seq)
{
	struct sk_buff *skb = alloc_skb(60);

	ck_assert_ptr_nonnull(skb);
	memset(skb_put(skb, 60), 0, 60);
	skb->data[0] = seq;
	skb->dev = &fd->dev;
	return dev_queue_xmit(skb);
}

static struct qdisc_stats stats(void)
{
	struct qdisc_stats s;

	ck_assert_int_eq(dev_qdisc_stats(&fd->dev, &s), 0);
	return s;
}

/* the driver's TX completions freed n descriptors; it wakes the queue
 * from its (simulated) interrupt and NET_TX runs on irq_exit */
static void irq_wake(void *ctx)
{
	netif_tx_wake(ctx);
}

static void complete_tx(int n)
{
	fd->ring_room += n;
	host_irq_simulate(irq_wake, &fd->dev);
}

/* skb (empty) made a 60-byte frame: MAC addresses 0x11../0x22..,
 * EtherType 0x0800, then bytes 14..59 = index; tag 100 beside it */
static struct sk_buff *fill_tagged_frame(struct sk_buff *skb)
{
	u8 *p;

	ck_assert_ptr_nonnull(skb);
	p = skb_put(skb, 60);
	memset(p, 0x11, ETH_ALEN);
	memset(p + ETH_ALEN, 0x22, ETH_ALEN);
	p[12] = 0x08;
	p[13] = 0x00;
	for (int i = 14; i < 60; i++)
		p[i] = (u8)i;
	__vlan_hwaccel_put_tag(skb, ETH_P_8021Q, 100);
	skb->dev = &fd->dev;
	return skb;
}

/* the tagged frame with the headroom netdev_alloc_skb reserves */
static struct sk_buff *tagged_frame(void)
{
	struct sk_buff *skb = fill_tagged_frame(netdev_alloc_skb(&fd->dev, 60));

	ck_assert_uint_ge(skb_headroom(skb), VLAN_HLEN);
	return skb;
}

/* the frame the fake device took: the MACs, 81 00 00 64, then the
 * untagged frame's bytes from the EtherType on */
static void check_tag_inline(void)
{
	const u8 *p = fd->last_frame;

	ck_assert(!fd->last_tag);
	ck_assert_uint_eq(fd->last_len, 64);
	for (int i = 0; i < ETH_ALEN; i++) {
		ck_assert_uint_eq(p[i], 0x11);
		ck_assert_uint_eq(p[ETH_ALEN + i], 0x22);
	}
	ck_assert_uint_eq(p[12], 0x81);
	ck_assert_uint_eq(p[13], 0x00);
	ck_assert_uint_eq(p[14], 0x00);
	ck_assert_uint_eq(p[15], 100);
	ck_assert_uint_eq(p[16], 0x08);
	ck_assert_uint_eq(p[17], 0x00);
	for (int i = 18; i < 64; i++)
		ck_assert_uint_eq(p[i], i - 4);
}

/* Linux's validate_xmit_vlan: a device without tx-vlan-offload gets the
 * tag in the frame, pushed into the headroom of the frame itself (the
 * same skb reaches the driver: no copy) */
START_TEST(vlan_tag_pushed_in_place_without_offload)
{
	struct sk_buff *skb = tagged_frame();
	u64 allocs = skb_stats.allocs;

	ck_assert_int_eq(dev_queue_xmit(skb), 0);
	ck_assert_ptr_eq(fd->last, skb);
	ck_assert_uint_eq(skb_stats.allocs, allocs);
	check_tag_inline();
	ck_assert_uint_eq(stats().bytes, 60);
}
END_TEST

/* with the offload the frame goes down as it is, the tag beside it */
START_TEST(vlan_tag_left_beside_with_offload)
{
	struct sk_buff *skb = tagged_frame();

	fd->dev.features |= NETIF_F_HW_VLAN_CTAG_TX;
	ck_assert_int_eq(dev_queue_xmit(skb), 0);
	ck_assert_ptr_eq(fd->last, skb);
	ck_assert(fd->last_tag);
	ck_assert_uint_eq(fd->last_len, 60);
	ck_assert_uint_eq(fd->last_frame[12], 0x08);
}
END_TEST

/* a shared frame (a clone holds the data: lwIP's TCP segments) is not
 * written: the tag goes into a copy, the other holder's bytes stay */
START_TEST(vlan_tag_into_a_copy_when_shared)
{
	struct sk_buff *skb = tagged_frame(), *other = skb_clone(skb);

	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(dev_queue_xmit(skb), 0);
	ck_assert_ptr_ne(fd->last, skb);
	check_tag_inline();
	ck_assert_uint_eq(other->len, 60);
	ck_assert_uint_eq(other->data[12], 0x08);
	ck_assert_uint_eq(other->data[0], 0x11);
	consume_skb(other);
}
END_TEST

/* no headroom: a copy too */
START_TEST(vlan_tag_into_a_copy_without_headroom)
{
	struct sk_buff *skb = fill_tagged_frame(alloc_skb(60));

	ck_assert_uint_lt(skb_headroom(skb), VLAN_HLEN);
	ck_assert_int_eq(dev_queue_xmit(skb), 0);
	check_tag_inline();
}
END_TEST

START_TEST(frames_go_straight_to_an_idle_ring)
{
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(send_one((u8)i), 0);
	ck_assert_uint_eq(fd->nseen, 10);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(fd->seen[i], i);
	struct qdisc_stats s = stats();
	ck_assert_uint_eq(s.packets, 10);
	ck_assert_uint_eq(s.bytes, 600);
	ck_assert_uint_eq(s.backlog, 0);
	ck_assert_uint_eq(s.requeues, 0);
	ck_assert_uint_eq(s.limit, DEFAULT_TX_QUEUE_LEN);
}
END_TEST

START_TEST(full_ring_holds_frames_in_order_until_wake)
{
	fd->ring_room = 3;
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(send_one((u8)i), 0);
	ck_assert_uint_eq(fd->nseen, 3);
	struct qdisc_stats s = stats();
	ck_assert_uint_eq(s.backlog, 17);
	ck_assert_uint_eq(s.backlog_bytes, 17 * 60);
	ck_assert_uint_ge(s.requeues, 1);
	ck_assert_uint_eq(s.requeues, s.busy);
	ck_assert_uint_eq((u64)fd->busy_answers, s.busy);
	/* completions trickle in: 5, then all */
	complete_tx(5);
	ck_assert_uint_eq(fd->nseen, 8);
	complete_tx(100);
	ck_assert_uint_eq(fd->nseen, 20);
	for (int i = 0; i < 20; i++)
		ck_assert_uint_eq(fd->seen[i], i);
	s = stats();
	ck_assert_uint_eq(s.backlog, 0);
	ck_assert_uint_eq(s.backlog_bytes, 0);
	ck_assert_uint_eq(s.enqueued, 20);
	ck_assert_uint_eq(s.packets, 20);
	ck_assert_uint_eq(s.drops, 0);
	ck_assert_uint_eq(s.wakes, 2);
	ck_assert_uint_eq(s.backlog_max, 17);
}
END_TEST

START_TEST(full_qdisc_refuses_with_enobufs_and_counts)
{
	int queued = 0, refused = 0;

	ck_assert_int_eq(dev_set_txqueuelen(&fd->dev, 8), 0);
	fd->ring_room = 2;
	for (int i = 0; i < 30; i++) {
		int rc = send_one((u8)i);

		if (rc == 0)
			queued++;
		else {
			ck_assert_int_eq(rc, -ENOBUFS);
			refused++;
		}
	}
	/* 2 in the ring, 8 waiting, the rest refused */
	ck_assert_int_eq(queued, 10);
	ck_assert_int_eq(refused, 20);
	struct qdisc_stats s = stats();
	ck_assert_uint_eq(s.drops, 20);
	ck_assert_uint_eq(s.tx_dropped, 20);
	ck_assert_uint_eq(s.backlog, 8);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_QDISC_DROP), 20);
	complete_tx(100);
	s = stats();
	/* nothing lost: everything accepted was sent, in order */
	ck_assert_uint_eq(s.packets, 10);
	ck_assert_uint_eq(s.enqueued, s.packets + s.backlog);
	ck_assert_uint_eq(s.enqueued + s.drops, 30);
	for (int i = 0; i < 10; i++)
		ck_assert_uint_eq(fd->seen[i], i);
}
END_TEST

START_TEST(quota_yields_to_net_tx)
{
	fd->ring_room = 0;
	for (int i = 0; i < 3 * DEV_TX_WEIGHT; i++)
		ck_assert_int_eq(send_one((u8)i), 0);
	fd->ring_room = 1000;
	netif_tx_wake(&fd->dev);
	/* outside interrupt context: pending for ksoftirqd; one NET_TX round
	 * sends a quota and reschedules itself */
	ck_assert_uint_ne(local_softirq_pending() & (1U << NET_TX_SOFTIRQ), 0);
	ksoftirqd_run();
	ck_assert_uint_eq(fd->nseen, 3 * DEV_TX_WEIGHT);
	ck_assert_uint_eq(stats().runs, 3 * DEV_TX_WEIGHT + 3);
	ck_assert_uint_ge(kstat_softirqs_cpu(NET_TX_SOFTIRQ, 0), 3);
}
END_TEST

START_TEST(kick_all_retries_without_a_wake)
{
	fd->ring_room = 0;
	ck_assert_int_eq(send_one(1), 0);
	ck_assert_int_eq(send_one(2), 0);
	fd->ring_room = 10;
	dev_qdisc_kick_all();
	ksoftirqd_run();
	ck_assert_uint_eq(fd->nseen, 2);
	ck_assert_uint_eq(stats().backlog, 0);
	/* nothing waiting: a kick schedules nothing */
	dev_qdisc_kick_all();
	ck_assert_uint_eq(local_softirq_pending(), 0);
}
END_TEST

START_TEST(down_device_and_driver_errors_drop_and_count)
{
	fd->dev.flags &= ~IFF_UP;
	ck_assert_int_eq(send_one(1), -ENETDOWN);
	fd->dev.flags |= IFF_UP;
	fd->xmit_error = -EINVAL;
	ck_assert_int_eq(send_one(2), 0);      /* queued; the driver then refused it */
	struct qdisc_stats s = stats();
	ck_assert_uint_eq(s.down_drops, 1);
	ck_assert_uint_eq(s.xmit_errors, 1);
	ck_assert_uint_eq(s.tx_dropped, 2);
	ck_assert_uint_eq(s.packets, 0);
	ck_assert_uint_eq(s.backlog, 0);
}
END_TEST

START_TEST(detach_purges_the_backlog)
{
	fd->ring_room = 0;
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(send_one((u8)i), 0);
	dev_qdisc_detach(&fd->dev);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_QDISC_DROP), 5);
	ck_assert_int_eq(send_one(9), -ENODEV);
	ck_assert_int_eq(dev_qdisc_attach(&fd->dev), 0);   /* for teardown */
}
END_TEST

START_TEST(attach_and_txqueuelen_validation)
{
	struct net_device other = { .name = "x" };

	ck_assert_int_eq(dev_qdisc_attach(&fd->dev), -EEXIST);
	ck_assert_int_eq(dev_set_txqueuelen(&fd->dev, 0), -EINVAL);
	ck_assert_int_eq(dev_set_txqueuelen(&fd->dev, TX_QUEUE_LEN_MAX + 1), -EINVAL);
	ck_assert_int_eq(dev_set_txqueuelen(&other, 10), -ENODEV);
	ck_assert_int_eq(dev_set_txqueuelen(&fd->dev, TX_QUEUE_LEN_MAX), 0);
}
END_TEST

START_TEST(show_has_tc_layout)
{
	char buf[256];

	fd->ring_room = 1;
	send_one(1);
	send_one(2);
	dev_qdisc_show(&fd->dev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "qdisc pfifo 0: dev fake0 root refcnt 1 limit 1000p\n"
			      " Sent 60 bytes 1 pkt (dropped 0, overlimits 0 requeues 1)\n"
			      " backlog 60b 1p requeues 1\n");
	complete_tx(1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("qdisc");
	TCase *tc = tcase_create("xmit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, frames_go_straight_to_an_idle_ring);
	tcase_add_test(tc, vlan_tag_pushed_in_place_without_offload);
	tcase_add_test(tc, vlan_tag_left_beside_with_offload);
	tcase_add_test(tc, vlan_tag_into_a_copy_when_shared);
	tcase_add_test(tc, vlan_tag_into_a_copy_without_headroom);
	tcase_add_test(tc, full_ring_holds_frames_in_order_until_wake);
	tcase_add_test(tc, full_qdisc_refuses_with_enobufs_and_counts);
	tcase_add_test(tc, quota_yields_to_net_tx);
	tcase_add_test(tc, kick_all_retries_without_a_wake);
	tcase_add_test(tc, down_device_and_driver_errors_drop_and_count);
	tcase_add_test(tc, detach_purges_the_backlog);
	tcase_add_test(tc, attach_and_txqueuelen_validation);
	tcase_add_test(tc, show_has_tc_layout);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
