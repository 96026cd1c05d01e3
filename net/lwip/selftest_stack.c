/* selftest=stack: the stack over loopback, without a NIC.  In-kernel
 * clients ping 127.0.0.1 and ::1, send UDP echoes, open many TCP echo
 * connections (more than there are TCP PCBs, so TIME_WAIT PCBs must be
 * recycled), feed the discard service and fetch the HTTP status page.
 * Then a fake net_device whose ring is full (-EBUSY) checks the qdisc's
 * backpressure: nothing lost, ERR_MEM once the qdisc is full, counters
 * that add up.  Each part prints one line of numbers that
 * tests/qemu/test_stack.py checks. */
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/core/xmit.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_glue.h"
#include "net/lwip/stack.h"
#include "net/services/services.h"
#include "lwip/icmp.h"
#include "lwip/icmp6.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <stdio.h>
#include <string.h>

#define ST_PINGS          10
#define ST_PING_ID        0xb0a7
#define ST_UDP_ECHOES     50
#define ST_TCP_CONNS      600          /* > MEMP_NUM_TCP_PCB */
#define ST_TCP_WAVE       32           /* connections open at once */
#define ST_TCP6_CONNS     20
#define ST_DISCARD_BYTES  (64 * 1024)
#define ST_DISCARD_DGRAMS 20
#define ST_HTTP_MAX       16384
#define ST_TIMEOUT_MS     20000
#define ST_FAKE_QLEN      64
#define ST_FAKE_SENDS     100
#define ST_FAKE_PORT      9999
#define ST_FAKE_BUSY      5            /* phase 2: -EBUSY this many times */
#define ST_FAKE_SENDS2    40

#define CHECK(cond) do {                                                     \
		if (!(cond)) {                                               \
			pr_err("selftest stack: check failed: %s (line %d)\n", \
			       #cond, __LINE__);                             \
			return -EIO;                                         \
		}                                                            \
	} while (0)

/* Serve softirqs and lwIP's timers until done() or the timeout; the tick
 * wakes the halt.  Process context, core lock not held. */
static bool run_until(bool (*done)(void), u64 timeout_ms)
{
	u64 end = ktime_get_ns() + timeout_ms * NSEC_PER_MSEC;

	while (!done()) {
		if (ktime_get_ns() > end)
			return false;
		if (net_timers_due())
			raise_softirq(TIMER_SOFTIRQ);
		ksoftirqd_run();
		local_irq_disable();
		if (local_softirq_pending() || done())
			local_irq_enable();
		else
			safe_halt();
	}
	return true;
}

/* --- ping 127.0.0.1 and ::1 ------------------------------------------------ */

static volatile int ping_replies, ping6_replies;

static bool pings_done(void)
{
	return ping_replies >= ST_PINGS && ping6_replies >= ST_PINGS;
}

/* a reply to one of ours is eaten (1); anything else goes on to lwIP (0) */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	struct icmp_echo_hdr h;
	bool v6 = arg != NULL;

	(void)pcb;
	(void)addr;
	if (pbuf_copy_partial(p, &h, sizeof(h), ip_current_header_tot_len()) != sizeof(h))
		return 0;
	if (h.type != (v6 ? ICMP6_TYPE_EREP : ICMP_ER) || h.id != PP_HTONS(ST_PING_ID))
		return 0;
	if (v6)
		ping6_replies++;
	else
		ping_replies++;
	pbuf_free(p);
	return 1;
}

static int ping_send(struct raw_pcb *pcb, const ip_addr_t *dst, bool v6, u16 seq)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + 32, PBUF_RAM);
	struct icmp_echo_hdr *h;
	err_t err;

	if (!p)
		return -ENOMEM;
	h = p->payload;
	memset(h, 0, p->len);
	h->type = v6 ? ICMP6_TYPE_EREQ : ICMP_ECHO;
	h->id = PP_HTONS(ST_PING_ID);
	h->seqno = lwip_htons(seq);
	if (!v6)
		h->chksum = inet_chksum(h, p->len);   /* ICMPv6's is filled by raw */
	err = raw_sendto(pcb, p, dst);
	pbuf_free(p);
	return err == ERR_OK ? 0 : -EIO;
}

