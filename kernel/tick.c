/* The periodic tick: jiffies, HZ times a second, from the LAPIC timer in
 * APIC mode or from PIT channel 0 on IRQ 0 in 8259 mode.  Also the time
 * keeping self-tests (`selftest=tick`, `selftest=ktime`). */
#include "kernel/time.h"
#include "kernel/apic.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/pit.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/softirq.h"
#include "kernel/softlockup.h"
#include "kernel/x86.h"
#include <stdlib.h>

#define PIT_ISA_IRQ          0
/* selftest tick: measure over half a second of ticks, at least this many */
#define TICKTEST_MIN_TICKS   5
/* selftest ktime: the delay between the two ktime samples */
#define TIMECHECK_MS         500

unsigned int tick_hz = HZ_DEFAULT;
u64 jiffies;

bool (*tick_timer_due)(void);
bool (*tick_net_tx_due)(void);

static int tick_vector = -1;
static unsigned int irqs_per_tick = 1;    /* the PIT cannot go below ~19 Hz */
static unsigned int irq_phase;
static u64 tick_tsc0, tsc_per_tick;       /* TSC at tick_init, TSC ticks per jiffy */

static int set_hz(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < HZ_MIN || n > HZ_MAX)
		return -EINVAL;
	tick_hz = n;
	return 0;
}
CMDLINE_OPT("hz", set_hz, "tick rate in Hz, 10..1000");

/* jiffies follow the TSC, as Linux's tick_do_update_jiffies64() follows
 * its clocksource: an interrupt that was lost or merged (an emulator's vCPU
 * descheduled for longer than a period) is made up by the next one, and
 * the half-period offset absorbs interrupt latency jitter */
u64 jiffies_now(void)
{
	u64 j = READ_ONCE(jiffies), due;

	if (!tsc_per_tick)
		return j;
	/* the ticks that have passed, whole ones only: the start of a wait
	 * must not count a tick that has not happened */
	due = (rdtsc() - tick_tsc0) / tsc_per_tick;
	return due > j ? due : j;
}

static int tick_interrupt(void *ctx)
{
	u64 due;

	(void)ctx;
	/* on every CPU: TX tails a thread left unwritten go out from NET_TX
	 * (net/core/xmit.h, deferred tails) */
	if (tick_net_tx_due && tick_net_tx_due())
		raise_softirq_irqoff(NET_TX_SOFTIRQ);
	/* every CPU's LAPIC timer arrives here; jiffies and the timers are
	 * the boot CPU's (an AP's tick ends its halt, for accounting,
	 * preempts, and feeds its own soft-lockup watchdog) */
	if (smp_processor_id() != 0) {
		sched_tick();
		softlockup_tick();
		return IRQ_HANDLED;
	}
	if (!tsc_per_tick) {
		if (++irq_phase < irqs_per_tick)
			return IRQ_HANDLED;
		irq_phase = 0;
		WRITE_ONCE(jiffies, jiffies + 1);
	} else {
		due = (rdtsc() - tick_tsc0 + tsc_per_tick / 2) / tsc_per_tick;
		if (due > jiffies)
			WRITE_ONCE(jiffies, due);
	}
	/* timers run in the TIMER softirq, from this interrupt's irq_exit */
	if (tick_timer_due && tick_timer_due())
		raise_softirq_irqoff(TIMER_SOFTIRQ);
	sched_tick();
	softlockup_tick();
	return IRQ_HANDLED;
}

static int tick_start_pit(void)
{
	int vector = IRQ_VECTOR_PIC_BASE + PIT_ISA_IRQ, rc;

	/* a 16-bit count at 1.193182 MHz cannot tick slower than ~18.2 Hz:
	 * interrupt at a multiple of HZ and count every irqs_per_tick-th */
	irqs_per_tick = (PIT_HZ / PIT_MAX_COUNT) / HZ + 1;
	rc = irq_set_handler(vector, tick_interrupt, NULL, "tick");
	if (rc)
		return rc;
	rc = pit_periodic_start(HZ * irqs_per_tick);
	if (!rc)
		rc = irq_route_isa(PIT_ISA_IRQ, vector);
	if (rc) {
		irq_remove_handler(vector, tick_interrupt, NULL);
		return rc;
	}
	tick_vector = vector;
	pr_info("tick: %u Hz from the PIT on IRQ 0 (%u Hz, %u per tick)\n", HZ,
		HZ * irqs_per_tick, irqs_per_tick);
	return 0;
}

