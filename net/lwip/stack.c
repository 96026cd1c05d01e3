/* lwIP as a whole: start-up under the core lock, its timers in the TIMER
 * softirq, and the loopback hand-off in NET_RX.
 *
 * Contexts: lwIP runs from the NET_RX softirq (received frames, looped
 * packets), the TIMER softirq (sys_check_timeouts), and process context at
 * boot and in self-tests, always under the core lock. */
#include "net/lwip/secure_seq.h"
#include "net/lwip/icmp_limit.h"
#include "net/lwip/syncookie.h"
#include "net/lwip/tcp_guard.h"
#include "net/lwip/stack.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/idle.h"
#include "kernel/printk.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/core/dev.h"
#include "net/core/watchdog.h"
#include "net/core/xmit.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/ipconfig.h"
#include "net/lwip/netif_glue.h"
#include "net/lwip/taps.h"
#include "net/services/services.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"

/* lwIP's next timeout, in sys_now() milliseconds; read without the lock
 * by net_timers_due() */
static u32 next_timeout_ms;
static u64 timer_runs;

/* looped packets (127.0.0.1, ::1, our own addresses) wait on each netif's
 * loop queue; this napi drains them from NET_RX */
static struct napi_struct loopback_napi;
static u64 loopback_polls;

static void timers_rearm(void)
{
	next_timeout_ms = sys_now() + sys_timeouts_sleeptime();
}

bool net_timers_due(void)
{
	return (s32)(sys_now() - READ_ONCE(next_timeout_ms)) >= 0 || dev_watchdog_due();
}

/* TIMER softirq: lwIP's timeouts, device link state, a kick for qdiscs
 * that wait on a driver that never calls netif_tx_wake, and the devices'
 * TX watchdog */
static void net_timer_action(void)
{
	net_core_lock();
	sys_check_timeouts();
	net_glue_poll_link();
	timers_rearm();
	timer_runs++;
	net_core_unlock();
	dev_qdisc_kick_all();
	dev_watchdog_run();
}

/* packets on n's loop queue */
static int loop_queue_len(const struct netif *n)
{
	int k = 0;

	for (const struct pbuf *p = n->loop_first; p; p = p->next)
		if (p->len == p->tot_len)
			k++;   /* the last pbuf of a packet */
	return k;
}

/* a packet was looped (queued on a netif's loop queue) since the last
 * kick: set by net/lwip/taps.c's netif_loop_output tap, which every loop
 * output passes through once net_taps_init has run (before any traffic),
 * cleared by net_core_unlock as it kicks; so a release with nothing
 * looped costs one load, not a walk of the netifs.  Core lock. */
bool net_loopback_queued = true;

/* core lock held (net_core_unlock calls it when net_loopback_queued) */
void net_loopback_kick(void)
{
	struct netif *n;

	NETIF_FOREACH(n) {
		if (n->loop_first) {
			napi_schedule(&loopback_napi);
			return;
		}
	}
}

static int loopback_poll(struct napi_struct *napi, int budget)
{
	struct netif *n;
	int work = 0;

	net_core_lock();
	/* netif_poll feeds each queued packet to ip_input; what that sends
	 * back to ourselves is queued and delivered in the same call */
	NETIF_FOREACH(n) {
		if (n->loop_first) {
			work += loop_queue_len(n);
			netif_poll(n);
		}
	}
	loopback_polls++;
	net_core_unlock();
	/* everything is drained; a packet queued since is seen as MISSED and
	 * polled again */
	napi_complete_done(napi, work);
	return work < budget ? work : budget - 1;
}

u64 net_loopback_polls(void)
{
	return READ_ONCE(loopback_polls);
}

int net_tcp_timewait_count(void)
{
	int n = 0;

	for (const struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
		n++;
	return n;
}

u64 net_timer_runs(void)
{
	return READ_ONCE(timer_runs);
}

void net_stack_init(void)
{
	net_glue_init();
	netif_napi_add_weight(NULL, &loopback_napi, loopback_poll, DEV_WEIGHT_DEFAULT);
	napi_enable(&loopback_napi);

	net_core_lock();
	/* keys for ISNs and IP IDs, before lwIP can open a connection */
	secure_seq_init();
	icmp_limit_init();
	lwip_init();
	tcp_guard_init();
	tcp_syncookie_init();
	net_taps_init();
	net_ipconfig_init();
	timers_rearm();
	net_core_unlock();
	open_softirq(TIMER_SOFTIRQ, net_timer_action);
	pr_info("lwip: %s initialised (NO_SYS, IPv4+IPv6, TCP, UDP, loopback)\n",
		LWIP_VERSION_STRING);
}

/* attach every registered device that has no other receiver (a device
 * taken by the l2reflect responder keeps it) */
static void net_attach_all(void)
{
	struct net_device *dev;
	char mac[18];

	for (int i = 0; (dev = netdev_get_by_index(i)); i++) {
		int rc;

		if (READ_ONCE(dev->rx_handler)) {
			pr_info("net: %s has a receive handler already: not attached\n", dev->name);
			continue;
		}
		rc = net_attach_netdev(dev);
		if (rc) {
			pr_err("net: %s: attach failed (%d)\n", dev->name, rc);
			continue;
		}
		pr_info("net: %s attached, mac %s mtu %u, link %s\n", dev->name,
			netdev_fmt_mac(mac, dev->dev_addr), dev->mtu,
			dev->carrier ? "up" : "down");
	}
}

/* the first attached device that is up but cannot receive yet, or NULL */
static struct net_device *net_first_unready(void)
{
	struct net_device *dev;

	for (int i = 0; (dev = net_glue_dev(i)); i++)
		if ((dev->flags & IFF_UP) && !netif_rx_ready(dev))
			return dev;
	return NULL;
}

int net_stack_wait_ready(unsigned int timeout_ms)
{
	u64 start = ktime_get_ns();
	u64 deadline = start + (u64)timeout_ms * NSEC_PER_MSEC;
	struct net_device *dev;
	int rc = 0;

	/* the link interrupt (LSC) comes in as usual and its NAPI poll
	 * reports the carrier; the tick wakes the halt to look again */
	while ((dev = net_first_unready()) && ktime_get_ns() < deadline) {
		ksoftirqd_run();
		local_irq_disable();
		if (local_softirq_pending())
			local_irq_enable();
		else
			idle_halt();
	}
	if (dev) {
		pr_warn("net: %s cannot receive after %u ms (%s); ready anyway\n", dev->name,
			timeout_ms, READ_ONCE(dev->carrier) ? "the device holds frames back" : "no carrier");
		rc = -ETIMEDOUT;
	} else if (ktime_get_ns() - start >= NSEC_PER_MSEC) {
		pr_info("net: every interface receives after %llu ms\n",
			(unsigned long long)((ktime_get_ns() - start) / NSEC_PER_MSEC));
	}
	/* lwIP hears of the carrier now, not at its first timer after ready */
	net_core_lock();
	net_glue_poll_link();
	net_core_unlock();
	return rc;
}

void net_timers_start(void)
{
	net_core_lock();
	timers_rearm();
	net_core_unlock();
	WRITE_ONCE(tick_timer_due, net_timers_due);
	/* deferred TX tails go out from NET_TX at the latest a tick later */
	WRITE_ONCE(tick_net_tx_due, dev_xmit_deferred_due);
}

void net_stack_start(void)
{
	net_attach_all();
	net_core_lock();
	net_ipconfig_start();
	net_services_start();
	timers_rearm();
	net_core_unlock();
}
