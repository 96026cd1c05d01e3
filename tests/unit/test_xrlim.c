/* net/core/xrlim.c: the global and per-destination token buckets of the
 * ICMP/ICMPv6 error and RST rate limits, against Linux's arithmetic. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "net/core/xrlim.h"
#include "check_main.h"

static struct xrlim_global g;
static struct xrlim_table t;
static const u8 host_a[4] = { 10, 0, 2, 2 }, host_b[4] = { 10, 0, 2, 3 };

static void setup(void)
{
	memset(&g, 0, sizeof(g));
	memset(&t, 0, sizeof(t));
	t.key = 0x1234;
}

/* always spending one credit: burst at once, then msgs_per_sec a second */
START_TEST(global_burst_then_rate)
{
	unsigned int sent = 0;

	for (int i = 0; i < 500; i++)
		sent += xrlim_global_allow(&g, 1000, 100, 50, 1);
	ck_assert_uint_eq(sent, 50);
	/* 10 ms later: under the 20 ms step, nothing */
	ck_assert(!xrlim_global_allow(&g, 1010, 100, 50, 1));
	/* 100 ms after the last refill: 10 credits */
	sent = 0;
	for (int i = 0; i < 100; i++)
		sent += xrlim_global_allow(&g, 1100, 100, 50, 1);
	ck_assert_uint_eq(sent, 10);
	/* an hour idle fills the bucket to burst only */
	sent = 0;
	for (int i = 0; i < 500; i++)
		sent += xrlim_global_allow(&g, 3600000, 100, 50, 1);
	ck_assert_uint_eq(sent, 50);
}
END_TEST

/* random spending (0, 1 or 2): one credit a message on average */
START_TEST(global_random_spend_averages_one)
{
	unsigned int sent = 0;

	srand(7);
	/* 10 s at one message per ms, rate 1000/s, burst 50 */
	for (u32 ms = 0; ms < 10000; ms++)
		sent += xrlim_global_allow(&g, 5000 + ms, 1000, 50, (u32)rand() % 3);
	/* credits: 50 + 1000 * 10; sent within 10 % of that */
	ck_assert_uint_ge(sent, 9000);
	ck_assert_uint_le(sent, 11100);
}
END_TEST

/* a lowered burst applies at once; rate 0 never refills */
START_TEST(global_sysctl_changes)
{
	unsigned int sent = 0;

	ck_assert(xrlim_global_allow(&g, 0, 1000, 50, 1));
	for (int i = 0; i < 100; i++)
		sent += xrlim_global_allow(&g, 0, 1000, 5, 1);
	ck_assert_uint_eq(sent, 5);
	ck_assert(!xrlim_global_allow(&g, 5000, 0, 5, 1));
}
END_TEST

/* per host: 6 at once, then one per interval; the other host has its own */
START_TEST(peer_burst_then_interval)
{
	unsigned int sent = 0;

	for (int i = 0; i < 100; i++)
		sent += xrlim_peer_allow(&t, 4, host_a, 1000, 1000);
	ck_assert_uint_eq(sent, XRLIM_BURST_FACTOR);
	ck_assert(!xrlim_peer_allow(&t, 4, host_a, 1999, 1000));
	ck_assert(xrlim_peer_allow(&t, 4, host_a, 2000, 1000));
	ck_assert(!xrlim_peer_allow(&t, 4, host_a, 2000, 1000));
	ck_assert(xrlim_peer_allow(&t, 4, host_b, 2000, 1000));
	/* interval 0: no per-host limit (Linux's icmp_ratelimit=0) */
	for (int i = 0; i < 100; i++)
		ck_assert(xrlim_peer_allow(&t, 4, host_a, 2000, 0));
}
END_TEST

/* the combined check says which bucket refused, and a host refused by
 * its own bucket does not spend global credit */
START_TEST(combined_verdicts)
{
	unsigned int send = 0, host = 0, global = 0;

	for (int i = 0; i < 100; i++) {
		switch (xrlim_allow(&g, &t, 4, host_a, 1000, 1000, 10, 1000, 1)) {
		case XRLIM_SEND: send++; break;
		case XRLIM_HOST: host++; break;
		case XRLIM_GLOBAL: global++; break;
		}
	}
	ck_assert_uint_eq(send, 6);
	ck_assert_uint_eq(host, 94);
	ck_assert_uint_eq(global, 0);
	/* 4 credits left: a second host gets 4, then the global limit */
	send = global = 0;
	for (int i = 0; i < 10; i++) {
		enum xrlim_verdict v = xrlim_allow(&g, &t, 4, host_b, 1000, 1000, 10, 1000, 1);

		send += v == XRLIM_SEND;
		global += v == XRLIM_GLOBAL;
	}
	ck_assert_uint_eq(send, 4);
	ck_assert_uint_eq(global, 6);
}
END_TEST

/* IPv6 peers: 16-byte addresses, and a v4 address that matches the first
 * bytes of a v6 one is another peer */
START_TEST(peer_v6_and_slot_reuse)
{
	u8 a6[16] = { 0xfd, 0, 0, 0x10, 0, 0, 0, 2 };
	unsigned int sent = 0;

	memcpy(a6, host_a, 4);
	for (int i = 0; i < 10; i++)
		sent += xrlim_peer_allow(&t, 6, a6, 0, 1000);
	ck_assert_uint_eq(sent, XRLIM_BURST_FACTOR);
	ck_assert(xrlim_peer_allow(&t, 4, host_a, 0, 1000));
	/* many peers through a small table: each new one starts full */
	for (u32 i = 0; i < 4 * XRLIM_PEERS; i++) {
		u8 a[4] = { 192, 0, (u8)(i >> 8), (u8)i };

		ck_assert(xrlim_peer_allow(&t, 4, a, 0, 1000));
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xrlim");
	TCase *tc = tcase_create("xrlim");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, global_burst_then_rate);
	tcase_add_test(tc, global_random_spend_averages_one);
	tcase_add_test(tc, global_sysctl_changes);
	tcase_add_test(tc, peer_burst_then_interval);
	tcase_add_test(tc, combined_verdicts);
	tcase_add_test(tc, peer_v6_and_slot_reuse);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
