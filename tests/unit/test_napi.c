/* net/core/{napi,dev,sysctl_net_core}.c with kernel/softirq.c: NAPI
 * scheduling and completion with a fake NIC (a ring counter and an
 * interrupt mask), the driver's re-check contract, net_rx_action's budget
 * and time limits (time_squeeze), the netif_rx backlog and its overflow,
 * the NET_TX completion queue, the tunables and /proc/net/softnet_stat;
 * busy polling (napi_busy_loop) and the ends its debug view counts. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "lwip_leak.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "lwip/pbuf.h"
#include "net/core/dev.h"
#include "check_main.h"

/* --- a fake NIC: frames waiting in its ring, an interrupt mask ---------- */
struct fake_nic {
	struct napi_struct napi;
	int ring;               /* frames the "hardware" has written */
	bool masked;            /* device interrupts masked */
	bool recheck;           /* follows the re-check contract (a buggy driver does not) */
	int irqs;               /* interrupts the device raised */
	int unmasks;
	/* a frame lands between the last ring check and the unmask, once */
	bool arrive_before_unmask;
	/* another interrupt source schedules this napi while it polls, once */
	bool schedule_during_poll;
	/* a busy poll polls it with its interrupt unmasked (napi_busy_loop) */
	bool busy_polled;
};

static int delivered;           /* skbs that reached the rx handler */
static struct net_device *last_dev;