static int test_ping(void)
{
	struct raw_pcb *p4, *p6;
	ip_addr_t lo4, lo6;
	int rc = 0;

	ipaddr_aton("127.0.0.1", &lo4);
	ipaddr_aton("::1", &lo6);
	net_core_lock();
	p4 = raw_new(IP_PROTO_ICMP);
	p6 = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6);
	if (p4 && p6) {
		p6->chksum_reqd = 1;
		p6->chksum_offset = 2;     /* RFC 4443 2.1: the checksum field */
		raw_recv(p4, ping_recv, NULL);
		raw_recv(p6, ping_recv, p6);
		for (u16 i = 0; i < ST_PINGS && !rc; i++)
			rc = ping_send(p4, &lo4, false, i) ?: ping_send(p6, &lo6, true, i);
	} else {
		rc = -ENOMEM;
	}
	net_core_unlock();
	if (!rc && !run_until(pings_done, ST_TIMEOUT_MS))
		rc = -ETIMEDOUT;
	net_core_lock();
	if (p4)
		raw_remove(p4);
	if (p6)
		raw_remove(p6);
	net_core_unlock();
	pr_info("selftest stack: ping 127.0.0.1 %d/%d replies, ping6 ::1 %d/%d replies\n",
		ping_replies, ST_PINGS, ping6_replies, ST_PINGS);
	CHECK(!rc);
	CHECK(ping_replies == ST_PINGS && ping6_replies == ST_PINGS);
	return 0;
}

/* --- UDP echo and discard ------------------------------------------------------ */

static volatile int udp_echoed, udp_matched, udp_want;

static bool udp_done(void)
{
	return udp_echoed >= udp_want;
}

static void udp_client_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			    const ip_addr_t *addr, u16_t port)
{
	char buf[32], want[32];
	int n = pbuf_copy_partial(p, buf, sizeof(buf) - 1, 0);

	(void)arg;
	(void)pcb;
	(void)addr;
	buf[n] = '\0';
	snprintf(want, sizeof(want), "udp echo %d", udp_echoed);
	if (port == ECHO_PORT && !strcmp(buf, want))
		udp_matched++;
	udp_echoed++;
	pbuf_free(p);
}

static int udp_send_str(struct udp_pcb *u, const ip_addr_t *dst, u16 port, const char *s)
{
	size_t len = strlen(s);
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	err_t err;

	if (!p)
		return -ENOMEM;
	memcpy(p->payload, s, len);
	err = udp_sendto(u, p, dst, port);
	pbuf_free(p);
	return err == ERR_OK ? 0 : -EIO;
}

static int test_udp(void)
{
	u64 discard0 = svc_discard_stats.udp_datagrams, echo0 = svc_echo_stats.udp_datagrams;
	struct udp_pcb *u;
	ip_addr_t lo;
	char msg[32];
	int rc = 0;

	ipaddr_aton("127.0.0.1", &lo);
	net_core_lock();
	u = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!u) {
		net_core_unlock();
		return -ENOMEM;
	}
	udp_recv(u, udp_client_recv, NULL);
	for (int i = 0; i < ST_DISCARD_DGRAMS && !rc; i++)
		rc = udp_send_str(u, &lo, DISCARD_PORT, "into the void");
	net_core_unlock();
	/* one at a time: each echo comes back before the next goes */
	for (int i = 0; i < ST_UDP_ECHOES && !rc; i++) {
		snprintf(msg, sizeof(msg), "udp echo %d", i);
		udp_want = i + 1;
		net_core_lock();
		rc = udp_send_str(u, &lo, ECHO_PORT, msg);
		net_core_unlock();
		if (!rc && !run_until(udp_done, ST_TIMEOUT_MS))
			rc = -ETIMEDOUT;
	}
	net_core_lock();
	udp_remove(u);
	net_core_unlock();
	pr_info("selftest stack: udp echo %d sent, %d echoed, %d matched; discard %llu datagrams "
		"counted of %d sent; echo service counted %llu\n", ST_UDP_ECHOES, udp_echoed,
		udp_matched, (unsigned long long)(svc_discard_stats.udp_datagrams - discard0),
		ST_DISCARD_DGRAMS, (unsigned long long)(svc_echo_stats.udp_datagrams - echo0));
	CHECK(!rc);
	CHECK(udp_echoed == ST_UDP_ECHOES && udp_matched == ST_UDP_ECHOES);
	CHECK(svc_discard_stats.udp_datagrams - discard0 == ST_DISCARD_DGRAMS);
	return 0;
}

