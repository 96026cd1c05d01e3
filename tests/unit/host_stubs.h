/* Controls of the host stand-ins in tests/unit/host_stubs.c. */
#ifndef TESTS_UNIT_HOST_STUBS_H
#define TESTS_UNIT_HOST_STUBS_H

#include <stdbool.h>
#include <stdint.h>

/* printk says nothing while set (the fuzz targets: tests/fuzz/fuzz_stubs.c) */
extern bool host_printk_quiet;
/* ktime_get_ns() returns host_clock_ns, then adds host_clock_step_ns */
extern uint64_t host_clock_ns;
extern uint64_t host_clock_step_ns;
/* in_irq() returns host_irq_depth != 0 */
extern int host_irq_depth;
/* kmalloc'd blocks not yet kfree'd; host_kmalloc_fail_after = N makes the
 * Nth kmalloc from now and every later one fail (0: none fail) */
extern long host_kmalloc_live;
extern long host_kmalloc_fail_after;

/* simulate a hard interrupt: in_irq() true while fn(ctx) runs, then the
 * softirq part of irq_exit() with interrupts disabled, as the kernel does */
void host_irq_simulate(void (*fn)(void *ctx), void *ctx);

#endif
