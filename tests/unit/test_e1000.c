/* e1000 driver against a fake register file (fake_e1000.c): rings, error
 * accounting, ring resizing, statistics, interrupts, filters; each test
 * runs for the 82540EM, 82574L and 82576 (loop index = chip). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "e1000_fixture.h"
#include "host_stubs.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "net/core/dev.h"
#include "net/core/journey_internal.h"
#include "net/core/xmit.h"
#include "drivers/net/e1000/e1000_mq.h"

#define R(off) fake.regs[(off) / 4]

static const struct e1000_chip *const *const chips = e1000_fixture_chips;
static const u8 *const test_mac = e1000_fixture_mac;
static const u8 peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct net_device *dev;
static struct e1000_adapter *ad;

static struct {
	unsigned int n, last_len, last_flags, out_of_order;
	u32 next_seq;
	u16 last_vlan_proto, last_vlan_tci, last_type;  /* the tag beside the frame; its EtherType */
} rx;

static void make_frame(u8 *f, unsigned int len, u32 seq)
{
	memset(f, 0xA5, len);
	memcpy(f, test_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	f[12] = 0x88;
	f[13] = 0xB5;                   /* local experimental EtherType */
	memcpy(f + 14, &seq, sizeof(seq));
}

static int rx_capture(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	unsigned int len = skb->len;
	u32 seq;

	(void)d;
	memcpy(&seq, skb->data + 14, sizeof(seq));
	rx.last_vlan_proto = skb->vlan_proto;
	rx.last_vlan_tci = skb->vlan_tci;
	rx.last_type = (u16)(skb->data[12] << 8 | skb->data[13]);
	kfree_skb(skb);
	if (seq != rx.next_seq)
		rx.out_of_order++;
	rx.next_seq = seq + 1;
	rx.n++;
	rx.last_len = len;
	rx.last_flags = flags;
	return 0;
}

static void up_with(int chip, u32 rx_count, u32 tx_count, bool msix)
{
	memset(&rx, 0, sizeof(rx));
	dev = e1000_fixture_up(chip, rx_count, tx_count, msix, rx_capture);
	ad = netdev_priv(dev);
}

static void up(int chip, u32 rx_count, u32 tx_count)
{
	up_with(chip, rx_count, tx_count, false);
}

/* stop, free, and prove nothing leaked */
static void down(void)
{
	ck_assert_int_eq(netdev_stop(dev), 0);
	e1000_fixture_release(dev);
}

static u32 rx_seq;

static int send_frames(unsigned int n, unsigned int len, unsigned int flags)
{
	u8 f[8192];
	int failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		make_frame(f, len, rx_seq);
		if (fake_rx(f, len, flags))
			failed++;
		else if (!(flags & (FAKE_RX_CRC_ERR | FAKE_RX_SYM_ERR | FAKE_RX_RXE)) && len <= 2048)
			rx_seq++;
	}
	return failed;
}

START_TEST(mac_from_nvm_and_rar)
{
	u32 ral, rah;

	rx_seq = 0;
	up(_i, 64, 64);
	ck_assert_mem_eq(dev->dev_addr, test_mac, 6);
	ck_assert_mem_eq(dev->perm_addr, test_mac, 6);
	ral = R(E1000_RAL(0));
	rah = R(E1000_RAH(0));
	ck_assert_uint_eq(ral, 0x12005452u);
	ck_assert_uint_eq(rah, 0x5634u | E1000_RAH_AV);
	ck_assert_str_eq(dev->name, "eth0");
	down();
}
END_TEST

/* XPS (drivers/net/netdevice.h netdev_pick_tx_queue): the queues mapped
 * to the sending CPU, one of them by the flow hash; none: CPU mod queues */
START_TEST(xps_picks_mapped_tx_queue)
{
	struct net_device *d = alloc_netdev(0);

	ck_assert_uint_eq(find_nth_bit32(0x1u, 0), 0);
	ck_assert_uint_eq(find_nth_bit32(0xb4u, 0), 2);
	ck_assert_uint_eq(find_nth_bit32(0xb4u, 2), 5);
	ck_assert_uint_eq(find_nth_bit32(0xb4u, 3), 7);
	ck_assert_uint_eq(find_nth_bit32(0x80000000u, 0), 31);
	/* no map: CPU mod queues; one queue: always 0 */
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 5, 7, 4), 1);
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 5, 7, 1), 0);
	/* CPU 1 on queue 3 only */
	d->xps_cpus[3] = 0x2;
	for (u32 h = 0; h < 8; h++)
		ck_assert_uint_eq(netdev_pick_tx_queue(d, 1, h, 4), 3);
	/* a queue past nq does not count */
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 1, 0, 3), 1);
	/* CPU 1 on queues 0 and 3: hash 0 -> 0, 1 -> 3, 2 -> 0 */
	d->xps_cpus[0] = 0x3;
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 1, 0, 4), 0);
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 1, 1, 4), 3);
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 1, 2, 4), 0);
	/* CPU 0 on queue 0 only; CPU 2 in no map */
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 0, 1, 4), 0);
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 2, 1, 4), 2);
	/* a CPU past the mask's 32 bits: CPU mod queues */
	d->xps_cpus[1] = ~0u;
	ck_assert_uint_eq(netdev_pick_tx_queue(d, 35, 0, 4), 3);
	free_netdev(d);
}
END_TEST

START_TEST(bad_nvm_address_refused)
{
	static const u8 mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	struct net_device *d;

	fake_init(chips[_i], mcast);
	d = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_int_eq(e1000_adapter_init(d, chips[_i], (volatile u8 *)fake.regs, false), -EINVAL);
	free_netdev(d);
	ck_assert_int_eq(fake_allocs, 0);
}
END_TEST

START_TEST(phy_through_mdic)
{
	u16 v;

	up(_i, 64, 64);
	ck_assert_int_eq(e1000_phy_read(&ad->hw, MII_PHYSID1, &v), 0);
	ck_assert_uint_eq(v, 0x0141);
	ck_assert_int_eq(e1000_phy_write(&ad->hw, MII_BMCR, BMCR_ANENABLE | 0x40), 0);
	ck_assert_int_eq(e1000_phy_read(&ad->hw, MII_BMCR, &v), 0);
	ck_assert_uint_eq(v, BMCR_ANENABLE | 0x40);
	ck_assert_int_eq(e1000_phy_read(&ad->hw, 20, &v), -EIO);
	down();
}
END_TEST

START_TEST(open_programs_the_rings)
{
	bool adv = chips[_i]->flags & E1000_F_ADV_DESC;

	up(_i, 128, 64);
	ck_assert_uint_eq(R(ad->hw.q.rdlen), 128 * 16);
	/* the ring starts after the tail reset left (0): all but one
	 * descriptor belong to the device without an RDT write */
	ck_assert_uint_eq(R(ad->hw.q.rdt), 0);
	ck_assert_uint_eq(R(ad->hw.q.rdh), 1);
	ck_assert_uint_eq(R(ad->hw.q.tdlen), 64 * 16);
	ck_assert_uint_eq(R(ad->hw.q.tdt), 0);
	ck_assert_uint_eq(R(E1000_RCTL) & (E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC),
			  E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC);
	ck_assert(R(E1000_TCTL) & E1000_TCTL_EN);
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE);
	if (adv) {
		ck_assert_uint_eq(R(E1000_SRRCTL(0)), 2 | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF |
						     E1000_SRRCTL_DROP_EN);
		ck_assert(R(ad->hw.q.rxdctl) & E1000_XDCTL_ENABLE);
		ck_assert(R(ad->hw.q.txdctl) & E1000_XDCTL_ENABLE);
	}
	ck_assert(dev->carrier);
	down();
}
END_TEST

START_TEST(rx_wraps_around_in_order)
{
	rx_seq = 0;
	up(_i, 64, 64);
	for (int round = 0; round < 16; round++) {
		ck_assert_int_eq(send_frames(40, 60 + round, 0), 0);
		e1000_fixture_irq_and_poll(ad);
		ck_assert_uint_eq(R(ad->hw.q.rdt), (ad->rx.next_to_clean + 63) % 64);
	}
	ck_assert_uint_eq(rx.n, 640);
	ck_assert_uint_eq(rx.out_of_order, 0);
	ck_assert_uint_eq(ad->sw.rx_packets, 640);
	ck_assert_uint_eq(fake.overwrite_violations, 0);
	down();
}
END_TEST

START_TEST(rx_full_ring_counts_missed)
{
	struct rtnl_link_stats64 s;

	rx_seq = 0;
	up(_i, 64, 64);
	/* 63 descriptors belong to the device: the 64th frame finds no room */
	ck_assert_uint_eq(e1000_rx_ready(ad), 0);
	ck_assert_int_eq(send_frames(63, 100, 0), 0);
	ck_assert_int_eq(send_frames(1, 100, 0), 1);
	/* the ring's fill (ethtool -S rx_ring_ready): all written back */
	ck_assert_uint_eq(e1000_rx_ready(ad), 63);
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 63);
	ck_assert_uint_eq(e1000_rx_ready(ad), 0);
	ck_assert_int_eq(send_frames(63, 100, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 126);
	ck_assert_uint_eq(rx.out_of_order, 0);
	dev->netdev_ops->ndo_get_stats64(dev, &s);
	ck_assert_uint_eq(s.rx_missed_errors, 1);
	ck_assert_uint_eq(ad->hs.rnbc, 1);
	ck_assert_uint_eq(s.rx_packets, 126);
	ck_assert_uint_eq(ad->hs.gprc, 126);
	ck_assert_uint_eq(fake.overwrite_violations, 0);
	down();
}
END_TEST

