/* The capture stream: capture=<port> listens on TCP <port>; a client gets
 * the pcap file header and then every record the taps write from then on,
 * as it is written (nc <guest> <port> | tshark -r -).  One client at a
 * time (another is reset).  A client turns the capture on if it was off,
 * and off again when it leaves.  The ring never waits for the client: what
 * it cannot take in time is counted as dropped by the capture. */
#include "net/services/services.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "net/core/capture.h"
#include "net/core/dev.h"
#include "net/core/napi.h"
#include "net/lwip/core_lock.h"
#include "lwip/tcp.h"

#define CAPTURE_SRV_CHUNK 4096          /* bytes per tcp_write */
#define CAPTURE_POLL_TICKS 1            /* lwIP's 500 ms TCP timer */

static struct tcp_pcb *client;
static bool turned_on;                  /* the client turned the capture on */
static struct napi_struct push_napi;
static u8 chunk[CAPTURE_SRV_CHUNK];
static u64 clients_served;

/* write what the send buffer takes; core lock held */
static void capture_push(struct tcp_pcb *pcb)
{
	for (;;) {
		u32 room = tcp_sndbuf(pcb), n;

		if (room > sizeof(chunk))
			room = sizeof(chunk);
		if (!room || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN / 2)
			break;
		n = capture_ring_peek(chunk, room);
		if (!n || tcp_write(pcb, chunk, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		capture_ring_consume(n);
	}
	tcp_output(pcb);
}

static void capture_client_gone(void)
{
	client = NULL;
	if (turned_on) {
		capture_set(false);
		turned_on = false;
	}
}

static err_t capture_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (p) {                /* nothing to say to us: ignore */
		tcp_recved(pcb, p->tot_len);
		pbuf_free(p);
		return ERR_OK;
	}
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	tcp_err(pcb, NULL);
	capture_client_gone();
	if (tcp_close(pcb) != ERR_OK) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	return ERR_OK;
}

static err_t capture_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)arg;
	(void)len;
	capture_push(pcb);
	return ERR_OK;
}

static err_t capture_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)arg;
	capture_push(pcb);
	return ERR_OK;
}

static void capture_err(void *arg, err_t err)
{
	(void)arg;
	(void)err;
	capture_client_gone();
}

/* a record was written (any context): push it from NET_RX */
static void capture_kick(void)
{
	if (READ_ONCE(client))
		napi_schedule(&push_napi);
}

static int push_poll(struct napi_struct *napi, int budget)
{
	net_core_lock();
	if (client)
		capture_push(client);
	net_core_unlock();
	napi_complete_done(napi, 1);
	return budget > 1 ? 1 : 0;
}

static err_t capture_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	u8 hdr[PCAP_FILE_HDR_LEN];

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	if (client) {
		tcp_abort(pcb);
		return ERR_ABRT;
	}
	if (!capture_active) {
		if (capture_set(true)) {
			tcp_abort(pcb);
			return ERR_ABRT;
		}
		turned_on = true;
	}
	/* live: what was captured before the client came is not its */
	capture_ring_discard();
	client = pcb;
	clients_served++;
	tcp_nagle_disable(pcb);
	tcp_recv(pcb, capture_recv);
	tcp_sent(pcb, capture_sent);
	tcp_err(pcb, capture_err);
	tcp_poll(pcb, capture_poll, CAPTURE_POLL_TICKS);
	capture_pcap_header(hdr);
	tcp_write(pcb, hdr, sizeof(hdr), TCP_WRITE_FLAG_COPY);
	capture_push(pcb);
	return ERR_OK;
}

int capture_srv_start(void)
{
	if (!capture_port)
		return 0;
	netif_napi_add_weight(NULL, &push_napi, push_poll, DEV_WEIGHT_DEFAULT);
	napi_enable(&push_napi);
	capture_notify = capture_kick;
	if (!svc_tcp_listen(capture_port, capture_accept))
		return -ENOMEM;
	pr_info("net: capture stream on tcp/%u (pcap, nanosecond timestamps)\n", capture_port);
	return 0;
}
