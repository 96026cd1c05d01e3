/* lib/csum.c against RFC 1071's definition computed the plain way (16-bit
 * big-endian words, a last odd byte as the high half), folded: every
 * length 0..LEN_MAX at every alignment 0..7, over patterned and all-ones
 * data (the carries), with a starting sum; and RFC 1071's worked example
 * (section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2); csum_fold's
 * end-around carry. */
#include <check.h>
#include <stdint.h>
#include "lib/csum.h"
#include "check_main.h"

#define LEN_MAX 300

static uint16_t fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum;

	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)(p[0] << 8);
	return fold(s);
}

START_TEST(rfc1071_example)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ck_assert_uint_eq(fold(csum_add_be(0, b, sizeof(b))), 0xddf2);
}
END_TEST

START_TEST(every_length_and_alignment)
{
	static uint8_t buf[LEN_MAX + 8];

	for (int fill = 0; fill < 2; fill++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = fill ? 0xff : (uint8_t)(i * 37 + (i >> 2) + 5);
		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; n <= LEN_MAX; n++)
				for (uint32_t start = 0; start < 0x30000; start += 0x17fff)
					ck_assert_msg(fold(csum_add_be(start, buf + off, n)) ==
						      ref_sum(start, buf + off, n),
						      "fill %d off %zu len %zu start %#x", fill, off, n,
						      start);
	}
}
END_TEST

/* lib/csum.h's csum_fold: the end-around carry until 16 bits remain
 * (0x1ffff folds to 0x10000, then to 1) */
START_TEST(fold_end_around_carry)
{
	static const uint32_t v[] = { 0, 0xffff, 0x10000, 0x1ffff, 0xfffeffff, 0xffffffff,
				      0x12345678, 0x8000ffff };

	ck_assert_uint_eq(csum_fold(0x1ffff), 1);
	ck_assert_uint_eq(csum_fold(0xffffffff), 0xffff);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_uint_eq(csum_fold(v[i]), fold(v[i]));
}
END_TEST

/* csum_finish: the folded sum complemented; an IPv4 header with the
 * value it gives stored in its checksum field sums to 0 (RFC 791's
 * example-style header, checksum b861) */
START_TEST(finish_checks_a_header)
{
	uint8_t ip[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			   0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c = csum_finish(csum_add_be(0, ip, sizeof(ip)));

	ck_assert_uint_eq(c, 0xb861);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	ck_assert_uint_eq(csum_finish(csum_add_be(0, ip, sizeof(ip))), 0);
	ck_assert_uint_eq(csum_finish(0), 0xffff);
	ck_assert_uint_eq(csum_finish(0x1fffe), 0);
}
END_TEST

/* a start sum near 2^32: the carry out of bit 31 comes back in */
START_TEST(start_sum_carry)
{
	static const uint8_t b[] = { 0xff, 0xff, 0xff, 0xff };
	static const uint32_t start[] = { 0xffffffff, 0xfffffffe, 0xffff0000, 0x80000000 };

	for (size_t i = 0; i < sizeof(start) / sizeof(start[0]); i++)
		ck_assert_uint_eq(csum_fold(csum_add_be(start[i], b, sizeof(b))),
				  ref_sum(start[i], b, sizeof(b)));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csum");
	TCase *tc = tcase_create("csum");

	tcase_add_test(tc, rfc1071_example);
	tcase_add_test(tc, every_length_and_alignment);
	tcase_add_test(tc, fold_end_around_carry);
	tcase_add_test(tc, finish_checks_a_header);
	tcase_add_test(tc, start_sum_carry);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