START_TEST(rx_error_frames_counted_and_recycled)
{
	struct rtnl_link_stats64 s;

	rx_seq = 0;
	up(_i, 64, 64);
	for (int round = 0; round < 4; round++) {
		ck_assert_int_eq(send_frames(10, 80, FAKE_RX_CRC_ERR), 0);
		ck_assert_int_eq(send_frames(10, 80, FAKE_RX_SYM_ERR), 0);
		ck_assert_int_eq(send_frames(10, 80, FAKE_RX_RXE), 0);
		ck_assert_int_eq(send_frames(10, 80, 0), 0);
		e1000_fixture_irq_and_poll(ad);
	}
	ck_assert_uint_eq(rx.n, 40);
	ck_assert_uint_eq(rx.out_of_order, 0);
	ck_assert_uint_eq(ad->sw.rx_crc_errors, 40);
	ck_assert_uint_eq(ad->sw.rx_frame_errors, 80);
	ck_assert_uint_eq(ad->sw.rx_dropped, 120);
	dev->netdev_ops->ndo_get_stats64(dev, &s);
	ck_assert_uint_eq(s.rx_crc_errors, 40 + 40);    /* device CRCERRS + driver */
	ck_assert_uint_eq(s.rx_frame_errors, 80);
	ck_assert_uint_eq(s.rx_dropped, 120);
	/* every buffer went back: a full ring's worth still fits */
	ck_assert_int_eq(send_frames(63, 80, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 103);
	down();
}
END_TEST

START_TEST(rx_oversize_dropped_once)
{
	rx_seq = 0;
	up(_i, 64, 64);
	ck_assert_int_eq(send_frames(1, 3000, 0), 0);   /* two buffers */
	ck_assert_int_eq(send_frames(1, 100, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 1);
	ck_assert_uint_eq(rx.last_len, 100);
	ck_assert_uint_eq(ad->sw.rx_length_errors, 1);
	/* a chain cut by the budget: one error, and the good frame after it */
	ck_assert_int_eq(send_frames(1, 5000, 0), 0);   /* three buffers */
	ck_assert_int_eq(send_frames(1, 64, 0), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(e1000_clean_rx(ad, 1), 1);
	ck_assert_uint_eq(rx.n, 1);
	ck_assert_int_eq(e1000_clean_rx(ad, 1), 1);
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(ad->sw.rx_length_errors, 2);
	ck_assert_uint_eq(rx.out_of_order, 0);
	down();
}
END_TEST

START_TEST(rx_checksum_only_where_validated)
{
	rx_seq = 0;
	up(_i, 64, 64);
	ck_assert_int_eq(send_frames(1, 100, FAKE_RX_CSUM_GOOD), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 1);
	if (chips[_i]->flags & E1000_F_RX_CSUM)
		ck_assert_uint_eq(rx.last_flags, NETDEV_RX_IP_CSUM_OK | NETDEV_RX_L4_CSUM_OK);
	else
		ck_assert_uint_eq(rx.last_flags, 0);
	down();
}
END_TEST

/* a linear skb with the frame, and the checksum request of c */
static struct sk_buff *frame_skb(unsigned int len, u32 seq, const struct netdev_tx_csum *c)
{
	struct sk_buff *skb = alloc_skb(MAX(len, 64u));     /* make_frame writes 18 bytes */
	u8 *f;

	ck_assert_ptr_nonnull(skb);
	f = skb_put(skb, MAX(len, 64u));
	make_frame(f, len, seq);
	skb_trim(skb, len);
	if (c) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_flags = (u8)c->flags;
		skb->network_header = c->l3_offset;
		skb->transport_header = (u16)(c->l3_offset + c->l3_len);
	}
	return skb;
}

/* hand a frame to the driver as the qdisc does (the skb is the driver's
 * on 0, ours to free otherwise) */
static int xmit(unsigned int len, u32 seq, const struct netdev_tx_csum *c, unsigned int flags)
{
	struct sk_buff *skb = frame_skb(len, seq, c);
	int rc = dev->netdev_ops->ndo_start_xmit(dev, skb, flags);

	if (rc)
		kfree_skb(skb);
	return rc;
}

/* one ethtool -S counter by name */
static u64 ethtool_stat(const char *name)
{
	struct ethtool_stat st[128];
	int n = dev->netdev_ops->ndo_get_ethtool_stats(dev, st, ARRAY_SIZE(st));

	ck_assert_int_le(n, (int)ARRAY_SIZE(st));
	for (int i = 0; i < n; i++)
		if (!strcmp(st[i].name, name))
			return st[i].value;
	ck_abort_msg("no ethtool stat %s", name);
	return 0;
}

START_TEST(tx_full_ring_is_an_error_not_a_hang)
{
	u32 seq;

	up(_i, 64, 64);
	ck_assert_uint_eq(ethtool_stat("tx_ring_used"), 0);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 0);
	for (int i = 0; i < 63; i++)
		ck_assert_int_eq(xmit(100, i, NULL, 0), 0);
	ck_assert_int_eq(xmit(100, 63, NULL, 0), -EBUSY);
	ck_assert_uint_eq(ad->sw.tx_busy, 1);
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 0);
	/* the ring's fill: every descriptor but the one kept empty */
	ck_assert_uint_eq(ethtool_stat("tx_ring_used"), 63);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 63);
	ck_assert_uint_eq(fake_tx_run(10), 10);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 10);
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 10);
	ck_assert_uint_eq(ethtool_stat("tx_ring_used"), 53);
	/* sent by the device but not cleaned yet still count */
	ck_assert_uint_eq(fake_tx_run(3), 3);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 53);
	ck_assert_uint_eq(ethtool_stat("tx_packets") + ethtool_stat("tx_ring_inflight"), 63);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(xmit(100, 63 + i, NULL, 0), 0);
	ck_assert_int_eq(xmit(100, 99, NULL, 0), -EBUSY);
	ck_assert_uint_eq(fake_tx_run(1000), 60);    /* 3 of the 63 went above */
	memcpy(&seq, fake.tx_last + 14, 4);
	ck_assert_uint_eq(seq, 72);             /* the last frame queued, intact */
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 73);
	ck_assert_uint_eq(e1000_tx_unused(&ad->tx), 63);
	ck_assert_int_eq(xmit(10, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(xmit(1515, 0, NULL, 0), -EINVAL);
	down();
}
END_TEST

/* an 802.1Q-tagged frame (a VLAN sub-interface's) may be VLAN_HLEN longer
 * than the MTU allows an untagged one */
static int xmit_tagged(unsigned int len)
{
	struct sk_buff *skb = frame_skb(len, 0, NULL);
	int rc;

	skb->data[12] = 0x81;
	skb->data[13] = 0x00;
	rc = dev->netdev_ops->ndo_start_xmit(dev, skb, 0);
	if (rc)
		kfree_skb(skb);
	return rc;
}

START_TEST(tx_tagged_frame_takes_four_more_bytes)
{
	up(_i, 64, 64);
	ck_assert_int_eq(xmit(1515, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(xmit_tagged(1518), 0);
	ck_assert_int_eq(xmit_tagged(1519), -EINVAL);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_len, 1518);
	e1000_fixture_irq_and_poll(ad);
	down();
}
END_TEST

/* A frame with a tag beside it (a VLAN sub-interface's, tx-vlan-offload
 * on) goes down untagged and the device puts the tag in: legacy VLE and
 * the tag in special (CTRL.VME on the 82540EM/82574L), the 82576's VLE
 * and a context holding the tag, loaded again only when the tag changes.
 * With the offload off under it the frame is dropped and counted. */
static int xmit_vlan(unsigned int len, u32 seq, const struct netdev_tx_csum *c, u16 tci)
{
	struct sk_buff *skb = frame_skb(len, seq, c);
	int rc;

	__vlan_hwaccel_put_tag(skb, ETH_P_8021Q, tci);
	rc = dev->netdev_ops->ndo_start_xmit(dev, skb, 0);
	if (rc)
		kfree_skb(skb);
	return rc;
}

START_TEST(tx_vlan_tag_put_in_by_the_device)
{
	const struct netdev_tx_csum udp = { NETDEV_CSUM_IP | NETDEV_CSUM_UDP, 14, 20, 0, 0 };
	bool adv = chips[_i]->flags & E1000_F_ADV_DESC;
	unsigned int ctx0;

	up(_i, 64, 64);
	ck_assert(dev->features & NETIF_F_HW_VLAN_CTAG_TX);
	ck_assert_uint_eq(R(E1000_VET) & 0xFFFF, ETH_P_8021Q);
	/* VME on all three (rx-vlan-offload on); the 82540EM/82574L insert by it */
	ck_assert(R(E1000_CTRL) & E1000_CTRL_VME);
	ck_assert_int_eq(xmit_vlan(100, 1, NULL, 0x2064), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_len, 100);       /* the buffer itself untagged */
	ck_assert_uint_eq(fake.tx_last_vlan, 0x2064 | FAKE_VLAN_SET);
	ck_assert_uint_eq(fake.tx_ctx, adv ? 1 : 0);    /* the 82576's tag rides in a context */
	/* the same tag again: no new context; another: one more */
	ck_assert_int_eq(xmit_vlan(100, 2, NULL, 0x2064), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_ctx, adv ? 1 : 0);
	ck_assert_int_eq(xmit_vlan(100, 3, NULL, 200), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_vlan, 200 | FAKE_VLAN_SET);
	ck_assert_uint_eq(fake.tx_ctx, adv ? 2 : 0);
	/* with checksum offload: the checksum context carries the tag */
	ctx0 = fake.tx_ctx;
	ck_assert_int_eq(xmit_vlan(100, 4, &udp, 300), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_vlan, 300 | FAKE_VLAN_SET);
	ck_assert_uint_eq(fake.tx_last_popts, NETDEV_CSUM_IP | NETDEV_CSUM_UDP);
	ck_assert_uint_eq(fake.tx_ctx, ctx0 + 1);
	/* untagged frames stay untagged */
	ck_assert_int_eq(xmit(100, 5, &udp, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_vlan, 0);
	ck_assert_int_eq(xmit(100, 6, NULL, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_vlan, 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ethtool_stat("tx_vlan_inserted"), 4);
	/* ethtool -K txvlan off: a tagged frame still coming is dropped */
	ck_assert_int_eq(dev->netdev_ops->ndo_set_features(dev, dev->features &
							   ~NETIF_F_HW_VLAN_CTAG_TX), 0);
	dev->features &= ~NETIF_F_HW_VLAN_CTAG_TX;
	ck_assert_int_eq(xmit_vlan(100, 7, NULL, 100), -EINVAL);
	ck_assert_uint_eq(ethtool_stat("tx_vlan_dropped"), 1);
	down();
}
END_TEST

/* rx-vlan-offload: the device takes the tag out (VP, the TCI in special /
 * vlan) and the skb carries it; rx-vlan-filter: the VFTA bits of the ids
 * added pass, others are dropped by the device; promiscuous mode and the
 * filter off pass every id; rx-vlan-offload off: the tag stays in the
 * frame.  The 82540EM/82574L cannot put tags in without stripping them. */
START_TEST(rx_vlan_stripped_and_filtered)
{
	const struct net_device_ops *ops;
	u8 f[128];

	up(_i, 64, 64);
	ops = dev->netdev_ops;
	ck_assert(R(E1000_CTRL) & E1000_CTRL_VME);
	ck_assert(R(E1000_RCTL) & E1000_RCTL_VFE);
	ck_assert_int_eq(ops->ndo_vlan_rx_add_vid(dev, 100), 0);
	ck_assert_uint_eq(R(E1000_VFTA(3)), BIT(4));    /* 100 = 3 * 32 + 4 */
	make_frame(f, 100, 0);
	memmove(f + 16, f + 12, 100 - 12);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x20;                                   /* priority 1, id 100 */
	f[15] = 100;
	ck_assert_int_eq(fake_rx(f, 104, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 1);
	ck_assert_uint_eq(rx.last_len, 100);
	ck_assert_uint_eq(rx.last_vlan_proto, ETH_P_8021Q);
	ck_assert_uint_eq(rx.last_vlan_tci, 0x2064);
	ck_assert_uint_eq(rx.last_type, 0x88B5);
	ck_assert_uint_eq(ethtool_stat("rx_vlan_stripped"), 1);
	/* another id: the device's filter drops it */
	f[15] = 200;
	ck_assert_int_eq(fake_rx(f, 104, 0), 0);
	ck_assert_uint_eq(fake.rx_vlan_filtered, 1);
	/* promiscuous: every VLAN passes, and the filter comes back after */
	ck_assert_int_eq(netdev_set_promisc(dev, true), 0);
	ck_assert(!(R(E1000_RCTL) & E1000_RCTL_VFE));
	ck_assert_int_eq(netdev_set_promisc(dev, false), 0);
	ck_assert(R(E1000_RCTL) & E1000_RCTL_VFE);
	/* rx-vlan-filter off: it passes, stripped */
	ck_assert_int_eq(ops->ndo_set_features(dev, dev->features & ~NETIF_F_HW_VLAN_CTAG_FILTER), 0);
	dev->features &= ~NETIF_F_HW_VLAN_CTAG_FILTER;
	ck_assert(!(R(E1000_RCTL) & E1000_RCTL_VFE));
	ck_assert_int_eq(fake_rx(f, 104, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(rx.last_vlan_tci, 0x2000 | 200);
	/* rx-vlan-offload off: the tag stays in the frame; the 82540EM and
	 * 82574L lose tx-vlan-offload with it (one bit does both) */
	ck_assert_uint_eq(ops->ndo_fix_features(dev, dev->features & ~NETIF_F_HW_VLAN_CTAG_RX) &
			  NETIF_F_HW_VLAN_CTAG_TX, (chips[_i]->flags & E1000_F_ADV_DESC) ?
			  NETIF_F_HW_VLAN_CTAG_TX : 0);
	ck_assert_int_eq(ops->ndo_set_features(dev, dev->features & ~(NETIF_F_HW_VLAN_CTAG_RX |
								      NETIF_F_HW_VLAN_CTAG_TX)), 0);
	dev->features &= ~(NETIF_F_HW_VLAN_CTAG_RX | NETIF_F_HW_VLAN_CTAG_TX);
	ck_assert(!(R(E1000_CTRL) & E1000_CTRL_VME));
	ck_assert_int_eq(fake_rx(f, 104, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 3);
	ck_assert_uint_eq(rx.last_len, 104);
	ck_assert_uint_eq(rx.last_vlan_proto, 0);
	ck_assert_uint_eq(rx.last_type, ETH_P_8021Q);
	ck_assert_uint_eq(ethtool_stat("rx_vlan_stripped"), 2);
	/* the table survives a reset; the id goes with kill_vid */
	ck_assert_int_eq(e1000_reinit(ad), 0);
	ck_assert_uint_eq(R(E1000_VFTA(3)), BIT(4));
	ck_assert_int_eq(ops->ndo_vlan_rx_kill_vid(dev, 100), 0);
	ck_assert_uint_eq(R(E1000_VFTA(3)), 0);
	down();
}
END_TEST

/* an rx_handler that answers every frame, as l2reflect does */
/* the received skb itself goes back out (zero copy both ways) with
 * reflect_flags: NETDEV_TX_MORE as a deferring sender, 0 as the reply a
 * protocol handler sends through the qdisc (net/core/xmit.c passes MORE
 * only for a thread's deferred send) */
static unsigned int reflect_flags;

static int rx_reflect(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	int rc;

	(void)flags;
	rx.n++;
	rc = d->netdev_ops->ndo_start_xmit(d, skb, reflect_flags);
	if (rc)
		kfree_skb(skb);
	return rc;
}

/* n bursts of len-byte frames reflected by the rx_handler: each poll
 * answers them all with one TDT write */
/* bursts of n frames reflected by the rx_handler; each poll's TDT writes
 * must be `writes` (1: the poll wrote the tail once for the burst) */
static void reflect_bursts(int bursts, int n, int len, int len_step, unsigned int writes)
{
	unsigned int tdt0;

	dev->rx_handler = rx_reflect;
	for (int burst = 0; burst < bursts; burst++) {
		ck_assert_int_eq(send_frames(n, len + burst * len_step, 0), 0);
		tdt0 = fake.tdt_writes;
		ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), n);
		ck_assert_uint_eq(fake.tdt_writes, tdt0 + writes);
		ck_assert_uint_eq(fake_tx_run(1000), n);
		e1000_fixture_irq_and_poll(ad);
	}
}

START_TEST(tx_wraps_and_writes_tail_once_per_burst)
{
	unsigned int tdt0;

	up(_i, 64, 64);
	/* from the rx_handler, MORE defers the tail: the poll writes it once */
	reflect_flags = NETDEV_TX_MORE;
	reflect_bursts(13, 50, 60, 1, 1);
	ck_assert_uint_eq(ad->sw.tx_packets, 650);
	ck_assert_uint_eq(fake.tx_frames, 650);
	ck_assert_uint_eq(fake.tx_last_len, 60 + 12);
	/* outside the rx_handler MORE cannot defer: nobody would write the tail */
	tdt0 = fake.tdt_writes;
	ck_assert_int_eq(xmit(70, 1, NULL, NETDEV_TX_MORE), 0);
	ck_assert_uint_eq(fake.tdt_writes, tdt0 + 1);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	down();
}
END_TEST

/* replies the stack sends while the poll hands its frames up (no MORE)
 * write the tail at once, as in Linux: the first reply is on the wire
 * while the poll works on the rest, and its answer can arrive within the
 * same poll.  Deferring them to the poll's end (session 9) turned a UDP
 * echo of 8 in flight into one round trip per poll with the guest halted
 * in between: 25-27k requests/s instead of 37-41k on QEMU's e1000e
 * (docs/BENCHMARKS.md, "TX tail per reply"). */
START_TEST(tx_replies_in_poll_write_tail_at_once)
{
	unsigned int tdt0;

	up(_i, 64, 64);
	reflect_flags = 0;
	reflect_bursts(4, 20, 64, 0, 20);
	ck_assert_uint_eq(ad->sw.tx_packets, 80);
	ck_assert_uint_eq(ethtool_stat("tx_tail_batched"), 0);
	/* outside a poll the same send writes its tail at once */
	tdt0 = fake.tdt_writes;
	ck_assert_int_eq(xmit(70, 1, NULL, 0), 0);
	ck_assert_uint_eq(fake.tdt_writes, tdt0 + 1);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	down();
}
END_TEST

START_TEST(tx_thread_send_defers_tail_until_flush)
{
	unsigned int tdt0;

	up(_i, 64, 64);
	fake.tx_on_tdt = true;
	tdt0 = fake.tdt_writes;
	/* a thread's sends while more input waits (net/core/xmit.h, deferred
	 * tails): the tail stays for dev_xmit_flush_deferred */
	dev_xmit_defer_begin(true);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(xmit(80, i, NULL, NETDEV_TX_MORE), 0);
	dev_xmit_defer_end();
	ck_assert_uint_eq(fake.tdt_writes, tdt0);
	ck_assert_uint_eq(fake.tx_frames, 0);
	ck_assert(dev_xmit_deferred_pending());
	ck_assert_uint_eq(ethtool_stat("tx_tail_deferred"), 3);
	dev_xmit_flush_deferred();
	ck_assert_uint_eq(fake.tdt_writes, tdt0 + 1);
	ck_assert_uint_eq(fake.tx_frames, 3);
	ck_assert(!dev_xmit_deferred_pending());
	/* nothing pending: a flush writes nothing */
	dev_xmit_flush_deferred();
	ck_assert_uint_eq(fake.tdt_writes, tdt0 + 1);
	/* at most XMIT_DEFER_FRAMES_MAX in a row: the next send writes the
	 * tail for all of them */
	for (int i = 0; i <= XMIT_DEFER_FRAMES_MAX; i++) {
		dev_xmit_defer_begin(true);
		ck_assert_int_eq(xmit(80, i, NULL, NETDEV_TX_MORE), 0);
		dev_xmit_defer_end();
	}
	ck_assert_uint_eq(fake.tdt_writes, tdt0 + 2);
	ck_assert_uint_eq(fake.tx_frames, 3 + XMIT_DEFER_FRAMES_MAX + 1);
	/* without the sender's permission MORE does not defer */
	ck_assert_int_eq(xmit(80, 99, NULL, NETDEV_TX_MORE), 0);
	ck_assert_uint_eq(fake.tdt_writes, tdt0 + 3);
	dev_xmit_flush_deferred();
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 3 + XMIT_DEFER_FRAMES_MAX + 2);
	down();
}
END_TEST

/* A thread's flush (ndo_tx_flush) holds the TX-done cause back around
 * its tail write and reaps what completed: under QEMU (tx_on_tdt) no
 * interrupt is left for the completions, where the cause used to be
 * pending and unmasked (an interrupt per flush); a device not done yet
 * keeps its cause and interrupts as before. */
START_TEST(tx_thread_flush_reaps_without_tx_interrupt)
{
	u64 pk0;

	up(_i, 64, 64);
	fake.tx_on_tdt = true;
	pk0 = ad->sw.tx_packets;
	dev_xmit_defer_begin(true);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(xmit(80, i, NULL, NETDEV_TX_MORE), 0);
	dev_xmit_defer_end();
	dev_xmit_flush_deferred();
	ck_assert_uint_eq(fake.tx_frames, 3);
	ck_assert_uint_eq(ad->sw.tx_packets, pk0 + 3);
	ck_assert_uint_eq(R(E1000_ICR) & R(E1000_IMS) & E1000_ICR_TXDW, 0);
	ck_assert_uint_ne(R(E1000_IMS) & E1000_ICR_TXDW, 0);
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 1);
	/* the device has not sent by the time the flush looks */
	fake.tx_on_tdt = false;
	dev_xmit_defer_begin(true);
	ck_assert_int_eq(xmit(80, 3, NULL, NETDEV_TX_MORE), 0);
	dev_xmit_defer_end();
	dev_xmit_flush_deferred();
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 1);
	ck_assert_uint_eq(ad->sw.tx_packets, pk0 + 3);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_ne(R(E1000_ICR) & R(E1000_IMS) & E1000_ICR_TXDW, 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, pk0 + 4);
	down();
}
END_TEST

static void thread_sends(u32 first, unsigned int n)
{
	dev_xmit_defer_begin(true);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_int_eq(xmit(80, first + i, NULL, NETDEV_TX_MORE), 0);
	dev_xmit_defer_end();
	dev_xmit_flush_deferred();
}

/* The 82576 in MSI-X mode: TX queue 0's completions set vector 0's EICR
 * bit, which RX queue 0 and the other causes share, so a thread's flush
 * masks the vector (EIMC) around its tail write, reaps, clears the bit
 * and unmasks: no interrupt is left pending for the completions (there
 * was one per flush).  A frame that came in meanwhile, or a link change,
 * sets the bit again (EICS): the unmask still interrupts for it. */
START_TEST(tx_thread_flush_reaps_without_tx_interrupt_msix_82576)
{
	u32 vec;
	u64 pk0;

	up_with(2, 64, 64, true);
	vec = ad->hw.eims_rx0;
	/* the link-up's interrupt (ICR.LSC through IVAR_MISC), taken */
	R(E1000_EICR) |= vec;
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(R(E1000_ICR), 0);
	fake.tx_on_tdt = true;
	pk0 = ad->sw.tx_packets;
	thread_sends(0, 3);
	ck_assert_uint_eq(fake.tx_frames, 3);
	ck_assert_uint_eq(ad->sw.tx_packets, pk0 + 3);
	ck_assert_uint_eq(R(E1000_EICR) & R(E1000_EIMS), 0);
	ck_assert_uint_eq(R(E1000_EIMS) & vec, vec);
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 1);
	/* a request in the ring (its bit set while the flush's mask was on):
	 * the bit is set again, the unmask interrupts, the poll takes it */
	rx_seq = 0;
	ck_assert_int_eq(send_frames(1, 64, 0), 0);
	thread_sends(3, 1);
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 2);
	ck_assert_uint_eq(R(E1000_EICR) & R(E1000_EIMS), vec);
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 1);
	ck_assert_uint_eq(rx.n, 1);
	ck_assert_uint_eq(R(E1000_EIMS) & vec, vec);
	/* a link change (ICR.LSC, on the same vector through IVAR_MISC):
	 * passed on to the poll with the bit set again */
	R(E1000_ICR) |= E1000_ICR_LSC;
	R(E1000_EICR) |= vec;
	thread_sends(4, 1);
	ck_assert_uint_eq(R(E1000_EICR) & R(E1000_EIMS), vec);
	ck_assert_uint_ne(ad->icr_pending & E1000_ICR_LSC, 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->icr_pending, 0);
	/* the device has not sent by the time the flush looks: its cause
	 * stays, and interrupts once it has */
	fake.tx_on_tdt = false;
	thread_sends(5, 1);
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 3);
	ck_assert_uint_eq(ad->sw.tx_packets, pk0 + 5);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(R(E1000_EICR) & R(E1000_EIMS), vec);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, pk0 + 6);
	down();
}
END_TEST

