/* iperf 2 server on TCP port 5001: lwIP's lwiperf, with its reports in
 * the log and the counters.  The host's stock iperf 2 client measures both
 * directions: -r and -d (lwiperf connects back and sends) and, with
 * barenet's lwIP patch 0042, iperf 2.1's -R (the guest sends on the
 * client's own connection).  A sending session reports "client done" and
 * counts its bytes out.
 *
 * The connection back to a -d/-r client can meet the client's listener not
 * up yet (iperf 2 starts it in a thread beside the one that sends the
 * header): lwiperf connects again for up to 2 s when refused (patch 0060);
 * one that cannot connect is reported as "connect-back failed" and counted
 * in svc_iperf_connect_failed.
 *
 * lwiperf 2.1.3 closed its pcb from its tcp_err callback, after lwIP had
 * freed it (found by tests/fuzz: regression lwiperf-err-after-abort); barenet
 * guarded its tcp_* calls then.  lwiperf 2.2.1 clears its pcb pointers in
 * that callback first, so it is used as it comes. */
#include "net/services/services.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/ratelimit.h"
#include "lwip/apps/lwiperf.h"
#include "lwip/tcp.h"

struct svc_stats svc_iperf_stats;
u64 svc_iperf_runs, svc_iperf_last_bytes, svc_iperf_last_kbps;
u64 svc_iperf_connect_failed;

static const char *const report_names[] = {
	[LWIPERF_TCP_DONE_SERVER] = "done",
	[LWIPERF_TCP_DONE_CLIENT] = "client done",
	[LWIPERF_TCP_ABORTED_LOCAL] = "aborted (local error)",
	[LWIPERF_TCP_ABORTED_LOCAL_DATAERROR] = "aborted (data error)",
	[LWIPERF_TCP_ABORTED_LOCAL_TXERROR] = "aborted (tx error)",
	[LWIPERF_TCP_ABORTED_REMOTE] = "aborted (by the client)",
	[LWIPERF_TCP_ABORTED_CONNECT] = "connect-back failed",
};

static DEFINE_RATELIMIT_STATE(iperf_report_rs, RATELIMIT_INTERVAL_MS_DEFAULT,
			      RATELIMIT_BURST_DEFAULT);

static void iperf_report(void *arg, enum lwiperf_report_type type,
			 const ip_addr_t *local_addr, u16_t local_port,
			 const ip_addr_t *remote_addr, u16_t remote_port,
			 u32_t bytes, u32_t ms, u32_t kbps)
{
	char peer[IPADDR_STRLEN_MAX];
	const char *from = "(gone)";

	(void)arg;
	(void)local_addr;
	(void)local_port;
	svc_iperf_runs++;
	svc_iperf_last_bytes = bytes;
	svc_iperf_last_kbps = kbps;
	svc_iperf_stats.tcp_accepted++;
	if (type == LWIPERF_TCP_DONE_CLIENT)
		svc_iperf_stats.tcp_bytes_out += bytes;
	else
		svc_iperf_stats.tcp_bytes_in += bytes;
	if (type == LWIPERF_TCP_DONE_SERVER)
		svc_iperf_stats.tcp_closed++;
	else
		svc_iperf_stats.tcp_aborted++;
	if (type == LWIPERF_TCP_ABORTED_CONNECT)
		svc_iperf_connect_failed++;
	/* a session reset or aborted by the stack has no pcb left: lwiperf
	 * reports it with port 0 (net/lwip/patches/0001), or a connect-back
	 * with the client's address and port it tried (0060) */
	if (remote_port)
		from = ipaddr_ntoa_r(remote_addr, peer, sizeof(peer));
	/* any peer can make reports by the thousand (connect, send a few
	 * bytes or none, close: each is a "done" run): on a serial console
	 * each line costs softirq time, so at most RATELIMIT_BURST_DEFAULT
	 * lines in 5 s (the counters above count every run) */
	if (__ratelimit(&iperf_report_rs))
		pr_info("iperf: %s: %u bytes in %u ms, %u kbit/s, %s %s port %u\n",
			(unsigned int)type < ARRAY_SIZE(report_names) ? report_names[type] : "?",
			bytes, ms, kbps, type == LWIPERF_TCP_ABORTED_CONNECT ? "to" : "from",
			from, remote_port);
}

int svc_iperf_start(void)
{
	return lwiperf_start_tcp_server_default(iperf_report, NULL) ? 0 : -ENOMEM;
}
