/* Echo (RFC 862) on TCP and UDP port 7.
 *
 * TCP flow control is end to end: received data is acknowledged to the
 * peer's window (tcp_recved) only once it has been copied into our send
 * buffer, so a client that does not read its echoes is slowed down rather
 * than making us buffer without bound; and we queue no more than two
 * segments beyond the client's window (svc_tcp_room). */
#include "net/services/services.h"
#include "net/services/svc_conn.h"
#include "net/core/journey.h"
#include "kernel/errno.h"
#include "lwip/mem.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <string.h>

/* tcp_poll interval, in lwIP's coarse timer ticks (500 ms each) */
#define ECHO_POLL_TICKS 2

struct svc_stats svc_echo_stats;

struct echo_conn {
	struct svc_conn slot;   /* per-source limit, idle timeout, eviction */
	struct pbuf *pending;   /* received, not yet in the send buffer */
	bool closing;           /* the peer closed: close when pending is sent */
};

static void echo_free(struct echo_conn *c)
{
	svc_conn_forget(&c->slot);
	if (c->pending)
		pbuf_free(c->pending);
	mem_free(c);
}

/* ERR_ABRT if the pcb was aborted (a callback must then return it) */
static err_t echo_close(struct echo_conn *c, enum svc_close_why why)
{
	err_t err = svc_tcp_close(&c->slot, &svc_echo_stats, why);

	echo_free(c);
	return err;
}

/* move pending data into the send buffer, close once the peer is done;
 * what a callback must return */
static err_t echo_flush(struct tcp_pcb *pcb, struct echo_conn *c)
{
	while (c->pending) {
		u16 n = (u16)MIN(c->pending->len, svc_tcp_room(pcb));

		if (!n || tcp_write(pcb, c->pending->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		tcp_recved(pcb, n);
		svc_echo_stats.tcp_bytes_out += n;
		c->pending = pbuf_free_header(c->pending, n);
	}
	tcp_output(pcb);
	if (c->closing && !c->pending)
		return echo_close(c, SVC_CLOSE_DONE);
	return ERR_OK;
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct echo_conn *c = arg;

	if (err != ERR_OK || !c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		c->closing = true;
	} else {
		journey_mark_rx(JOURNEY_RX_APP);
		svc_echo_stats.tcp_bytes_in += p->tot_len;
		/* data is echo's request: the connection is in use */
		svc_conn_active(&c->slot);
		svc_conn_served(&c->slot);
		if (c->pending)
			pbuf_cat(c->pending, p);
		else
			c->pending = p;
	}
	return echo_flush(pcb, c);
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)len;
	return arg ? echo_flush(pcb, arg) : ERR_OK;
}

static err_t echo_poll(void *arg, struct tcp_pcb *pcb)
{
	struct echo_conn *c = arg;

	if (!c)
		return ERR_OK;
	if (!c->pending && svc_conn_idle(&c->slot))
		return echo_close(c, SVC_CLOSE_IDLE);
	return echo_flush(pcb, c);
}

/* the pcb is already gone (reset, or aborted by lwIP) */
static void echo_err(void *arg, err_t err)
{
	svc_echo_stats.tcp_aborted++;
	if (arg) {
		svc_conn_error(&((struct echo_conn *)arg)->slot, err);
		echo_free(arg);
	}
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct echo_conn *c;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = mem_malloc(sizeof(*c));
	if (!c) {
		svc_echo_stats.tcp_aborted++;
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	memset(c, 0, sizeof(*c));
	if (svc_conn_admit(&c->slot, pcb)) {
		/* over the per-source limit: refused with a RST (counted there) */
		mem_free(c);
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	svc_echo_stats.tcp_accepted++;
	tcp_nagle_disable(pcb);
	tcp_arg(pcb, c);
	tcp_recv(pcb, echo_recv);
	tcp_sent(pcb, echo_sent);
	tcp_err(pcb, echo_err);
	tcp_poll(pcb, echo_poll, ECHO_POLL_TICKS);
	return ERR_OK;
}

/* UDP: send the datagram back where it came from, reusing its pbuf */
static void echo_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			  const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	journey_mark_rx(JOURNEY_RX_APP);
	svc_echo_stats.udp_datagrams++;
	svc_echo_stats.udp_bytes += p->tot_len;
	journey_tx_app();
	if (udp_sendto(pcb, p, addr, port) != ERR_OK)
		svc_echo_stats.udp_errors++;
	pbuf_free(p);
}

int svc_echo_start(void)
{
	struct udp_pcb *u;

	if (!svc_tcp_listen(ECHO_PORT, echo_accept))
		return -ENOMEM;
	u = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!u)
		return -ENOMEM;
	if (udp_bind(u, IP_ANY_TYPE, ECHO_PORT) != ERR_OK) {
		udp_remove(u);
		return -EBUSY;
	}
	udp_recv(u, echo_udp_recv, NULL);
	return 0;
}
