/* lib/irqbalance.c: the greedy plan (heaviest vector first onto the least
 * loaded CPU), what never moves (fixed vectors, idle ones), the margin
 * that keeps a balanced placement, CPUs outside the mask. */
#include <check.h>
#include <string.h>
#include "lib/irqbalance.h"
#include "check_main.h"

#define CPU0 1U
#define CPUS2 3U

static void set(struct irqbal_vec *v, int n, const uint64_t *load, const unsigned int *cpu,
		const bool *fixed)
{
	memset(v, 0, sizeof(*v) * (size_t)n);
	for (int i = 0; i < n; i++) {
		v[i].load = load[i];
		v[i].cpu = cpu[i];
		v[i].movable = !(fixed && fixed[i]);
		v[i].id = i;
	}
}

/* the target of the caller's vector id */
static unsigned int target_of(const struct irqbal_vec *v, int n, int id)
{
	for (int i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].target;
	ck_abort_msg("no vector %d", id);
	return 0;
}

/* the plan's per-CPU loads are what its targets add up to */
static void check_sums(const struct irqbal_vec *v, int n, const struct irqbal_result *r)
{
	uint64_t sum[IRQBAL_MAX_CPUS] = { 0 };

	for (int i = 0; i < n; i++)
		sum[v[i].target] += v[i].load;
	for (int c = 0; c < IRQBAL_MAX_CPUS; c++)
		ck_assert_uint_eq(sum[c], r->plan[c]);
}

START_TEST(all_on_cpu0_spread_evenly)
{
	struct irqbal_vec v[4];
	struct irqbal_result r;
	const uint64_t load[] = { 100, 100, 100, 100 };
	const unsigned int cpu[] = { 0, 0, 0, 0 };

	set(v, 4, load, cpu, NULL);
	irqbal_plan(v, 4, CPUS2, &r);
	ck_assert(r.applied);
	ck_assert_int_eq(r.moves, 2);
	ck_assert_uint_eq(r.now[0], 400);
	ck_assert_uint_eq(r.now[1], 0);
	ck_assert_uint_eq(r.plan[0], 200);
	ck_assert_uint_eq(r.plan[1], 200);
	/* ties: the first (by id, equal loads keep their order) stays on
	 * CPU 0, the next goes to the empty CPU 1 */
	ck_assert_uint_eq(target_of(v, 4, 0), 0);
	ck_assert_uint_eq(target_of(v, 4, 1), 1);
	check_sums(v, 4, &r);
}
END_TEST

START_TEST(heaviest_first)
{
	/* longest-first greedy on 2 CPUs: 50 -> 0 (a tie: where it is),
	 * 40 -> 1, 30 -> 1 (40 < 50), 30 -> 0 (50 < 70), 20 -> 1 (70 < 80) */
	struct irqbal_vec v[5];
	struct irqbal_result r;
	const uint64_t load[] = { 20, 30, 50, 30, 40 };
	const unsigned int cpu[] = { 0, 0, 0, 0, 0 };

	set(v, 5, load, cpu, NULL);
	irqbal_plan(v, 5, CPUS2, &r);
	ck_assert(r.applied);
	for (int i = 1; i < 5; i++)
		ck_assert_uint_ge(v[i - 1].load, v[i].load);
	ck_assert_uint_eq(target_of(v, 5, 2), 0);       /* 50 */
	ck_assert_uint_eq(target_of(v, 5, 4), 1);       /* 40 */
	ck_assert_uint_eq(target_of(v, 5, 1), 1);       /* 30: CPU 1 has 40 */
	ck_assert_uint_eq(target_of(v, 5, 3), 0);       /* 30: CPU 0 has 50, CPU 1 70 */
	ck_assert_uint_eq(target_of(v, 5, 0), 1);       /* 20: CPU 1 has 70, CPU 0 80 */
	ck_assert_uint_eq(r.plan[0], 80);
	ck_assert_uint_eq(r.plan[1], 90);
	check_sums(v, 5, &r);
}
END_TEST

START_TEST(balanced_stays)
{
	/* 199 against 195: a fresh greedy would swap two vectors for nothing */
	struct irqbal_vec v[4];
	struct irqbal_result r;
	const uint64_t load[] = { 100, 99, 98, 97 };
	const unsigned int cpu[] = { 0, 0, 1, 1 };

	set(v, 4, load, cpu, NULL);
	irqbal_plan(v, 4, CPUS2, &r);
	ck_assert(!r.applied);
	ck_assert_int_eq(r.moves, 0);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(v[i].target, v[i].cpu);
	ck_assert_uint_eq(r.plan[0], 199);
	ck_assert_uint_eq(r.plan[1], 195);
	ck_assert_mem_eq(r.now, r.plan, sizeof(r.now));
}
END_TEST

