/* kernel/spinlock_debug.c (LOCK_DEBUG): owner tracking, the IRQ-unsafe
 * report (once per lock, whichever use comes first), held-too-long by the
 * host clock, an unlock by a non-owner, raw locks left alone, recursion
 * panics, and the _irqsave/_bh wrappers' effect on the interrupt flag and
 * the bh count. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "host_stubs.h"
#include "kernel/spinlock.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "check_main.h"

#if !LOCK_DEBUG
#error "this test is built with -DLOCK_DEBUG=1"
#endif

/* kernel/kallsyms.c stand-in: the address in hex */
char *symbol_format(char *buf, size_t size, unsigned long addr);
char *symbol_format(char *buf, size_t size, unsigned long addr)
{
	snprintf(buf, size, "%#lx", addr);
	return buf;
}

static struct spinlock lk;

static void setup(void)
{
	lk = (struct spinlock)SPINLOCK_INIT("unit");
	host_irqs_enabled = true;
	host_irq_depth = 0;
	host_clock_ns = 0;
	host_clock_step_ns = 0;
	host_printk_quiet = true;
}

static void take_in_irq(void *ctx)
{
	(void)ctx;
	spin_lock(&lk);
	spin_unlock(&lk);
}

START_TEST(owner_is_recorded_and_cleared)
{
	spin_lock(&lk);
	ck_assert_uint_eq(lk.owner, 1);           /* CPU 0 + 1 */
	ck_assert(lk.owner_pc != 0);
	ck_assert(spin_is_locked(&lk));
	spin_unlock(&lk);
	ck_assert_uint_eq(lk.owner, 0);
	ck_assert(!spin_is_locked(&lk));
	ck_assert(spin_trylock(&lk));
	ck_assert(!spin_trylock(&lk));
	spin_unlock(&lk);
}
END_TEST

START_TEST(irq_unsafe_reported_once)
{
	u64 r0 = spin_debug_report_count();

	spin_lock(&lk);                         /* interrupts on */
	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0);
	host_irq_simulate(take_in_irq, NULL);   /* and in hard IRQ */
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 1);
	ck_assert(lk.flags & LOCK_F_REPORTED_UNSAFE);
	spin_lock(&lk);
	spin_unlock(&lk);
	host_irq_simulate(take_in_irq, NULL);
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 1);
}
END_TEST

START_TEST(irqsave_use_beside_irq_use_is_safe)
{
	u64 r0 = spin_debug_report_count();
	unsigned long flags;

	host_irq_simulate(take_in_irq, NULL);
	flags = spin_lock_irqsave(&lk);
	ck_assert(!host_irqs_enabled);
	spin_unlock_irqrestore(&lk, flags);
	ck_assert(host_irqs_enabled);
	spin_lock_irq(&lk);
	ck_assert(!host_irqs_enabled);
	spin_unlock_irq(&lk);
	ck_assert(host_irqs_enabled);
	ck_assert_uint_eq(spin_debug_report_count(), r0);
}
END_TEST

START_TEST(irq_first_then_irqs_on_is_reported)
{
	u64 r0 = spin_debug_report_count();

	host_irq_simulate(take_in_irq, NULL);
	spin_lock(&lk);
	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 1);
}
END_TEST

START_TEST(held_too_long_reported_once)
{
	u64 r0 = spin_debug_report_count();

	host_irqs_enabled = false;
	spin_lock(&lk);
	host_clock_ns += (LOCK_HELD_WARN_MS - 1) * NSEC_PER_MSEC;
	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0);
	spin_lock(&lk);
	host_clock_ns += LOCK_HELD_WARN_MS * NSEC_PER_MSEC;
	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 1);
	spin_lock(&lk);
	host_clock_ns += 2 * LOCK_HELD_WARN_MS * NSEC_PER_MSEC;
	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 1);
}
END_TEST

START_TEST(unlock_of_a_free_lock_is_reported)
{
	u64 r0 = spin_debug_report_count();

	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 1);
	ck_assert(!spin_is_locked(&lk));
	/* another CPU's lock: still released (the report is what matters) */
	spin_lock(&lk);
	lk.owner = 2;
	spin_unlock(&lk);
	ck_assert_uint_eq(spin_debug_report_count(), r0 + 2);
	ck_assert(!spin_is_locked(&lk));
}
END_TEST

START_TEST(raw_lock_is_not_checked)
{
	struct spinlock raw = SPINLOCK_INIT_RAW("raw");
	u64 r0 = spin_debug_report_count();

	spin_lock(&raw);
	ck_assert_uint_eq(raw.owner, 0);
	spin_unlock(&raw);
	spin_unlock(&raw);                      /* no report for a raw lock */
	host_irq_simulate(take_in_irq, NULL);
	ck_assert_uint_eq(spin_debug_report_count(), r0);
}
END_TEST

START_TEST(recursion_panics)
{
	spin_lock(&lk);
	spin_lock(&lk);                         /* abort() through panic() */
}
END_TEST

START_TEST(bh_variants_hold_softirqs_off)
{
	ck_assert(!in_softirq());
	spin_lock_bh(&lk);
	ck_assert(in_softirq());
	ck_assert(spin_is_locked(&lk));
	spin_unlock_bh(&lk);
	ck_assert(!in_softirq());
	ck_assert(!spin_is_locked(&lk));
}
END_TEST

static Suite *spinlock_suite(void)
{
	Suite *s = suite_create("spinlock");
	TCase *tc = tcase_create("debug");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, owner_is_recorded_and_cleared);
	tcase_add_test(tc, irq_unsafe_reported_once);
	tcase_add_test(tc, irqsave_use_beside_irq_use_is_safe);
	tcase_add_test(tc, irq_first_then_irqs_on_is_reported);
	tcase_add_test(tc, held_too_long_reported_once);
	tcase_add_test(tc, unlock_of_a_free_lock_is_reported);
	tcase_add_test(tc, raw_lock_is_not_checked);
	tcase_add_test_raise_signal(tc, recursion_panics, SIGABRT);
	tcase_add_test(tc, bh_variants_hold_softirqs_off);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run_suite(spinlock_suite());
}
