/* Rate limits for the error messages a host sends in answer to packets it
 * cannot take (ICMP and ICMPv6 errors, TCP RSTs for no connection), the
 * two token buckets Linux keeps (net/ipv4/icmp.c, net/ipv4/inetpeer.c):
 *
 *  - global: msgs_per_sec credits a second, at most burst, spent at
 *    random 0, 1 or 2 per message (one on average: Linux randomizes it so
 *    that an attacker cannot count the credits left, CVE-2020-25705);
 *    refilled only in steps of at least 20 ms, as Linux's HZ / 50;
 *  - per destination: one message per interval_ms, bursts of up to
 *    XRLIM_BURST_FACTOR (Linux's inet_peer_xrlim_allow); interval 0 turns
 *    it off.  The peers live in a small hash table of XRLIM_PEERS entries:
 *    a new peer takes its slot from whichever peer held it (when an
 *    attacker cycles through more sources than that, the global bucket
 *    still holds).
 *
 * Time is in milliseconds from the caller, so the host unit test drives
 * it.  No locking: the caller serializes (lwIP's core lock). */
#ifndef NET_CORE_XRLIM_H
#define NET_CORE_XRLIM_H

#include "kernel/types.h"

#define XRLIM_BURST_FACTOR   6
#define XRLIM_PEERS          256      /* a power of two */
/* the smallest refill step of the global bucket (Linux: HZ / 50) */
#define XRLIM_GLOBAL_STEP_MS 20
#define XRLIM_GLOBAL_MAX_MS  1000     /* refill is computed over 1 s at most */

/* The sysctls, Linux's names and defaults (net/core/sysctl_net_core.c):
 * net.ipv4.icmp_ratelimit and net.ipv6.icmp.ratelimit are the per-host
 * interval in ms (0: no per-host limit); net.ipv4.icmp_msgs_per_sec and
 * net.ipv4.icmp_msgs_burst the global bucket, which ICMP, ICMPv6 and (in
 * barenet, as FreeBSD's icmplim) RSTs for no connection share the values
 * of. */
#define ICMP_RATELIMIT_DEFAULT     1000
#define ICMP_MSGS_PER_SEC_DEFAULT  1000
#define ICMP_MSGS_BURST_DEFAULT    50
extern int sysctl_icmp_ratelimit;
extern int sysctl_icmp_msgs_per_sec;
extern int sysctl_icmp_msgs_burst;
extern int sysctl_icmpv6_ratelimit;

/* why xrlim_allow() refused */
enum xrlim_verdict {
	XRLIM_SEND,
	XRLIM_GLOBAL,           /* Icmp OutRateLimitGlobal */
	XRLIM_HOST,             /* Icmp OutRateLimitHost, Icmp6OutRateLimitHost */
};

struct xrlim_global {
	u32 credit;
	u32 stamp_ms;
	bool started;
};

struct xrlim_peer {
	u8 addr[16];            /* IPv4 in the first 4 bytes */
	u8 family;              /* 0 free, 4 or 6 */
	u32 tokens;             /* in ms, at most XRLIM_BURST_FACTOR * interval */
	u32 last_ms;
};

struct xrlim_table {
	struct xrlim_peer peer[XRLIM_PEERS];
	u64 key;                /* hashes the addresses (random per boot) */
};

/* The global bucket: may a message go now (msgs_per_sec, burst from the
 * sysctls)?  Consumes its (random) credit when it may.  rnd3 is a random
 * value in 0..2 from the caller. */
bool xrlim_global_allow(struct xrlim_global *g, u32 now_ms, u32 msgs_per_sec, u32 burst,
			u32 rnd3);

/* The per-destination bucket of addr (4 or 16 bytes, family 4 or 6),
 * interval_ms per message: may a message go?  Spends interval_ms tokens
 * when it may. */
bool xrlim_peer_allow(struct xrlim_table *t, u8 family, const void *addr, u32 now_ms,
		      u32 interval_ms);

/* Both, in Linux's order since 2024 ("icmp: change the order of rate
 * limits": a host refused by its own bucket spends no global credit):
 * global credit left?  then the host's bucket, then the global credit is
 * spent. */
enum xrlim_verdict xrlim_allow(struct xrlim_global *g, struct xrlim_table *t, u8 family,
			       const void *addr, u32 now_ms, u32 msgs_per_sec, u32 burst,
			       u32 interval_ms, u32 rnd3);

#endif
