/* Network devices: the contract between NIC drivers and whatever consumes
 * frames (the lwIP glue, or the l2reflect self-test responder).
 *
 * Buffer ownership, both ways as sk_buffs (net/core/skbuff.h):
 *  - receive: the driver hands each frame to dev->rx_handler through
 *    netdev_rx() as an skb, usually over its own DMA buffer
 *    (skb_from_rx_buffer: no copy).  The handler owns the skb from then on
 *    and frees it whenever it is done, from any context but hard IRQ;
 *    the last free gives the buffer back to the driver's refill pool.
 *  - transmit: ndo_start_xmit returning 0 takes the caller's reference to
 *    the skb; the driver points its descriptors at the skb's data (every
 *    piece of a non-linear skb, or a copy where the chip cannot) and frees
 *    the skb once the device has written the descriptors back.  Any other
 *    return leaves the skb with the caller.
 *
 * Deferred work is the driver's business: its hard IRQ masks the device
 * and schedules its own napi_struct (net/core/napi.h); the rx_handler then
 * runs from that poll, in NET_RX softirq context (or, with napi=off, from
 * the hard IRQ itself).  ndo_start_xmit may be called from either. */
#ifndef DRIVERS_NET_NETDEVICE_H
#define DRIVERS_NET_NETDEVICE_H

#include "kernel/types.h"
#include "lib/bitops.h"
#include "net/core/skbuff.h"

#define IFNAMSIZ        16
#define ETH_ALEN        6
#define ETH_HLEN        14      /* destination, source, EtherType */
#define ETH_ZLEN        60      /* minimum frame without FCS */
#define ETH_DATA_LEN    1500    /* default MTU */
#define VLAN_HLEN       4       /* an IEEE 802.1Q tag, on top of the MTU */
#define ETH_P_8021Q     0x8100  /* IEEE 802.1Q tag protocol identifier */
#define VLAN_VID_MASK   0x0fff  /* the VLAN id in a TCI */
#define ETH_MIN_MTU     68      /* RFC 791: the smallest MTU IPv4 allows */
#define ETH_FRAME_LEN   1514    /* maximum frame without FCS, default MTU */
#define ETH_FCS_LEN     4

/* dev->flags, the Linux IFF_ values */
#define IFF_UP          BIT(0)
#define IFF_BROADCAST   BIT(1)
#define IFF_PROMISC     BIT(8)
#define IFF_ALLMULTI    BIT(9)
#define IFF_MULTICAST   BIT(12)

#ifndef NETDEV_MAX
#define NETDEV_MAX      8       /* registered devices, eth0..eth7 */
#endif
#ifndef NETDEV_MC_MAX
#define NETDEV_MC_MAX   32      /* multicast addresses a device filters for */
#endif

/* the fields of Linux's struct rtnl_link_stats64, same names and meaning */
struct rtnl_link_stats64 {
	u64 rx_packets;
	u64 tx_packets;
	u64 rx_bytes;
	u64 tx_bytes;
	u64 rx_errors;
	u64 tx_errors;
	u64 rx_dropped;
	u64 tx_dropped;
	u64 multicast;
	u64 collisions;
	u64 rx_length_errors;
	u64 rx_over_errors;
	u64 rx_crc_errors;
	u64 rx_frame_errors;
	u64 rx_fifo_errors;
	u64 rx_missed_errors;
	u64 tx_aborted_errors;
	u64 tx_carrier_errors;
	u64 tx_fifo_errors;
	u64 tx_heartbeat_errors;
	u64 tx_window_errors;
	u64 rx_compressed;
	u64 tx_compressed;
	u64 rx_nohandler;
	u64 rx_otherhost_dropped;
};

/* ring sizes, as Linux's ethtool get/set_ringparam */
struct ethtool_ringparam {
	u32 cmd;
	u32 rx_max_pending;
	u32 rx_mini_max_pending;
	u32 rx_jumbo_max_pending;
	u32 tx_max_pending;
	u32 rx_pending;
	u32 rx_mini_pending;
	u32 rx_jumbo_pending;
	u32 tx_pending;
};