/* --- TCP clients: echo, discard, http ---------------------------------------- */

enum tcp_client_state { TC_FREE, TC_CONNECTING, TC_OPEN, TC_DONE, TC_FAILED };

struct tcp_client {
	struct tcp_pcb *pcb;
	enum tcp_client_state state;
	const char *msg;           /* what we send */
	u32 msg_len, sent;
	char *rx;                  /* what came back (up to rx_max) */
	u32 rx_len, rx_max;
	bool expect_echo;          /* done when msg came back; else when the server closes */
};

static struct tcp_client clients[ST_TCP_WAVE];
static char client_rx[ST_TCP_WAVE][64];
static char http_rx[ST_HTTP_MAX];

/* close and record the outcome; ERR_ABRT if the pcb had to be aborted
 * (what a callback must then return) */
static err_t tc_finish(struct tcp_client *c, enum tcp_client_state st)
{
	err_t ret = ERR_OK;

	if (c->pcb) {
		tcp_arg(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		tcp_sent(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		if (tcp_close(c->pcb) != ERR_OK) {
			tcp_abort(c->pcb);
			ret = ERR_ABRT;
		}
	}
	c->pcb = NULL;
	c->state = st;
	return ret;
}

static void tc_push(struct tcp_client *c)
{
	u32 n = LWIP_MIN(c->msg_len - c->sent, (u32)tcp_sndbuf(c->pcb));

	if (n && tcp_write(c->pcb, c->msg + c->sent, (u16_t)n, TCP_WRITE_FLAG_COPY) == ERR_OK)
		c->sent += n;
	tcp_output(c->pcb);
}

static err_t tc_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct tcp_client *c = arg;

	if (err != ERR_OK) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		/* the server closed: a complete answer for http, early for echo */
		return tc_finish(c, c->expect_echo && c->rx_len < c->msg_len ? TC_FAILED : TC_DONE);
	}
	if (c->rx_len < c->rx_max)
		c->rx_len += pbuf_copy_partial(p, c->rx + c->rx_len,
					       (u16_t)LWIP_MIN(p->tot_len, c->rx_max - c->rx_len), 0);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	if (c->expect_echo && c->rx_len >= c->msg_len)
		return tc_finish(c, memcmp(c->rx, c->msg, c->msg_len) ? TC_FAILED : TC_DONE);
	return ERR_OK;
}

static err_t tc_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct tcp_client *c = arg;

	(void)pcb;
	(void)len;
	if (c->sent < c->msg_len)
		tc_push(c);
	else if (!c->expect_echo && !c->rx_max && !tcp_sndqueuelen(c->pcb))
		return tc_finish(c, TC_DONE);   /* discard: all sent and acknowledged */
	return ERR_OK;
}

static err_t tc_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct tcp_client *c = arg;

	(void)pcb;
	if (err != ERR_OK)
		return tc_finish(c, TC_FAILED);
	c->state = TC_OPEN;
	tc_push(c);
	return ERR_OK;
}

static void tc_err(void *arg, err_t err)
{
	struct tcp_client *c = arg;

	(void)err;
	c->pcb = NULL;
	c->state = TC_FAILED;
}

/* open a client to dst:port sending msg; core lock held */
static int tc_start(struct tcp_client *c, const ip_addr_t *dst, u16 port, const char *msg,
		    u32 msg_len, char *rx, u32 rx_max, bool expect_echo)
{
	*c = (struct tcp_client){ .state = TC_CONNECTING, .msg = msg, .msg_len = msg_len,
				  .rx = rx, .rx_max = rx_max, .expect_echo = expect_echo };
	c->pcb = tcp_new_ip_type(IP_GET_TYPE(dst));
	if (!c->pcb) {
		c->state = TC_FAILED;
		return -ENOMEM;
	}
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, tc_recv);
	tcp_sent(c->pcb, tc_sent);
	tcp_err(c->pcb, tc_err);
	if (tcp_connect(c->pcb, dst, port, tc_connected) != ERR_OK) {
		tc_finish(c, TC_FAILED);
		return -EIO;
	}
	return 0;
}

