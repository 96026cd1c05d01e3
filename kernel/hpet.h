/* The HPET main counter as a calibration reference (kernel/hpet.c). */
#ifndef KERNEL_HPET_H
#define KERNEL_HPET_H

#include "kernel/types.h"

#define FSEC_PER_SEC 1000000000000000ULL

/* map the HPET at phys, check it and start its main counter with every
 * comparator's interrupt off; 0, -ENODEV or -EINVAL */
int hpet_init(u64 phys);
/* the main counter (32 or 64 bits wide: see hpet_counter_mask) */
u64 hpet_read(void);
u64 hpet_counter_mask(void);
/* counter period in femtoseconds; 0 when there is no usable HPET */
u64 hpet_period_fs(void);

#endif