START_TEST(margin_is_an_eighth)
{
	struct irqbal_vec v[2];
	struct irqbal_result r;
	/* now 160 on CPU 0; the plan's busiest 140: 8 * 140 = 1120 >= 7 *
	 * 160 = 1120, not enough */
	const uint64_t load[] = { 140, 20 };
	const unsigned int cpu[] = { 0, 0 };
	/* now 161: 1120 < 1127, moved */
	const uint64_t load2[] = { 140, 21 };

	set(v, 2, load, cpu, NULL);
	irqbal_plan(v, 2, CPUS2, &r);
	ck_assert(!r.applied);
	ck_assert_int_eq(r.moves, 0);
	set(v, 2, load2, cpu, NULL);
	irqbal_plan(v, 2, CPUS2, &r);
	ck_assert(r.applied);
	ck_assert_int_eq(r.moves, 1);
	ck_assert_uint_eq(target_of(v, 2, 1), 1);
	check_sums(v, 2, &r);
}
END_TEST

START_TEST(fixed_and_idle_stay)
{
	/* a vector that cannot move weighs on its CPU; an idle movable one
	 * stays where it is even on the busy CPU */
	struct irqbal_vec v[5];
	struct irqbal_result r;
	const uint64_t load[] = { 300, 100, 100, 100, 0 };
	const unsigned int cpu[] = { 0, 0, 0, 0, 0 };
	const bool fixed[] = { true, false, false, false, false };

	set(v, 5, load, cpu, fixed);
	irqbal_plan(v, 5, CPUS2, &r);
	ck_assert(r.applied);
	ck_assert_uint_eq(target_of(v, 5, 0), 0);
	ck_assert_uint_eq(target_of(v, 5, 4), 0);
	/* 100 -> 1, 100 -> 1 (100 < 300), 100: 300 against 200 -> 1 */
	ck_assert_uint_eq(target_of(v, 5, 1), 1);
	ck_assert_uint_eq(target_of(v, 5, 2), 1);
	ck_assert_uint_eq(target_of(v, 5, 3), 1);
	ck_assert_int_eq(r.moves, 3);
	ck_assert_uint_eq(r.plan[0], 300);
	ck_assert_uint_eq(r.plan[1], 300);
	check_sums(v, 5, &r);
}
END_TEST

START_TEST(one_cpu_moves_nothing)
{
	struct irqbal_vec v[3];
	struct irqbal_result r;
	const uint64_t load[] = { 500, 10, 7 };
	const unsigned int cpu[] = { 0, 0, 0 };

	set(v, 3, load, cpu, NULL);
	irqbal_plan(v, 3, CPU0, &r);
	ck_assert(!r.applied);
	ck_assert_int_eq(r.moves, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(v[i].target, 0);
	ck_assert_uint_eq(r.now[0], 517);
	ck_assert_mem_eq(r.now, r.plan, sizeof(r.now));
	irqbal_plan(v, 0, CPUS2, &r);           /* no vectors at all */
	ck_assert(!r.applied);
	ck_assert_int_eq(r.moves, 0);
}
END_TEST

START_TEST(outside_the_mask_moves_in)
{
	/* CPUs 1 and 2 allowed; a light vector on CPU 0 moves in though the
	 * load is balanced otherwise */
	struct irqbal_vec v[3];
	struct irqbal_result r;
	const uint64_t load[] = { 100, 100, 5 };
	const unsigned int cpu[] = { 1, 2, 0 };

	set(v, 3, load, cpu, NULL);
	irqbal_plan(v, 3, 6U, &r);
	ck_assert(r.applied);
	ck_assert_int_eq(r.moves, 1);
	ck_assert_uint_eq(target_of(v, 3, 0), 1);
	ck_assert_uint_eq(target_of(v, 3, 1), 2);
	ck_assert_uint_ne(target_of(v, 3, 2), 0);
	check_sums(v, 3, &r);
}
END_TEST

START_TEST(four_cpus)
{
	/* 8 vectors of falling load from CPU 0 over 4 CPUs: every CPU gets
	 * some, the busiest at most the heaviest vector above the average */
	struct irqbal_vec v[8];
	struct irqbal_result r;
	const uint64_t load[] = { 80, 70, 60, 50, 40, 30, 20, 10 };
	const unsigned int cpu[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	uint64_t max = 0;

	set(v, 8, load, cpu, NULL);
	irqbal_plan(v, 8, 0xfU, &r);
	ck_assert(r.applied);
	for (int c = 0; c < 4; c++) {
		ck_assert_uint_gt(r.plan[c], 0);
		max = r.plan[c] > max ? r.plan[c] : max;
	}
	ck_assert_uint_le(max, 360 / 4 + 80);
	ck_assert_uint_eq(r.plan[0] + r.plan[1] + r.plan[2] + r.plan[3], 360);
	check_sums(v, 8, &r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("irqbalance");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, all_on_cpu0_spread_evenly);
	tcase_add_test(tc, heaviest_first);
	tcase_add_test(tc, balanced_stays);
	tcase_add_test(tc, margin_is_an_eighth);
	tcase_add_test(tc, fixed_and_idle_stay);
	tcase_add_test(tc, one_cpu_moves_nothing);
	tcase_add_test(tc, outside_the_mask_moves_in);
	tcase_add_test(tc, four_cpus);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