static int wave_size;

static bool wave_done(void)
{
	for (int i = 0; i < wave_size; i++)
		if (READ_ONCE(clients[i].state) == TC_CONNECTING ||
		    READ_ONCE(clients[i].state) == TC_OPEN)
			return false;
	return true;
}

/* run n echo connections to dst, ST_TCP_WAVE at a time; returns the
 * number that came back intact */
static int tcp_echo_run(const ip_addr_t *dst, int n, int *failed)
{
	static char msgs[ST_TCP_WAVE][48];
	int ok = 0, done = 0;

	*failed = 0;
	while (done < n) {
		wave_size = LWIP_MIN(ST_TCP_WAVE, n - done);
		net_core_lock();
		for (int i = 0; i < wave_size; i++) {
			int len = snprintf(msgs[i], sizeof(msgs[i]), "tcp echo connection %d", done + i);

			tc_start(&clients[i], dst, ECHO_PORT, msgs[i], (u32)len, client_rx[i],
				 sizeof(client_rx[i]), true);
		}
		net_core_unlock();
		if (!run_until(wave_done, ST_TIMEOUT_MS))
			break;
		for (int i = 0; i < wave_size; i++) {
			if (clients[i].state == TC_DONE)
				ok++;
			else
				(*failed)++;
		}
		done += wave_size;
	}
	*failed += n - done;
	return ok;
}

static int test_tcp_echo(void)
{
	const struct stats_mem *pcbs = lwip_stats.memp[MEMP_TCP_PCB];
	u64 accepted0 = svc_echo_stats.tcp_accepted;
	ip_addr_t lo4, lo6;
	int ok4, ok6, failed4, failed6, tw0, tw1;

	net_core_lock();
	tw0 = net_tcp_timewait_count();
	net_core_unlock();

	ipaddr_aton("127.0.0.1", &lo4);
	ipaddr_aton("::1", &lo6);
	ok4 = tcp_echo_run(&lo4, ST_TCP_CONNS, &failed4);
	ok6 = tcp_echo_run(&lo6, ST_TCP6_CONNS, &failed6);
	net_core_lock();
	tw1 = net_tcp_timewait_count();
	net_core_unlock();
	pr_info("selftest stack: tcp echo %d connections to 127.0.0.1: %d echoed, %d failed; "
		"%d to ::1: %d echoed, %d failed; server accepted %llu\n",
		ST_TCP_CONNS, ok4, failed4, ST_TCP6_CONNS, ok6, failed6,
		(unsigned long long)(svc_echo_stats.tcp_accepted - accepted0));
	/* every client closed first, so each left a TIME_WAIT PCB; those not
	 * there any more were recycled by tcp_alloc (TIME_WAIT lasts 60 s) */
	pr_info("selftest stack: tcp pcbs used %u max %u of %u; TIME_WAIT %d before, %d after "
		"%d client closes: %d recycled\n", (unsigned int)pcbs->used,
		(unsigned int)pcbs->max, (unsigned int)pcbs->avail, tw0, tw1,
		ST_TCP_CONNS + ST_TCP6_CONNS, tw0 + ST_TCP_CONNS + ST_TCP6_CONNS - tw1);
	CHECK(ok4 == ST_TCP_CONNS && ok6 == ST_TCP6_CONNS);
	CHECK(pcbs->max <= pcbs->avail && tw1 < ST_TCP_CONNS);
	CHECK(svc_echo_stats.tcp_accepted - accepted0 == ST_TCP_CONNS + ST_TCP6_CONNS);
	return 0;
}

static bool one_client_done(void)
{
	return READ_ONCE(clients[0].state) == TC_DONE || READ_ONCE(clients[0].state) == TC_FAILED;
}

