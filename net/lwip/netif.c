/* One lwIP netif per net_device: receive hand-off, linkoutput through the
 * qdisc, link state, multicast filters and checksum control.  The journey
 * and the ownership at each step are in net/lwip/netif_glue.h. */
#include "net/lwip/netif_glue.h"
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/softirq.h"
#include "net/core/dev.h"
#include "net/core/rps.h"
#include "net/core/journey.h"
#include "net/core/napi.h"
#include "net/core/xmit.h"
#include "net/ethtool/ethtool.h"
#include "net/ethtool/ethtool_cmd.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/netif_csum.h"
#include "net/lwip/tso.h"
#include "net/lwip/vlan.h"
#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/nd6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/ip.h"
#include "lwip/tcp.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"
#include <stdio.h>
#include <string.h>

/* lwIP's checksum control bits: generate (transmit) and check (receive) */
/* the largest Ethernet (with a VLAN tag), IP and TCP headers: what one TSO
 * send holds besides the TCP payload */
#define GLUE_TSO_HDR_MAX (ETH_HLEN + VLAN_HLEN + IPV6_HLEN + 60u)
static err_t glue_linkoutput(struct netif *netif, struct pbuf *p);
#define GLUE_CSUM_GEN   (NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_GEN_UDP | NETIF_CHECKSUM_GEN_TCP | \
			 NETIF_CHECKSUM_GEN_ICMP | NETIF_CHECKSUM_GEN_ICMP6)
#define GLUE_CSUM_CHECK (NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_UDP | \
			 NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_ICMP | \
			 NETIF_CHECKSUM_CHECK_ICMP6)

/* multicast MAC prefixes: RFC 1112 6.4 (IPv4), RFC 2464 7 (IPv6) */
#define MCAST_V4_MAC0       0x01
#define MCAST_V4_MAC1       0x00
#define MCAST_V4_MAC2       0x5e
#define MCAST_V4_LOW23      0x7f
#define MCAST_V6_MAC0       0x33
#define MCAST_V6_MAC1       0x33

/* glue_rx's counters: it runs outside the core lock, on the CPU each
 * frame arrived on (with RSS, several at once; a hard IRQ with napi=off),
 * so each CPU adds to its own line (local_add_u64: one instruction, which
 * an interrupt on the same CPU cannot split): no count lost between CPUs
 * and no line written by turns.  net_glue_stats sums them. */
struct glue_rx_count {
	u64 frames, bytes, nomem, runts;
} __aligned(64);

struct net_glue {
	struct netif netif;              /* first: lwIP hands back &netif */
	struct net_device *dev;          /* NULL: slot free */
	struct net_glue_stats st;        /* rx_frames, rx_bytes, rx_nomem, rx_runts: rx[] */
	struct net_tso tso;              /* TCP segments held for one TSO send (net/lwip/tso.h) */
	struct glue_rx_count rx[NR_CPUS];
};

#define GLUE_RX_ADD(g, field, n) local_add_u64(&(g)->rx[smp_processor_id()].field, (n))

static struct net_glue glues[NETDEV_MAX];
/* some glue may hold TCP segments (set where net_tso_add keeps one,
 * cleared by net_glue_tx_flush): the core lock's every release looks
 * here, not at each glue; core lock */
bool glue_tso_maybe_held;

static struct net_glue *glue_of_dev(const struct net_device *dev)
{
	for (unsigned int i = 0; i < NETDEV_MAX; i++)
		if (dev && glues[i].dev == dev)
			return &glues[i];
	return NULL;
}

static struct net_glue *glue_of_netif(struct netif *netif)
{
	for (unsigned int i = 0; i < NETDEV_MAX; i++)
		if (glues[i].dev && &glues[i].netif == netif)
			return &glues[i];
	return NULL;
}

struct netif *net_netif_of(struct net_device *dev)
{
	struct net_glue *g = glue_of_dev(dev);

