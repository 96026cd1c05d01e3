/* Discard (RFC 863) on TCP and UDP port 9: count and drop.  A TCP
 * connection is closed after net.svc.idle_timeout without data. */
#include "net/services/services.h"
#include "net/services/svc_conn.h"
#include "kernel/errno.h"
#include "net/core/journey.h"
#include "lwip/mem.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <string.h>

/* tcp_poll interval, in lwIP's coarse timer ticks (500 ms each) */
#define DISCARD_POLL_TICKS 2

struct svc_stats svc_discard_stats;

struct discard_conn {
	struct svc_conn slot;   /* per-source limit, idle timeout, eviction */
};

static void discard_free(struct discard_conn *c)
{
	svc_conn_forget(&c->slot);
	mem_free(c);
}

/* what a callback must return */
static err_t discard_close(struct discard_conn *c, enum svc_close_why why)
{
	err_t err = svc_tcp_close(&c->slot, &svc_discard_stats, why);

	discard_free(c);
	return err;
}

static err_t discard_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct discard_conn *c = arg;

	if (err != ERR_OK || !c) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p)
		return discard_close(c, SVC_CLOSE_DONE);
	journey_mark_rx(JOURNEY_RX_APP);
	svc_discard_stats.tcp_bytes_in += p->tot_len;
	svc_conn_active(&c->slot);
	svc_conn_served(&c->slot);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static err_t discard_poll(void *arg, struct tcp_pcb *pcb)
{
	struct discard_conn *c = arg;

	(void)pcb;
	if (c && svc_conn_idle(&c->slot))
		return discard_close(c, SVC_CLOSE_IDLE);
	return ERR_OK;
}

/* the pcb is already gone (reset, or aborted by lwIP) */
static void discard_err(void *arg, err_t err)
{
	struct discard_conn *c = arg;

	svc_discard_stats.tcp_aborted++;
	if (c) {
		svc_conn_error(&c->slot, err);
		discard_free(c);
	}
}

static err_t discard_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct discard_conn *c;

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	c = mem_malloc(sizeof(*c));
	if (!c) {
		svc_discard_stats.tcp_aborted++;
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
	svc_discard_stats.tcp_accepted++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, discard_recv);
	tcp_err(pcb, discard_err);
	tcp_poll(pcb, discard_poll, DISCARD_POLL_TICKS);
	return ERR_OK;
}

static void discard_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			     const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	(void)port;
	journey_mark_rx(JOURNEY_RX_APP);
	svc_discard_stats.udp_datagrams++;
	svc_discard_stats.udp_bytes += p->tot_len;
	pbuf_free(p);
}

int svc_discard_start(void)
{
	struct udp_pcb *u;

	if (!svc_tcp_listen(DISCARD_PORT, discard_accept))
		return -ENOMEM;
	u = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!u)
		return -ENOMEM;
	if (udp_bind(u, IP_ANY_TYPE, DISCARD_PORT) != ERR_OK) {
		udp_remove(u);
		return -EBUSY;
	}
	udp_recv(u, discard_udp_recv, NULL);
	return 0;
}