static int test_discard_tcp(void)
{
	static char blob[ST_DISCARD_BYTES];
	u64 in0 = svc_discard_stats.tcp_bytes_in;
	ip_addr_t lo;

	memset(blob, 'd', sizeof(blob));
	ipaddr_aton("127.0.0.1", &lo);
	net_core_lock();
	tc_start(&clients[0], &lo, DISCARD_PORT, blob, sizeof(blob), NULL, 0, false);
	net_core_unlock();
	run_until(one_client_done, ST_TIMEOUT_MS);
	/* the service counts what it received; give its side time to finish */
	for (int i = 0; i < 100 && svc_discard_stats.tcp_bytes_in - in0 < sizeof(blob); i++)
		run_until(one_client_done, 10);
	pr_info("selftest stack: discard tcp %u bytes sent, %llu counted by the service\n",
		clients[0].sent, (unsigned long long)(svc_discard_stats.tcp_bytes_in - in0));
	CHECK(clients[0].state == TC_DONE && clients[0].sent == sizeof(blob));
	CHECK(svc_discard_stats.tcp_bytes_in - in0 == sizeof(blob));
	return 0;
}

/* GET path from the HTTP service; the status code, or -errno */
static int http_get(const char *path, u32 *len)
{
	static char req[96];
	ip_addr_t lo;
	int n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: selftest\r\n\r\n", path);
	int code = 0;

	ipaddr_aton("127.0.0.1", &lo);
	memset(http_rx, 0, sizeof(http_rx));
	net_core_lock();
	tc_start(&clients[0], &lo, HTTP_PORT, req, (u32)n, http_rx, sizeof(http_rx) - 1, false);
	net_core_unlock();
	if (!run_until(one_client_done, ST_TIMEOUT_MS) || clients[0].state != TC_DONE)
		return -EIO;
	*len = clients[0].rx_len;
	if (strncmp(http_rx, "HTTP/1.0 ", 9))
		return -EIO;
	for (const char *p = http_rx + 9; *p >= '0' && *p <= '9'; p++)
		code = code * 10 + (*p - '0');
	return code;
}

static int test_http(void)
{
	u32 len = 0, len404 = 0;
	int code = http_get("/status", &len), code404 = http_get("/nope", &len404);
	const char *body = strstr(http_rx, "\r\n\r\n");

	pr_info("selftest stack: http GET /status %d (%u bytes), GET /nope %d (%u bytes)\n",
		code, len, code404, len404);
	CHECK(code == 200 && code404 == 404);
	/* / is the dashboard: an HTML page */
	CHECK(http_get("/", &len) == 200);
	body = strstr(http_rx, "\r\n\r\n");
	CHECK(body && strstr(http_rx, "Content-Type: text/html") &&
	      !strncmp(body + 4, "<!doctype html>", 15));
	/* fetch /status again to show the page in the log */
	CHECK(http_get("/status", &len) == 200);
	body = strstr(http_rx, "\r\n\r\n");
	CHECK(body && strstr(body, "uptime: ") && strstr(body, "[interfaces]"));
	/* line by line: a printk line has a length limit */
	pr_info("selftest stack: status page:\n");
	for (const char *l = body + 4; *l; ) {
		const char *nl = strchr(l, '\n');
		int n = nl ? (int)(nl - l) : (int)strlen(l);

		pr_info("| %.*s\n", n, l);
		l += n + (nl ? 1 : 0);
	}
	return 0;
}

/* --- the qdisc behind a fake device with a full ring ---------------------------- */

struct fake_nic {
	struct net_device dev;
	bool busy;                 /* ring full: -EBUSY */
	int busy_for;              /* -EBUSY this many more times */
	int busy_answers;
	int frames;                /* every frame accepted */
	int test_frames;           /* our UDP frames accepted */
	int next_seq;              /* the sequence number expected next */
	int out_of_order;
};

static struct fake_nic fake;

/* the sequence number in one of our UDP datagrams, or -1 */
static int fake_test_seq(const u8 *f, unsigned int len)
{
	const unsigned int ip = ETH_HLEN, udp = ip + 20, data = udp + 8;

	if (len < data + 4 || f[12] != 0x08 || f[13] != 0x00 || f[ip + 9] != IP_PROTO_UDP ||
	    ((f[udp + 2] << 8) | f[udp + 3]) != ST_FAKE_PORT)
		return -1;
	return (f[data] << 24) | (f[data + 1] << 16) | (f[data + 2] << 8) | f[data + 3];
}

