/* Self-test of NAPI and the NET_RX softirq on the real interrupt path: a
 * software interrupt plays a NIC's top half (mask, napi_schedule), a fake
 * ring of frames is drained by poll through netif_receive_skb within the
 * weight and netdev_budget, and netif_rx overflows the backlog.  Prints
 * /proc/net/softnet_stat for the QEMU test. */
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/softirq.h"
#include "net/core/dev.h"

#define NAPITEST_IRQ_VECTOR (IRQ_VECTOR_DEV_LAST - 2)
#define NAPITEST_FRAMES     1000   /* > netdev_budget: squeezed at least once */
#define NAPITEST_FRAME_LEN  60
#define NAPITEST_BACKLOG    16     /* netdev_max_backlog during the overflow part */
#define NAPITEST_OVERFLOW   5

#define STR_(x) #x
#define STR(x) STR_(x)
#define raise_vector() __asm__ volatile("int $" STR(NAPITEST_IRQ_VECTOR) ::: "memory")

static struct fake_ring {
	struct napi_struct napi;
	int frames;           /* written by the "hardware", not yet polled */
	bool masked;
	int unmasks;
	int mode;             /* what the interrupt does */
} ring;

enum { MODE_NAPI, MODE_NETIF_RX };

static int delivered;
static u8 rx_bufs[NAPITEST_BACKLOG + NAPITEST_OVERFLOW][NAPITEST_FRAME_LEN];
static int rx_returned;       /* buffers given back by the skb layer */

static void napitest_release(void *ctx, void *buf)
{
	(void)ctx;
	(void)buf;
	rx_returned++;
}

static int napitest_rx(struct sk_buff *skb)
{
	delivered++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static int napitest_poll(struct napi_struct *napi, int budget)
{
	struct fake_ring *r = container_of(napi, struct fake_ring, napi);
	int done = 0;

	while (done < budget && r->frames > 0) {
		struct sk_buff *skb = netdev_alloc_skb(NULL, NAPITEST_FRAME_LEN);

		if (!skb)
			break;
		skb_put(skb, NAPITEST_FRAME_LEN);
		r->frames--;
		netif_receive_skb(skb);
		done++;
	}
	if (done < budget && napi_complete_done(napi, done)) {
		r->masked = false;
		r->unmasks++;
		/* the re-check after unmask (net/core/napi.h) */
		if (r->frames && napi_schedule_prep(napi)) {
			r->masked = true;
			__napi_schedule(napi);
		}
	}
	return done;
}

static int napitest_irq(void *ctx)
{
	struct fake_ring *r = ctx;

	if (r->mode == MODE_NAPI) {
		r->masked = true;
		napi_schedule(&r->napi);
		return IRQ_HANDLED;
	}
	/* non-NAPI: every frame to the backlog from the hard IRQ, zero-copy
	 * over the "DMA" buffers */
	while (r->frames > 0) {
		u8 *buf = rx_bufs[--r->frames];
		struct sk_buff *skb = skb_from_rx_buffer(NULL, buf, NAPITEST_FRAME_LEN,
							 napitest_release, r);

		if (skb)
			netif_rx(skb);
	}
	return IRQ_HANDLED;
}

#define CHECK(cond) SELFTEST_CHECK("napi", cond)

static int selftest_napi(void)
{
	struct softnet_data *sd = softnet_data_this_cpu();
	u32 processed0 = sd->processed, squeeze0 = sd->time_squeeze, dropped0 = sd->dropped;
	net_rx_handler_t saved = netif_set_rx_handler(napitest_rx);
	static char stat[256];
	int rc = 0;

	CHECK(irq_set_handler(NAPITEST_IRQ_VECTOR, napitest_irq, &ring, "napitest") == 0);
	netif_napi_add(NULL, &ring.napi, napitest_poll);
	napi_enable(&ring.napi);

	/* NAPI: one interrupt, then polls until the ring is dry */
	ring.mode = MODE_NAPI;
	ring.frames = NAPITEST_FRAMES;
	raise_vector();
	while (ksoftirqd_run())
		;
	CHECK(delivered == NAPITEST_FRAMES);
	CHECK(ring.frames == 0 && !ring.masked && ring.unmasks == 1);
	CHECK(sd->processed - processed0 == NAPITEST_FRAMES);
	CHECK(!napi_is_scheduled(&ring.napi));
	pr_info("selftest napi: 1 interrupt, %d frames in %llu polls (weight %d, budget %d), "
		"time_squeeze +%u\n", delivered, (unsigned long long)ring.napi.polls,
		ring.napi.weight, netdev_budget, sd->time_squeeze - squeeze0);

	/* non-NAPI: netif_rx from the hard IRQ overflows a short backlog */
	{
		long backlog;

		net_sysctl_get("net.core.netdev_max_backlog", &backlog);
		CHECK(net_sysctl_set("net.core.netdev_max_backlog", NAPITEST_BACKLOG) == 0);
		delivered = 0;
		ring.mode = MODE_NETIF_RX;
		ring.frames = NAPITEST_BACKLOG + NAPITEST_OVERFLOW;
		raise_vector();
		while (ksoftirqd_run())
			;
		net_sysctl_set("net.core.netdev_max_backlog", backlog);
	}
	CHECK(delivered == NAPITEST_BACKLOG);
	CHECK(rx_returned == NAPITEST_BACKLOG + NAPITEST_OVERFLOW);
	CHECK(sd->dropped - dropped0 == NAPITEST_OVERFLOW);
	CHECK(skb_drop_count(SKB_DROP_REASON_CPU_BACKLOG) >= NAPITEST_OVERFLOW);
	pr_info("selftest napi: backlog %d: %d delivered, %u dropped (CPU_BACKLOG %llu)\n",
		NAPITEST_BACKLOG, delivered, sd->dropped - dropped0,
		(unsigned long long)skb_drop_count(SKB_DROP_REASON_CPU_BACKLOG));

	softnet_stat_show(stat, sizeof(stat));
	pr_info("selftest napi: /proc/net/softnet_stat\n%s", stat);
out:
	napi_disable(&ring.napi);
	netif_napi_del(&ring.napi);
	irq_remove_handler(NAPITEST_IRQ_VECTOR, napitest_irq, &ring);
	netif_set_rx_handler(saved);
	return rc;
}
SELFTEST("napi", selftest_napi,
	 "NAPI poll to budget from an interrupt, netif_rx backlog overflow; prints softnet_stat");
