/* pktgen's engine: a run's state, the chunks its thread [kpktgend_0]
 * sends, and Linux's report; the design is in net/core/pktgen.h. */
#include "net/core/pktgen.h"
#include "net/core/pktbuild.h"
#include "net/core/skbuff.h"
#include "net/core/xmit.h"
#include "net/lwip/addr_query.h"
#include "kernel/errno.h"
#include "kernel/idle.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <string.h>

/* a rate-limited run that fell this far behind (a long interrupt, the
 * shell) starts counting again from now instead of sending a burst; at
 * least two ticks: a gap slept to the tick ends up
 * to a tick late, and the wake-up takes a little more */
#define PKTGEN_CATCHUP_NS   (10 * NSEC_PER_MSEC)
#define BITS_PER_BYTE       8
#define BPS_PER_MBPS        1000000ULL

/* guards the run's state below against its thread (a chunk at a time) and
 * the threads that configure, start and stop it (the shells, boot);
 * threads only.  The views read the counters without it (a snapshot) */
static DEFINE_MUTEX(pktgen_mutex);
/* kpktgend_0 sleeps here while no run goes; pktgen_start wakes it */
static DECLARE_WAIT_QUEUE_HEAD(pktgen_wait);

static struct pktgen_params params;     /* configured; fixed while a run goes */
static bool params_init;
static struct pktgen_result res;
static struct net_device *run_dev;
static u64 next_ns;            /* rate: when the next frame is due */
static bool blocked;           /* the last chunk hit backpressure */
static bool log_result;        /* the run's result goes to the log (pktgen=) */

static u64 attempted(void)
{
	return res.sent + res.errors;
}

static void run_end(int err)
{
	res.end_ns = ktime_get_ns();
	res.end_error = err;
	res.state = PKTGEN_DONE;
	run_dev = NULL;
	if (log_result) {
		char line[PKTGEN_RESULT_MAX];

		pktgen_result_line(line, sizeof(line), &res);
		pr_info("pktgen: Result: %s", line);
		log_result = false;
	}
}

void pktgen_log_result(bool on)
{
	log_result = on;
}

/* the defaults until the first pktgen_configure/pktgen_start */
static struct pktgen_params *params_get(void)
{
	if (!params_init) {
		pktgen_params_default(&params);
		params_init = true;
	}
	return &params;
}

int pktgen_configure(const struct pktgen_params *p)
{
	int rc = 0;

	mutex_lock(&pktgen_mutex);
	if (res.state == PKTGEN_RUNNING)
		rc = -EBUSY;
	else
		*params_get() = *p;
	mutex_unlock(&pktgen_mutex);
	return rc;
}

static int pktgen_start_locked(const struct pktgen_params *p)
{
	struct net_device *dev;
	u8 mac[ETH_ALEN];
	u32 saddr = p->saddr;

	if (res.state == PKTGEN_RUNNING)
		return -EBUSY;
	dev = netdev_get_by_name(p->ifname);
	if (!dev)
		return -ENODEV;
	if (!(dev->flags & IFF_UP))
		return -ENETDOWN;
	if (!p->daddr || p->size_max > dev->mtu + ETH_HLEN)
		return -EINVAL;
	if (!saddr) {
		int rc = net_ipv4_addr_of(dev, &saddr);

		if (rc)
			return rc;
	}
	if (p->dst_mac_set)
		memcpy(mac, p->dst_mac, ETH_ALEN);
	else if (net_arp_lookup(dev, p->daddr, mac))
		return -ENOENT;

	*params_get() = *p;
	memset(&res, 0, sizeof(res));
	res.state = PKTGEN_RUNNING;
	res.saddr = saddr;
	memcpy(res.dst_mac, mac, ETH_ALEN);
	res.start_ns = next_ns = ktime_get_ns();
	blocked = false;
	run_dev = dev;
	return 0;
}

int pktgen_start(const struct pktgen_params *p)
{
	int rc;

	mutex_lock(&pktgen_mutex);
	rc = pktgen_start_locked(p);
	mutex_unlock(&pktgen_mutex);
	if (!rc)
		wake_up(&pktgen_wait);
	return rc;
}

int pktgen_stop(void)
{
	int rc = 0;

	mutex_lock(&pktgen_mutex);
	if (res.state != PKTGEN_RUNNING) {
		rc = -ENOENT;
	} else {
		res.stopped = true;
		run_end(0);
	}
	mutex_unlock(&pktgen_mutex);
	if (!rc)
		wake_up(&pktgen_wait);  /* out of a rate's sleep */
	return rc;
}

