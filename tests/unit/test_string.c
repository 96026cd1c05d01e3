/* lib/string.c against the host C library: every length 0..LEN_MAX at
 * every source/destination misalignment 0..7, overlapping moves both ways,
 * and the comparison and search functions on generated strings.  memcpy and
 * memset are `rep movsq/stosq` then `rep movsb/stosb` inline assembly, which
 * runs on the host too. */
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strstr
#undef strlcpy
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bn_libc.h"
#include "check_main.h"

#define LEN_MAX 300
#define ALIGN_MAX 8
#define AREA (LEN_MAX + 2 * ALIGN_MAX + 64)
#define GUARD 0xA5

static unsigned char src[AREA], dst[AREA], ref[AREA];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3));
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

START_TEST(memcpy_all_lengths_and_alignments)
{
	fill(src, AREA, 1);
	for (size_t so = 0; so < ALIGN_MAX; so++)
	for (size_t d_o = 0; d_o < ALIGN_MAX; d_o++)
	for (size_t n = 0; n <= LEN_MAX; n++) {
		memset(dst, GUARD, AREA);
		memset(ref, GUARD, AREA);
		ck_assert_ptr_eq(bn_memcpy(dst + d_o, src + so, n), dst + d_o);
		memcpy(ref + d_o, src + so, n);
		/* equal everywhere: copied bytes, and guards before and after */
		if (memcmp(dst, ref, AREA))
			ck_abort_msg("memcpy n=%zu src+%zu dst+%zu differs", n, so, d_o);
	}
}
END_TEST

START_TEST(memset_all_lengths_and_alignments)
{
	static const int values[] = { 0, 0x5a, 0xff, 0x1234 /* only the low byte counts */ };

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
	for (size_t o = 0; o < ALIGN_MAX; o++)
	for (size_t n = 0; n <= LEN_MAX; n++) {
		memset(dst, GUARD, AREA);
		memset(ref, GUARD, AREA);
		ck_assert_ptr_eq(bn_memset(dst + o, values[v], n), dst + o);
		memset(ref + o, values[v], n);
		if (memcmp(dst, ref, AREA))
			ck_abort_msg("memset n=%zu at +%zu value %#x differs", n, o, values[v]);
	}
}
END_TEST

START_TEST(memmove_overlapping_both_ways)
{
	for (size_t n = 0; n <= LEN_MAX; n += (n < 40 ? 1 : 13))
	for (int shift = -ALIGN_MAX - 3; shift <= ALIGN_MAX + 3; shift++) {
		size_t from = 2 * ALIGN_MAX + 8, to = from + shift;

		fill(dst, AREA, (unsigned)n);
		memcpy(ref, dst, AREA);
		ck_assert_ptr_eq(bn_memmove(dst + to, dst + from, n), dst + to);
		memmove(ref + to, ref + from, n);
		if (memcmp(dst, ref, AREA))
			ck_abort_msg("memmove n=%zu shift %d differs", n, shift);
	}
}
END_TEST

START_TEST(memcmp_sign_and_extent)
{
	fill(src, AREA, 3);
	for (size_t n = 0; n <= 64; n++)
		for (size_t at = 0; at <= n; at++)
			for (int delta = -1; delta <= 1; delta += 2) {
				memcpy(dst, src, AREA);
				dst[at] = (unsigned char)(dst[at] + delta);     /* differs at 'at' (maybe past n) */
				ck_assert_int_eq(sign(bn_memcmp(src, dst, n)), sign(memcmp(src, dst, n)));
				ck_assert_int_eq(sign(bn_memcmp(dst, src, n)), sign(memcmp(dst, src, n)));
			}
	/* bytes compare as unsigned char */
	unsigned char lo[1] = { 0x01 }, hi[1] = { 0xf0 };
	ck_assert_int_lt(bn_memcmp(lo, hi, 1), 0);
	ck_assert_int_gt(bn_memcmp(hi, lo, 1), 0);
}
END_TEST

static const char *const words[] = {
	"", "a", "b", "ab", "abc", "abd", "abcd", "abcde", "ABC", "a\xff", "a\x01", "\xe9t\xe9",
	"hello world", "hello", "hello worle", "the quick brown fox", "fox", "o", "oo", "ooo",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

START_TEST(strlen_strnlen)
{
	for (size_t i = 0; i < NWORDS; i++) {
		ck_assert_uint_eq(bn_strlen(words[i]), strlen(words[i]));
		for (size_t max = 0; max <= 20; max++)
			ck_assert_uint_eq(bn_strnlen(words[i], max), strnlen(words[i], max));
	}
	/* long strings at every alignment */
	for (size_t o = 0; o < ALIGN_MAX; o++)
		for (size_t n = 0; n < LEN_MAX; n += 7) {
			memset(dst, 'x', AREA);
			dst[o + n] = '\0';
			ck_assert_uint_eq(bn_strlen((char *)dst + o), n);
		}
}
END_TEST

START_TEST(strcmp_strncmp)
{
	for (size_t i = 0; i < NWORDS; i++)
		for (size_t j = 0; j < NWORDS; j++) {
			ck_assert_int_eq(sign(bn_strcmp(words[i], words[j])), sign(strcmp(words[i], words[j])));
			for (size_t n = 0; n <= 14; n++)
				ck_assert_int_eq(sign(bn_strncmp(words[i], words[j], n)),
						 sign(strncmp(words[i], words[j], n)));
		}
}
END_TEST

START_TEST(strchr_strrchr_strstr)
{
	static const int chars[] = { 'a', 'o', 'x', ' ', 'l', '\0', 0xff, 0x1ff /* as char: 0xff */ };

	for (size_t i = 0; i < NWORDS; i++) {
		for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++) {
			ck_assert_ptr_eq(bn_strchr(words[i], chars[c]), strchr(words[i], chars[c]));
			ck_assert_ptr_eq(bn_strrchr(words[i], chars[c]), strrchr(words[i], chars[c]));
		}
		for (size_t j = 0; j < NWORDS; j++)
			ck_assert_ptr_eq(bn_strstr(words[i], words[j]), strstr(words[i], words[j]));
	}
}
END_TEST

/* strlcpy (BSD; not in this host's glibc): copies at most size-1 bytes,
 * always terminates when size > 0, returns strlen(src). */
START_TEST(strlcpy_truncates_and_terminates)
{
	for (size_t i = 0; i < NWORDS; i++) {
		size_t len = strlen(words[i]);

		for (size_t size = 0; size <= len + 2; size++) {
			char buf[32];

			memset(buf, '#', sizeof(buf));
			ck_assert_uint_eq(bn_strlcpy(buf, words[i], size), len);
			if (size == 0) {
				ck_assert_int_eq(buf[0], '#');
				continue;
			}
			size_t kept = len < size - 1 ? len : size - 1;
			ck_assert_int_eq(memcmp(buf, words[i], kept), 0);
			ck_assert_int_eq(buf[kept], '\0');
			ck_assert_int_eq(buf[kept + 1], '#');
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("string");
	TCase *tc = tcase_create("functions");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, memcpy_all_lengths_and_alignments);
	tcase_add_test(tc, memset_all_lengths_and_alignments);
	tcase_add_test(tc, memmove_overlapping_both_ways);
	tcase_add_test(tc, memcmp_sign_and_extent);
	tcase_add_test(tc, strlen_strnlen);
	tcase_add_test(tc, strcmp_strncmp);
	tcase_add_test(tc, strchr_strrchr_strstr);
	tcase_add_test(tc, strlcpy_truncates_and_terminates);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
