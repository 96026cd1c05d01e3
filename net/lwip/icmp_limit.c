/* Rate limits on the ICMP and ICMPv6 errors lwIP generates, as Linux
 * limits them (net/core/xrlim.h has the buckets): lwIP sends one error
 * for every bad packet (the issue measured 85,353 ICMPv6 errors out for
 * 85,358 packets in), which RFC 4443 2.4(f) forbids for ICMPv6 and which
 * turns the host into a reflector and a fast port-scan target.
 *
 * lwIP's error senders are called from its other files (udp.c, ip4.c,
 * ip4_frag.c, ip6.c, ip6_frag.c), so the kernel links with --wrap for them
 * (net/build.mk) and each call comes here first; nothing in lwIP changes.
 * As in Linux:
 *  - limited: Destination Unreachable except Fragmentation Needed (path MTU
 *    discovery), Time Exceeded; ICMPv6 Destination Unreachable, Time
 *    Exceeded and Parameter Problem (Linux's default icmp_ratemask 0x1818
 *    and icmpv6_mask_allow); Packet Too Big is never limited (lwIP sends
 *    it only when forwarding, which barenet does not);
 *  - not limited: errors to a loopback address or one of our own (Linux
 *    sends those over lo, which it does not limit);
 *  - first the global bucket (OutRateLimitGlobal), then the destination's
 *    (OutRateLimitHost, Icmp6OutRateLimitHost).
 * RSTs for segments that meet no connection are limited too (see
 * __wrap_tcp_rst_netif below).
 * Everything runs under the core lock (lwIP's input path and timers). */
#include "net/lwip/icmp_limit.h"
#include "net/core/xrlim.h"
#include "kernel/random.h"
#include "kernel/time.h"
#include "lwip/icmp.h"
#include "lwip/icmp6.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/priv/tcp_priv.h"

struct icmp_limit_stats icmp_limit_stats;

static struct xrlim_global icmp_global, rst_global;
static struct xrlim_table icmp_peers;

void __real_icmp_dest_unreach(struct pbuf *p, enum icmp_dur_type t);
void __real_icmp_time_exceeded(struct pbuf *p, enum icmp_te_type t);
void __real_icmp6_dest_unreach(struct pbuf *p, enum icmp6_dur_code c);
void __real_icmp6_time_exceeded(struct pbuf *p, enum icmp6_te_code c);
void __real_icmp6_time_exceeded_with_addrs(struct pbuf *p, enum icmp6_te_code c,
					   const ip6_addr_t *src_addr, const ip6_addr_t *dest_addr);
void __real_icmp6_param_problem(struct pbuf *p, enum icmp6_pp_code c, const void *pointer);
void __wrap_icmp_dest_unreach(struct pbuf *p, enum icmp_dur_type t);
void __wrap_icmp_time_exceeded(struct pbuf *p, enum icmp_te_type t);
void __wrap_icmp6_dest_unreach(struct pbuf *p, enum icmp6_dur_code c);
void __wrap_icmp6_time_exceeded(struct pbuf *p, enum icmp6_te_code c);
void __wrap_icmp6_time_exceeded_with_addrs(struct pbuf *p, enum icmp6_te_code c,
					   const ip6_addr_t *src_addr, const ip6_addr_t *dest_addr);
void __wrap_icmp6_param_problem(struct pbuf *p, enum icmp6_pp_code c, const void *pointer);
void __real_tcp_rst_netif(struct netif *netif, u32_t seqno, u32_t ackno,
			  const ip_addr_t *local_ip, const ip_addr_t *remote_ip,
			  u16_t local_port, u16_t remote_port);
void __wrap_tcp_rst_netif(struct netif *netif, u32_t seqno, u32_t ackno,
			  const ip_addr_t *local_ip, const ip_addr_t *remote_ip,
			  u16_t local_port, u16_t remote_port);

void icmp_limit_init(void)
{
	icmp_peers.key = get_random_u64();
}

static u32 now_ms(void)
{
	return (u32)(ktime_get_ns() / NSEC_PER_MSEC);
}

/* the verdict for an error to addr, counted */
static bool icmp_allow(u8 family, const void *addr, int interval_ms)
{
	enum xrlim_verdict v = xrlim_allow(&icmp_global, &icmp_peers, family, addr, now_ms(),
					   (u32)READ_ONCE(sysctl_icmp_msgs_per_sec),
					   (u32)READ_ONCE(sysctl_icmp_msgs_burst), (u32)interval_ms,
					   get_random_u32_below(3));

	if (v == XRLIM_GLOBAL)
		icmp_limit_stats.out_ratelimit_global++;
	else if (v == XRLIM_HOST && family == 6)
		icmp_limit_stats.out6_ratelimit_host++;
	else if (v == XRLIM_HOST)
		icmp_limit_stats.out_ratelimit_host++;
	return v == XRLIM_SEND;
}

