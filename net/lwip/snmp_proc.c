/* /proc/net/snmp and /proc/net/netstat from lwIP's counters, in Linux's
 * layout (net/ipv4/proc.c of Linux 6.1): for each protocol a line of
 * names and a line of values with the same "Proto:" prefix, which is how
 * net-tools' netstat -s, nstat and procps pair them.
 *
 * Where lwIP keeps the counter (its MIB-II block, lwip_stats.mib2, and its
 * per-protocol stats) the value is lwIP's, 32 bits wide.  A field for a
 * mechanism lwIP does not have (UDP-Lite) is a true 0.  The Udp line adds
 * the sockets' counts (net/socket/sock_udp.c): RcvbufErrors and InErrors
 * for a full receive buffer, InDatagrams when an application reads.  lwIP counts no ICMP parameter problems, source quenches,
 * redirects, timestamps or address masks that it sends: it sends none.
 * /proc/net/netstat shows only the few TcpExt/IpExt fields that lwIP's
 * counters fill truthfully.
 *
 * Besides lwIP's: Icmp OutRateLimitGlobal/OutRateLimitHost (Linux 6.2's
 * fields, after OutErrors) and Icmp6OutRateLimitHost count the errors the
 * rate limits held back (net/lwip/icmp_limit.c, /proc/net/snmp6 in
 * snmp6_proc.c); FragCreates is lwIP's
 * count of fragments sent (ip_frag.xmit: lwIP never fills its MIB-II
 * ipfragcreates). */
#include "fs/view.h"
#include "lib/seq_buf.h"
#include "net/core/napi.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/syncookie.h"
#include "net/lwip/icmp_limit.h"
#include "net/lwip/tso.h"
#include "net/socket/sock_internal.h"
#include "lwip/opt.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

/* RFC 2012 tcpRtoAlgorithm: other(1), as Linux reports */
#define TCP_RTO_ALGORITHM_OTHER 1
/* RFC 2011 ipForwarding: forwarding(1), notForwarding(2) */
#define IP_FORWARDING_YES 1
#define IP_FORWARDING_NO  2
/* lwIP keeps the RTO in slow-timer ticks in an s16 */
#define LWIP_RTO_MAX_TICKS 0x7fff

/* ICMP types (RFC 792) in Linux's icmpmibmap order */
static const struct { const char *name; u8 type; } icmp_types[] = {
	{ "DestUnreachs", 3 }, { "TimeExcds", 11 }, { "ParmProbs", 12 }, { "SrcQuenchs", 4 },
	{ "Redirects", 5 }, { "Echos", 8 }, { "EchoReps", 0 }, { "Timestamps", 13 },
	{ "TimestampReps", 14 }, { "AddrMasks", 17 }, { "AddrMaskReps", 18 },
};

/* lwIP's MIB-II count of ICMP messages of type received (in) or sent */
static u32 icmp_count(u8 type, bool in)
{
	const struct stats_mib2 *m = &lwip_stats.mib2;

	switch (type) {
	case 0:  return in ? m->icmpinechoreps : m->icmpoutechoreps;
	case 3:  return in ? m->icmpindestunreachs : m->icmpoutdestunreachs;
	case 4:  return in ? m->icmpinsrcquenchs : 0;
	case 5:  return in ? m->icmpinredirects : 0;
	case 8:  return in ? m->icmpinechos : m->icmpoutechos;
	case 11: return in ? m->icmpintimeexcds : m->icmpouttimeexcds;
	case 12: return in ? m->icmpinparmprobs : 0;
	case 13: return in ? m->icmpintimestamps : 0;
	case 14: return in ? m->icmpintimestampreps : 0;
	case 17: return in ? m->icmpinaddrmasks : 0;
	case 18: return in ? m->icmpinaddrmaskreps : 0;
	}
	return 0;
}

