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

/* Wait, at most timeout_ms, until every attached device that is up can
 * receive (netif_rx_ready: carrier, and no receive hold of the device's
 * own), serving interrupts and softirqs meanwhile; then hand the link
 * states to lwIP.  kmain calls it before `ready`, so that `ready` means
 * the services can be reached.  0, or -ETIMEDOUT (logged). */
int net_stack_wait_ready(unsigned int timeout_ms);

/* true when lwIP's next timeout is due (the tick then raises TIMER_SOFTIRQ) */
bool net_timers_due(void);
/* Let the periodic tick drive lwIP's timers from now on: kmain calls it as
 * it enters the idle loop, after the boot self-tests, so that their timing
 * (NAPI's time budget, ...) sees no network timer work.  A self-test that
 * needs lwIP's timers drives them itself (net_timers_due + TIMER_SOFTIRQ). */
void net_timers_start(void);

/* counters: loopback napi polls, TIMER softirq runs */
u64 net_loopback_polls(void);
u64 net_timer_runs(void);
/* TCP PCBs in TIME_WAIT now; core lock held */
int net_tcp_timewait_count(void);

#endif
