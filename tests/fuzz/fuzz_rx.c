/* libFuzzer target "rx": received Ethernet frames through the path a NIC
 * driver uses, on the host: netdev_rx() -> the lwIP glue's rx_handler
 * (net/lwip/netif.c: skb, checksum verdict) -> netif_rx() backlog or
 * netif_receive_skb() from a NAPI poll (net/core/dev.c: capture tap,
 * journey) -> skb_to_pbuf() -> lwIP's ethernet_input on a netif with
 * 10.0.2.15/24 (or a DHCP client) and a link-local IPv6 address, the capture/journey taps
 * inside lwIP (net/lwip/taps.c, linked with --wrap as in the kernel) and
 * the services (echo, discard, http, iperf) listening.  What the stack
 * sends goes to the fake driver's ndo_start_xmit, which checks the
 * checksum offload request and drops the frame.
 *
 * Input (all integers big-endian):
 *   u8  config   FUZZ_CFG_* bits
 *   u16 port     capture filter port (0: any), with FUZZ_CFG_CAPTURE
 *   u8  proto    capture filter IP protocol (0: any)
 *   then records, up to FUZZ_RECORDS_MAX:
 *   u8  ctl      bits 0-1: NETDEV_RX_* (what the NIC says it verified),
 *                bits 2-7: 100 ms timer ticks before the frame (0: the
 *                frame comes in the same NAPI poll as the one before)
 *   u16 len      frame length (at most FUZZ_FRAME_MAX; past the end of the
 *                input: what is left)
 *   len bytes    the frame, from the destination MAC, without the FCS
 *
 * After each input everything is released (TCP connections aborted, the
 * netif detached, timers run until reassembly and TCP timers expire) and
 * the skbs, kmalloc blocks and lwIP's heap and pools must be back where
 * they were before the first input: anything else is a leak and aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "host_stubs.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "net/core/capture.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include "net/core/skbuff.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_glue.h"
#include "net/lwip/stack.h"
#include "net/services/services.h"
#include "lwip/dhcp.h"
#include "lwip/ip_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/priv/tcp_priv.h"

#define FUZZ_CFG_IRQ      BIT(0)  /* deliver in a hard IRQ (napi=off: backlog) */
#define FUZZ_CFG_RXCSUM   BIT(1)  /* NETIF_F_RXCSUM: trust the record's NIC verdict */
#define FUZZ_CFG_TXCSUM   BIT(2)  /* NETIF_F_IP_CSUM: TX checksum offload */
#define FUZZ_CFG_CAPTURE  BIT(3)  /* capture on, with the header's filter */
#define FUZZ_CFG_JOURNEY  BIT(4)  /* journey sampling of every frame */
#define FUZZ_CFG_DHCP     BIT(5)  /* IPv4 by DHCP (ip=dhcp) instead of 10.0.2.15/24 */

#define FUZZ_HDR_LEN      4
#define FUZZ_REC_HDR_LEN  3
#define FUZZ_CTL_FLAGS    (NETDEV_RX_IP_CSUM_OK | NETDEV_RX_L4_CSUM_OK)
#define FUZZ_CTL_TICKS_SHIFT 2
#define FUZZ_TICK_NS      (100 * 1000 * 1000ull)
#define FUZZ_RECORDS_MAX  64
/* 1500 bytes of MTU, the Ethernet header and a VLAN tag: what an e1000
 * without long packet reception (RCTL.LPE) delivers, FCS stripped */
#define FUZZ_FRAME_MAX    1518
#define FUZZ_MTU          1500

/* after an input: at most this many 1 s timer steps for lwIP to time out
 * what it holds (IPv6 reassembly: 60 s; TCP timers stop a tick after the
 * last connection) */
#define FUZZ_SETTLE_STEPS 300
#define FUZZ_SETTLE_NS    (1000 * 1000 * 1000ull)

