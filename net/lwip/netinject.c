/* netinject: the inj0 pseudo device, its NAPI poll that feeds
 * netif_receive_skb(), the shell command and netinject=; the design is in
 * net/lwip/netinject.h. */
#include "net/lwip/netinject.h"
#include "drivers/net/netdevice.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/shell/shell.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"
#include "lib/parse_num.h"
#include "net/core/dev.h"
#include "net/core/napi.h"
#include "net/core/pktbuild.h"
#include "net/core/skbuff.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_glue.h"
#include "lwip/etharp.h"
#include "lwip/netif.h"
#include <stdio.h>
#include <string.h>

/* inj0 and its pretend peer: RFC 2544 benchmarking addresses, locally
 * administered MACs (IEEE 802: second bit of the first byte) */
#define INJ_NAME          "inj0"
#define INJ_LOCAL_IP      0xc6120001u     /* 198.18.0.1 */
#define INJ_PEER_IP       0xc6120002u     /* 198.18.0.2 */
#define INJ_NETMASK       0xffffff00u     /* /24 */
#define INJ_SPEED_MBPS    10000
#define INJ_PEER_PORT     40000           /* the peer's UDP source port */
#define INJ_ECHO_ID       0x696e          /* "in" */
#define INJ_CLOSED_PORT   4               /* unassigned (IANA): no service listens */
#define DISCARD_PORT      9
#define ECHO_PORT         7
#define CTRL_C            0x03

static const u8 inj_local_mac[ETH_ALEN] = { 0x02, 0x62, 0x6e, 0x00, 0x00, 0x01 };
static const u8 inj_peer_mac[ETH_ALEN] = { 0x02, 0x62, 0x6e, 0x00, 0x00, 0x02 };

/* what each kind injects */
static const struct inj_kind {
	const char *name;
	const char *what;
	bool icmp;              /* ICMP echo request, else UDP to port */
	u16 port;
	enum pkt_fault fault;
} inj_kinds[] = {
	{ "udp", "UDP to discard (9)", false, DISCARD_PORT, PKT_FAULT_NONE },
	{ "echo", "UDP to echo (7): a reply each", false, ECHO_PORT, PKT_FAULT_NONE },
	{ "icmp", "ICMP echo request: a reply each", true, 0, PKT_FAULT_NONE },
	{ "noport", "UDP to closed port 4: a port unreachable each", false, INJ_CLOSED_PORT,
	  PKT_FAULT_NONE },
	{ "badudp", "UDP to discard, wrong UDP checksum", false, DISCARD_PORT, PKT_FAULT_L4_CSUM },
	{ "badip", "UDP to discard, wrong IPv4 header checksum", false, DISCARD_PORT,
	  PKT_FAULT_IP_CSUM },
	{ "short", "UDP to discard, IPv4 length past the frame", false, DISCARD_PORT,
	  PKT_FAULT_IP_LEN },
};

/* inj0's state; the run fields are written by the starter before the
 * napi is scheduled and by the poll (NET_RX) after; stop also by
 * `netinject stop` from any shell session */
static struct inj {
	struct net_device *dev;
	struct napi_struct napi;
	u8 frame[ETH_FRAME_LEN];    /* the template every injected frame copies */
	u32 len;
	u64 count, done;            /* frames to inject, frames tried */
	bool running, stop;
	u64 first_ns, last_ns, busy_ns;
	struct netinject_result res;
	/* counters of the device's life (ndo_get_stats64) */
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes, replies, other_tx, rx_nomem;
} inj;

/* the running injection's thread sleeps here until the poll completes;
 * woken from NET_RX */
static DECLARE_WAIT_QUEUE_HEAD(inj_wq);

/* --- the pseudo device -------------------------------------------------- */

/* Replies leave here: counted, then freed at once, as Linux's dummy_xmit
 * does (accepting the skb makes it ours; the Ethernet header is in its
 * linear part) */
static int inj_xmit(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	(void)dev;
	(void)flags;
	inj.tx_packets++;
	inj.tx_bytes += skb->len;
	if (skb_headlen(skb) >= ETH_HLEN && !memcmp(skb->data, inj_peer_mac, ETH_ALEN))
		inj.replies++;
	else
		inj.other_tx++;
	consume_skb(skb);
	return 0;
}

static void inj_get_stats64(struct net_device *dev, struct rtnl_link_stats64 *st)
{
	(void)dev;
	st->rx_packets = inj.rx_packets;
	st->rx_bytes = inj.rx_bytes;
	st->rx_dropped = inj.rx_nomem;
	st->tx_packets = inj.tx_packets;
	st->tx_bytes = inj.tx_bytes;
}

