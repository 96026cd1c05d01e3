/* Identifiers an off-path attacker cannot predict (net/lwip/secure_seq.c):
 * TCP initial sequence numbers (RFC 6528) and IPv4 IDs / IPv6 fragment
 * IDs (RFC 7739), keyed with secrets drawn at boot from kernel/random.c. */
#ifndef NET_LWIP_SECURE_SEQ_H
#define NET_LWIP_SECURE_SEQ_H

#include "kernel/types.h"
#include "lwip/ip_addr.h"

/* counters of the per-destination ID table (a power of two) */
#define SECURE_IDENT_BUCKETS   2048
/* the most milliseconds of idleness that can widen one ID step (below) */
#define SECURE_IDENT_MAX_JUMP  1024
/* the ISN clock M: 2^12 ns, RFC 6528's "about 4 microseconds" */
#define SECURE_ISN_CLOCK_SHIFT 12

/* Draw new keys and ID counters from the kernel's generator (net_stack_init;
 * again only in tests: every ISN and ID changes). */
void secure_seq_init(void);

/* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), with F SipHash-2-4 truncated to 32 bits and M a 4 us clock;
 * lwIP's LWIP_HOOK_TCP_ISN (lwip_hooks.h). */
u32 secure_tcp_isn(const ip_addr_t *local_ip, u16 local_port,
		   const ip_addr_t *remote_ip, u16 remote_port);

/* The next IP identifier towards dst (RFC 7739 section 5.3, hash-based
 * counters, as Linux's ip_idents): a keyed hash of (src, dst, proto)
 * picks one of SECURE_IDENT_BUCKETS counters that start at random values;
 * each use advances it by 1 plus a random amount below the milliseconds
 * since its last use (capped at SECURE_IDENT_MAX_JUMP).  A host sees its
 * own IDs advance; it learns nothing of the traffic to other hosts, and
 * after a pause cannot tell how many packets went out.  Core lock held. */
u32 secure_ip_ident(const ip_addr_t *src, const ip_addr_t *dst, u8 proto);
/* how many times secure_ip_ident hashed a tuple (the rest came from its
 * cache of recent tuples): for tests */
u64 secure_ident_hashes(void);
/* the IPv4 header's 16-bit ID (lwIP's LWIP_HOOK_IP4_ID) */
u16 secure_ip4_id(const ip4_addr_t *src, const ip4_addr_t *dst, u8 proto);
/* the IPv6 Fragment header's 32-bit Identification for a packet from the
 * source in ip6hdr to dst (LWIP_HOOK_IP6_FRAG_ID) */
struct ip6_hdr;
u32 secure_ip6_frag_id(const struct ip6_hdr *ip6hdr, const ip6_addr_t *dst);

#endif