/* interrupt coalescing, as Linux's ethtool get/set_coalesce */
struct ethtool_coalesce {
	u32 cmd;
	u32 rx_coalesce_usecs;
	u32 rx_max_coalesced_frames;
	u32 rx_coalesce_usecs_irq;
	u32 rx_max_coalesced_frames_irq;
	u32 tx_coalesce_usecs;
	u32 tx_max_coalesced_frames;
	u32 tx_coalesce_usecs_irq;
	u32 tx_max_coalesced_frames_irq;
	u32 stats_block_coalesce_usecs;
	u32 use_adaptive_rx_coalesce;
	u32 use_adaptive_tx_coalesce;
	u32 pkt_rate_low;
	u32 rx_coalesce_usecs_low;
	u32 rx_max_coalesced_frames_low;
	u32 tx_coalesce_usecs_low;
	u32 tx_max_coalesced_frames_low;
	u32 pkt_rate_high;
	u32 rx_coalesce_usecs_high;
	u32 rx_max_coalesced_frames_high;
	u32 tx_coalesce_usecs_high;
	u32 tx_max_coalesced_frames_high;
	u32 rate_sample_interval;
};

/* ethtool -i: who drives the device (Linux struct ethtool_drvinfo, the
 * fields ethtool prints) */
#define ETHTOOL_DRVINFO_LEN 32
struct ethtool_drvinfo {
	char driver[ETHTOOL_DRVINFO_LEN];       /* "e1000", "e1000e", "igb" */
	char version[ETHTOOL_DRVINFO_LEN];      /* driver version ("" for in-tree) */
	char fw_version[ETHTOOL_DRVINFO_LEN];   /* NVM/firmware version, "" if none */
	char erom_version[ETHTOOL_DRVINFO_LEN]; /* option ROM version, "" if none */
	char bus_info[ETHTOOL_DRVINFO_LEN];     /* "0000:00:02.0" */
};

/* ethtool -l/-L: queue channels (Linux struct ethtool_channels) */
struct ethtool_channels {
	u32 max_rx, max_tx, max_other, max_combined;
	u32 rx_count, tx_count, other_count, combined_count;
	/* barenet: why the maximum is what it is, when the driver knows
	 * (one queue in MSI mode ...); printed after Linux's lines */
	const char *note;
};

/* ethtool -x/-X: the RSS indirection table and hash key (Linux
 * ethtool_rxfh); set_indir/set_key say which ndo_set_rxfh changes */
#define ETH_RSS_INDIR_MAX 128
#define ETH_RSS_KEY_MAX 40
struct ethtool_rxfh_param {
	u32 indir_size, key_size;
	u32 rx_rings;                   /* RX queues in use (ETHTOOL_GRXRINGS) */
	u32 indir[ETH_RSS_INDIR_MAX];
	u8 key[ETH_RSS_KEY_MAX];
	bool set_indir, set_key;
};

/* ethtool -n/-N rx-flow-hash: flow types and hashed fields (Linux
 * include/uapi/linux/ethtool.h) */
#define TCP_V4_FLOW     0x01
#define UDP_V4_FLOW     0x02
#define TCP_V6_FLOW     0x05
#define UDP_V6_FLOW     0x06
#define RXH_L2DA        BIT(1)
#define RXH_VLAN        BIT(2)
#define RXH_L3_PROTO    BIT(3)
#define RXH_IP_SRC      BIT(4)
#define RXH_IP_DST      BIT(5)
#define RXH_L4_B_0_1    BIT(6)
#define RXH_L4_B_2_3    BIT(7)

/* ethtool -S: one counter of the device or its driver.  name is a static
 * string of at most ETH_GSTRING_LEN - 1 characters, Linux's name for the
 * counter where the Linux driver has one (rx_missed_errors, ...). */
#define ETH_GSTRING_LEN 32
struct ethtool_stat {
	const char *name;
	u64 value;
};

/* net_device_ops.supported_coalesce_params: the ethtool_coalesce fields a
 * device implements (Linux's ETHTOOL_COALESCE_* bits, same values); the
 * ethtool layer refuses to set any other field to a non-zero value */
