/* The files of a device's queue directories, /sys/class/net/<dev>/queues/
 * rx-N and tx-N, as Linux's net-sysfs.c gives each kind its own attribute
 * list (rx_queue_default_attrs, netdev_queue_default_attrs): net/core/
 * queues.c lists and serves the ones of each kind; their show and store
 * (fs/view.h view_show_t and view_store_t, args: device, queue) live with
 * the data they show. */
#ifndef NET_CORE_QUEUES_H
#define NET_CORE_QUEUES_H

#include "kernel/types.h"

/* rx-N (net/core/rps.c) */
int rps_cpus_show(char *buf, size_t size, const char *const *args);
int rps_cpus_store(const char *text, const char *const *args);
int rps_flow_cnt_show(char *buf, size_t size, const char *const *args);
int rps_flow_cnt_store(const char *text, const char *const *args);

/* tx-N (net/core/xps.c) */
int xps_cpus_show(char *buf, size_t size, const char *const *args);
int xps_cpus_store(const char *text, const char *const *args);
int tx_timeout_show(char *buf, size_t size, const char *const *args);

#endif
