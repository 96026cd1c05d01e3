/* bn-inject: malformed frames, one function per category.  Each breaks one
 * thing in an otherwise valid frame, so that the receiver's verdict is a
 * single, known drop reason (docs/STRESS.md's table says which counter). */
#include "inject.h"

#include <string.h>
#include <strings.h>

#define ETH_P_IP        0x0800
#define ETH_P_EXP1      0x88B5   /* IEEE 802 local experimental EtherType 1 */
#define IP4_HLEN        20
#define IP4_HLEN_MAX    60
#define IP4_MF          0x2000   /* RFC 791 3.1: more fragments */
#define IP4_FRAG_UNIT   8        /* fragment offsets count 8-byte units */
#define IPPROTO_TCP     6
#define IPPROTO_UDP     17
#define UDP_HLEN        8
#define TCP_HLEN        20
#define IP_OPT_EOL      0
#define IP_OPT_RR       7        /* record route, RFC 791 3.1 */
#define IP_OPT_RR_PTR   4        /* the first free slot */
#define ARP_REQUEST     1
#define VLAN_MAX_LEN    1522     /* the longest frame a NIC takes without LPE */
#define OVERSIZE_MAX    2000

/* TCP flags (RFC 9293 3.1) */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

const char *const cat_names[CAT_MAX] = {
	[CAT_UDP_ECHO] = "udp-echo", [CAT_UDP_DISCARD] = "udp-discard",
	[CAT_ICMP_ECHO] = "icmp-echo",
	[CAT_RUNT] = "runt", [CAT_TRUNC_IP] = "trunc-ip", [CAT_BAD_LEN] = "bad-len",
	[CAT_TRUNC_UDP] = "trunc-udp", [CAT_TRUNC_TCP] = "trunc-tcp",
	[CAT_BAD_IP_CSUM] = "bad-ip-csum", [CAT_BAD_UDP_CSUM] = "bad-udp-csum",
	[CAT_BAD_TCP_CSUM] = "bad-tcp-csum", [CAT_IP_OPTIONS] = "ip-options",
	[CAT_FRAG_OVERLAP] = "frag-overlap", [CAT_FRAG_ENDLESS] = "frag-endless",
	[CAT_TCP_FLAGS] = "tcp-flags", [CAT_ARP_FLOOD] = "arp-flood",
	[CAT_NDP_FLOOD] = "ndp-flood", [CAT_ETHERTYPE] = "ethertype",
	[CAT_OVERSIZE] = "oversize",
	[CAT_ARP_REPLY] = "arp-self", [CAT_REPLAY] = "replay",
};

int cat_by_name(const char *name)
{
	for (int c = 0; c < CAT_MAX; c++)
		if (cat_names[c] && !strcasecmp(name, cat_names[c]))
			return c;
	return -1;
}

void rng_seed(struct rng *r, uint64_t seed)
{
	/* any seed, 0 included, gives a non-zero state */
	r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
	if (!r->s)
		r->s = 1;
}

uint32_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 0x2545F4914F6CDD1Dull) >> 32);
}

uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + rng_next(r) % (hi - lo + 1);
}

/* the next IPv4 identification: fragments of one unit share it, units never */
static uint16_t next_id(struct rng *r)
{
	static uint16_t id;
	static bool started;

	if (!started) {
		id = (uint16_t)rng_next(r);
		started = true;
	}
	return id++;
}

/* frames shorter than the minimum get zero padding, as a NIC sends them */
static size_t pad(uint8_t *f, size_t len)
{
	if (len < ETH_ZLEN) {
		memset(f + len, 0, ETH_ZLEN - len);
		len = ETH_ZLEN;
	}
	return len;
}

static void ip_recsum(uint8_t *ip)
{
	unsigned int ihl = (ip[0] & 0x0f) * 4u;

	put16(ip + 10, 0);
	put16(ip + 10, inet_csum(ip, ihl, 0));
}

/* a random locally administered unicast MAC */
static void random_mac(struct rng *r, uint8_t mac[ETH_ALEN])
{
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)rng_next(r);
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

