/* lib/parse_num.c: parse_hex_mask32 reads CPU masks as Linux's
 * bitmap_parse does (the files /proc/irq/N/smp_affinity,
 * rx-N/rps_cpus and net.core.flow_limit_cpu_bitmap take), and refuses
 * what Linux refuses, leaving the mask untouched. */
#include <check.h>
#include "lib/parse_num.h"
#include "kernel/errno.h"
#include "check_main.h"

START_TEST(accepts_linux_masks)
{
	static const struct { const char *s; u32 m; } ok[] = {
		{ "3", 0x3 }, { "3\n", 0x3 }, { "f", 0xf }, { "A", 0xa }, { "0", 0 },
		{ "ffffffff", 0xffffffffu }, { "00000000,00000005", 0x5 },
		{ "0,0,c\n", 0xc }, { "0000000e", 0xe },
	};

	for (unsigned int i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		u32 m = 0xdeadbeef;

		ck_assert_msg(parse_hex_mask32(ok[i].s, &m) == 0, "%s refused", ok[i].s);
		ck_assert_uint_eq(m, ok[i].m);
	}
}
END_TEST

START_TEST(refuses_bad_masks)
{
	static const char *const bad[] = {
		"", "\n", "g", "3 ", " 3", "0x3", "1,", ",1", "1,,1", "123456789",
		"1,00000000", "3\n\n", "-1",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u32 m = 0xdeadbeef;

		ck_assert_msg(parse_hex_mask32(bad[i], &m) == -EINVAL, "\"%s\" taken", bad[i]);
		ck_assert_uint_eq(m, 0xdeadbeef);
	}
}
END_TEST

START_TEST(parse_u64_range_bounds)
{
	u64 v = 7;

	ck_assert_int_eq(parse_u64_range("42", 1, 100, &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(parse_u64_range("101", 1, 100, &v), -EINVAL);
	ck_assert_int_eq(parse_u64_range(" 5", 1, 100, &v), -EINVAL);
	ck_assert_uint_eq(v, 42);
}
END_TEST

/* Linux's %*pb of a CPU mask, as /proc/irq/N/smp_affinity and rps_cpus
 * show it: width from the CPU count, commas every 32 bits */
START_TEST(formats_linux_masks)
{
	char buf[64];

	ck_assert_int_eq(format_hex_mask32(buf, sizeof(buf), 0x3, 2), 2);
	ck_assert_str_eq(buf, "3\n");
	ck_assert_int_eq(format_hex_mask32(buf, sizeof(buf), 0x1, 16), 5);
	ck_assert_str_eq(buf, "0001\n");
	ck_assert_int_eq(format_hex_mask32(buf, sizeof(buf), 0x5, 5), 3);
	ck_assert_str_eq(buf, "05\n");
	ck_assert_int_eq(format_hex_mask32(buf, sizeof(buf), 0xffffffff, 32), 9);
	ck_assert_str_eq(buf, "ffffffff\n");
	ck_assert_int_eq(format_hex_mask32(buf, sizeof(buf), 0x80000001, 40), 12);
	ck_assert_str_eq(buf, "00,80000001\n");
	/* bits past nbits are not shown */
	ck_assert_int_eq(format_hex_mask32(buf, sizeof(buf), 0x7, 2), 2);
	ck_assert_str_eq(buf, "3\n");
	/* snprintf's contract: the length needed, a cut NUL-terminated copy */
	ck_assert_int_eq(format_hex_mask32(NULL, 0, 0x1, 16), 5);
	ck_assert_int_eq(format_hex_mask32(buf, 3, 0x1, 16), 5);
	ck_assert_str_eq(buf, "00");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse_num");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, accepts_linux_masks);
	tcase_add_test(tc, refuses_bad_masks);
	tcase_add_test(tc, parse_u64_range_bounds);
	tcase_add_test(tc, formats_linux_masks);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