	return g ? &g->netif : NULL;
}

struct net_device *net_dev_of_netif(struct netif *netif)
{
	struct net_glue *g = glue_of_netif(netif);

	return g ? g->dev : NULL;
}

const char *net_netif_name(struct netif *netif, char *buf, size_t size)
{
	struct net_device *dev = net_dev_of_netif(netif);

	if (dev)
		snprintf(buf, size, "%s", dev->name);
	else if (netif->name[0] == 'l' && netif->name[1] == 'o')
		snprintf(buf, size, "lo");
	else
		snprintf(buf, size, "%c%c%u", netif->name[0], netif->name[1], netif->num);
	return buf;
}

struct net_device *net_glue_dev(int i)
{
	for (unsigned int k = 0; k < NETDEV_MAX; k++)
		if (glues[k].dev && i-- == 0)
			return glues[k].dev;
	return NULL;
}

int net_glue_stats(struct net_device *dev, struct net_glue_stats *out)
{
	struct net_glue *g = glue_of_dev(dev);

	if (!g)
		return -ENODEV;
	*out = g->st;
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		out->rx_frames += READ_ONCE(g->rx[c].frames);
		out->rx_bytes += READ_ONCE(g->rx[c].bytes);
		out->rx_nomem += READ_ONCE(g->rx[c].nomem);
		out->rx_runts += READ_ONCE(g->rx[c].runts);
	}
	return 0;
}

/* --- checksum offload ----------------------------------------------------- */

/* The netif's checksum control between received frames.  lwIP's switches
 * are per protocol, not per address family: with TX offload for either
 * family (NETIF_F_IP_CSUM, NETIF_F_IPV6_CSUM) lwIP leaves every TCP and
 * UDP checksum to the glue, which hands those of an offloaded family to
 * the NIC and sums the others itself (glue_tx_csum); with IPv4's, the
 * IPv4 header checksum too.  Packets lwIP loops back to this netif's own
 * addresses then carry none either, so they are not checked (Linux trusts
 * CHECKSUM_PARTIAL on loopback the same way).  Received frames get their
 * own checks in glue_deliver. */
static u16 glue_base_checks(const struct net_device *dev)
{
	u32 f = READ_ONCE(dev->features);
	u16 c = NETIF_CHECKSUM_ENABLE_ALL;

	if (f & NETIF_F_CSUM_MASK)
		c &= (u16)~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_UDP |
			    NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
	if (f & NETIF_F_IP_CSUM)
		c &= (u16)~(NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_CHECK_IP);
	return c;
}

void net_glue_features_changed(struct net_device *dev)
{
	struct net_glue *g = glue_of_dev(dev);

	if (!g)
		return;
	net_core_lock();
	NETIF_SET_CHECKSUM_CTRL(&g->netif, glue_base_checks(dev));
	net_core_unlock();
}

/* --- transmit ----------------------------------------------------------- */

/* A joined TSO send: the glue built its headers (net_tso_take), so only
 * the skb's offload fields are set here */
static void glue_tx_gso(struct sk_buff *skb, u16 gso_size, u16 gso_segs, bool v6)
{
	u16 data_off = (u16)(skb->data - skb->head);
	const u8 *ip = skb->data + ETH_HLEN;

	skb->network_header = (u16)(data_off + ETH_HLEN);
	skb->transport_header = (u16)(skb->network_header +
				      (v6 ? IPV6_HLEN : (ip[IPV4_VER_IHL] & IPV4_IHL_MASK) * 4));
	skb->csum_flags = NETDEV_CSUM_TCP | (v6 ? NETDEV_CSUM_IPV6 : NETDEV_CSUM_IP);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->gso_size = gso_size;
	skb->gso_segs = gso_segs;
}

/* p to the qdisc as an skb (sharing p and the chain behind it: lwIP keeps
 * its own reference for retransmission; the driver sends from it in
 * place); gso_segs > 1: a joined TSO send of gso_size segments */
