/* Traffic from the console, for tests and measurements over loopback
 * (no NIC needed):
 *
 *   udpsend ADDR PORT COUNT [LEN]   COUNT datagrams of LEN bytes (default
 *                                   32) from one ephemeral port; prints the
 *                                   time taken and the TSC cycles per
 *                                   datagram (sending and, over loopback,
 *                                   delivery to the receiver)
 *   httpget [-n N] [-t S] [-a ADDR] [-X METHOD] PATH
 *                                   GET (or METHOD) PATH from ADDR:80 (127.0.0.1), N
 *                                   times; prints the last response (header
 *                                   lines without their CR) or, for N > 1,
 *                                   a summary of the status codes; -t:
 *                                   seconds a request may take (10)
 *
 * Both run in the shell's process context and take the core lock around
 * each entry into lwIP; looped packets are delivered when it is released.
 * httpget sleeps while its exchange runs in softirqs; each call has its
 * own state, so every shell session may run one at a time. */
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/shell/shell.h"
#include "kernel/wait.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/parse_num.h"
#include "net/core/journey.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/stack.h"
#include "net/services/services.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UDPSEND_BATCH     32            /* datagrams per core-lock hold (loop queue) */
#define UDPSEND_LEN_MAX   1472          /* one Ethernet frame: 1500 - IPv4 - UDP */
#define UDPSEND_COUNT_MAX 10000000
#define UDPSEND_LEN_DEFAULT 32
#define HTTPGET_MAX       (1024 * 1024) /* response bytes kept */
#define HTTPGET_TIMEOUT_MS 10000        /* a request's default -t */
#define HTTPGET_TIMEOUT_S_MAX 600
#define HTTPGET_N_MAX     100000
#define HTTPGET_REQ_MAX   512

static int cmd_udpsend(int argc, char **argv)
{
	ip_addr_t dst;
	char *end;
	long port, count, len = UDPSEND_LEN_DEFAULT;
	struct udp_pcb *pcb;
	u32 sent = 0, failed = 0;
	u64 t0, cycles;

	if (argc < 4 || argc > 5)
		return shell_error("udpsend", "usage: udpsend ADDR PORT COUNT [LEN]");
	if (!ipaddr_aton(argv[1], &dst))
		return shell_error("udpsend", "%s: not an IPv4 or IPv6 address", argv[1]);
	port = strtol(argv[2], &end, 10);
	if (!*argv[2] || *end || port < 1 || port > 65535)
		return shell_error("udpsend", "%s: not a port (1..65535)", argv[2]);
	count = strtol(argv[3], &end, 10);
	if (!*argv[3] || *end || count < 1 || count > UDPSEND_COUNT_MAX)
		return shell_error("udpsend", "%s: not a count (1..%d)", argv[3], UDPSEND_COUNT_MAX);
	if (argc == 5) {
		len = strtol(argv[4], &end, 10);
		if (!*argv[4] || *end || len < 0 || len > UDPSEND_LEN_MAX)
			return shell_error("udpsend", "%s: not a length (0..%d)", argv[4],
					   UDPSEND_LEN_MAX);
	}
	net_core_lock();
	pcb = udp_new_ip_type(IP_GET_TYPE(&dst));
	if (pcb && udp_bind(pcb, IP_ANY_TYPE, 0) != ERR_OK) {
		udp_remove(pcb);
		pcb = NULL;
	}
	net_core_unlock();
	if (!pcb)
		return shell_error("udpsend", "%s", errno_desc(-ENOMEM));

	t0 = rdtsc();
	for (long i = 0; i < count;) {
		net_core_lock();
		for (int b = 0; b < UDPSEND_BATCH && i < count; b++, i++) {
			struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
			char tag[24];
			int n;

			if (!p) {
				failed++;
				continue;
			}
			memset(p->payload, 0, (size_t)len);
			n = snprintf(tag, sizeof(tag), "barenet %ld", i);
			memcpy(p->payload, tag, (size_t)(n < len ? n : len));
			journey_tx_app();
			if (udp_sendto(pcb, p, &dst, (u16_t)port) == ERR_OK)
				sent++;
			else
				failed++;
			pbuf_free(p);
		}
		/* releasing the lock delivers what looped back */
		net_core_unlock();
	}
	cycles = rdtsc() - t0;
	net_core_lock();
	udp_remove(pcb);
	net_core_unlock();
	shell_printf("udpsend: %u sent, %u failed, %llu ns, %llu cycles/datagram\n", sent, failed,
		     (unsigned long long)tsc_to_ns(cycles),
		     (unsigned long long)(cycles / (u64)count));
	return failed ? 1 : 0;
}
SHELL_CMD("udpsend", cmd_udpsend, "send UDP datagrams: udpsend ADDR PORT COUNT [LEN]");

