/* The soft-lockup watchdog (kernel/softlockup.h): progress is a call of
 * softlockup_touch() from the softirq loop, a halt or a context switch;
 * each CPU's tick counts the jiffies since and, every softlockup_thresh
 * seconds of them, reports the code it interrupted, in Linux's words
 * ("BUG: soft lockup - CPU#N stuck for Ns! [comm:pid]").  A tick that
 * interrupted code it could preempt (user mode, or a thread at
 * preempt_count() 0 outside softirqs) counts as progress, as Linux's
 * watchdog thread would run there.  Also `selftest=softlockup`, which spins
 * with interrupts on and preemption off until the watchdog reports it,
 * `selftest=lockup_ap`, the same in a thread on the last CPU, and
 * `selftest=lockup_preempt`, a thread there spinning with preemption on,
 * which must not be reported. */
#include "kernel/softlockup.h"
#include "kernel/backtrace.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/idt.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/preempt.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
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
	u64 reports;            /* reports about this CPU */
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
	struct task_struct *t = current;

	softlockups++;
	c->reports++;
	/* Linux's line: the thread the tick interrupted, by name and pid */
	printk(KERN_EMERG "BUG: soft lockup - CPU#%u stuck for %llus! [%s:%d]\n",
	       smp_processor_id(), (unsigned long long)stuck, t ? t->comm : "?", t ? t->pid : -1);
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
	/* Linux's watchdog touches from a thread of the highest priority that
	 * a timer wakes: it runs, and the CPU counts as making progress,
	 * whenever the CPU's code can be preempted (a busy loop in user mode
	 * never is a soft lockup there).  This tick's exit preempts on the
	 * same conditions, so code it could preempt is progress too; only
	 * code that cannot be preempted (a softirq, a spinlock holder, a
	 * preempt_disable section, another interrupt handler) is stuck. */
	if (sched_irq_preemptible(get_irq_regs())) {
		softlockup_touch();
		return;
	}
	if (++c->ticks % limit == 0)
		softlockup_report(c);
}

/* selftest=softlockup: spin with interrupts on, in a function of its own
 * that the report's backtrace must name, until this CPU's tick reports it
 * (a report about another CPU does not end it) */
static __attribute__((noinline)) int softlockup_selftest_spin(u64 tsc_limit)
{
	const u64 *reports = &softlockup_cpus[smp_processor_id()].reports;
	u64 before = READ_ONCE(*reports), t0 = rdtsc();

	while (READ_ONCE(*reports) == before && rdtsc() - t0 < tsc_limit)
		cpu_relax();
	return READ_ONCE(*reports) == before ? -ETIMEDOUT : 0;
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
	/* preemption off, as in a spinlock holder's loop: code the tick could
	 * preempt is no lockup (softlockup_tick) */
	preempt_disable();
	softlockup_touch();
	pr_info("softlockup: test: spinning with interrupts on, preemption off (threshold %u s)\n",
		softlockup_thresh);
	rc = softlockup_selftest_spin(limit);
	softlockup_touch();
	preempt_enable();
	if (!rc)
		pr_info("softlockup: test: reported, still running\n");
	return rc;
}
SELFTEST("softlockup", selftest_softlockup,
	 "spin with interrupts on until the soft-lockup watchdog reports it");

/* selftest=lockup_ap: the same on an application processor, which only
 * that CPU's own tick can see: a thread bound to the last CPU spins there
 * with interrupts on and preemption off (no switch to count as progress),
 * while this one waits for it */
static u64 lockup_thread_limit;

static int lockup_ap_thread(void *data)
{
	int rc;

	(void)data;
	preempt_disable();
	softlockup_touch();
	pr_info("softlockup: test: CPU%u spinning with interrupts on (threshold %u s)\n",
		smp_processor_id(), softlockup_thresh);
	rc = softlockup_selftest_spin(lockup_thread_limit);
	softlockup_touch();
	preempt_enable();
	return rc;
}

/* run fn in a thread bound to the last CPU, spinning up to secs seconds;
 * its result */
static int lockup_thread_run(int (*fn)(void *), u64 secs)
{
	unsigned int n = nr_cpu_ids_online();
	struct task_struct *t;

	if (!softlockup_thresh || n < 2) {
		pr_err("softlockup: test: needs the watchdog on and 2 CPUs\n");
		return -ENODEV;
	}
	lockup_thread_limit = tsc_hz() * secs;
	t = kthread_create(fn, NULL, "lockup_test");
	if (!t)
		return -ENOMEM;
	if (kthread_bind(t, n - 1)) {
		kthread_detach(t);
		return -EINVAL;
	}
	wake_up_process(t);
	return kthread_stop(t);
}

static int selftest_lockup_ap(void)
{
	int rc = lockup_thread_run(lockup_ap_thread,
				   SELFTEST_THRESHOLDS * softlockup_thresh + 1);

	if (!rc)
		pr_info("softlockup: test: CPU%u reported, still running\n",
			nr_cpu_ids_online() - 1);
	return rc;
}
SELFTEST("lockup_ap", selftest_lockup_ap,
	 "a thread on the last CPU spins with preemption off until that CPU's watchdog reports it");

/* selftest=lockup_preempt: the same thread spins with preemption on, for
 * PREEMPT_SPIN_THRESHOLDS thresholds: code the tick could preempt is no
 * soft lockup (softlockup_tick; Linux's watchdog thread would preempt it),
 * so no report may come */
#define PREEMPT_SPIN_THRESHOLDS 2

static int lockup_preempt_thread(void *data)
{
	int rc;

	(void)data;
	softlockup_touch();
	pr_info("softlockup: test: CPU%u spinning %u s with interrupts and preemption on "
		"(threshold %u s)\n", smp_processor_id(), PREEMPT_SPIN_THRESHOLDS * softlockup_thresh,
		softlockup_thresh);
	rc = softlockup_selftest_spin(lockup_thread_limit);
	if (rc != -ETIMEDOUT) {
		pr_err("softlockup: test: CPU%u reported a preemptible spin\n", smp_processor_id());
		return -EIO;
	}
	pr_info("softlockup: test: CPU%u not reported\n", smp_processor_id());
	return 0;
}

static int selftest_lockup_preempt(void)
{
	return lockup_thread_run(lockup_preempt_thread,
				 PREEMPT_SPIN_THRESHOLDS * softlockup_thresh);
}
SELFTEST("lockup_preempt", selftest_lockup_preempt,
	 "a thread on the last CPU spins with preemption on past the threshold: no report");

/* the same under the name issue 13 gives it (selftest=lockup) */
static int selftest_lockup(void)
{
	return selftest_softlockup();
}
SELFTEST("lockup", selftest_lockup, "the same as softlockup");
