/* lwIP's fragmentation on output with an MTU too small to fragment for
 * (net/lwip/patches/0004, 0005): ip6_frag and ip4_frag refuse and count
 * instead of looping for ever, and still fragment at sane MTUs.  lwIP
 * built for the host (the kernel's lwipopts.h and patches), a netif whose
 * output functions count what would go on the wire.  Without the patches
 * the tiny-MTU cases never return: Check's per-test timeout fails them. */
#include <check.h>
#include <string.h>
#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/ip4.h"
#include "lwip/ip6.h"
#include "lwip/ip6_frag.h"
#include "lwip/prot/ip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip.h"
#include "lwip/stats.h"
#include "check_main.h"

/* a hang is what the patches fix: fail in seconds, not the default 120 */
#define FRAG_TIMEOUT_S 10

static struct netif nif;
static unsigned int out4, out6, max4, max6;

static err_t count_out4(struct netif *netif, struct pbuf *p, const ip4_addr_t *dst)
{
	(void)netif;
	(void)dst;
	out4++;
	if (p->tot_len > max4)
		max4 = p->tot_len;
	return ERR_OK;
}

static err_t count_out6(struct netif *netif, struct pbuf *p, const ip6_addr_t *dst)
{
	(void)netif;
	(void)dst;
	out6++;
	if (p->tot_len > max6)
		max6 = p->tot_len;
	return ERR_OK;
}

static err_t nif_init(struct netif *netif)
{
	netif->output = count_out4;
	netif->output_ip6 = count_out6;
	netif->mtu = 1500;
	netif->mtu6 = 1500;
	netif->name[0] = 't';
	netif->name[1] = 'f';
	return ERR_OK;
}

static void setup(void)
{
	static bool inited;
	ip4_addr_t a, m, g;

	if (!inited) {
		lwip_init();
		inited = true;
	}
	IP4_ADDR(&a, 10, 0, 2, 15);
	IP4_ADDR(&m, 255, 255, 255, 0);
	IP4_ADDR(&g, 10, 0, 2, 2);
	ck_assert_ptr_nonnull(netif_add(&nif, &a, &m, &g, NULL, nif_init, netif_input));
	netif_set_up(&nif);
	out4 = out6 = max4 = max6 = 0;
}

static void teardown(void)
{
	netif_remove(&nif);
}

/* an IPv4 datagram of len bytes of UDP-numbered payload to 10.0.2.2 */
static err_t send4(u16 len)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, len, PBUF_RAM);
	ip4_addr_t src, dst;
	err_t err;

	ck_assert_ptr_nonnull(p);
	memset(p->payload, 0x5a, len);
	IP4_ADDR(&src, 10, 0, 2, 15);
	IP4_ADDR(&dst, 10, 0, 2, 2);
	err = ip4_output_if(p, &src, &dst, 64, 0, IP_PROTO_UDP, &nif);
	pbuf_free(p);
	return err;
}

static err_t send6(u16 len)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, len, PBUF_RAM);
	ip6_addr_t src, dst;
	err_t err;

	ck_assert_ptr_nonnull(p);
	memset(p->payload, 0xa5, len);
	ck_assert(ip6addr_aton("fe80::5054:ff:fe12:3456", &src));
	ck_assert(ip6addr_aton("fe80::2", &dst));
	ip6_addr_assign_zone(&src, IP6_UNICAST, &nif);
	ip6_addr_assign_zone(&dst, IP6_UNICAST, &nif);
	err = ip6_output_if(p, &src, &dst, 64, 0, IP6_NEXTH_UDP, &nif);
	pbuf_free(p);
	return err;
}

START_TEST(ip4_fragments_at_a_sane_mtu)
{
	nif.mtu = 576;
	ck_assert_int_eq(send4(1400), ERR_OK);
	ck_assert_uint_eq(out4, 3);             /* 552 + 552 + 296 bytes of data */
	ck_assert_uint_le(max4, 576);
}
END_TEST

