/* Transmit Packet Steering (Linux XPS): /sys/class/net/<dev>/queues/tx-N/
 * {xps_cpus,tx_timeout} for each TX queue the driver has; a driver with
 * several picks the queue with netdev_pick_tx_queue (drivers/net/
 * netdevice.h) from dev->xps_cpus. */
#ifndef NET_CORE_XPS_H
#define NET_CORE_XPS_H

#include "drivers/net/netdevice.h"

/* the TX queues dev shows, tx-0 .. tx-(n-1); lo (dev NULL) has one */
unsigned int xps_nr_tx_queues(const struct net_device *dev);

/* args: device, "tx-N": the queue's index (dev NULL for lo, which has no
 * net_device), or -ENOENT */
int xps_tx_queue_of(const char *const *args, struct net_device **devp);

#endif
