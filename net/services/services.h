/* The network services, on by default on every address (IPv4 and IPv6):
 *
 *   echo     TCP and UDP port 7 (RFC 862)
 *   discard  TCP and UDP port 9 (RFC 863)
 *   http     TCP port 80: the dashboard (/), the plain-text status page
 *            (/status: uptime, interfaces, addresses, counters), the views,
 *            /metrics (net/services/http.c lists them)
 *   iperf    TCP port 5001: iperf 2 server (lwIP's lwiperf)
 *   ICMP/ICMPv6 echo are answered by lwIP itself.
 *
 * cmdline services=all (default) | none | a comma list of the names above.
 * All of it runs in lwIP's context, under the core lock.  net/ only: this
 * header includes lwIP's. */
#ifndef NET_SERVICES_SERVICES_H
#define NET_SERVICES_SERVICES_H

#include "kernel/types.h"
#include "lwip/tcp.h"

#define SVC_ECHO    BIT(0)
#define SVC_DISCARD BIT(1)
#define SVC_HTTP    BIT(2)
#define SVC_IPERF   BIT(3)
#define SVC_ALL     (SVC_ECHO | SVC_DISCARD | SVC_HTTP | SVC_IPERF)

#define ECHO_PORT    7
#define DISCARD_PORT 9
#define HTTP_PORT    80
#define IPERF_PORT   5001

/* counters of one service */
struct svc_stats {
	u64 tcp_accepted;     /* connections accepted */
	u64 tcp_closed;       /* closed cleanly */
	u64 tcp_aborted;      /* reset, or no memory for the connection */
	u64 tcp_bytes_in;
	u64 tcp_bytes_out;
	u64 udp_datagrams;
	u64 udp_bytes;
	u64 udp_errors;       /* replies that could not be sent */
};

extern struct svc_stats svc_echo_stats, svc_discard_stats, svc_http_stats, svc_iperf_stats;
/* iperf runs reported by lwiperf, and the last one's figures */
extern u64 svc_iperf_runs, svc_iperf_last_bytes, svc_iperf_last_kbps;
/* connections back to a -d/-r client that could not be made (refused for
 * lwiperf's whole retry window, or unanswered) */
extern u64 svc_iperf_connect_failed;

/* Parse a services= value into SVC_* bits; 0 or -EINVAL. */
int services_parse(const char *s, unsigned int *mask);
/* the services services= asked for */
extern unsigned int services_enabled;

/* Start the enabled services; core lock held.  0 or the first error
 * (a service that fails to start is reported and the others still run). */
int net_services_start(void);

/* each service's start; core lock held; 0 or -errno */
int svc_echo_start(void);
int svc_discard_start(void);
int svc_http_start(void);
int svc_iperf_start(void);

/* the capture stream on capture=<port> (none without it); core lock held */
int capture_srv_start(void);
/* the remote shell on shell.tcp=<port> (none without it; refused without a
 * good shell.token=); core lock held */
int shell_srv_start(void);

/* Write the status page (the HTTP body) into buf; returns the length it
 * needed, as snprintf.  Core lock held. */
int net_status_page(char *buf, size_t size);

/* listen on port of every address (IPv4 and IPv6); core lock held */
struct tcp_pcb *svc_tcp_listen(u16 port, tcp_accept_fn accept_fn);

#endif