#define ETHTOOL_COALESCE_RX_USECS               BIT(0)
#define ETHTOOL_COALESCE_RX_MAX_FRAMES          BIT(1)
#define ETHTOOL_COALESCE_RX_USECS_IRQ           BIT(2)
#define ETHTOOL_COALESCE_RX_MAX_FRAMES_IRQ      BIT(3)
#define ETHTOOL_COALESCE_TX_USECS               BIT(4)
#define ETHTOOL_COALESCE_TX_MAX_FRAMES          BIT(5)
#define ETHTOOL_COALESCE_TX_USECS_IRQ           BIT(6)
#define ETHTOOL_COALESCE_TX_MAX_FRAMES_IRQ      BIT(7)
#define ETHTOOL_COALESCE_STATS_BLOCK_USECS      BIT(8)
#define ETHTOOL_COALESCE_USE_ADAPTIVE_RX        BIT(9)
#define ETHTOOL_COALESCE_USE_ADAPTIVE_TX        BIT(10)
#define ETHTOOL_COALESCE_PKT_RATE_LOW           BIT(11)
#define ETHTOOL_COALESCE_RX_USECS_LOW           BIT(12)
#define ETHTOOL_COALESCE_RX_MAX_FRAMES_LOW      BIT(13)
#define ETHTOOL_COALESCE_TX_USECS_LOW           BIT(14)
#define ETHTOOL_COALESCE_TX_MAX_FRAMES_LOW      BIT(15)
#define ETHTOOL_COALESCE_PKT_RATE_HIGH          BIT(16)
#define ETHTOOL_COALESCE_RX_USECS_HIGH          BIT(17)
#define ETHTOOL_COALESCE_RX_MAX_FRAMES_HIGH     BIT(18)
#define ETHTOOL_COALESCE_TX_USECS_HIGH          BIT(19)
#define ETHTOOL_COALESCE_TX_MAX_FRAMES_HIGH     BIT(20)
#define ETHTOOL_COALESCE_RATE_SAMPLE_INTERVAL   BIT(21)

/* dev->features (on now) and dev->hw_features (the user may toggle), the
 * offloads of Linux's NETIF_F_ flags that barenet has:
 *   NETIF_F_IP_CSUM   TX: the NIC fills the IPv4 header and the TCP/UDP
 *                     checksums of IPv4 frames (ndo_start_xmit gets a
 *                     netdev_tx_csum); ethtool -K tx, tx-checksum-ipv4
 *   NETIF_F_RXCSUM    RX: the NIC's checksum verdict (NETDEV_RX_*_CSUM_OK)
 *                     is trusted; ethtool -K rx
 *   NETIF_F_IPV6_CSUM TX: the same for TCP/UDP over IPv6; ethtool -K tx,
 *                     tx-checksum-ipv6
 *   NETIF_F_TSO       TX: TCP segmentation of IPv4 sends up to 64 KiB by
 *                     the NIC (skb->gso_size); ethtool -K tso,
 *                     tx-tcp-segmentation.  Needs NETIF_F_IP_CSUM.
 *   NETIF_F_TSO6      the same over IPv6 (tx-tcp6-segmentation); needs
 *                     NETIF_F_IPV6_CSUM
 *   NETIF_F_GRO       RX: in-order TCP segments of one flow merged into one
 *                     skb in the NAPI poll (net/core/gro.h); a software
 *                     feature every device has, on at registration as
 *                     Linux's; ethtool -K gro, generic-receive-offload
 *   NETIF_F_HW_VLAN_CTAG_RX  RX: the NIC takes the 802.1Q tag out of a
 *                     received frame into skb->vlan_tci (skb_vlan_tag_*);
 *                     ethtool -K rxvlan, rx-vlan-offload
 *   NETIF_F_HW_VLAN_CTAG_TX  TX: the NIC puts a frame's skb->vlan_tci tag
 *                     in (a VLAN sub-interface hands the untagged frame
 *                     down as it is); ethtool -K txvlan, tx-vlan-offload
 *   NETIF_F_HW_VLAN_CTAG_FILTER  RX: the NIC drops tagged frames of VLAN
 *                     ids no sub-interface has (ndo_vlan_rx_add_vid);
 *                     rx-vlan-filter
 * The stack follows dev->features at once (net/lwip/netif.c); a driver
 * that must reprogram the NIC does so in ndo_set_features. */
#define NETIF_F_IP_CSUM   BIT(0)
#define NETIF_F_RXCSUM    BIT(1)
#define NETIF_F_IPV6_CSUM BIT(2)
#define NETIF_F_TSO       BIT(3)
#define NETIF_F_TSO6      BIT(4)
#define NETIF_F_GRO       BIT(5)
#define NETIF_F_HW_VLAN_CTAG_RX     BIT(6)
#define NETIF_F_HW_VLAN_CTAG_TX     BIT(7)
#define NETIF_F_HW_VLAN_CTAG_FILTER BIT(8)
#define NETIF_F_CSUM_MASK (NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM)
#define NETIF_F_ALL_TSO   (NETIF_F_TSO | NETIF_F_TSO6)