#define FUZZ_IP4(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))
#define FUZZ_ADDR  FUZZ_IP4(10, 0, 2, 15)
#define FUZZ_MASK  FUZZ_IP4(255, 255, 255, 0)
#define FUZZ_GW    FUZZ_IP4(10, 0, 2, 2)

static const u8 fuzz_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* one frame the fake NIC holds for its next poll or interrupt */
struct fuzz_frame {
	u8 *buf;          /* malloc'd to exactly len: ASan sees any overread */
	u32 len;
	u32 flags;        /* NETDEV_RX_* */
};

static struct net_device *fdev;
static struct napi_struct fnapi;
static struct fuzz_frame ring[FUZZ_RECORDS_MAX];
static unsigned int ring_head, ring_tail;
static u64 tx_frames;

/* where lwIP, the skbs and kmalloc stood before the first input */
static mem_size_t base_heap;
static u16_t base_pool[MEMP_MAX];
static long base_kmalloc;

/* --- the fake NIC ------------------------------------------------------- */

static int fuzz_open(struct net_device *dev)
{
	(void)dev;
	return 0;
}

/* the stack's transmit: the skb is ours on 0; the frame and the offload
 * request must fit the device */
static int fuzz_start_xmit(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct netdev_tx_csum csum;

	(void)flags;
	FUZZ_CHECK(skb->len >= ETH_HLEN && skb->len <= dev->mtu + ETH_HLEN,
		   "tx frame of %u bytes", skb->len);
	if (skb_tx_csum(skb, &csum))
		FUZZ_CHECK(csum.l3_offset >= ETH_HLEN && csum.l3_len >= 20 &&
			   (u32)csum.l3_offset + csum.l3_len <= skb->len,
			   "tx csum l3 %u+%u in %u bytes", csum.l3_offset, csum.l3_len, skb->len);
	tx_frames++;
	if (getenv("FUZZ_LOG")) {
		/* what the stack answered, for reading a replay and for
		 * writing seeds (tests/fuzz/gen_corpus.py) */
		u8 *copy = malloc(skb->len);

		FUZZ_CHECK(copy && skb_copy_bits(skb, 0, copy, skb->len) == 0, "tx copy");
		fprintf(stderr, "fuzz: tx %u:", skb->len);
		for (u32 i = 0; i < skb->len; i++)
			fprintf(stderr, "%02x", copy[i]);
		fputc('\n', stderr);
		free(copy);
	}
	consume_skb(skb);
	return 0;
}

static const struct net_device_ops fuzz_ops = {
	.ndo_open = fuzz_open,
	.ndo_start_xmit = fuzz_start_xmit,
};

/* the last reference to a received frame's data went */
static void fuzz_rx_release(void *ctx, void *buf)
{
	(void)ctx;
	free(buf);
}

/* hand the held frames to the stack as a driver's RX clean does: each
 * buffer wrapped in an skb without a copy (skb_from_rx_buffer) */
static int fuzz_rx_clean(int budget)
{
	int work = 0;

	while (work < budget && ring_tail != ring_head) {
		struct fuzz_frame *f = &ring[ring_tail++ % FUZZ_RECORDS_MAX];
		struct sk_buff *skb = skb_from_rx_buffer(fdev, f->buf, f->len, fuzz_rx_release, NULL);

		FUZZ_CHECK(skb, "skb_from_rx_buffer");
		netdev_rx(fdev, skb, f->flags);
		f->buf = NULL;
		work++;
	}
	return work;
}

static int fuzz_poll(struct napi_struct *napi, int budget)
{
	int work = fuzz_rx_clean(budget);

	if (work < budget)
		napi_complete_done(napi, work);
	return work;
}

static void fuzz_irq(void *ctx)
{
	(void)ctx;
	fuzz_rx_clean(FUZZ_RECORDS_MAX);
}

/* --- set-up, once -------------------------------------------------------- */

