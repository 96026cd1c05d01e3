/* Rate limits on the ICMP and ICMPv6 errors lwIP sends (net/lwip/icmp_limit.c)
 * and their counters, Linux's names in /proc/net/snmp and /proc/net/snmp6. */
#ifndef NET_LWIP_ICMP_LIMIT_H
#define NET_LWIP_ICMP_LIMIT_H

#include "kernel/types.h"

struct icmp_limit_stats {
	u32 out_ratelimit_global;   /* Icmp OutRateLimitGlobal (ICMP and ICMPv6) */
	u32 out_ratelimit_host;     /* Icmp OutRateLimitHost */
	u32 out6_ratelimit_host;    /* Icmp6OutRateLimitHost */
	u32 rst_ratelimit;          /* TcpExt TCPRstRateLimit (barenet's) */
};

/* written under the core lock */
extern struct icmp_limit_stats icmp_limit_stats;

/* a random key for the per-host table; after the generator is seeded */
void icmp_limit_init(void);

/* May a RST answering a segment for no connection go to addr (4 or 16
 * bytes, family 4 or 6)?  Counts it when not.  Core lock held. */
bool icmp_limit_rst_allow(u8 family, const void *addr);

#endif
