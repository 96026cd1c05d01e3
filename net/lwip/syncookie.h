/* SYN cookies and the limits of lwIP's listen path (net/lwip/syncookie.c;
 * the lwIP side is net/lwip/patches/0021-tcp-syncookies.patch). */
#ifndef NET_LWIP_SYNCOOKIE_H
#define NET_LWIP_SYNCOOKIE_H

#include "kernel/types.h"

#define TCP_SYNCOOKIES_DEFAULT      1    /* as Linux */
#define TCP_MAX_SYN_BACKLOG_DEFAULT 32   /* half-open connections per listener */
#define TCP_SYNACK_RETRIES_DEFAULT  1    /* a half-open connection lives 9 s */
#define TCP_MIN_SND_MSS_DEFAULT     48   /* as Linux */

/* net.ipv4.tcp_syncookies (0 never, 1 under pressure, 2 always),
 * tcp_max_syn_backlog (half-open connections per listener before cookies
 * or drops), tcp_synack_retries (SYN|ACK retransmissions before a half-open
 * connection is given up: it lives LWIP_TCP_RTO_TIME * (2^(n+1) - 1), as
 * lwIP doubles its RTO) and tcp_min_snd_mss (lwipopts.h TCP_SND_MSS_MIN) */
extern int tcp_syncookies, tcp_max_syn_backlog, tcp_synack_retries, tcp_min_snd_mss;

/* what happened to connection requests, as Linux's TcpExt counters */
struct tcp_listen_stats {
	u64 syncookies_sent;      /* SyncookiesSent: SYN|ACKs with a cookie */
	u64 syncookies_recv;      /* SyncookiesRecv: valid cookies back */
	u64 syncookies_failed;    /* SyncookiesFailed: ACKs with a bad cookie */
	u64 reqqfull_docookies;   /* TCPReqQFullDoCookies: cookie, half-open budget full */
	u64 reqqfull_drop;        /* TCPReqQFullDrop: SYN dropped, budget full, no cookies */
	u64 listen_overflows;     /* ListenOverflows: no PCB for a request */
	u64 listen_drops;         /* ListenDrops: every request dropped */
};
extern struct tcp_listen_stats tcp_listen_stats;

/* the cookie keys, from the kernel's generator (kernel/random.c); at stack
 * start, core lock held */
void tcp_syncookie_init(void);

#endif
