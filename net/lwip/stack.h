/* The lwIP stack as a whole: start-up, timers, loopback, configuration. */
#ifndef NET_LWIP_STACK_H
#define NET_LWIP_STACK_H

#include "kernel/types.h"

/* initialise lwIP (NO_SYS) under the core lock, install the receive
 * handler, the loopback napi and the TIMER softirq; once at boot, after
 * net_dev_init() */
void net_stack_init(void);

/* Attach every registered net_device, configure addresses (ip=) and start
 * the services (services=); after net_stack_init() and the NIC drivers. */
void net_stack_start(void);

/* true when lwIP's next timeout is due: the idle loop (and the tick) raise
 * TIMER_SOFTIRQ then */
bool net_timers_due(void);

/* counters: loopback napi polls, TIMER softirq runs */
u64 net_loopback_polls(void);
u64 net_timer_runs(void);
/* TCP PCBs in TIME_WAIT now; core lock held */
int net_tcp_timewait_count(void);

#endif
