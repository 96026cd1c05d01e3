/* l2reflect, the kernel part: the `l2reflect=` option, the rx_handler that
 * answers through ndo_start_xmit, and the counter report.  See l2reflect.h.
 *
 * Buffers: the received skb is ours to free, and is freed before anything
 * else is done with the frame; each answer is built in l2r_out and copied
 * into a new skb (the self-test's own path, not the stack's), which the
 * driver owns once ndo_start_xmit took it. */
#include "drivers/net/l2reflect.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/workqueue.h"
#include <string.h>

static bool l2r_enabled;
static u32 l2r_ip;                      /* network order */
static struct l2reflect_counters l2r[NETDEV_MAX];
/* ring sizes asked for by control frames, per device, in arrival order:
 * a later request waits behind one the kworker has not run yet (a single
 * slot let it replace that one, and the first resize was lost) */
#define L2R_RING_REQUESTS 8
struct l2r_ring_queue {
	u32 size[L2R_RING_REQUESTS];
	u32 head, tail;                 /* free-running; head - tail queued */
};
static struct l2r_ring_queue l2r_ring_requests[NETDEV_MAX];
/* guards l2r_ring_requests; the rx_handler (NET_RX, or the hard IRQ with
 * napi=off) and the kworker, irqsave */
static struct spinlock l2r_ring_lock = SPINLOCK_INIT("l2reflect_ring");
/* the resizes run from a kworker (l2reflect_service) */
static void l2reflect_ring_work(struct work_struct *w);
static struct work_struct l2r_ring_work = { .func = l2reflect_ring_work };
/* kmalloc's live objects for the leak checks: the skb head cache keeps
 * freed skb structs for reuse (a burst grows it), so it is emptied first */
static size_t l2reflect_kmalloc_live(void)
{
	skb_cache_drain();
	return kmalloc_live_objects();
}

/* answers are built here, then copied into their skb: handlers run one at
 * a time, from the poll (or the hard IRQ with napi=off, never both) */
static u8 l2r_out[ETH_FRAME_LEN];

static int set_l2reflect(const char *v)
{
	if (!strcmp(v, "off")) {
		l2r_enabled = false;
		return 0;
	}
	if (l2reflect_parse_ipv4(v, &l2r_ip))
		return -EINVAL;
	l2r_enabled = true;
	return 0;
}
CMDLINE_OPT("l2reflect", set_l2reflect,
	    "self-test responder on every NIC: answer ARP for this IPv4 address, reflect frames (or off)");

static void l2reflect_report(struct net_device *dev, const struct l2reflect_counters *c)
{
	struct rtnl_link_stats64 s;
	char hw[256] = "";
	size_t live;

	dev->netdev_ops->ndo_get_stats64(dev, &s);
	if (dev->netdev_ops->ndo_get_hw_stats)
		dev->netdev_ops->ndo_get_hw_stats(dev, hw, sizeof(hw));
	pr_info("l2reflect: %s responder rx=%llu reflected=%llu arp=%llu ignored=%llu tx_busy=%llu "
		"tx_errors=%llu rx_csum_ok=%llu tx_csum=%llu\n",
		dev->name, (unsigned long long)c->rx, (unsigned long long)c->reflected,
		(unsigned long long)c->arp_replies, (unsigned long long)c->ignored,
		(unsigned long long)c->tx_busy, (unsigned long long)c->tx_errors,
		(unsigned long long)c->rx_csum_ok, (unsigned long long)c->tx_csum);
	pr_info("l2reflect: %s driver rx_packets=%llu tx_packets=%llu rx_bytes=%llu tx_bytes=%llu "
		"rx_errors=%llu rx_dropped=%llu rx_length_errors=%llu rx_crc_errors=%llu "
		"rx_missed_errors=%llu rx_nohandler=%llu\n",
		dev->name, (unsigned long long)s.rx_packets, (unsigned long long)s.tx_packets,
		(unsigned long long)s.rx_bytes, (unsigned long long)s.tx_bytes,
		(unsigned long long)s.rx_errors, (unsigned long long)s.rx_dropped,
		(unsigned long long)s.rx_length_errors, (unsigned long long)s.rx_crc_errors,
		(unsigned long long)s.rx_missed_errors,
		(unsigned long long)READ_ONCE(dev->rx_nohandler));
	pr_info("l2reflect: %s device %s\n", dev->name, hw);
	/* skb_cached: objects the skb caches keep (kmalloc'ed, counted
	 * in kmalloc_live); emptied first, so 0 here (separate statements:
	 * the order of evaluation of arguments is unspecified) */
	live = l2reflect_kmalloc_live();
	pr_info("l2reflect: %s memory kmalloc_live=%zu dma_bytes=%llu skb_cached=%u\n", dev->name,
		live, (unsigned long long)dma_outstanding_bytes(), skb_cache_count());
}