/* the replies a poll sends (the device sends at the tail write, as
 * QEMU's) are reaped before the poll unmasks: their TX-done cause is
 * acknowledged, so it raises no interrupt of its own */
START_TEST(tx_poll_replies_reaped_without_tx_interrupt)
{
	u64 irqs0;

	up(_i, 64, 64);
	irqs0 = ad->sw.irqs;
	fake.tx_on_tdt = true;
	dev->rx_handler = rx_reflect;
	reflect_flags = 0;
	ck_assert_int_eq(send_frames(8, 64, 0), 0);
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 8);
	ck_assert_uint_eq(fake.tx_frames, 8);
	ck_assert_uint_eq(ad->sw.tx_packets, 8);
	ck_assert_uint_eq(R(E1000_ICR) & R(E1000_IMS) & E1000_ICR_TXDW, 0);
	ck_assert_uint_ne(R(E1000_IMS) & E1000_ICR_TXDW, 0);
	/* one interrupt in all (the requests'): the fixture raises the
	 * vector until the handler finds no cause, and no TX cause was left,
	 * not even TXQE, which an interrupt with no cause of its own would
	 * read as ours (irq_spurious's irqs_not_ours) */
	ck_assert_uint_eq(ad->sw.irqs - irqs0, 1);
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 1);
	/* a poll that sent nothing acknowledges nothing */
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 0);
	ck_assert_uint_eq(ethtool_stat("tx_done_reaped"), 1);
	down();
}
END_TEST

START_TEST(tx_full_of_deferred_frames_flushes_first)
{
	unsigned int tdt0;

	up(_i, 64, 64);
	fake.tx_on_tdt = true;
	tdt0 = fake.tdt_writes;
	/* 200 frames, all deferred (as from the rx_handler): when the ring
	 * fills, the driver writes the tail, the (synchronous) device sends,
	 * the slots come back */
	ad->in_rx = true;
	for (int i = 0; i < 200; i++)
		ck_assert_int_eq(xmit(100, i, NULL, NETDEV_TX_MORE), 0);
	ad->in_rx = false;
	ck_assert_uint_eq(ad->sw.tx_busy, 0);
	e1000_tx_flush(ad, &ad->tx);                     /* what the poll does at its end */
	ck_assert_uint_eq(fake.tx_frames, 200);
	ck_assert_uint_eq(fake.tdt_writes - tdt0, 4);  /* at 63, 126, 189 queued, and the poll */
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 200);
	down();
}
END_TEST

START_TEST(tx_checksum_context_loaded_on_change)
{
	struct netdev_tx_csum udp = { NETDEV_CSUM_IP | NETDEV_CSUM_UDP, ETH_HLEN, 20, 0, 0 };
	struct netdev_tx_csum tcp = { NETDEV_CSUM_IP | NETDEV_CSUM_TCP, ETH_HLEN, 20, 0, 0 };
	struct netdev_tx_csum bad = { NETDEV_CSUM_IP, ETH_HLEN, 10, 0, 0 };

	up(_i, 64, 64);
	ck_assert_int_eq(xmit(100, 0, &udp, 0), 0);
	ck_assert_int_eq(xmit(100, 1, &udp, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 2);
	ck_assert_uint_eq(fake.tx_ctx, 1);
	ck_assert_uint_eq(fake.tx_last_popts, NETDEV_CSUM_IP | NETDEV_CSUM_UDP);
	ck_assert_uint_eq(fake.ctx_ipcss, ETH_HLEN);
	ck_assert_int_eq(xmit(100, 2, &tcp, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_ctx, 2);
	ck_assert_uint_eq(fake.tx_last_popts, NETDEV_CSUM_IP | NETDEV_CSUM_TCP);
	if (!(chips[_i]->flags & E1000_F_ADV_DESC))
		ck_assert_uint_eq(fake.ctx_tucso, ETH_HLEN + 20 + 16);
	ck_assert_int_eq(xmit(100, 3, NULL, 0), 0);
	ck_assert_uint_eq(fake_tx_run(10), 1);
	ck_assert_uint_eq(fake.tx_last_popts, 0);
	ck_assert_int_eq(xmit(100, 4, &bad, 0), -EINVAL);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ad->sw.tx_packets, 4);
	down();
}
END_TEST

/* --- checksum offload: real IPv4/IPv6 TCP/UDP frames ---------------------- */

static u32 sum16(u32 sum, const u8 *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 2)
		sum += (u32)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
	return sum;
}