static void inj_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	(void)dev;
	strlcpy(info->driver, "netinject", sizeof(info->driver));
	strlcpy(info->bus_info, "none", sizeof(info->bus_info));
}

static const struct net_device_ops inj_ops = {
	.ndo_start_xmit = inj_xmit,
	.ndo_get_stats64 = inj_get_stats64,
	.ndo_get_drvinfo = inj_get_drvinfo,
};

/* The "driver's" poll: up to budget frames of the template, each in its
 * own skb, to netif_receive_skb; the same contract as a NIC's poll. */
static int inj_poll(struct napi_struct *napi, int budget)
{
	u64 t0 = ktime_get_ns();
	int work = 0;

	if (!inj.first_ns)
		inj.first_ns = t0;
	while (work < budget && inj.done < inj.count && !READ_ONCE(inj.stop)) {
		struct sk_buff *skb = netdev_alloc_skb(inj.dev, inj.len);

		inj.done++;
		work++;
		if (!skb) {
			inj.rx_nomem++;
			inj.res.nomem++;
			continue;
		}
		memcpy(skb_put(skb, inj.len), inj.frame, inj.len);
		skb_reset_mac_header(skb);
		memcpy(&skb->protocol, inj.frame + ETH_ALEN * 2, sizeof(skb->protocol));
		skb->ip_summed = CHECKSUM_NONE;
		inj.rx_packets++;
		inj.rx_bytes += inj.len;
		inj.res.injected++;
		netif_receive_skb(skb);
	}
	inj.last_ns = ktime_get_ns();
	inj.busy_ns += inj.last_ns - t0;
	if (work == budget)
		return budget;          /* stay scheduled, even if that was the last */
	if (napi_complete_done(napi, work)) {
		/* release: the run's figures above are seen by the waiter */
		__atomic_store_n(&inj.running, false, __ATOMIC_RELEASE);
		wake_up(&inj_wq);
	}
	return work;
}

/* Make inj0 once: register it, attach it to lwIP with its address and the
 * peer's static ARP entry, enable its napi.  Process context. */
static int inj_create(void)
{
	struct net_device *dev;
	struct netif *nif;
	ip4_addr_t a, m, gw, peer;
	struct eth_addr peer_mac;
	int rc;

	if (inj.dev)
		return 0;
	dev = alloc_netdev(0);
	if (!dev)
		return -ENOMEM;
	strlcpy(dev->name, INJ_NAME, sizeof(dev->name));
	dev->netdev_ops = &inj_ops;
	memcpy(dev->dev_addr, inj_local_mac, ETH_ALEN);
	memcpy(dev->perm_addr, inj_local_mac, ETH_ALEN);
	rc = register_netdev(dev);
	if (rc)
		goto err_free;
	netif_carrier_on(dev, INJ_SPEED_MBPS, true);
	rc = net_attach_netdev(dev);
	if (rc)
		goto err_unregister;

	ip4_addr_set_u32(&a, lwip_htonl(INJ_LOCAL_IP));
	ip4_addr_set_u32(&m, lwip_htonl(INJ_NETMASK));
	ip4_addr_set_zero(&gw);
	ip4_addr_set_u32(&peer, lwip_htonl(INJ_PEER_IP));
	memcpy(peer_mac.addr, inj_peer_mac, ETH_ALEN);
	net_core_lock();
	nif = net_netif_of(dev);
	netif_set_addr(nif, &a, &m, &gw);
	/* IPv4 only: no link-local address, so inj0 sends nothing of its own
	 * (no DAD, no MLD reports) and holds no multicast group */
	netif_set_ip6_autoconfig_enabled(nif, 0);
	netif_ip6_addr_set_state(nif, 0, IP6_ADDR_INVALID);
	rc = etharp_add_static_entry(&peer, &peer_mac) == ERR_OK ? 0 : -ENOMEM;
	net_core_unlock();
	if (rc)
		goto err_detach;

	inj.dev = dev;
	netif_napi_add(dev, &inj.napi, inj_poll);
	napi_enable(&inj.napi);
	return 0;

err_detach:
	net_detach_netdev(dev);
err_unregister:
	unregister_netdev(dev);
err_free:
	free_netdev(dev);
	return rc;
}

/* --- a run ---------------------------------------------------------------- */

static const struct inj_kind *kind_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(inj_kinds); i++)
		if (!strcmp(inj_kinds[i].name, name))
			return &inj_kinds[i];
	return NULL;
}

