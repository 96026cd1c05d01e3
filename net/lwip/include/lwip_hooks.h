/* lwIP hooks (LWIP_HOOK_FILENAME in lwipopts.h): lwIP's sources include
 * this file; the functions live in the glue. */
#ifndef BARENET_LWIP_HOOKS_H
#define BARENET_LWIP_HOOKS_H

#include "lwip/arch.h"
#include "lwip/err.h"

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;

/* A SYN for a connection of ours in TIME_WAIT (net/lwip/tcp_tw.c). */
err_t tcp_tw_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len,
		      u8_t *opt2, struct pbuf *p);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
	tcp_tw_inpacket(pcb, hdr, optlen, opt1len, opt2, p)

/* TCP_OOSEQ_PBUFS_LIMIT (lwipopts.h): segments one connection may keep
 * out of order: TCP_OOSEQ_MAX_PBUFS, or a quarter of the TCP_SEG pool's
 * free elements when fewer (at least one).  lwIP checks it after queueing
 * a segment and drops what is over it; so with n connections at their
 * limit, n * free / 4 <= in use, and the pool keeps at least
 * avail / (n / 4 + 1) elements free for everyone's sending (issue 11). */
#include "lwip/stats.h"
static inline u16_t tcp_guard_ooseq_pbufs(void)
{
	const struct stats_mem *m = lwip_stats.memp[MEMP_TCP_SEG];
	u32_t free = m->avail > m->used ? (u32_t)(m->avail - m->used) : 0;

	return (u16_t)LWIP_MAX(1, LWIP_MIN(TCP_OOSEQ_MAX_PBUFS, free / 4));
}

#endif