static u16 fold16(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (u16)sum;
}

/* Ethernet + IPv4 or IPv6 + TCP or UDP with len bytes of payload, its
 * checksum fields as the glue leaves them for the NIC: IPv4 header sum
 * 0, the L4 field holding the pseudo-header sum (folded, not inverted) */
static unsigned int offload_frame(u8 *f, bool v6, bool tcp, unsigned int len,
				  struct netdev_tx_csum *c)
{
	unsigned int hl = v6 ? 40 : 20, l4l = (tcp ? 20 : 8) + len, n = ETH_HLEN + hl + l4l;
	u8 *ip = f + ETH_HLEN, *l4 = ip + hl;
	u8 proto = tcp ? 6 : 17;
	u32 ph;

	memset(f, 0, n);
	memset(f, 0xFF, ETH_ALEN);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xDD : 0x00;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (u8)(l4l >> 8);
		ip[5] = (u8)l4l;
		ip[6] = proto;
		ip[7] = 64;
		for (int i = 0; i < 32; i++)
			ip[8 + i] = (u8)(0xfd + i * 7);
		ph = sum16(0, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		ip[2] = (u8)((hl + l4l) >> 8);
		ip[3] = (u8)(hl + l4l);
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
		ph = sum16(0, ip + 12, 8);
	}
	l4[0] = 0x30;
	l4[1] = 0x39;
	l4[3] = 7;
	if (tcp)
		l4[12] = 5 << 4;
	else {
		l4[4] = (u8)(l4l >> 8);
		l4[5] = (u8)l4l;
	}
	for (unsigned int i = 0; i < len; i++)
		l4[(tcp ? 20 : 8) + i] = (u8)(i * 13 + 1);
	ph = fold16(ph + proto + l4l);
	l4[tcp ? 16 : 6] = (u8)(ph >> 8);
	l4[tcp ? 17 : 7] = (u8)ph;
	c->flags = (tcp ? NETDEV_CSUM_TCP : NETDEV_CSUM_UDP) | (v6 ? NETDEV_CSUM_IPV6 : NETDEV_CSUM_IP);
	c->l3_offset = ETH_HLEN;
	c->l3_len = (u16)hl;
	return n;
}

/* the frame's IPv4 header and L4 checksums verify, as a receiver checks */
static void assert_checksums_right(const u8 *f, unsigned int n, bool v6)
{
	const u8 *ip = f + ETH_HLEN;
	unsigned int hl = v6 ? 40 : 20, l4l = n - ETH_HLEN - hl;
	u32 ph;

	if (v6) {
		ph = sum16(0, ip + 8, 32) + ip[6] + l4l;
	} else {
		ck_assert_uint_eq(fold16(sum16(0, ip, 20)), 0xFFFF);
		ph = sum16(0, ip + 12, 8) + ip[9] + l4l;
	}
	ck_assert_uint_eq(fold16(sum16(ph, ip + hl, l4l)), 0xFFFF);
}

START_TEST(tx_checksum_offload_ipv4_ipv6_tcp_udp)
{
	up(_i, 64, 64);
	for (int k = 0; k < 4; k++) {
		bool v6 = k & 2, tcp = k & 1;
		struct netdev_tx_csum c;
		struct sk_buff *skb = alloc_skb(256);
		unsigned int n = offload_frame(skb_put(skb, 256), v6, tcp, 77 + k, &c);
		u64 before = ad->sw.tx_csum_offloaded;

		skb_trim(skb, n);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_flags = (u8)c.flags;
		skb->network_header = c.l3_offset;
		skb->transport_header = (u16)(c.l3_offset + c.l3_len);
		ck_assert_int_eq(dev->netdev_ops->ndo_start_xmit(dev, skb, 0), 0);
		ck_assert_uint_eq(fake_tx_run(10), 1);
		ck_assert_uint_eq(fake.tx_last_len, n);
		/* the context says what the frame is */
		ck_assert_uint_eq(fake.ctx_is_ipv4, !v6);
		ck_assert_uint_eq(fake.ctx_is_tcp, tcp);
		ck_assert_uint_eq(fake.ctx_tucss, ETH_HLEN + (v6 ? 40 : 20));
		ck_assert_uint_eq(fake.tx_last_popts,
				  (v6 ? 0 : NETDEV_CSUM_IP) | (tcp ? NETDEV_CSUM_TCP : NETDEV_CSUM_UDP));
		assert_checksums_right(fake.tx_last, n, v6);
		ck_assert_uint_eq(ad->sw.tx_csum_offloaded, before + 1);
	}
	ck_assert_uint_eq(fake.tx_ctx, 4);
	ck_assert_uint_eq(ad->sw.tx_csum_ipv6, 2);
	ck_assert_uint_eq(ad->sw.tx_csum_udp, 2);
	down();
}
END_TEST

/* an IPv4 header checksum asked for in an IPv6 frame, or an IPv6 header
 * shorter than 40 bytes: no context can say it */
START_TEST(tx_checksum_offload_ipv6_refuses_nonsense)
{
	struct netdev_tx_csum v6ip = { NETDEV_CSUM_IPV6 | NETDEV_CSUM_IP | NETDEV_CSUM_TCP, ETH_HLEN, 40, 0, 0 };
	struct netdev_tx_csum v6short = { NETDEV_CSUM_IPV6 | NETDEV_CSUM_UDP, ETH_HLEN, 20, 0, 0 };

	up(_i, 64, 64);
	ck_assert_int_eq(xmit(100, 0, &v6ip, 0), -EINVAL);
	ck_assert_int_eq(xmit(100, 1, &v6short, 0), -EINVAL);
	ck_assert_uint_eq(fake_tx_run(10), 0);
	down();
}
END_TEST

START_TEST(ringparam_resize_validated_and_leak_free)
{
	const struct net_device_ops *ops;
	struct ethtool_ringparam r;
	static const u32 bad[] = { 0, 8, 56, 63, 65, 100, 4104, 8192 };

	rx_seq = 0;
	up(_i, 64, 64);
	ops = dev->netdev_ops;
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(xmit(100, i, NULL, 0), 0);     /* in flight across the resize */
	ops->ndo_get_ringparam(dev, &r);
	ck_assert_uint_eq(r.rx_max_pending, 4096);
	r.rx_pending = 4096;
	r.tx_pending = 4096;
	ck_assert_int_eq(ops->ndo_set_ringparam(dev, &r), 0);
	ck_assert_uint_eq(R(ad->hw.q.rdlen), 4096 * 16);
	ck_assert_uint_eq(R(ad->hw.q.rdt), 0);  /* e1000_rx_disable left it at 0 */
	ck_assert_uint_eq(R(ad->hw.q.rdh), 1);
	ck_assert_uint_eq(R(ad->hw.q.tdlen), 4096 * 16);
	ck_assert_int_eq(send_frames(4095, 64, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 4095);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r.rx_pending = bad[i];
		r.tx_pending = 64;
		ck_assert_int_eq(ops->ndo_set_ringparam(dev, &r), -EINVAL);
		r.rx_pending = 64;
		r.tx_pending = bad[i];
		ck_assert_int_eq(ops->ndo_set_ringparam(dev, &r), -EINVAL);
	}
	ck_assert_uint_eq(ad->rx_count, 4096);
	r.rx_pending = 72;
	r.tx_pending = 64;
	ck_assert_int_eq(ops->ndo_set_ringparam(dev, &r), 0);
	ck_assert_uint_eq(R(ad->hw.q.rdlen), 72 * 16);
	ck_assert_int_eq(send_frames(71, 64, 0), 0);
	ck_assert_int_eq(send_frames(1, 64, 0), 1);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(rx.n, 4095 + 71);
	ck_assert_uint_eq(rx.out_of_order, 0);
	down();
}
END_TEST

START_TEST(stats_accumulate_from_clear_on_read)
{
	struct rtnl_link_stats64 s;

	rx_seq = 0;
	up(_i, 64, 64);
	ck_assert_int_eq(send_frames(20, 100, 0), 0);
	e1000_fixture_irq_and_poll(ad);
	e1000_stats_update(ad);
	e1000_stats_update(ad);                 /* a second read adds nothing */
	ck_assert_uint_eq(ad->hs.gprc, 20);
	ck_assert_uint_eq(ad->hs.gorc, 20 * 104);
	R(E1000_MPC) = 7;
	R(E1000_GORCL) = 0xFFFFFFFF;
	R(E1000_GORCH) = 1;
	dev->netdev_ops->ndo_get_stats64(dev, &s);
	ck_assert_uint_eq(s.rx_missed_errors, 7);
	ck_assert_uint_eq(ad->hs.gorc, 20 * 104 + 0x1FFFFFFFFull);
	ck_assert_uint_eq(R(E1000_MPC), 0);
	R(E1000_MPC) = 3;
	dev->netdev_ops->ndo_get_stats64(dev, &s);
	ck_assert_uint_eq(s.rx_missed_errors, 10);
	ck_assert_uint_eq(s.rx_packets, 20);
	down();
}
END_TEST

/* QEMU holds back the frame that arrives while the receiver is off and
 * hands it over at the next RDT write, into a receiver that drops it
 * uncounted while RCTL.EN is off (fake.qemu_hold; e1000_rx_disable).  Ring
 * resizes 64 -> 256 -> 64 ... under traffic, the device's head left at
 * every position of the 64-ring and at many of the 256-ring (near its
 * end, past the smallest ring's size): the frame arriving just as the
 * receiver goes off is the next ring's first, in order, and none is lost.
 * (Before: with the head within 32 descriptors of the ring's end and past
 * the tail, RDT was written with the receiver off, and the frame lost.) */
static void mq_irq_and_poll(unsigned int qi);
static int send_frames_q(unsigned int q, unsigned int n, unsigned int len);

/* rounds of traffic to RX queue q, each followed by a resize 64 <-> 256
 * while QEMU holds a frame for q (fake.qemu_hold): the frame arrives, none
 * is lost or out of order */
static void resize_keeps_held_frames(unsigned int q, u32 rounds)
{
	const struct net_device_ops *ops = dev->netdev_ops;
	struct ethtool_ringparam r;
	unsigned int resizes = 0;

	ad->hw.emulated = true;
	fake.qemu_hold = true;
	ops->ndo_get_ringparam(dev, &r);
	for (u32 i = 0; i < rounds; i++) {
		/* 0..63 frames on the 64-ring (every head position), 0..249
		 * on the 256-ring (tails below and past 64) */
		u32 n = ad->rx_count == 64 ? (i * 29) % 64 : (i * 37) % 250;

		while (n) {
			u32 k = MIN(n, 32u);

			if (q) {
				ck_assert_int_eq(send_frames_q(q, k, 60), 0);
				mq_irq_and_poll(q);
			} else {
				ck_assert_int_eq(send_frames(k, 60, 0), 0);
				e1000_fixture_irq_and_poll(ad);
			}
			n -= k;
		}
		make_frame(fake.gap_frame, 60, rx_seq++);
		fake.gap_frame_len = 60;
		fake.gap_frame_queue = q;
		r.rx_pending = ad->rx_count == 64 ? 256 : 64;
		ck_assert_int_eq(ops->ndo_set_ringparam(dev, &r), 0);
		resizes++;
		ck_assert_uint_eq(fake.gap_frame_len, 0);       /* it arrived */
		if (q && ad->rss_staged) {
			/* the igb came up staged (e1000_mq.c): RSS off, the
			 * held frame on queue 0; two calm polls of queue 0
			 * once E1000_MQ_STAGE_MS passed turn RSS on */
			u64 opens = ad->sw.rss_staged_opens;

			e1000_fixture_irq_and_poll(ad);
			host_clock_ns += 60 * NSEC_PER_MSEC;
			for (int k = 0; k < 2; k++) {
				ck_assert_int_eq(send_frames(1, 60, 0), 0);
				e1000_fixture_irq_and_poll(ad);
			}
			ck_assert(!ad->rss_staged);
			ck_assert_uint_eq(ad->sw.rss_staged_opens, opens + 1);
			ck_assert_uint_eq(R(E1000_MRQC) & E1000_MRQC_ENABLE_RSS_MQ,
					  E1000_MRQC_ENABLE_RSS_MQ);
		} else if (q) {
			mq_irq_and_poll(q);
		} else {
			e1000_fixture_irq_and_poll(ad);
		}
		ck_assert_msg(fake.held_lost == 0, "resize %u (%u -> %u): the held frame lost",
			      resizes, r.rx_pending == 64 ? 256 : 64, r.rx_pending);
		ck_assert_uint_eq(fake.held_delivered, resizes);
		ck_assert_uint_eq(rx.n, rx_seq);
	}
	ck_assert_uint_eq(rx.out_of_order, 0);
	ck_assert_uint_eq(fake.overwrite_violations, 0);
}

