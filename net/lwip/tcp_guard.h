/* Limits on what one TCP connection may hold (issue 11), in the glue:
 * the give-up time for data the peer does not acknowledge, a zero window
 * included (net/lwip/tcp_guard.c). */
#ifndef NET_LWIP_TCP_GUARD_H
#define NET_LWIP_TCP_GUARD_H

#include "kernel/types.h"

#define TCP_STALL_TIMEOUT_DEFAULT 120   /* seconds */

/* net.ipv4.tcp_stall_timeout (barenet's own): seconds a connection may
 * have data queued without the peer acknowledging any of it before it is
 * reset; 0 = never */
extern int tcp_stall_timeout;

/* connections reset for that since boot */
extern u64 tcp_stall_aborts;

/* start the guard's timer; core lock held, after lwip_init */
void tcp_guard_init(void);

#endif
