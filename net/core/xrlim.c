/* Token buckets for error messages (see xrlim.h), after Linux's
 * icmp_global_allow() and inet_peer_xrlim_allow(). */
#include "net/core/xrlim.h"
#include <string.h>

/* credit that accrued since the last refill, or 0 when under the step */
static u32 global_refill(const struct xrlim_global *g, u32 now_ms, u32 msgs_per_sec)
{
	u32 delta = MIN(now_ms - g->stamp_ms, (u32)XRLIM_GLOBAL_MAX_MS);

	if (delta < XRLIM_GLOBAL_STEP_MS)
		return 0;
	return (u32)((u64)msgs_per_sec * delta / XRLIM_GLOBAL_MAX_MS);
}

static void global_start(struct xrlim_global *g, u32 now_ms, u32 burst)
{
	if (g->started)
		return;
	/* a fresh bucket is full, as Linux's at boot */
	g->credit = burst;
	g->stamp_ms = now_ms;
	g->started = true;
}

static bool global_has_credit(struct xrlim_global *g, u32 now_ms, u32 msgs_per_sec, u32 burst)
{
	u32 incr;

	global_start(g, now_ms, burst);
	incr = global_refill(g, now_ms, msgs_per_sec);
	if (incr) {
		g->stamp_ms = now_ms;
		g->credit = MIN(g->credit + incr, burst);
	}
	/* a lowered burst applies at once */
	g->credit = MIN(g->credit, burst);
	return g->credit != 0;
}

static void global_consume(struct xrlim_global *g, u32 rnd3)
{
	g->credit = g->credit > rnd3 ? g->credit - rnd3 : 0;
}

bool xrlim_global_allow(struct xrlim_global *g, u32 now_ms, u32 msgs_per_sec, u32 burst,
			u32 rnd3)
{
	if (!global_has_credit(g, now_ms, msgs_per_sec, burst))
		return false;
	global_consume(g, rnd3);
	return true;
}

/* FNV-1a over the address, seeded: which slot a peer takes */
static u32 peer_slot(const struct xrlim_table *t, u8 family, const u8 *addr, unsigned int len)
{
	u64 h = 0xcbf29ce484222325ULL ^ t->key ^ family;

	for (unsigned int i = 0; i < len; i++)
		h = (h ^ addr[i]) * 0x100000001b3ULL;
	return (u32)(h ^ (h >> 32)) & (XRLIM_PEERS - 1);
}

bool xrlim_peer_allow(struct xrlim_table *t, u8 family, const void *addr, u32 now_ms,
		      u32 interval_ms)
{
	unsigned int len = family == 6 ? 16 : 4;
	struct xrlim_peer *p;
	u64 tokens;

	if (!interval_ms)
		return true;
	p = &t->peer[peer_slot(t, family, addr, len)];
	if (p->family != family || memcmp(p->addr, addr, len)) {
		/* a new peer starts with a full bucket (Linux: rate_last is a
		 * minute back) */
		memset(p, 0, sizeof(*p));
		memcpy(p->addr, addr, len);
		p->family = family;
		p->tokens = XRLIM_BURST_FACTOR * interval_ms;
		p->last_ms = now_ms;
	}
	tokens = (u64)p->tokens + (u32)(now_ms - p->last_ms);
	p->last_ms = now_ms;
	tokens = MIN(tokens, (u64)XRLIM_BURST_FACTOR * interval_ms);
	if (tokens >= interval_ms) {
		p->tokens = (u32)(tokens - interval_ms);
		return true;
	}
	p->tokens = (u32)tokens;
	return false;
}

enum xrlim_verdict xrlim_allow(struct xrlim_global *g, struct xrlim_table *t, u8 family,
			       const void *addr, u32 now_ms, u32 msgs_per_sec, u32 burst,
			       u32 interval_ms, u32 rnd3)
{
	if (!global_has_credit(g, now_ms, msgs_per_sec, burst))
		return XRLIM_GLOBAL;
	if (!xrlim_peer_allow(t, family, addr, now_ms, interval_ms))
		return XRLIM_HOST;
	global_consume(g, rnd3);
	return XRLIM_SEND;
}