/* the offload l2reflect_prepare_csum described, as a CHECKSUM_PARTIAL skb */
static void l2reflect_set_csum(struct sk_buff *skb, const struct netdev_tx_csum *csum)
{
	u16 data_off = (u16)(skb->data - skb->head);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_flags = (u8)csum->flags;
	skb->network_header = (u16)(data_off + csum->l3_offset);
	skb->transport_header = (u16)(skb->network_header + csum->l3_len);
}

/* send the answer in l2r_out as a new skb */
static int l2reflect_send(struct net_device *dev, struct l2reflect_counters *c,
			  unsigned int out_len, bool arp)
{
	struct sk_buff *out = netdev_alloc_skb(dev, out_len);
	struct netdev_tx_csum csum;
	bool offload;
	int rc;

	if (!out) {
		c->tx_errors++;
		return -ENOMEM;
	}
	memcpy(skb_put(out, out_len), l2r_out, out_len);
	offload = l2reflect_prepare_csum(out->data, out_len, &csum);
	if (offload)
		l2reflect_set_csum(out, &csum);
	/* MORE: the poll writes the tail once for the whole batch */
	rc = dev->netdev_ops->ndo_start_xmit(dev, out, NETDEV_TX_MORE);
	if (rc) {
		kfree_skb(out);         /* not taken */
		if (rc == -EBUSY)
			c->tx_busy++;
		else
			c->tx_errors++;
		return rc;
	}
	if (arp)
		c->arp_replies++;
	else
		c->reflected++;
	if (offload)
		c->tx_csum++;
	return 0;
}

/* queue a ring resize for device idx; false for size 0 (0 means "none"
 * to the dequeue) or when L2R_RING_REQUESTS wait already: the caller
 * counts the request as ignored */
static bool l2reflect_ring_queue(int idx, u32 size)
{
	struct l2r_ring_queue *q = &l2r_ring_requests[idx];
	unsigned long flags = spin_lock_irqsave(&l2r_ring_lock);
	bool queued = size && q->head - q->tail < L2R_RING_REQUESTS;

	if (queued)
		q->size[q->head++ % L2R_RING_REQUESTS] = size;
	spin_unlock_irqrestore(&l2r_ring_lock, flags);
	return queued;
}

/* the oldest ring resize waiting for device idx, 0 if none */
static u32 l2reflect_ring_dequeue(int idx)
{
	struct l2r_ring_queue *q = &l2r_ring_requests[idx];
	unsigned long flags = spin_lock_irqsave(&l2r_ring_lock);
	u32 size = 0;

	if (q->head != q->tail)
		size = q->size[q->tail++ % L2R_RING_REQUESTS];
	spin_unlock_irqrestore(&l2r_ring_lock, flags);
	return size;
}

