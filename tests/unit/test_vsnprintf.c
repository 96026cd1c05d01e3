/* lib/vsnprintf.c against the host C library's snprintf: a generated table
 * of flags x widths x precisions x lengths x conversions x values, plus
 * strings, characters, pointers, truncation and the return value. */
#undef snprintf
#undef vsnprintf
#include <check.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include "bn_libc.h"
#include "check_main.h"

#define BUF 512
#define SHOW_MAX 10     /* mismatches printed before only counting */

static long checked;

/* Compare ours with the host's for one call; report a mismatch on stderr. */
#define SAME(fmt, ...) same_one(__FILE__, __LINE__, fmt,                           \
	bn_snprintf(ours, sizeof(ours), fmt, ##__VA_ARGS__), ours,                      \
	snprintf(host, sizeof(host), fmt, ##__VA_ARGS__), host)

static char ours[BUF], host[BUF];
static int mismatches;

static void same_one(const char *file, int line, const char *fmt,
		     int n_ours, const char *s_ours, int n_host, const char *s_host)
{
	checked++;
	if (n_ours == n_host && !strcmp(s_ours, s_host))
		return;
	if (mismatches++ < SHOW_MAX)
		fprintf(stderr, "%s:%d: format \"%s\": ours %d \"%s\", host %d \"%s\"\n",
			file, line, fmt, n_ours, s_ours, n_host, s_host);
}

static const char *const flag_sets[] = {
	"", "-", "0", "+", " ", "#", "-0", "+ ", "-+", "0+", "- ", "#0", "#-", "-#0+ ",
};
static const char *const widths[] = { "", "1", "3", "8", "21", "*" };
static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".19", ".*" };
static const int star_values[] = { 0, 5, -7 };   /* negative width: '-'; negative precision: none */

static const long long values[] = {
	0, 1, -1, 7, -7, 42, -42, 127, -128, 128, 255, 256, 32767, -32768, 65535, 65536,
	INT_MAX, INT_MIN, (long long)UINT_MAX, 0x123456789aLL, -0x123456789aLL,
	LLONG_MAX, LLONG_MIN, 1000000007,
};

enum len { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T, L_COUNT };
static const char *const len_text[L_COUNT] = { "", "hh", "h", "l", "ll", "z", "j", "t" };

/* One call with the value converted to the type the length modifier names,
 * as a caller would pass it (char and short are promoted to int). */
static void check_int(const char *fmt, enum len len, bool is_signed, int nstar, int star,
		      long long v)
{
#define CALL(T) do {                                                           \
		T x = (T)v;                                                    \
		if (nstar == 0) SAME(fmt, x);                                  \
		else if (nstar == 1) SAME(fmt, star, x);                       \
		else SAME(fmt, star, star, x);                                 \
	} while (0)
	if (is_signed) {
		switch (len) {
		case L_NONE: CALL(int); break;
		case L_HH: CALL(signed char); break;
		case L_H: CALL(short); break;
		case L_L: CALL(long); break;
		case L_LL: CALL(long long); break;
		case L_Z: CALL(ssize_t); break;
		case L_J: CALL(intmax_t); break;
		case L_T: CALL(ptrdiff_t); break;
		default: break;
		}
	} else {
		switch (len) {
		case L_NONE: CALL(unsigned int); break;
		case L_HH: CALL(unsigned char); break;
		case L_H: CALL(unsigned short); break;
		case L_L: CALL(unsigned long); break;
		case L_LL: CALL(unsigned long long); break;
		case L_Z: CALL(size_t); break;
		case L_J: CALL(uintmax_t); break;
		case L_T: CALL(unsigned long); break;  /* %tu: the unsigned type of ptrdiff_t */
		default: break;
		}
	}
#undef CALL
}

/* C11 7.21.6.1: '#' is defined for o x X only and '+'/' ' act on signed
 * conversions only; other combinations are left out of the comparison. */
static bool flags_defined_for(const char *flags, char conv)
{
	bool is_signed = conv == 'd' || conv == 'i';

	if (strchr(flags, '#') && !strchr("oxX", conv))
		return false;
	if ((strchr(flags, '+') || strchr(flags, ' ')) && !is_signed)
		return false;
	return true;
}

