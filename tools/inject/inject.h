/* bn-inject: a host-side traffic injector for barenet guests.
 *
 * It speaks Ethernet to one guest NIC through one transport (QEMU's
 * -netdev dgram or stream on loopback, or an AF_PACKET socket on a tap),
 * plays one host (its own MAC and IPv4 address, answering the guest's ARP
 * requests) and sends: a rate-controlled flood of good frames, a replay of
 * a pcap file, or a seeded mix of malformed frames.  Everything the guest
 * sends back is classified and counted; the run ends with a summary. */
#ifndef BN_INJECT_H
#define BN_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN      6
#define ETH_HLEN      14
#define ETH_ZLEN      60      /* IEEE 802.3 minimum frame without FCS */
#define ETH_MAX_LEN   1514    /* MTU 1500 + header */
#define FRAME_MAX     9018    /* the largest frame any mode builds */

/* What was sent, per category.  Good traffic first, then each malformed
 * kind (the names are the --kind names), then what the injector sends on
 * its own account (answers to the guest) and replayed frames. */
enum cat {
	CAT_UDP_ECHO, CAT_UDP_DISCARD, CAT_ICMP_ECHO,
	CAT_MAL_FIRST,
	CAT_RUNT = CAT_MAL_FIRST, CAT_TRUNC_IP, CAT_BAD_LEN, CAT_TRUNC_UDP, CAT_TRUNC_TCP,
	CAT_BAD_IP_CSUM, CAT_BAD_UDP_CSUM, CAT_BAD_TCP_CSUM, CAT_IP_OPTIONS,
	CAT_FRAG_OVERLAP, CAT_FRAG_ENDLESS, CAT_TCP_FLAGS, CAT_ARP_FLOOD, CAT_NDP_FLOOD,
	CAT_ETHERTYPE, CAT_OVERSIZE,
	CAT_MAL_END,
	CAT_ARP_REPLY = CAT_MAL_END, CAT_REPLAY,
	CAT_MAX
};

/* What came back, per kind */
enum rx_kind {
	RX_UDP_ECHO, RX_UDP_OTHER, RX_ICMP_ECHO_REPLY, RX_ICMP_UNREACH, RX_ICMP_TIME_EXCEEDED,
	RX_ICMP_OTHER, RX_TCP_RST, RX_TCP_OTHER, RX_ARP_REQUEST, RX_ARP_REPLY, RX_NDP_NA,
	RX_IPV6_OTHER, RX_IPV4_OTHER, RX_OTHER,
	RX_MAX
};

extern const char *const cat_names[CAT_MAX];
extern const char *const rx_names[RX_MAX];

/* the two hosts on the link */
struct endpoints {
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	uint32_t src_ip, dst_ip;          /* host byte order */
	uint8_t dst_ip6[16];              /* the guest's link-local address */
	uint16_t echo_port, discard_port, closed_port;
};

/* --- frames.c: well-formed headers ---------------------------------------- */

/* the Internet checksum (RFC 1071) of n bytes, folded and complemented */
uint16_t inet_csum(const void *p, size_t n, uint32_t sum);
/* the partial sum of n bytes (big-endian words), for pseudo-headers */
uint32_t csum_add(uint32_t sum, const void *p, size_t n);
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
uint16_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);

/* Ethernet header; returns ETH_HLEN */
size_t eth_build(uint8_t *f, const uint8_t dst[ETH_ALEN], const uint8_t src[ETH_ALEN],
		 uint16_t type);
/* IPv4 header of ihl bytes (20..60, options = NOPs) at ip; tot_len and the
 * checksum as given (checksum computed when csum_ok) */
void ip4_build(uint8_t *ip, unsigned int ihl, uint16_t tot_len, uint16_t id, uint16_t frag,
	       uint8_t proto, uint32_t src, uint32_t dst);
/* UDP or TCP checksum over an IPv4 pseudo-header and len bytes at l4 */
uint16_t l4_csum4(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4, size_t len);
/* a whole Ethernet/IPv4/UDP frame with payload plen bytes; returns its length */
size_t udp_frame(uint8_t *f, const struct endpoints *ep, uint16_t sport, uint16_t dport,
		 size_t plen, uint16_t id, uint32_t fill);
