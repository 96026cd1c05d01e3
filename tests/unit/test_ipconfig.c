/* net/lwip/ipconfig_parse.c: the ip= option, accepted forms and the
 * reason given for each kind of bad value. */
#include <check.h>
#include <string.h>
#include "kernel/errno.h"
#include "net/lwip/ipconfig.h"
#include "check_main.h"

static struct ip_config c;
static const char *why;

static int parse(const char *s)
{
	memset(&c, 0xa5, sizeof(c));
	return ip_config_parse(s, &c, &why);
}

#define IP(a, b, cc, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(cc) << 8 | (u32)(d))

START_TEST(dhcp_and_off)
{
	ck_assert_int_eq(parse("dhcp"), 0);
	ck_assert_int_eq(c.mode, IP_CONFIG_DHCP);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(parse("off"), 0);
	ck_assert_int_eq(c.mode, IP_CONFIG_OFF);
}
END_TEST

START_TEST(static_with_gateway)
{
	ck_assert_int_eq(parse("10.0.2.15/24,10.0.2.2"), 0);
	ck_assert_int_eq(c.mode, IP_CONFIG_STATIC);
	ck_assert_uint_eq(c.addr, IP(10, 0, 2, 15));
	ck_assert_uint_eq(c.prefix, 24);
	ck_assert_uint_eq(c.gateway, IP(10, 0, 2, 2));
}
END_TEST

START_TEST(static_without_gateway_and_edges)
{
	ck_assert_int_eq(parse("192.168.1.7/16"), 0);
	ck_assert_uint_eq(c.gateway, 0);
	ck_assert_uint_eq(c.prefix, 16);
	ck_assert_int_eq(parse("10.1.2.3/32"), 0);
	ck_assert_int_eq(parse("10.1.2.0/31,10.1.2.1"), 0);   /* RFC 3021 */
	ck_assert_int_eq(parse("255.254.253.1/8"), -EINVAL);  /* class E */
	ck_assert_int_eq(parse("223.255.255.254/1"), 0);
}
END_TEST

static void bad(const char *s, const char *reason_part)
{
	ck_assert_msg(parse(s) == -EINVAL, "'%s' accepted", s);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, reason_part), "'%s': reason '%s' lacks '%s'", s, why,
		      reason_part);
}

START_TEST(malformed_values_say_why)
{
	bad("", "expected dhcp");
	bad("DHCP", "expected dhcp");
	bad("10.0.2", "expected dhcp");
	bad("10.0.2.256/24", "expected dhcp");
	bad("10.0.2.1.5/24", "expected dhcp");
	bad("10.0.2.0015/24", "expected dhcp");
	bad("10..2.15/24", "expected dhcp");
	bad("10.0.2.15", "prefix length");
	bad("10.0.2.15/", "1 to 32");
	bad("10.0.2.15/0", "1 to 32");
	bad("10.0.2.15/33", "1 to 32");
	bad("10.0.2.15/2x", "1 to 32");
	bad("10.0.2.15/24,", "gateway must be");
	bad("10.0.2.15/24,10.0.2", "gateway must be");
	bad("10.0.2.15/24,10.0.2.2,1", "gateway must be");
	bad(" 10.0.2.15/24", "expected dhcp");
}
END_TEST

START_TEST(addresses_a_host_cannot_take)
{
	bad("0.1.2.3/8", "0.0.0.0/8");
	bad("127.0.0.1/8", "loopback");
	bad("224.0.0.5/24", "multicast");
	bad("10.0.2.0/24", "network or broadcast");
	bad("10.0.2.255/24", "network or broadcast");
	bad("10.0.2.15/24,10.0.3.1", "not inside");
	bad("10.0.2.15/24,10.0.2.15", "our own address");
	bad("10.0.2.15/24,127.0.0.1", "gateway is a loopback");
}
END_TEST

START_TEST(format_round_trip)
{
	char buf[16];

	ck_assert_str_eq(ip_config_fmt(buf, IP(10, 0, 2, 15)), "10.0.2.15");
	ck_assert_str_eq(ip_config_fmt(buf, IP(255, 255, 255, 255)), "255.255.255.255");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ipconfig");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, dhcp_and_off);
	tcase_add_test(tc, static_with_gateway);
	tcase_add_test(tc, static_without_gateway_and_edges);
	tcase_add_test(tc, malformed_values_say_why);
	tcase_add_test(tc, addresses_a_host_cannot_take);
	tcase_add_test(tc, format_round_trip);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