START_TEST(ring_resize_keeps_the_frame_qemu_holds)
{
	rx_seq = 0;
	up(_i, 64, 64);
	resize_keeps_held_frames(0, 160);
	down();
}
END_TEST

START_TEST(stats_sticky_counters_of_the_emulator)
{
	up(_i, 64, 64);
	fake.sticky_stats = true;
	ad->hw.emulated = true;
	R(E1000_MPC) = 5;
	R(E1000_GPRC) = 4;
	e1000_stats_update(ad);
	e1000_stats_update(ad);
	ck_assert_uint_eq(ad->hs.mpc, 5);       /* not 10: QEMU did not clear it */
	ck_assert_uint_eq(ad->hs.gprc, 4);      /* QEMU clears this one */
	R(E1000_MPC) = 9;
	e1000_stats_update(ad);
	ck_assert_uint_eq(ad->hs.mpc, 9);
	R(E1000_RNBC) = 0xFFFFFFF0u;
	e1000_stats_update(ad);
	R(E1000_RNBC) = 0x10;                   /* wrapped */
	e1000_stats_update(ad);
	ck_assert_uint_eq(ad->hs.rnbc, 0x100000010ull);
	down();
}
END_TEST

START_TEST(irq_masks_then_poll_unmasks)
{
	u64 polls;

	rx_seq = 0;
	up(_i, 128, 64);
	ck_assert(!e1000_intr(ad));             /* ICR 0: not ours */
	ck_assert_uint_eq(ad->sw.irqs_not_ours, 1);
	ck_assert(!napi_is_scheduled(&ad->napi));
	ck_assert_int_eq(send_frames(3, 100, 0), 0);
	ck_assert(e1000_intr(ad));
	ck_assert_uint_eq(R(E1000_IMS), 0);     /* masked */
	ck_assert(napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(rx.n, 0);             /* the top half received nothing */
	ck_assert(ksoftirqd_run());
	ck_assert_uint_eq(rx.n, 3);
	ck_assert(!napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE);
	/* link down and up through LSC */
	fake.link_up = false;
	R(E1000_ICR) |= E1000_ICR_LSC;
	e1000_fixture_irq_and_poll(ad);
	ck_assert(!dev->carrier);
	fake.link_up = true;
	R(E1000_ICR) |= E1000_ICR_LSC;
	e1000_fixture_irq_and_poll(ad);
	ck_assert(dev->carrier);
	ck_assert_uint_eq(dev->speed_mbps, 1000);
	/* a poll that used its whole weight stays scheduled, masked */
	ck_assert_int_eq(send_frames(DEV_WEIGHT_DEFAULT + 5, 60, 0), 0);
	ck_assert(e1000_intr(ad));
	polls = ad->napi.polls;
	ck_assert_int_eq(e1000_poll(&ad->napi, DEV_WEIGHT_DEFAULT), DEV_WEIGHT_DEFAULT);
	ck_assert(napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(R(E1000_IMS), 0);
	ck_assert(ksoftirqd_run());             /* NET_RX polls the rest */
	ck_assert_uint_eq(ad->napi.polls, polls + 1);
	ck_assert_uint_eq(rx.n, 3 + DEV_WEIGHT_DEFAULT + 5);
	ck_assert(!napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE);
	down();
}
END_TEST

START_TEST(napi_off_one_frame_per_interrupt)
{
	rx_seq = 0;
	up(_i, 64, 64);
	napi_enabled = false;
	ck_assert_int_eq(send_frames(5, 100, 0), 0);
	/* each hard IRQ takes one frame, unmasks, and sets the RX cause
	 * again (ICS) while frames remain: five interrupts, no poll */
	for (int i = 1; i <= 5; i++) {
		ck_assert(e1000_fixture_irq(ad));
		ck_assert_uint_eq(rx.n, (unsigned int)i);
		ck_assert_uint_eq(R(E1000_IMS) != 0, 1);
	}
	ck_assert(!e1000_fixture_irq(ad));
	ck_assert_uint_eq(ad->sw.irqs, 5);
	ck_assert_uint_eq(ad->sw.irqs_raised, 4);
	ck_assert_uint_eq(ad->napi.polls, 0);
	napi_enabled = true;
	down();
}
END_TEST

/* the journey's receive stages through the driver, as the lwIP glue takes
 * a frame: the record is made when the skb is, and completes after the
 * application stage */
static int rx_journey(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	struct journey_rec *r;

	(void)d;
	(void)flags;
	rx.n++;
	journey_rx_skb(skb);
	r = journey_rx_begin(skb);
	journey_mark_rx(JOURNEY_RX_APP);
	journey_rx_end(r);
	kfree_skb(skb);
	return 0;
}

static struct journey_rec jrecs[JOURNEY_RING];

/* the completed records, each with its receive stages in order */
static int journey_rx_records(void)
{
	int n = journey_ring_copy(jrecs, JOURNEY_RING);

	for (int i = 0; i < n; i++) {
		const struct journey_rec *r = &jrecs[i];

		ck_assert_uint_eq(r->kind, JOURNEY_KIND_RX);
		ck_assert(r->t[JOURNEY_RX_DRIVER] && r->t[JOURNEY_RX_SKB] && r->t[JOURNEY_RX_APP]);
		for (int st = JOURNEY_RX_IRQ; st < JOURNEY_RX_APP; st++)
			ck_assert(!r->t[st] || !r->t[st + 1] || r->t[st] <= r->t[st + 1]);
	}
	return n;
}

/* Every frame of a NAPI run counts from the interrupt that started it,
 * however long the run goes on in polls no interrupt started.  The run
 * here lasts longer than the 10 ms after which the sampler used to drop
 * the interrupt's stamp as "stale": the frames of the second poll then
 * had an empty rx_irq (test_journey_trace.py saw it for UDP echoes under
 * TCG on a loaded host, where one poll takes request after request). */
START_TEST(journey_rx_stages_of_a_long_napi_run)
{
	u64 t0, irq, napi1;
	int n;

	rx_seq = 0;
	up(_i, 128, 64);
	dev->rx_handler = rx_journey;
	ck_assert_int_eq(journey_set_sample(1), 0);
	journey_reset();
	ck_assert_int_eq(send_frames(DEV_WEIGHT_DEFAULT + 5, 60, 0), 0);
	ck_assert(e1000_intr(ad));
	ck_assert_int_eq(e1000_poll(&ad->napi, DEV_WEIGHT_DEFAULT), DEV_WEIGHT_DEFAULT);
	ck_assert(napi_is_scheduled(&ad->napi));
	/* 20 ms of the sampler's clock (host_stubs: one TSC tick is 1 ns) */
	t0 = rdtsc();
	while (rdtsc() - t0 < 20 * NSEC_PER_MSEC)
		;
	ck_assert(ksoftirqd_run());             /* the rest, by a poll no interrupt started */
	ck_assert_uint_eq(rx.n, DEV_WEIGHT_DEFAULT + 5);
	n = journey_rx_records();
	ck_assert_int_eq(n, DEV_WEIGHT_DEFAULT + 5);
	irq = jrecs[0].t[JOURNEY_RX_IRQ];
	napi1 = jrecs[0].t[JOURNEY_RX_NAPI];
	ck_assert(irq && napi1 && irq <= napi1);
	for (int i = 0; i < n; i++) {
		ck_assert_msg(jrecs[i].t[JOURNEY_RX_IRQ] == irq, "frame %d: rx_irq %llu, the run's %llu",
			      i, (unsigned long long)jrecs[i].t[JOURNEY_RX_IRQ], (unsigned long long)irq);
		/* the first poll's frames, then the second's */
		if (i < DEV_WEIGHT_DEFAULT)
			ck_assert(jrecs[i].t[JOURNEY_RX_NAPI] == napi1);
		else
			ck_assert(jrecs[i].t[JOURNEY_RX_NAPI] >= napi1 + 20 * NSEC_PER_MSEC);
	}
	/* the next interrupt starts the next run */
	ck_assert_int_eq(send_frames(1, 60, 0), 0);
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 1);
	ck_assert_int_eq(journey_rx_records(), n + 1);
	ck_assert(jrecs[n].t[JOURNEY_RX_IRQ] > jrecs[n - 1].t[JOURNEY_RX_NAPI]);
	ck_assert(jrecs[n].t[JOURNEY_RX_NAPI] >= jrecs[n].t[JOURNEY_RX_IRQ]);
	/* napi=off: each frame its own interrupt, and no poll stage (the
	 * last poll's stamp is not the frame's) */
	napi_enabled = false;
	ck_assert_int_eq(send_frames(2, 60, 0), 0);
	ck_assert(e1000_fixture_irq(ad));
	ck_assert(e1000_fixture_irq(ad));
	napi_enabled = true;
	ck_assert_int_eq(journey_rx_records(), n + 3);
	for (int i = n + 1; i < n + 3; i++) {
		ck_assert(jrecs[i].t[JOURNEY_RX_IRQ] > jrecs[i - 1].t[JOURNEY_RX_SKB]);
		ck_assert_uint_eq(jrecs[i].t[JOURNEY_RX_NAPI], 0);
	}
	journey_set_sample(0);
	journey_reset();
	down();
}
END_TEST

START_TEST(msix_uses_eicr)
{
	up_with(2, 64, 64, true);
	ck_assert_uint_eq(R(E1000_GPIE) & E1000_GPIE_MSIX_MODE, E1000_GPIE_MSIX_MODE);
	ck_assert_uint_eq(R(E1000_IVAR0), 0x8080);
	ck_assert_uint_eq(R(E1000_EIMS), 1);
	/* EICR 0 on our own vector: claimed, counted, nothing scheduled */
	ck_assert(e1000_intr(ad));
	ck_assert_uint_eq(ad->sw.irqs_not_ours, 1);
	ck_assert(!napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(R(E1000_EIMS), 1);
	R(E1000_EICR) = 1;
	ck_assert(e1000_intr(ad));
	ck_assert_uint_eq(R(E1000_EIMS), 0);
	e1000_fixture_drain_softirqs();
	ck_assert_uint_eq(R(E1000_EIMS), 1);
	down();
}
END_TEST

/* the 82576 without MSI-X: queue 0 still mapped through IVAR0 (QEMU's igb
 * raises TX-done only for a mapped queue), the MSI-X-only set-up left alone */
START_TEST(ivar0_mapped_without_msix_82576)
{
	up_with(2, 64, 64, false);
	ck_assert_uint_eq(R(E1000_IVAR0), 0x8080);
	ck_assert_uint_eq(R(E1000_GPIE) & E1000_GPIE_MSIX_MODE, 0);
	ck_assert_uint_eq(R(E1000_IVAR_MISC), 0);
	ck_assert_uint_eq(R(E1000_EIMS), 0);
	down();
}
END_TEST

/* An interrupt that finds no cause: on INTx (a line other devices may
 * share) not ours; on MSI (a vector of the device's own) claimed, with
 * nothing masked or scheduled; a device reading all ones is never ours */
START_TEST(empty_interrupt_claimed_only_on_own_vector)
{
	up(_i, 64, 64);
	ck_assert(!e1000_intr(ad));
	ad->hw.msi = true;
	ck_assert(e1000_intr(ad));
	ck_assert_uint_eq(ad->sw.irqs_not_ours, 2);
	ck_assert_uint_eq(ad->sw.irqs, 0);
	ck_assert(!napi_is_scheduled(&ad->napi));
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE);     /* still unmasked */
	R(E1000_ICR) = E1000_REG_GONE;
	ck_assert(!e1000_intr(ad));
	R(E1000_ICR) = 0;
	ad->hw.msi = false;
	down();
}
END_TEST

/* the 82574 in MSI-X mode: IVAR routes RxQ0, TxQ0 and Other to vector 0,
 * IMS enables the queue causes, and the hard IRQ still reads ICR */
START_TEST(msix_82574_routes_through_ivar)
{
	rx_seq = 0;
	up_with(1, 64, 64, true);
	ck_assert_uint_eq(R(E1000_IVAR_82574), 0x80808);
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE_82574_MSIX);
	ck_assert_int_eq(send_frames(2, 100, 0), 0);
	R(E1000_ICR) |= E1000_ICR_RXQ0;
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 2);
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(R(E1000_IMS), E1000_IMS_ENABLE_82574_MSIX);
	down();
}
END_TEST

/* The register accesses of one interrupt and its poll in MSI-X mode,
 * each an exit into the emulator: the vector alone masked and unmasked,
 * no STATUS read to flush the mask.  82576: EICR read, EIMC, ICR read
 * (the other causes: LSC), EIMS, and IMS left alone (the other causes
 * reach the message through EICR); 82574: ICR read, IMC, ICR
 * acknowledged, IMS.  Plus the RX tail for the frames taken.  ICR once
 * per interrupt, not in a poll no interrupt started (82576). */
