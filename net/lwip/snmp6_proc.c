/* /proc/net/snmp6 in Linux's layout (net/ipv6/proc.c: one "Name<tab>value"
 * per line, the name padded to 32), with the IPv6 counters barenet has
 * here, in Linux's order:
 *   Ip6FragCreates         ip6_frag.xmit   fragments sent
 *   Icmp6OutRateLimitHost  ICMPv6 errors the per-host rate limit held back
 *                          (net/lwip/icmp_limit.c; Linux 6.2's name)
 * (The lwip branch has a fuller file of the same name: on merge, keep that
 * one and add the Icmp6OutRateLimitHost line after Icmp6InCsumErrors.) */
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
			{ "Ip6FragCreates", (u32)lwip_stats.ip6_frag.xmit },
			{ "Icmp6OutRateLimitHost", icmp_limit_stats.out6_ratelimit_host },
		};

		for (size_t i = 0; i < ARRAY_SIZE(f); i++)
			seq_buf_printf(&s, "%-32s\t%u\n", f[i].name, f[i].val);
	}
	net_core_unlock();
	return seq_buf_used(&s);
}
VIEW("/proc/net/snmp6", snmp6_show);
