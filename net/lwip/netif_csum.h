/* The glue's checksum helpers (net/lwip/netif_csum.c), for net/lwip/netif.c
 * only: header fields, transmit checksums, receive verdicts. */
#ifndef NET_LWIP_NETIF_CSUM_H
#define NET_LWIP_NETIF_CSUM_H

#include "kernel/types.h"
#include "net/lwip/netif_glue.h"

struct net_device;
struct sk_buff;

/* Ethernet and IP header fields the receive path looks at before trusting
 * the NIC's checksum verdict */
#define ETH_P_IP            0x0800   /* IEEE 802 EtherType, RFC 894 */
#define ETH_P_IPV6          0x86DD   /* RFC 2464 */
#define ETH_P_ARP           0x0806   /* RFC 826 */
#define IPV4_FRAG_OFF       6        /* RFC 791 3.1: flags + fragment offset */
#define IPV4_MF             0x2000   /* more fragments */
#define IPV4_OFFSET_MASK    0x1FFF
#define IPV6_NEXT_HEADER    6        /* RFC 8200 3 */
#define IPV6_NH_FRAGMENT    44       /* RFC 8200 4.5 */
#define IPV4_VER_IHL        0        /* RFC 791 3.1: version, header length in words */
#define IPV4_IHL_MASK       0x0f
#define IPV4_TOT_LEN        2
#define IPV4_PROTOCOL       9
#define IPV4_CHECK          10       /* header checksum */
#define IPV4_SADDR          12       /* then daddr at 16 */
#define IPV4_HLEN_MIN       20
#define IPV6_PAYLOAD_LEN    4        /* RFC 8200 3 */
#define IPV6_SADDR          8        /* then daddr at 24 */
#define IPV6_HLEN           40
#define IPPROTO_TCP         6
#define IPPROTO_UDP         17
#define IPV6_FRAG_HLEN      8        /* RFC 8200 4.5: the fragment header */
#define IPV6_FRAG_OFF       2        /* its offset field, in 8-byte units from bit 3 */
#define IPV6_OFFSET_MASK    0xFFF8
#define TCP_HLEN_MIN        20       /* RFC 9293 3.1 */
#define TCP_CHECK           16       /* the checksum field */
#define UDP_CHECK           6        /* RFC 768 */

/* The checksums lwIP left to the glue for skb (nflags: the netif's
 * chksum_flags when lwIP built it): offloaded to dev as CHECKSUM_PARTIAL
 * for a family dev->features offloads, summed here for the other; st
 * counts.  0, or -EINVAL when a software sum needs a linear frame (the
 * caller linearises and calls again). */
int glue_tx_csum(struct net_device *dev, u16 nflags, struct sk_buff *skb,
		 struct net_glue_stats *st);
/* true if the frame is an IPv4 or IPv6 fragment */
bool frame_is_fragment(const u8 *frame, unsigned int len);
/* the skb->ip_summed the NIC's flags (NETDEV_RX_*) earn this frame */
u8 rx_ip_summed(const u8 *frame, unsigned int len, unsigned int flags);

#endif
