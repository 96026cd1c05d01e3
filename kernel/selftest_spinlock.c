/* Self-tests of LOCK_DEBUG (kernel/spinlock_debug.c): each provokes one
 * report on a lock of its own and checks the report count went up; the
 * QEMU test reads the reports' text.  `selftest=spinlock_recursion` takes a
 * lock twice and must panic. */
#include "kernel/apic.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"

#if LOCK_DEBUG

/* test locks, one per kind of report: each guards nothing but itself and
 * is taken only by these tests (thread context; irq_unsafe_lock also in
 * the test's hard IRQ handler, on purpose) */
static struct spinlock irq_unsafe_lock = SPINLOCK_INIT("test_irq_unsafe");
static struct spinlock long_lock = SPINLOCK_INIT("test_held_long");
static struct spinlock contended_lock = SPINLOCK_INIT("test_contended");
static struct spinlock recursion_lock = SPINLOCK_INIT("test_recursion");
static int irq_handler_ran;
static int contended_done;

static int irq_takes_lock(void *ctx)
{
	(void)ctx;
	spin_lock(&irq_unsafe_lock);
	irq_handler_ran++;
	spin_unlock(&irq_unsafe_lock);
	return IRQ_HANDLED;
}

/* on another CPU, in its call-function IPI: hold contended_lock past the
 * spin warning of the CPU that waits for it */
static void hold_contended(void *info)
{
	(void)info;
	spin_lock(&contended_lock);
	mdelay(LOCK_SPIN_WARN_MS + LOCK_SPIN_WARN_MS / 2);
	spin_unlock(&contended_lock);
	/* after the unlock's own report */
	__atomic_store_n(&contended_done, 1, __ATOMIC_RELEASE);
}

static int selftest_spinlock(void)
{
	u64 r0 = spin_debug_report_count();
	unsigned long flags;
	int vector, rc = 0;

	/* IRQ-unsafe: taken with interrupts on here, then by a hard IRQ */
	vector = irq_vector_alloc();
	SELFTEST_CHECK("spinlock", vector > 0);
	SELFTEST_CHECK("spinlock", irq_set_handler(vector, irq_takes_lock, NULL, "locktest") == 0);
	spin_lock(&irq_unsafe_lock);
	spin_unlock(&irq_unsafe_lock);
	SELFTEST_CHECK("spinlock", lapic_send_self_ipi(vector) == 0);
	irq_remove_handler(vector, irq_takes_lock, NULL);
	irq_vector_free(vector);
	SELFTEST_CHECK("spinlock", irq_handler_ran == 1);
	SELFTEST_CHECK("spinlock", spin_debug_report_count() == r0 + 1);

	/* held too long (interrupts off: the tick must not matter) */
	flags = spin_lock_irqsave(&long_lock);
	mdelay(LOCK_HELD_WARN_MS + LOCK_HELD_WARN_MS / 4);
	spin_unlock_irqrestore(&long_lock, flags);
	SELFTEST_CHECK("spinlock", spin_debug_report_count() == r0 + 2);
	/* once per lock */
	flags = spin_lock_irqsave(&long_lock);
	mdelay(LOCK_HELD_WARN_MS + LOCK_HELD_WARN_MS / 4);
	spin_unlock_irqrestore(&long_lock, flags);
	SELFTEST_CHECK("spinlock", spin_debug_report_count() == r0 + 2);

	/* lockup suspected: CPU 1 holds the lock 1.5 s, this CPU spins on it
	 * (also held too long, on CPU 1) */
	if (nr_cpu_ids_online() > 1) {
		SELFTEST_CHECK("spinlock", smp_call_function_single(1, hold_contended, NULL,
								    false) == 0);
		while (!spin_is_locked(&contended_lock))
			cpu_relax();
		flags = spin_lock_irqsave(&contended_lock);
		spin_unlock_irqrestore(&contended_lock, flags);
		while (!__atomic_load_n(&contended_done, __ATOMIC_ACQUIRE))
			cpu_relax();
		SELFTEST_CHECK("spinlock", spin_debug_report_count() == r0 + 4);
	}
	pr_info("spinlock: test: %llu reports\n",
		(unsigned long long)(spin_debug_report_count() - r0));
out:
	return rc;
}
SELFTEST("spinlock", selftest_spinlock,
	 "LOCK_DEBUG reports: IRQ-unsafe use, held too long, lockup suspected (2+ CPUs)");

static int selftest_spinlock_recursion(void)
{
	unsigned long flags = spin_lock_irqsave(&recursion_lock);

	spin_lock(&recursion_lock);             /* panics */
	spin_unlock(&recursion_lock);
	spin_unlock_irqrestore(&recursion_lock, flags);
	pr_err("spinlock: test: a recursion went unnoticed\n");
	return -EIO;
}
SELFTEST("spinlock_recursion", selftest_spinlock_recursion,
	 "take a spinlock twice on one CPU: LOCK_DEBUG reports it and panics");

#endif
