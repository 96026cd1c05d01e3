/* Softirqs: the per-CPU pending mask, the bounded service loop run from
 * irq_exit(), and the ksoftirqd stand-in the idle loop calls.  See
 * kernel/softirq.h for the contract. */
#include "lib/bitops.h"
#include "lib/seq_buf.h"
#include "fs/view.h"
#include "kernel/softirq.h"
#include "kernel/irq.h"
#include "kernel/cpustat.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/softlockup.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdio.h>

const char *const softirq_to_name[NR_SOFTIRQS] = {
	[HI_SOFTIRQ] = "HI",         [TIMER_SOFTIRQ] = "TIMER",
	[NET_TX_SOFTIRQ] = "NET_TX", [NET_RX_SOFTIRQ] = "NET_RX",
	[BLOCK_SOFTIRQ] = "BLOCK",   [IRQ_POLL_SOFTIRQ] = "IRQ_POLL",
	[TASKLET_SOFTIRQ] = "TASKLET", [SCHED_SOFTIRQ] = "SCHED",
	[HRTIMER_SOFTIRQ] = "HRTIMER", [RCU_SOFTIRQ] = "RCU",
};

static void (*softirq_vec[NR_SOFTIRQS])(void);
/* each CPU's own (kernel/percpu.h): zero is the right start */
DEFINE_PER_CPU(struct softirq_cpu, softirq_cpus);

static struct softirq_cpu *this_cpu(void)
{
	return this_cpu_ptr(&softirq_cpus);
}

void open_softirq(unsigned int nr, void (*action)(void))
{
	if (nr >= NR_SOFTIRQS)
		return;
	softirq_vec[nr] = action;
}

u32 local_softirq_pending(void)
{
	return READ_ONCE(this_cpu()->pending);
}

bool in_softirq(void)
{
	return READ_ONCE(this_cpu()->bh_count) != 0;
}

bool in_serving_softirq(void)
{
	return READ_ONCE(this_cpu()->bh_count) & SOFTIRQ_OFFSET;
}

bool in_interrupt(void)
{
	return in_irq() || in_softirq();
}

/* this CPU's ksoftirqd thread (kernel/kthread.c); a weak no-op where there
 * are no threads (host tests), and the idle loop calls ksoftirqd_run() too */
__attribute__((weak)) void ksoftirqd_wake(void)
{
}

/* Counted so a test and the stats can see the deferral. */
static void wakeup_softirqd(struct softirq_cpu *sc)
{
	sc->stat.deferred++;
	ksoftirqd_wake();
}

void raise_softirq_irqoff(unsigned int nr)
{
	struct softirq_cpu *sc = this_cpu();

	if (nr >= NR_SOFTIRQS)
		return;
	sc->pending |= 1U << nr;
	sc->stat.raised[nr]++;
	/* in interrupt context irq_exit() or the running loop will serve it */
	if (!in_interrupt())
		wakeup_softirqd(sc);
}

void raise_softirq(unsigned int nr)
{
	unsigned long flags = local_irq_save();

	raise_softirq_irqoff(nr);
	local_irq_restore(flags);
}

/* Serve the pending vectors; entered and left with interrupts disabled.
 * Handlers run with interrupts enabled, in vector order, each pending one
 * once per round; vectors raised meanwhile get further rounds within the
 * restart and time bounds, the rest stays pending for ksoftirqd. */
static void softirq_handle(struct softirq_cpu *sc)
{
	u64 end = ktime_get_ns() + MAX_SOFTIRQ_TIME_NS;
	int rounds_left = MAX_SOFTIRQ_RESTART;
	enum cpu_usage_stat prev = cpustat_switch(CPUTIME_SOFTIRQ);
	u32 pending;

	sc->bh_count += SOFTIRQ_OFFSET;
	for (;;) {
		pending = sc->pending;
		sc->pending = 0;
		local_irq_enable();
		while (pending) {
			unsigned int nr = __ffs64(pending);

			pending &= pending - 1;
			sc->stat.count[nr]++;
			if (softirq_vec[nr])
				softirq_vec[nr]();
		}
		local_irq_disable();
		if (!sc->pending)
			break;
		if (--rounds_left == 0 || ktime_get_ns() >= end) {
			wakeup_softirqd(sc);
			break;
		}
		sc->stat.restarts++;
	}
	sc->bh_count -= SOFTIRQ_OFFSET;
	cpustat_switch(prev);
}

void do_softirq(void)
{
	struct softirq_cpu *sc = this_cpu();
	unsigned long flags;

	if (in_interrupt())
		return;
	flags = local_irq_save();
	if (sc->pending)
		softirq_handle(sc);
	local_irq_restore(flags);
}

void softirq_irq_exit(void)
{
	struct softirq_cpu *sc = this_cpu();

	if (in_irq() || sc->bh_count || !sc->pending)
		return;
	softirq_handle(sc);
}

bool ksoftirqd_run(void)
{
	struct softirq_cpu *sc = this_cpu();
	bool ran = false;

	local_irq_disable();
	/* back in the loop: the soft-lockup watchdog's sign of progress */
	softlockup_touch();
	if (sc->pending && !sc->bh_count) {
		sc->stat.ksoftirqd_runs++;
		softirq_handle(sc);
		ran = true;
	}
	local_irq_enable();
	return ran;
}

void local_bh_disable(void)
{
	struct softirq_cpu *sc = this_cpu();

	/* a plain add: only this CPU changes its count, and an interrupt
	 * arriving in between restores it before returning */
	sc->bh_count += SOFTIRQ_DISABLE_OFFSET;
	barrier();
}

/* out of line everywhere (kernel/softirq.h says why) */
__noinline void local_bh_enable(void)
{
	local_bh_enable_inline();
}

const struct softirq_stat *softirq_stat_cpu(unsigned int cpu)
{
	if (cpu >= nr_cpu_ids_online())
		return NULL;
	return &per_cpu(softirq_cpus, cpu).stat;
}

u64 kstat_softirqs_cpu(unsigned int nr, unsigned int cpu)
{
	if (nr >= NR_SOFTIRQS || cpu >= nr_cpu_ids_online())
		return 0;
	return per_cpu(softirq_cpus, cpu).stat.count[nr];
}

int softirq_proc_show(char *buf, size_t size)
{
	struct seq_buf t;
	unsigned int ncpu = nr_cpu_ids_online();

	seq_buf_init(&t, buf, size);

	seq_buf_printf(&t, "%20s", "");
	for (unsigned int c = 0; c < ncpu; c++)
		seq_buf_printf(&t, "CPU%-8u", c);
	seq_buf_printf(&t, "\n");
	for (unsigned int nr = 0; nr < NR_SOFTIRQS; nr++) {
		seq_buf_printf(&t, "%12s:", softirq_to_name[nr]);
		for (unsigned int c = 0; c < ncpu; c++)
			seq_buf_printf(&t, " %10llu",
				    (unsigned long long)per_cpu(softirq_cpus, c).stat.count[nr]);
		seq_buf_printf(&t, "\n");
	}
	return seq_buf_used(&t);
}

static int softirqs_show(char *buf, size_t size, const char *const *args)
{
	(void)args;
	return softirq_proc_show(buf, size);
}
VIEW("/proc/softirqs", softirqs_show);

/* kernel/irq.h's hook, called by irq_dispatch() when the outermost
 * interrupt is done (nesting already dropped), interrupts disabled */
void irq_exit(void)
{
	softirq_irq_exit();
}
