/* lib/bitops.h against brute-force definitions. */
#include <check.h>
#include <stdint.h>
#include "lib/bitops.h"
#include "check_main.h"

static int slow_fls(uint64_t x)
{
	int n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

static const uint64_t samples[] = {
	1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 127, 128, 129, 2047, 2048, 2049, 4095, 4096,
	4097, 0x7fffffffULL, 0x80000000ULL, 0x80000001ULL, 0xffffffffULL, 0x100000000ULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL, 0x123456789abcdefULL,
};

START_TEST(fls_ffs_log2)
{
	ck_assert_int_eq(fls64(0), 0);
	ck_assert_uint_eq(order_base_2(0), 0);
	ck_assert_uint_eq(order_base_2(1), 0);
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		uint64_t x = samples[i];
		unsigned int lo = 0;

		ck_assert_int_eq(fls64(x), slow_fls(x));
		while (!((x >> lo) & 1))
			lo++;
		ck_assert_uint_eq(__ffs64(x), lo);
		ck_assert_uint_eq(ilog2(x), (unsigned)slow_fls(x) - 1);
		ck_assert(is_power_of_2(x) == (__builtin_popcountll(x) == 1));
		ck_assert_uint_eq(hweight64(x), (unsigned)__builtin_popcountll(x));
		if (x <= (1ULL << 63)) {
			uint64_t r = roundup_pow_of_two(x);
			ck_assert(is_power_of_2(r));
			ck_assert(r >= x);
			ck_assert(r == 1 || r / 2 < x);
			ck_assert_uint_eq(1ULL << order_base_2(x), r);
		}
	}
}
END_TEST

START_TEST(bitmap_ops)
{
	DECLARE_BITMAP(map, 130) = { 0 };

	ck_assert_uint_eq(find_first_zero_bit(map, 130), 0);
	for (unsigned int i = 0; i < 130; i++) {
		ck_assert(!test_bit(i, map));
		set_bit(i, map);
		ck_assert(test_bit(i, map));
		ck_assert_uint_eq(find_first_zero_bit(map, 130), i + 1 < 130 ? i + 1 : 130);
	}
	clear_bit(64, map);
	ck_assert(!test_bit(64, map));
	ck_assert(test_bit(63, map) && test_bit(65, map));
	ck_assert_uint_eq(find_first_zero_bit(map, 130), 64);
	/* bits past size in the last word do not count */
	set_bit(64, map);
	ck_assert_uint_eq(find_first_zero_bit(map, 130), 130);
	ck_assert_uint_eq(find_first_zero_bit(map, 100), 100);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bitops");
	TCase *tc = tcase_create("bitops");

	tcase_add_test(tc, fls_ffs_log2);
	tcase_add_test(tc, bitmap_ops);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
