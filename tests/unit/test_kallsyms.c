/* tools/gen-kallsyms.sh and symbol_lookup(): a table generated from a fixed
 * `nm -n` listing (tests/unit/kallsyms_fixture.nm), looked up as the
 * kernel does. */
#include <check.h>
#include <string.h>
#include "kernel/kallsyms.h"
#include "check_main.h"

/* kernel/kallsyms.c refers to the image bounds; kernel_text_address() is
 * not tested here, so these only satisfy the linker */
const char __image_start[1], __text_end[1];

#define TEXT 0xffffffff80100000UL

START_TEST(test_table_shape)
{
	/* _start, helper, weak_fn, last_fn.cold: data, absolute, aliases and
	 * symbols from __text_end on are left out */
	ck_assert_uint_eq(kallsyms_count(), 4);
}
END_TEST

START_TEST(test_lookup_exact_and_inside)
{
	unsigned long off, size;

	ck_assert_str_eq(symbol_lookup(TEXT, &off, &size), "_start");
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(size, 0x40);
	ck_assert_str_eq(symbol_lookup(TEXT + 0x3f, &off, &size), "_start");
	ck_assert_uint_eq(off, 0x3f);
	ck_assert_str_eq(symbol_lookup(TEXT + 0x71, &off, &size), "weak_fn");
	ck_assert_uint_eq(off, 1);
	/* the rodata symbol between text symbols does not split weak_fn */
	ck_assert_uint_eq(size, 0xb0);
}
END_TEST

START_TEST(test_aliases_prefer_global)
{
	unsigned long off, size;

	ck_assert_str_eq(symbol_lookup(TEXT + 0x40, &off, &size), "helper");
	ck_assert_uint_eq(size, 0x30);
	/* the first name at an address wins when both are global */
	ck_assert_str_eq(symbol_lookup(TEXT + 1, NULL, NULL), "_start");
}
END_TEST

START_TEST(test_bounds)
{
	unsigned long off = 7, size = 7;

	ck_assert_ptr_null(symbol_lookup(TEXT - 1, &off, &size));
	ck_assert_uint_eq(off, 7);
	/* the last symbol ends at __text_end */
	ck_assert_str_eq(symbol_lookup(TEXT + 0x1ff, &off, &size), "last_fn.cold");
	ck_assert_uint_eq(size, 0xe0);
	ck_assert_ptr_null(symbol_lookup(TEXT + 0x200, NULL, NULL));
	ck_assert_ptr_null(symbol_lookup(0, NULL, NULL));
}
END_TEST

START_TEST(test_format)
{
	char buf[KSYM_FORMAT_MAX];

	ck_assert_str_eq(symbol_format(buf, sizeof(buf), TEXT + 0x4c), "helper+0xc/0x30");
	ck_assert_str_eq(symbol_format(buf, sizeof(buf), TEXT + 0x70), "weak_fn+0x0/0xb0");
	ck_assert_str_eq(symbol_format(buf, sizeof(buf), 0x1234), "0x1234");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kallsyms");
	TCase *tc = tcase_create("lookup");

	tcase_add_test(tc, test_table_shape);
	tcase_add_test(tc, test_lookup_exact_and_inside);
	tcase_add_test(tc, test_aliases_prefer_global);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
