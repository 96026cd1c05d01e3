/* Limits on what one TCP connection may hold (issue 11), in the glue:
 * the give-up time for data the peer does not acknowledge, a zero window
 * included, and for the FIN of a connection its owner has closed
 * (net/lwip/tcp_guard.c). */
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

/* net.ipv4.tcp_orphan_retries, as Linux's: how long a connection closed by
 * its owner (an orphan: FIN_WAIT_1, CLOSING, LAST_ACK) may wait for the
 * ACK of what it sent, in retransmissions of Linux's RTO (200 ms doubling
 * up to 120 s; 0 means 8, about 102 s), before it is reset */
extern int tcp_orphan_retries;

/* orphans reset for that since boot */
extern u64 tcp_orphan_aborts;

/* start the guard's timer; core lock held, after lwip_init */
void tcp_guard_init(void);

#endif
