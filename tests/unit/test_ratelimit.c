/* kernel/ratelimit.c: burst messages per interval, the rest counted and
 * reported when the next interval starts; the host clock stub drives time. */
#include <check.h>
#include "kernel/ratelimit.h"
#include "host_stubs.h"
#include "check_main.h"

#define MS 1000000ULL

static void setup(void)
{
	host_clock_ns = 1000 * MS;
	host_clock_step_ns = 0;
	host_printk_quiet = true;
}

START_TEST(burst_per_interval)
{
	DEFINE_RATELIMIT_STATE(rs, 5000, 10);
	unsigned int ok = 0;

	for (int i = 0; i < 100; i++)
		ok += __ratelimit(&rs);
	ck_assert_uint_eq(ok, 10);
	ck_assert_uint_eq(rs.missed_total, 90);
	ck_assert_uint_eq(rs.reported_total, 0);
	/* still inside the 5 s window */
	host_clock_ns += 4999 * MS;
	ck_assert(!__ratelimit(&rs));
	/* a new window: ten more, and the 91 held back are reported */
	host_clock_ns += 1 * MS;
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += __ratelimit(&rs);
	ck_assert_uint_eq(ok, 10);
	ck_assert_uint_eq(rs.reported_total, 91);
	ck_assert_uint_eq(rs.missed_total, 101);
}
END_TEST

/* a quiet call site prints every message; interval 0 never limits */
START_TEST(slow_caller_and_no_limit)
{
	DEFINE_RATELIMIT_STATE(rs, 1000, 2);
	DEFINE_RATELIMIT_STATE(off, 0, 0);

	for (int i = 0; i < 50; i++) {
		ck_assert(__ratelimit(&rs));
		host_clock_ns += 600 * MS;
		ck_assert(__ratelimit(&off));
	}
	ck_assert_uint_eq(rs.missed_total, 0);
}
END_TEST

/* the macro keeps one state per call site and returns printk's count */
static int say(void)
{
	return printk_ratelimited(KERN_INFO "junk connection %d\n", 1);
}

START_TEST(macro_per_call_site)
{
	unsigned int printed = 0;

	/* printk returns the characters it wrote, the macro 0 when it held
	 * the message back */
	host_printk_quiet = false;
	for (int i = 0; i < 30; i++)
		printed += say() > 0;
	ck_assert_uint_eq(printed, RATELIMIT_BURST_DEFAULT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, burst_per_interval);
	tcase_add_test(tc, slow_caller_and_no_limit);
	tcase_add_test(tc, macro_per_call_site);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