/* a device with an endless ring: a frame it takes is sent at once */
static int fake_xmit(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct fake_nic *f = container_of(dev, struct fake_nic, dev);
	u8 head[ETH_HLEN + 20 + 8 + 4];        /* up to our UDP datagram's sequence number */
	u32 n = MIN(skb->len, (u32)sizeof(head));
	int seq;

	(void)flags;
	if (f->busy || f->busy_for > 0) {
		if (f->busy_for > 0)
			f->busy_for--;
		f->busy_answers++;
		return -EBUSY;
	}
	f->frames++;
	skb_copy_bits(skb, 0, head, n);
	seq = fake_test_seq(head, n);
	if (seq >= 0) {
		f->test_frames++;
		if (seq != f->next_seq)
			f->out_of_order++;
		f->next_seq = seq + 1;
	}
	consume_skb(skb);
	return 0;
}

static int fake_open(struct net_device *dev)
{
	(void)dev;
	return 0;
}

static const struct net_device_ops fake_ops = {
	.ndo_open = fake_open,
	.ndo_start_xmit = fake_xmit,
};

static int fake_send(struct udp_pcb *u, const ip_addr_t *dst, u32 seq)
{
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, 32, PBUF_RAM);
	u8 *d;
	err_t err;

	if (!p)
		return ERR_MEM;
	d = p->payload;
	memset(d, 0, 32);
	d[0] = (u8)(seq >> 24);
	d[1] = (u8)(seq >> 16);
	d[2] = (u8)(seq >> 8);
	d[3] = (u8)seq;
	err = udp_sendto(u, p, dst, ST_FAKE_PORT);
	pbuf_free(p);
	return err;
}

static int fake_expected;

static bool fake_drained(void)
{
	return fake.test_frames >= fake_expected;
}

