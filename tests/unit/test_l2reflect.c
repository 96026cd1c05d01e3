/* l2reflect: ARP answers, reflection, control frames, address parsing. */
#include <check.h>
#include <string.h>
#include "drivers/net/l2reflect.h"
#include "kernel/errno.h"
#include "check_main.h"

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

START_TEST(ring_requests_parsed)
{
	u8 f[64] = { 0 }, out[ETH_FRAME_LEN];
	unsigned int n;
	u32 count = 7;

	memcpy(f, us, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x88;
	f[13] = 0xB6;
	memcpy(f + 14, "ring 256", 8);
	ck_assert_int_eq(l2reflect_classify(f, 60, us, 1, out, &n), L2R_RING);
	ck_assert_int_eq(l2reflect_parse_ring(f, 60, &count), 0);
	ck_assert_uint_eq(count, 256);
	ck_assert_int_eq(l2reflect_parse_ring(f, 22, &count), 0);       /* number ends the frame */
	memcpy(f + 14, "ring 64x", 8);
	ck_assert_int_eq(l2reflect_parse_ring(f, 60, &count), -EINVAL);
	memcpy(f + 14, "ring    ", 8);
	ck_assert_int_eq(l2reflect_parse_ring(f, 60, &count), -EINVAL);
	memcpy(f + 14, "ring 123456", 11);
	ck_assert_int_eq(l2reflect_parse_ring(f, 60, &count), -EINVAL);
	ck_assert_uint_eq(count, 256);
}
END_TEST

static u16 sum16(const u8 *p, unsigned int len, u32 sum)
{
	for (unsigned int i = 0; i + 1 < len; i += 2)
		sum += (u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (u16)sum;
}

/* Ethernet/IPv4/UDP with correct checksums, payload_len bytes of payload */
static unsigned int udp_frame(u8 *f, unsigned int payload_len)
{
	unsigned int ulen = 8 + payload_len, len = 14 + 20 + ulen;
	u8 pseudo[12];
	u16 c;

	memset(f, 0, len < 60 ? 60 : len);
	memcpy(f, us, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (u8)((20 + ulen) >> 8);
	f[17] = (u8)(20 + ulen);
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, peer_ip, 4);
	memcpy(f + 30, ip, 4);
	c = (u16)~sum16(f + 14, 20, 0);
	f[24] = (u8)(c >> 8);
	f[25] = (u8)c;
	f[34] = 0x1b;                   /* ports 7000 -> 7 */
	f[35] = 0x58;
	f[37] = 7;
	f[38] = (u8)(ulen >> 8);
	f[39] = (u8)ulen;
	for (unsigned int i = 0; i < payload_len; i++)
		f[42 + i] = (u8)(i * 7 + 3);
	memcpy(pseudo, peer_ip, 4);
	memcpy(pseudo + 4, ip, 4);
	pseudo[8] = 0;
	pseudo[9] = 17;
	pseudo[10] = (u8)(ulen >> 8);
	pseudo[11] = (u8)ulen;
	c = (u16)~sum16(f + 34, ulen, sum16(pseudo, 12, 0));
	if (!c)
		c = 0xFFFF;
	f[40] = (u8)(c >> 8);
	f[41] = (u8)c;
	return len < 60 ? 60 : len;
}

/* what the NIC does with the context: IP header sum into ipcso, L4 sum
 * from tucss to the end of the frame into tucso */
static void nic_offload(u8 *f, unsigned int len, const struct netdev_tx_csum *c)
{
	unsigned int l4 = c->l3_offset + c->l3_len;
	u16 v;

	if (c->flags & NETDEV_CSUM_IP) {
		v = (u16)~sum16(f + c->l3_offset, c->l3_len, 0);
		f[c->l3_offset + 10] = (u8)(v >> 8);
		f[c->l3_offset + 11] = (u8)v;
	}
	if (c->flags & NETDEV_CSUM_UDP) {
		v = (u16)~sum16(f + l4, len - l4, 0);
		if (!v)
			v = 0xFFFF;
		f[l4 + 6] = (u8)(v >> 8);
		f[l4 + 7] = (u8)v;
	}
}

START_TEST(udp_checksum_offload_prepared)
{
	static const unsigned int sizes[] = { 1, 4, 17, 100, 1000, 1472 };
	u8 f[ETH_FRAME_LEN], orig[ETH_FRAME_LEN];
	struct netdev_tx_csum c;

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned int len = udp_frame(f, sizes[k]);

		memcpy(orig, f, len);
		ck_assert(l2reflect_prepare_csum(f, len, &c));
		ck_assert_uint_eq(c.flags, NETDEV_CSUM_IP | NETDEV_CSUM_UDP);
		ck_assert_uint_eq(c.l3_offset, 14);
		ck_assert_uint_eq(c.l3_len, 20);
		ck_assert(f[24] == 0 && f[25] == 0);
		nic_offload(f, len, &c);
		ck_assert_mem_eq(f, orig, len);         /* the NIC restores both sums */
	}
	/* UDP checksum 0 ("none") stays 0: only the IP header sum is offloaded */
	udp_frame(f, 100);
	f[40] = f[41] = 0;
	ck_assert(l2reflect_prepare_csum(f, 142, &c));
	ck_assert_uint_eq(c.flags, NETDEV_CSUM_IP);
	ck_assert(f[40] == 0 && f[41] == 0);
	/* not offloaded: fragments, other protocols, short frames, nonzero padding */
	udp_frame(f, 100);
	f[20] = 0x20;                                   /* MF */
	ck_assert(!l2reflect_prepare_csum(f, 142, &c));
	udp_frame(f, 100);
	f[23] = 6;                                      /* TCP */
	ck_assert(!l2reflect_prepare_csum(f, 142, &c));
	udp_frame(f, 100);
	ck_assert(!l2reflect_prepare_csum(f, 40, &c));
	udp_frame(f, 2);
	f[59] = 1;                                      /* padding not zero */
	ck_assert(!l2reflect_prepare_csum(f, 60, &c));
	udp_frame(f, 100);
	f[12] = 0x88;
	ck_assert(!l2reflect_prepare_csum(f, 142, &c));
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

	tcase_add_test(tc, arp_request_for_our_address_answered);
	tcase_add_test(tc, unicast_reflected_broadcast_not);
	tcase_add_test(tc, control_frames);
	tcase_add_test(tc, ipv4_option_validated);
	tcase_add_test(tc, ring_requests_parsed);
	tcase_add_test(tc, udp_checksum_offload_prepared);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