static void fuzz_snapshot(void)
{
	base_heap = lwip_stats.mem.used;
	for (int i = 0; i < MEMP_MAX; i++)
		base_pool[i] = lwip_stats.memp[i]->used;
	skb_cache_drain();
	base_kmalloc = host_kmalloc_live;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_clock_ns = 1;
	fuzz_port_reseed();
	FUZZ_CHECK(net_dev_init() == 0, "net_dev_init");
	net_stack_init();
	net_core_lock();
	FUZZ_CHECK(net_services_start() == 0, "services");
	net_core_unlock();
	/* the capture ring lives as long as the kernel does */
	FUZZ_CHECK(capture_set(true) == 0 && capture_set(false) == 0, "capture ring");

	fdev = alloc_netdev(0);
	FUZZ_CHECK(fdev, "alloc_netdev");
	fdev->netdev_ops = &fuzz_ops;
	fdev->mtu = FUZZ_MTU;
	memcpy(fdev->dev_addr, fuzz_mac, ETH_ALEN);
	memcpy(fdev->perm_addr, fuzz_mac, ETH_ALEN);
	fdev->hw_features = NETIF_F_RXCSUM | NETIF_F_IP_CSUM;
	fdev->carrier = true;
	fdev->speed_mbps = 1000;
	fdev->full_duplex = true;
	FUZZ_CHECK(register_netdev(fdev) == 0, "register_netdev");
	netif_napi_add(fdev, &fnapi, fuzz_poll);
	napi_enable(&fnapi);
	do_softirq();
	fuzz_snapshot();
	return 0;
}

/* --- one input ------------------------------------------------------------ */

static void fuzz_run_softirqs(void)
{
	while (local_softirq_pending())
		do_softirq();
}

static void fuzz_ticks(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		host_clock_ns += FUZZ_TICK_NS;
		raise_softirq(TIMER_SOFTIRQ);
		fuzz_run_softirqs();
	}
}

static void fuzz_attach(u8 cfg)
{
	struct netif *netif;
	ip4_addr_t a, m, g;

	fdev->features = (cfg & FUZZ_CFG_RXCSUM ? NETIF_F_RXCSUM : 0) |
			 (cfg & FUZZ_CFG_TXCSUM ? NETIF_F_IP_CSUM : 0);
	FUZZ_CHECK(net_attach_netdev(fdev) == 0, "attach");
	net_core_lock();
	netif = net_netif_of(fdev);
	if (cfg & FUZZ_CFG_DHCP) {
		FUZZ_CHECK(dhcp_start(netif) == ERR_OK, "dhcp_start");
	} else {
		ip4_addr_set_u32(&a, lwip_htonl(FUZZ_ADDR));
		ip4_addr_set_u32(&m, lwip_htonl(FUZZ_MASK));
		ip4_addr_set_u32(&g, lwip_htonl(FUZZ_GW));
		netif_set_addr(netif, &a, &m, &g);
	}
	/* duplicate address detection done: frames to fe80::5054:ff:fe12:3456
	 * are ours from the first one */
	netif_ip6_addr_set_state(netif, 0, IP6_ADDR_PREFERRED);
	net_core_unlock();
	fuzz_run_softirqs();
}

static void fuzz_configure(const u8 *hdr)
{
	struct capture_filter f = { .ethertype = 0, .ip_proto = -1, .port = -1 };
	u16 port = (u16)(hdr[1] << 8 | hdr[2]);

	if (port)
		f.port = port;
	if (hdr[3])
		f.ip_proto = hdr[3];
	FUZZ_CHECK(capture_set_filter(&f) == 0, "capture filter");
	FUZZ_CHECK(capture_set(hdr[0] & FUZZ_CFG_CAPTURE) == 0, "capture");
	FUZZ_CHECK(journey_set_sample(hdr[0] & FUZZ_CFG_JOURNEY ? 1 : 0) == 0, "journey");
}

