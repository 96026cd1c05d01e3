/* The kernel log ring: everything printk wrote, for `dmesg`. */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include "kernel/types.h"

#define LOG_RING_SIZE (64 * 1024)

/* copy log bytes from *pos on (clamped to the oldest kept); advances *pos */
size_t log_read(u64 *pos, char *buf, size_t size);

#endif
