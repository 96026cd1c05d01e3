/* Discard (RFC 863) on TCP and UDP port 9: count and drop. */
#include "net/services/services.h"
#include "kernel/errno.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

struct svc_stats svc_discard_stats;

static err_t discard_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	if (err != ERR_OK) {
		if (p)
			pbuf_free(p);
		return ERR_OK;
	}
	if (!p) {
		tcp_recv(pcb, NULL);
		tcp_err(pcb, NULL);
		if (tcp_close(pcb) != ERR_OK) {
			tcp_abort(pcb);
			svc_discard_stats.tcp_aborted++;
			return ERR_ABRT;
		}
		svc_discard_stats.tcp_closed++;
		return ERR_OK;
	}
	svc_discard_stats.tcp_bytes_in += p->tot_len;
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static void discard_err(void *arg, err_t err)
{
	(void)arg;
	(void)err;
	svc_discard_stats.tcp_aborted++;
}

static err_t discard_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	svc_discard_stats.tcp_accepted++;
	tcp_recv(pcb, discard_recv);
	tcp_err(pcb, discard_err);
	return ERR_OK;
}

static void discard_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
			     const ip_addr_t *addr, u16_t port)
{
	(void)arg;
	(void)pcb;
	(void)addr;
	(void)port;
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
