/* Rate limits on the ICMP and ICMPv6 errors lwIP sends and the RSTs it
 * sends for no connection (net/lwip/icmp_limit.c), and their counters,
 * Linux's names in /proc/net/snmp and /proc/net/snmp6 where it has them. */
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

#endif