/* checksum offload request for one transmitted frame */
enum netdev_csum {
	NETDEV_CSUM_NONE = 0,
	NETDEV_CSUM_IP = BIT(0),        /* fill the IPv4 header checksum */
	NETDEV_CSUM_TCP = BIT(1),       /* fill the TCP checksum (pseudo-header sum preloaded) */
	NETDEV_CSUM_UDP = BIT(2),       /* fill the UDP checksum (pseudo-header sum preloaded) */
	NETDEV_CSUM_IPV6 = BIT(3),      /* the L3 header is IPv6 (else IPv4) */
	NETDEV_CSUM_TSO = BIT(4),       /* TCP segmentation: mss, l4_len set; the L4
					 * field's pseudo-header sum without the length */
};

/* The pseudo-header sum preloaded in the L4 checksum field is RFC 9293
 * 3.1's (IPv4) or RFC 8200 8.1's (IPv6): addresses, protocol and the L4
 * length, folded, not complemented; the NIC adds the L4 header and data. */
struct netdev_tx_csum {
	unsigned int flags;             /* enum netdev_csum */
	u16 l3_offset;                  /* IP header start, usually ETH_HLEN */
	u16 l3_len;                     /* IP header length (IPv6: with extension headers) */
	u16 l4_len;                     /* NETDEV_CSUM_TSO: TCP header length */
	u16 mss;                        /* NETDEV_CSUM_TSO: payload bytes per segment */
};

/* ndo_start_xmit flags */
#define NETDEV_TX_MORE  BIT(0)  /* more frames follow: the tail write may wait */

/* rx_handler flags: what the NIC verified */
#define NETDEV_RX_IP_CSUM_OK BIT(0)
#define NETDEV_RX_L4_CSUM_OK BIT(1)

struct net_device;

/* GRO's counters of one device (net/core/gro.c bumps them with relaxed
 * atomics: napis of one device may poll on several CPUs) */
struct netdev_gro_stats {
	u64 skbs;               /* merged skbs delivered (two segments or more) */
	u64 segs;               /* wire segments in them */
	u64 bytes;              /* their TCP payload bytes */
	u64 flush_poll;         /* held skbs sent up at the end of a poll */
	u64 flush_mismatch;     /* held skbs sent up for a frame that did not continue them */
	u64 flush_full;         /* held skbs sent up full (64 KiB or the segment limit) */
	u64 flush_push;         /* held skbs sent up after a PSH or short segment ended them */
	u64 csum_bad;           /* TCP segments whose software checksum check failed (not merged) */
};

struct net_device_ops {
	int  (*ndo_open)(struct net_device *dev);
	int  (*ndo_stop)(struct net_device *dev);
	/* 0 when queued (the driver owns skb now); -EBUSY when the ring is
	 * full (nothing queued, retry after completions), -EINVAL for a bad
	 * length, -ENETDOWN when stopped: the caller keeps skb.  skb->data
	 * is the Ethernet header; CHECKSUM_PARTIAL asks for checksum offload
	 * (skb_tx_csum).  flags: NETDEV_TX_* */
	int  (*ndo_start_xmit)(struct net_device *dev, struct sk_buff *skb, unsigned int flags);
	/* apply dev->flags (IFF_PROMISC, IFF_ALLMULTI) and dev->mc_list */
	void (*ndo_set_rx_mode)(struct net_device *dev);
	void (*ndo_get_stats64)(struct net_device *dev, struct rtnl_link_stats64 *stats);
	void (*ndo_get_ringparam)(struct net_device *dev, struct ethtool_ringparam *ring);
	int  (*ndo_set_ringparam)(struct net_device *dev, const struct ethtool_ringparam *ring);
	void (*ndo_get_coalesce)(struct net_device *dev, struct ethtool_coalesce *ec);
	int  (*ndo_set_coalesce)(struct net_device *dev, const struct ethtool_coalesce *ec);
	/* the device's own counters as "name=value ..." into buf (l2reflect's
	 * report; ethtool -S uses it when ndo_get_ethtool_stats is absent) */
	int  (*ndo_get_hw_stats)(struct net_device *dev, char *buf, size_t size);