/* an address on the guest's /24 that is neither end of the link */
static uint32_t random_neighbour(struct rng *r, const struct endpoints *ep)
{
	uint32_t a;

	do
		a = (ep->dst_ip & 0xffffff00u) | rng_range(r, 1, 254);
	while (a == ep->dst_ip || a == ep->src_ip);
	return a;
}

static uint16_t sport(struct rng *r)
{
	return (uint16_t)rng_range(r, 1024, 65535);
}

/* runt: an Ethernet header and 4..19 bytes of an IPv4 header, shorter than
 * the 60-byte minimum and not padded; the header's total length (100 or
 * more) is past the end whether a NIC pads it or not */
static size_t mk_runt(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t k = rng_range(r, 4, IP4_HLEN - 1);
	uint8_t *ip = f + ETH_HLEN;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	for (size_t i = 0; i < k; i++)
		ip[i] = (uint8_t)rng_next(r);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)rng_range(r, 100, 1400));
	return ETH_HLEN + k;
}

static size_t good_udp(uint8_t *f, struct rng *r, const struct endpoints *ep, uint16_t dport,
		       size_t plen)
{
	return pad(f, udp_frame(f, ep, sport(r), dport, plen, next_id(r), rng_next(r)));
}

/* trunc-ip: total length past the end of the frame (Linux: InTruncatedPkts) */
static size_t mk_trunc_ip(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = good_udp(f, r, ep, ep->discard_port, rng_range(r, 18, 200));
	uint8_t *ip = f + ETH_HLEN;

	put16(ip + 2, (uint16_t)(len - ETH_HLEN + rng_range(r, 1, 500)));
	ip_recsum(ip);
	return len;
}

/* bad-len: total length smaller than the header itself */
static size_t mk_bad_len(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = good_udp(f, r, ep, ep->discard_port, rng_range(r, 18, 200));
	uint8_t *ip = f + ETH_HLEN;

	put16(ip + 2, (uint16_t)rng_range(r, 0, IP4_HLEN - 1));
	ip_recsum(ip);
	return len;
}

/* trunc-udp / trunc-tcp: a valid IPv4 header whose payload is shorter than
 * the transport header */
static size_t mk_trunc_l4(uint8_t *f, struct rng *r, const struct endpoints *ep, uint8_t proto)
{
	size_t n = rng_range(r, 1, (proto == IPPROTO_UDP ? UDP_HLEN : TCP_HLEN) - 1);
	uint8_t *ip = f + ETH_HLEN;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	ip4_build(ip, IP4_HLEN, (uint16_t)(IP4_HLEN + n), next_id(r), 0, proto,
		  ep->src_ip, ep->dst_ip);
	for (size_t i = 0; i < n; i++)
		ip[IP4_HLEN + i] = (uint8_t)rng_next(r);
	return pad(f, ETH_HLEN + IP4_HLEN + n);
}

static size_t mk_bad_ip_csum(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = good_udp(f, r, ep, ep->discard_port, rng_range(r, 18, 500));
	uint8_t *ip = f + ETH_HLEN;

	put16(ip + 10, (uint16_t)(get16(ip + 10) ^ rng_range(r, 1, 0xffff)));
	return len;
}

static size_t mk_bad_udp_csum(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = good_udp(f, r, ep, ep->discard_port, rng_range(r, 18, 500));
	uint8_t *udp = f + ETH_HLEN + IP4_HLEN;
	uint16_t c;

	/* never 0: that would mean "no checksum" (RFC 768) */
	do
		c = (uint16_t)(get16(udp + 6) ^ rng_range(r, 1, 0xffff));
	while (c == 0);
	put16(udp + 6, c);
	return len;
}

static size_t mk_bad_tcp_csum(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = pad(f, tcp_frame(f, ep, sport(r), ep->closed_port, rng_next(r), 0, TH_SYN));
	uint8_t *tcp = f + ETH_HLEN + IP4_HLEN;

	put16(tcp + 16, (uint16_t)(get16(tcp + 16) ^ rng_range(r, 1, 0xffff)));
	return len;
}

