/* The TX watchdog, after Linux's dev_watchdog (net/sched/sch_generic.c):
 * every DEV_WATCHDOG_PERIOD_MS, from the TIMER softirq, each device that is
 * up and has carrier is asked how many frames it holds and how many it has
 * completed (ndo_tx_inflight).  Frames in flight with no new completion for
 * dev->watchdog_timeo_ms is a hung transmitter: the core calls
 * ndo_tx_timeout, which counts tx_timeout_count, logs, schedules a reset
 * and names the TX queue that hung, and counts it (dev->tx_timeouts, and
 * that queue's /sys/class/net/<dev>/queues/tx-N/tx_timeout).
 * The same pass calls each driver's ndo_watchdog for its own checks.
 *
 * Linux's condition is "queue stopped and no transmit for watchdog_timeo";
 * here it is "frames in flight and no completion", which also catches a
 * hang with a ring far from full (a ping a second would take minutes to
 * fill 256 descriptors), as Linux's e1000 hang check does.
 *
 * Why 500 ms by default (Linux drivers use 5 s): the issue asks for
 * traffic back within 2 s of a hang, and that budget holds the timeout,
 * up to one watchdog period (0.1 s), the reset (~15 ms) and what the
 * device needs before it passes frames again: QEMU's e1000 refuses to
 * receive for 1 s after any RCTL write (hw/net/e1000.c flush_queue_timer),
 * igb's link comes back 0.5 s after the reset.  A 1 s timeout measured
 * 2.2 s on e1000.  What the timeout must outlast is a transmitter that
 * completes nothing at all while frames wait: QEMU completes at the tail
 * write; on hardware the longest legitimate pause is a peer's XOFF, at
 * most 65535 x 512 bit times, 34 ms at 1 Gb/s and 0.34 s at 100 Mb/s (at
 * 10 Mb/s, 3.4 s: set watchdog_timeo higher with `netdev watchdog`).
 * Without carrier the clock stops: a link that is down does not send. */
#ifndef NET_CORE_WATCHDOG_H
#define NET_CORE_WATCHDOG_H

#include "kernel/types.h"

struct net_device;

#define DEV_WATCHDOG_TIMEO_MS   500     /* default dev->watchdog_timeo_ms */
#define DEV_WATCHDOG_TIMEO_MAX  60000
#define DEV_WATCHDOG_PERIOD_MS  100     /* how often devices are looked at */

/* the next check is due (called from the tick, hard IRQ: cheap) */
bool dev_watchdog_due(void);
/* check every device (TIMER softirq) */
void dev_watchdog_run(void);
/* one device's check at time now_ns (tests call it with a chosen clock) */
void dev_watchdog_check(struct net_device *dev, u64 now_ns);

/* reset dev now through ndo_reset (`netdev reset`); process context.
 * 0, -EOPNOTSUPP, -ENETDOWN (not up) or the driver's error */
int netdev_reset(struct net_device *dev);
/* 0 (off) or 1..DEV_WATCHDOG_TIMEO_MAX ms; 0 or -EINVAL */
int netdev_set_watchdog_timeo(struct net_device *dev, unsigned int ms);

#endif
