/* lib/toeplitz.c against Microsoft's published RSS verification vectors
 * ("Verifying the RSS Hash Calculation", Windows driver docs; the same
 * table is in DPDK's and VPP's Toeplitz tests): the documented 40-byte
 * key, IPv4 and IPv6 flows, the hash over the addresses alone and over
 * addresses and ports. */
#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include "lib/toeplitz.h"
#include "check_main.h"

static const uint8_t ms_key[TOEPLITZ_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

struct vec {
	const char *src, *dst;
	uint16_t sport, dport;
	uint32_t h2, h4;        /* addresses only; addresses and ports */
};

static const struct vec v4[] = {
	{ "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
	{ "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
	{ "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
	{ "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
	{ "153.39.163.191", "202.188.127.2", 44251, 1303, 0x5d1809c5, 0x10e828a2 },
};

static const struct vec v6[] = {
	{ "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766, 0x2cc18cd5, 0x40207d3d },
	{ "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739, 0x0f0c461c, 0xdde51bbf },
	{ "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf", 44251, 38024,
	  0x4b61e985, 0x02d1feef },
};

START_TEST(ipv4_vectors)
{
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		uint8_t s[4], d[4];

		ck_assert_int_eq(inet_pton(AF_INET, v4[i].src, s), 1);
		ck_assert_int_eq(inet_pton(AF_INET, v4[i].dst, d), 1);
		ck_assert_uint_eq(toeplitz_ipv4(ms_key, s, d, v4[i].sport, v4[i].dport, false), v4[i].h2);
		ck_assert_uint_eq(toeplitz_ipv4(ms_key, s, d, v4[i].sport, v4[i].dport, true), v4[i].h4);
	}
}
END_TEST

START_TEST(ipv6_vectors)
{
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		uint8_t s[16], d[16];

		ck_assert_int_eq(inet_pton(AF_INET6, v6[i].src, s), 1);
		ck_assert_int_eq(inet_pton(AF_INET6, v6[i].dst, d), 1);
		ck_assert_uint_eq(toeplitz_ipv6(ms_key, s, d, v6[i].sport, v6[i].dport, false), v6[i].h2);
		ck_assert_uint_eq(toeplitz_ipv6(ms_key, s, d, v6[i].sport, v6[i].dport, true), v6[i].h4);
	}
}
END_TEST

/* the definition's edge cases: no input hashes to 0; one set bit at
 * position p gives the key's 32 bits starting at bit p */
START_TEST(single_bits)
{
	uint8_t in[4] = { 0 };

	ck_assert_uint_eq(toeplitz_hash(ms_key, sizeof(ms_key), in, 4), 0);
	in[0] = 0x80;
	ck_assert_uint_eq(toeplitz_hash(ms_key, sizeof(ms_key), in, 4), 0x6d5a56da);
	in[0] = 0;
	in[1] = 0x80;           /* bit 8: key bytes 1..4 */
	ck_assert_uint_eq(toeplitz_hash(ms_key, sizeof(ms_key), in, 4), 0x5a56da25);
	in[1] = 0x40;           /* bit 9: key bits 9..40 */
	ck_assert_uint_eq(toeplitz_hash(ms_key, sizeof(ms_key), in, 4), 0xb4adb44a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("toeplitz");
	TCase *tc = tcase_create("toeplitz");

	tcase_add_test(tc, ipv4_vectors);
	tcase_add_test(tc, ipv6_vectors);
	tcase_add_test(tc, single_bits);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
