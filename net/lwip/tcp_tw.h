/* A new SYN reopens a connection of ours in TIME_WAIT (net/lwip/tcp_tw.c). */
#ifndef NET_LWIP_TCP_TW_H
#define NET_LWIP_TCP_TW_H

#include "kernel/types.h"

struct pbuf;

/* SYNs that reopened a TIME_WAIT connection since boot */
extern u64 tcp_tw_reused;

/* After lwIP's tcp_input returned: if the segment it was given was a SYN
 * that may reopen a TIME_WAIT connection, end that TIME_WAIT and return a
 * copy of the SYN for tcp_input to take again (now to the listener);
 * otherwise NULL.  Core lock held, inside IP input (ip_current_* valid). */
struct pbuf *tcp_tw_take_syn(void);

#endif