/* ip-options: a datagram to the echo service whose header carries a record
 * route option and end-of-list padding, 4..40 option bytes */
static size_t mk_ip_options(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	unsigned int ihl = IP4_HLEN + 4 * rng_range(r, 1, (IP4_HLEN_MAX - IP4_HLEN) / 4);
	size_t plen = rng_range(r, 4, 200), olen = ihl - IP4_HLEN, slots = (olen - 3) / 4;
	uint8_t *ip = f + ETH_HLEN, *udp = ip + ihl;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	ip4_build(ip, ihl, (uint16_t)(ihl + UDP_HLEN + plen), next_id(r), 0, IPPROTO_UDP,
		  ep->src_ip, ep->dst_ip);
	memset(ip + IP4_HLEN, IP_OPT_EOL, olen);
	ip[IP4_HLEN] = IP_OPT_RR;
	ip[IP4_HLEN + 1] = (uint8_t)(3 + 4 * slots);
	ip[IP4_HLEN + 2] = IP_OPT_RR_PTR;
	ip_recsum(ip);
	put16(udp, sport(r));
	put16(udp + 2, ep->echo_port);
	put16(udp + 4, (uint16_t)(UDP_HLEN + plen));
	put16(udp + 6, 0);
	for (size_t i = 0; i < plen; i++)
		udp[UDP_HLEN + i] = (uint8_t)rng_next(r);
	put16(udp + 6, l4_csum4(ep->src_ip, ep->dst_ip, IPPROTO_UDP, udp, UDP_HLEN + plen));
	return pad(f, ETH_HLEN + ihl + UDP_HLEN + plen);
}

/* one IPv4 fragment to the discard service: data bytes at byte offset off */
static size_t fragment(uint8_t *f, struct rng *r, const struct endpoints *ep, uint16_t id,
		       unsigned int off, size_t data, bool more)
{
	uint8_t *ip = f + ETH_HLEN;

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	ip4_build(ip, IP4_HLEN, (uint16_t)(IP4_HLEN + data), id,
		  (uint16_t)((more ? IP4_MF : 0) | off / IP4_FRAG_UNIT), IPPROTO_UDP,
		  ep->src_ip, ep->dst_ip);
	for (size_t i = 0; i < data; i++)
		ip[IP4_HLEN + i] = (uint8_t)rng_next(r);
	if (off == 0) {
		put16(ip + IP4_HLEN, sport(r));
		put16(ip + IP4_HLEN + 2, ep->discard_port);
	}
	return pad(f, ETH_HLEN + IP4_HLEN + data);
}

/* frag-overlap: the first fragment (bytes 0..23, more to come), then a last
 * fragment that starts inside it (bytes 8..31) */
static int mk_frag_overlap(uint8_t f[2][FRAME_MAX], size_t lens[2], struct rng *r,
			   const struct endpoints *ep)
{
	uint16_t id = next_id(r);

	lens[0] = fragment(f[0], r, ep, id, 0, 3 * IP4_FRAG_UNIT, true);
	lens[1] = fragment(f[1], r, ep, id, IP4_FRAG_UNIT, 3 * IP4_FRAG_UNIT, false);
	return 2;
}

/* frag-endless: a first fragment whose rest never comes */
static size_t mk_frag_endless(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	return fragment(f, r, ep, next_id(r), 0, IP4_FRAG_UNIT * rng_range(r, 1, 8), true);
}

/* tcp-flags: segments with odd flag combinations (never RST) to a closed
 * port: null, Xmas, SYN+FIN, FIN alone, ... */