static int l2reflect_rx(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct l2reflect_counters *c = dev->rx_handler_data;
	enum l2reflect_action act;
	unsigned int out_len = 0;
	bool arp;
	u32 ring = 0;
	int ring_rc = -EINVAL;

	c->rx++;
	if ((flags & (NETDEV_RX_IP_CSUM_OK | NETDEV_RX_L4_CSUM_OK)) ==
	    (NETDEV_RX_IP_CSUM_OK | NETDEV_RX_L4_CSUM_OK))
		c->rx_csum_ok++;
	act = l2reflect_classify(skb->data, skb->len, dev->dev_addr, l2r_ip, l2r_out, &out_len);
	arp = out_len == ETH_ZLEN && (skb->data[12] << 8 | skb->data[13]) == ETH_P_ARP;
	if (act == L2R_RING)
		ring_rc = l2reflect_parse_ring(skb->data, skb->len, &ring);
	/* done with the received frame before any report: the memory counts
	 * then hold no frame in flight */
	consume_skb(skb);
	switch (act) {
	case L2R_IGNORE:
		c->ignored++;
		return 0;
	case L2R_STATS:
		l2reflect_report(dev, c);
		return 0;
	case L2R_EXIT:
		l2reflect_report(dev, c);
		machine_poweroff(EXIT_OK);
	case L2R_RING:
		/* the resize stops this very poll: a kworker does it */
		if (ring_rc == 0 && l2reflect_ring_queue((int)(c - l2r), ring))
			schedule_work(&l2r_ring_work);
		else
			c->ignored++;
		return 0;
	case L2R_REPLY:
		break;
	}
	return l2reflect_send(dev, c, out_len, arp);
}

bool l2reflect_work_pending(void)
{
	unsigned long flags = spin_lock_irqsave(&l2r_ring_lock);
	bool pending = false;

	for (int i = 0; i < NETDEV_MAX; i++)
		pending |= l2r_ring_requests[i].head != l2r_ring_requests[i].tail;
	spin_unlock_irqrestore(&l2r_ring_lock, flags);
	return pending;
}

void l2reflect_service(void)
{
	for (int i = 0; i < NETDEV_MAX; i++) {
		struct net_device *dev = netdev_get_by_index(i);
		struct ethtool_ringparam r;
		size_t live;
		u32 n;
		int rc;

		/* every request in the order it came; none for a device
		 * that cannot resize (the queue is emptied all the same) */
		while ((n = l2reflect_ring_dequeue(i)) != 0) {
			if (!dev || !dev->netdev_ops->ndo_set_ringparam)
				continue;
			dev->netdev_ops->ndo_get_ringparam(dev, &r);
			r.rx_pending = r.tx_pending = n;
			rc = dev->netdev_ops->ndo_set_ringparam(dev, &r);
			live = l2reflect_kmalloc_live();
			pr_info("l2reflect: %s ring resize to %u: %s, kmalloc_live=%zu "
				"dma_bytes=%llu skb_cached=%u\n", dev->name, n,
				rc ? errno_name(rc) : "ok", live,
				(unsigned long long)dma_outstanding_bytes(), skb_cache_count());
		}
	}
}

static void l2reflect_ring_work(struct work_struct *w)
{
	(void)w;
	l2reflect_service();
}

int l2reflect_start(void)
{
	int n = 0;
	char mac[18];
	const u8 *ip = (const u8 *)&l2r_ip;

	if (!l2r_enabled)
		return 0;
	for (int i = 0; i < NETDEV_MAX; i++) {
		struct net_device *dev = netdev_get_by_index(i);
		int rc;

		if (!dev)
			break;
		dev->rx_handler_data = &l2r[i];
		dev->rx_handler = l2reflect_rx;
		rc = netdev_open(dev);
		if (rc) {
			pr_err("l2reflect: %s: open failed: %s\n", dev->name, errno_name(rc));
			dev->rx_handler = NULL;
			continue;
		}
		pr_info("l2reflect: %s MAC %s answering ARP for %u.%u.%u.%u\n", dev->name,
			netdev_fmt_mac(mac, dev->dev_addr), ip[0], ip[1], ip[2], ip[3]);
		n++;
	}
	if (!n)
		pr_warn("l2reflect: no network device to attach to\n");
	return n;
}