static err_t glue_xmit(struct net_glue *g, struct pbuf *p, u16 gso_size, u16 gso_segs, bool v6)
{
	struct sk_buff *skb;
	int rc;

	skb = skb_from_pbuf(g->dev, p);
	if (!skb) {
		g->st.tx_nomem++;
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return ERR_MEM;
	}
	if (gso_segs > 1) {
		glue_tx_gso(skb, gso_size, gso_segs, v6);
		g->st.tx_tso_sends++;
		g->st.tx_tso_segs += gso_segs;
	} else if (glue_tx_csum(g->dev, g->netif.chksum_flags, skb, &g->st)) {
		/* a checksum to sum in software over a chain: make it linear */
		struct sk_buff *lin = skb_copy(skb);

		consume_skb(skb);
		if (!lin) {
			g->st.tx_nomem++;
			LINK_STATS_INC(link.memerr);
			LINK_STATS_INC(link.drop);
			return ERR_MEM;
		}
		skb = lin;
		g->st.tx_linearized++;
		glue_tx_csum(g->dev, g->netif.chksum_flags, skb, &g->st);
	}
	journey_tx_skb(skb);
	rc = dev_queue_xmit(skb);
	if (rc == 0) {
		g->st.tx_frames++;
		LINK_STATS_INC(link.xmit);
		return ERR_OK;
	}
	LINK_STATS_INC(link.drop);
	if (rc == -ENOBUFS) {
		g->st.tx_qdisc_full++;
		return ERR_MEM;
	}
	g->st.tx_errors++;
	LINK_STATS_INC(link.err);
	return ERR_IF;
}

/* the held TCP segments go, as one TSO send or as the one segment */
static void glue_tso_flush(struct net_glue *g)
{
	u16 gso_size, gso_segs;
	bool v6;
	struct pbuf *p;

	if (!g->tso.nseg)
		return;
	p = net_tso_take(&g->tso, &gso_size, &gso_segs, &v6);
	if (!p) {
		g->st.tx_nomem++;
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return;
	}
	/* an error here is a loss TCP recovers from, as one on the wire */
	glue_xmit(g, p, gso_size, gso_segs, v6);
	pbuf_free(p);
}

void net_glue_tx_flush(void)
{
	if (!glue_tso_maybe_held)
		return;
	glue_tso_maybe_held = false;
	for (unsigned int i = 0; i < NETDEV_MAX; i++)
		if (glues[i].dev && glues[i].tso.nseg)
			glue_tso_flush(&glues[i]);
}

/* napi_poll_done_hook: the segments held while a poll ran (a racy look
 * first: nothing held is the common case, and it costs no lock) */
static void glue_poll_done(void)
{
	if (!READ_ONCE(glue_tso_maybe_held))
		return;
	net_core_lock();
	net_glue_tx_flush();
	net_core_unlock();
}

/* lwIP's segment of several wire segments in more pieces than the device
 * takes (NET_TSO_PIECES): a linear copy as one TSO send, the batch empty */
static err_t glue_xmit_large(struct net_glue *g, struct pbuf *p, u32 f)
{
	struct pbuf *c = pbuf_clone(PBUF_RAW, PBUF_RAM, p);

	if (!c) {
		g->st.tx_nomem++;
		return ERR_MEM;
	}
	c->tcp_gso_size = p->tcp_gso_size;
	/* c is one piece of payload per NET_TSO_PIECE_MAX: the batch takes it */
	net_tso_add(&g->tso, c, f & NETIF_F_TSO, f & NETIF_F_TSO6,
		    g->dev->gso_max_size, g->dev->gso_max_segs);
	pbuf_free(c);
	glue_tso_flush(g);
	return ERR_OK;
}

/* lwip_hooks.h: up to one TSO send of the route's device (less the
 * largest headers) when it segments the connection's family, else the MSS */