	/* --- ethtool (net/ethtool/ethtool.h validates before calling) --- */
	/* ethtool -i: fill what is known; the caller zeroed info */
	void (*ndo_get_drvinfo)(struct net_device *dev, struct ethtool_drvinfo *info);
	/* ethtool -S: every hardware and driver counter, fresh (fold the
	 * clear-on-read registers first).  Fills stats[0..max-1] and returns
	 * how many counters the device has (more than max: call again with
	 * room for all; 0 with max 0 is fine).  Same order and names on
	 * every call. */
	int  (*ndo_get_ethtool_stats)(struct net_device *dev, struct ethtool_stat *stats,
				      unsigned int max);
	/* ip link set DEV mtu N: make the NIC take frames of mtu + headers
	 * (mtu checked against dev->max_mtu already); 0 or an error, the old
	 * MTU kept then.  Optional. */
	int  (*ndo_change_mtu)(struct net_device *dev, unsigned int mtu);
	/* ethtool -K: make the NIC do features (NETIF_F_*, only bits of
	 * dev->hw_features change); dev->features is updated by the caller
	 * after a 0 return, left as it was on an error.  Optional: without
	 * it, the features change in the stack only. */
	int  (*ndo_set_features)(struct net_device *dev, u32 features);
	/* ethtool -K: the features the device can have at once given the
	 * ones asked for (Linux's ndo_fix_features: bits it cannot keep on
	 * alone taken off).  Optional. */
	u32  (*ndo_fix_features)(struct net_device *dev, u32 features);
	/* a VLAN sub-interface of vid was made over / taken off this device
	 * (ip link add/del ... type vlan): its receive filter passes / drops
	 * that id's tagged frames (NETIF_F_HW_VLAN_CTAG_FILTER).  Process
	 * context; optional. */
	int  (*ndo_vlan_rx_add_vid)(struct net_device *dev, u16 vid);
	int  (*ndo_vlan_rx_kill_vid)(struct net_device *dev, u16 vid);
	/* ethtool -C: the ETHTOOL_COALESCE_* fields ndo_set_coalesce honours;
	 * ndo_set_ringparam/ndo_set_coalesce get the whole struct (unchanged
	 * fields as ndo_get_* returned them), return 0, -EINVAL (value the
	 * device cannot take: nothing changed) or -EOPNOTSUPP */
	u32  supported_coalesce_params;

	/* --- the TX watchdog (net/core/watchdog.h); all optional --- */
	/* frames given to the device and not yet completed, and in
	 * *completed the running count of frames it completed; a cheap
	 * racy read (TIMER softirq) */
	unsigned int (*ndo_tx_inflight)(struct net_device *dev, u64 *completed);
	/* write the TX tail a NETDEV_TX_MORE send left for later outside a
	 * poll (netdev_tx_deferred); nothing when none is pending.  Thread
	 * or softirq context, never hard IRQ */
	void (*ndo_tx_flush)(struct net_device *dev);
	/* frames in flight and no completion for watchdog_timeo_ms: recover
	 * (Linux's ndo_tx_timeout); returns the TX queue that hung (the first
	 * one holding frames; 0 when none is found), whose tx-N/tx_timeout
	 * the core counts.  TIMER softirq: must not wait; a reset goes to
	 * process context (kernel/workqueue.h) */
	unsigned int (*ndo_tx_timeout)(struct net_device *dev);
	/* every watchdog period, TIMER softirq: the driver's own checks */
	void (*ndo_watchdog)(struct net_device *dev);
	/* reset the device now keeping its settings (`netdev reset`);
	 * process context; 0 or a negative errno */
	int  (*ndo_reset)(struct net_device *dev);

	/* --- receive queues (ethtool -l/-L, -x/-X, -n/-N); optional,
	 * process context, 0 or a negative errno; a refused set changes
	 * nothing --- */
	void (*ndo_get_channels)(struct net_device *dev, struct ethtool_channels *ch);
	int  (*ndo_set_channels)(struct net_device *dev, const struct ethtool_channels *ch);
	int  (*ndo_get_rxfh)(struct net_device *dev, struct ethtool_rxfh_param *p);
	int  (*ndo_set_rxfh)(struct net_device *dev, const struct ethtool_rxfh_param *p);
	/* the RXH_* fields hashed for a flow type */
	int  (*ndo_get_rxfh_fields)(struct net_device *dev, u32 flow_type, u32 *fields);
	int  (*ndo_set_rxfh_fields)(struct net_device *dev, u32 flow_type, u32 fields);
};