/* one of our own addresses: traffic that never leaves the host (Linux
 * sends it over lo, whose errors it does not limit) */
static bool ip4_is_local(const ip4_addr_t *a)
{
	struct netif *n;

	if (ip4_addr_isloopback(a))
		return true;
	NETIF_FOREACH(n)
		if (ip4_addr_eq(a, netif_ip4_addr(n)))
			return true;
	return false;
}

static bool ip6_is_local(const ip6_addr_t *a)
{
	struct netif *n;

	if (ip6_addr_isloopback(a))
		return true;
	NETIF_FOREACH(n)
		if (netif_get_ip6_addr_match(n, a) >= 0)
			return true;
	return false;
}

/* an IPv4 error quoting the packet at p->payload: to its source */
static bool icmp4_allow(const struct pbuf *p)
{
	const struct ip_hdr *iph = p->payload;
	ip4_addr_t src;

	/* too short to quote: lwIP's own check drops it */
	if (p->len < IP_HLEN)
		return true;
	ip4_addr_copy(src, iph->src);
	if (ip4_is_local(&src))
		return true;
	return icmp_allow(4, &src.addr, READ_ONCE(sysctl_icmp_ratelimit));
}

static bool icmp6_allow(const ip6_addr_t *to)
{
	if (!to || ip6_is_local(to))
		return true;
	return icmp_allow(6, to->addr, READ_ONCE(sysctl_icmpv6_ratelimit));
}

void __wrap_icmp_dest_unreach(struct pbuf *p, enum icmp_dur_type t)
{
	if (t == ICMP_DUR_FRAG || icmp4_allow(p))
		__real_icmp_dest_unreach(p, t);
}

void __wrap_icmp_time_exceeded(struct pbuf *p, enum icmp_te_type t)
{
	if (icmp4_allow(p))
		__real_icmp_time_exceeded(p, t);
}

/* these answer the packet being received: lwIP sends them to its source */
void __wrap_icmp6_dest_unreach(struct pbuf *p, enum icmp6_dur_code c)
{
	if (icmp6_allow(ip6_current_src_addr()))
		__real_icmp6_dest_unreach(p, c);
}

void __wrap_icmp6_time_exceeded(struct pbuf *p, enum icmp6_te_code c)
{
	if (icmp6_allow(ip6_current_src_addr()))
		__real_icmp6_time_exceeded(p, c);
}

void __wrap_icmp6_param_problem(struct pbuf *p, enum icmp6_pp_code c, const void *pointer)
{
	if (icmp6_allow(ip6_current_src_addr()))
		__real_icmp6_param_problem(p, c, pointer);
}

/* a reassembly that timed out: to the first fragment's source (src_addr) */
void __wrap_icmp6_time_exceeded_with_addrs(struct pbuf *p, enum icmp6_te_code c,
					   const ip6_addr_t *src_addr, const ip6_addr_t *dest_addr)
{
	if (icmp6_allow(src_addr))
		__real_icmp6_time_exceeded_with_addrs(p, c, src_addr, dest_addr);
}

/* A RST for a segment that met no connection (lwIP 2.2.1's tcp_input and
 * tcp_listen_input send those with tcp_rst_netif; RSTs of a connection go
 * through tcp_rst and are not limited).  Linux does not limit these;
 * FreeBSD's icmplim does, and a SYN or ACK flood to closed ports otherwise
 * gets one RST per segment: a global bucket of its own with the ICMP
 * limit's settings, no per-host limit (a client's "connection refused"
 * must stay immediate).  TcpExt TCPRstRateLimit counts the ones held back. */
void __wrap_tcp_rst_netif(struct netif *netif, u32_t seqno, u32_t ackno,
			  const ip_addr_t *local_ip, const ip_addr_t *remote_ip,
			  u16_t local_port, u16_t remote_port)
{
	if (!(IP_IS_V6(remote_ip) ? ip6_is_local(ip_2_ip6(remote_ip)) :
	      ip4_is_local(ip_2_ip4(remote_ip))) &&
	    !xrlim_global_allow(&rst_global, now_ms(), (u32)READ_ONCE(sysctl_icmp_msgs_per_sec),
				(u32)READ_ONCE(sysctl_icmp_msgs_burst), get_random_u32_below(3))) {
		icmp_limit_stats.rst_ratelimit++;
		return;
	}
	__real_tcp_rst_netif(netif, seqno, ackno, local_ip, remote_ip, local_port, remote_port);
}
