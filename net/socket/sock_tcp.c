/* Stream sockets over lwIP's tcp_pcb (net/socket/socket.h).
 *
 * Receive: lwIP's tcp_recv callback queues each pbuf on the socket as it
 * came (over the NIC's DMA buffer; copied into memory of its own size
 * once the queue holds more than half of sk_rcvbuf, which gives the
 * buffer back to the ring).  TCP data is never dropped for a slow reader:
 * lwIP's window shrinks by every byte it hands us, and tcp_recved() gives
 * bytes back only as the application reads them.  A receive buffer
 * smaller than lwIP's window (TCP_WND_MAX: TCP_WND with window scaling,
 * else 65535) is honoured from the first segment: the window of the SYN
 * or SYN|ACK is rcvbuf/2 (LWIP_HOOK_TCP_RCV_WND_START, lwIP patch 0061),
 * the rest of lwIP's window is owed (tcp_owed) from the start, and bytes
 * read go back to lwIP only past what keeps the window at rcvbuf/2; so
 * the advertised window is at most rcvbuf/2 less what is queued (half the
 * buffer, as Linux's tcp_adv_win_scale=1), and the window's right edge
 * never moves left.  A reader that stops closes the window; the peer
 * probes.  When reading opens a window that had shrunk under half its
 * size to at least twice what the peer last heard, the update goes out at
 * once (Linux's __tcp_cleanup_rbuf): lwIP's own threshold
 * (TCP_WND_UPDATE_THRESHOLD) is more than a small buffer's whole window.
 *
 * Listen: every connection lwIP completes is accepted at once into the
 * listener's queue (its own socket, receiving from then on); past the
 * backlog the connection is reset and counted as Linux counts a full
 * accept queue (ListenOverflows, ListenDrops). */
#include "net/core/rps.h"
#include "net/socket/sock_internal.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/uaccess.h"
#include "net/core/journey.h"
#include "net/core/skbuff.h"
#include "net/lwip/syncookie.h"
#include "lwip/ip.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include <string.h>

/* lwIP's own backlog counts connections its accept callback has not yet
 * taken: ours takes each at once, so the real limit is sk->backlog */
#define LWIP_LISTEN_BACKLOG 0xff
/* Linux caps a listen() backlog at net.core.somaxconn (4096); lwIP's
 * listen queue of half-open connections is a u8 */
#define SOCK_MAX_BACKLOG 4096

static err_t tcp_sock_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t tcp_sock_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err);
static err_t tcp_sock_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len);
static void tcp_sock_err_cb(void *arg, err_t err);

static void tcp_sock_hook(struct sock *sk, struct tcp_pcb *pcb)
{
	tcp_arg(pcb, sk);
	tcp_recv(pcb, tcp_sock_recv_cb);
	tcp_sent(pcb, tcp_sock_sent_cb);
	tcp_err(pcb, tcp_sock_err_cb);
	sk->pcb.tcp = pcb;
	tcp_sock_apply_opts(sk);
}

static void tcp_sock_unhook(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
}