/* a received frame (skb->data at the Ethernet header, skb->dev set), now
 * the handler's to free; flags: NETDEV_RX_*.  Called in NET_RX softirq
 * context, or hard IRQ context with napi=off.  Returns 0 or a negative
 * errno (the skb is consumed either way). */
typedef int (*netdev_rx_handler_t)(struct net_device *dev, struct sk_buff *skb,
				   unsigned int flags);

/* The RX queues a device may have (igb's RSS queues: E1000_MQ_MAX) */
#define NETDEV_RX_QUEUES_MAX 8
/* The TX queues a device may have (igb: one per RX queue) */
#define NETDEV_TX_QUEUES_MAX 8

struct rps_dev_flow_table;

/* one RX queue's steering (Linux struct netdev_rx_queue): rps_cpus, and
 * the RFS flow table of rps_flow_cnt entries (NULL: RFS off on it) */
struct netdev_rx_queue {
	u32 rps_cpus;                   /* CPUs its frames are spread over, 0 = off */
	struct rps_dev_flow_table *rps_flow_table;
};

struct net_device {
	char name[IFNAMSIZ];            /* "eth0", assigned by register_netdev */
	int ifindex;                    /* 1.. in registration order */
	unsigned int mtu;
	unsigned int max_mtu;           /* the largest MTU ip link set may give it (0: ETH_DATA_LEN) */
	unsigned int flags;             /* IFF_* */
	u8 dev_addr[ETH_ALEN];          /* current MAC */
	u8 perm_addr[ETH_ALEN];         /* MAC from the NIC's EEPROM/NVM */
	bool carrier;                   /* link up */
	u64 rx_held_until_ns;           /* ktime before which the device may still hold received frames back (QEMU's e1000 after an RCTL write); 0: none */
	u32 features;                   /* NETIF_F_* on now */
	u32 hw_features;                /* NETIF_F_* the user may switch (ethtool -K) */
	bool rxfh_configured;           /* the user set the RSS table (Linux IFF_RXFH_CONFIGURED) */
	/* RPS/RFS per RX queue rx-N (net/core/rps.c); real_num_rx_queues of
	 * them are in use (the driver sets it; 0 counts as 1) */
	struct netdev_rx_queue rx_queues[NETDEV_RX_QUEUES_MAX];
	u16 real_num_rx_queues;
	/* XPS per TX queue tx-N (net/core/xps.c): the CPUs whose sends go to
	 * it, 0 = none; real_num_tx_queues of them are in use (the driver
	 * sets it; 0 counts as 1) */
	u32 xps_cpus[NETDEV_TX_QUEUES_MAX];
	u16 real_num_tx_queues;
	u32 gso_max_size;               /* TSO: the largest frame a send may be (bytes, Ethernet header included) */
	u16 gso_max_segs;               /* TSO: the most pieces (skb_segs) one send may have */
	u32 speed_mbps;
	bool full_duplex;
	u8 mc_list[NETDEV_MC_MAX][ETH_ALEN];
	unsigned int mc_count;
	const struct net_device_ops *netdev_ops;
	netdev_rx_handler_t rx_handler;
	void *rx_handler_data;
	u64 rx_nohandler;               /* frames no handler took: none set, or an EtherType no protocol handles */
	struct netdev_gro_stats gro;    /* GRO's counters (net/core/gro.c), ethtool -S rx_gro_* */
	void *priv;                     /* the driver's private data, after this struct */
	/* the TX watchdog (net/core/watchdog.c) */
	unsigned int watchdog_timeo_ms; /* no TX completion this long with frames in flight: a hang; 0 = off */
	u64 tx_timeouts;                /* hangs detected, all queues */
	/* of tx_timeouts: those of each TX queue, tx-N/tx_timeout (Linux's
	 * netdev_queue trans_timeout) */
	u64 tx_queue_timeouts[NETDEV_TX_QUEUES_MAX];
	u64 wd_completed;               /* completions at the last progress */
	u64 wd_progress_ns;             /* when the watchdog last saw progress or nothing in flight */
};

/* The TX queue (0..nq-1) for a send from cpu, as Linux's get_xps_queue
 * and netdev_pick_tx: the queues whose xps_cpus hold cpu (one of them by
 * the flow hash when several do, so a flow keeps its queue); none: cpu
 * mod nq.  Lock-free: a mask changed meanwhile counts old or new. */
