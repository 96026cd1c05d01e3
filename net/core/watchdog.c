/* The TX watchdog (net/core/watchdog.h), the `netdev` shell command that
 * resets a device or sets its timeout, and the per-queue tx_timeout file. */
#include "net/core/watchdog.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/time.h"
#include "kernel/x86.h"

static u64 next_check_ns;

bool dev_watchdog_due(void)
{
	return ktime_get_ns() >= READ_ONCE(next_check_ns);
}

void dev_watchdog_check(struct net_device *dev, u64 now_ns)
{
	const struct net_device_ops *ops = dev->netdev_ops;
	unsigned int inflight;
	u64 completed;
	unsigned int q;

	if (!(dev->flags & IFF_UP))
		return;
	if (ops->ndo_watchdog)
		ops->ndo_watchdog(dev);
	if (!ops->ndo_tx_inflight || !ops->ndo_tx_timeout)
		return;
	inflight = ops->ndo_tx_inflight(dev, &completed);
	if (!dev->watchdog_timeo_ms || !dev->carrier || !inflight ||
	    completed != dev->wd_completed || !dev->wd_progress_ns) {
		dev->wd_completed = completed;
		dev->wd_progress_ns = now_ns;
		return;
	}
	if (now_ns - dev->wd_progress_ns < (u64)dev->watchdog_timeo_ms * NSEC_PER_MSEC)
		return;
	/* the next timeout needs another full period without progress */
	dev->wd_progress_ns = now_ns;
	q = ops->ndo_tx_timeout(dev);
	/* one queue's count per hang, as Linux's dev_watchdog charges the
	 * first queue it finds timed out: the queues' sum is the device's */
	dev->tx_queue_timeouts[q < NETDEV_TX_QUEUES_MAX ? q : 0]++;
	dev->tx_timeouts++;
}

void dev_watchdog_run(void)
{
	u64 now = ktime_get_ns();
	struct net_device *dev;

	if (now < READ_ONCE(next_check_ns))
		return;
	WRITE_ONCE(next_check_ns, now + DEV_WATCHDOG_PERIOD_MS * NSEC_PER_MSEC);
	for (int i = 0; (dev = netdev_get_by_index(i)); i++)
		dev_watchdog_check(dev, now);
}

int netdev_reset(struct net_device *dev)
{
	if (!dev->netdev_ops->ndo_reset)
		return -EOPNOTSUPP;
	if (!(dev->flags & IFF_UP))
		return -ENETDOWN;
	return dev->netdev_ops->ndo_reset(dev);
}

int netdev_set_watchdog_timeo(struct net_device *dev, unsigned int ms)
{
	if (ms > DEV_WATCHDOG_TIMEO_MAX)
		return -EINVAL;
	WRITE_ONCE(dev->watchdog_timeo_ms, ms);
	dev->wd_progress_ns = 0;        /* the clock restarts */
	return 0;
}
