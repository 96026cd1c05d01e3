/* The glue's checksum work (net/lwip/netif.c's helpers): the TCP/UDP and
 * IPv4 header checksums lwIP left to the glue on transmit (offloaded to
 * the NIC or summed here), and which of the NIC's receive verdicts to
 * trust.  Split out of netif.c, which keeps the netif plumbing. */
#include "net/lwip/netif_csum.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "net/core/skbuff.h"
#include "lwip/netif.h"
#include "lib/csum.h"

static void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

/* Where a frame's L4 checksum field lies, or 0 for none the glue fills:
 * TCP, or UDP (whose field lwIP leaves 0) */
static unsigned int l4_csum_field(u8 proto)
{
	if (proto == IPPROTO_TCP)
		return TCP_CHECK;
	if (proto == IPPROTO_UDP)
		return UDP_CHECK;
	return 0;
}

/* The L4 checksum in software over a linear frame: the pseudo-header
 * sum plus the L4 header and data (RFC 1071); UDP's 0 is sent as all
 * ones (RFC 768) */
static void l4_csum_sw(u8 *l4, unsigned int l4len, u8 proto, u32 pseudo)
{
	unsigned int field = l4_csum_field(proto);
	u16 c;

	put_be16(l4 + field, 0);
	c = (u16)~csum_fold(csum_add_be(pseudo, l4, l4len));
	if (!c && proto == IPPROTO_UDP)
		c = 0xffff;
	put_be16(l4 + field, c);
}

/* The checksums lwIP left to the glue (what netif->chksum_flags said when
 * lwIP built the frame: both change only under the core lock): those of
 * a family the NIC offloads now become CHECKSUM_PARTIAL, the L4 field
 * holding the pseudo-header sum (RFC 9293 3.1, RFC 8200 8.1); the others
 * are summed here.  The headers must lie in the linear part (the first
 * pbuf: lwIP builds them there), and a software L4 sum needs the whole
 * frame linear: -EINVAL then, and the caller linearises and calls again.
 * lwIP sums a datagram it fragments itself whatever the flags say (lwIP
 * patch 0020: a NIC sees one fragment at a time); a first fragment found
 * without a sum all the same is counted in tx_frag_nocsum.  The TCP header
 * may be lwIP's own segment (skb_from_pbuf shares it): lwIP zeroes the
 * field before every (re)transmission and never reads it, so writing it
 * here is what the NIC would do anyway. */
int glue_tx_csum(struct net_device *dev, u16 nflags, struct sk_buff *skb,
		 struct net_glue_stats *st)
{
	u8 *f = skb->data, *ip = f + ETH_HLEN, *l4;
	u32 len = skb->len, head = skb_headlen(skb), feat = READ_ONCE(dev->features);
	u16 type, data_off = (u16)(skb->data - skb->head);
	bool l4_left = !(nflags & (NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_UDP));
	unsigned int hlen, l4len, field;
	u32 pseudo;
	u8 proto;