/* --- httpget ---------------------------------------------------------------- */

/* One httpget command's state, its own (two shell sessions may run httpget
 * at once).  lwIP's callbacks fill it under the core lock and wake wq; the
 * shell thread sleeps on wq meanwhile (the exchange itself runs in NET_RX
 * and TIMER softirqs, not in the thread). */
struct httpget {
	struct tcp_pcb *pcb;
	struct wait_queue_head wq;
	char req[HTTPGET_REQ_MAX];
	u32 req_len;
	char *rx;
	u32 rx_len;
	bool done, failed;
};

/* the request is over (callbacks, core lock held): wake the thread after
 * done is set; wait_event_timeout re-checks done after queueing itself,
 * so a wake-up before it sleeps is not lost */
static void hg_done(struct httpget *c, bool failed)
{
	c->failed = failed;
	WRITE_ONCE(c->done, true);
	wake_up(&c->wq);
}

static err_t hg_finish(struct httpget *c, bool failed)
{
	err_t ret = ERR_OK;

	if (c->pcb) {
		tcp_arg(c->pcb, NULL);
		tcp_recv(c->pcb, NULL);
		tcp_err(c->pcb, NULL);
		if (tcp_close(c->pcb) != ERR_OK) {
			tcp_abort(c->pcb);
			ret = ERR_ABRT;
		}
	}
	c->pcb = NULL;
	hg_done(c, failed);
	return ret;
}

static err_t hg_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct httpget *c = arg;

	if (err != ERR_OK || !c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p)
		return hg_finish(c, false);    /* the server closed: the whole answer */
	if (c->rx_len < HTTPGET_MAX)
		c->rx_len += pbuf_copy_partial(p, c->rx + c->rx_len,
					       (u16_t)LWIP_MIN(p->tot_len, HTTPGET_MAX - c->rx_len), 0);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t hg_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct httpget *c = arg;

	if (err != ERR_OK)
		return hg_finish(c, true);
	journey_tx_app();
	if (tcp_write(pcb, c->req, (u16_t)c->req_len, TCP_WRITE_FLAG_COPY) != ERR_OK)
		return hg_finish(c, true);
	tcp_output(pcb);
	return ERR_OK;
}

static void hg_err(void *arg, err_t err)
{
	struct httpget *c = arg;

	(void)err;
	if (!c)
		return;
	c->pcb = NULL;                  /* lwIP has freed it */
	hg_done(c, true);
}

/* one request; 0, or -ETIMEDOUT/-EIO/-ENOMEM */
static int httpget_once(struct httpget *c, const ip_addr_t *addr, unsigned int timeout_ms)
{
	bool done;
	err_t err;

	c->rx_len = 0;
	c->done = c->failed = false;
	net_core_lock();
	c->pcb = tcp_new_ip_type(IP_GET_TYPE(addr));
	if (!c->pcb) {
		net_core_unlock();
		return -ENOMEM;
	}
	tcp_arg(c->pcb, c);
	tcp_recv(c->pcb, hg_recv);
	tcp_err(c->pcb, hg_err);
	err = tcp_connect(c->pcb, addr, HTTP_PORT, hg_connected);
	if (err != ERR_OK)
		hg_finish(c, true);
	net_core_unlock();
	/* sleep: the exchange runs in softirqs, hg_done wakes us */
	wait_event_timeout(c->wq, READ_ONCE(c->done), msecs_to_jiffies(timeout_ms));
	/* the core lock orders us after the callback that set done (it runs
	 * under the lock, wake_up included), so c may be reused or freed
	 * after; on a timeout no callback can come any more once the pcb is
	 * aborted without its arg */
	net_core_lock();
	done = c->done;
	if (!done && c->pcb) {
		tcp_arg(c->pcb, NULL);
		tcp_abort(c->pcb);
		c->pcb = NULL;
	}
	net_core_unlock();
	if (!done)
		return -ETIMEDOUT;
	return c->failed ? -EIO : 0;
}

