/* TCP ISNs and IP identifiers from keyed hashes (see secure_seq.h).
 *
 * lwIP 2.1.3 and 2.2.1 number both with plain counters: tcp_next_iss()
 * adds tcp_ticks to a static 6510 (the issue measured ISNs 6511, 6512,
 * 6513, ...), ip4.c and ip6_frag.c increment one static ID for every
 * destination.  The ISN comes here through LWIP_HOOK_TCP_ISN; the IDs
 * through the hooks net/lwip/patches/ adds to lwIP. */
#include "net/lwip/secure_seq.h"
#include "kernel/random.h"
#include "kernel/time.h"
#include "lib/siphash.h"
#include "lwip/prot/ip6.h"
#include <string.h>

/* hash inputs: a domain byte, two addresses (4 or 16 bytes), two ports */
#define TUPLE_MAX (1 + 2 * 16 + 2 * 2 + 1)
enum { DOMAIN_ISN = 1, DOMAIN_IDENT = 2 };
/* an IPv4 ID's tuple: domain, two addresses, protocol */
#define IDENT_TUPLE_V4 (1 + 2 * 4 + 1)

static struct siphash_key isn_key, ident_key;
static u32 ident_ctr[SECURE_IDENT_BUCKETS];
static u32 ident_stamp_ms[SECURE_IDENT_BUCKETS];

/* The hashes of the tuples last given an ID, direct-mapped.  A stream of
 * datagrams to one peer (an echo's replies, a request/response flow) asks
 * for the same tuple every frame, and SipHash-2-4 is about 450
 * instructions, a tenth of a UDP echo request's guest instructions (under
 * TCG every one costs).  The hash of a tuple never changes under one key,
 * so an entry gives exactly the bucket a fresh hash would; the counters
 * still advance per frame.  secure_seq_init (a new key) empties it. */
#define IDENT_CACHE_SLOTS 16
struct ident_cache_slot {
	u8 n;                   /* tuple length; 0: empty */
	u8 t[TUPLE_MAX];
	u64 hash;
};
static struct ident_cache_slot ident_cache[IDENT_CACHE_SLOTS];
static u64 ident_hashes;        /* SipHash runs for IDs (the cache's misses) */

void secure_seq_init(void)
{
	get_random_bytes(&isn_key, sizeof(isn_key));
	get_random_bytes(&ident_key, sizeof(ident_key));
	get_random_bytes(ident_ctr, sizeof(ident_ctr));
	memset(ident_stamp_ms, 0, sizeof(ident_stamp_ms));
	memset(ident_cache, 0, sizeof(ident_cache));
}

static size_t put_addr(u8 *p, const ip_addr_t *a)
{
	if (IP_IS_V6(a)) {
		memcpy(p, ip_2_ip6(a)->addr, 16);
		return 16;
	}
	memcpy(p, &ip_2_ip4(a)->addr, 4);
	return 4;
}

u32 secure_tcp_isn(const ip_addr_t *local_ip, u16 local_port,
		   const ip_addr_t *remote_ip, u16 remote_port)
{
	u8 t[TUPLE_MAX];
	size_t n = 0;

	t[n++] = DOMAIN_ISN;
	n += put_addr(t + n, local_ip);
	n += put_addr(t + n, remote_ip);
	memcpy(t + n, &local_port, 2);
	memcpy(t + n + 2, &remote_port, 2);
	n += 4;
	return (u32)siphash_2_4(t, n, &isn_key) + (u32)(ktime_get_ns() >> SECURE_ISN_CLOCK_SHIFT);
}

/* the counter of bucket hash, advanced */
static u32 ident_next(u64 hash)
{
	u32 b = (u32)hash & (SECURE_IDENT_BUCKETS - 1);
	u32 now = (u32)(ktime_get_ns() / NSEC_PER_MSEC), idle = now - ident_stamp_ms[b];
	u32 step = 1;

	if (idle)
		step += get_random_u32_below(MIN(idle, (u32)SECURE_IDENT_MAX_JUMP));
	ident_stamp_ms[b] = now;
	ident_ctr[b] += step;
	return ident_ctr[b];
}

/* the keyed hash of tuple t (n bytes), from the cache when it holds it;
 * the slot from the destination's last two bytes and the protocol */
static u64 ident_hash(const u8 *t, size_t n)
{
	struct ident_cache_slot *c = &ident_cache[(t[n - 3] ^ t[n - 2] ^ t[n - 1]) %
						  IDENT_CACHE_SLOTS];

	/* an IPv4 tuple's compare with a constant length: gcc inlines it
	 * (a memcmp call's byte loop was ~75 instructions a reply) */
	if (c->n == n && (n == IDENT_TUPLE_V4 ? !memcmp(c->t, t, IDENT_TUPLE_V4) :
			  !memcmp(c->t, t, n)))
		return c->hash;
	ident_hashes++;
	c->hash = siphash_2_4(t, n, &ident_key);
	memcpy(c->t, t, n);
	c->n = (u8)n;
	return c->hash;
}

u32 secure_ip_ident(const ip_addr_t *src, const ip_addr_t *dst, u8 proto)
{
	u8 t[TUPLE_MAX];
	size_t n = 0;

	t[n++] = DOMAIN_IDENT;
	n += put_addr(t + n, src);
	n += put_addr(t + n, dst);
	t[n++] = proto;
	return ident_next(ident_hash(t, n));
}

u64 secure_ident_hashes(void)
{
	return ident_hashes;
}

/* the tuple secure_ip_ident builds for two IPv4 addresses, built in place
 * (no ip_addr_t copies: this runs for every datagram lwIP sends) */
u16 secure_ip4_id(const ip4_addr_t *src, const ip4_addr_t *dst, u8 proto)
{
	u8 t[IDENT_TUPLE_V4];
	u32 s = src ? ip4_addr_get_u32(src) : ip4_addr_get_u32(IP4_ADDR_ANY4);

	t[0] = DOMAIN_IDENT;
	memcpy(t + 1, &s, 4);
	memcpy(t + 5, &dst->addr, 4);
	t[9] = proto;
	return (u16)ident_next(ident_hash(t, IDENT_TUPLE_V4));
}

u32 secure_ip6_frag_id(const struct ip6_hdr *ip6hdr, const ip6_addr_t *dst)
{
	ip_addr_t s, d;

	ip_addr_set_zero_ip6(&s);
	ip6_addr_copy_from_packed(*ip_2_ip6(&s), ip6hdr->src);
	ip_addr_copy_from_ip6(d, *dst);
	/* the Fragment header's own next-header number as the protocol */
	return secure_ip_ident(&s, &d, IP6_NEXTH_FRAGMENT);
}