static int count_rx(struct sk_buff *skb)
{
	delivered++;
	last_dev = skb->dev;
	ck_assert(in_serving_softirq());
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static void nic_irq(void *ctx)
{
	struct fake_nic *nic = ctx;

	/* the top half: mask, schedule; nothing else */
	nic->irqs++;
	nic->masked = true;
	napi_schedule(&nic->napi);
}

/* the hardware receives n frames: it interrupts unless masked */
static void nic_receive(struct fake_nic *nic, int n)
{
	nic->ring += n;
	if (!nic->masked)
		host_irq_simulate(nic_irq, nic);
}

static void irq_schedule_napi(void *ctx)
{
	napi_schedule(ctx);
}

static int nic_poll(struct napi_struct *napi, int budget)
{
	struct fake_nic *nic = container_of(napi, struct fake_nic, napi);
	int done = 0;

	ck_assert(nic->masked || nic->busy_polled);
	while (done < budget && nic->ring > 0) {
		struct sk_buff *skb = netdev_alloc_skb((struct net_device *)nic, 60);

		ck_assert_ptr_nonnull(skb);
		skb_put(skb, 60);
		nic->ring--;
		netif_receive_skb(skb);
		done++;
	}
	if (done == budget)
		return budget;
	if (nic->schedule_during_poll) {
		nic->schedule_during_poll = false;
		host_irq_simulate(irq_schedule_napi, napi);
	}
	if (nic->arrive_before_unmask) {
		nic->arrive_before_unmask = false;
		nic_receive(nic, 1);          /* masked: no interrupt */
	}
	if (napi_complete_done(napi, done)) {
		nic->masked = false;
		nic->unmasks++;
		if (nic->recheck && nic->ring > 0 && napi_schedule_prep(napi)) {
			nic->masked = true;
			__napi_schedule(napi);
		}
	}
	return done;
}

static void nic_init(struct fake_nic *nic)
{
	memset(nic, 0, sizeof(*nic));
	nic->recheck = true;
	netif_napi_add((struct net_device *)nic, &nic->napi, nic_poll);
	napi_enable(&nic->napi);
}

/* run the idle loop's ksoftirqd until nothing is pending */
static int drain_ksoftirqd(void)
{
	int n = 0;

	while (ksoftirqd_run())
		n++;
	return n;
}

static struct softnet_data *sd0(void)
{
	return softnet_data_cpu(0);
}

static void setup(void)
{
	lwip_leak_setup();
	ck_assert_int_eq(net_dev_init(), 0);
	netif_set_rx_handler(count_rx);
	netif_set_rx_list_handler(NULL, NULL);
}

static void teardown(void)
{
	ck_assert_uint_eq(local_softirq_pending(), 0);
	ck_assert(host_irqs_enabled);
	lwip_leak_check();
}

START_TEST(napi_starts_disabled_until_enabled)
{
	struct fake_nic nic;

	memset(&nic, 0, sizeof(nic));
	netif_napi_add((struct net_device *)&nic, &nic.napi, nic_poll);
	ck_assert_int_eq(nic.napi.weight, DEV_WEIGHT_DEFAULT);
	ck_assert(!napi_schedule(&nic.napi));
	napi_enable(&nic.napi);
	ck_assert(!napi_is_scheduled(&nic.napi));
	nic.recheck = true;
	nic_receive(&nic, 3);
	ck_assert_int_eq(delivered, 3);
	netif_napi_del(&nic.napi);
}
END_TEST

START_TEST(one_interrupt_drains_the_ring)
{
	struct fake_nic nic;

	nic_init(&nic);
	nic_receive(&nic, 10);
	ck_assert_int_eq(nic.irqs, 1);
	ck_assert_int_eq(delivered, 10);
	ck_assert_ptr_eq(last_dev, (struct net_device *)&nic);
	ck_assert_int_eq(nic.ring, 0);
	ck_assert(!nic.masked);
	ck_assert_int_eq(nic.unmasks, 1);
	ck_assert_uint_eq(nic.napi.polls, 1);
	ck_assert_uint_eq(nic.napi.completions, 1);
	ck_assert(!napi_is_scheduled(&nic.napi));
	ck_assert_uint_eq(sd0()->processed, 10);
	ck_assert_uint_eq(sd0()->time_squeeze, 0);
	ck_assert_uint_eq(kstat_softirqs_cpu(NET_RX_SOFTIRQ, 0), 1);
}
END_TEST

START_TEST(more_than_weight_is_polled_again_with_irqs_masked)
{
	struct fake_nic nic;

	nic_init(&nic);
	nic_receive(&nic, 200);               /* 64 + 64 + 64 + 8 */
	ck_assert_int_eq(nic.irqs, 1);
	ck_assert_int_eq(delivered, 200);
	ck_assert_uint_eq(nic.napi.polls, 4);
	ck_assert_int_eq(nic.unmasks, 1);      /* only after the ring ran dry */
	ck_assert_uint_eq(sd0()->net_rx_runs, 4);
	ck_assert_uint_eq(sd0()->time_squeeze, 0);   /* the budget was never exhausted */
	ck_assert_uint_eq(sd0()->processed, 200);
}
END_TEST

/* one interrupt for two devices (ctx: struct fake_nic *[2]) */
static void irq_schedule_two(void *ctx)
{
	struct fake_nic **nics = ctx;

	ck_assert(napi_schedule(&nics[0]->napi));
	ck_assert(napi_schedule(&nics[1]->napi));
}

START_TEST(budget_exhaustion_counts_time_squeeze)
{
	struct fake_nic a, b;
	int rounds;

	ck_assert_int_eq(net_sysctl_set("net.core.netdev_budget", 100), 0);
	nic_init(&a);
	nic_init(&b);
	a.masked = b.masked = true;            /* both interrupts arrive in one IRQ */
	a.ring = b.ring = 1000;
	host_irq_simulate(irq_schedule_two, (struct fake_nic *[]){ &a, &b });
	/* each run: 64 from one, 64 from the other, over budget with work left */
	ck_assert_uint_eq(sd0()->time_squeeze, MAX_SOFTIRQ_RESTART);
	ck_assert_int_eq(delivered, MAX_SOFTIRQ_RESTART * 128);
	ck_assert_uint_eq(softirq_stat_cpu(0)->deferred, 1);
	rounds = drain_ksoftirqd();
	ck_assert_int_gt(rounds, 0);
	ck_assert_int_eq(delivered, 2000);
	ck_assert_uint_eq(sd0()->processed, 2000);
	ck_assert_int_eq(a.unmasks, 1);
	ck_assert_int_eq(b.unmasks, 1);
	ck_assert_uint_gt(sd0()->time_squeeze, MAX_SOFTIRQ_RESTART);
}
END_TEST

static void run_two_nics_192_each(struct fake_nic *a, struct fake_nic *b)
{
	nic_init(a);
	nic_init(b);
	a->masked = b->masked = true;
	a->ring = b->ring = 192;
	host_irq_simulate(irq_schedule_two, (struct fake_nic *[]){ a, b });
	drain_ksoftirqd();
	ck_assert_int_eq(delivered, 384);
}

START_TEST(time_limit_counts_time_squeeze)
{
	struct fake_nic a, b;

	/* with a frozen clock and the default budget nothing is squeezed ... */
	run_two_nics_192_each(&a, &b);
	ck_assert_uint_eq(sd0()->time_squeeze, 0);
}
END_TEST

START_TEST(time_limit_counts_time_squeeze_when_slow)
{
	struct fake_nic a, b;

	/* ... but when every clock read is 1 ms later, the 2 ms limit stops
	 * net_rx_action after its first or second poll with work left */
	host_clock_step_ns = 1000 * 1000;
	run_two_nics_192_each(&a, &b);
	ck_assert_uint_gt(sd0()->time_squeeze, 0);
	ck_assert_uint_eq(sd0()->processed, 384);
}
END_TEST

START_TEST(recheck_after_unmask_catches_late_frame)
{
	struct fake_nic nic;

	nic_init(&nic);
	nic.arrive_before_unmask = true;
	nic_receive(&nic, 5);
	ck_assert_int_eq(nic.irqs, 1);         /* the late frame raised no interrupt ... */
	ck_assert_int_eq(delivered, 6);        /* ... and was still delivered */
	ck_assert_int_eq(nic.ring, 0);
	ck_assert(!nic.masked);
}
END_TEST

START_TEST(without_recheck_the_late_frame_is_stranded)
{
	struct fake_nic nic;

	/* the contract is needed: a driver that skips the re-check loses it */
	nic_init(&nic);
	nic.recheck = false;
	nic.arrive_before_unmask = true;
	nic_receive(&nic, 5);
	ck_assert_int_eq(delivered, 5);
	ck_assert_int_eq(nic.ring, 1);
	ck_assert(!napi_is_scheduled(&nic.napi));
	ck_assert_uint_eq(local_softirq_pending(), 0);
	nic_receive(&nic, 1);                  /* only the next frame's IRQ frees it */
	ck_assert_int_eq(delivered, 7);
}
END_TEST

START_TEST(schedule_during_poll_is_not_lost)
{
	struct fake_nic nic;

	nic_init(&nic);
	nic.schedule_during_poll = true;
	nic_receive(&nic, 5);
	ck_assert_uint_eq(nic.napi.missed, 1);
	/* napi_complete_done said "stay masked" once, and the napi was polled again */
	ck_assert_uint_eq(nic.napi.polls, 2);
	ck_assert_uint_eq(nic.napi.completions, 1);
	ck_assert_int_eq(nic.unmasks, 1);
	ck_assert(!napi_is_scheduled(&nic.napi));
	ck_assert_int_eq(delivered, 5);
}
END_TEST

START_TEST(napi_disable_blocks_scheduling)
{
	struct fake_nic nic;

	nic_init(&nic);
	nic.masked = true;
	nic.ring = 3;
	ck_assert(napi_schedule(&nic.napi));
	/* disable runs the pending poll to completion, then owns the napi */
	napi_disable(&nic.napi);
	ck_assert_int_eq(delivered, 3);
	ck_assert(!napi_schedule(&nic.napi));
	ck_assert_uint_eq(local_softirq_pending(), 0);
	napi_enable(&nic.napi);
	nic_receive(&nic, 2);
	ck_assert_int_eq(delivered, 5);
}
END_TEST

static int backlog_n;

static void irq_netif_rx_many(void *ctx)
{
	(void)ctx;
	for (int i = 0; i < backlog_n; i++) {
		struct sk_buff *skb = alloc_skb(60);

		skb_put(skb, 60);
		netif_rx(skb);
	}
	ck_assert_int_eq(delivered, 0);        /* nothing up the stack in hard IRQ */
}

START_TEST(backlog_overflow_is_counted_as_dropped)
{
	char buf[256];
	unsigned int col[13];

	backlog_n = 1005;
	host_irq_simulate(irq_netif_rx_many, NULL);
	/* NET_RX polls the backlog 64 at a time, MAX_SOFTIRQ_RESTART rounds ... */
	ck_assert_int_eq(delivered, MAX_SOFTIRQ_RESTART * DEV_WEIGHT_DEFAULT);
	ck_assert_uint_eq(softirq_stat_cpu(0)->deferred, 1);
	/* ... the rest is left to ksoftirqd */
	drain_ksoftirqd();
	ck_assert_int_eq(delivered, NETDEV_MAX_BACKLOG_DEFAULT);
	ck_assert_uint_eq(sd0()->dropped, 5);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_CPU_BACKLOG), 5);
	ck_assert_uint_eq(sd0()->processed, 1000);
	ck_assert_uint_eq(skb_queue_len(&sd0()->input_pkt_queue), 0);
	ck_assert(!napi_is_scheduled(&sd0()->backlog));

	ck_assert_int_eq(softnet_stat_show(buf, sizeof(buf)), (int)strlen(buf));
	ck_assert_int_eq(sscanf(buf, "%x %x %x %x %x %x %x %x %x %x %x %x %x",
				&col[0], &col[1], &col[2], &col[3], &col[4], &col[5], &col[6],
				&col[7], &col[8], &col[9], &col[10], &col[11], &col[12]), 13);
	ck_assert_uint_eq(col[0], 1000);
	ck_assert_uint_eq(col[1], 5);
	ck_assert_uint_eq(col[2], sd0()->time_squeeze);
	ck_assert_uint_eq(col[12], 0);          /* cpu */
	ck_assert_int_eq((int)strlen(buf), 13 * 9);
}
END_TEST

