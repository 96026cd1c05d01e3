/* Time: a TSC-based monotonic clock in nanoseconds, delays, and the
 * calibrated rates of the TSC and the LAPIC timer (kernel/clock.c). */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include "kernel/types.h"

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL

/* nanoseconds since the kernel's first instruction; 0 until the TSC is calibrated */
u64 ktime_get_ns(void);
/* TSC ticks per second, 0 until calibrated */
u64 tsc_hz(void);
/* convert a TSC delta to nanoseconds (0 before calibration) */
u64 tsc_to_ns(u64 delta);
/* busy-wait; accurate once calibrated, approximate (port 0x80 writes) before */
void udelay(u64 us);
void mdelay(u64 ms);

/* the TSC read by the very first instruction of boot/entry.S */
extern u64 boot_tsc;

#endif
