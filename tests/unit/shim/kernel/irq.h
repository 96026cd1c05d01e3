/* Host stand-in for kernel/irq.h (branch cpu) until it lands: only what
 * the softirq and net core code call.  The real header, once present in
 * kernel/, is found first (-I. precedes this directory). */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include "kernel/types.h"

bool in_irq(void);

#endif