START_TEST(backlog_limit_follows_sysctl)
{
	ck_assert_int_eq(net_sysctl_set("net.core.netdev_max_backlog", 10), 0);
	ck_assert_int_eq(net_sysctl_set("net.core.dev_weight", 4), 0);
	ck_assert_int_eq(sd0()->backlog.weight, 4);
	backlog_n = 12;
	host_irq_simulate(irq_netif_rx_many, NULL);
	ck_assert_int_eq(delivered, 10);
	ck_assert_uint_eq(sd0()->dropped, 2);
	ck_assert_uint_eq(sd0()->backlog.polls, 3);    /* 4 + 4 + 2 */
}
END_TEST

START_TEST(no_rx_handler_drops_unhandled)
{
	struct sk_buff *skb = alloc_skb(10);

	netif_set_rx_handler(NULL);
	ck_assert_int_eq(netif_receive_skb(skb), NET_RX_DROP);
	ck_assert_uint_eq(skb_drop_count(SKB_DROP_REASON_UNHANDLED_PROTO), 1);
	ck_assert_uint_eq(sd0()->processed, 1);
}
END_TEST

START_TEST(rx_timestamp_set_once)
{
	struct sk_buff *skb = alloc_skb(10);

	host_clock_ns = 5000;
	netif_set_rx_handler(NULL);
	skb_get(skb);
	netif_receive_skb(skb);
	ck_assert_uint_eq(skb->tstamp, 5000);
	consume_skb(skb);
}
END_TEST

