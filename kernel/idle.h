/* The idle loop's halt, with the time spent halted counted (the idle
 * column of /proc/uptime). */
#ifndef KERNEL_IDLE_H
#define KERNEL_IDLE_H

#include "kernel/types.h"

/* sti; hlt with interrupts disabled on entry (no wakeup lost between the
 * caller's last check and the halt); returns after the next interrupt with
 * interrupts enabled */
void idle_halt(void);
/* nanoseconds spent in idle_halt since boot, over all CPUs */
u64 idle_time_ns(void);

#endif
