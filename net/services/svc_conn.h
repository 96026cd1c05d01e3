/* Connection slots of the TCP services (echo, discard, http): one client
 * must not be able to take every PCB from the others (issue 11).
 *
 *  - a limit of connections per source address, over all the services
 *    (net.svc.max_per_source): a connection over it is refused with a RST
 *    from the accept callback, and counted;
 *  - an idle timeout (net.svc.idle_timeout): a connection that moves no
 *    data for that long is closed (svc_tcp_close), with a RST when its
 *    peer never sent a byte or acknowledged one: a FIN to a peer that does
 *    not answer kept the PCB in FIN_WAIT_1 for minutes (lwIP retransmits
 *    it TCP_MAXRTX times), so 256 silent connections held the whole pool
 *    after the services had let them go.  A FIN that is not acknowledged
 *    is given up on after net.ipv4.tcp_orphan_retries (net/lwip/tcp_guard.c);
 *    (a peer that keeps its window at zero is reset by the TCP-wide
 *    give-up time of net/lwip/tcp_guard.c, net.ipv4.tcp_stall_timeout);
 *  - what one connection may queue to send (svc_tcp_room);
 *  - eviction: a connection runs at lwIP's lowest priority until it has
 *    completed a request (svc_conn_served), so when the PCB pool is empty
 *    lwIP's tcp_alloc() takes the PCB of the oldest idle such connection
 *    (tcp_kill_prio) for the new one instead of dropping its SYN.
 *
 * The numbers are plain ints (sysctl and the command line set them); the
 * rest runs under the lwIP core lock.  net/ only: includes lwIP's headers. */
#ifndef NET_SERVICES_SVC_CONN_H
#define NET_SERVICES_SVC_CONN_H

#include "kernel/types.h"
#include "lwip/tcp.h"

struct svc_stats;

#define SVC_MAX_PER_SOURCE_DEFAULT 128   /* half the TCP PCB pool */
#define SVC_IDLE_TIMEOUT_DEFAULT   60    /* seconds without data moving */

/* net.svc.max_per_source (0: no limit), net.svc.idle_timeout (seconds,
 * 0: never) */
extern int svc_max_per_source, svc_idle_timeout;

/* why connections of the services ended early, and how many there are */
struct svc_conn_stats {
	u64 refused;          /* over the per-source limit: RST at accept */
	u64 idle_closed;      /* idle timeout */
	u64 idle_reset;       /* of those and HTTP's request deadline: a RST, the peer silent */
	u64 evicted;          /* PCB taken by lwIP for a new connection (pool full) */
	u32 open;             /* connections of the services now */
	u32 unserved;         /* of them, without a completed request (evictable) */
};

/* a copy of the counters; core lock held */
void svc_conn_get_stats(struct svc_conn_stats *st);


/* one service connection; embedded in the service's own state */
struct svc_conn {
	struct svc_conn *next, **pprev;   /* registry of open connections */
	struct tcp_pcb *pcb;
	ip_addr_t remote;
	u32 last_active;                  /* sys_now() of the last data in or ACK */
	u32 last_una;                     /* pcb->lastack at that time */
	bool served;
	u32 data_seq;                     /* our first data byte's sequence number */
	bool heard;                       /* the peer sent data */
};

/* why a service ends a connection (svc_tcp_close) */
enum svc_close_why {
	SVC_CLOSE_DONE,       /* the answer is queued, or the peer closed: FIN */
	SVC_CLOSE_IDLE,       /* an idle timeout or request deadline: FIN, or RST to a silent peer */
};


/* A new connection from the accept callback: 0, or -EAGAIN when its source
 * is at the limit (the caller aborts the pcb, which sends a RST). */
int svc_conn_admit(struct svc_conn *sc, struct tcp_pcb *pcb);
/* the connection has gone (closed, aborted, or lwIP's error callback) */
void svc_conn_forget(struct svc_conn *sc);
/* data came in: the idle clock starts again */
void svc_conn_active(struct svc_conn *sc);
/* the client completed a request: no longer evicted for a new one */
void svc_conn_served(struct svc_conn *sc);
/* from the service's poll callback: true when the connection has been
 * idle for net.svc.idle_timeout (the caller closes it; counted) */
bool svc_conn_idle(struct svc_conn *sc);
/* Bytes a service may tcp_write on pcb now: what the send buffer has room
 * for, in no more segments than the connection's queue has left (a peer
 * with a small MSS needs one segment per MSS: one write of a whole HTTP
 * body failed for ever below an MSS of ~126), and no more than two segments
 * beyond the peer's window (a peer that keeps its window shut holds two
 * segments of the shared pool, not a whole answer).  The service goes on
 * from its tcp_sent and poll callbacks. */
u32 svc_tcp_room(const struct tcp_pcb *pcb);
/* lwIP's error callback saw err: counts an eviction; then forgets sc */
void svc_conn_error(struct svc_conn *sc, err_t err);
/* End sc's connection (sc->pcb) for why: its callbacks cleared, sc
 * forgotten (the caller frees its own state after), then tcp_close, or
 * tcp_abort (a RST) when why is SVC_CLOSE_IDLE and the peer was never
 * heard from, or when lwIP has no memory for the FIN.  Counted in st
 * (tcp_closed or tcp_aborted) and in idle_reset.  Returns ERR_ABRT when
 * the pcb was aborted (what a callback must then return), else ERR_OK. */
err_t svc_tcp_close(struct svc_conn *sc, struct svc_stats *st, enum svc_close_why why);

#endif