static struct sk_buff *irq_free_skb;

static void irq_free(void *ctx)
{
	(void)ctx;
	dev_kfree_skb_any(irq_free_skb);
	/* not freed inside the hard IRQ */
	ck_assert_uint_eq(skb_drop_count(SKB_CONSUMED), 0);
}

START_TEST(irq_free_is_deferred_to_net_tx)
{
	irq_free_skb = alloc_skb(10);
	host_irq_simulate(irq_free, NULL);
	ck_assert_uint_eq(skb_drop_count(SKB_CONSUMED), 1);
	ck_assert_uint_eq(kstat_softirqs_cpu(NET_TX_SOFTIRQ, 0), 1);
	dev_kfree_skb_any(alloc_skb(10));       /* process context: at once */
	ck_assert_uint_eq(skb_drop_count(SKB_CONSUMED), 2);
}
END_TEST

/* RX buffers of a zero-copy driver: each must come back exactly once */
static u8 rx_bufs[8][256];
static int rx_returned[8];

static void rx_refill(void *ctx, void *buf)
{
	(void)ctx;
	rx_returned[((u8(*)[256])buf) - rx_bufs]++;
}

static int to_lwip(struct sk_buff *skb)
{
	struct pbuf *p = skb_to_pbuf(skb);

	delivered++;
	pbuf_free(p);                           /* lwIP done with it */
	return NET_RX_SUCCESS;
}