/* build frame number seq (0..) of the run into a new skb */
static struct sk_buff *pktgen_frame(u64 seq)
{
	u32 span = (u32)(params.size_max - params.size_min) + 1;
	u32 len = params.size_min + (u32)(seq % span);
	struct pkt_ip4 h = {
		.saddr = res.saddr,
		.daddr = params.daddr,
		.ip_id = (u16)seq,
		.sport = (u16)(params.udp_src + seq % params.flows),
		.dport = params.udp_dst,
		.seq = (u32)seq,
		.tstamp_ns = ktime_get_ns(),
	};
	struct sk_buff *skb = netdev_alloc_skb(run_dev, len);

	if (!skb)
		return NULL;
	memcpy(h.dst_mac, res.dst_mac, ETH_ALEN);
	memcpy(h.src_mac, run_dev->dev_addr, ETH_ALEN);
	/* lengths were validated at start: the build cannot fail */
	pkt_build_udp4(skb_put(skb, len), len, len, &h);
	skb_reset_mac_header(skb);
	memcpy(&skb->protocol, skb->data + ETH_ALEN * 2, sizeof(skb->protocol));
	return skb;
}

/* frames pktgen may add to the qdisc now: up to half of txqueuelen */
static u32 qdisc_room(void)
{
	struct qdisc_stats qs;
	u32 cap;

	if (dev_qdisc_stats(run_dev, &qs))
		return 0;
	cap = qs.limit / 2 ? qs.limit / 2 : 1;
	return qs.backlog >= cap ? 0 : cap - qs.backlog;
}

/* one chunk; pktgen_mutex held */
static void pktgen_run_locked(void)
{
	u64 t0, now, interval;
	u32 room, burst = 0;

	if (res.state != PKTGEN_RUNNING)
		return;
	t0 = now = ktime_get_ns();
	interval = params.rate_pps ? NSEC_PER_SEC / params.rate_pps : 0;
	if (interval && next_ns + MAX(PKTGEN_CATCHUP_NS, 2 * (NSEC_PER_SEC / HZ)) < now)
		next_ns = now;
	room = qdisc_room();
	blocked = !room;
	if (blocked)
		res.backpressure++;
	while (room && burst < PKTGEN_BURST && attempted() < params.count &&
	       now - t0 < PKTGEN_CHUNK_NS && (!interval || now >= next_ns)) {
		struct sk_buff *skb = pktgen_frame(attempted());
		u32 len;
		int rc;

		if (!skb) {
			res.nomem++;
			res.errors++;
			break;
		}
		len = skb->len;
		skb->dev = run_dev;
		rc = dev_queue_xmit(skb);
		if (rc == 0) {
			res.sent++;
			res.bytes += len;
		} else {
			res.errors++;
		}
		next_ns += interval;
		burst++;
		room--;
		if (rc == -ENETDOWN || rc == -ENODEV) {
			res.busy_ns += ktime_get_ns() - t0;
			run_end(rc);
			return;
		}
		now = ktime_get_ns();
	}
	res.busy_ns += ktime_get_ns() - t0;
	if (attempted() >= params.count)
		run_end(0);
}

void pktgen_run(void)
{
	mutex_lock(&pktgen_mutex);
	pktgen_run_locked();
	mutex_unlock(&pktgen_mutex);
}

bool pktgen_pending(void)
{
	if (res.state != PKTGEN_RUNNING || blocked)
		return false;
	return !params.rate_pps || ktime_get_ns() >= next_ns;
}

void pktgen_get(struct pktgen_params *p, struct pktgen_result *r)
{
	if (p)
		*p = *params_get();
	if (r)
		*r = res;
}

int pktgen_result_line(char *buf, size_t size, const struct pktgen_result *r)
{
	u64 end = r->end_ns ? r->end_ns : ktime_get_ns();
	u64 elapsed = end - r->start_ns, busy = MIN(r->busy_ns, elapsed);
	u64 pps = elapsed ? r->sent * NSEC_PER_SEC / elapsed : 0;
	u64 avg = r->sent ? (r->bytes + r->sent / 2) / r->sent : 0;
	u64 bps = pps * avg * BITS_PER_BYTE;

	/* Linux pktgen_show's lines: elapsed (c: sending + d: waiting), frames
	 * sent (size), rates, errors */
	return snprintf(buf, size,
			"%s: %llu(c%llu+d%llu) usec, %llu (%llubyte,0frags)\n"
			"  %llupps %lluMb/sec (%llubps) errors: %llu\n",
			r->end_error ? "ERROR" : "OK",
			(unsigned long long)(elapsed / NSEC_PER_USEC),
			(unsigned long long)(busy / NSEC_PER_USEC),
			(unsigned long long)((elapsed - busy) / NSEC_PER_USEC),
			(unsigned long long)r->sent, (unsigned long long)avg,
			(unsigned long long)pps, (unsigned long long)(bps / BPS_PER_MBPS),
			(unsigned long long)bps, (unsigned long long)r->errors);
}

static const char *fmt_ip(char *buf, u32 a)
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

static const char *fmt_mac(char *buf, const u8 *m)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

