/* l2reflect: ARP answers, reflection, control frames, address parsing. */
#include <check.h>
#include <string.h>
#include "drivers/net/l2reflect.h"
#include "kernel/errno.h"

static const u8 us[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8 peer[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const u8 ip[4] = { 10, 0, 2, 15 }, peer_ip[4] = { 10, 0, 2, 2 };

static unsigned int arp_request(u8 *f, const u8 *dst, const u8 *target)
{
	static const u8 hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, hdr, 8);
	memcpy(f + 22, peer, 6);
	memcpy(f + 28, peer_ip, 4);
	memcpy(f + 38, target, 4);
	return 60;
}

START_TEST(arp_request_for_our_address_answered)
{
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	u8 f[64], out[ETH_FRAME_LEN];
	unsigned int n = 0;
	u32 ip_be;

	memcpy(&ip_be, ip, 4);
	arp_request(f, bcast, ip);
	ck_assert_int_eq(l2reflect_classify(f, 60, us, ip_be, out, &n), L2R_REPLY);
	ck_assert_uint_eq(n, 60);
	ck_assert_mem_eq(out, peer, 6);                 /* to the asker */
	ck_assert_mem_eq(out + 6, us, 6);
	ck_assert_uint_eq(out[21], 2);                  /* oper: reply */
	ck_assert_mem_eq(out + 22, us, 6);              /* sha */
	ck_assert_mem_eq(out + 28, ip, 4);              /* spa */
	ck_assert_mem_eq(out + 32, peer, 6);            /* tha */
	ck_assert_mem_eq(out + 38, peer_ip, 4);         /* tpa */
	/* someone else's address, or a reply: ignored */
	arp_request(f, bcast, peer_ip);
	ck_assert_int_eq(l2reflect_classify(f, 60, us, ip_be, out, &n), L2R_IGNORE);
	arp_request(f, bcast, ip);
	f[21] = 2;
	ck_assert_int_eq(l2reflect_classify(f, 60, us, ip_be, out, &n), L2R_IGNORE);
	ck_assert_int_eq(l2reflect_classify(f, 30, us, ip_be, out, &n), L2R_IGNORE);
}
END_TEST

START_TEST(unicast_reflected_broadcast_not)
{
	u8 f[200], out[ETH_FRAME_LEN];
	unsigned int n = 0;

	memcpy(f, us, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	for (int i = 14; i < 200; i++)
		f[i] = (u8)i;
	ck_assert_int_eq(l2reflect_classify(f, 200, us, 0x0f02000a, out, &n), L2R_REPLY);
	ck_assert_uint_eq(n, 200);
	ck_assert_mem_eq(out, peer, 6);
	ck_assert_mem_eq(out + 6, us, 6);
	ck_assert_mem_eq(out + 12, f + 12, 188);
	memset(f, 0xff, 6);
	ck_assert_int_eq(l2reflect_classify(f, 200, us, 0x0f02000a, out, &n), L2R_IGNORE);
	memcpy(f, peer, 6);
	ck_assert_int_eq(l2reflect_classify(f, 200, us, 0x0f02000a, out, &n), L2R_IGNORE);
	ck_assert_int_eq(l2reflect_classify(f, 10, us, 0x0f02000a, out, &n), L2R_IGNORE);
}
END_TEST

START_TEST(control_frames)
{
	u8 f[64] = { 0 }, out[ETH_FRAME_LEN];
	unsigned int n;

	memcpy(f, us, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x88;
	f[13] = 0xB6;
	memcpy(f + 14, "stats", 5);
	ck_assert_int_eq(l2reflect_classify(f, 60, us, 1, out, &n), L2R_STATS);
	memcpy(f + 14, "exit.", 5);
	ck_assert_int_eq(l2reflect_classify(f, 60, us, 1, out, &n), L2R_EXIT);
	memcpy(f + 14, "other", 5);
	ck_assert_int_eq(l2reflect_classify(f, 60, us, 1, out, &n), L2R_IGNORE);
}
END_TEST

START_TEST(ipv4_option_validated)
{
	u32 v;

	ck_assert_int_eq(l2reflect_parse_ipv4("10.0.2.15", &v), 0);
	ck_assert_mem_eq(&v, ip, 4);
	ck_assert_int_eq(l2reflect_parse_ipv4("192.168.100.254", &v), 0);
	const char *bad[] = { "", "10.0.2", "10.0.2.15.1", "256.1.1.1", "1..2.3", "a.b.c.d",
			      "0.0.0.0", "255.255.255.255", "224.0.0.1", "10.0.2.15 ", "1000.1.1.1",
			      "10.0.2.-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(l2reflect_parse_ipv4(bad[i], &v) == -EINVAL, "accepted '%s'", bad[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("l2reflect");
	TCase *tc = tcase_create("classify");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, arp_request_for_our_address_answered);
	tcase_add_test(tc, unicast_reflected_broadcast_not);
	tcase_add_test(tc, control_frames);
	tcase_add_test(tc, ipv4_option_validated);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