static int test_qdisc_backpressure(void)
{
	static const u8 mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0xfa, 0x4e };
	struct net_glue_stats gs;
	struct qdisc_stats qs;
	ip4_addr_t addr, mask, gw;
	struct udp_pcb *u;
	struct netif *nif;
	ip_addr_t bcast;
	int ok = 0, mem = 0, other = 0, ok2 = 0, rc;

	memset(&fake, 0, sizeof(fake));
	strlcpy(fake.dev.name, "fake0", sizeof(fake.dev.name));
	memcpy(fake.dev.dev_addr, mac, ETH_ALEN);
	fake.dev.mtu = ETH_DATA_LEN;
	fake.dev.flags = IFF_BROADCAST | IFF_MULTICAST;
	fake.dev.carrier = true;
	fake.dev.speed_mbps = 1000;
	fake.dev.netdev_ops = &fake_ops;
	rc = net_attach_netdev(&fake.dev);
	if (rc)
		return rc;
	CHECK(dev_set_txqueuelen(&fake.dev, ST_FAKE_QLEN) == 0);

	IP4_ADDR(&addr, 10, 99, 0, 1);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	IP4_ADDR(&gw, 0, 0, 0, 0);
	ipaddr_aton("10.99.0.255", &bcast);
	net_core_lock();
	nif = net_netif_of(&fake.dev);
	/* IPv4 only: no IPv6 timers sending behind the test's back */
	netif_set_ip6_autoconfig_enabled(nif, 0);
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		netif_ip6_addr_set_state(nif, i, IP6_ADDR_INVALID);
	netif_set_addr(nif, &addr, &mask, &gw);
	u = udp_new();
	net_core_unlock();
	CHECK(u);
	run_until(fake_drained, 1);            /* the gratuitous ARP goes out */

	/* phase 1: the ring is full; the qdisc takes ST_FAKE_QLEN frames, then
	 * lwIP gets ERR_MEM */
	fake.busy = true;
	net_core_lock();
	udp_bind(u, IP_ADDR_ANY, 0);
	for (int i = 0; i < ST_FAKE_SENDS; i++) {
		err_t err = fake_send(u, &bcast, (u32)i);

		if (err == ERR_OK)
			ok++;
		else if (err == ERR_MEM)
			mem++;
		else
			other++;
	}
	net_core_unlock();
	CHECK(dev_qdisc_stats(&fake.dev, &qs) == 0);
	pr_info("selftest stack: qdisc full ring: %d sent, %d ERR_OK, %d ERR_MEM, %d other; "
		"backlog %u of limit %u, %d busy answers\n", ST_FAKE_SENDS, ok, mem, other,
		qs.backlog, qs.limit, fake.busy_answers);
	CHECK(ok == ST_FAKE_QLEN && mem == ST_FAKE_SENDS - ST_FAKE_QLEN && !other);
	CHECK(qs.backlog == ST_FAKE_QLEN && fake.test_frames == 0);

	/* the ring drains: a TX completion wakes the queue */
	fake.busy = false;
	fake_expected = ok;
	netif_tx_wake(&fake.dev);
	CHECK(run_until(fake_drained, ST_TIMEOUT_MS));

	/* phase 2: busy for a while with room in the qdisc: every frame
	 * waits and goes, none refused; the timer's kick retries */
	fake.busy_for = ST_FAKE_BUSY;
	net_core_lock();
	for (int i = 0; i < ST_FAKE_SENDS2; i++)
		ok2 += fake_send(u, &bcast, (u32)(ok + i)) == ERR_OK;
	net_core_unlock();
	fake_expected = ok + ok2;
	dev_qdisc_kick_all();
	CHECK(run_until(fake_drained, ST_TIMEOUT_MS));

	CHECK(dev_qdisc_stats(&fake.dev, &qs) == 0);
	CHECK(net_glue_stats(&fake.dev, &gs) == 0);
	pr_info("selftest stack: qdisc drained: %d test frames delivered (%d out of order), "
		"%d frames in all; busy answers %d\n", fake.test_frames, fake.out_of_order,
		fake.frames, fake.busy_answers);
	pr_info("selftest stack: qdisc counters: enqueued %llu packets %llu drops %llu "
		"requeues %llu busy %llu tx_dropped %llu backlog %u max %u; glue tx %llu "
		"qdisc-full %llu\n", (unsigned long long)qs.enqueued,
		(unsigned long long)qs.packets, (unsigned long long)qs.drops,
		(unsigned long long)qs.requeues, (unsigned long long)qs.busy,
		(unsigned long long)qs.tx_dropped, qs.backlog, qs.backlog_max,
		(unsigned long long)gs.tx_frames, (unsigned long long)gs.tx_qdisc_full);
	CHECK(ok2 == ST_FAKE_SENDS2);
	CHECK(fake.test_frames == ok + ok2 && !fake.out_of_order);
	CHECK(qs.packets == (u64)fake.frames && qs.enqueued == qs.packets + qs.backlog);
	CHECK(qs.backlog == 0 && qs.drops == (u64)mem && qs.tx_dropped == qs.drops);
	CHECK(qs.busy == (u64)fake.busy_answers && qs.requeues == qs.busy);
	CHECK(gs.tx_qdisc_full == (u64)mem && gs.tx_frames == qs.enqueued);

	net_core_lock();
	udp_remove(u);
	net_core_unlock();
	net_detach_netdev(&fake.dev);
	return 0;
}

static int selftest_stack(void)
{
	int rc;

	if ((services_enabled & (SVC_ECHO | SVC_DISCARD | SVC_HTTP)) !=
	    (SVC_ECHO | SVC_DISCARD | SVC_HTTP)) {
		pr_err("selftest stack: needs services echo, discard and http\n");
		return -EINVAL;
	}
	rc = test_ping();
	if (!rc)
		rc = test_udp();
	if (!rc)
		rc = test_tcp_echo();
	if (!rc)
		rc = test_discard_tcp();
	if (!rc)
		rc = test_http();
	if (!rc)
		rc = test_qdisc_backpressure();
	return rc;
}
SELFTEST("stack", selftest_stack,
	 "loopback ping/udp/tcp echo/discard/http clients and qdisc backpressure on a fake NIC");
