/* lwIP hooks (LWIP_HOOK_FILENAME in lwipopts.h): lwIP's sources include
 * this file; the functions live in the glue. */
#ifndef BARENET_LWIP_HOOKS_H
#define BARENET_LWIP_HOOKS_H

#include "lwip/arch.h"
#include "lwip/err.h"
#include "lwip/ip_addr.h"

struct tcp_pcb;
struct tcp_hdr;
struct pbuf;
struct ip6_hdr;

/* A SYN for a connection of ours in TIME_WAIT (net/lwip/tcp_tw.c). */
err_t tcp_tw_inpacket(struct tcp_pcb *pcb, struct tcp_hdr *hdr, u16_t optlen, u16_t opt1len,
		      u8_t *opt2, struct pbuf *p);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
	tcp_tw_inpacket(pcb, hdr, optlen, opt1len, opt2, p)


/* TCP initial sequence numbers per RFC 6528: a keyed hash of the 4-tuple
 * plus a 4 us clock (net/lwip/secure_seq.c); lwIP's own counter gives
 * 6511, 6512, ... (a build that needs fixed ISNs defines its own first:
 * tests/fuzz/fuzz_hooks.h) */
#ifndef LWIP_HOOK_TCP_ISN
u32_t secure_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
		     const ip_addr_t *remote_ip, u16_t remote_port);
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
	secure_tcp_isn(local_ip, local_port, remote_ip, remote_port)
#endif

/* lwIP's RTT estimate in microseconds besides its 500 ms ticks, for
 * getsockopt(TCP_INFO) (net/lwip/patches/0053-tcp-rtt-in-microseconds.patch):
 * a microsecond clock that wraps at 2^32 (net/lwip/port.c) */
u32_t lwip_now_us(void);
#define LWIP_HOOK_TCP_RTT_US_NOW()    lwip_now_us()

/* pbuf_add_header() into the header bytes in front of a received frame's
 * payload, in the driver's RX buffer (net/lwip/patches/
 * 0068-pbuf-ref-headroom-hook.patch, net/core/skbuff.c): echo replies are
 * built in the frame they answer, not in a header pbuf chained in front.
 * The host builds (unit tests, fuzzing: HOST_TEST) link lwIP without the
 * skb layer and keep lwIP's default (no headroom). */
#if !defined(LWIP_HOOK_PBUF_REF_HEADROOM) && !defined(HOST_TEST)
size_t skb_rx_pbuf_headroom(const struct pbuf *p);
#define LWIP_HOOK_PBUF_REF_HEADROOM(p)        skb_rx_pbuf_headroom(p)
#endif

/* IPv4 IDs and IPv6 fragment IDs per RFC 7739 (keyed per-destination
 * counters, net/lwip/secure_seq.c); the hooks are barenet's patch to lwIP
 * (net/lwip/patches/0010-ip-id-hooks.patch), lwIP's own counters give
 * 1, 2, 3, ... to everyone */
u16_t secure_ip4_id(const ip4_addr_t *src, const ip4_addr_t *dest, u8_t proto);
u32_t secure_ip6_frag_id(const struct ip6_hdr *ip6hdr, const ip6_addr_t *dest);
#define LWIP_HOOK_IP4_ID(src, dest, proto)    secure_ip4_id(src, dest, proto)
#define LWIP_HOOK_IP6_FRAG_ID(ip6hdr, dest)   secure_ip6_frag_id(ip6hdr, dest)

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

/* SYN cookies and the listen path's limits (net/lwip/syncookie.c; lwIP's
 * side is net/lwip/patches/0021-tcp-syncookies.patch) */
struct tcp_pcb_listen;
int tcp_syncookie_wanted(struct tcp_pcb_listen *lpcb, u8_t overflow);
u32_t tcp_syncookie_iss(struct tcp_pcb_listen *lpcb, const ip_addr_t *local, u16_t lport,
			const ip_addr_t *remote, u16_t rport, u32_t peer_isn, u16_t *mss);
u16_t tcp_syncookie_check(struct tcp_pcb_listen *lpcb, const ip_addr_t *local, u16_t lport,
			  const ip_addr_t *remote, u16_t rport, u32_t peer_isn, u32_t iss);
void tcp_syncookie_listen_drop(struct tcp_pcb_listen *lpcb);
#define LWIP_HOOK_TCP_SYNCOOKIE_WANTED(lpcb, overflow) tcp_syncookie_wanted(lpcb, overflow)
#define LWIP_HOOK_TCP_SYNCOOKIE_ISS(lpcb, lip, lport, rip, rport, isn, mss) \
	tcp_syncookie_iss(lpcb, lip, lport, rip, rport, isn, mss)
#define LWIP_HOOK_TCP_SYNCOOKIE_CHECK(lpcb, lip, lport, rip, rport, isn, iss) \
	tcp_syncookie_check(lpcb, lip, lport, rip, rport, isn, iss)
#define LWIP_HOOK_TCP_LISTEN_DROP(lpcb) tcp_syncookie_listen_drop(lpcb)

/* TCP segments past the MSS for a netif that does TSO (net/lwip/netif.c;
 * lwIP's side is net/lwip/patches/0045-tcp-tso-large-segments.patch):
 * the most payload one segment of pcb may carry, and the wire segment
 * size that a larger segment's first pbuf tells the TSO glue (a build
 * without the glue defines its own first: tests/unit/build.mk) */
#ifndef LWIP_HOOK_TCP_SEG_MAX
u16_t net_glue_tcp_seg_max(struct tcp_pcb *pcb);
#define LWIP_HOOK_TCP_SEG_MAX(pcb)      net_glue_tcp_seg_max(pcb)
#endif
#define LWIP_HOOK_TCP_OUT_GSO(p, size)  ((p)->tcp_gso_size = (size))
/* tcp_split_unsent_seg cut a segment in two (the window edge, the MSS
 * after TSO went off, a persist probe), copying that much payload: patch
 * 0049 counts, patch 0050 moves the payload instead (net/lwip/tso.h) */
#ifndef LWIP_HOOK_TCP_SPLIT_COPIED
void net_tcp_split_count(u16_t copied);
#define LWIP_HOOK_TCP_SPLIT_COPIED(pcb, bytes) net_tcp_split_count(bytes)
#endif

/* a connection's first receive window (its SYN's or SYN|ACK's): a
 * socket's fits its receive buffer, the callback services' is lwIP's
 * (net/socket/sock_tcp.c; lwIP's side is
 * net/lwip/patches/0061-tcp-first-receive-window-hook.patch; a build
 * without sockets defines its own first: tests/unit/build.mk) */
#ifndef LWIP_HOOK_TCP_RCV_WND_START
u32_t tcp_sock_rcv_wnd_start(const struct tcp_pcb *pcb, const struct tcp_pcb_listen *lpcb,
			     u32_t wnd);
#define LWIP_HOOK_TCP_RCV_WND_START(pcb, lpcb, wnd) \
	((tcpwnd_size_t)tcp_sock_rcv_wnd_start(pcb, lpcb, wnd))
#endif

#endif
