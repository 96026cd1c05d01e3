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
 * Why 5 s by default: Linux's.  Its e1000, e1000e and igb set
 * netdev->watchdog_timeo = 5 * HZ, and dev_watchdog's own default for a
 * driver that sets none is 5 * HZ too.  What the timeout must outlast is
 * a transmitter that completes nothing while frames wait, and on a VM a
 * completion counts only once the CPU that polls the ring has cleaned it:
 * a host with more runnable threads than cores deschedules one vCPU for
 * hundreds of ms while the one running the watchdog goes on.  With 500 ms
 * (this project's default until session 10) igb was reset in a loaded
 * run of test_views_over_a_nic with everything sent (TDH 5 TDT 5
 * next_to_use 5 next_to_clean 2), and a reset drops igb's carrier for
 * ~0.5 s.  The
 * driver's ndo_tx_inflight now leaves out what the device has sent
 * (e1000_watchdog.c); the longer timeout covers what it cannot see.  On
 * hardware the longest legitimate pause is a peer's XOFF: 34 ms at
 * 1 Gb/s, 0.34 s at 100 Mb/s, 3.4 s at 10 Mb/s.
 * Recovery after a real hang takes the timeout, up to one watchdog period
 * (0.1 s), the reset (~15 ms) and what the device needs before it passes
 * frames again (QEMU's e1000 receives nothing for 1 s after any RCTL write,
 * hw/net/e1000.c flush_queue_timer; igb's link comes back 0.5 s after the
 * reset).  Where traffic must be back sooner, set a shorter timeout per
 * device: `netdev watchdog eth0 500` (tests/qemu/test_fault.py does, and
 * sees traffic back within 2 s of a stall).
 * Without carrier the clock stops: a link that is down does not send. */
#ifndef NET_CORE_WATCHDOG_H
#define NET_CORE_WATCHDOG_H

#include "kernel/types.h"

struct net_device;

#define DEV_WATCHDOG_TIMEO_MS   5000    /* default dev->watchdog_timeo_ms: Linux's 5 * HZ */
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