static size_t mk_tcp_flags(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	static const uint8_t flags[] = {
		0, TH_FIN | TH_PSH | TH_URG, TH_SYN | TH_FIN, TH_FIN, TH_URG, TH_PSH,
		TH_SYN | TH_FIN | TH_PSH | TH_URG, TH_ACK | TH_FIN | TH_PSH | TH_URG | TH_SYN,
		TH_ACK, TH_SYN,
	};
	uint8_t fl = flags[rng_next(r) % sizeof(flags)];

	return pad(f, tcp_frame(f, ep, sport(r), ep->closed_port, rng_next(r),
				(fl & TH_ACK) ? rng_next(r) : 0, fl));
}

/* arp-flood: broadcast requests from random neighbours for other neighbours */
static size_t mk_arp_flood(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[ETH_ALEN];
	uint8_t mac[ETH_ALEN];
	uint32_t spa = random_neighbour(r, ep), tpa = random_neighbour(r, ep);

	random_mac(r, mac);
	return arp_frame(f, bcast, ARP_REQUEST, mac, spa, zero, tpa);
}

/* ndp-flood: neighbour solicitations for the guest's link-local address
 * from random link-local neighbours */
static size_t mk_ndp_flood(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	uint8_t mac[ETH_ALEN], src[16];

	random_mac(r, mac);
	ip6_linklocal(src, mac);
	return ndp_ns_frame(f, mac, src, ep->dst_ip6);
}

/* ethertype: a frame of an EtherType no stack handles */
static size_t mk_ethertype(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = rng_range(r, ETH_ZLEN, 200);

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_EXP1);
	for (size_t i = ETH_HLEN; i < len; i++)
		f[i] = (uint8_t)rng_next(r);
	return len;
}

/* oversize: longer than a NIC without long packet enable accepts */
static size_t mk_oversize(uint8_t *f, struct rng *r, const struct endpoints *ep)
{
	size_t len = rng_range(r, VLAN_MAX_LEN + 1, OVERSIZE_MAX);

	eth_build(f, ep->dst_mac, ep->src_mac, ETH_P_IP);
	for (size_t i = ETH_HLEN; i < len; i++)
		f[i] = (uint8_t)rng_next(r);
	return len;
}

int malformed_build(enum cat c, struct rng *r, const struct endpoints *ep,
		    uint8_t f[2][FRAME_MAX], size_t lens[2])
{
	switch (c) {
	case CAT_RUNT:         lens[0] = mk_runt(f[0], r, ep); break;
	case CAT_TRUNC_IP:     lens[0] = mk_trunc_ip(f[0], r, ep); break;
	case CAT_BAD_LEN:      lens[0] = mk_bad_len(f[0], r, ep); break;
	case CAT_TRUNC_UDP:    lens[0] = mk_trunc_l4(f[0], r, ep, IPPROTO_UDP); break;
	case CAT_TRUNC_TCP:    lens[0] = mk_trunc_l4(f[0], r, ep, IPPROTO_TCP); break;
	case CAT_BAD_IP_CSUM:  lens[0] = mk_bad_ip_csum(f[0], r, ep); break;
	case CAT_BAD_UDP_CSUM: lens[0] = mk_bad_udp_csum(f[0], r, ep); break;
	case CAT_BAD_TCP_CSUM: lens[0] = mk_bad_tcp_csum(f[0], r, ep); break;
	case CAT_IP_OPTIONS:   lens[0] = mk_ip_options(f[0], r, ep); break;
	case CAT_FRAG_OVERLAP: return mk_frag_overlap(f, lens, r, ep);
	case CAT_FRAG_ENDLESS: lens[0] = mk_frag_endless(f[0], r, ep); break;
	case CAT_TCP_FLAGS:    lens[0] = mk_tcp_flags(f[0], r, ep); break;
	case CAT_ARP_FLOOD:    lens[0] = mk_arp_flood(f[0], r, ep); break;
	case CAT_NDP_FLOOD:    lens[0] = mk_ndp_flood(f[0], r, ep); break;
	case CAT_ETHERTYPE:    lens[0] = mk_ethertype(f[0], r, ep); break;
	case CAT_OVERSIZE:     lens[0] = mk_oversize(f[0], r, ep); break;
	default:               return 0;
	}
	return 1;
}