/* the status code of the response in c->rx, or 0 */
static int httpget_status(const struct httpget *c)
{
	int code = 0;

	if (c->rx_len < 12 || strncmp(c->rx, "HTTP/1.", 7))
		return 0;
	for (u32 i = 9; i < 12; i++)
		code = code * 10 + (c->rx[i] - '0');
	return code;
}

/* the response with the header's CRs dropped (the console adds its own) */
static void httpget_print(const struct httpget *c)
{
	u32 i = 0;

	for (; i < c->rx_len; i++) {
		if (c->rx[i] == '\r')
			continue;
		shell_write(&c->rx[i], 1);
		if (i + 2 < c->rx_len && c->rx[i] == '\n' && c->rx[i + 1] == '\r' &&
		    c->rx[i + 2] == '\n') {
			shell_write("\n", 1);
			i += 3;
			break;
		}
	}
	if (i < c->rx_len)
		shell_write(c->rx + i, c->rx_len - i);
}

static int httpget_run(struct httpget *c, const ip_addr_t *addr, long n, unsigned int timeout_ms)
{
	u32 codes[6] = { 0 }, fails = 0;
	u64 bytes = 0, t0 = ktime_get_ns();

	for (long k = 0; k < n; k++) {
		int rc = httpget_once(c, addr, timeout_ms), code = rc ? 0 : httpget_status(c);

		if (rc || code < 100 || code > 599) {
			fails++;
			if (n == 1)
				return shell_error("httpget", "%s", rc ? errno_desc(rc) :
						   "not an HTTP response");
			continue;
		}
		codes[code / 100]++;
		bytes += c->rx_len;
	}
	if (n == 1)
		httpget_print(c);
	else
		shell_printf("httpget: %ld requests in %llu ms: %u 2xx, %u 3xx, %u 4xx, %u 5xx, "
			     "%u failed, %llu bytes; last status %d\n", n,
			     (unsigned long long)((ktime_get_ns() - t0) / NSEC_PER_MSEC), codes[2],
			     codes[3], codes[4], codes[5], fails, (unsigned long long)bytes,
			     httpget_status(c));
	return fails ? 1 : 0;
}

static int cmd_httpget(int argc, char **argv)
{
	const char *host = "127.0.0.1", *path = NULL, *method = "GET";
	u64 n = 1, timeout_s = HTTPGET_TIMEOUT_MS / 1000;
	struct httpget *c;
	ip_addr_t addr;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			if (parse_u64_range(argv[++i], 1, HTTPGET_N_MAX, &n))
				return shell_error("httpget", "-n %s: not a count (1..%d)", argv[i],
						   HTTPGET_N_MAX);
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			if (parse_u64_range(argv[++i], 1, HTTPGET_TIMEOUT_S_MAX, &timeout_s))
				return shell_error("httpget", "-t %s: not a timeout (1..%d s)",
						   argv[i], HTTPGET_TIMEOUT_S_MAX);
		} else if (!strcmp(argv[i], "-a") && i + 1 < argc) {
			host = argv[++i];
		} else if (!strcmp(argv[i], "-X") && i + 1 < argc) {
			method = argv[++i];
		} else if (!path && argv[i][0] == '/') {
			path = argv[i];
		} else {
			path = NULL;
			break;
		}
	}
	if (!path || i < argc)
		return shell_error("httpget", "usage: httpget [-n N] [-t S] [-a ADDR] [-X METHOD] /PATH");
	if (!ipaddr_aton(host, &addr))
		return shell_error("httpget", "%s: not an IPv4 or IPv6 address", host);
	c = kzalloc(sizeof(*c));
	if (c)
		c->rx = kmalloc(HTTPGET_MAX);
	if (!c || !c->rx) {
		kfree(c);
		return shell_error("httpget", "%s", errno_desc(-ENOMEM));
	}
	init_waitqueue_head(&c->wq);
	c->req_len = (u32)snprintf(c->req, sizeof(c->req), "%s %s HTTP/1.0\r\nHost: %s\r\n\r\n",
				   method, path, host);
	if (c->req_len >= sizeof(c->req))
		rc = shell_error("httpget", "%s: path too long", path);
	else
		rc = httpget_run(c, &addr, (long)n, (unsigned int)timeout_s * 1000);
	kfree(c->rx);
	kfree(c);
	return rc;
}
SHELL_CMD("httpget", cmd_httpget,
	  "HTTP request over TCP: httpget [-n N] [-t S] [-a ADDR] [-X METHOD] /PATH "
	  "(127.0.0.1, GET, 10 s)");