int pktgen_show(char *buf, size_t size)
{
	const struct pktgen_params *p = params_get();
	char ip1[16], ip2[16], mac[18];
	size_t len = 0;
	int n;

#define PUT(...)                                                               \
	do {                                                                   \
		n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, \
			     __VA_ARGS__);                                     \
		if (n > 0)                                                     \
			len += (size_t)n;                                      \
	} while (0)

	PUT("Params: count %llu  min_pkt_size: %u  max_pkt_size: %u\n"
	    "     ratep: %u  flows: %u  ifname: %s\n"
	    "     dst_min: %s  src_min: %s\n"
	    "     dst_mac: %s\n"
	    "     udp_src_min: %u  udp_dst_min: %u\n",
	    (unsigned long long)p->count, p->size_min, p->size_max, p->rate_pps, p->flows,
	    p->ifname, p->daddr ? fmt_ip(ip1, p->daddr) : "(unset)",
	    p->saddr ? fmt_ip(ip2, p->saddr) : "(device)",
	    p->dst_mac_set ? fmt_mac(mac, p->dst_mac) : "(from ARP)", p->udp_src, p->udp_dst);
	if (res.state == PKTGEN_IDLE) {
		PUT("Result: Idle\n");
		return (int)len;
	}
	PUT("Current:\n"
	    "     pkts-sofar: %llu  errors: %llu\n"
	    "     backpressure: %llu  nomem: %llu\n"
	    "     src: %s  dst_mac: %s\n",
	    (unsigned long long)res.sent, (unsigned long long)res.errors,
	    (unsigned long long)res.backpressure, (unsigned long long)res.nomem,
	    fmt_ip(ip1, res.saddr), fmt_mac(mac, res.dst_mac));
	if (res.state == PKTGEN_RUNNING) {
		PUT("Result: Running: %llu of %llu\n", (unsigned long long)attempted(),
		    (unsigned long long)p->count);
		return (int)len;
	}
	PUT("Result: ");
	n = pktgen_result_line(len < size ? buf + len : NULL, len < size ? size - len : 0, &res);
	if (n > 0)
		len += (size_t)n;
	if (res.stopped)
		PUT("Stopped by the user after %llu of %llu\n", (unsigned long long)attempted(),
		    (unsigned long long)p->count);
	if (res.end_error)
		PUT("Ended early: %s\n", res.end_error == -ENETDOWN ? "device down" : "no device");
#undef PUT
	return (int)len;
}

/* the time to the next frame of a run whose rate leaves a tick or more
 * between frames and that can send (no backpressure); 0 when there is
 * none to sleep for */
static u64 pktgen_sleep_ns(u64 tick_ns)
{
	u64 due = READ_ONCE(next_ns), now = ktime_get_ns();
	u32 rate = READ_ONCE(params.rate_pps);

	if (READ_ONCE(res.state) != PKTGEN_RUNNING || READ_ONCE(blocked) || !rate ||
	    NSEC_PER_SEC / rate < tick_ns || due <= now)
		return 0;
	return due - now;
}

/* [kpktgend_0]: asleep while no run goes; during a run a chunk, then the
 * other threads, then (nothing to send now: the rate or the qdisc holds
 * it back) a wait.  A rate's gap of a tick or more between frames is
 * slept, to the tick at or after the next frame is due (where a halt would have ended too, on an
 * idle CPU): halting instead kept the thread running, the halted time
 * counted as its CPU time and the CPU held from other threads for the
 * whole gap (at 100 pps, all of it).  Linux's pktgen likewise sleeps long
 * gaps and spins only short ones.  A shorter gap, or backpressure (a TX
 * completion frees room), halts until the next interrupt, a TX completion
 * or the tick */
static int kpktgend(void *data)
{
	(void)data;
	while (!kthread_should_stop()) {
		u64 gap, tick_ns;

		wait_event(pktgen_wait, READ_ONCE(res.state) == PKTGEN_RUNNING ||
			   kthread_should_stop());
		pktgen_run();
		cond_resched();
		tick_ns = NSEC_PER_SEC / HZ;
		gap = pktgen_sleep_ns(tick_ns);
		if (gap) {
			/* pktgen_stop and kthread_stop wake us early */
			wait_event_timeout(pktgen_wait, READ_ONCE(res.state) != PKTGEN_RUNNING ||
					   kthread_should_stop(),
					   (unsigned long)((gap + tick_ns - 1) / tick_ns));
			continue;
		}
		local_irq_disable();
		if (READ_ONCE(res.state) == PKTGEN_RUNNING && !pktgen_pending())
			idle_halt();
		else
			local_irq_enable();
	}
	return 0;
}

int pktgen_thread_start(void)
{
	return kthread_run(kpktgend, NULL, "kpktgend_0") ? 0 : -ENOMEM;
}
