/* The soft-lockup watchdog: a CPU whose tick still runs but that has
 * neither come back to its softirq loop (the idle loop, or a wait loop
 * calling ksoftirqd_run()), switched threads nor halted (idle_halt()) for
 * softlockup_thresh= seconds, and whose tick found code it could not
 * preempt each time, is stuck in a loop with interrupts on -- a softirq
 * handler that never returns, as lwIP's ip6_frag() with a fragment size of
 * 0.  Code the tick could preempt (an application spinning in user mode, a
 * thread at preempt_count() 0: sched_irq_preemptible()) is progress, as on
 * Linux, whose watchdog thread preempts it.  The tick reports it, as Linux's
 * watchdog does ("BUG: soft lockup - CPU#0 stuck for 22s!"), with the
 * registers and the backtrace of the code the tick interrupted; the kernel
 * then carries on (reporting again every threshold while still stuck) or,
 * with softlockup_panic=1, panics.
 *
 * Not covered: a CPU stuck with interrupts off gets no tick (Linux needs an
 * NMI for that hard lockup). */
#ifndef KERNEL_SOFTLOCKUP_H
#define KERNEL_SOFTLOCKUP_H

#include "kernel/types.h"

/* the default threshold, seconds: Linux's 2 * watchdog_thresh */
#define SOFTLOCKUP_THRESH_DEFAULT 20
#define SOFTLOCKUP_THRESH_MAX     3600

/* This CPU made progress: it is in its softirq loop.  Arms the watchdog
 * on the first call (the boot before it may take its time). */
void softlockup_touch(void);

/* Called by the tick interrupt once per jiffy, interrupts off: a touch
 * when the tick interrupted preemptible code, otherwise counts the ticks
 * since the last touch and reports (or panics) at each threshold. */
void softlockup_tick(void);

/* soft lockups reported since boot */
u64 softlockup_count(void);

#endif
