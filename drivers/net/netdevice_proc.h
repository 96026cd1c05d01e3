/* Interfaces that /proc/net/dev and /sys/class/net show beside the
 * net_devices (drivers/net/netdevice_proc.c). */
#ifndef DRIVERS_NET_NETDEVICE_PROC_H
#define DRIVERS_NET_NETDEVICE_PROC_H

#include "drivers/net/netdevice.h"

/* The idx-th interface that is not a net_device (lwIP's loopback "lo"):
 * its name and counters; 0, or -ENOENT past the last.  Listed before the
 * net_devices, as Linux lists lo first.  A weak default has none; the
 * network stack's glue provides the real one. */
int netdev_proc_extra(unsigned int idx, char *name, size_t size,
		      struct rtnl_link_stats64 *stats);

/* The counters of the interface called name, a net_device or an extra,
 * as /proc/net/dev shows them (ip -s link); 0 or -ENODEV. */
int netdev_proc_find(const char *name, struct rtnl_link_stats64 *st);

#endif
