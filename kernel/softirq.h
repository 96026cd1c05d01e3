/* Softirqs: deferred work run after a hard interrupt returns (the "bottom
 * half"), with interrupts enabled, on the CPU that raised it.
 *
 * A hard IRQ handler does the minimum (acknowledge, mask, raise_softirq) and
 * the rest of the work runs from irq_exit(): do_softirq() serves the pending
 * vectors, re-checking for newly raised ones at most MAX_SOFTIRQ_RESTART
 * rounds or MAX_SOFTIRQ_TIME_NS, and leaves whatever is still pending to
 * ksoftirqd_run(), which the idle loop calls (our stand-in for Linux's
 * per-CPU ksoftirqd thread).  Vector names and order are Linux's, so the
 * /proc/softirqs text has Linux's layout.
 *
 * Interrupts are disabled only around the pending mask; handlers run with
 * interrupts enabled and never nest on one CPU (in_softirq() is true while
 * they run, and an interrupt arriving then leaves its softirqs pending for
 * the running loop). */
#ifndef KERNEL_SOFTIRQ_H
#define KERNEL_SOFTIRQ_H

#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/types.h"

enum softirq_vector {
	HI_SOFTIRQ = 0,
	TIMER_SOFTIRQ,
	NET_TX_SOFTIRQ,
	NET_RX_SOFTIRQ,
	BLOCK_SOFTIRQ,
	IRQ_POLL_SOFTIRQ,
	TASKLET_SOFTIRQ,
	SCHED_SOFTIRQ,
	HRTIMER_SOFTIRQ,
	RCU_SOFTIRQ,
	NR_SOFTIRQS
};

/* Linux kernel/softirq.c: at most this many rounds per do_softirq() ... */
#define MAX_SOFTIRQ_RESTART 10
/* ... and at most this long, before the rest is left to ksoftirqd */
#define MAX_SOFTIRQ_TIME_NS (2 * 1000 * 1000ULL)

/* bh nesting count units (Linux preempt_count): serving softirqs adds
 * SOFTIRQ_OFFSET, each local_bh_disable() adds SOFTIRQ_DISABLE_OFFSET */
#define SOFTIRQ_OFFSET         1U
#define SOFTIRQ_DISABLE_OFFSET (2 * SOFTIRQ_OFFSET)

/* "NET_RX" etc., indexed by enum softirq_vector */
extern const char *const softirq_to_name[NR_SOFTIRQS];

/* Install the handler of vector nr (once, at init). */
void open_softirq(unsigned int nr, void (*action)(void));

/* Mark vector nr pending on this CPU.  Safe from any context, including
 * hard IRQ handlers.  Outside interrupt context it also wakes ksoftirqd,
 * since no irq_exit() will come to run it. */
void raise_softirq(unsigned int nr);
/* the same, for callers that already run with interrupts disabled */
void raise_softirq_irqoff(unsigned int nr);

/* the pending mask of this CPU (bit nr = vector nr) */
u32 local_softirq_pending(void);

/* Run pending softirqs now, unless this CPU is already in interrupt or
 * softirq context (then the running loop or irq_exit() will see them). */
void do_softirq(void);

/* The softirq part of irq_exit(): called with interrupts disabled as a hard
 * interrupt returns, after its nesting count has been dropped (in_irq() is
 * false again for the outermost interrupt).  Runs pending softirqs unless
 * the interrupt nested or hit softirq context.  Returns with interrupts
 * disabled. */
void softirq_irq_exit(void);

/* The ksoftirqd stand-in: serve softirqs left pending by do_softirq()'s
 * bounds (or raised outside interrupt context).  Call from the idle loop
 * with interrupts enabled; returns true if it ran any. */
bool ksoftirqd_run(void);
/* wake this CPU's ksoftirqd thread, if it has one (kernel/kthread.c) */
void ksoftirqd_wake(void);

/* true while serving softirqs or with bottom halves disabled */
bool in_softirq(void);
/* true only while softirq handlers run */
bool in_serving_softirq(void);
/* hard IRQ or softirq context */
bool in_interrupt(void);

/* per-CPU counters */
struct softirq_stat {
	u64 count[NR_SOFTIRQS];    /* handler runs per vector (/proc/softirqs) */
	u64 raised[NR_SOFTIRQS];   /* raise_softirq calls per vector */
	u64 restarts;              /* extra rounds inside one do_softirq */
	u64 deferred;              /* times work was left to ksoftirqd (bounds hit) */
	u64 ksoftirqd_runs;        /* ksoftirqd_run() calls that ran softirqs */
};

/* a CPU's softirq state (kernel/softirq.c); here for
 * local_bh_enable_inline below */
struct softirq_cpu {
	u32 pending;          /* raised vectors; changed only with interrupts off */
	u32 bh_count;         /* SOFTIRQ_OFFSET / SOFTIRQ_DISABLE_OFFSET units */
	struct softirq_stat stat;
};
DECLARE_PER_CPU(struct softirq_cpu, softirq_cpus);

/* Disable/enable softirq processing on this CPU (nestable).  The final
 * local_bh_enable() runs softirqs raised meanwhile. */
void local_bh_disable(void);

/* local_bh_enable inline, for a path that runs once per datagram and
 * pays the call's return (under QEMU's TCG a lookup of the next
 * translated block): the socket layer's datagram read and send.  The
 * rest call local_bh_enable, which stays out of line (noinline), so that
 * the inlined code stays where it pays: with it inline everywhere, gcc's
 * link-time inliner stopped inlining other small functions of the frame
 * path (qdisc_unlock, the core lock's release), and the callback echo
 * made as many calls as before */
static inline void local_bh_enable_inline(void)
{
	struct softirq_cpu *sc = this_cpu_ptr(&softirq_cpus);

	barrier();
	sc->bh_count -= SOFTIRQ_DISABLE_OFFSET;
	if (unlikely(!sc->bh_count && READ_ONCE(sc->pending)) && !in_irq())
		do_softirq();
}

void local_bh_enable(void);

/* counters of one CPU, or NULL for a CPU that does not exist */
const struct softirq_stat *softirq_stat_cpu(unsigned int cpu);
/* Linux's name for count[nr] of cpu */
u64 kstat_softirqs_cpu(unsigned int nr, unsigned int cpu);

/* Format the /proc/softirqs table (Linux layout) into buf; returns the
 * length it needed, as snprintf does. */
int softirq_proc_show(char *buf, size_t size);

#endif
