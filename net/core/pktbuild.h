/* Frame builder for the packet generator (net/core/pktgen.c) and the
 * receive-path injector (net/lwip/netinject.c): complete Ethernet/IPv4
 * frames with UDP or ICMP echo inside, checksums computed, in a caller's
 * buffer.  No kernel or lwIP dependencies: tested on the host against
 * lwIP's own checksum code (tests/unit/test_pktbuild.c).
 *
 * A frame of frame_len bytes (no FCS, as Linux pktgen's pkt_size) carries
 * IPv4 total length frame_len - ETH_HLEN: the IP datagram fills the frame,
 * with no Ethernet padding.  The payload starts with Linux pktgen's header
 * (magic, sequence number, seconds, microseconds, all big endian) when it
 * has room for it; the rest is zero. */
#ifndef NET_CORE_PKTBUILD_H
#define NET_CORE_PKTBUILD_H

#include "kernel/types.h"

#define PKT_ETH_ALEN        6
#define PKT_ETH_HLEN        14      /* destination, source, EtherType */
#define PKT_ETH_P_IP        0x0800  /* IEEE 802 EtherType of IPv4, RFC 894 */
#define PKT_IPV4_HLEN       20      /* RFC 791 3.1, no options */
#define PKT_UDP_HLEN        8       /* RFC 768 */
#define PKT_ICMP_ECHO_HLEN  8       /* RFC 792: type, code, checksum, id, seq */
#define PKT_IPPROTO_ICMP    1
#define PKT_IPPROTO_UDP     17
#define PKT_ICMP_ECHO       8       /* RFC 792 echo request */
#define PKT_TTL_DEFAULT     64      /* RFC 1700 */
/* the shortest frame the builder makes: Ethernet + IPv4 + UDP/ICMP header */
#define PKT_FRAME_MIN       (PKT_ETH_HLEN + PKT_IPV4_HLEN + PKT_UDP_HLEN)

/* Linux pktgen's payload header (struct pktgen_hdr) */
#define PKTGEN_MAGIC        0xbe9be955u
#define PKTGEN_HDR_LEN      16

/* what goes into one frame; addresses and ports in host byte order */
struct pkt_ip4 {
	u8 dst_mac[PKT_ETH_ALEN];
	u8 src_mac[PKT_ETH_ALEN];
	u32 saddr, daddr;
	u16 ip_id;
	u8 ttl;                 /* 0: PKT_TTL_DEFAULT */
	u16 sport, dport;       /* UDP */
	u16 echo_id, echo_seq;  /* ICMP echo */
	bool no_udp_csum;       /* UDP checksum 0 ("none", RFC 768) */
	u32 seq;                /* pktgen header: sequence number */
	u64 tstamp_ns;          /* pktgen header: send time */
};

/* ways netinject breaks a built frame on purpose */
enum pkt_fault {
	PKT_FAULT_NONE = 0,
	PKT_FAULT_IP_CSUM,      /* wrong IPv4 header checksum */
	PKT_FAULT_L4_CSUM,      /* wrong UDP/ICMP checksum (IP header intact) */
	PKT_FAULT_IP_LEN,       /* IPv4 total length past the end of the frame */
};

/* Build an Ethernet/IPv4/UDP frame of frame_len bytes into buf (size
 * bytes).  Returns frame_len, or -EINVAL when frame_len is below
 * PKT_FRAME_MIN, above size or above 0xffff + ETH_HLEN. */
int pkt_build_udp4(u8 *buf, size_t size, u32 frame_len, const struct pkt_ip4 *p);
/* The same with an ICMP echo request (id and sequence from p). */
int pkt_build_icmp4_echo(u8 *buf, size_t size, u32 frame_len, const struct pkt_ip4 *p);
/* Apply fault to a frame built above; 0, or -EINVAL for an unknown fault
 * or a frame too short to be one of ours. */
int pkt_mangle(u8 *frame, u32 frame_len, enum pkt_fault fault);

/* "a.b.c.d" to a host-order address; 0 or -EINVAL (no leading zeros
 * beyond one digit, nothing after the fourth number) */
int pkt_parse_ipv4(const char *s, u32 *addr);
/* "aa:bb:cc:dd:ee:ff" (hex, one or two digits a byte); 0 or -EINVAL */
int pkt_parse_mac(const char *s, u8 mac[PKT_ETH_ALEN]);

#endif