u16_t net_glue_tcp_seg_max(struct tcp_pcb *pcb)
{
	struct netif *n = pcb->netif_idx != NETIF_NO_INDEX ? netif_get_by_index(pcb->netif_idx) :
			  ip_route(&pcb->local_ip, &pcb->remote_ip);
	struct net_glue *g = (struct net_glue *)n;
	u32 f;

	if (!n || n->linkoutput != glue_linkoutput)
		return pcb->mss;
	f = READ_ONCE(g->dev->features);
	if (!(f & (IP_IS_V6(&pcb->remote_ip) ? NETIF_F_TSO6 : NETIF_F_TSO)) ||
	    g->dev->gso_max_size <= GLUE_TSO_HDR_MAX + pcb->mss)
		return pcb->mss;
	return (u16_t)MIN(g->dev->gso_max_size - GLUE_TSO_HDR_MAX, 0xFFFFu);
}

static err_t glue_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct net_glue *g = (struct net_glue *)netif;
	u32 f = READ_ONCE(g->dev->features);
	enum net_tso_verdict v = NET_TSO_NOT_TCP;

	if (f & NETIF_F_ALL_TSO) {
		v = net_tso_add(&g->tso, p, f & NETIF_F_TSO, f & NETIF_F_TSO6,
				g->dev->gso_max_size, g->dev->gso_max_segs);
		if (v == NET_TSO_BREAK) {
			glue_tso_flush(g);
			v = net_tso_add(&g->tso, p, f & NETIF_F_TSO, f & NETIF_F_TSO6,
					g->dev->gso_max_size, g->dev->gso_max_segs);
		}
		if (v == NET_TSO_HELD) {
			glue_tso_maybe_held = true;
			return ERR_OK;
		}
	}
	/* whatever is held goes first: frames leave in lwIP's order */
	glue_tso_flush(g);
	if (v == NET_TSO_PIECES)
		return glue_xmit_large(g, p, f);
	/* a segment of several wire segments that the device no longer
	 * segments (ethtool -K tso off since lwIP built it): an error, and
	 * lwIP keeps the segment unsent (tcp_output) and cuts it to the MSS on
	 * its next try, from tcp_fasttmr (tcp_output_fit) */
	if (v == NET_TSO_NOT_TCP && p->tcp_gso_size &&
	    p->tot_len > ETH_HLEN + VLAN_HLEN + netif->mtu) {
		g->st.tx_errors++;
		return ERR_IF;
	}
	if (v == NET_TSO_FULL)
		return ERR_OK;
	return glue_xmit(g, p, 0, 0, false);
}

/* --- receive ------------------------------------------------------------ */

/* a copy of the runt skb padded with zeros to ETH_ZLEN; skb is consumed
 * (NULL and dropped when memory is short) */
static struct sk_buff *glue_pad_runt(struct net_glue *g, struct sk_buff *skb)
{
	struct sk_buff *n = netdev_alloc_skb(skb->dev, ETH_ZLEN);
	u32 len = skb->len;

	if (!n || skb_copy_bits(skb, 0, skb_put(n, len), len)) {
		GLUE_RX_ADD(g, nomem, 1);
		kfree_skb(n);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOMEM);
		return NULL;
	}
	memset(skb_put(n, ETH_ZLEN - len), 0, ETH_ZLEN - len);
	n->tstamp = skb->tstamp;
	GLUE_RX_ADD(g, runts, 1);
	consume_skb(skb);
	return n;
}

/* dev->rx_handler: the skb (usually over the driver's DMA buffer) is ours
 * from here; the receive core and then lwIP own it in turn */
