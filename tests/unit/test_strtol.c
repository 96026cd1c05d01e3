/* lib/strtol.c against the host C library: value and end pointer for a
 * table of inputs in bases 0, 2, 8, 10, 16 and 36 (signs, prefixes,
 * whitespace, overflow).  Ours does not set errno (there is none in the
 * kernel); overflow is visible as the clamped value, like the host's. */
#undef strtol
#undef strtoul
#undef strtoull
#undef atoi
#undef abs
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "bn_libc.h"
#include "check_main.h"

static const char *const inputs[] = {
	"0", "1", "-1", "+1", "42", "-42", "  \t\n 17", "  -17xyz", "+", "-", "", "   ",
	"+-1", "-+1", "007", "08", "0x", "0X1f", "0x1F", "-0x1f", "0xg", "0x 1", "0b101",
	"101", "777", "778", "z", "Z", "zz", "Zz", "1e3", "ff", "FF", "0x7fffffffffffffff",
	"9223372036854775807", "9223372036854775808", "-9223372036854775808",
	"-9223372036854775809", "18446744073709551615", "18446744073709551616",
	"-18446744073709551615", "-18446744073709551616", "99999999999999999999999999",
	"-99999999999999999999999999", "0xffffffffffffffff", "0x10000000000000000",
	"4294967295", "4294967296", "-2147483648", "1234567890abcdef", "  0x  ", "0.5",
	"\v\f\r-3", "12 34", "0000000000000000000000000042",
};
static const int bases[] = { 0, 2, 8, 10, 16, 36 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int mismatches;

static void report(const char *fn, const char *in, int base, const char *what,
		   unsigned long long ours, unsigned long long host)
{
	if (mismatches++ < 20)
		fprintf(stderr, "%s(\"%s\", %d): %s: ours %#llx, host %#llx\n",
			fn, in, base, what, ours, host);
}

START_TEST(strtoull_against_host)
{
	for (size_t i = 0; i < N(inputs); i++)
		for (size_t b = 0; b < N(bases); b++) {
			char *e_ours, *e_host;
			unsigned long long o = bn_strtoull(inputs[i], &e_ours, bases[b]);
			unsigned long long h = strtoull(inputs[i], &e_host, bases[b]);

			if (o != h)
				report("strtoull", inputs[i], bases[b], "value", o, h);
			if (e_ours != e_host)
				report("strtoull", inputs[i], bases[b], "end offset",
				       e_ours - inputs[i], e_host - inputs[i]);
		}
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(strtoul_against_host)
{
	for (size_t i = 0; i < N(inputs); i++)
		for (size_t b = 0; b < N(bases); b++) {
			char *e_ours, *e_host;
			unsigned long o = bn_strtoul(inputs[i], &e_ours, bases[b]);
			unsigned long h = strtoul(inputs[i], &e_host, bases[b]);

			if (o != h)
				report("strtoul", inputs[i], bases[b], "value", o, h);
			if (e_ours != e_host)
				report("strtoul", inputs[i], bases[b], "end offset",
				       e_ours - inputs[i], e_host - inputs[i]);
		}
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(strtol_against_host)
{
	for (size_t i = 0; i < N(inputs); i++)
		for (size_t b = 0; b < N(bases); b++) {
			char *e_ours, *e_host;
			long o = bn_strtol(inputs[i], &e_ours, bases[b]);
			long h = strtol(inputs[i], &e_host, bases[b]);

			if (o != h)
				report("strtol", inputs[i], bases[b], "value", o, h);
			if (e_ours != e_host)
				report("strtol", inputs[i], bases[b], "end offset",
				       e_ours - inputs[i], e_host - inputs[i]);
		}
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(explicit_values)
{
	char *end;

	ck_assert_int_eq(bn_strtol("  -0x1fz", &end, 0), -31);
	ck_assert_str_eq(end, "z");
	ck_assert_int_eq(bn_strtol("0755", &end, 0), 0755);
	ck_assert_int_eq(bn_strtol("0755", &end, 10), 755);
	ck_assert_int_eq(bn_strtol("-9223372036854775808", &end, 10), LONG_MIN);
	ck_assert_str_eq(end, "");
	ck_assert_int_eq(bn_strtol("9223372036854775808", &end, 10), LONG_MAX);
	ck_assert_int_eq(bn_strtol("-99999999999999999999999", NULL, 10), LONG_MIN);
	ck_assert_uint_eq(bn_strtoull("18446744073709551615", NULL, 10), ULLONG_MAX);
	ck_assert_uint_eq(bn_strtoull("18446744073709551616", &end, 10), ULLONG_MAX);
	ck_assert_str_eq(end, "");              /* all digits consumed, even on overflow */
	ck_assert_uint_eq(bn_strtoul("-1", NULL, 10), ULONG_MAX);
	/* no digits: value 0, end at the very start (not after the sign or blanks) */
	const char *blank = "  - ";
	ck_assert_int_eq(bn_strtol(blank, &end, 10), 0);
	ck_assert_ptr_eq(end, blank);
	ck_assert_int_eq(bn_atoi("  -123abc"), -123);
	ck_assert_int_eq(bn_abs(-5), 5);
	ck_assert_int_eq(bn_abs(7), 7);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strtol");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, strtoull_against_host);
	tcase_add_test(tc, strtoul_against_host);
	tcase_add_test(tc, strtol_against_host);
	tcase_add_test(tc, explicit_values);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
