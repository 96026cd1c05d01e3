/* net/core/pktbuild.c: frames laid out as RFC 791/768/792 say, with every
 * checksum verified by lwIP's inet_chksum (an independent implementation)
 * over the header, or over a pseudo-header built here, and by a plain
 * word-by-word sum; faults break exactly what they say; address parsing. */
#include <check.h>
#include <string.h>
#include "kernel/errno.h"
#include "net/core/pktbuild.h"
#include "lwip/inet_chksum.h"
#include "check_main.h"

static const struct pkt_ip4 hdr = {
	.dst_mac = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 },
	.src_mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
	.saddr = 0x0a00020f,            /* 10.0.2.15 */
	.daddr = 0x0a000202,            /* 10.0.2.2 */
	.ip_id = 0x1234,
	.sport = 9, .dport = 5001,
	.echo_id = 0xbeef, .echo_seq = 7,
	.seq = 0xdeadbeef,
	.tstamp_ns = 3 * 1000000000ULL + 456789123ULL,
};

static u16 be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 be32(const u8 *p)
{
	return (u32)be16(p) << 16 | be16(p + 2);
}

/* the RFC 1071 sum done the slow, obvious way: 16-bit words added one by
 * one, end-around carry after each */
static u16 naive_sum(const u8 *p, size_t n)
{
	u32 s = 0;

	for (size_t i = 0; i < n; i += 2) {
		s += (u32)(p[i] << 8) | (i + 1 < n ? p[i + 1] : 0);
		s = (s & 0xffff) + (s >> 16);
	}
	return (u16)s;
}

/* lwIP's verdict on a UDP datagram: inet_chksum over a pseudo-header and
 * the datagram is 0 when the checksum is right */
static u16 lwip_udp_check(const u8 *ip)
{
	static u8 buf[16 + 65536];
	u16 ulen = be16(ip + 20 + 4);

	memcpy(buf, ip + 12, 8);        /* source, destination */
	buf[8] = 0;
	buf[9] = 17;
	buf[10] = (u8)(ulen >> 8);
	buf[11] = (u8)ulen;
	memcpy(buf + 12, ip + 20, ulen);
	return inet_chksum(buf, (u16)(12 + ulen));
}

START_TEST(udp_frame_layout_and_checksums)
{
	static const u32 lens[] = { 42, 43, 60, 61, 64, 128, 1000, 1513, 1514 };
	u8 f[1600];

	for (unsigned int i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		u32 len = lens[i];
		const u8 *ip = f + 14, *udp = ip + 20;

		memset(f, 0xa5, sizeof(f));
		ck_assert_int_eq(pkt_build_udp4(f, sizeof(f), len, &hdr), (int)len);
		ck_assert_mem_eq(f, hdr.dst_mac, 6);
		ck_assert_mem_eq(f + 6, hdr.src_mac, 6);
		ck_assert_uint_eq(be16(f + 12), 0x0800);
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(be16(ip + 2), len - 14);
		ck_assert_uint_eq(be16(ip + 4), 0x1234);
		ck_assert_uint_eq(ip[8], 64);
		ck_assert_uint_eq(ip[9], 17);
		ck_assert_uint_eq(be32(ip + 12), hdr.saddr);
		ck_assert_uint_eq(be32(ip + 16), hdr.daddr);
		ck_assert_uint_eq(be16(udp), 9);
		ck_assert_uint_eq(be16(udp + 2), 5001);
		ck_assert_uint_eq(be16(udp + 4), len - 34);
		/* IP header: lwIP and the naive sum both see all ones */
		ck_assert_uint_eq(inet_chksum((void *)ip, 20), 0);
		ck_assert_uint_eq(naive_sum(ip, 20), 0xffff);
		ck_assert_uint_ne(be16(udp + 6), 0);
		ck_assert_msg(lwip_udp_check(ip) == 0, "UDP checksum wrong at %u bytes", len);
		if (len - 42 >= 16) {
			ck_assert_uint_eq(be32(udp + 8), PKTGEN_MAGIC);
			ck_assert_uint_eq(be32(udp + 12), 0xdeadbeef);
			ck_assert_uint_eq(be32(udp + 16), 3);
			ck_assert_uint_eq(be32(udp + 20), 456789);
		}
		/* nothing past the frame written */
		ck_assert_uint_eq(f[len], 0xa5);
	}
}
END_TEST

START_TEST(udp_checksum_may_be_left_out)
{
	struct pkt_ip4 h = hdr;
	u8 f[128];

	h.no_udp_csum = true;
	ck_assert_int_eq(pkt_build_udp4(f, sizeof(f), 100, &h), 100);
	ck_assert_uint_eq(be16(f + 14 + 20 + 6), 0);
	ck_assert_uint_eq(inet_chksum(f + 14, 20), 0);
}
END_TEST

START_TEST(payload_bytes_change_the_checksum)
{
	struct pkt_ip4 h = hdr;
	u8 a[200], b[200];

	ck_assert_int_eq(pkt_build_udp4(a, sizeof(a), 200, &h), 200);
	h.seq++;
	ck_assert_int_eq(pkt_build_udp4(b, sizeof(b), 200, &h), 200);
	ck_assert_uint_ne(be16(a + 40), be16(b + 40));
	ck_assert_uint_eq(lwip_udp_check(b + 14), 0);
}
END_TEST

