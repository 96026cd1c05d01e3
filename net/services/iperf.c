/* iperf 2 server on TCP port 5001: lwIP's lwiperf, with its reports in
 * the log and the counters, and a guard around its error callback.
 *
 * lwiperf 2.1.3 bug (found by tests/fuzz): its tcp_err callback closes the
 * connection's pcb, but lwIP calls tcp_err after freeing the pcb (tcp_abort,
 * a retransmission or keepalive timeout in tcp_slowtmr) or just before
 * freeing it (a RST in tcp_input).  lwiperf then calls tcp_arg/.../tcp_close
 * on freed memory: the TCP_PCB pool is freed twice and corrupted, by any
 * peer that resets an iperf connection or goes silent.  Newer lwIP clears
 * conn_pcb first; we never modify lwIP's sources, so lwiperf.c is compiled
 * with its TCP calls renamed to the svc_iperf_* functions below (net/build.mk
 * LWIPERF_GUARD_CFLAGS): they pass through, except while lwiperf's error
 * callback runs, when every call names the dead pcb and does nothing. */
#include "net/services/services.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/ratelimit.h"
#include "lwip/apps/lwiperf.h"
#include "lwip/tcp.h"

struct svc_stats svc_iperf_stats;
u64 svc_iperf_runs, svc_iperf_last_bytes, svc_iperf_last_kbps;

static const char *const report_names[] = {
	[LWIPERF_TCP_DONE_SERVER] = "done",
	[LWIPERF_TCP_DONE_CLIENT] = "client done",
	[LWIPERF_TCP_ABORTED_LOCAL] = "aborted (local error)",
	[LWIPERF_TCP_ABORTED_LOCAL_DATAERROR] = "aborted (data error)",
	[LWIPERF_TCP_ABORTED_LOCAL_TXERROR] = "aborted (tx error)",
	[LWIPERF_TCP_ABORTED_REMOTE] = "aborted (by the client)",
};

static DEFINE_RATELIMIT_STATE(iperf_report_rs, RATELIMIT_INTERVAL_MS_DEFAULT,
			      RATELIMIT_BURST_DEFAULT);

static void iperf_report(void *arg, enum lwiperf_report_type type,
			 const ip_addr_t *local_addr, u16_t local_port,
			 const ip_addr_t *remote_addr, u16_t remote_port,
			 u32_t bytes, u32_t ms, u32_t kbps)
{
	char peer[IPADDR_STRLEN_MAX];

	(void)arg;
	(void)local_addr;
	(void)local_port;
	svc_iperf_runs++;
	svc_iperf_last_bytes = bytes;
	svc_iperf_last_kbps = kbps;
	svc_iperf_stats.tcp_accepted++;
	svc_iperf_stats.tcp_bytes_in += bytes;
	if (type == LWIPERF_TCP_DONE_SERVER)
		svc_iperf_stats.tcp_closed++;
	else
		svc_iperf_stats.tcp_aborted++;
	ipaddr_ntoa_r(remote_addr, peer, sizeof(peer));
	/* any peer can make reports by the thousand (connect, send a few
	 * bytes or none, close: each is a "done" run): on a serial console
	 * each line costs softirq time, so at most RATELIMIT_BURST_DEFAULT
	 * lines in 5 s (the counters above count every run) */
	if (__ratelimit(&iperf_report_rs))
		pr_info("iperf: %s: %u bytes in %u ms, %u kbit/s, from %s port %u\n",
			(unsigned int)type < ARRAY_SIZE(report_names) ? report_names[type] : "?",
			bytes, ms, kbps, peer, remote_port);
}

/* --- the error-callback guard (see above) ------------------------------ */

void svc_iperf_tcp_arg(struct tcp_pcb *pcb, void *arg);
void svc_iperf_tcp_recv(struct tcp_pcb *pcb, tcp_recv_fn recv);
void svc_iperf_tcp_sent(struct tcp_pcb *pcb, tcp_sent_fn sent);
void svc_iperf_tcp_poll(struct tcp_pcb *pcb, tcp_poll_fn poll, u8_t interval);
void svc_iperf_tcp_err(struct tcp_pcb *pcb, tcp_err_fn err);
err_t svc_iperf_tcp_close(struct tcp_pcb *pcb);
void svc_iperf_tcp_abort(struct tcp_pcb *pcb);

static tcp_err_fn lwiperf_err;  /* lwiperf's one error callback */
static bool in_lwiperf_err;     /* it runs: its pcb is lwIP's to free */

static void iperf_err_guard(void *arg, err_t err)
{
	in_lwiperf_err = true;
	lwiperf_err(arg, err);
	in_lwiperf_err = false;
}

void svc_iperf_tcp_err(struct tcp_pcb *pcb, tcp_err_fn err)
{
	if (in_lwiperf_err)
		return;
	if (err)
		lwiperf_err = err;
	tcp_err(pcb, err ? iperf_err_guard : NULL);
}

void svc_iperf_tcp_arg(struct tcp_pcb *pcb, void *arg)
{
	if (!in_lwiperf_err)
		tcp_arg(pcb, arg);
}

void svc_iperf_tcp_recv(struct tcp_pcb *pcb, tcp_recv_fn recv)
{
	if (!in_lwiperf_err)
		tcp_recv(pcb, recv);
}

void svc_iperf_tcp_sent(struct tcp_pcb *pcb, tcp_sent_fn sent)
{
	if (!in_lwiperf_err)
		tcp_sent(pcb, sent);
}

void svc_iperf_tcp_poll(struct tcp_pcb *pcb, tcp_poll_fn poll, u8_t interval)
{
	if (!in_lwiperf_err)
		tcp_poll(pcb, poll, interval);
}

err_t svc_iperf_tcp_close(struct tcp_pcb *pcb)
{
	return in_lwiperf_err ? ERR_OK : tcp_close(pcb);
}

void svc_iperf_tcp_abort(struct tcp_pcb *pcb)
{
	if (!in_lwiperf_err)
		tcp_abort(pcb);
}

int svc_iperf_start(void)
{
	return lwiperf_start_tcp_server_default(iperf_report, NULL) ? 0 : -ENOMEM;
}