/* TCP connections in ESTABLISHED or CLOSE-WAIT (RFC 2012 tcpCurrEstab) */
static u32 tcp_curr_estab(void)
{
	u32 n = 0;

	for (const struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
		if (p->state == ESTABLISHED || p->state == CLOSE_WAIT)
			n++;
	return n;
}

static void put_pair(struct seq_buf *s, const char *proto, const char *const *names,
		     const u32 *vals, unsigned int n)
{
	seq_buf_printf(s, "%s:", proto);
	for (unsigned int i = 0; i < n; i++)
		seq_buf_printf(s, " %s", names[i]);
	seq_buf_printf(s, "\n%s:", proto);
	for (unsigned int i = 0; i < n; i++)
		seq_buf_printf(s, " %u", vals[i]);
	seq_buf_puts(s, "\n");
}

static void icmpmsg_line(struct seq_buf *s, const u16 *types, const u32 *vals, unsigned int n)
{
	if (!n)
		return;
	seq_buf_puts(s, "IcmpMsg:");
	for (unsigned int j = 0; j < n; j++)
		seq_buf_printf(s, " %sType%u", types[j] & 0x100 ? "Out" : "In", types[j] & 0xff);
	seq_buf_puts(s, "\nIcmpMsg:");
	for (unsigned int j = 0; j < n; j++)
		seq_buf_printf(s, " %u", vals[j]);
	seq_buf_puts(s, "\n");
}

/* Linux icmpmsg_put(): the non-zero per-type counts, In types then Out,
 * sixteen to a pair of lines; nothing at all when every count is 0 */
static void icmpmsg_put(struct seq_buf *s)
{
	enum { PERLINE = 16 };
	u16 types[PERLINE];
	u32 vals[PERLINE];
	unsigned int n = 0;

	for (unsigned int i = 0; i < 0x200; i++) {
		u32 v = icmp_count((u8)i, !(i & 0x100));

		if (v) {
			types[n] = (u16)i;
			vals[n++] = v;
		}
		if (n == PERLINE) {
			icmpmsg_line(s, types, vals, n);
			n = 0;
		}
	}
	icmpmsg_line(s, types, vals, n);
}

static void snmp_icmp(struct seq_buf *s)
{
	const struct stats_mib2 *m = &lwip_stats.mib2;

	seq_buf_puts(s, "Icmp: InMsgs InErrors InCsumErrors");
	for (size_t i = 0; i < ARRAY_SIZE(icmp_types); i++)
		seq_buf_printf(s, " In%s", icmp_types[i].name);
	seq_buf_puts(s, " OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost");
	for (size_t i = 0; i < ARRAY_SIZE(icmp_types); i++)
		seq_buf_printf(s, " Out%s", icmp_types[i].name);
	seq_buf_printf(s, "\nIcmp: %u %u %u", m->icmpinmsgs, m->icmpinerrors,
		       (u32)lwip_stats.icmp.chkerr);
	for (size_t i = 0; i < ARRAY_SIZE(icmp_types); i++)
		seq_buf_printf(s, " %u", icmp_count(icmp_types[i].type, true));
	seq_buf_printf(s, " %u %u %u %u", m->icmpoutmsgs, m->icmpouterrors,
		       icmp_limit_stats.out_ratelimit_global, icmp_limit_stats.out_ratelimit_host);
	for (size_t i = 0; i < ARRAY_SIZE(icmp_types); i++)
		seq_buf_printf(s, " %u", icmp_count(icmp_types[i].type, false));
	seq_buf_puts(s, "\n");
}

static const char *const ip_names[] = {
	"Forwarding", "DefaultTTL", "InReceives", "InHdrErrors", "InAddrErrors",
	"ForwDatagrams", "InUnknownProtos", "InDiscards", "InDelivers", "OutRequests",
	"OutDiscards", "OutNoRoutes", "ReasmTimeout", "ReasmReqds", "ReasmOKs", "ReasmFails",
	"FragOKs", "FragFails", "FragCreates",
};
static const char *const tcp_names[] = {
	"RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "ActiveOpens", "PassiveOpens",
	"AttemptFails", "EstabResets", "CurrEstab", "InSegs", "OutSegs", "RetransSegs",
	"InErrs", "OutRsts", "InCsumErrors",
};
static const char *const udp_names[] = {
	"InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors",
	"InCsumErrors", "IgnoredMulti", "MemErrors",
};

static int snmp_show(char *buf, size_t size, const char *const *args)
{
	const struct stats_mib2 *m = &lwip_stats.mib2;
	struct seq_buf s;

	(void)args;
	seq_buf_init(&s, buf, size);
	net_core_lock();
	{
		/* ReasmTimeout: lwIP counts a timed-out reassembly among ReasmFails */
		const u32 ip[] = {
			IP_FORWARD ? IP_FORWARDING_YES : IP_FORWARDING_NO, IP_DEFAULT_TTL,
			m->ipinreceives, m->ipinhdrerrors, m->ipinaddrerrors, m->ipforwdatagrams,
			m->ipinunknownprotos, m->ipindiscards, m->ipindelivers, m->ipoutrequests,
			m->ipoutdiscards, m->ipoutnoroutes, 0, m->ipreasmreqds, m->ipreasmoks,
			m->ipreasmfails, m->ipfragoks, m->ipfragfails, (u32)lwip_stats.ip_frag.xmit,
		};
		const u32 tcp[] = {
			TCP_RTO_ALGORITHM_OTHER, TCP_SLOW_INTERVAL,
			LWIP_RTO_MAX_TICKS * TCP_SLOW_INTERVAL, MEMP_NUM_TCP_PCB,
			m->tcpactiveopens, m->tcppassiveopens, m->tcpattemptfails,
			m->tcpestabresets, tcp_curr_estab(), m->tcpinsegs, m->tcpoutsegs,
			m->tcpretranssegs, m->tcpinerrs, m->tcpoutrsts, (u32)lwip_stats.tcp.chkerr,
		};
		/* sockets: InDatagrams when the application reads, a full
		 * receive buffer counted twice (RcvbufErrors and InErrors), as
		 * Linux's udp.c (net/socket/sock_udp.c) */
		const struct udp_sock_mib *u = &udp_sock_mib;
		const u32 udp[] = {
			m->udpindatagrams - (u32)u->queued + (u32)u->read, m->udpnoports,
			m->udpinerrors + (u32)u->in_errors, m->udpoutdatagrams,
			(u32)u->rcvbuf_errors, 0, (u32)lwip_stats.udp.chkerr, 0,
			(u32)lwip_stats.udp.memerr + (u32)u->mem_errors,
		};
		const u32 udplite[ARRAY_SIZE(udp_names)] = { 0 };

		put_pair(&s, "Ip", ip_names, ip, ARRAY_SIZE(ip));
		snmp_icmp(&s);
		icmpmsg_put(&s);
		put_pair(&s, "Tcp", tcp_names, tcp, ARRAY_SIZE(tcp));
		put_pair(&s, "Udp", udp_names, udp, ARRAY_SIZE(udp));
		put_pair(&s, "UdpLite", udp_names, udplite, ARRAY_SIZE(udplite));
	}
	net_core_unlock();
	return seq_buf_used(&s);
}
VIEW("/proc/net/snmp", snmp_show);

/* Linux's TcpExt fields that the listen path fills (in Linux's order) */
static const char *const tcpext_names[] = {
	"SyncookiesSent", "SyncookiesRecv", "SyncookiesFailed", "ListenOverflows", "ListenDrops",
	"TCPReqQFullDoCookies", "TCPReqQFullDrop", "TCPRstRateLimit", "TCPSplits",
	"TCPSplitCopied", "BusyPollRxPackets",
};
static const char *const ipext_names[] = {
	"InNoRoutes", "InTruncatedPkts", "InCsumErrors",
};

/* TcpExt: the listen path's counters (net/lwip/syncookie.c: SYN cookies,
 * requests dropped); TCPRstRateLimit is barenet's own (Linux does not
 * limit these RSTs): RSTs for segments that met no connection, held back
 * by the rate limit (net/lwip/icmp_limit.c).  TCPSplits and TCPSplitCopied
 * are barenet's too: lwIP's cuts of unsent segments and the payload bytes
 * they copied (net/lwip/tso.h, 32 bits wide like the rest).
 * BusyPollRxPackets is Linux's: frames busy polling took (net/core/napi.h).
 * IpExt: without forwarding
 * no packet is dropped for want of a route on input; lwIP's IP length
 * errors are packets shorter than their header says (Linux's
 * InTruncatedPkts); its IP checksum errors. */
static int netstat_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;

	(void)args;
	seq_buf_init(&s, buf, size);
	net_core_lock();
	{
		const struct tcp_listen_stats *l = &tcp_listen_stats;
		const u32 tcpext[] = {
			(u32)l->syncookies_sent, (u32)l->syncookies_recv, (u32)l->syncookies_failed,
			(u32)l->listen_overflows, (u32)l->listen_drops, (u32)l->reqqfull_docookies,
			(u32)l->reqqfull_drop, icmp_limit_stats.rst_ratelimit,
			(u32)net_tcp_split_stats.splits, (u32)net_tcp_split_stats.copied,
			(u32)READ_ONCE(napi_busy_rx_packets),
		};
		const u32 ipext[] = { 0, (u32)lwip_stats.ip.lenerr, (u32)lwip_stats.ip.chkerr };

		put_pair(&s, "TcpExt", tcpext_names, tcpext, ARRAY_SIZE(tcpext));
		put_pair(&s, "IpExt", ipext_names, ipext, ARRAY_SIZE(ipext));
	}
	net_core_unlock();
	return seq_buf_used(&s);
}
VIEW("/proc/net/netstat", netstat_show);

