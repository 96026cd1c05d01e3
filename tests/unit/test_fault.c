/* The fault layer (drivers/net/fault.c): a seed reproduces a sequence,
 * each fault's sequence is its own, probabilities hold within bounds,
 * times and interval budget the injections, and bad configurations are
 * refused whole. */
#include <check.h>
#include <string.h>
#include "drivers/net/fault.h"
#include "kernel/errno.h"
#include "check_main.h"

#define TRIALS 2000

static void setup(void)
{
	fault_off_all();
	fault_seed(1);
}

static void record(enum fault_id id, bool *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = fault_should_fail(id);
}

START_TEST(seed_reproduces_the_sequence)
{
	static bool a[TRIALS], b[TRIALS], c[TRIALS];
	int hits = 0;

	fault_seed(42);
	ck_assert_int_eq(fault_set(FAULT_RX_DROP, 300000, FAULT_TIMES_UNLIMITED, 1, 0), 0);
	record(FAULT_RX_DROP, a, TRIALS);
	/* the same seed again: the same injections, whatever other faults drew */
	fault_seed(42);
	ck_assert_int_eq(fault_set(FAULT_IRQ_LOST, 500000, FAULT_TIMES_UNLIMITED, 1, 0), 0);
	for (int i = 0; i < TRIALS; i++) {
		b[i] = fault_should_fail(FAULT_RX_DROP);
		(void)fault_should_fail(FAULT_IRQ_LOST);
	}
	ck_assert_mem_eq(a, b, sizeof(a));
	/* another seed: another sequence */
	fault_seed(43);
	record(FAULT_RX_DROP, c, TRIALS);
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
	for (int i = 0; i < TRIALS; i++)
		hits += a[i];
	ck_assert_int_gt(hits, 0);
}
END_TEST

START_TEST(probability_bounds)
{
	struct fault_attr f;
	int hits = 0;

	/* 0: never, and not even armed */
	ck_assert_int_eq(fault_set(FAULT_RX_DUP, 0, FAULT_TIMES_UNLIMITED, 1, 0), 0);
	ck_assert_uint_eq(fault_armed & BIT(FAULT_RX_DUP), 0);
	for (int i = 0; i < TRIALS; i++)
		ck_assert(!fault_should_fail(FAULT_RX_DUP));
	/* 100 %: always */
	ck_assert_int_eq(fault_set(FAULT_RX_DUP, FAULT_PPM_MAX, FAULT_TIMES_UNLIMITED, 1, 0), 0);
	for (int i = 0; i < TRIALS; i++)
		ck_assert(fault_should_fail(FAULT_RX_DUP));
	/* 10 % over 100000 trials: 10000 +- 5 sigma (sigma ~ 95) */
	ck_assert_int_eq(fault_set(FAULT_RX_DUP, 100000, FAULT_TIMES_UNLIMITED, 1, 0), 0);
	for (int i = 0; i < 100000; i++)
		hits += fault_should_fail(FAULT_RX_DUP);
	ck_assert_int_ge(hits, 9525);
	ck_assert_int_le(hits, 10475);
	fault_get(FAULT_RX_DUP, &f);
	ck_assert_uint_eq(f.calls, 100000);
	ck_assert_uint_eq(f.injected, (u64)hits);
	/* 1 ppm over 100000 trials: at most a handful */
	hits = 0;
	ck_assert_int_eq(fault_set(FAULT_RX_DUP, 1, FAULT_TIMES_UNLIMITED, 1, 0), 0);
	for (int i = 0; i < 100000; i++)
		hits += fault_should_fail(FAULT_RX_DUP);
	ck_assert_int_le(hits, 5);
	/* a random number stays below its bound */
	for (int i = 0; i < TRIALS; i++)
		ck_assert_uint_lt(fault_random(FAULT_RX_CORRUPT, 7), 7);
}
END_TEST