/* Ethernet/IPv4/ICMP echo request with plen payload bytes */
size_t icmp_echo_frame(uint8_t *f, const struct endpoints *ep, uint16_t ident, uint16_t seq,
		       size_t plen);
/* Ethernet/IPv4/TCP segment, no payload */
size_t tcp_frame(uint8_t *f, const struct endpoints *ep, uint16_t sport, uint16_t dport,
		 uint32_t seq, uint32_t ack, uint8_t flags);
/* ARP (RFC 826) request or reply */
size_t arp_frame(uint8_t *f, const uint8_t eth_dst[ETH_ALEN], uint16_t op,
		 const uint8_t sha[ETH_ALEN], uint32_t spa, const uint8_t tha[ETH_ALEN],
		 uint32_t tpa);
/* IPv6 neighbour solicitation (RFC 4861 4.3) for target from src/src_mac */
size_t ndp_ns_frame(uint8_t *f, const uint8_t src_mac[ETH_ALEN], const uint8_t src[16],
		    const uint8_t target[16]);
/* fe80::/64 with the modified EUI-64 of mac (RFC 4291 2.5.1) */
void ip6_linklocal(uint8_t out[16], const uint8_t mac[ETH_ALEN]);

/* --- malformed.c ------------------------------------------------------------ */

/* a small, seeded PRNG (xorshift64*): the same seed gives the same frames */
struct rng { uint64_t s; };
void rng_seed(struct rng *r, uint64_t seed);
uint32_t rng_next(struct rng *r);
uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi);   /* lo..hi inclusive */

/* Frames of malformed category c into f[0], f[1] (a category may need two
 * frames: frag-overlap); lens[i] their lengths; returns how many (1 or 2). */
int malformed_build(enum cat c, struct rng *r, const struct endpoints *ep,
		    uint8_t f[2][FRAME_MAX], size_t lens[2]);
/* the category of a --kind name, or -1 */
int cat_by_name(const char *name);

/* --- transport.c ------------------------------------------------------------ */

enum tp_kind { TP_NONE, TP_DGRAM, TP_STREAM, TP_PACKET };

struct transport {
	enum tp_kind kind;
	int fd;
	uint8_t peer[128];               /* struct sockaddr_storage, dgram: QEMU's socket */
	unsigned int peerlen;
	uint8_t rbuf[1 << 20];            /* stream: bytes received, not yet taken */
	size_t rlen;
	uint64_t rx_dropped_own;         /* packet: frames we sent, seen again */
};

/* Open: dgram ("HOST:PORT" of QEMU's local end, bind "HOST:PORT" for ours),
 * stream ("HOST:PORT" of QEMU's listening socket; retried for up to
 * connect_ms), packet (an interface name).  0 or -errno, with a message on
 * stderr. */
int tp_open_dgram(struct transport *t, const char *remote, const char *bind);
int tp_open_stream(struct transport *t, const char *remote, int connect_ms);
int tp_open_packet(struct transport *t, const char *ifname);
/* Send one frame.  0, -EAGAIN when the transport cannot take it now, or
 * another -errno. */
int tp_send(struct transport *t, const uint8_t *f, size_t len);
/* Receive one frame into f (size FRAME_MAX), waiting up to timeout_ms
 * (0: do not wait).  Its length, 0 if none, or -errno. */
int tp_recv(struct transport *t, uint8_t *f, int timeout_ms);
void tp_close(struct transport *t);

/* --- pcap.c ------------------------------------------------------------------ */

struct pcap_reader {
	void *fp;
	bool swap, nsec;
	uint32_t linktype;
};
/* 0, or -1 with a message (not a classic pcap file, not Ethernet, ...) */
int pcap_open(struct pcap_reader *r, const char *path);
/* next record: 1 with len/ts_ns filled, 0 at the end, -1 on a broken file */
int pcap_next(struct pcap_reader *r, uint8_t *buf, size_t size, size_t *len, uint64_t *ts_ns);
void pcap_close(struct pcap_reader *r);

#endif