static int glue_rx(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	struct net_glue *g = dev->rx_handler_data;
	const u8 *frame = skb->data;
	u32 len = skb->len;

	GLUE_RX_ADD(g, frames, 1);
	GLUE_RX_ADD(g, bytes, len);
	skb->dev = dev;
	/* a tagged frame (its tag still in it, or taken out by the NIC) is
	 * its VLAN sub-interface's, untagged, from here (net/lwip/vlan.h) */
	if (skb_vlan_tag_present(skb) ||
	    (len >= ETH_HLEN && (frame[12] << 8 | frame[13]) == ETH_P_8021Q)) {
		skb = vlan_rx_untag(skb);
		if (!skb)
			return 0;
		dev = skb->dev;
		frame = skb->data;
		len = skb->len;
	}
	/* A runt is padded to the Ethernet minimum, as QEMU's NIC models do
	 * (real NICs drop it): lwIP (2.1.3 and 2.2.1) trusts that minimum, e.g.
	 * etharp_input reads a whole ARP header whatever the frame's length
	 * (found by tests/fuzz: a 36-byte ARP frame was read past its end).
	 * The driver's buffer ends at the frame, so a runt is copied. */
	if (len < ETH_ZLEN) {
		skb = glue_pad_runt(g, skb);
		if (!skb)
			return -ENOMEM;
		frame = skb->data;
	}
	skb_reset_mac_header(skb);
	if (len >= ETH_HLEN)
		memcpy(&skb->protocol, frame + 12, sizeof(skb->protocol));
	/* ethtool -K rx off: the NIC's verdict is not trusted */
	skb->ip_summed = (READ_ONCE(dev->features) & NETIF_F_RXCSUM) ?
			 rx_ip_summed(frame, len, flags) : CHECKSUM_NONE;
	journey_rx_skb(skb);
	/* RPS: to the backlog of the CPU its flow hash picks */
	if (rps_steer(dev, skb))
		return 0;
	/* NAPI poll, in NET_RX or a thread's busy poll (bottom halves off,
	 * net/core/napi.h): through GRO (net/core/gro.h) and up; otherwise
	 * (napi=off: a hard IRQ, which may have interrupted NET_RX itself)
	 * via the backlog */
	if (!in_irq() && softnet_data_this_cpu()->polling)
		napi_gro_receive(softnet_data_this_cpu()->polling, skb);
	else if (in_serving_softirq() && !in_irq())
		netif_receive_skb(skb);
	else
		netif_rx(skb);
	return 0;
}

/* true for the EtherTypes lwIP's ethernet_input handles (no VLAN, no
 * PPPoE in this configuration) */
static bool glue_ethertype_handled(const struct sk_buff *skb)
{
	u16 type;

	if (skb->len < ETH_HLEN)
		return false;
	type = (u16)(skb->data[12] << 8 | skb->data[13]);
	return type == ETH_P_IP || type == ETH_P_ARP || type == ETH_P_IPV6;
}

/* the skb becomes a pbuf that lwIP owns; with the core lock (glue_deliver
 * takes it for one frame, glue_deliver_list for a batch) */
