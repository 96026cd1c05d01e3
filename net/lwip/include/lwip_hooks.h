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

#endif
