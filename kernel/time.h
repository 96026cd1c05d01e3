/* Time: a TSC-based monotonic clock in nanoseconds, delays, the calibrated
 * rates of the TSC and the LAPIC timer (kernel/clock.c), and the periodic
 * tick (kernel/tick.c). */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include "kernel/types.h"

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC  1000000000ULL
#define USEC_PER_SEC  1000000ULL
#define MSEC_PER_SEC  1000ULL

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

/* Calibrate the TSC and the LAPIC timer against the HPET (when the ACPI
 * table lists one) or the PIT, then check the LAPIC timer against the TSC.
 * Prints the "timer:" lines.  After lapic_init().  0 or -errno. */
int clock_init(void);
/* the LAPIC timer's input clock in Hz (before its divider), 0 if unknown */
u64 lapic_timer_hz(void);
/* the calling CPU's LAPIC timer input clock in Hz, measured against the
 * reference clock_init used (an AP's own; its timer masked, not running
 * its tick); 0 if it could not be measured or before clock_init */
u64 lapic_timer_calibrate_cpu(void);

/* The periodic tick: jiffies counts ticks since tick_init(), HZ per second
 * (cmdline `hz=`, 10..1000, default HZ_DEFAULT). */
#define HZ_DEFAULT 100
#define HZ_MIN     10
#define HZ_MAX     1000
extern unsigned int tick_hz;
#define HZ tick_hz
/* ticks since tick_init(); written by the tick interrupt: read with READ_ONCE */
extern u64 jiffies;
/* jiffies as the TSC has them now: READ_ONCE(jiffies) can lag when the
 * boot CPU's tick interrupt is late (interrupts off there, an emulator's
 * timer thread starved), and a wait that starts from the stale value and
 * ends on the catching-up tick ends early.  Never below jiffies. */
u64 jiffies_now(void);
/* The TIMER softirq's consumer (lwIP's timeouts, net/lwip/stack.c): when
 * set, each tick raises TIMER_SOFTIRQ if it returns true.  Called in hard
 * IRQ context: a cheap, lock-free check. */
extern bool (*tick_timer_due)(void);
/* set by the network: true when this CPU has TX tails to write (the tick
 * raises NET_TX for them) */
extern bool (*tick_net_tx_due)(void);

/* start the tick: LAPIC timer (APIC mode) or PIT on IRQ 0 (8259 mode);
 * after intc_init() and clock_init(), before interrupts are enabled.
 * jiffies follow the TSC, so interrupts lost or merged are made up. */
int tick_init(void);
/* start this application processor's tick: its LAPIC timer, whose input
 * runs at lapic_hz, periodic at HZ on the tick's vector.  0, or -ENODEV
 * when the boot CPU's tick is not the LAPIC timer or the count is out of
 * range */
int tick_start_cpu(u64 lapic_hz);

#endif