/* deliver the frames held, as the config says */
static void fuzz_deliver(u8 cfg)
{
	if (ring_tail == ring_head)
		return;
	if (cfg & FUZZ_CFG_IRQ) {
		host_irq_simulate(fuzz_irq, NULL);
	} else {
		napi_schedule(&fnapi);
		fuzz_run_softirqs();
	}
	FUZZ_CHECK(ring_tail == ring_head, "frames left in the ring");
}

static bool fuzz_at_base(void)
{
	if (skb_in_use() || lwip_stats.mem.used != base_heap)
		return false;
	for (int i = 0; i < MEMP_MAX; i++)
		if (lwip_stats.memp[i]->used != base_pool[i])
			return false;
	return true;
}

/* release what the input left and check nothing leaked */
static void fuzz_release(void)
{
	int steps;

	net_core_lock();
	while (tcp_active_pcbs)
		tcp_abort(tcp_active_pcbs);
	while (tcp_tw_pcbs)
		tcp_abort(tcp_tw_pcbs);
	net_core_unlock();
	fuzz_run_softirqs();
	net_detach_netdev(fdev);
	fuzz_run_softirqs();
	for (steps = 0; steps < FUZZ_SETTLE_STEPS && !fuzz_at_base(); steps++) {
		host_clock_ns += FUZZ_SETTLE_NS;
		raise_softirq(TIMER_SOFTIRQ);
		fuzz_run_softirqs();
	}
	capture_set(false);
	capture_ring_discard();
	journey_set_sample(0);
	journey_reset();

	FUZZ_CHECK(host_irqs_enabled && !net_core_locked() && !local_softirq_pending(),
		   "context after the input: irqs %d lock %d softirqs %#x", host_irqs_enabled,
		   net_core_locked(), local_softirq_pending());
	FUZZ_CHECK(!skb_in_use(), "%llu skbs leaked", (unsigned long long)skb_in_use());
	FUZZ_CHECK(lwip_stats.mem.used == base_heap, "lwIP heap: %lu bytes used, %lu before",
		   (unsigned long)lwip_stats.mem.used, (unsigned long)base_heap);
	for (int i = 0; i < MEMP_MAX; i++)
		FUZZ_CHECK(lwip_stats.memp[i]->used == base_pool[i],
			   "lwIP pool %s: %u in use, %u before", lwip_stats.memp[i]->name,
			   (unsigned)lwip_stats.memp[i]->used, (unsigned)base_pool[i]);
	skb_cache_drain();
	FUZZ_CHECK(host_kmalloc_live == base_kmalloc, "kmalloc: %ld blocks live, %ld before",
		   host_kmalloc_live, base_kmalloc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const u8 *p = data, *end = data + size;
	u8 cfg;

	if (size < FUZZ_HDR_LEN)
		return 0;
	cfg = p[0];
	fuzz_port_reseed();
	fuzz_configure(p);
	fuzz_attach(cfg);
	p += FUZZ_HDR_LEN;
	for (unsigned int n = 0; n < FUZZ_RECORDS_MAX && end - p >= FUZZ_REC_HDR_LEN; n++) {
		unsigned int ticks = p[0] >> FUZZ_CTL_TICKS_SHIFT;
		u32 len = (u32)(p[1] << 8 | p[2]);
		struct fuzz_frame *f = &ring[ring_head % FUZZ_RECORDS_MAX];

		f->flags = p[0] & FUZZ_CTL_FLAGS;
		p += FUZZ_REC_HDR_LEN;
		if (len > (u32)(end - p))
			len = (u32)(end - p);
		if (len > FUZZ_FRAME_MAX)
			len = FUZZ_FRAME_MAX;
		/* time passes: the frames so far are delivered first */
		if (ticks) {
			fuzz_deliver(cfg);
			fuzz_ticks(ticks);
		}
		f->buf = malloc(len ? len : 1);
		FUZZ_CHECK(f->buf, "malloc");
		memcpy(f->buf, p, len);
		f->len = len;
		ring_head++;
		p += len;
	}
	fuzz_deliver(cfg);
	fuzz_ticks(1);
	fuzz_release();
	return 0;
}
