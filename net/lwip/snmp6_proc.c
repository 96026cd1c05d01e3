/* /proc/net/snmp6 from lwIP's IPv6 counters, in Linux's layout
 * (net/ipv6/proc.c: one "Name<tab>value" per line, the name padded to 32).
 *
 * Only the fields lwIP's counters fill truthfully are shown, in Linux's
 * order (nstat and scripts pair names and values, so a subset reads the
 * same way):
 *   Ip6InReceives       ip6.recv      every IPv6 packet in
 *   Ip6InUnknownProtos  ip6.proterr   next header lwIP does not handle
 *   Ip6InDiscards       ip6.drop      dropped by ip6_input for any reason
 *   Ip6OutRequests      ip6.xmit      packets handed to a netif
 *   Ip6ReasmReqds       ip6_frag.recv fragments received
 *   Ip6ReasmOKs         mib2.ip6reasmoks datagrams reassembled
 *   Ip6ReasmFails       ip6_frag.drop fragments dropped: duplicates,
 *                       overlaps, no memory, and a Fragment header inside a
 *                       reassembled datagram (net/lwip/patches/0002)
 *   Ip6FragFails        ip6_frag.err  packets ip6_frag refused: an MTU too
 *                       small to fragment for (net/lwip/patches/0004)
 *   Ip6FragCreates      ip6_frag.xmit fragments sent
 *   Icmp6InMsgs, Icmp6InErrors, Icmp6OutMsgs, Icmp6InCsumErrors: icmp6.recv,
 *                       .drop, .xmit, .chkerr
 *   Icmp6OutRateLimitHost  ICMPv6 errors the per-host rate limit held back
 *                       (net/lwip/icmp_limit.c; Linux 6.2's name) */
#include "fs/view.h"
#include "lib/seq_buf.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/icmp_limit.h"
#include "lwip/opt.h"
#include "lwip/stats.h"

static int snmp6_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;

	(void)args;
	seq_buf_init(&s, buf, size);
	net_core_lock();
	{
		const struct { const char *name; u32 val; } f[] = {
			{ "Ip6InReceives", (u32)lwip_stats.ip6.recv },
			{ "Ip6InUnknownProtos", (u32)lwip_stats.ip6.proterr },
			{ "Ip6InDiscards", (u32)lwip_stats.ip6.drop },
			{ "Ip6OutRequests", (u32)lwip_stats.ip6.xmit },
			{ "Ip6ReasmReqds", (u32)lwip_stats.ip6_frag.recv },
			{ "Ip6ReasmOKs", lwip_stats.mib2.ip6reasmoks },
			{ "Ip6ReasmFails", (u32)lwip_stats.ip6_frag.drop },
			{ "Ip6FragFails", (u32)lwip_stats.ip6_frag.err },
			{ "Ip6FragCreates", (u32)lwip_stats.ip6_frag.xmit },
			{ "Icmp6InMsgs", (u32)lwip_stats.icmp6.recv },
			{ "Icmp6InErrors", (u32)lwip_stats.icmp6.drop },
			{ "Icmp6OutMsgs", (u32)lwip_stats.icmp6.xmit },
			{ "Icmp6InCsumErrors", (u32)lwip_stats.icmp6.chkerr },
			{ "Icmp6OutRateLimitHost", icmp_limit_stats.out6_ratelimit_host },
		};

		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			seq_buf_printf(&s, "%-32s\t%u\n", f[i].name, f[i].val);
	}
	net_core_unlock();
	return seq_buf_used(&s);
}
VIEW("/proc/net/snmp6", snmp6_show);
