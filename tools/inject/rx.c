/* bn-inject: what comes back from the guest, classified and counted; the
 * guest's ARP requests for our address are answered here. */
#include "inject.h"
#include "run.h"

#include <string.h>

#define ETH_P_IP        0x0800
#define ETH_P_ARP       0x0806
#define ETH_P_IPV6      0x86DD
#define ARP_REQUEST     1
#define ARP_REPLY       2
#define ARP_LEN         28
#define IP4_HLEN        20
#define IP6_HLEN        40
#define IPPROTO_ICMP    1
#define IPPROTO_TCP     6
#define IPPROTO_UDP     17
#define IPPROTO_ICMPV6  58
#define ICMP_ECHOREPLY  0
#define ICMP_UNREACH    3
#define ICMP_TIMXCEED   11
#define ND_NA           136      /* RFC 4861 4.4 */
#define TH_RST          0x04
#define TCP_FLAGS_OFF   13

const char *const rx_names[RX_MAX] = {
	[RX_UDP_ECHO] = "udp-echo", [RX_UDP_OTHER] = "udp-other",
	[RX_ICMP_ECHO_REPLY] = "icmp-echo-reply", [RX_ICMP_UNREACH] = "icmp-unreach",
	[RX_ICMP_TIME_EXCEEDED] = "icmp-time-exceeded", [RX_ICMP_OTHER] = "icmp-other",
	[RX_TCP_RST] = "tcp-rst", [RX_TCP_OTHER] = "tcp-other",
	[RX_ARP_REQUEST] = "arp-request", [RX_ARP_REPLY] = "arp-reply",
	[RX_NDP_NA] = "ndp-na", [RX_IPV6_OTHER] = "ipv6-other", [RX_IPV4_OTHER] = "ipv4-other",
	[RX_OTHER] = "other",
};

static enum rx_kind classify_arp(struct run *run, const uint8_t *f, size_t len)
{
	const uint8_t *a = f + ETH_HLEN;
	uint8_t reply[ETH_ZLEN];

	if (len < ETH_HLEN + ARP_LEN)
		return RX_OTHER;
	if (get16(a + 6) == ARP_REPLY)
		return RX_ARP_REPLY;
	if (get16(a + 6) != ARP_REQUEST)
		return RX_OTHER;
	if (get32(a + 24) == run->ep.src_ip && run->answer_arp) {
		size_t n = arp_frame(reply, a + 8, ARP_REPLY, run->ep.src_mac, run->ep.src_ip,
				     a + 8, get32(a + 14));

		run_send(run, CAT_ARP_REPLY, reply, n);
	}
	return RX_ARP_REQUEST;
}

static enum rx_kind classify_ip4(const struct run *run, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *l4;
	unsigned int ihl;

	if (len < ETH_HLEN + IP4_HLEN)
		return RX_IPV4_OTHER;
	ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < IP4_HLEN || len < ETH_HLEN + ihl + 4)
		return RX_IPV4_OTHER;
	l4 = ip + ihl;
	switch (ip[9]) {
	case IPPROTO_UDP:
		return get16(l4) == run->ep.echo_port && get32(ip + 16) == run->ep.src_ip ?
		       RX_UDP_ECHO : RX_UDP_OTHER;
	case IPPROTO_ICMP:
		switch (l4[0]) {
		case ICMP_ECHOREPLY: return RX_ICMP_ECHO_REPLY;
		case ICMP_UNREACH:   return RX_ICMP_UNREACH;
		case ICMP_TIMXCEED:  return RX_ICMP_TIME_EXCEEDED;
		default:             return RX_ICMP_OTHER;
		}
	case IPPROTO_TCP:
		if (len < ETH_HLEN + ihl + TCP_FLAGS_OFF + 1)
			return RX_TCP_OTHER;
		return (l4[TCP_FLAGS_OFF] & TH_RST) ? RX_TCP_RST : RX_TCP_OTHER;
	default:
		return RX_IPV4_OTHER;
	}
}

static enum rx_kind classify_ip6(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;

	if (len >= ETH_HLEN + IP6_HLEN + 1 && ip[6] == IPPROTO_ICMPV6 && ip[IP6_HLEN] == ND_NA)
		return RX_NDP_NA;
	return RX_IPV6_OTHER;
}

enum rx_kind rx_classify(struct run *run, const uint8_t *f, size_t len)
{
	if (len < ETH_HLEN)
		return RX_OTHER;
	switch (get16(f + 2 * ETH_ALEN)) {
	case ETH_P_ARP:  return classify_arp(run, f, len);
	case ETH_P_IP:   return classify_ip4(run, f, len);
	case ETH_P_IPV6: return classify_ip6(f, len);
	default:         return RX_OTHER;
	}
}

int rx_drain(struct run *run, int timeout_ms)
{
	static uint8_t f[FRAME_MAX];
	int n, got = 0;

	while ((n = tp_recv(&run->tp, f, timeout_ms)) > 0) {
		run->rx[rx_classify(run, f, (size_t)n)]++;
		run->rx_total++;
		run->last_rx_ns = run_now_ns();
		got++;
		timeout_ms = 0;
	}
	if (n < 0 && !run->rx_error) {
		run->rx_error = n;
		return n;
	}
	return got;
}