static void irq_rx_zero_copy(void *ctx)
{
	(void)ctx;
	for (int i = 0; i < 8; i++)
		netif_rx(skb_from_rx_buffer(NULL, rx_bufs[i], 64, rx_refill, NULL));
}

START_TEST(zero_copy_buffers_return_to_driver_once)
{
	netif_set_rx_handler(to_lwip);
	host_irq_simulate(irq_rx_zero_copy, NULL);
	ck_assert_int_eq(delivered, 8);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(rx_returned[i], 1);
	ck_assert_uint_eq(skb_stats.pbuf_copies, 0);
}
END_TEST

START_TEST(sysctl_defaults_and_validation)
{
	static const struct { const char *name; long def; } t[] = {
		{ "net.core.netdev_budget", 300 }, { "net.core.netdev_budget_usecs", 2000 },
		{ "net.core.dev_weight", 64 }, { "net.core.netdev_max_backlog", 1000 },
	};
	long v;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_int_eq(net_sysctl_get(t[i].name, &v), 0);
		ck_assert_int_eq(v, t[i].def);
		ck_assert_int_eq(net_sysctl_set(t[i].name, -1), -EINVAL);
		ck_assert_int_eq(net_sysctl_set(t[i].name, 1L << 40), -EINVAL);
		ck_assert_int_eq(net_sysctl_get(t[i].name, &v), 0);
		ck_assert_int_eq(v, t[i].def);      /* a refused value changes nothing */
	}
	ck_assert_int_eq(net_sysctl_set("net.core.netdev_budget", 0), -EINVAL);
	ck_assert_int_eq(net_sysctl_set("net.core.dev_weight", 0), -EINVAL);
	ck_assert_int_eq(net_sysctl_set("net.core.netdev_max_backlog", 0), -EINVAL);
	ck_assert_int_eq(net_sysctl_set("net.core.netdev_budget_usecs", 0), 0);
	ck_assert_int_eq(netdev_budget_usecs, 0);
	ck_assert_int_eq(net_sysctl_set("net.core.netdev_budget", 600), 0);
	ck_assert_int_eq(netdev_budget, 600);
	ck_assert_int_eq(net_sysctl_set("net.core.dev_weight", 16), 0);
	ck_assert_int_eq(dev_weight, 16);
	ck_assert_int_eq(net_sysctl_set("net.core.optmem_max", 1), -ENOENT);
	/* the socket buffers' (net/socket/): Linux's floor, SOCK_MIN_RCVBUF */
	ck_assert_int_eq(net_sysctl_set("net.core.rmem_max", 1), -EINVAL);
	ck_assert_int_eq(net_sysctl_set("net.core.rmem_max", 2304), 0);
	ck_assert_int_eq(sysctl_rmem_max, 2304);
	ck_assert_int_eq(net_sysctl_get("net.core.nope", &v), -ENOENT);
	ck_assert(napi_enabled);
}
END_TEST

START_TEST(new_napi_takes_current_dev_weight)
{
	struct fake_nic nic;

	ck_assert_int_eq(net_sysctl_set("net.core.dev_weight", 8), 0);
	nic_init(&nic);
	ck_assert_int_eq(nic.napi.weight, 8);
	nic_receive(&nic, 20);                   /* 8 + 8 + 4 */
	ck_assert_uint_eq(nic.napi.polls, 3);
	ck_assert_int_eq(delivered, 20);
}
END_TEST

/* --- batch delivery: the stack's list handler (the lwIP glue's) -------- */

#define BATCHES_MAX 16
static int batch_sizes[BATCHES_MAX], batches;
static u32 rx_lens[256];
static int rx_lens_n;
static struct napi_struct *batch_napi;   /* must still be scheduled when a batch comes */