START_TEST(msix_irq_and_poll_register_accesses)
{
	bool igb = _i == 2;

	rx_seq = 0;
	up_with(_i, 64, 64, true);
	ck_assert_int_eq(send_frames(2, 100, 0), 0);
	if (igb)
		R(E1000_EICR) |= 1;
	else
		R(E1000_ICR) |= E1000_ICR_RXQ0;
	memset(fake.reads, 0, sizeof(fake.reads));
	memset(fake.writes, 0, sizeof(fake.writes));
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), 2);
	ck_assert_uint_eq(fake.reads[E1000_STATUS / 4], 0);
	ck_assert_uint_eq(fake.writes[E1000_IMC / 4], igb ? 0 : 1);
	ck_assert_uint_eq(fake.writes[E1000_IMS / 4], igb ? 0 : 1);
	ck_assert_uint_eq(fake.writes[E1000_EIMC / 4], igb ? 1 : 0);
	ck_assert_uint_eq(fake.writes[E1000_EIMS / 4], igb ? 1 : 0);
	ck_assert_uint_eq(R(E1000_IMS), igb ? E1000_IMS_ENABLE : E1000_IMS_ENABLE_82574_MSIX);
	if (igb)
		ck_assert_uint_eq(R(E1000_EIMS), 1);
	/* the fixture's hard IRQs until one finds nothing: the 82574 reads
	 * ICR in each, the 82576 EICR there and ICR in the poll */
	ck_assert_uint_eq(fake.reads[E1000_ICR / 4], igb ? 1 : 2);
	/* 82576: a poll no interrupt started (the look after an unmask
	 * found a frame) does not read ICR; the next interrupt's poll does,
	 * and follows the link from it */
	ck_assert_int_eq(send_frames(1, 100, 0), 0);
	memset(fake.reads, 0, sizeof(fake.reads));
	ck_assert(napi_schedule_prep(&ad->napi));
	__napi_schedule(&ad->napi);
	e1000_fixture_drain_softirqs();
	ck_assert_uint_eq(rx.n, 3);
	if (igb) {
		ck_assert_uint_eq(fake.reads[E1000_ICR / 4], 0);
		fake.link_up = false;
		R(E1000_ICR) |= E1000_ICR_LSC;
		R(E1000_EICR) |= 1;
		e1000_fixture_irq_and_poll(ad);
		ck_assert(!dev->carrier);
		ck_assert_uint_eq(fake.reads[E1000_ICR / 4], 1);
		fake.link_up = true;
	}
	down();
}
END_TEST

/* e1000_sw_stats_add (e1000_mq_sw_add's per-queue sum) over every field
 * E1000_SW_STATS names (e1000_mq.c asserts it names them all): the
 * queue's k-th field holds k + 1, the total's 1000; each total is then
 * the sum, except irqs and polls (queue 0's only: stay 1000) and
 * tx_tso_descs_max (the larger: 1000).  A field the sum leaves out, or
 * one summed into its neighbour, fails here. */
START_TEST(mq_sw_stats_add_every_field)
{
	struct e1000_sw_stats w, q;
	u64 k = 0;

#define SET(f) w.f = 1000; q.f = ++k;
	E1000_SW_STATS(SET, SET, SET)
#undef SET
	e1000_sw_stats_add(&w, &q);
	k = 0;
#define CHECK(f, want)                                                         \
	k++;                                                                   \
	ck_assert_msg(w.f == (want), "e1000_sw_stats." #f ": %llu", (unsigned long long)w.f);
#define SUM(f) CHECK(f, 1000 + k)
#define KEEP(f) CHECK(f, 1000)
	E1000_SW_STATS(SUM, KEEP, KEEP)
#undef SUM
#undef KEEP
#undef CHECK
	ck_assert_uint_eq(k, sizeof(w) / sizeof(u64));
	ck_assert_uint_eq(w.irqs, 1000);
	ck_assert_uint_eq(w.tx_tso_descs_max, 1000);
	ck_assert_uint_eq(w.rx_packets, 1001);
}
END_TEST

/* the 82574 with two RSS queues (e1000_mq.c): extended RX descriptors
 * (QEMU hashes only with RFCTL.EXTEN), RxQ0 and TxQ0 to vector 1, RxQ1 to
 * vector 2, Other to vector 0, the queue causes auto-cleared; RSS on with
 * MRQC 01b, PCSD, and the queue in bit 7 of each table byte; queue 1's
 * ring at the legacy registers +0x100; frames arrive and the per-queue
 * counters and rx_rss_mismatch follow the hash the descriptor carries */
START_TEST(mq_82574_two_queues)
{
	struct e1000_adapter *a;

	memset(&rx, 0, sizeof(rx));
	fake_init(e1000_fixture_chips[1], e1000_fixture_mac);
	ck_assert_int_eq(net_dev_init(), 0);
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(e1000_adapter_init(dev, e1000_fixture_chips[1], (volatile u8 *)fake.regs,
					    false), 0);
	ck_assert_int_eq(register_netdev(dev), 0);
	a = ad = netdev_priv(dev);
	a->rx_count = a->tx_count = 64;
	a->hw.msix = true;
	dev->rx_handler = rx_capture;
	ck_assert_int_eq(e1000_mq_init(a, 2, 2), 0);
	ck_assert_int_eq(e1000_mq_init(a, 3, 3), -EINVAL);    /* the chip has two */
	ck_assert_int_eq(netdev_open(dev), 0);

	ck_assert(R(E1000_RFCTL) & E1000_RFCTL_EXTEN);
	ck_assert_uint_eq(R(E1000_IVAR_82574), 0x9 | 0xA << 4 | 0x9 << 8 | 0x8 << 16);
	ck_assert_uint_eq(R(E1000_EIAC_82574), E1000_ICR_RXQ0 | E1000_ICR_TXQ0 | E1000_ICR_RXQ1);
	ck_assert_uint_eq(R(E1000_MRQC), 0x1 | E1000_MRQC_RSS_DEFAULT_82574);
	ck_assert(R(E1000_RXCSUM) & E1000_RXCSUM_PCSD);
	/* Linux's default table: entries 0..63 queue 0, 64..127 queue 1 */
	ck_assert_uint_eq(R(E1000_RETA(15)), 0);
	ck_assert_uint_eq(R(E1000_RETA(16)), 0x80808080);
	ck_assert_uint_eq(R(E1000_RDLEN(1)), 64 * 16);
	ck_assert_uint_eq(e1000_rss_queue(a, 63), 0);
	ck_assert_uint_eq(e1000_rss_queue(a, 64 + 128), 1);
	ck_assert_uint_eq(R(E1000_IMS) & (E1000_ICR_RXQ0 | E1000_ICR_RXQ1 | E1000_ICR_OTHER),
			  E1000_ICR_RXQ0 | E1000_ICR_RXQ1 | E1000_ICR_OTHER);
	/* ethtool -N: the chip hashes no UDP ports */
	ck_assert_int_eq(e1000_set_rxfh_fields(dev, UDP_V4_FLOW, RXH_IP_SRC | RXH_IP_DST |
					       RXH_L4_B_0_1 | RXH_L4_B_2_3), -EINVAL);
	ck_assert_int_eq(e1000_set_rxfh_fields(dev, UDP_V4_FLOW, RXH_IP_SRC | RXH_IP_DST), 0);

	/* queue 0's frames, one carrying a hash RETA sends to queue 1 */
	rx_seq = 0;
	ck_assert_int_eq(send_frames(2, 100, 0), 0);
	((union e1000_ext_rx_desc *)a->rx.desc)[a->rx.next_to_clean].wb.mrq = 1;
	((union e1000_ext_rx_desc *)a->rx.desc)[a->rx.next_to_clean].wb.rss = 64;
	ck_assert_int_eq(e1000_fixture_irq_and_poll(a), 2);
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(a->qstats[0].rx_packets, 2);
	ck_assert_uint_eq(a->qstats[0].rss_mismatch, 1);

	ck_assert_int_eq(netdev_stop(dev), 0);
	ck_assert_uint_eq(R(E1000_RDLEN(1)), 0);       /* queue 1 taken away */
	e1000_mq_free(a);
	e1000_fixture_release(dev);
}
END_TEST

/* the chip (1: 82574L, 2: 82576) opened in MSI-X mode with nq RSS queues
 * (e1000_mq.c), rings of count descriptors, frames to rx_capture */
static void up_mq(int chip, unsigned int nq, u32 count)
{
	memset(&rx, 0, sizeof(rx));
	fake_init(chips[chip], test_mac);
	ck_assert_int_eq(net_dev_init(), 0);
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(e1000_adapter_init(dev, chips[chip], (volatile u8 *)fake.regs, false), 0);
	ck_assert_int_eq(register_netdev(dev), 0);
	ad = netdev_priv(dev);
	ad->rx_count = ad->tx_count = count;
	ad->hw.msix = true;
	dev->rx_handler = rx_capture;
	ck_assert_int_eq(e1000_mq_init(ad, nq, nq), 0);
	ck_assert_int_eq(netdev_open(dev), 0);
}

static void down_mq(void)
{
	ck_assert_int_eq(netdev_stop(dev), 0);
	e1000_mq_free(ad);
	e1000_fixture_release(dev);
}

static void mq_irq_fn(void *ctx)
{
	ck_assert(e1000_mq_ring_intr(ctx));
}

/* queue qi's vector fires: its hard IRQ, then its poll in NET_RX */
static void mq_irq_and_poll(unsigned int qi)
{
	host_irq_simulate(mq_irq_fn, e1000_mq_queue(ad, qi));
	e1000_fixture_drain_softirqs();
}

static int send_frames_q(unsigned int q, unsigned int n, unsigned int len)
{
	u8 f[2048];
	int failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		make_frame(f, len, rx_seq);
		if (fake_rx_q(q, f, len, 0))
			failed++;
		else
			rx_seq++;
	}
	return failed;
}

/* ring_resize_keeps_the_frame_qemu_holds for RSS queue 1 (82574, 82576):
 * the traffic and the frame QEMU holds while the receiver is off go to
 * queue 1, whose tail ends anywhere in the 256-ring.  Any queue's RDT
 * write hands the held frame over (igb_set_rdt, e1000e_set_rdt), so queue
 * 1's tail must be in the smallest ring before RCTL.EN goes off
 * (e1000_mq_rx_stop), not rewritten while it is off.  (Before:
 * e1000_mq_ring_configure wrote RDT(1) with the receiver off whenever its
 * tail lay past the new, smaller ring: the frame lost at the first
 * shrink with queue 1's tail past 64.) */
START_TEST(mq_ring_resize_keeps_the_frame_qemu_holds)
{
	rx_seq = 0;
	up_mq(_i, 2, 64);
	resize_keeps_held_frames(1, 120);
	/* on the igb, the held frames and the staged polls' on queue 0 */
	ck_assert_uint_eq(ad->qstats[0].rx_packets + ad->qstats[1].rx_packets, rx_seq);
	if (ad->hw.chip->type != e1000_82576)
		ck_assert_uint_eq(ad->qstats[1].rx_packets, rx_seq);
	down_mq();
}
END_TEST

/* irq_lost on RSS queue 1's vector (82574, 82576): the handler counts the
 * fault, unmasks its own vector and returns with no poll scheduled; the
 * frames wait in queue 1's ring until the driver's watchdog, which looks
 * at every queue's ring, raises that vector (EICS; on the 82574 it
 * schedules the poll, ICS cannot raise a masked cause), counted in
 * irq_kicks; its poll takes them, and with nothing left no kick follows.
 * (Before: the hook was in queue 0's e1000_intr alone, and the watchdog
 * looked at queue 0's ring alone: a lost interrupt on queue 1 left its
 * frames until queue 1's next frame.) */
START_TEST(mq_irq_lost_on_queue_1_recovered_by_the_watchdog_kick)
{
	struct e1000_mq_queue *q1;
	bool icr = _i == 1;
	u32 bit;

	rx_seq = 0;
	up_mq(_i, 2, 64);
	q1 = e1000_mq_queue(ad, 1);
	bit = icr ? E1000_ICR_RXQ1 : E1000_EICR_VEC(2);
	ck_assert_int_eq(fault_set(FAULT_IRQ_LOST, FAULT_PPM_MAX, 1, 1, 0), 0);
	ck_assert_int_eq(send_frames_q(1, 2, 100), 0);
	host_irq_simulate(mq_irq_fn, q1);
	ck_assert_uint_eq(ad->fault.injected[FAULT_IRQ_LOST], 1);
	ck_assert(R(icr ? E1000_IMS : E1000_EIMS) & bit); /* its vector unmasked */
	e1000_fixture_drain_softirqs();
	ck_assert_uint_eq(ad->qstats[1].polls, 0);      /* dropped on the floor */
	ck_assert_uint_eq(rx.n, 0);
	ck_assert_uint_eq(ad->qstats[1].rx_packets, 0);
	/* the watchdog finds queue 1's frames: on the 82576 it raises the
	 * vector (EICS); on the 82574, whose queue cause EIAC may have left
	 * masked (an ICS write then raises nothing), it schedules the poll */
	R(icr ? E1000_ICR : E1000_EICR) = 0;
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	if (icr) {
		ck_assert(!(R(E1000_ICR) & bit));
		ck_assert(napi_is_scheduled(&q1->napi));
		e1000_fixture_drain_softirqs();
	} else {
		ck_assert(R(E1000_EICR) & bit);
		mq_irq_and_poll(1);
	}
	ck_assert_uint_eq(rx.n, 2);
	ck_assert_uint_eq(ad->qstats[1].rx_packets, 2);
	/* nothing left in any ring: no kick */
	e1000_watchdog(dev);
	ck_assert_uint_eq(ad->sw.irq_kicks, 1);
	ck_assert_uint_eq(ad->fault.injected[FAULT_IRQ_LOST], 1);
	fault_off_all();
	down_mq();
}
END_TEST