	if (head < ETH_HLEN + IPV4_HLEN_MIN)
		return 0;
	type = get_be16(f + 12);
	if (type == ETH_P_IP) {
		unsigned int tot = get_be16(ip + IPV4_TOT_LEN);

		hlen = (ip[IPV4_VER_IHL] & IPV4_IHL_MASK) * 4;
		if (hlen < IPV4_HLEN_MIN || tot < hlen || ETH_HLEN + tot > len ||
		    ETH_HLEN + hlen > head)
			return 0;
		proto = ip[IPV4_PROTOCOL];
		l4len = tot - hlen;
		skb->network_header = (u16)(data_off + ETH_HLEN);
		skb->transport_header = (u16)(skb->network_header + hlen);
		if (!(nflags & NETIF_CHECKSUM_GEN_IP)) {
			if (feat & NETIF_F_IP_CSUM) {
				skb->csum_flags = NETDEV_CSUM_IP;
				skb->ip_summed = CHECKSUM_PARTIAL;
			} else {
				put_be16(ip + IPV4_CHECK, 0);
				put_be16(ip + IPV4_CHECK, (u16)~csum_fold(csum_add_be(0, ip, hlen)));
			}
		}
		/* the two addresses as four words, inline: a csum_add_be call
		 * for 8 bytes was ~40 instructions a datagram */
		pseudo = (u32)get_be16(ip + IPV4_SADDR) + get_be16(ip + IPV4_SADDR + 2) +
			 get_be16(ip + IPV4_SADDR + 4) + get_be16(ip + IPV4_SADDR + 6) +
			 proto + l4len;
		feat &= NETIF_F_IP_CSUM;
		/* frame_is_fragment's test on the header parsed above */
		if (get_be16(ip + IPV4_FRAG_OFF) & (IPV4_MF | IPV4_OFFSET_MASK)) {
			st->tx_frag_nocsum += l4_left && l4_csum_field(proto) &&
						!(get_be16(ip + IPV4_FRAG_OFF) & IPV4_OFFSET_MASK);
			return 0;
		}
	} else if (type == ETH_P_IPV6 && head >= ETH_HLEN + IPV6_HLEN) {
		hlen = IPV6_HLEN;
		proto = ip[IPV6_NEXT_HEADER];
		l4len = get_be16(ip + IPV6_PAYLOAD_LEN);
		if (ETH_HLEN + IPV6_HLEN + l4len > len)
			return 0;
		if (proto == IPV6_NH_FRAGMENT) {
			st->tx_frag_nocsum += l4_left && l4len > IPV6_FRAG_HLEN &&
						l4_csum_field(ip[IPV6_HLEN]) &&
						!(get_be16(ip + IPV6_HLEN + IPV6_FRAG_OFF) & IPV6_OFFSET_MASK);
			return 0;
		}
		pseudo = csum_add_be(0, ip + IPV6_SADDR, 32) + proto + l4len;
		feat &= NETIF_F_IPV6_CSUM;
	} else {
		return 0;
	}
	field = l4_csum_field(proto);
	if (!l4_left || !field || l4len < field + 2 || ETH_HLEN + hlen + field + 2 > head)
		return 0;
	l4 = ip + hlen;
	if (feat) {
		skb->network_header = (u16)(data_off + ETH_HLEN);
		skb->transport_header = (u16)(skb->network_header + hlen);
		skb->csum_flags |= (proto == IPPROTO_TCP ? NETDEV_CSUM_TCP : NETDEV_CSUM_UDP) |
				   (type == ETH_P_IPV6 ? NETDEV_CSUM_IPV6 : 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		put_be16(l4 + field, csum_fold(pseudo));
		return 0;
	}
	if (skb_is_nonlinear(skb))
		return -EINVAL;
	l4_csum_sw(l4, l4len, proto, pseudo);
	st->tx_csum_sw++;
	return 0;
}

/* true if the frame is an IP fragment: a NIC's L4 verdict covers one
 * fragment at best, never the reassembled datagram */
bool frame_is_fragment(const u8 *frame, unsigned int len)
{
	u16 type;

	if (len < ETH_HLEN)
		return false;
	type = (u16)(frame[12] << 8 | frame[13]);
	if (type == ETH_P_IP && len >= ETH_HLEN + IPV4_FRAG_OFF + 2) {
		const u8 *ip = frame + ETH_HLEN;
		u16 frag = (u16)(ip[IPV4_FRAG_OFF] << 8 | ip[IPV4_FRAG_OFF + 1]);

		return (frag & (IPV4_MF | IPV4_OFFSET_MASK)) != 0;
	}
	if (type == ETH_P_IPV6 && len > ETH_HLEN + IPV6_NEXT_HEADER)
		return frame[ETH_HLEN + IPV6_NEXT_HEADER] == IPV6_NH_FRAGMENT;
	return false;
}

/* Which checks the NIC really did for this frame: software still checks
 * anything the device did not flag, IPv4 needs both the header and the L4
 * verdict, and no verdict on a fragment is trusted. */
u8 rx_ip_summed(const u8 *frame, unsigned int len, unsigned int flags)
{
	u16 type;

	if (!(flags & NETDEV_RX_L4_CSUM_OK) || len < ETH_HLEN || frame_is_fragment(frame, len))
		return CHECKSUM_NONE;
	type = (u16)(frame[12] << 8 | frame[13]);
	if (type == ETH_P_IP && !(flags & NETDEV_RX_IP_CSUM_OK))
		return CHECKSUM_NONE;
	if (type != ETH_P_IP && type != ETH_P_IPV6)
		return CHECKSUM_NONE;
	return CHECKSUM_UNNECESSARY;
}