static int record_rx(struct sk_buff *skb)
{
	if (rx_lens_n < 256)
		rx_lens[rx_lens_n++] = skb->len;
	return count_rx(skb);
}

static void record_list(struct sk_buff_head *list)
{
	struct sk_buff *skb;
	int n = 0;

	ck_assert(in_serving_softirq());
	if (batch_napi)
		ck_assert(napi_is_scheduled(batch_napi));
	while ((skb = __skb_dequeue(list))) {
		netif_receive_skb_one(skb, record_rx);
		n++;
	}
	ck_assert_int_lt(batches, BATCHES_MAX);
	batch_sizes[batches++] = n;
}

START_TEST(napi_frames_go_up_in_batches_before_completion)
{
	struct fake_nic nic;

	netif_set_rx_list_handler(record_list, count_rx);
	nic_init(&nic);
	batch_napi = &nic.napi;
	gro_normal_batch = 16;
	nic_receive(&nic, 40);
	/* one poll of 40: 16 + 16 + 8, the last before napi_complete_done */
	ck_assert_uint_eq(nic.napi.polls, 1);
	ck_assert_int_eq(delivered, 40);
	ck_assert_int_eq(batches, 3);
	ck_assert_int_eq(batch_sizes[0], 16);
	ck_assert_int_eq(batch_sizes[1], 16);
	ck_assert_int_eq(batch_sizes[2], 8);
	ck_assert_uint_eq(sd0()->processed, 40);
	ck_assert_uint_eq(skb_queue_len(&sd0()->rx_list), 0);
	ck_assert(!napi_is_scheduled(&nic.napi));
	/* a poll of the full weight, no completion: the rest goes at its end */
	batches = 0;
	batch_napi = NULL;
	nic_receive(&nic, DEV_WEIGHT_DEFAULT + 3);
	ck_assert_int_eq(delivered, 40 + DEV_WEIGHT_DEFAULT + 3);
	ck_assert_int_eq(batches, DEV_WEIGHT_DEFAULT / 16 + 1);
	ck_assert_uint_eq(skb_queue_len(&sd0()->rx_list), 0);
	/* net.core.gro_normal_batch 1: each frame goes up on its own, at once */
	batches = 0;
	gro_normal_batch = 1;
	nic_receive(&nic, 5);
	ck_assert_int_eq(batches, 5);
	ck_assert_int_eq(batch_sizes[4], 1);
	gro_normal_batch = GRO_NORMAL_BATCH_DEFAULT;
}
END_TEST

static void irq_netif_rx_lens(void *ctx)
{
	(void)ctx;
	for (int i = 0; i < backlog_n; i++) {
		struct sk_buff *skb = alloc_skb(60 + i);

		skb_put(skb, 60 + (u32)i);
		netif_rx(skb);
	}
}

START_TEST(backlog_goes_up_in_batches_in_order)
{
	netif_set_rx_list_handler(record_list, count_rx);
	backlog_n = 40;
	host_irq_simulate(irq_netif_rx_lens, NULL);
	ck_assert_int_eq(delivered, 40);
	ck_assert_int_eq(batches, 3);
	ck_assert_int_eq(batch_sizes[0], NET_RX_LIST_BATCH);
	ck_assert_int_eq(batch_sizes[2], 40 - 2 * NET_RX_LIST_BATCH);
	for (int i = 0; i < 40; i++)
		ck_assert_uint_eq(rx_lens[i], 60 + (u32)i);
	/* RFS's head: past every frame, all delivered */
	ck_assert_uint_eq(sd0()->input_queue_head, 40);
	ck_assert_uint_eq(sd0()->input_queue_tail, 40);
	ck_assert_uint_eq(sd0()->processed, 40);
	ck_assert(!napi_is_scheduled(&sd0()->backlog));
}
END_TEST

