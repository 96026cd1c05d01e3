/* pktgen's knob parser (net/core/pktgen_params.c): defaults, every knob,
 * ranges, and a refused line leaving the parameters as they were. */
#include <check.h>
#include <string.h>
#include "kernel/errno.h"
#include "net/core/pktgen.h"
#include "check_main.h"

/* split a line into words as the shell does (spaces only) */
static int words(char *line, char **argv)
{
	int n = 0;

	for (char *t = strtok(line, " "); t; t = strtok(NULL, " "))
		argv[n++] = t;
	return n;
}

static int parse(struct pktgen_params *p, const char *line, const char **bad, const char **why)
{
	static char buf[256];
	char *argv[32];

	strcpy(buf, line);
	return pktgen_params_parse(p, words(buf, argv), argv, bad, why);
}

START_TEST(defaults)
{
	struct pktgen_params p;

	pktgen_params_default(&p);
	ck_assert_str_eq(p.ifname, "eth0");
	ck_assert_uint_eq(p.count, 1000);
	ck_assert_uint_eq(p.rate_pps, 0);
	ck_assert_uint_eq(p.size_min, 60);
	ck_assert_uint_eq(p.size_max, 60);
	ck_assert_uint_eq(p.udp_src, 9);
	ck_assert_uint_eq(p.udp_dst, 9);
	ck_assert_uint_eq(p.flows, 1);
	ck_assert_uint_eq(p.daddr, 0);
	ck_assert(!p.dst_mac_set);
}
END_TEST

START_TEST(every_knob)
{
	static const u8 mac[6] = { 0x72, 0x03, 0x9e, 0xa4, 0xfa, 0xf4 };
	struct pktgen_params p;
	const char *bad, *why;

	pktgen_params_default(&p);
	ck_assert_int_eq(parse(&p, "dev eth1 count 5000 rate 300 size 64:1514 dst 10.0.2.2 "
			       "src 10.0.2.99 dst_mac 72:03:9e:a4:fa:f4 udp_src 1000 udp_dst 2000 "
			       "flows 8", &bad, &why), 0);
	ck_assert_str_eq(p.ifname, "eth1");
	ck_assert_uint_eq(p.count, 5000);
	ck_assert_uint_eq(p.rate_pps, 300);
	ck_assert_uint_eq(p.size_min, 64);
	ck_assert_uint_eq(p.size_max, 1514);
	ck_assert_uint_eq(p.daddr, 0x0a000202);
	ck_assert_uint_eq(p.saddr, 0x0a000263);
	ck_assert(p.dst_mac_set);
	ck_assert_mem_eq(p.dst_mac, mac, 6);
	ck_assert_uint_eq(p.udp_src, 1000);
	ck_assert_uint_eq(p.udp_dst, 2000);
	ck_assert_uint_eq(p.flows, 8);
	/* Linux's names too */
	ck_assert_int_eq(parse(&p, "ratep 0 pkt_size 100 dst_min 10.0.0.1 src_min 0.0.0.0 "
			       "udp_src_min 7 udp_dst_min 9", &bad, &why), 0);
	ck_assert_uint_eq(p.size_min, 100);
	ck_assert_uint_eq(p.size_max, 100);
	ck_assert_uint_eq(p.rate_pps, 0);
	ck_assert_uint_eq(p.saddr, 0);
}
END_TEST

START_TEST(bad_lines_change_nothing)
{
	static const struct { const char *line, *bad; } cases[] = {
		{ "count 0", "0" }, { "count 100000001", "100000001" }, { "count -1", "-1" },
		{ "count 12x", "12x" }, { "count +5", "+5" }, { "count 0x10", "0x10" },
		{ "rate 99999999999999999999999", "99999999999999999999999" },
		{ "rate 10000001", "10000001" }, { "size 59", "59" },
		{ "size 1515", "1515" }, { "size 100:60", "100:60" }, { "size 60:", "60:" },
		{ "size :60", ":60" }, { "dst 0.0.0.0", "0.0.0.0" }, { "dst 10.0.2", "10.0.2" },
		{ "dst_mac 1:2:3", "1:2:3" }, { "udp_src 0", "0" }, { "udp_dst 65536", "65536" },
		{ "flows 0", "0" }, { "flows 65536", "65536" }, { "bogus 1", "bogus" },
		{ "count", "count" }, { "dev", "dev" }, { "dev eth1234567890123", "eth1234567890123" },
		/* a good knob before a bad one is not applied either */
		{ "count 7 size 10", "10" },
	};
	struct pktgen_params p, before;
	const char *bad, *why;

	pktgen_params_default(&p);
	before = p;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		ck_assert_msg(parse(&p, cases[i].line, &bad, &why) == -EINVAL, "accepted '%s'",
			      cases[i].line);
		ck_assert_str_eq(bad, cases[i].bad);
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(!memcmp(&p, &before, sizeof(p)), "'%s' changed the parameters",
			      cases[i].line);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pktgen");
	TCase *tc = tcase_create("params");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_knob);
	tcase_add_test(tc, bad_lines_change_nothing);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
