/* SYN cookies (RFC 4987 section 3.6) for lwIP's listen path, and the
 * listen path's other limits (issue 11, finding 4).
 *
 * lwIP (patch 0021) asks here, for every SYN to a listener, whether to
 * answer statelessly; the cookie is the SYN|ACK's initial sequence number,
 * and the ACK that returns it is checked here before lwIP makes the
 * connection.  As Linux's (net/ipv4/syncookies.c), with SipHash-2-4 for
 * its hash:
 *
 *   ISN = H0(4-tuple) + peer ISN + (t << 24) + ((H1(4-tuple, t) + m) mod 2^24)
 *
 * t counts minutes (a cookie is good for two of them), m indexes the MSS
 * table below (the largest entry not above the peer's MSS), H0 and H1 are
 * SipHash under two keys drawn at boot from kernel/random.c.  A forger who sees no SYN|ACK must
 * guess 24 bits per try.
 *
 * net.ipv4.tcp_syncookies: 0 never (a SYN over the half-open budget is
 * dropped), 1 (default) when the listener's half-open connections reach
 * net.ipv4.tcp_max_syn_backlog or the PCB pool is empty, 2 always.
 * Counted as Linux counts them (/proc/net/netstat): SyncookiesSent,
 * SyncookiesRecv, SyncookiesFailed, TCPReqQFullDoCookies,
 * TCPReqQFullDrop, ListenOverflows (no PCB for a request: lwIP's accept
 * "queue" is its PCB pool), ListenDrops (every request dropped).
 * Everything here runs in lwIP's context, under the core lock. */
#include "net/lwip/syncookie.h"
#include "kernel/random.h"
#include "kernel/time.h"
#include "lib/siphash.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include <string.h>

#define COOKIE_BITS      24
#define COOKIE_MASK      ((1U << COOKIE_BITS) - 1)
#define COOKIE_PERIOD_NS (60ULL * 1000 * 1000 * 1000)
#define COOKIE_MAX_AGE   2          /* periods a cookie stays good */

int tcp_syncookies = TCP_SYNCOOKIES_DEFAULT;
int tcp_max_syn_backlog = TCP_MAX_SYN_BACKLOG_DEFAULT;
int tcp_synack_retries = TCP_SYNACK_RETRIES_DEFAULT;
int tcp_min_snd_mss = TCP_MIN_SND_MSS_DEFAULT;

struct tcp_listen_stats tcp_listen_stats;

/* MSS a cookie can carry (3 bits), ascending */
static const u16 cookie_mss[] = { 48, 88, 256, 536, 1220, 1300, 1440, 1460 };

static struct siphash_key cookie_key[2];
static u32 last_cookie_period;
static bool cookie_sent;

void tcp_syncookie_init(void)
{
	get_random_bytes(cookie_key, sizeof(cookie_key));
}

static u32 cookie_period(void)
{
	return (u32)(ktime_get_ns() / COOKIE_PERIOD_NS);
}

/* SipHash of the 4-tuple (and the period t when with_t) under key k */
static u32 cookie_hash(int k, const ip_addr_t *local, u16 lport, const ip_addr_t *remote,
		       u16 rport, bool with_t, u32 t)
{
	u8 buf[2 * 16 + 2 * 2 + 4];
	size_t n = 0, alen = IP_IS_V6(local) ? 16 : 4;

	if (IP_IS_V6(local)) {
		memcpy(buf + n, ip_2_ip6(local)->addr, alen);
		memcpy(buf + n + alen, ip_2_ip6(remote)->addr, alen);
	} else {
		memcpy(buf + n, &ip_2_ip4(local)->addr, alen);
		memcpy(buf + n + alen, &ip_2_ip4(remote)->addr, alen);
	}
	n += 2 * alen;
	memcpy(buf + n, &lport, 2);
	memcpy(buf + n + 2, &rport, 2);
	n += 4;
	if (with_t) {
		memcpy(buf + n, &t, 4);
		n += 4;
	}
	return (u32)siphash_2_4(buf, n, &cookie_key[k]);
}

/* the PCB pool has no element left, not even one tcp_alloc() would take
 * back from TIME_WAIT (a pool full of those is the normal state after a
 * burst of HTTP requests: connections made from cookies would lose window
 * scaling for nothing) */
static bool tcp_pcb_pool_empty(void)
{
	const struct stats_mem *m = lwip_stats.memp[MEMP_TCP_PCB];

	if (m->used < m->avail)
		return false;
	return !tcp_tw_pcbs;
}

int tcp_syncookie_wanted(struct tcp_pcb_listen *lpcb, u8_t overflow)
{
	int mode = READ_ONCE(tcp_syncookies);
	bool full = overflow || lpcb->accepts_pending >= READ_ONCE(tcp_max_syn_backlog);

	if (mode == 2 || (mode == 1 && (full || tcp_pcb_pool_empty()))) {
		if (full)
			tcp_listen_stats.reqqfull_docookies++;
		return 1;
	}
	if (full) {
		tcp_listen_stats.reqqfull_drop++;
		tcp_listen_stats.listen_drops++;
		return -1;
	}
	return 0;
}

u32_t tcp_syncookie_iss(struct tcp_pcb_listen *lpcb, const ip_addr_t *local, u16_t lport,
			const ip_addr_t *remote, u16_t rport, u32_t peer_isn, u16_t *mss)
{
	u32 t = cookie_period();
	unsigned int m = ARRAY_SIZE(cookie_mss) - 1;

	(void)lpcb;
	while (m && cookie_mss[m] > *mss)
		m--;
	*mss = cookie_mss[m];
	last_cookie_period = t;
	cookie_sent = true;
	tcp_listen_stats.syncookies_sent++;
	return cookie_hash(0, local, lport, remote, rport, false, 0) + peer_isn + (t << COOKIE_BITS) +
	       ((cookie_hash(1, local, lport, remote, rport, true, t) + m) & COOKIE_MASK);
}

u16_t tcp_syncookie_check(struct tcp_pcb_listen *lpcb, const ip_addr_t *local, u16_t lport,
			  const ip_addr_t *remote, u16_t rport, u32_t peer_isn, u32_t iss)
{
	u32 now = cookie_period(), c, diff, m;

	(void)lpcb;
	/* as Linux: an ACK is taken for a cookie's only while cookies are on
	 * and one was sent lately; otherwise it is a stray ACK (a RST) */
	if (!READ_ONCE(tcp_syncookies) || !cookie_sent || now - last_cookie_period >= COOKIE_MAX_AGE)
		return 0;
	c = iss - cookie_hash(0, local, lport, remote, rport, false, 0) - peer_isn;
	diff = (now - (c >> COOKIE_BITS)) & (0xffffffffU >> COOKIE_BITS);
	if (diff >= COOKIE_MAX_AGE)
		goto fail;
	m = (c - cookie_hash(1, local, lport, remote, rport, true, now - diff)) & COOKIE_MASK;
	if (m >= ARRAY_SIZE(cookie_mss))
		goto fail;
	tcp_listen_stats.syncookies_recv++;
	return cookie_mss[m];
fail:
	tcp_listen_stats.syncookies_failed++;
	return 0;
}

void tcp_syncookie_listen_drop(struct tcp_pcb_listen *lpcb)
{
	(void)lpcb;
	tcp_listen_stats.listen_overflows++;
	tcp_listen_stats.listen_drops++;
}
