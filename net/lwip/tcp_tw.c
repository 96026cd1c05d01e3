/* A new SYN may reopen a connection of ours that is in TIME_WAIT.
 *
 * The server side closes first (our HTTP responder), so each finished
 * connection waits 2 * TCP_MSL in TIME_WAIT on our side.  When a client's
 * ephemeral port comes round again in that time, lwIP (2.1.3, 2.2.1) answers the
 * new SYN from the TIME_WAIT PCB (tcp_timewait_input): with an ACK for the
 * old connection, which the client resets and lwIP ignores (RFC 1337), so
 * the client's connect() retries its SYN until TIME_WAIT is over: a minute.
 * Measured with a pool large enough to keep every TIME_WAIT (40,000 PCBs),
 * wrk -c4 to the status page fell from ~970 to 4 requests/s once the Linux
 * 6.x client's ports (random steps of ~10, so they come round after ~2,900
 * connections) met our TIME_WAIT PCBs.
 *
 * RFC 1122 4.2.2.13 allows what Linux does (tcp_timewait_state_process,
 * TCP_TW_SYN): a SYN without ACK whose sequence number is above the last
 * one the old connection received ends the TIME_WAIT and opens a new
 * connection.  lwIP has no such path, and its hook may not change PCB
 * state, so it happens in two steps without patching lwIP:
 *  - the LWIP_HOOK_TCP_INPACKET_PCB hook sees the SYN meet the TIME_WAIT
 *    PCB, keeps a copy of the segment and the PCB, and drops the original;
 *  - after tcp_input returns (net/lwip/taps.c, still inside IP input, so
 *    the addresses lwIP takes from ip_current_* are this packet's), the
 *    PCB is aborted (a TIME_WAIT PCB is just freed, no RST) and the copy
 *    is handed to tcp_input again, which finds the listener.
 * Everything here runs under the core lock, one packet at a time. */
#include "net/lwip/tcp_tw.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include <string.h>

/* the flags a connection-opening segment has among SYN, ACK, RST, FIN */
#define TW_OPEN_MASK (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)

u64 tcp_tw_reused;

/* the segment being reopened, between the hook and tcp_tw_take_syn */
static struct {
	struct tcp_pcb *tw;      /* the TIME_WAIT PCB to end */
	struct pbuf *syn;        /* a copy of the TCP segment, header first */
} pending;

/* back to the byte order on the wire, which the checksum covers */
static void tcp_tw_hdr_to_net(struct tcp_hdr *h)
{
	h->src = lwip_htons(h->src);
	h->dest = lwip_htons(h->dest);
	h->seqno = lwip_htonl(h->seqno);
	h->ackno = lwip_htonl(h->ackno);
	h->wnd = lwip_htons(h->wnd);
}

/* LWIP_HOOK_TCP_INPACKET_PCB: ERR_OK lets lwIP go on as usual; ERR_ABRT
 * drops the segment (a copy is pending).  On the TIME_WAIT path tcp_input
 * touches neither pcb nor p's data after a refusal (lwIP 2.2.1 tcp_in.c). */
err_t tcp_tw_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len,
		      u8_t *opt2, struct pbuf *p)
{
	u16 hlen = (u16)(TCP_HLEN + optlen);
	struct pbuf *q;

	(void)opt1len;
	if (pcb->state != TIME_WAIT || (TCPH_FLAGS(hdr) & TW_OPEN_MASK) != TCP_SYN)
		return ERR_OK;
	/* an old duplicate, or the same connection's SYN: lwIP's answer.
	 * (tcp_input has turned the header's ports, numbers and window into
	 * host order in place by now.) */
	if (!TCP_SEQ_GT(hdr->seqno, pcb->rcv_nxt))
		return ERR_OK;
	/* options split over two pbufs, or (cannot happen) one pending */
	if (opt2 || pending.syn)
		return ERR_OK;
	q = pbuf_alloc(PBUF_IP, (u16)(hlen + p->tot_len), PBUF_RAM);
	if (!q)
		return ERR_OK;
	memcpy(q->payload, hdr, hlen);
	tcp_tw_hdr_to_net(q->payload);
	if (pbuf_copy_partial(p, (u8 *)q->payload + hlen, p->tot_len, 0) != p->tot_len) {
		pbuf_free(q);
		return ERR_OK;
	}
	pending.tw = pcb;
	pending.syn = q;
	return ERR_ABRT;
}

struct pbuf *tcp_tw_take_syn(void)
{
	struct pbuf *q = pending.syn;

	if (!q)
		return NULL;
	/* tcp_abandon frees a TIME_WAIT PCB without sending anything */
	tcp_abort(pending.tw);
	pending.tw = NULL;
	pending.syn = NULL;
	tcp_tw_reused++;
	return q;
}