static int glue_deliver_locked(struct sk_buff *skb)
{
	struct net_glue *g = glue_of_dev(skb->dev);
	bool hw_csum = skb->ip_summed == CHECKSUM_UNNECESSARY;
	u16 base, checks;
	struct pbuf *p;
	u32 hash;

	if (!g) {
		kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
		return NET_RX_DROP;
	}
	/* no protocol for it (or shorter than a header): dropped and counted
	 * here, as Linux's __netif_receive_skb_core does, instead of vanishing
	 * into lwIP's etharp.proterr */
	if (!glue_ethertype_handled(skb)) {
		WRITE_ONCE(skb->dev->rx_nohandler, skb->dev->rx_nohandler + 1);
		kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
		return NET_RX_DROP;
	}
	/* what lwIP generates stays as configured; what it checks depends on
	 * this frame */
	base = glue_base_checks(g->dev);
	checks = (u16)((base & GLUE_CSUM_GEN) | GLUE_CSUM_CHECK);
	hash = rps_rx_hash_of(skb);
	p = skb_to_pbuf(skb);
	if (!p) {
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return NET_RX_DROP;
	}
	/* lwIP's checksum control is per netif; we are the only context in
	 * lwIP, so setting it for each frame makes it per frame */
	if (hw_csum) {
		checks &= (u16)~(NETIF_CHECKSUM_CHECK_IP | NETIF_CHECKSUM_CHECK_TCP |
				 NETIF_CHECKSUM_CHECK_UDP);
		g->st.rx_csum_hw++;
	}
	/* lwIP leaves its link counters to the netif driver (its
	 * ethernetif.c template): every frame handed to lwIP, and above
	 * every frame lwIP handed to the qdisc */
	LINK_STATS_INC(link.recv);
	NETIF_SET_CHECKSUM_CTRL(&g->netif, checks);
	/* the flow hash a socket this frame reaches saves (RFS) */
	rps_set_rx_hash(hash);
	if (g->netif.input(p, &g->netif) != ERR_OK) {
		g->st.rx_input_err++;
		pbuf_free(p);
	}
	rps_set_rx_hash(0);
	NETIF_SET_CHECKSUM_CTRL(&g->netif, base);
	return NET_RX_SUCCESS;
}

/* the receive core's handler, one frame (outside a napi poll) */
static int glue_deliver(struct sk_buff *skb)
{
	int rc;

	net_core_lock();
	rc = glue_deliver_locked(skb);
	net_core_unlock();
	return rc;
}

/* the receive core's list handler: a napi poll's frames (at most
 * NET_RX_LIST_BATCH) into lwIP under one hold of the core lock, in order
 * (lwIP's netif input takes one pbuf at a time) */
static void glue_deliver_list(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	net_core_lock();
	while ((skb = __skb_dequeue(list)))
		netif_receive_skb_one(skb, glue_deliver_locked);
	net_core_unlock();
}

/* --- multicast filters ---------------------------------------------------- */

static void glue_mc_update(struct net_device *dev, const u8 mac[ETH_ALEN], bool add)
{
	unsigned int i;

	for (i = 0; i < dev->mc_count; i++)
		if (!memcmp(dev->mc_list[i], mac, ETH_ALEN))
			break;
	if (add && i == dev->mc_count) {
		if (dev->mc_count >= NETDEV_MC_MAX)
			dev->flags |= IFF_ALLMULTI;   /* table full: take them all */
		else
			memcpy(dev->mc_list[dev->mc_count++], mac, ETH_ALEN);
	} else if (!add && i < dev->mc_count) {
		memmove(dev->mc_list[i], dev->mc_list[i + 1],
			(dev->mc_count - i - 1) * ETH_ALEN);
		dev->mc_count--;
	}
	if (dev->netdev_ops->ndo_set_rx_mode)
		dev->netdev_ops->ndo_set_rx_mode(dev);
}

static err_t glue_igmp_filter(struct netif *netif, const ip4_addr_t *group,
			      enum netif_mac_filter_action action)
{
	u32 a = lwip_ntohl(ip4_addr_get_u32(group));
	u8 mac[ETH_ALEN] = { MCAST_V4_MAC0, MCAST_V4_MAC1, MCAST_V4_MAC2,
			     (u8)((a >> 16) & MCAST_V4_LOW23), (u8)(a >> 8), (u8)a };

	glue_mc_update(((struct net_glue *)netif)->dev, mac, action == NETIF_ADD_MAC_FILTER);
	return ERR_OK;
}

static err_t glue_mld_filter(struct netif *netif, const ip6_addr_t *group,
			     enum netif_mac_filter_action action)
{
	u32 low = lwip_ntohl(group->addr[3]);
	u8 mac[ETH_ALEN] = { MCAST_V6_MAC0, MCAST_V6_MAC1, (u8)(low >> 24), (u8)(low >> 16),
			     (u8)(low >> 8), (u8)low };

	glue_mc_update(((struct net_glue *)netif)->dev, mac, action == NETIF_ADD_MAC_FILTER);
	return ERR_OK;
}