static inline unsigned int netdev_pick_tx_queue(const struct net_device *dev, unsigned int cpu,
						u32 hash, unsigned int nq)
{
	u32 qs = 0;             /* bit q: queue q is mapped to cpu */
	unsigned int q;

	if (nq <= 1)
		return 0;
	nq = nq < NETDEV_TX_QUEUES_MAX ? nq : NETDEV_TX_QUEUES_MAX;
	if (cpu < 32)
		for (q = 0; q < nq; q++)
			if (READ_ONCE(dev->xps_cpus[q]) & (1u << cpu))
				qs |= 1u << q;
	if (!qs)
		return cpu % nq;
	return find_nth_bit32(qs, hash % (unsigned int)__builtin_popcount(qs));
}

/* a zeroed net_device with priv_size bytes of private data behind it */
struct net_device *alloc_netdev(size_t priv_size);
void free_netdev(struct net_device *dev);
static inline void *netdev_priv(const struct net_device *dev) { return dev->priv; }

/* name the device ethN (N = lowest free slot) unless it has a name
 * already (pseudo devices), and add it to the list */
int register_netdev(struct net_device *dev);
void unregister_netdev(struct net_device *dev);
struct net_device *netdev_get_by_name(const char *name);
/* dev is registered now (a pointer kept across a possible removal) */
bool netdev_registered(const struct net_device *dev);
struct net_device *netdev_get_by_index(int i);  /* i-th registered, or NULL */

/* link state, reported once per change */
void netif_carrier_on(struct net_device *dev, u32 speed_mbps, bool full_duplex);
void netif_carrier_off(struct net_device *dev);

/* dev is up, has carrier, and receives now (rx_held_until_ns passed) */
bool netif_rx_ready(const struct net_device *dev);

/* drivers hand each good received frame here; consumes skb (freed and
 * counted in dev->rx_nohandler when no handler is set) */
static inline void netdev_rx(struct net_device *dev, struct sk_buff *skb, unsigned int flags)
{
	netdev_rx_handler_t h = READ_ONCE(dev->rx_handler);

	if (!h) {
		dev->rx_nohandler++;
		kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
		return;
	}
	h(dev, skb, flags);
}

/* true if the frame carries an IEEE 802.1Q tag (TPID 0x8100 where the
 * EtherType would be): it may be VLAN_HLEN longer than the MTU allows */
static inline bool skb_vlan_tagged(const struct sk_buff *skb)
{
	return skb_headlen(skb) >= ETH_HLEN && skb->data[2 * ETH_ALEN] == 0x81 &&
	       skb->data[2 * ETH_ALEN + 1] == 0x00;
}

#define TCP_DOFF_BYTE 12        /* RFC 9293 3.1: data offset, in its high nibble */

/* The checksum offload a CHECKSUM_PARTIAL skb asks for (and TSO when
 * skb->gso_size is set), with its header offsets made relative to
 * skb->data; false (csum untouched) for none. */
static inline bool skb_tx_csum(const struct sk_buff *skb, struct netdev_tx_csum *csum)
{
	u16 data_off = (u16)(skb->data - skb->head);

	if (skb->ip_summed != CHECKSUM_PARTIAL || !skb->csum_flags ||
	    skb->network_header == SKB_HDR_UNSET || skb->transport_header == SKB_HDR_UNSET)
		return false;
	csum->flags = skb->csum_flags;
	csum->l3_offset = (u16)(skb->network_header - data_off);
	csum->l3_len = (u16)(skb->transport_header - skb->network_header);
	csum->l4_len = 0;
	csum->mss = 0;
	if (skb->gso_size && (skb->csum_flags & NETDEV_CSUM_TCP)) {
		u32 doff = (u32)(skb->transport_header - data_off) + TCP_DOFF_BYTE;

		/* the TCP header lies in the linear part (the glue builds it so) */
		if (doff >= skb_headlen(skb))
			return true;
		csum->flags |= NETDEV_CSUM_TSO;
		csum->mss = skb->gso_size;
		csum->l4_len = (u16)((skb->data[doff] >> 4) * 4);
	}
	return true;
}

/* user-level wrappers that validate, then call the ops */
int netdev_open(struct net_device *dev);
int netdev_stop(struct net_device *dev);
int netdev_set_promisc(struct net_device *dev, bool on);
int netdev_add_mc(struct net_device *dev, const u8 addr[ETH_ALEN]);

/* "52:54:00:12:34:56" into buf (>= 18 bytes) */
const char *netdev_fmt_mac(char *buf, const u8 mac[ETH_ALEN]);

#endif