START_TEST(ip4_refuses_an_mtu_below_68)
{
	u32 err0 = (u32)lwip_stats.ip_frag.err, fails0 = lwip_stats.mib2.ipfragfails;

	nif.mtu = 60;
	ck_assert_int_eq(send4(100), ERR_VAL);
	nif.mtu = 20;                           /* nfb 0: looped for ever */
	ck_assert_int_eq(send4(100), ERR_VAL);
	ck_assert_uint_eq(out4, 0);
	ck_assert_uint_eq((u32)lwip_stats.ip_frag.err - err0, 2);
	ck_assert_uint_eq(lwip_stats.mib2.ipfragfails - fails0, 2);
	nif.mtu = 68;                           /* the floor itself works */
	ck_assert_int_eq(send4(100), ERR_OK);
	ck_assert_uint_ge(out4, 2);
	ck_assert_uint_le(max4, 68);
}
END_TEST

START_TEST(ip6_fragments_at_1280)
{
	nif.mtu6 = 1280;
	ck_assert_int_eq(send6(2000), ERR_OK);
	ck_assert_uint_eq(out6, 2);
	ck_assert_uint_le(max6, 1280);
}
END_TEST

START_TEST(ip6_refuses_an_mtu_without_room_for_data)
{
	u32 err0 = (u32)lwip_stats.ip6_frag.err;

	nif.mtu6 = 50;                          /* (50 - 48) & ~7 = 0: looped for ever */
	ck_assert_int_eq(send6(100), ERR_VAL);
	nif.mtu6 = 40;                          /* below the headers: wrapped around */
	ck_assert_int_eq(send6(100), ERR_VAL);
	ck_assert_uint_eq(out6, 0);
	ck_assert_uint_eq((u32)lwip_stats.ip6_frag.err - err0, 2);
	nif.mtu6 = 56;                          /* 8 bytes of data per fragment */
	ck_assert_int_eq(send6(100), ERR_OK);
	ck_assert_uint_eq(out6, 13);            /* 100 bytes, 8 per fragment */
	ck_assert_uint_le(max6, 56);
}
END_TEST

/* ip6_reass() on a Fragment header that does not follow the current IPv6
 * header (net/lwip/patches/0006): lwIP 2.1.3's nested fragments got there
 * with a stale header pointer and hit an assertion (a kernel panic).  Now
 * the fragment is dropped and counted. */
START_TEST(ip6_reass_drops_a_fragment_not_after_the_current_header)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, IP6_HLEN + IP6_FRAG_HLEN + 16 + IP6_HLEN, PBUF_RAM);
	struct ip6_hdr *hdr;
	struct ip6_frag_hdr *fh;
	u32 proterr0 = (u32)lwip_stats.ip6_frag.proterr;

	ck_assert_ptr_nonnull(p);
	memset(p->payload, 0, p->len);
	hdr = (struct ip6_hdr *)p->payload;
	IP6H_VTCFL_SET(hdr, 6, 0, 0);
	IP6H_PLEN_SET(hdr, IP6_FRAG_HLEN + 16);
	IP6H_NEXTH_SET(hdr, IP6_NEXTH_FRAGMENT);
	fh = (struct ip6_frag_hdr *)((u8_t *)p->payload + IP6_HLEN);
	fh->_nexth = IP6_NEXTH_UDP;
	fh->_fragment_offset = PP_HTONS(IP6_FRAG_MORE_FLAG);
	fh->_identification = PP_HTONL(0x1234);
	/* "the current header" is one after the fragment (a stale pointer
	 * into another buffer is as far off) */
	ip_data.current_ip6_header = (struct ip6_hdr *)((u8_t *)p->payload + IP6_HLEN + 24);
	ip_data.current_input_netif = &nif;
	ck_assert_int_eq(pbuf_remove_header(p, IP6_HLEN), 0);
	ck_assert_ptr_null(ip6_reass(p));          /* p is freed */
	ck_assert_uint_eq((u32)lwip_stats.ip6_frag.proterr - proterr0, 1);
	ip_data.current_ip6_header = NULL;
	ip_data.current_input_netif = NULL;
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lwip_frag");
	TCase *tc = tcase_create("frag");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, FRAG_TIMEOUT_S);
	tcase_add_test(tc, ip4_fragments_at_a_sane_mtu);
	tcase_add_test(tc, ip4_refuses_an_mtu_below_68);
	tcase_add_test(tc, ip6_fragments_at_1280);
	tcase_add_test(tc, ip6_refuses_an_mtu_without_room_for_data);
	tcase_add_test(tc, ip6_reass_drops_a_fragment_not_after_the_current_header);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