/* --- attach -------------------------------------------------------------- */

static err_t glue_netif_init(struct netif *netif)
{
	struct net_glue *g = (struct net_glue *)netif;
	struct net_device *dev = g->dev;

	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->hwaddr_len = ETH_ALEN;
	memcpy(netif->hwaddr, dev->dev_addr, ETH_ALEN);
	netif->mtu = (u16_t)dev->mtu;
	netif->mtu6 = (u16_t)dev->mtu;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = glue_linkoutput;
	netif_set_igmp_mac_filter(netif, glue_igmp_filter);
	netif_set_mld_mac_filter(netif, glue_mld_filter);
	MIB2_INIT_NETIF(netif, snmp_ifType_ethernet_csmacd, (u32_t)dev->speed_mbps * 1000000u);
	/* transmit checksums as dev->features says (glue_base_checks);
	 * receive checks decided per frame in glue_deliver */
	NETIF_SET_CHECKSUM_CTRL(netif, glue_base_checks(dev));
	return ERR_OK;
}

static void glue_set_link(struct net_glue *g)
{
	struct net_device *real = vlan_dev_real(g->dev);
	bool up;

	/* a VLAN sub-interface has its real device's carrier */
	if (real)
		WRITE_ONCE(g->dev->carrier, READ_ONCE(real->carrier));
	up = READ_ONCE(g->dev->carrier);

	if (up == !!netif_is_link_up(&g->netif))
		return;
	g->st.link_changes++;
	if (up)
		netif_set_link_up(&g->netif);
	else
		netif_set_link_down(&g->netif);
}

void net_glue_poll_link(void)
{
	for (unsigned int i = 0; i < NETDEV_MAX; i++)
		if (glues[i].dev)
			glue_set_link(&glues[i]);
}

/* open the device as netdev_open() does: up first, the first interrupt
 * may come at once */
static int glue_open_dev(struct net_device *dev)
{
	int rc;

	if (dev->flags & IFF_UP)
		return 0;
	dev->flags |= IFF_UP;
	rc = dev->netdev_ops->ndo_open ? dev->netdev_ops->ndo_open(dev) : 0;
	if (rc)
		dev->flags &= ~IFF_UP;
	return rc;
}

int net_attach_netdev(struct net_device *dev)
{
	struct net_glue *g = NULL;
	int rc;

	if (glue_of_dev(dev))
		return -EEXIST;
	for (unsigned int i = 0; i < NETDEV_MAX && !g; i++)
		if (!glues[i].dev)
			g = &glues[i];
	if (!g)
		return -ENOSPC;
	rc = dev_qdisc_attach(dev);
	if (rc)
		return rc;
	memset(g, 0, sizeof(*g));
	g->dev = dev;

	net_core_lock();
	if (!netif_add(&g->netif, NULL, NULL, NULL, g, glue_netif_init, netif_input)) {
		net_core_unlock();
		rc = -ENOMEM;
		goto err_netif;
	}
	if (!netif_default)
		netif_set_default(&g->netif);
	/* IPv6: a link-local address from the MAC (modified EUI-64, RFC 4291
	 * 2.5.1, as Linux's default addr_gen_mode) and SLAAC from RAs */
	netif_create_ip6_linklocal_address(&g->netif, 1);
	netif_set_ip6_autoconfig_enabled(&g->netif, 1);
	net_core_unlock();
	/* ethtool= settings from the command line, before the rings exist */
	ethtool_cmdline_apply(dev);

	dev->rx_handler_data = g;
	WRITE_ONCE(dev->rx_handler, glue_rx);
	rc = glue_open_dev(dev);
	if (rc)
		goto err_open;

	net_core_lock();
	netif_set_up(&g->netif);
	glue_set_link(g);
	net_core_unlock();
	return 0;

err_open:
	WRITE_ONCE(dev->rx_handler, NULL);
	net_core_lock();
	netif_remove(&g->netif);
	net_core_unlock();
err_netif:
	g->dev = NULL;
	dev_qdisc_detach(dev);
	return rc;
}

