/* The soft-lockup watchdog (kernel/softlockup.h): progress is a call of
 * softlockup_touch() from the softirq loop; the tick counts the jiffies
 * since and, every softlockup_thresh seconds of them, reports the code it
 * interrupted.  Also `selftest=softlockup`, which spins with interrupts on
 * until the watchdog reports it. */
#include "kernel/softlockup.h"
#include "kernel/backtrace.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/idt.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdlib.h>
#include <string.h>

/* selftest: give up when no report came within this many thresholds (+1 s) */
#define SELFTEST_THRESHOLDS 3

struct softlockup_cpu {
	bool armed;             /* touched at least once */
	u64 touched;            /* jiffies at the last touch */
	u64 ticks;              /* ticks taken since the last touch */
	u64 seen;               /* jiffies at the last tick counted */
};

static struct softlockup_cpu softlockup_cpus[NR_CPUS];
static unsigned int softlockup_thresh = SOFTLOCKUP_THRESH_DEFAULT;
static bool softlockup_panic;
static u64 softlockups;

static int set_thresh(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 0 || n > SOFTLOCKUP_THRESH_MAX)
		return -EINVAL;
	softlockup_thresh = n;
	return 0;
}
CMDLINE_OPT("softlockup_thresh", set_thresh,
	    "seconds without softirq progress before a soft lockup report; 0 = off (default 20)");

static int set_panic(const char *v)
{
	if (!strcmp(v, "0"))
		softlockup_panic = false;
	else if (!strcmp(v, "1"))
		softlockup_panic = true;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_OPT("softlockup_panic", set_panic, "after a soft lockup report: 0 carry on (default), 1 panic");

void softlockup_touch(void)
{
	struct softlockup_cpu *c = &softlockup_cpus[smp_processor_id()];

	u64 now = READ_ONCE(jiffies);

	WRITE_ONCE(c->touched, now);
	/* count from the next jiffy on: a tick interrupt that does not move
	 * jiffies (the PIT's second per jiffy) must not count as one, so the
	 * report comes softlockup_thresh whole jiffies-seconds after this */
	WRITE_ONCE(c->seen, now);
	WRITE_ONCE(c->ticks, 0);
	WRITE_ONCE(c->armed, true);
}

u64 softlockup_count(void)
{
	return READ_ONCE(softlockups);
}

static void softlockup_report(struct softlockup_cpu *c)
{
	const struct trap_frame *tf = get_irq_regs();
	u64 stuck = (READ_ONCE(jiffies) - c->touched) / HZ;

	softlockups++;
	printk(KERN_EMERG "BUG: soft lockup - CPU#%u stuck for %llus! [%s]\n",
	       smp_processor_id(), (unsigned long long)stuck,
	       in_serving_softirq() ? "in softirq" : "process context");
	if (softlockup_panic)
		panic_trap(tf, "softlockup: hung tasks");
	if (!tf)
		return;
	show_regs(tf);
	printk(KERN_EMERG "Call Trace:\n");
	backtrace_print(tf->rip, tf->rbp, tf->rsp);
	printk(KERN_EMERG "---[ end soft lockup ]---\n");
}

void softlockup_tick(void)
{
	struct softlockup_cpu *c = &softlockup_cpus[smp_processor_id()];
	u64 limit = (u64)softlockup_thresh * HZ;

	u64 now = READ_ONCE(jiffies);

	if (!limit || !c->armed || now == c->seen)
		return;
	/* one per tick interrupt that moved jiffies, not jiffies themselves:
	 * an emulator that descheduled the whole machine for a while (jiffies
	 * jump to catch up) is no lockup; and the PIT may interrupt several
	 * times per jiffy */
	c->seen = now;
	if (++c->ticks % limit == 0)
		softlockup_report(c);
}

/* selftest=softlockup: spin with interrupts on, in a function of its own
 * that the report's backtrace must name, until the tick reports */
static __attribute__((noinline)) int softlockup_selftest_spin(u64 before, u64 tsc_limit)
{
	u64 t0 = rdtsc();

	while (softlockup_count() == before && rdtsc() - t0 < tsc_limit)
		cpu_relax();
	return softlockup_count() == before ? -ETIMEDOUT : 0;
}

static int selftest_softlockup(void)
{
	u64 limit = tsc_hz() * (SELFTEST_THRESHOLDS * softlockup_thresh + 1);
	int rc;

	if (!softlockup_thresh) {
		pr_err("softlockup: test: the watchdog is off (softlockup_thresh=0)\n");
		return -ENODEV;
	}
	if (irqs_disabled()) {
		pr_err("softlockup: test: interrupts are off: no tick\n");
		return -EINVAL;
	}
	softlockup_touch();
	pr_info("softlockup: test: spinning with interrupts on (threshold %u s)\n",
		softlockup_thresh);
	rc = softlockup_selftest_spin(softlockup_count(), limit);
	softlockup_touch();
	if (!rc)
		pr_info("softlockup: test: reported, still running\n");
	return rc;
}
SELFTEST("softlockup", selftest_softlockup,
	 "spin with interrupts on until the soft-lockup watchdog reports it");

/* the same under the name issue 13 gives it (selftest=lockup) */
static int selftest_lockup(void)
{
	return selftest_softlockup();
}
SELFTEST("lockup", selftest_lockup, "the same as softlockup");