static int thread_rx(struct sk_buff *skb)
{
	ck_assert(!in_serving_softirq());
	delivered++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

START_TEST(outside_a_poll_frames_go_up_at_once)
{
	struct sk_buff *skb = alloc_skb(60);

	netif_set_rx_handler(thread_rx);
	netif_set_rx_list_handler(record_list, thread_rx);
	skb_put(skb, 60);
	ck_assert_int_eq(netif_receive_skb(skb), NET_RX_SUCCESS);
	ck_assert_int_eq(delivered, 1);
	ck_assert_int_eq(batches, 0);
}
END_TEST

START_TEST(another_rx_handler_gets_frames_one_by_one)
{
	struct fake_nic nic;

	/* the list handler stands for thread_rx; count_rx (a selftest's own,
	 * say) is set: the poll's frames go to it, none wait */
	netif_set_rx_list_handler(record_list, thread_rx);
	nic_init(&nic);
	nic_receive(&nic, 20);
	ck_assert_int_eq(delivered, 20);
	ck_assert_int_eq(batches, 0);
	backlog_n = 20;
	host_irq_simulate(irq_netif_rx_lens, NULL);
	ck_assert_int_eq(delivered, 40);
	ck_assert_int_eq(batches, 0);
}
END_TEST

/* --- busy polling ------------------------------------------------------ */

/* another thread wants the CPU for this many of napi_busy_loop's looks
 * (host_stubs' sched_runnable is weak); cond_resched lets it run */
static int another_runnable;
static int yielded;

bool sched_runnable(void)
{
	return another_runnable > 0;
}

void cond_resched(void)
{
	ck_assert(!in_softirq());
	yielded++;
	another_runnable--;
}

/* a busy poll's frames go up in thread context, bottom halves off */
static int busy_rx(struct sk_buff *skb)
{
	ck_assert(in_softirq() && !in_serving_softirq());
	delivered++;
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

/* the reader's loop_end: a frame reached it; on call land_at the NIC
 * receives one (the host's datagram arriving while the reader polls) */
struct busy_reader {
	struct fake_nic *nic;
	int calls;
	int land_at;
};

static bool busy_reader_end(void *arg)
{
	struct busy_reader *r = arg;

	if (++r->calls == r->land_at)
		nic_receive(r->nic, 1);
	return delivered > 0;
}

static void busy_nic_init(struct fake_nic *nic)
{
	nic_init(nic);
	nic->busy_polled = true;
	netif_set_rx_handler(busy_rx);
	another_runnable = 0;
	yielded = 0;
}

#define BUSY_DELTA(field, d0) (napi_busy_debug.field - (d0).field)

START_TEST(busy_loop_takes_the_frame_that_lands_while_it_polls)
{
	struct napi_busy_debug d0 = napi_busy_debug;
	u64 rx0 = napi_busy_rx_packets, net_rx0 = kstat_softirqs_cpu(NET_RX_SOFTIRQ, 0);
	struct fake_nic nic;
	struct busy_reader r = { &nic, 0, 3 };

	busy_nic_init(&nic);
	ck_assert(napi_busy_loop(nic.napi.napi_id, busy_reader_end, &r, 1000));
	/* its interrupt masked the device and found the napi owned (MISSED,
	 * no NET_RX); the loop's next poll took the frame */
	ck_assert_int_eq(nic.irqs, 1);
	ck_assert_int_eq(delivered, 1);
	ck_assert_uint_eq(kstat_softirqs_cpu(NET_RX_SOFTIRQ, 0), net_rx0);
	ck_assert_uint_eq(napi_busy_rx_packets - rx0, 1);
	ck_assert_uint_eq(BUSY_DELTA(loops, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(end_input, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(polls, d0), 4);
	ck_assert_uint_eq(BUSY_DELTA(stop_frames, d0), 0);
	ck_assert_uint_eq(BUSY_DELTA(never_owned, d0), 0);
	/* the closing ordinary poll completed it and unmasked */
	ck_assert(!napi_is_scheduled(&nic.napi));
	ck_assert(!nic.masked);
	ck_assert_int_eq(nic.unmasks, 1);
}
END_TEST

START_TEST(busy_loop_yields_to_another_thread_and_polls_on)
{
	struct napi_busy_debug d0 = napi_busy_debug;
	u64 rx0 = napi_busy_rx_packets;
	struct fake_nic nic;
	struct busy_reader r = { &nic, 0, 5 };

	busy_nic_init(&nic);
	/* the console shell wakes twice while the reader polls: the loop
	 * gives the napi back (a completing poll, which unmasks) and the
	 * CPU, then claims it again; the frame landing later is still its */
	another_runnable = 2;
	ck_assert(napi_busy_loop(nic.napi.napi_id, busy_reader_end, &r, 1000));
	ck_assert_int_eq(yielded, 2);
	ck_assert_uint_eq(BUSY_DELTA(yields, d0), 2);
	ck_assert_int_eq(nic.unmasks, 3);
	ck_assert_int_eq(nic.irqs, 1);
	ck_assert_int_eq(delivered, 1);
	ck_assert_uint_eq(napi_busy_rx_packets - rx0, 1);
	ck_assert_uint_eq(BUSY_DELTA(polls, d0), 6);
	ck_assert_uint_eq(BUSY_DELTA(end_input, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(loops, d0), 1);
	ck_assert(!napi_is_scheduled(&nic.napi));
}
END_TEST

START_TEST(busy_loop_leaves_a_scheduled_napi_to_net_rx)
{
	struct napi_busy_debug d0 = napi_busy_debug;
	struct fake_nic nic;
	struct busy_reader r = { &nic, 0, 0 };

	busy_nic_init(&nic);
	netif_set_rx_handler(count_rx);
	/* the interrupt came first; NET_RX waits while bottom halves are off */
	local_bh_disable();
	nic_receive(&nic, 1);
	ck_assert(napi_is_scheduled(&nic.napi));
	ck_assert(!napi_busy_loop(nic.napi.napi_id, busy_reader_end, &r, 0));
	ck_assert_uint_eq(BUSY_DELTA(end_time, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(never_owned, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(claims_missed, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(polls, d0), 0);
	ck_assert_int_eq(delivered, 0);
	local_bh_enable();
	ck_assert_int_eq(delivered, 1);
	/* an id no napi has */
	ck_assert(!napi_busy_loop(nic.napi.napi_id + 1000, busy_reader_end, &r, 1000));
	ck_assert_uint_eq(BUSY_DELTA(end_gone, d0), 1);
	ck_assert_uint_eq(BUSY_DELTA(loops, d0), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("napi");
	TCase *tc = tcase_create("rx");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, napi_starts_disabled_until_enabled);
	tcase_add_test(tc, one_interrupt_drains_the_ring);
	tcase_add_test(tc, more_than_weight_is_polled_again_with_irqs_masked);
	tcase_add_test(tc, budget_exhaustion_counts_time_squeeze);
	tcase_add_test(tc, time_limit_counts_time_squeeze);
	tcase_add_test(tc, time_limit_counts_time_squeeze_when_slow);
	tcase_add_test(tc, recheck_after_unmask_catches_late_frame);
	tcase_add_test(tc, without_recheck_the_late_frame_is_stranded);
	tcase_add_test(tc, schedule_during_poll_is_not_lost);
	tcase_add_test(tc, napi_disable_blocks_scheduling);
	tcase_add_test(tc, backlog_overflow_is_counted_as_dropped);
	tcase_add_test(tc, backlog_limit_follows_sysctl);
	tcase_add_test(tc, no_rx_handler_drops_unhandled);
	tcase_add_test(tc, rx_timestamp_set_once);
	tcase_add_test(tc, irq_free_is_deferred_to_net_tx);
	tcase_add_test(tc, zero_copy_buffers_return_to_driver_once);
	tcase_add_test(tc, sysctl_defaults_and_validation);
	tcase_add_test(tc, new_napi_takes_current_dev_weight);
	tcase_add_test(tc, napi_frames_go_up_in_batches_before_completion);
	tcase_add_test(tc, backlog_goes_up_in_batches_in_order);
	tcase_add_test(tc, outside_a_poll_frames_go_up_at_once);
	tcase_add_test(tc, another_rx_handler_gets_frames_one_by_one);
	tcase_add_test(tc, busy_loop_takes_the_frame_that_lands_while_it_polls);
	tcase_add_test(tc, busy_loop_yields_to_another_thread_and_polls_on);
	tcase_add_test(tc, busy_loop_leaves_a_scheduled_napi_to_net_rx);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
