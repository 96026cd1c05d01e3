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

/* IPv4 IDs and IPv6 fragment IDs per RFC 7739 (keyed per-destination
 * counters, net/lwip/secure_seq.c); the hooks are barenet's patch to lwIP
 * (net/lwip/patches/0010-ip-id-hooks.patch), lwIP's own counters give
 * 1, 2, 3, ... to everyone */
u16_t secure_ip4_id(const ip4_addr_t *src, const ip4_addr_t *dest, u8_t proto);
u32_t secure_ip6_frag_id(const struct ip6_hdr *ip6hdr, const ip6_addr_t *dest);
#define LWIP_HOOK_IP4_ID(src, dest, proto)    secure_ip4_id(src, dest, proto)
#define LWIP_HOOK_IP6_FRAG_ID(ip6hdr, dest)   secure_ip6_frag_id(ip6hdr, dest)

#endif