START_TEST(icmp_echo_layout_and_checksums)
{
	static const u32 lens[] = { 42, 59, 60, 98, 1514 };
	u8 f[1600];

	for (unsigned int i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		u32 len = lens[i];
		u8 *ip = f + 14, *icmp = ip + 20;

		ck_assert_int_eq(pkt_build_icmp4_echo(f, sizeof(f), len, &hdr), (int)len);
		ck_assert_uint_eq(ip[9], 1);
		ck_assert_uint_eq(icmp[0], 8);
		ck_assert_uint_eq(icmp[1], 0);
		ck_assert_uint_eq(be16(icmp + 4), 0xbeef);
		ck_assert_uint_eq(be16(icmp + 6), 7);
		ck_assert_uint_eq(inet_chksum(ip, 20), 0);
		ck_assert_msg(inet_chksum(icmp, (u16)(len - 34)) == 0, "ICMP checksum at %u", len);
		ck_assert_uint_eq(naive_sum(icmp, len - 34), 0xffff);
	}
}
END_TEST

START_TEST(lengths_validated)
{
	u8 f[100];

	ck_assert_int_eq(pkt_build_udp4(f, sizeof(f), 41, &hdr), -EINVAL);
	ck_assert_int_eq(pkt_build_udp4(f, sizeof(f), 101, &hdr), -EINVAL);
	ck_assert_int_eq(pkt_build_icmp4_echo(f, sizeof(f), 0, &hdr), -EINVAL);
	ck_assert_int_eq(pkt_build_udp4(f, sizeof(f), 100, &hdr), 100);
}
END_TEST

START_TEST(faults_break_what_they_say)
{
	u8 f[128];
	u8 *ip = f + 14;

	pkt_build_udp4(f, sizeof(f), 128, &hdr);
	ck_assert_int_eq(pkt_mangle(f, 128, PKT_FAULT_IP_CSUM), 0);
	ck_assert_uint_ne(inet_chksum(ip, 20), 0);
	ck_assert_uint_eq(lwip_udp_check(ip), 0);

	pkt_build_udp4(f, sizeof(f), 128, &hdr);
	ck_assert_int_eq(pkt_mangle(f, 128, PKT_FAULT_L4_CSUM), 0);
	ck_assert_uint_eq(inet_chksum(ip, 20), 0);
	ck_assert_uint_ne(lwip_udp_check(ip), 0);
	ck_assert_uint_ne(be16(ip + 20 + 6), 0);

	pkt_build_icmp4_echo(f, sizeof(f), 128, &hdr);
	ck_assert_int_eq(pkt_mangle(f, 128, PKT_FAULT_L4_CSUM), 0);
	ck_assert_uint_ne(inet_chksum(ip + 20, 128 - 34), 0);

	pkt_build_udp4(f, sizeof(f), 128, &hdr);
	ck_assert_int_eq(pkt_mangle(f, 128, PKT_FAULT_IP_LEN), 0);
	ck_assert_uint_gt(be16(ip + 2), 128 - 14);
	ck_assert_uint_eq(inet_chksum(ip, 20), 0);

	ck_assert_int_eq(pkt_mangle(f, 128, (enum pkt_fault)99), -EINVAL);
	ck_assert_int_eq(pkt_mangle(f, 20, PKT_FAULT_IP_CSUM), -EINVAL);
}
END_TEST

START_TEST(addresses_parsed)
{
	static const char *const bad_ip[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ",
					      "01.2.3.4", "a.b.c.d", "1..3.4", "-1.2.3.4" };
	static const char *const bad_mac[] = { "", "00:11:22:33:44", "00:11:22:33:44:55:66",
					       "001:11:22:33:44:55", "00-11-22-33-44-55",
					       "g0:11:22:33:44:55", "00:11:22:33:44:55:" };
	const u8 want[6] = { 0x02, 0xab, 0x0c, 0x00, 0xff, 0x1 };
	u8 mac[6];
	u32 a;

	ck_assert_int_eq(pkt_parse_ipv4("10.0.2.15", &a), 0);
	ck_assert_uint_eq(a, 0x0a00020f);
	ck_assert_int_eq(pkt_parse_ipv4("255.255.255.255", &a), 0);
	ck_assert_uint_eq(a, 0xffffffff);
	ck_assert_int_eq(pkt_parse_ipv4("0.0.0.0", &a), 0);
	ck_assert_uint_eq(a, 0);
	for (unsigned int i = 0; i < sizeof(bad_ip) / sizeof(bad_ip[0]); i++)
		ck_assert_msg(pkt_parse_ipv4(bad_ip[i], &a) == -EINVAL, "accepted '%s'", bad_ip[i]);
	ck_assert_int_eq(pkt_parse_mac("02:AB:c:00:ff:01", mac), 0);
	ck_assert_mem_eq(mac, want, 6);
	memset(mac, 0x77, 6);
	for (unsigned int i = 0; i < sizeof(bad_mac) / sizeof(bad_mac[0]); i++) {
		ck_assert_msg(pkt_parse_mac(bad_mac[i], mac) == -EINVAL, "accepted '%s'", bad_mac[i]);
		ck_assert_uint_eq(mac[0], 0x77);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pktbuild");
	TCase *tc = tcase_create("frames");

	tcase_add_test(tc, udp_frame_layout_and_checksums);
	tcase_add_test(tc, udp_checksum_may_be_left_out);
	tcase_add_test(tc, payload_bytes_change_the_checksum);
	tcase_add_test(tc, icmp_echo_layout_and_checksums);
	tcase_add_test(tc, lengths_validated);
	tcase_add_test(tc, faults_break_what_they_say);
	tcase_add_test(tc, addresses_parsed);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
