/* The 8254 programmable interval timer (kernel/pit.c): channel 2 as a
 * polled one-shot for calibration, channel 0 as the periodic tick of the
 * 8259 mode. */
#ifndef KERNEL_PIT_H
#define KERNEL_PIT_H

#include "kernel/types.h"

/* 8254 input clock: 14.31818 MHz / 12 */
#define PIT_HZ 1193182ULL
/* the largest count a 16-bit counter holds */
#define PIT_MAX_COUNT 0xffff

/* start channel 2 counting down count ticks (gate on, speaker off) */
void pit_oneshot_start(u16 count);
/* true once channel 2 reached terminal count (OUT2 high) */
bool pit_oneshot_done(void);
/* channel 2's current count (latched, so both bytes belong together); it
 * keeps counting down, modulo 2^16, past terminal count */
u16 pit_oneshot_read(void);
/* channel 0 as a rate generator at hz (IRQ 0); -EINVAL if out of range */
int pit_periodic_start(unsigned int hz);

#endif