/* An rx_handler's replies with NETDEV_TX_MORE (l2reflect's) from RSS
 * queue 1's poll of the 82576 (the 82574 sends on queue 0 only), on TX
 * queue 1 (the CPU's by XPS), share one TDT(1) write at the poll's end,
 * counted in tx_tail_batched, as queue 0's do
 * (tx_wraps_and_writes_tail_once_per_burst); the stack's replies (no
 * MORE) write at once, as queue 0's (tx_replies_in_poll_write_tail_at_once),
 * and so does a send outside the poll.  (Before: e1000_mq_xmit dropped
 * MORE, so queue 1 wrote TDT(1) per reply, 20 a 20-frame poll.) */
START_TEST(mq_tx_replies_in_poll_share_one_tail_write)
{
	unsigned int tdt0, q0_writes;

	rx_seq = 0;
	up_mq(2, 2, 64);
	q0_writes = fake.tdt_writes_q[0];       /* e1000_tx_configure's */
	dev->xps_cpus[1] = 1u << 0;     /* CPU 0 (the host's) sends on TX queue 1 */
	dev->rx_handler = rx_reflect;
	for (int burst = 0; burst < 6; burst++) {
		/* bursts 0-3 as l2reflect, 4-5 as the stack's replies */
		reflect_flags = burst < 4 ? NETDEV_TX_MORE : 0;
		ck_assert_int_eq(send_frames_q(1, 20, 64), 0);
		tdt0 = fake.tdt_writes_q[1];
		mq_irq_and_poll(1);
		ck_assert_uint_eq(rx.n, 20 * (burst + 1));
		ck_assert_uint_eq(fake.tdt_writes_q[1], tdt0 + (burst < 4 ? 1 : 20));
		ck_assert_uint_eq(fake_tx_run_q(1, 1000), 20);
		mq_irq_and_poll(1);     /* the completions go back */
	}
	ck_assert_uint_eq(fake.tdt_writes_q[0], q0_writes);    /* nothing on queue 0 */
	ck_assert_uint_eq(ethtool_stat("tx_queue_1_packets"), 120);
	ck_assert_uint_eq(ethtool_stat("tx_tail_batched"), 80);
	/* outside a poll the same send writes its tail at once */
	tdt0 = fake.tdt_writes_q[1];
	ck_assert_int_eq(xmit(70, 1, NULL, NETDEV_TX_MORE), 0);
	ck_assert_uint_eq(fake.tdt_writes_q[1], tdt0 + 1);
	ck_assert_uint_eq(fake_tx_run_q(1, 10), 1);
	ck_assert_uint_eq(ethtool_stat("tx_tail_batched"), 80);
	down_mq();
}
END_TEST

/* ethtool -S on the igb with frames in flight on TX queues 0 and 1 (the
 * queue of a send on another CPU): tx_ring_inflight counts both rings'
 * frames not yet cleaned, sent by the device or not, so the frames queued
 * (tx_zc_frames + tx_linearized) = tx_packets + tx_ring_inflight at every
 * read.  (Before: queue 0's ring alone, so a frame on queue 1 sent but
 * not cleaned was in neither tx_packets nor tx_ring_inflight; a test
 * reading the counters before and after its traffic found one frame too
 * many sent, test_zerocopy[igb].) */
START_TEST(mq_tx_ring_inflight_counts_every_queue)
{
	rx_seq = 0;
	up_mq(2, 2, 64);
	ck_assert_int_eq(xmit(100, 0, NULL, 0), 0);            /* queue 0 */
	ck_assert_int_eq(xmit(100, 1, NULL, 0), 0);
	dev->xps_cpus[1] = 1u << 0;     /* CPU 0 (the host's) sends on TX queue 1 */
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(xmit(100, 2 + i, NULL, 0), 0);
	ck_assert_uint_eq(ethtool_stat("tx_zc_frames") + ethtool_stat("tx_linearized"), 7);
	ck_assert_uint_eq(ethtool_stat("tx_packets"), 0);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 7);
	/* the device sends 3 of queue 1's: still in flight until cleaned */
	ck_assert_uint_eq(fake_tx_run_q(1, 3), 3);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 7);
	mq_irq_and_poll(1);
	ck_assert_uint_eq(ethtool_stat("tx_queue_1_packets"), 3);
	ck_assert_uint_eq(ethtool_stat("tx_packets"), 3);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 4);
	/* the rest, then queue 0's */
	ck_assert_uint_eq(fake_tx_run_q(1, 10), 2);
	mq_irq_and_poll(1);
	ck_assert_uint_eq(fake_tx_run(10), 2);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 2);
	e1000_fixture_irq_and_poll(ad);
	ck_assert_uint_eq(ethtool_stat("tx_queue_0_packets"), 2);
	ck_assert_uint_eq(ethtool_stat("tx_packets"), 7);
	ck_assert_uint_eq(ethtool_stat("tx_ring_inflight"), 0);
	down_mq();
}
END_TEST

/* the 82574's RSS queue 1 has no TX ring: an rx_handler's replies with
 * NETDEV_TX_MORE from its poll go to queue 0's ring and share one TDT
 * write at that poll's end, as from queue 0's poll.  (Before: one TDT
 * write per reply, 20 a 20-frame poll.) */
START_TEST(mq_82574_queue1_replies_share_one_tail_write)
{
	unsigned int tdt0;

	rx_seq = 0;
	up_mq(1, 2, 64);
	dev->rx_handler = rx_reflect;
	reflect_flags = NETDEV_TX_MORE;
	for (int burst = 0; burst < 4; burst++) {
		ck_assert_int_eq(send_frames_q(1, 20, 64), 0);
		tdt0 = fake.tdt_writes;
		mq_irq_and_poll(1);
		ck_assert_uint_eq(rx.n, 20 * (burst + 1));
		ck_assert_uint_eq(fake.tdt_writes, tdt0 + 1);
		ck_assert_uint_eq(fake_tx_run(1000), 20);
		mq_irq_and_poll(1);     /* queue 1's poll reclaims queue 0's ring too */
	}
	ck_assert_uint_eq(ad->qstats[1].rx_packets, 80);
	ck_assert_uint_eq(ethtool_stat("tx_tail_batched"), 80);
	ck_assert_uint_eq(ethtool_stat("tx_queue_0_packets"), 80);
	down_mq();
}
END_TEST

START_TEST(link_comes_up_after_autoneg_restart)
{
	fake_init(chips[_i], test_mac);
	ck_assert_int_eq(net_dev_init(), 0);
	fake.link_up = false;
	fake.autoneg_on_restart = true;
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_int_eq(e1000_adapter_init(dev, chips[_i], (volatile u8 *)fake.regs, false), 0);
	ck_assert_int_eq(register_netdev(dev), 0);
	ad = netdev_priv(dev);
	ad->rx_count = ad->tx_count = 64;
	ck_assert_int_eq(netdev_open(dev), 0);
	ck_assert(fake.link_up);
	e1000_fixture_irq_and_poll(ad);
	ck_assert(dev->carrier);
	down();
}
END_TEST

START_TEST(promisc_and_multicast_filters)
{
	static const u8 mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	u32 h = e1000_mta_hash(mdns);

	up(_i, 64, 64);
	ck_assert_int_eq(netdev_set_promisc(dev, true), 0);
	ck_assert_uint_eq(R(E1000_RCTL) & (E1000_RCTL_UPE | E1000_RCTL_MPE),
			  E1000_RCTL_UPE | E1000_RCTL_MPE);
	ck_assert(R(E1000_RCTL) & E1000_RCTL_EN);
	ck_assert_int_eq(netdev_set_promisc(dev, false), 0);
	ck_assert_uint_eq(R(E1000_RCTL) & (E1000_RCTL_UPE | E1000_RCTL_MPE), 0);
	ck_assert_uint_eq(h, 0xFB0);
	ck_assert_int_eq(netdev_add_mc(dev, mdns), 0);
	ck_assert_uint_eq(R(E1000_MTA(h >> 5)), BIT(h & 31));
	ck_assert_int_eq(netdev_add_mc(dev, test_mac), -EINVAL);
	down();
}
END_TEST

/* QEMU's e1000 holds every received frame back for 1 s after any RCTL
 * write: open writes it once (receiver on), a multicast join or an
 * unchanged mode not at all, and the emulated 82540EM reports the hold in
 * dev->rx_held_until_ns (netif_rx_ready false until then) */
START_TEST(rctl_written_only_when_it_changes)
{
	static const u8 mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	const u64 t0 = 5 * NSEC_PER_SEC, hold = NSEC_PER_SEC;
	bool holds = chips[_i]->type == e1000_82540;
	unsigned int n;

	fake_init(chips[_i], test_mac);
	ck_assert_int_eq(net_dev_init(), 0);
	host_clock_ns = t0;
	host_clock_step_ns = 0;
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	ck_assert_int_eq(e1000_adapter_init(dev, chips[_i], (volatile u8 *)fake.regs, true), 0);
	ck_assert_int_eq(register_netdev(dev), 0);
	ad = netdev_priv(dev);
	ad->rx_count = ad->tx_count = 64;
	dev->rx_handler = rx_capture;
	n = fake.rctl_writes;
	ck_assert_int_eq(netdev_open(dev), 0);
	ck_assert_uint_eq(fake.rctl_writes - n, 1);
	ck_assert(R(E1000_RCTL) & E1000_RCTL_EN);
	e1000_fixture_irq_and_poll(ad);
	ck_assert(dev->carrier);
	ck_assert_uint_eq(dev->rx_held_until_ns, holds ? t0 + hold : 0);
	ck_assert(netif_rx_ready(dev) == !holds);
	host_clock_ns = t0 + hold;
	ck_assert(netif_rx_ready(dev));

	n = fake.rctl_writes;
	ck_assert_int_eq(netdev_add_mc(dev, mdns), 0);
	ck_assert_int_eq(netdev_set_promisc(dev, false), 0);
	ck_assert_uint_eq(fake.rctl_writes, n);
	ck_assert(netif_rx_ready(dev));
	ck_assert_int_eq(netdev_set_promisc(dev, true), 0);
	ck_assert_uint_eq(fake.rctl_writes, n + 1);
	ck_assert(netif_rx_ready(dev) == !holds);
	/* a non-emulated chip never holds */
	ad->hw.emulated = false;
	ck_assert_int_eq(netdev_set_promisc(dev, false), 0);
	ck_assert(netif_rx_ready(dev) == !holds);
	host_clock_ns = t0 + 3 * hold;
	ck_assert(netif_rx_ready(dev));
	host_clock_ns = 0;
	down();
}
END_TEST

START_TEST(coalesce_sets_throttle)
{
	struct ethtool_coalesce ec = { .rx_coalesce_usecs = 100 };

	up(_i, 64, 64);
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), 0);
	if (chips[_i]->flags & E1000_F_EITR)
		ck_assert_uint_eq(R(E1000_EITR(0)), 400);
	else
		ck_assert_uint_eq(R(E1000_ITR), 100 * 1000 / 256);
	ec.rx_coalesce_usecs = E1000_ITR_MAX_US + 1;
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), -EINVAL);
	ec.rx_coalesce_usecs = 10;
	ec.tx_coalesce_usecs = 20;
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), -EINVAL);
	dev->netdev_ops->ndo_get_coalesce(dev, &ec);
	ck_assert_uint_eq(ec.rx_coalesce_usecs, 100);
	down();
}
END_TEST

/* the throttle register holds usecs (EITR: 1 us units; ITR: 256 ns) */
static bool itr_reg_is(int chip, u32 usecs)
{
	if (chips[chip]->flags & E1000_F_EITR)
		return R(E1000_EITR(0)) == usecs << E1000_EITR_INTERVAL_SHIFT;
	return R(E1000_ITR) == usecs * 1000 / E1000_ITR_UNIT_NS;
}

static void set_adaptive(bool on, u32 usecs)
{
	struct ethtool_coalesce ec;

	dev->netdev_ops->ndo_get_coalesce(dev, &ec);
	ec.use_adaptive_rx_coalesce = on;
	ec.rx_coalesce_usecs = usecs;
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), 0);
}