int net_glue_set_up(struct net_device *dev, bool up)
{
	struct net_glue *g = glue_of_dev(dev);
	int rc = 0;

	if (!g)
		return -ENODEV;
	if (up) {
		rc = glue_open_dev(dev);
		if (rc)
			return rc;
	}
	net_core_lock();
	if (up) {
		netif_set_up(&g->netif);
		glue_set_link(g);
	} else {
		netif_set_down(&g->netif);
	}
	net_core_unlock();
	if (!up)
		rc = netdev_stop(dev);
	return rc;
}

/* IPv6 needs links of 1280 bytes (RFC 8200 5): as Linux's addrconf takes
 * IPv6 off a device whose MTU falls below that (its addresses go, no
 * SLAAC), and brings it back (link-local, SLAAC from the next RA) when
 * the MTU is enough again.  Core lock held. */
static void glue_ip6_follow_mtu(struct net_glue *g, u32 old, u32 mtu)
{
	struct netif *n = &g->netif;

	if (mtu < IP6_MIN_MTU_LENGTH && old >= IP6_MIN_MTU_LENGTH) {
		netif_set_ip6_autoconfig_enabled(n, 0);
		for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
			netif_ip6_addr_set_state(n, i, IP6_ADDR_INVALID);
	} else if (mtu >= IP6_MIN_MTU_LENGTH && old < IP6_MIN_MTU_LENGTH) {
		netif_create_ip6_linklocal_address(n, 1);
		netif_set_ip6_autoconfig_enabled(n, 1);
	}
}

int net_glue_set_mtu(struct net_device *dev, u32 mtu)
{
	struct net_glue *g = glue_of_dev(dev);
	struct net_device *real = vlan_dev_real(dev);
	u32 max = dev->max_mtu ? dev->max_mtu : ETH_DATA_LEN, old;
	int rc = 0;

	if (!g)
		return -ENODEV;
	/* a sub-interface's frames go out of its real device */
	if (real)
		max = MIN(max, real->mtu);
	if (mtu < ETH_MIN_MTU || mtu > max)
		return -EINVAL;
	if (dev->netdev_ops->ndo_change_mtu)
		rc = dev->netdev_ops->ndo_change_mtu(dev, mtu);
	if (rc)
		return rc;
	old = dev->mtu;
	WRITE_ONCE(dev->mtu, mtu);
	net_core_lock();
	glue_ip6_follow_mtu(g, old, mtu);
	g->netif.mtu = (u16_t)mtu;
	g->netif.mtu6 = (u16_t)mtu;
	/* lwIP's IPv6 destinations keep the path MTU the netif had when they
	 * were made (nd6.c), and TCP's MSS comes from there: start them over,
	 * as Linux's routes follow a device's new MTU */
	nd6_clear_destination_cache();
	net_core_unlock();
	return 0;
}

void net_detach_netdev(struct net_device *dev)
{
	struct net_glue *g = glue_of_dev(dev);

	if (!g)
		return;
	WRITE_ONCE(dev->rx_handler, NULL);
	net_core_lock();
	net_tso_discard(&g->tso);
	/* netif_remove leaves a DHCP client (ip=dhcp) allocated and its
	 * port bound (found by tests/fuzz: struct dhcp leaked per detach) */
	dhcp_stop(&g->netif);
	dhcp_cleanup(&g->netif);
	netif_remove(&g->netif);
	net_core_unlock();
	dev_qdisc_detach(dev);
	g->dev = NULL;
}

void net_glue_init(void)
{
	netif_set_rx_handler(glue_deliver);
	netif_set_rx_list_handler(glue_deliver_list, glue_deliver);
	napi_poll_done_hook = glue_poll_done;
}