/* the template: from the peer to inj0 */
static void inj_build(const struct inj_kind *k, u32 size)
{
	struct pkt_ip4 h = {
		.saddr = INJ_PEER_IP,
		.daddr = INJ_LOCAL_IP,
		.sport = INJ_PEER_PORT,
		.dport = k->port,
		.echo_id = INJ_ECHO_ID,
		.echo_seq = 1,
		.tstamp_ns = ktime_get_ns(),
	};

	memcpy(h.dst_mac, inj_local_mac, ETH_ALEN);
	memcpy(h.src_mac, inj_peer_mac, ETH_ALEN);
	if (k->icmp)
		pkt_build_icmp4_echo(inj.frame, sizeof(inj.frame), size, &h);
	else
		pkt_build_udp4(inj.frame, sizeof(inj.frame), size, &h);
	pkt_mangle(inj.frame, size, k->fault);
	inj.len = size;
}

static int netinject_run_locked(const char *kind, u64 count, u32 size, bool interactive,
				struct netinject_result *out)
{
	const struct inj_kind *k = kind_find(kind);
	u64 replies0, other0;
	int rc;

	if (!k || count < 1 || count > NETINJECT_COUNT_MAX || size < ETH_ZLEN ||
	    size > ETH_FRAME_LEN)
		return -EINVAL;
	rc = inj_create();
	if (rc)
		return rc;
	inj_build(k, size);
	replies0 = inj.replies;
	other0 = inj.other_tx;
	memset(&inj.res, 0, sizeof(inj.res));
	inj.res.requested = count;
	inj.count = count;
	inj.done = 0;
	inj.first_ns = inj.last_ns = inj.busy_ns = 0;
	inj.stop = false;
	inj.running = true;
	napi_schedule(&inj.napi);

	/* NET_RX polls inj0 in this CPU's ksoftirqd (woken by the raise, as
	 * for any softirq raised outside an interrupt): this thread sleeps
	 * until the poll says it is done, a shell session's looking for
	 * Ctrl-C (or its hang-up) every tick */
	while (__atomic_load_n(&inj.running, __ATOMIC_ACQUIRE)) {
		int c;

		while (interactive && (c = shell_getc()) >= 0)
			if (c == CTRL_C)
				WRITE_ONCE(inj.stop, true);
		if (interactive && shell_hungup())
			WRITE_ONCE(inj.stop, true);
		wait_event_timeout(inj_wq, !__atomic_load_n(&inj.running, __ATOMIC_ACQUIRE),
				   interactive ? 1 : MAX_SCHEDULE_TIMEOUT);
	}
	inj.res.stopped = inj.stop;
	inj.res.replies = inj.replies - replies0;
	inj.res.other_tx = inj.other_tx - other0;
	inj.res.elapsed_ns = inj.last_ns - inj.first_ns;
	inj.res.busy_ns = inj.busy_ns;
	*out = inj.res;
	return 0;
}

/* "netinject: 10000 frames in 1234 usec: ..." */
static int inj_format(char *buf, size_t size, const char *kind, u32 len,
		      const struct netinject_result *r)
{
	u64 el = r->elapsed_ns ? r->elapsed_ns : 1, busy = r->busy_ns ? r->busy_ns : 1;

	return snprintf(buf, size,
			"netinject: %s: %llu frames (%u bytes) in %llu usec: %llu frames/s; "
			"NET_RX busy %llu usec: %llu frames/s\n"
			"netinject: replies %llu (discarded at inj0), other tx %llu, nomem %llu%s\n",
			kind, (unsigned long long)r->injected, len,
			(unsigned long long)(r->elapsed_ns / NSEC_PER_USEC),
			(unsigned long long)(r->injected * NSEC_PER_SEC / el),
			(unsigned long long)(r->busy_ns / NSEC_PER_USEC),
			(unsigned long long)(r->injected * NSEC_PER_SEC / busy),
			(unsigned long long)r->replies, (unsigned long long)r->other_tx,
			(unsigned long long)r->nomem, r->stopped ? ", stopped" : "");
}

/* --- the shell ------------------------------------------------------------ */

static void inj_status(void)
{
	if (READ_ONCE(inj.running))
		shell_printf("running: %llu of %llu frames injected (netinject stop ends it)\n",
			     (unsigned long long)READ_ONCE(inj.done),
			     (unsigned long long)READ_ONCE(inj.count));
	shell_puts("kinds:\n");
	for (size_t i = 0; i < ARRAY_SIZE(inj_kinds); i++)
		shell_printf("  %-7s %s\n", inj_kinds[i].name, inj_kinds[i].what);
	if (!inj.dev) {
		shell_puts(INJ_NAME ": not created yet (the first run makes it)\n");
		return;
	}
	shell_printf(INJ_NAME ": 198.18.0.1/24, peer 198.18.0.2; rx %llu frames, tx %llu "
		     "(replies %llu, other %llu), nomem %llu\n",
		     (unsigned long long)inj.rx_packets, (unsigned long long)inj.tx_packets,
		     (unsigned long long)inj.replies, (unsigned long long)inj.other_tx,
		     (unsigned long long)inj.rx_nomem);
}