START_TEST(integers_against_host)
{
	static const char convs[] = "diuoxX";
	char fmt[32];

	for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
	for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
	for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
	for (int len = 0; len < L_COUNT; len++)
	for (const char *c = convs; *c; c++) {
		bool is_signed = *c == 'd' || *c == 'i';
		int nstar = !!strchr(widths[w], '*') + !!strchr(precs[p], '*');

		if (!flags_defined_for(flag_sets[f], *c))
			continue;
		snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flag_sets[f], widths[w], precs[p],
			 len_text[len], *c);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
			if (nstar == 0) {
				check_int(fmt, len, is_signed, 0, 0, values[v]);
				continue;
			}
			for (size_t s = 0; s < sizeof(star_values) / sizeof(star_values[0]); s++)
				check_int(fmt, len, is_signed, nstar, star_values[s], values[v]);
		}
	}
	fprintf(stderr, "vsnprintf: %ld integer formats compared with the host\n", checked);
	ck_assert_int_gt(checked, 100000);
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(strings_and_chars_against_host)
{
	static const char *const strs[] = { "", "a", "hello", "hello, world: a longer string" };
	static const char *const sflags[] = { "", "-" };
	static const char *const swidths[] = { "", "1", "5", "12", "40" };
	static const char *const sprecs[] = { "", ".0", ".1", ".5", ".30" };
	static const int chars[] = { 'a', ' ', '~', 0x7f };
	char fmt[32];

	for (size_t f = 0; f < 2; f++)
	for (size_t w = 0; w < sizeof(swidths) / sizeof(swidths[0]); w++) {
		for (size_t p = 0; p < sizeof(sprecs) / sizeof(sprecs[0]); p++) {
			snprintf(fmt, sizeof(fmt), "<%%%s%s%ss>", sflags[f], swidths[w], sprecs[p]);
			for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++)
				SAME(fmt, strs[s]);
		}
		snprintf(fmt, sizeof(fmt), "<%%%s%sc>", sflags[f], swidths[w]);
		for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++)
			SAME(fmt, chars[c]);
	}
	SAME("%*s|%-*s|%.*s", 6, "ab", 6, "cd", 2, "efgh");
	SAME("%*s|%.*s", -6, "ab", -1, "efgh");
	SAME("%s%%%c%s", "100", '!', "");
	SAME("%%");
	SAME("no conversions at all");
	SAME("%s and %s and %d", "one", "two", 3);
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(pointers_against_host)
{
	static int object;
	void *ptrs[] = { &object, (void *)(uintptr_t)0x1, (void *)(uintptr_t)0xdeadbeef,
			 (void *)UINTPTR_MAX, (void *)(uintptr_t)0xffffffff80100000ULL };
	static const char *const pfmts[] = { "%p", "[%20p]", "[%-20p]", "%p%p" };

	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++)
		for (size_t f = 0; f < sizeof(pfmts) / sizeof(pfmts[0]); f++)
			SAME(pfmts[f], ptrs[i], ptrs[i]);
	ck_assert_int_eq(mismatches, 0);
}
END_TEST

/* Where C leaves the output to the implementation, ours is pinned here. */
START_TEST(own_choices)
{
	const char *volatile null_str = NULL;
	void *volatile null_ptr = NULL;
	char buf[64];

	ck_assert_int_eq(bn_snprintf(buf, sizeof(buf), "%s", null_str), 6);
	ck_assert_str_eq(buf, "(null)");
	ck_assert_int_eq(bn_snprintf(buf, sizeof(buf), "[%8s]", null_str), 10);
	ck_assert_str_eq(buf, "[  (null)]");
	ck_assert_int_eq(bn_snprintf(buf, sizeof(buf), "%.3s", null_str), 3);
	ck_assert_str_eq(buf, "(nu");
	/* the host prints "(nil)"; ours prints the number */
	ck_assert_int_eq(bn_snprintf(buf, sizeof(buf), "%p", null_ptr), 1);
	ck_assert_str_eq(buf, "0");
}
END_TEST

/* Formats gcc would reject at compile time, passed through a variable. */
START_TEST(malformed_formats)
{
	const char *volatile unknown = "a%qb";
	const char *volatile trailing = "abc%";
	char buf[64];

	ck_assert_int_eq(bn_snprintf(buf, sizeof(buf), unknown, 1), 4);
	ck_assert_str_eq(buf, "a%qb");          /* shown verbatim, so the mistake is visible */
	ck_assert_int_eq(bn_snprintf(buf, sizeof(buf), trailing), 3);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

START_TEST(truncation_and_return_value)
{
	static const char expect[] = "value=-12345 name=barenet";
	const int full = (int)strlen(expect);
	char buf[64];

	for (size_t size = 0; size <= sizeof(expect) + 2; size++) {
		memset(buf, '#', sizeof(buf));
		ck_assert_int_eq(bn_snprintf(buf, size, "value=%d name=%s", -12345, "barenet"), full);
		if (size == 0) {
			ck_assert_int_eq(buf[0], '#');  /* nothing written at all */
			continue;
		}
		size_t kept = size - 1 < (size_t)full ? size - 1 : (size_t)full;
		ck_assert_int_eq(memcmp(buf, expect, kept), 0);
		ck_assert_int_eq(buf[kept], '\0');
		ck_assert_int_eq(buf[kept + 1], '#');   /* no write past the terminator */
		ck_assert_uint_eq(strlen(buf), kept);
	}
	/* size 0 with a NULL buffer measures the output (C99) */
	ck_assert_int_eq(bn_snprintf(NULL, 0, "%08x%s", 0xbeefU, "!"), 9);
	/* and the host agrees on every truncated length (the format through a
	 * variable: gcc would warn that the host's output is truncated, as meant) */
	for (size_t size = 1; size <= 12; size++) {
		const char *volatile fmt = "%-6d|%5s";
		char a[16], b[16];
		int na = bn_snprintf(a, size, fmt, 42, "xy");
		int nb = snprintf(b, size, fmt, 42, "xy");
		ck_assert_int_eq(na, nb);
		ck_assert_str_eq(a, b);
	}
}
END_TEST

static int via_va_list(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int via_va_list(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bn_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

START_TEST(vsnprintf_consumes_a_va_list)
{
	char buf[64];

	ck_assert_int_eq(via_va_list(buf, sizeof(buf), "%d-%llu-%s-%c", -1, 18446744073709551615ULL,
				     "x", 'y'), 27);
	ck_assert_str_eq(buf, "-1-18446744073709551615-x-y");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vsnprintf");
	TCase *tc = tcase_create("formats");

	tcase_set_timeout(tc, 60);      /* ~10^5 formats under ASan */
	tcase_add_test(tc, integers_against_host);
	tcase_add_test(tc, strings_and_chars_against_host);
	tcase_add_test(tc, pointers_against_host);
	tcase_add_test(tc, own_choices);
	tcase_add_test(tc, malformed_formats);
	tcase_add_test(tc, truncation_and_return_value);
	tcase_add_test(tc, vsnprintf_consumes_a_va_list);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