static int tick_start_lapic(void)
{
	u64 count = lapic_timer_hz() / LAPIC_TIMER_DIVIDE / HZ;
	int rc;

	if (!count || count > LAPIC_TIMER_COUNT_MAX)
		return -ENODEV;
	rc = irq_set_handler(IRQ_VECTOR_TIMER, tick_interrupt, NULL, "tick");
	if (rc)
		return rc;
	lapic_timer_start(count, true, IRQ_VECTOR_TIMER, false);
	tick_vector = IRQ_VECTOR_TIMER;
	pr_info("tick: %u Hz from the LAPIC timer (count %llu, divide %u)\n", HZ,
		(unsigned long long)count, LAPIC_TIMER_DIVIDE);
	return 0;
}

int tick_start_cpu(u64 lapic_hz)
{
	u64 count = lapic_hz / LAPIC_TIMER_DIVIDE / HZ;

	if (tick_vector != IRQ_VECTOR_TIMER || !count || count > LAPIC_TIMER_COUNT_MAX)
		return -ENODEV;
	lapic_timer_start(count, true, IRQ_VECTOR_TIMER, false);
	return 0;
}

int tick_init(void)
{
	int rc;

	tsc_per_tick = tsc_hz() / HZ;
	tick_tsc0 = rdtsc();
	rc = irq_using_8259() ? tick_start_pit() : tick_start_lapic();

	if (rc)
		pr_err("tick: no periodic tick: %s\n", errno_name(rc));
	return rc;
}

/* selftest=tick: count ticks over about half a second, timed by the TSC;
 * prints the numbers for the host to judge */
static int selftest_tick(void)
{
	u64 j0, j1, t0, t1, i0, i1, want = MAX(HZ / 2, TICKTEST_MIN_TICKS);
	u64 limit = tsc_hz();                  /* a second */

	if (irqs_disabled() || tick_vector < 0) {
		pr_err("tick: test: no tick running\n");
		return -ENODEV;
	}
	/* start on a tick edge so both ends are edges */
	j0 = READ_ONCE(jiffies);
	t0 = rdtsc();
	while (READ_ONCE(jiffies) == j0 && rdtsc() - t0 < limit)
		cpu_relax();
	if (READ_ONCE(jiffies) == j0) {
		pr_err("tick: test: no tick within a second\n");
		return -ETIMEDOUT;
	}
	j0 = READ_ONCE(jiffies);
	t0 = rdtsc();
	i0 = irq_count_cpu(tick_vector, smp_processor_id());
	/* halt between ticks: under an emulator a spinning vCPU competes
	 * with the emulator's own timer thread and ticks get lost */
	while ((j1 = READ_ONCE(jiffies)) < j0 + want)
		hlt();
	t1 = rdtsc();
	i1 = irq_count_cpu(tick_vector, smp_processor_id());
	pr_info("tick: test: %llu ticks in %llu us against the TSC (HZ=%u; %llu interrupts on vector %#x, timer %u Hz)\n",
		(unsigned long long)(j1 - j0), (unsigned long long)(tsc_to_ns(t1 - t0) / NSEC_PER_USEC),
		HZ, (unsigned long long)(i1 - i0), tick_vector, HZ * irqs_per_tick);
	return 0;
}
SELFTEST("tick", selftest_tick, "jiffies and tick interrupts over ~0.5 s against the TSC");

/* selftest=ktime: ktime across mdelay(500), for the host to compare with
 * its own clock */
static int selftest_ktime(void)
{
	u64 a, b;

	a = ktime_get_ns();
	pr_info("ktime: test: ktime %llu ns\n", (unsigned long long)a);
	mdelay(TIMECHECK_MS);
	b = ktime_get_ns();
	pr_info("ktime: test: ktime %llu ns (%llu us later)\n", (unsigned long long)b,
		(unsigned long long)((b - a) / NSEC_PER_USEC));
	return b > a ? 0 : -EIO;
}
SELFTEST("ktime", selftest_ktime, "ktime before and after mdelay(500)");
