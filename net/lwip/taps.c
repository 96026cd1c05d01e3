/* Capture and journey taps inside lwIP, without patching lwIP: the kernel
 * links with --wrap for the functions below (net/build.mk), so lwIP's calls
 * from one of its files into another come here first.
 *
 *   netif_loop_output   a packet lwIP loops to itself (127.0.0.1, ::1, our
 *                       own addresses): the loopback capture tap, and the
 *                       journey's TX_XMIT for the sender's record
 *   ip4_input/ip6_input RX_IP (and a looped packet's record becomes current)
 *   udp_input/tcp_input RX_L4; and tcp_input takes again a SYN that
 *                       reopened a TIME_WAIT connection (tcp_tw.c)
 *
 * The loopback netif's own output functions call netif_loop_output inside
 * netif.c, where --wrap does not reach: net_taps_init points them here.
 * Everything here runs under the core lock. */
#include "net/lwip/taps.h"
#include "net/lwip/tcp_tw.h"
#include "net/core/capture.h"
#include "net/core/journey.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include <string.h>

#define LOOP_ETH_HLEN     14              /* dst, src, EtherType (IEEE 802.3 3.1.1) */
#define LOOP_ETH_TYPE_OFF 12
#define ETH_P_IP          0x0800          /* RFC 894 */
#define ETH_P_IPV6        0x86DD          /* RFC 2464 */
#define IP_VERSION_SHIFT  4               /* version nibble of IPv4/IPv6 byte 0 */
#define IP_VERSION_6      6

err_t __real_netif_loop_output(struct netif *netif, struct pbuf *p);
extern bool net_loopback_queued;        /* net/lwip/stack.c */
err_t __real_ip4_input(struct pbuf *p, struct netif *inp);
err_t __real_ip6_input(struct pbuf *p, struct netif *inp);
void __real_udp_input(struct pbuf *p, struct netif *inp);
void __real_tcp_input(struct pbuf *p, struct netif *inp);
err_t __wrap_netif_loop_output(struct netif *netif, struct pbuf *p);
err_t __wrap_ip4_input(struct pbuf *p, struct netif *inp);
err_t __wrap_ip6_input(struct pbuf *p, struct netif *inp);
void __wrap_udp_input(struct pbuf *p, struct netif *inp);
void __wrap_tcp_input(struct pbuf *p, struct netif *inp);

/* one frame being assembled for the capture ring; core lock held */
static u8 loop_frame[LOOP_ETH_HLEN + CAPTURE_SNAPLEN];

/* an all-zero Ethernet header in front of the IP packet (Linux's lo) */
static void capture_loop(struct pbuf *p)
{
	u16 len = p->tot_len, cap;
	u8 ver;

	if (!len)
		return;
	pbuf_copy_partial(p, &ver, 1, 0);
	memset(loop_frame, 0, LOOP_ETH_HLEN);
	if ((ver >> IP_VERSION_SHIFT) == IP_VERSION_6) {
		loop_frame[LOOP_ETH_TYPE_OFF] = ETH_P_IPV6 >> 8;
		loop_frame[LOOP_ETH_TYPE_OFF + 1] = ETH_P_IPV6 & 0xff;
	} else {
		loop_frame[LOOP_ETH_TYPE_OFF] = ETH_P_IP >> 8;
		loop_frame[LOOP_ETH_TYPE_OFF + 1] = ETH_P_IP & 0xff;
	}
	cap = (u16)(len < CAPTURE_SNAPLEN ? len : CAPTURE_SNAPLEN);
	pbuf_copy_partial(p, loop_frame + LOOP_ETH_HLEN, cap, 0);
	__capture_frame(CAPTURE_LOOP, loop_frame, LOOP_ETH_HLEN + (u32)cap,
			LOOP_ETH_HLEN + (u32)len);
}

err_t __wrap_netif_loop_output(struct netif *netif, struct pbuf *p)
{
	struct pbuf *before = netif->loop_last;
	err_t err;

	if (unlikely(capture_active))
		capture_loop(p);
	err = __real_netif_loop_output(netif, p);
	net_loopback_queued = true;     /* net_core_unlock kicks the loopback */
	/* lwIP queued a copy (one pbuf) at loop_last: the record waits there
	 * for IP input */
	if (unlikely(journey_on) && err == ERR_OK && netif->loop_last != before)
		journey_loop_out(netif->loop_last, p->tot_len);
	return err;
}

/* the loopback netif's output functions */
static err_t loop_output_ip4(struct netif *netif, struct pbuf *p, const ip4_addr_t *addr)
{
	(void)addr;
	return netif_loop_output(netif, p);
}

static err_t loop_output_ip6(struct netif *netif, struct pbuf *p, const ip6_addr_t *addr)
{
	(void)addr;
	return netif_loop_output(netif, p);
}

/* IP input of a packet: a looped one brings its record; one from a device
 * has its record current already (netif_receive_skb) */
static err_t ip_input_timed(err_t (*real)(struct pbuf *, struct netif *), struct pbuf *p,
			    struct netif *inp)
{
	struct journey_rec *r;
	err_t err;

	if (likely(!journey_on))
		return real(p, inp);
	r = journey_loop_in(p);
	journey_mark_rx(JOURNEY_RX_IP);
	err = real(p, inp);
	journey_rx_end(r);
	return err;
}

err_t __wrap_ip4_input(struct pbuf *p, struct netif *inp)
{
	return ip_input_timed(__real_ip4_input, p, inp);
}

err_t __wrap_ip6_input(struct pbuf *p, struct netif *inp)
{
	return ip_input_timed(__real_ip6_input, p, inp);
}

void __wrap_udp_input(struct pbuf *p, struct netif *inp)
{
	journey_mark_rx(JOURNEY_RX_L4);
	__real_udp_input(p, inp);
}

void __wrap_tcp_input(struct pbuf *p, struct netif *inp)
{
	journey_mark_rx(JOURNEY_RX_L4);
	__real_tcp_input(p, inp);
	/* a SYN that reopens a TIME_WAIT connection goes in once more, now
	 * to the listener (net/lwip/tcp_tw.c) */
	p = tcp_tw_take_syn();
	if (p)
		__real_tcp_input(p, inp);
}

void net_taps_init(void)
{
	struct netif *n;

	NETIF_FOREACH(n) {
		if (n->name[0] == 'l' && n->name[1] == 'o') {
			n->output = loop_output_ip4;
			n->output_ip6 = loop_output_ip6;
		}
	}
}