/* one interrupt period of n frames of len bytes each */
static void period(unsigned int n, unsigned int len)
{
	ck_assert_int_eq(send_frames(n, len, 0), 0);
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), (int)n);
}

START_TEST(itr_classes)
{
	/* a few small frames: lowest; big frames in volume: bulk */
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_LOW, 1, 98), E1000_ITR_LOWEST);
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_BULK, 2, 196), E1000_ITR_LOWEST);
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_LOW, 60, 60 * 1514), E1000_ITR_BULK);
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_LOWEST, 20, 20 * 1514), E1000_ITR_BULK);
	/* mixed: low; and a quiet period changes nothing */
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_LOWEST, 10, 10 * 200), E1000_ITR_LOW);
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_BULK, 0, 0), E1000_ITR_BULK);
	/* bulk is kept through a burst, left for low by many mid-size frames */
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_BULK, 30, 30 * 1514), E1000_ITR_BULK);
	ck_assert_int_eq(e1000_itr_classify(E1000_ITR_BULK, 40, 40 * 300), E1000_ITR_LOW);
}
END_TEST

START_TEST(itr_adaptive_bulk_raises_sparse_lowers)
{
	struct ethtool_coalesce ec;
	u32 prev;

	rx_seq = 0;
	up(_i, 256, 64);
	set_adaptive(true, E1000_ITR_DEFAULT_US);
	dev->netdev_ops->ndo_get_coalesce(dev, &ec);
	ck_assert_uint_eq(ec.use_adaptive_rx_coalesce, 1);
	ck_assert_uint_eq(ec.rx_coalesce_usecs, E1000_ITR_DEFAULT_US);
	/* bulk: 60 full-size frames in one period go straight to 4000/s */
	period(60, 1500);
	ck_assert_uint_eq(ad->itr_usecs, 250);
	ck_assert(itr_reg_is(_i, 250));
	ck_assert_uint_eq(ad->itr.changes, 1);
	dev->netdev_ops->ndo_get_coalesce(dev, &ec);
	ck_assert_uint_eq(ec.rx_coalesce_usecs, 250);
	/* a burst more keeps it there, the register is not rewritten */
	period(30, 1500);
	ck_assert_uint_eq(ad->itr_usecs, 250);
	ck_assert_uint_eq(ad->itr.changes, 1);
	/* sparse small frames: the interval comes down step by step
	 * (70000/s reached in four periods: 46, 25, 17, 14 us) */
	prev = ad->itr_usecs;
	for (int i = 0; i < 4; i++) {
		period(1, 98);
		ck_assert_uint_lt(ad->itr_usecs, prev);
		ck_assert(itr_reg_is(_i, ad->itr_usecs));
		prev = ad->itr_usecs;
	}
	ck_assert_uint_eq(ad->itr_usecs, 14);
	ck_assert_uint_eq(ad->itr.changes, 5);
	period(1, 98);
	ck_assert_uint_eq(ad->itr_usecs, 14);
	ck_assert_uint_eq(ad->itr.changes, 5);
	/* off: the interval chosen last stays fixed whatever comes */
	set_adaptive(false, ad->itr_usecs);
	period(60, 1500);
	ck_assert_uint_eq(ad->itr_usecs, 14);
	ck_assert(itr_reg_is(_i, 14));
	ck_assert_uint_eq(ad->itr.changes, 5);
	down();
}
END_TEST

/* one interrupt period on the 82576 with one MSI-X vector: n frames, the
 * interrupt gap_us after the previous one (lone frames, e1000_itr.c) */
static void lone_period(unsigned int n, u64 gap_us)
{
	host_clock_ns += gap_us * NSEC_PER_USEC;
	ck_assert_int_eq(send_frames(n, 100, 0), 0);
	R(E1000_EICR) |= 1;
	ck_assert_int_eq(e1000_fixture_irq_and_poll(ad), (int)n);
}

/* The throttle off for lone frames (82576, one MSI-X vector): an echo
 * with 8 in flight (8 frames a period, 300 us apart) takes it off after
 * four periods, as one in flight does; while off, one to three periods
 * sooner than the interval leave it off, the fourth in a row puts the
 * interval back; a burst (17 frames in a period) puts it back at once.
 * The rule before (at most one frame, the first period sooner puts it
 * back) kept it on at 8 in flight. */
START_TEST(itr_lone_small_batches_off_bursts_on)
{
	u64 clock = host_clock_ns, step = host_clock_step_ns;

	host_clock_ns = 1000 * NSEC_PER_MSEC;
	host_clock_step_ns = 0;
	rx_seq = 0;
	up_with(2, 64, 64, true);
	ck_assert_uint_eq(ad->itr_usecs, E1000_ITR_DEFAULT_US);
	for (int i = 0; i < 3; i++)
		lone_period(8, 300);
	ck_assert(!ad->itr.off);
	lone_period(8, 300);
	ck_assert(ad->itr.off);
	ck_assert_uint_eq(R(E1000_EITR(0)), 0);
	ck_assert_uint_eq(ad->itr.lone_offs, 1);
	/* three periods sooner, then one apart: still off */
	for (int i = 0; i < 3; i++)
		lone_period(1, 10);
	lone_period(1, 300);
	ck_assert(ad->itr.off);
	/* four sooner in a row: the interval is back */
	for (int i = 0; i < 3; i++)
		lone_period(1, 10);
	ck_assert(ad->itr.off);
	lone_period(1, 10);
	ck_assert(!ad->itr.off);
	ck_assert(itr_reg_is(2, E1000_ITR_DEFAULT_US));
	/* off again, then a burst */
	for (int i = 0; i < 4; i++)
		lone_period(16, 300);
	ck_assert(ad->itr.off);
	ck_assert_uint_eq(ad->itr.lone_offs, 2);
	lone_period(17, 300);
	ck_assert(!ad->itr.off);
	ck_assert(itr_reg_is(2, E1000_ITR_DEFAULT_US));
	ck_assert_uint_eq(ad->itr_usecs, E1000_ITR_DEFAULT_US);
	down();
	host_clock_ns = clock;
	host_clock_step_ns = step;
}
END_TEST

START_TEST(itr_off_keeps_rx_usecs)
{
	struct ethtool_coalesce ec = { .rx_coalesce_usecs = 100 };

	rx_seq = 0;
	up(_i, 256, 64);
	ck_assert(!ad->itr.adaptive);           /* off by default */
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), 0);
	period(60, 1500);
	period(1, 98);
	period(1, 98);
	ck_assert_uint_eq(ad->itr_usecs, 100);
	ck_assert(itr_reg_is(_i, 100));
	ck_assert_uint_eq(ad->itr.changes, 0);
	/* adaptive TX and a non-boolean adaptive are refused, nothing changes */
	ec.use_adaptive_tx_coalesce = 1;
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), -EOPNOTSUPP);
	ec.use_adaptive_tx_coalesce = 0;
	ec.use_adaptive_rx_coalesce = 2;
	ck_assert_int_eq(dev->netdev_ops->ndo_set_coalesce(dev, &ec), -EINVAL);
	ck_assert(!ad->itr.adaptive);
	down();
}
END_TEST

START_TEST(netdev_names_in_order)
{
	struct net_device *a = alloc_netdev(0), *b = alloc_netdev(0), *c = alloc_netdev(0);

	ck_assert_int_eq(register_netdev(a), 0);
	ck_assert_int_eq(register_netdev(b), 0);
	ck_assert_str_eq(a->name, "eth0");
	ck_assert_str_eq(b->name, "eth1");
	ck_assert_ptr_eq(netdev_get_by_name("eth1"), b);
	unregister_netdev(a);
	ck_assert_int_eq(register_netdev(c), 0);
	ck_assert_str_eq(c->name, "eth0");
	ck_assert_ptr_eq(netdev_get_by_index(1), b);
	unregister_netdev(b);
	unregister_netdev(c);
	free_netdev(a);
	free_netdev(b);
	free_netdev(c);
	ck_assert_int_eq(fake_allocs, 0);
}
END_TEST

int main(void)
{
	TCase *tc = tcase_create("fake-nic");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, mac_from_nvm_and_rar, 0, 3);
	tcase_add_loop_test(tc, bad_nvm_address_refused, 0, 3);
	tcase_add_loop_test(tc, phy_through_mdic, 0, 3);
	tcase_add_loop_test(tc, open_programs_the_rings, 0, 3);
	tcase_add_loop_test(tc, rx_wraps_around_in_order, 0, 3);
	tcase_add_loop_test(tc, rx_full_ring_counts_missed, 0, 3);
	tcase_add_loop_test(tc, rx_error_frames_counted_and_recycled, 0, 3);
	tcase_add_loop_test(tc, rx_oversize_dropped_once, 0, 3);
	tcase_add_loop_test(tc, rx_checksum_only_where_validated, 0, 3);
	tcase_add_loop_test(tc, tx_full_ring_is_an_error_not_a_hang, 0, 3);
	tcase_add_loop_test(tc, tx_tagged_frame_takes_four_more_bytes, 0, 3);
	tcase_add_loop_test(tc, tx_vlan_tag_put_in_by_the_device, 0, 3);
	tcase_add_loop_test(tc, rx_vlan_stripped_and_filtered, 0, 3);
	tcase_add_loop_test(tc, tx_wraps_and_writes_tail_once_per_burst, 0, 3);
	tcase_add_loop_test(tc, tx_checksum_context_loaded_on_change, 0, 3);
	tcase_add_loop_test(tc, tx_checksum_offload_ipv4_ipv6_tcp_udp, 0, 3);
	tcase_add_loop_test(tc, tx_checksum_offload_ipv6_refuses_nonsense, 0, 3);
	tcase_add_loop_test(tc, tx_full_of_deferred_frames_flushes_first, 0, 3);
	tcase_add_loop_test(tc, tx_replies_in_poll_write_tail_at_once, 0, 3);
	tcase_add_loop_test(tc, tx_thread_send_defers_tail_until_flush, 0, 3);
	tcase_add_loop_test(tc, tx_thread_flush_reaps_without_tx_interrupt, 0, 3);
	tcase_add_loop_test(tc, tx_poll_replies_reaped_without_tx_interrupt, 0, 3);
	tcase_add_loop_test(tc, ringparam_resize_validated_and_leak_free, 0, 3);
	tcase_add_loop_test(tc, ring_resize_keeps_the_frame_qemu_holds, 0, 3);
	tcase_add_loop_test(tc, stats_accumulate_from_clear_on_read, 0, 3);
	tcase_add_loop_test(tc, stats_sticky_counters_of_the_emulator, 0, 3);
	tcase_add_loop_test(tc, irq_masks_then_poll_unmasks, 0, 3);
	tcase_add_loop_test(tc, napi_off_one_frame_per_interrupt, 0, 3);
	tcase_add_loop_test(tc, journey_rx_stages_of_a_long_napi_run, 0, 3);
	tcase_add_test(tc, msix_uses_eicr);
	tcase_add_test(tc, tx_thread_flush_reaps_without_tx_interrupt_msix_82576);
	tcase_add_test(tc, ivar0_mapped_without_msix_82576);
	tcase_add_loop_test(tc, empty_interrupt_claimed_only_on_own_vector, 0, 3);
	tcase_add_test(tc, msix_82574_routes_through_ivar);
	tcase_add_loop_test(tc, msix_irq_and_poll_register_accesses, 1, 3);
	tcase_add_test(tc, mq_82574_two_queues);
	tcase_add_loop_test(tc, mq_ring_resize_keeps_the_frame_qemu_holds, 1, 3);
	tcase_add_loop_test(tc, mq_irq_lost_on_queue_1_recovered_by_the_watchdog_kick, 1, 3);
	tcase_add_test(tc, mq_tx_replies_in_poll_share_one_tail_write);
	tcase_add_test(tc, mq_82574_queue1_replies_share_one_tail_write);
	tcase_add_test(tc, mq_tx_ring_inflight_counts_every_queue);
	tcase_add_test(tc, mq_sw_stats_add_every_field);
	tcase_add_loop_test(tc, link_comes_up_after_autoneg_restart, 0, 3);
	tcase_add_loop_test(tc, promisc_and_multicast_filters, 0, 3);
	tcase_add_loop_test(tc, rctl_written_only_when_it_changes, 0, 3);
	tcase_add_loop_test(tc, coalesce_sets_throttle, 0, 3);
	tcase_add_test(tc, itr_classes);
	tcase_add_loop_test(tc, itr_adaptive_bulk_raises_sparse_lowers, 0, 3);
	tcase_add_loop_test(tc, itr_off_keeps_rx_usecs, 0, 3);
	tcase_add_test(tc, itr_lone_small_batches_off_bursts_on);
	tcase_add_test(tc, netdev_names_in_order);
	tcase_add_test(tc, xps_picks_mapped_tx_queue);
	return e1000_fixture_run("e1000", tc);
}