void tcp_sock_apply_opts(struct sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;

	if (!pcb || sk->listening)
		return;
	if (sk->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (sk->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
}

/* the most window sk advertises out of lwIP's full one: half its receive
 * buffer (Linux's tcp_adv_win_scale=1) */
static u32 tcp_sock_wnd_max(const struct sock *sk, u32 full)
{
	return MIN(full, (u32)sk->rcvbuf / 2);
}

/* LWIP_HOOK_TCP_RCV_WND_START: a socket's connection starts with the
 * window its receive buffer holds; lwIP's services (other callbacks) with
 * lwIP's.  For an active open the rest is owed from now (nothing has been
 * received); a listener's child takes its debt at accept. */
u32_t tcp_sock_rcv_wnd_start(const struct tcp_pcb *pcb, const struct tcp_pcb_listen *lpcb,
			     u32_t wnd)
{
	struct sock *sk = NULL;
	u32 first;

	if (lpcb)
		sk = lpcb->accept == tcp_sock_accept_cb ? lpcb->callback_arg : NULL;
	else if (pcb && pcb->recv == tcp_sock_recv_cb)
		sk = pcb->callback_arg;
	if (!sk)
		return wnd;
	first = tcp_sock_wnd_max(sk, wnd);
	if (!lpcb)
		sk->tcp_owed = wnd - first;
	return first;
}

static struct tcp_pcb *tcp_sock_pcb(struct sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;

	if (pcb)
		return pcb;
	pcb = tcp_new_ip_type(sock_ip_type(sk));
	if (!pcb)
		return NULL;
	tcp_sock_hook(sk, pcb);
	return pcb;
}

int tcp_sock_bind(struct sock *sk, const ip_addr_t *ip, u16 port)
{
	struct tcp_pcb *pcb;

	if (sk->listening || sk->sock->state != SS_UNCONNECTED || sk->connecting || sk->reset)
		return -EINVAL;
	pcb = tcp_sock_pcb(sk);
	if (!pcb)
		return -ENOBUFS;
	if (pcb->local_port)
		return -EINVAL;
	if (sk->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	return sock_lwip_err(tcp_bind(pcb, ip, port));
}

static err_t tcp_sock_accept_cb(void *arg, struct tcp_pcb *newpcb, err_t err)
{
	struct sock *lsk = arg, *sk;
	struct socket *sock;
	int rc;

	if (err != ERR_OK || !newpcb || !lsk)
		return ERR_VAL;
	/* Linux's sk_acceptq_is_full: more than backlog waiting */
	if (lsk->acc_count > (u32)lsk->backlog) {
		tcp_listen_stats.listen_overflows++;
		tcp_listen_stats.listen_drops++;
		tcp_abort(newpcb);
		return ERR_ABRT;
	}
	sock = sock_alloc(lsk->sock->family, SOCK_STREAM, &rc);
	if (!sock) {
		tcp_listen_stats.listen_drops++;
		tcp_abort(newpcb);
		return ERR_ABRT;
	}
	sk = sock->sk;
	/* what Linux's child inherits from its listener */
	sk->rcvbuf = lsk->rcvbuf;
	sk->sndbuf = lsk->sndbuf;
	sk->nodelay = lsk->nodelay;
	sk->keepalive = lsk->keepalive;
	sk->v6only = lsk->v6only;
	sk->rcvtimeo = lsk->rcvtimeo;
	sk->sndtimeo = lsk->sndtimeo;
	sock->state = SS_CONNECTED;
	/* the window lwIP's SYN|ACK announced was the listener's (lwIP calls
	 * accept before it takes any data): the rest of its window is owed */
	sk->tcp_owed = TCP_WND_MAX(newpcb) - MIN(newpcb->rcv_wnd, TCP_WND_MAX(newpcb));
	tcp_sock_hook(sk, newpcb);
	if (lsk->acc_tail)
		lsk->acc_tail->acc_next = sk;
	else
		lsk->acc_head = sk;
	lsk->acc_tail = sk;
	lsk->acc_count++;
	sk_wake(lsk);
	return ERR_OK;
}

int tcp_sock_listen(struct sock *sk, int backlog)
{
	struct tcp_pcb *pcb, *lpcb;
	err_t err;
	int rc;

	backlog = MIN(MAX(backlog, 0), SOCK_MAX_BACKLOG);
	if (sk->listening) {
		sk->backlog = backlog;
		return 0;
	}
	if (sk->sock->state != SS_UNCONNECTED || sk->connecting || sk->reset)
		return -EINVAL;
	pcb = tcp_sock_pcb(sk);
	if (!pcb)
		return -ENOBUFS;
	if (!pcb->local_port) {
		rc = sock_lwip_err(tcp_bind(pcb, &pcb->local_ip, 0));
		if (rc)
			return rc;
	}
	lpcb = tcp_listen_with_backlog_and_err(pcb, LWIP_LISTEN_BACKLOG, &err);
	if (!lpcb)
		return sock_lwip_err(err);
	/* pcb is freed: lpcb keeps its arg; only accept is needed */
	sk->pcb.tcp = lpcb;
	tcp_arg(lpcb, sk);
	tcp_accept(lpcb, tcp_sock_accept_cb);
	sk->backlog = backlog;
	sk->listening = true;
	return 0;
}

static err_t tcp_sock_connected_cb(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *sk = arg;

	(void)pcb;
	if (!sk)
		return ERR_ABRT;
	sk->connecting = false;
	if (err == ERR_OK)
		sk->sock->state = SS_CONNECTED;
	sk_wake(sk);
	return ERR_OK;
}

int tcp_sock_connect(struct sock *sk, const ip_addr_t *ip, u16 port)
{
	struct tcp_pcb *pcb;
	int rc;

	if (sk->listening)
		return -EINVAL;
	if (!port)
		return -ECONNREFUSED;   /* Linux: nothing listens on port 0 */
	pcb = tcp_sock_pcb(sk);
	if (!pcb)
		return -ENOBUFS;
	sk->reset = false;
	sk->err = 0;
	rc = sock_lwip_err(tcp_connect(pcb, ip, port, tcp_sock_connected_cb));
	if (rc)
		return rc == -EINVAL ? -EAFNOSUPPORT : rc;
	sk->connecting = true;
	sk->sock->state = SS_CONNECTING;
	return 0;
}

static err_t tcp_sock_recv_cb(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *sk = arg;
	struct sk_rx *e;

	(void)pcb;
	if (!p) {
		sk->rcv_shutdown = true;        /* the peer's FIN */
		sk_wake(sk);
		return ERR_OK;
	}
	if (err != ERR_OK) {
		pbuf_free(p);
		return err;
	}
	sk->rxhash = rps_current_rx_hash();     /* Linux sock_rps_save_rxhash */
	sk_mark_napi_id(sk);
	p = sock_rx_condense(sk, p);
	e = sk_rx_alloc();
	if (!e)
		return ERR_MEM;         /* lwIP keeps it (refused_data) and retries */
	e->p = p;
	e->off = 0;
	e->truesize = sock_pbuf_truesize(p);
	e->port = 0;
	e->journey = journey_rx_keep(JOURNEY_RX_SOCKQ);
	sk_rx_queue(sk, e);
	return ERR_OK;
}

static err_t tcp_sock_sent_cb(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)pcb;
	(void)len;
	if (arg)
		sk_wake(arg);
	return ERR_OK;
}

/* lwIP has freed the PCB */
static void tcp_sock_err_cb(void *arg, err_t err)
{
	struct sock *sk = arg;

	if (!sk)
		return;
	sk->pcb.tcp = NULL;
	sk->reset = true;
	if (sk->connecting) {
		sk->connecting = false;
		sk->sock->state = SS_UNCONNECTED;
		sk->err = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
	} else {
		sk->err = err == ERR_RST ? ECONNRESET : err == ERR_ABRT ? ETIMEDOUT : ECONNABORTED;
	}
	sk_wake(sk);
}

u32 tcp_sock_tx_queue(const struct sock *sk)
{
	const struct tcp_pcb *pcb = sk->pcb.tcp;

	return pcb && !sk->listening ? pcb->snd_lbb - pcb->lastack : 0;
}

/* Linux's TCP_CA_* (include/uapi/linux/tcp.h) and TCPI_OPT_* */
#define TCP_CA_OPEN          0
#define TCP_CA_RECOVERY      3
#define TCP_CA_LOSS          4
#define TCPI_OPT_TIMESTAMPS  1
#define TCPI_OPT_WSCALE      4
/* lwIP's fast retransmit fires at its third duplicate ACK, always: Linux's
 * tcp_reordering default, and what tcpi_reordering then says */
#define LWIP_DUPACK_THRESH   3
#define TCP_LO_STATE_CLOSE   7          /* Linux's TCP_CLOSE */

/* segments of mss in a queue (a TSO segment, patch 0045, counts as the
 * wire segments it becomes, as Linux's tcp_skb_pcount) */
static u32 tcp_seg_count(const struct tcp_seg *seg, u32 mss, u32 *bytes)
{
	u32 n = 0;

	for (; seg; seg = seg->next) {
		n += seg->len > mss ? (seg->len + mss - 1) / mss : 1;
		if (bytes)
			*bytes += seg->len;
	}
	return n;
}

/* What lwIP's pcb knows, as Linux's tcp_get_info() reports it.  lwIP does
 * not keep: SACK scoreboards (sacked, lost, fackets, retrans: which
 * segments in flight are resends), the delayed-ACK timer's value (ato),
 * the receiver's MSS estimate (rcv_mss: lwIP's one MSS, the smaller of
 * both sides' announcements, stands for it), last_* times, pacing and
 * delivery rates, segment and byte counters: those stay 0.  Retransmitted
 * segments (total_retrans) are patch 0052's count, the RTT in
 * microseconds patch 0053's estimate. */
void tcp_sock_info(const struct sock *sk, struct sock_tcp_info *ti)
{
	const struct tcp_pcb *pcb = sk->pcb.tcp;
	struct netif *nif;
	u32 mss, notsent = 0;

	memset(ti, 0, sizeof(*ti));
	if (!pcb) {
		ti->state = TCP_LO_STATE_CLOSE;
		return;
	}
	ti->state = linux_tcp_state(pcb->state);
	if (sk->listening)
		return;                 /* Linux: a listener's rto etc. are its defaults; ours none */
	mss = tcp_mss(pcb) ? tcp_mss(pcb) : 1;
	ti->ca_state = pcb->flags & TF_INFR ? TCP_CA_RECOVERY : pcb->nrtx ? TCP_CA_LOSS : TCP_CA_OPEN;
	ti->retransmits = pcb->nrtx;
	ti->backoff = pcb->nrtx;        /* lwIP backs the RTO off by nrtx */
	ti->probes = pcb->persist_probe;
#if LWIP_TCP_TIMESTAMPS
	if (pcb->flags & TF_TIMESTAMP)
		ti->options |= TCPI_OPT_TIMESTAMPS;
#endif
	if (pcb->flags & TF_WND_SCALE) {
		ti->options |= TCPI_OPT_WSCALE;
		ti->wscale = (u8)((pcb->snd_scale & 0xf) | (pcb->rcv_scale & 0xf) << 4);
	}
	ti->rto = (u32)pcb->rto * TCP_SLOW_INTERVAL * 1000;
	ti->snd_mss = mss;
	ti->rcv_mss = mss;
	ti->advmss = pcb->mss;
	ti->unacked = tcp_seg_count(pcb->unacked, mss, NULL);
	tcp_seg_count(pcb->unsent, mss, &notsent);
	ti->notsent_bytes = notsent;
	/* the route's MTU; lwIP's loopback has none (0, no limit): the
	 * largest packet the MSS makes then */
	nif = ip_route(&pcb->local_ip, &pcb->remote_ip);
	if (nif)
		ti->pmtu = IP_IS_V6(&pcb->remote_ip) ? netif_mtu6(nif) : nif->mtu;
	if (!ti->pmtu)
		ti->pmtu = pcb->mss + (IP_IS_V6(&pcb->remote_ip) ? IP6_HLEN : IP_HLEN) + TCP_HLEN;
	ti->rtt = pcb->srtt_us >> 3;
	ti->rttvar = pcb->rttvar_us >> 2;
	ti->min_rtt = pcb->min_rtt_us;
	ti->snd_ssthresh = pcb->ssthresh / mss;
	ti->snd_cwnd = pcb->cwnd / mss;
	ti->reordering = LWIP_DUPACK_THRESH;
	ti->rcv_space = pcb->rcv_wnd;
	ti->rcv_ssthresh = pcb->rcv_ann_wnd;
	ti->total_retrans = pcb->retrans_segs;
	ti->snd_wnd = pcb->snd_wnd;
}

u32 tcp_sock_sndspace(const struct sock *sk)
{
	const struct tcp_pcb *pcb = sk->pcb.tcp;
	u32 limit = (u32)sk->sndbuf / 2, inflight, room;

	if (!pcb || sk->listening)
		return 0;
	/* lwIP's segment queue: tcp_write fails with ERR_MEM past it */
	if (tcp_sndqueuelen(pcb) + 2 >= TCP_SND_QUEUELEN)
		return 0;
	inflight = tcp_sock_tx_queue(sk);
	room = inflight < limit ? limit - inflight : 0;
	return MIN(room, (u32)tcp_sndbuf(pcb));
}

long tcp_sock_send(struct sock *sk, const struct msghdr *msg, size_t skip, size_t len)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	size_t done = 0, off = skip;
	u32 space = tcp_sock_sndspace(sk);
	err_t err = ERR_OK;
	bool fault = false;

	len = MIN(len, space);
	if (!len)
		return 0;
	journey_tx_app();
	for (int i = 0; i < msg->msg_iovlen && done < len; i++) {
		const struct iovec *v = &msg->msg_iov[i];

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		while (off < v->iov_len && done < len) {
			u16 n = (u16)MIN(MIN(v->iov_len - off, len - done), 0xffffu);
			u8 fl = TCP_WRITE_FLAG_COPY | (done + n < len ? TCP_WRITE_FLAG_MORE : 0);

			/* tcp_write copies with a plain memcpy: an application's
			 * buffer is probed first.  Its threads run on one CPU and
			 * the core lock keeps them off it, so no munmap comes
			 * between the probe and the copy. */
			if (uaccess_probe_read((const char *)v->iov_base + off, n)) {
				fault = true;
				break;
			}
			err = tcp_write(pcb, (const char *)v->iov_base + off, n, fl);
			if (err != ERR_OK)
				break;
			done += n;
			off += n;
		}
		if (err != ERR_OK || fault)
			break;
		off = 0;
	}
	if (done)
		tcp_output(pcb);
	if (!done && fault)
		return -EFAULT;
	if (!done && err != ERR_OK && err != ERR_MEM)
		return sock_lwip_err(err);
	return (long)done;
}

/* give read bytes back to lwIP's window, keeping back what makes the
 * window at most rcvbuf/2; announce a window that reading reopened */
static void tcp_sock_window(struct sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	u32 full, wmax, keep, heard;
	bool gave = false;

	if (!pcb)
		return;
	full = TCP_WND_MAX(pcb);
	wmax = tcp_sock_wnd_max(sk, full);
	keep = full - wmax;
	while (sk->tcp_owed > keep) {
		u16 give = (u16)MIN(sk->tcp_owed - keep, 0xffffu);

		tcp_recved(pcb, give);
		sk->tcp_owed -= give;
		gave = true;
	}
	if (!gave || pcb->state < ESTABLISHED || pcb->state > FIN_WAIT_2)
		return;
	/* what the peer last heard (tcp_recved's own update, if it sent
	 * one, included); Linux's __tcp_cleanup_rbuf: a window under half
	 * its size that has at least doubled goes out now, not at the next
	 * ACK of data (there is none while it is closed) or probe */
	heard = TCP_SEQ_GT(pcb->rcv_nxt, pcb->rcv_ann_right_edge) ? 0 :
		pcb->rcv_ann_right_edge - pcb->rcv_nxt;
	if (2 * heard <= wmax && pcb->rcv_ann_wnd > heard && pcb->rcv_ann_wnd >= 2 * heard) {
		tcp_ack_now(pcb);
		tcp_output(pcb);
	}
}

long tcp_sock_recv(struct sock *sk, struct msghdr *msg, size_t want, int flags)
{
	struct sk_rx *e = sk->rx_head;
	size_t done = 0;
	u32 off = e ? e->off : 0;
	bool fault = false;

	/* the iovecs are filled after what earlier rounds of this call put
	 * there (MSG_WAITALL): the caller passes want as what is left */
	size_t base = 0;

	for (int i = 0; i < msg->msg_iovlen; i++)
		base += msg->msg_iov[i].iov_len;
	base -= want;
	while (e && done < want) {
		u32 avail = e->p->tot_len - off;
		size_t ask = MIN((size_t)avail, want - done);
		size_t n = sock_copy_to_iov(msg, base + done, e->p, off, ask);

		done += n;
		/* an application's page gone: what was copied counts, the
		 * rest stays queued; nothing copied is EFAULT (tcp_recvmsg) */
		if (n < ask) {
			fault = true;
			if (!(flags & MSG_PEEK)) {
				e->off += (u32)n;
				sk->rx_bytes -= (u32)n;
				sk->tcp_owed += (u32)n;
			}
			break;
		}
		if (flags & MSG_PEEK) {
			e = e->next;
			off = e ? e->off : 0;
			continue;
		}
		e->off += (u32)n;
		sk->rx_bytes -= (u32)n;
		sk->tcp_owed += (u32)n;
		if (e->off < e->p->tot_len)
			break;
		sk_rx_pop(sk);
		journey_rx_done(e->journey, JOURNEY_RX_READ);
		e->journey = NULL;
		sk_rx_free(e);
		e = sk->rx_head;
		off = e ? e->off : 0;
	}
	if (!(flags & MSG_PEEK))
		tcp_sock_window(sk);
	return !done && fault ? -EFAULT : (long)done;
}

int tcp_sock_shutdown(struct sock *sk, bool rd, bool wr)
{
	(void)rd;                       /* reads see end of stream (sk->rcv_shutdown) */
	if (!wr || !sk->pcb.tcp || sk->listening)
		return 0;
	return sock_lwip_err(tcp_shutdown(sk->pcb.tcp, 0, 1));
}

void tcp_sock_release(struct sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;

	if (sk->listening) {
		struct sock *c;

		if (pcb) {
			tcp_arg(pcb, NULL);
			tcp_accept(pcb, NULL);
			tcp_close(pcb);
		}
		/* connections never accepted: reset, as Linux does */
		while ((c = sk->acc_head)) {
			sk->acc_head = c->acc_next;
			if (c->pcb.tcp) {
				tcp_sock_unhook(c->pcb.tcp);
				tcp_abort(c->pcb.tcp);
			}
			sk_rx_purge(c);
			sock_free(c->sock);
		}
		sk->acc_tail = NULL;
		sk->acc_count = 0;
		sk->listening = false;
		sk->pcb.tcp = NULL;
		return;
	}
	if (!pcb)
		return;
	tcp_sock_unhook(pcb);
	sk->pcb.tcp = NULL;
	/* everything read: the bytes tcp_sock_window kept back from the
	 * window (a SO_RCVBUF under 2 * TCP_WND) go back to lwIP first, whose
	 * tcp_close takes a window short of TCP_WND for unread data and
	 * resets the connection instead of sending FIN */
	while (!sk->rx_head && sk->tcp_owed) {
		u16 give = (u16)MIN(sk->tcp_owed, 0xffffu);

		tcp_recved(pcb, give);
		sk->tcp_owed -= give;
	}
	/* unread data: reset (Linux's tcp_close sends a RST then) */
	if (sk->rx_head || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}