START_TEST(times_budget_and_interval)
{
	struct fault_attr f;
	int hits = 0;

	ck_assert_int_eq(fault_set(FAULT_TX_STALL, FAULT_PPM_MAX, 5, 1, 0), 0);
	for (int i = 0; i < 100; i++)
		hits += fault_should_fail(FAULT_TX_STALL);
	ck_assert_int_eq(hits, 5);
	/* spent: disarmed, the fast path says no without a trial */
	ck_assert_uint_eq(fault_armed & BIT(FAULT_TX_STALL), 0);
	fault_get(FAULT_TX_STALL, &f);
	ck_assert_int_eq(f.times, 0);
	ck_assert_uint_eq(f.injected, 5);
	ck_assert_uint_eq(f.calls, 5);
	/* interval 4 at 100 %: calls 4, 8, 12, ... */
	ck_assert_int_eq(fault_set(FAULT_TX_STALL, FAULT_PPM_MAX, FAULT_TIMES_UNLIMITED, 4, 0), 0);
	for (int i = 1; i <= 40; i++)
		ck_assert_int_eq(fault_should_fail(FAULT_TX_STALL), i % 4 == 0);
	/* off keeps the counts */
	fault_off_all();
	ck_assert_uint_eq(fault_armed, 0);
	fault_get(FAULT_TX_STALL, &f);
	ck_assert_uint_eq(f.injected, 10);
	/* bad settings refused */
	ck_assert_int_eq(fault_set(FAULT_TX_STALL, FAULT_PPM_MAX + 1, 1, 1, 0), -EINVAL);
	ck_assert_int_eq(fault_set(FAULT_TX_STALL, 1, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(fault_set(FAULT_NR, 1, 1, 1, 0), -EINVAL);
	ck_assert_int_eq(fault_set(FAULT_TX_STALL, 1, -2, 1, 0), -EINVAL);
}
END_TEST

START_TEST(probability_syntax)
{
	u32 ppm;

	ck_assert_int_eq(fault_parse_prob("1000ppm", &ppm), 0);
	ck_assert_uint_eq(ppm, 1000);
	ck_assert_int_eq(fault_parse_prob("5%", &ppm), 0);
	ck_assert_uint_eq(ppm, 50000);
	ck_assert_int_eq(fault_parse_prob("100%", &ppm), 0);
	ck_assert_uint_eq(ppm, FAULT_PPM_MAX);
	ck_assert_int_eq(fault_parse_prob("1/50", &ppm), 0);
	ck_assert_uint_eq(ppm, 20000);
	ck_assert_int_eq(fault_parse_prob("1/3", &ppm), 0);
	ck_assert_uint_eq(ppm, 333333);
	ck_assert_int_eq(fault_parse_prob("off", &ppm), 0);
	ck_assert_uint_eq(ppm, 0);
	ck_assert_int_eq(fault_parse_prob("0", &ppm), 0);
	ck_assert_uint_eq(ppm, 0);
	static const char *const bad[] = {
		"", "10", "101%", "1/0", "2/3", "1000001ppm", "-5%", "ppm", "%", "1/", "5 %",
		"0x10ppm", "1e3ppm", "on",
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(fault_parse_prob(bad[i], &ppm) == -EINVAL, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(configure_all_or_nothing)
{
	struct fault_attr f;
	char err[96];

	ck_assert_int_eq(fault_configure("rx_drop:1%,dd_delay:1/10:7:5", err, sizeof(err)), 0);
	fault_get(FAULT_RX_DROP, &f);
	ck_assert_uint_eq(f.prob_ppm, 10000);
	ck_assert_int_eq(f.times, FAULT_TIMES_UNLIMITED);
	fault_get(FAULT_DD_DELAY, &f);
	ck_assert_uint_eq(f.prob_ppm, 100000);
	ck_assert_int_eq(f.times, 7);
	ck_assert_uint_eq(f.param, 5);
	ck_assert_uint_eq(fault_param(FAULT_DD_DELAY), 5);
	/* one bad item: nothing changes, and the reason names it */
	ck_assert_int_eq(fault_configure("rx_drop:50%,bogus:1%", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bogus"));
	fault_get(FAULT_RX_DROP, &f);
	ck_assert_uint_eq(f.prob_ppm, 10000);
	ck_assert_int_eq(fault_configure("rx_drop:lots", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "lots"));
	ck_assert_int_eq(fault_configure("rx_drop", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(fault_configure("rx_drop:1%:x", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(fault_configure("rx_drop:1%:1:0", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(fault_configure("rx_drop:1%:1:1:1", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(fault_configure("", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(fault_configure("rx_drop:1%,", NULL, 0), -EINVAL);
	fault_get(FAULT_RX_DROP, &f);
	ck_assert_uint_eq(f.prob_ppm, 10000);
	/* names both ways */
	for (int i = 0; i < FAULT_NR; i++)
		ck_assert_int_eq(fault_lookup(fault_name(i)), i);
	ck_assert_int_eq(fault_lookup("rx_drops"), -ENOENT);
	ck_assert_ptr_null(fault_name(FAULT_NR));
	/* defaults of the parameters */
	ck_assert_int_eq(fault_set(FAULT_RX_EXHAUST, 1, 1, 1, 0), 0);
	ck_assert_uint_gt(fault_param(FAULT_RX_EXHAUST), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("fault_attr");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, seed_reproduces_the_sequence);
	tcase_add_test(tc, probability_bounds);
	tcase_add_test(tc, times_budget_and_interval);
	tcase_add_test(tc, probability_syntax);
	tcase_add_test(tc, configure_all_or_nothing);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