static int cmd_netinject(int argc, char **argv)
{
	char buf[320];
	struct netinject_result r;
	u64 count, size = NETINJECT_SIZE_DEFAULT;
	int rc;

	if (argc == 1) {
		inj_status();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "stop")) {
		/* the run in flight, whoever started it (netinject=, another
		 * session): without the mutex, which that run holds */
		if (!READ_ONCE(inj.running))
			return shell_error("netinject", "no injection running");
		WRITE_ONCE(inj.stop, true);
		shell_puts("netinject: stopping\n");
		return 0;
	}
	if (argc < 3 || argc > 4)
		return shell_error("netinject", "usage: netinject KIND COUNT [SIZE]");
	if (!kind_find(argv[1]))
		return shell_error("netinject", "%s: unknown kind (netinject lists them)", argv[1]);
	if (parse_u64_range(argv[2], 1, NETINJECT_COUNT_MAX, &count))
		return shell_error("netinject", "%s: not a count (1..%llu)", argv[2],
				   (unsigned long long)NETINJECT_COUNT_MAX);
	if (argc == 4 && parse_u64_range(argv[3], ETH_ZLEN, ETH_FRAME_LEN, &size))
		return shell_error("netinject", "%s: not a frame size (%u..%u)", argv[3],
				   ETH_ZLEN, ETH_FRAME_LEN);
	rc = netinject_run(argv[1], count, (u32)size, true, &r);
	if (rc)
		return shell_error("netinject", "%s", errno_desc(rc));
	inj_format(buf, sizeof(buf), argv[1], (u32)size, &r);
	shell_puts(buf);
	return 0;
}
SHELL_CMD("netinject", cmd_netinject,
	  "inject frames at netif_receive_skb on inj0: netinject [KIND COUNT [SIZE] | stop]");

/* guards inj (one injection at a time: the boot run's thread, or a
 * shell session's; another session's waits; `netinject stop` only sets
 * inj.stop, without it); threads only */
static DEFINE_MUTEX(netinject_mutex);

int netinject_run(const char *kind, u64 count, u32 size, bool interactive,
		  struct netinject_result *out)
{
	int rc;

	mutex_lock(&netinject_mutex);
	rc = netinject_run_locked(kind, count, size, interactive, out);
	mutex_unlock(&netinject_mutex);
	return rc;
}

/* --- netinject= ------------------------------------------------------------ */

static char boot_kind[8];
static u64 boot_count;
static u64 boot_size = NETINJECT_SIZE_DEFAULT;

static int set_netinject(const char *v)
{
	char tmp[CMDLINE_VALUE_MAX];
	char *c1, *c2;

	strlcpy(tmp, v, sizeof(tmp));
	c1 = strchr(tmp, ':');
	if (!c1)
		return -EINVAL;
	*c1++ = '\0';
	c2 = strchr(c1, ':');
	if (c2)
		*c2++ = '\0';
	if (!kind_find(tmp) || parse_u64_range(c1, 1, NETINJECT_COUNT_MAX, &boot_count) ||
	    (c2 && parse_u64_range(c2, ETH_ZLEN, ETH_FRAME_LEN, &boot_size)))
		return -EINVAL;
	strlcpy(boot_kind, tmp, sizeof(boot_kind));
	return 0;
}
CMDLINE_OPT("netinject", set_netinject,
	    "inject frames once up: KIND:COUNT[:SIZE] (kinds: udp echo icmp noport badudp badip short)");

static void (*boot_then)(void);

/* [netinject]: the netinject= run, its result in the log, then what the
 * boot asked to follow it */
static int netinject_boot_thread(void *data)
{
	char buf[320];
	struct netinject_result r;
	int rc;

	(void)data;
	rc = netinject_run(boot_kind, boot_count, (u32)boot_size, false, &r);
	if (rc) {
		pr_err("netinject: %s\n", errno_desc(rc));
	} else {
		inj_format(buf, sizeof(buf), boot_kind, (u32)boot_size, &r);
		pr_info("%s", buf);
	}
	if (boot_then)
		boot_then();
	return 0;
}

bool netinject_boot_start(void (*then)(void))
{
	struct task_struct *t;

	if (!boot_kind[0])
		return false;
	boot_then = then;
	t = kthread_run(netinject_boot_thread, NULL, "netinject");
	if (!t) {
		pr_err("netinject: no thread for netinject=\n");
		return false;
	}
	/* nobody joins it: it frees itself once it has ended */
	kthread_detach(t);
	return true;
}
