/* The e1000 family driver: shared structures, the per-chip ops tables, the
 * register access layer and the functions the driver's files share.
 *
 * Files: e1000_hw.c (reset, NVM, PHY, link, filters, interrupt masks),
 * e1000_desc.c (legacy and advanced descriptor formats), e1000_txrx.c
 * (rings), e1000_stats.c (hardware counters), e1000_netdev.c (the
 * net_device_ops), e1000_irq.c (the hard IRQ and the NAPI poll),
 * e1000_itr.c (adaptive interrupt moderation), e1000_main.c (PCI probe,
 * interrupt vectors), e1000_fault.c (the fault injection hooks),
 * e1000_watchdog.c (TX hang, lost interrupts, reset), e1000_vlan.c (the
 * VLAN offloads: tag stripping and insertion, the VLAN filter table). */
#ifndef DRIVERS_NET_E1000_H
#define DRIVERS_NET_E1000_H

#include "drivers/net/e1000/e1000_defs.h"
#include "drivers/net/e1000/e1000_regs.h"
#include "drivers/net/fault.h"
#include "drivers/net/netdevice.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "kernel/workqueue.h"
#include "net/core/napi.h"
#include "net/core/skbuff.h"
#include "net/core/rx_chain.h"

/* ring sizes (descriptors): RDLEN/TDLEN must be multiples of 128 bytes,
 * i.e. of 8 descriptors (8254x 13.4.27) */
#define E1000_RING_MIN          64
#define E1000_RING_MAX          4096
#define E1000_RING_ALIGN        8
#ifndef E1000_RING_DEFAULT
#define E1000_RING_DEFAULT      256     /* descriptors per ring after probe */
#endif
#define E1000_RX_BUF_SIZE       2048    /* RCTL.BSIZE / SRRCTL.BSIZEPACKET */
#define E1000_TX_BUF_SIZE       2048    /* per-slot buffer for a frame that must be copied */
/* 8254x SDM 3.3.3: at most 16288 bytes per legacy TX descriptor (a
 * longer piece is copied) */
#define E1000_TX_DESC_MAX_LEN   16288
#ifndef E1000_TX_MAX_SEGS
#define E1000_TX_MAX_SEGS       8       /* data descriptors per frame; more pieces: copied */
#endif
/* TSO: data descriptors one send may take.  QEMU's e1000e and igb map at
 * most 64 buffers per packet and drop the packet silently past that
 * (hw/net/net_tx_pkt.c net_tx_pkt_add_raw_fragment, E1000E_MAX_TX_FRAGS);
 * a TSO send with more pieces cannot be copied into one slot buffer
 * either, so the driver drops it and counts it (tx_tso_dropped). */
#define E1000_TSO_MAX_SEGS      64
/* the largest TSO frame: the pbuf chain's 16-bit length, and QEMU drops
 * a GSO packet whose IP datagram passes 65535 bytes (net_tx_pkt_send_custom) */
#define E1000_TSO_MAX_SIZE      0xFFFF
/* Jumbo frames (ip link set mtu): the largest MTU, 9000 on the 82540EM
 * and 82574L, 9216 on the 82576 (issue 16's figures; the chips take more:
 * Linux's e1000 allows the 82540EM 16110).  QEMU's e1000 and e1000e take
 * frames up to 16 KiB - 4 with RCTL.LPE (hw/net/e1000x_common.c
 * e1000x_is_oversized), its igb up to RLPML, which the driver sets from
 * the MTU (igb_core.c igb_rx_is_oversized: a register, no limit of its
 * own); a frame spans several E1000_RX_BUF_SIZE buffers and goes up as
 * one skb (net/core/rx_chain.h). */
#define E1000_MAX_MTU           9000
#define E1000_82576_MAX_MTU     9216
/* RX refill pool: the ring's buffers plus 1/E1000_RX_POOL_SPARE_DIV of
 * the ring again for frames the stack still holds */
#ifndef E1000_RX_POOL_SPARE_DIV
#define E1000_RX_POOL_SPARE_DIV 2
#endif
#define E1000_DESC_SIZE         16
#ifndef E1000_ITR_DEFAULT_US
#define E1000_ITR_DEFAULT_US    50      /* interrupt throttle: ~20000 interrupts/s */
#endif
#define E1000_ITR_MAX_US        16000

/* ---- register access: one layer the host tests replace ---- */
struct e1000_hw;
#ifdef HOST_TEST
/* tests/unit: a fake register file with device side effects */
u32 e1000_test_read32(struct e1000_hw *hw, u32 reg);
void e1000_test_write32(struct e1000_hw *hw, u32 reg, u32 val);
#define er32(hw, reg)       e1000_test_read32((hw), (reg))
#define ew32(hw, reg, val)  e1000_test_write32((hw), (reg), (val))
#else
static inline u32 e1000_mmio_read32(const volatile void *addr)
{
	return *(const volatile u32 *)addr;
}

static inline void e1000_mmio_write32(volatile void *addr, u32 val)
{
	*(volatile u32 *)addr = val;
}
#define er32(hw, reg)       e1000_mmio_read32((hw)->hw_addr + (reg))
#define ew32(hw, reg, val)  e1000_mmio_write32((hw)->hw_addr + (reg), (val))
#endif
/* posted writes reach the device before the STATUS read returns */
#define e1000_flush(hw)     ((void)er32((hw), E1000_STATUS))
#define E1000_REG_GONE      0xFFFFFFFFu /* every read returns this once the device is gone */

/* ---- chips ---- */
enum e1000_mac_type {
	e1000_82540,            /* 82540EM, QEMU -device e1000 */
	e1000_82574,            /* 82574L, QEMU -device e1000e */
	e1000_82576,            /* 82576, QEMU -device igb */
};

#define E1000_F_ADV_DESC        BIT(0)  /* advanced RX/TX descriptors, SRRCTL */
#define E1000_F_RX_CSUM         BIT(1)  /* RX checksum status bits are trustworthy */
#define E1000_F_QUEUE_ENABLE    BIT(2)  /* RXDCTL/TXDCTL.ENABLE must be set */
#define E1000_F_EITR            BIT(3)  /* throttle with EITR(0), not ITR */
#define E1000_F_MSIX_EICR       BIT(4)  /* MSI-X through EICR/EIMS and IVAR0/IVAR_MISC (82576) */
#define E1000_F_NVM_EERD        BIT(5)  /* EERD layout of the 82574/82576 */
#define E1000_F_GIO_MASTER      BIT(6)  /* stop bus mastering before a reset */
#define E1000_F_DRV_LOAD        BIT(7)  /* set CTRL_EXT.DRV_LOAD */
#define E1000_F_MSIX_IVAR       BIT(8)  /* MSI-X through ICR causes routed by IVAR (82574) */
#define E1000_F_MSIX            (E1000_F_MSIX_EICR | E1000_F_MSIX_IVAR)
#define E1000_F_EXT_RX          BIT(9)  /* extended RX descriptors: RFCTL.EXTEN (82574) */

/* queue 0 register offsets, which move between the legacy and 82576 maps */
struct e1000_queue_regs {
	u32 rdbal, rdbah, rdlen, rdh, rdt, rxdctl;
	u32 tdbal, tdbah, tdlen, tdh, tdt, txdctl;
};

struct e1000_rx_wb {
	u16 len;
	bool eop;
	bool crc_err;           /* CE */
	bool frame_err;         /* any other frame error */
	unsigned int csum_ok;   /* NETDEV_RX_*_CSUM_OK, 0 unless the chip validates */
	u32 rss_hash;           /* the RSS hash the chip wrote (82576 with RXCSUM.PCSD) */
	u8 rss_type;            /* its RSS type, 0 = none (no hash) */
	bool vlan;              /* VP: the chip took an 802.1Q tag out (CTRL.VME) */
	u16 vlan_tci;           /* that tag's TCI */
};

/* one descriptor format (e1000_desc.c) */
struct e1000_ring_ops {
	void (*rx_arm)(void *desc, phys_addr_t buf);    /* hand a buffer to the device */
	bool (*rx_done)(const void *desc);              /* DD set */
	void (*rx_parse)(const void *desc, bool hw_csum, struct e1000_rx_wb *wb);
	/* a context for csum; paylen: the TCP payload of a TSO send */
	void (*tx_ctx)(void *desc, const struct netdev_tx_csum *csum, u32 paylen);
	/* one piece of a frame; paylen: the frame's bytes, or its TCP payload
	 * for a TSO send (NETDEV_CSUM_TSO in csum_flags); eop on its last piece */
	void (*tx_data)(void *desc, phys_addr_t buf, u16 len, unsigned int csum_flags,
			u32 paylen, bool eop);
	bool (*tx_done)(const void *desc);              /* DD written back */
	/* VLAN tag insertion (e1000_vlan.c): tx_vlan marks one data
	 * descriptor of a frame (every one gets it) to have tci put in;
	 * tx_ctx_vlan, where the tag rides in the context descriptor instead
	 * (82576), writes it there, and a frame with a tag then needs a
	 * context holding its tag */
	void (*tx_vlan)(void *desc, u16 tci);
	void (*tx_ctx_vlan)(void *desc, u16 tci);
	bool rx_vlan;           /* rx_parse reports a tag the chip took out (e1000_rx_wb.vlan) */
};

struct e1000_chip {
	const char *name;
	enum e1000_mac_type type;
	unsigned int flags;                             /* E1000_F_* */
	const struct e1000_ring_ops *ring_ops;
	/* RSS queues with a vector each (MSI-X): 1 = no RSS (the 82540EM's
	 * one queue), 2 on the 82574 (QEMU E1000E_NUM_QUEUES), the 8 Linux's
	 * igb uses on the 82576 */
	u16 max_rss_queues;
};

extern const struct e1000_ring_ops e1000_legacy_ring_ops;
extern const struct e1000_ring_ops e1000_adv_ring_ops;
extern const struct e1000_ring_ops e1000_ext_ring_ops;
extern const struct e1000_chip e1000_chip_82540em, e1000_chip_82574l, e1000_chip_82576;

struct e1000_hw {
	volatile u8 *hw_addr;           /* BAR0 */
	const struct e1000_chip *chip;
	struct e1000_queue_regs q;
	bool emulated;                  /* QEMU's model: see e1000_stats.c */
	bool msix;                      /* MSI-X in use (EICR on the 82576, IVAR on the 82574) */
	bool msi;                       /* MSI in use */
	/* multiqueue layout (e1000_mq.c): MSI-X entry 0 takes the other
	 * causes, entry 1 + q queue q's; else everything on entry 0 */
	bool mq;
	u32 eims_rx0;                   /* EICR/EIMS bit of queue 0's vector */
	u32 eims_main;                  /* the bits e1000_irq_enable/disable own */
	u16 nvec;                       /* vectors whose EITR e1000_set_itr writes */
	u64 rx_held_until_ns;           /* QEMU's e1000 holds received frames back until then (e1000_write_rctl) */
	bool vlan_filter;               /* rx-vlan-filter on: RCTL.VFE outside promiscuous mode (e1000_vlan.c) */
};

/* TX queues beyond 0 (XPS-like, e1000_mq.c): the 82576's; the 82574's
 * second TX queue is not used (its queue 1 vector takes RX only) */
static inline bool e1000_mq_has_tx(const struct e1000_hw *hw)
{
	return hw->mq && !(hw->chip->flags & E1000_F_MSIX_IVAR);
}

/* the 82576 in MSI-X mode: its causes are read from EICR */
static inline bool e1000_uses_eicr(const struct e1000_hw *hw)
{
	return hw->msix && (hw->chip->flags & E1000_F_MSIX_EICR);
}

/* MSI or MSI-X: the vector is this device's alone (never shared, unlike
 * an INTx line), so every interrupt on it is ours, even one that finds no
 * cause pending (e1000_irq.c) */
static inline bool e1000_irq_exclusive(const struct e1000_hw *hw)
{
	return hw->msix || hw->msi;
}

/* ---- RX refill pool (e1000_rxpool.c) ---- */
struct e1000_rx_pool;

/* one receive buffer of E1000_RX_BUF_SIZE bytes: in a ring slot, on the
 * pool's free list, or with the stack inside an skb */
struct e1000_rx_buf {
	void *va;
	phys_addr_t dma;
	struct e1000_rx_pool *pool;
	struct e1000_rx_buf *next;      /* free list link */
};

/* The buffers of one RX ring and its spares.  A pool outlives its ring:
 * the ring's free (stop, resize) detaches it, and the last buffer to come
 * back from the stack frees it. */
struct e1000_rx_pool {
	/* all below; softirq (NAPI refill) and wherever the stack frees a
	 * buffer (thread, softirq), irqsave */
	struct spinlock lock;
	struct e1000_rx_buf *free;
	u32 size;                       /* buffers in all */
	u32 nfree;                      /* on the free list */
	u32 lent;                       /* with the stack (skbs not yet freed) */
	bool attached;                  /* a ring uses it */
	struct e1000_rx_buf bufs[];
};

/* ---- rings ---- */
struct e1000_rx_ring {
	void *desc;
	phys_addr_t desc_dma;
	u32 count;
	u32 next_to_clean;              /* next descriptor to look at; RDT = next_to_clean - 1 */
	struct e1000_rx_buf **buf;      /* the buffer armed in each slot */
	struct e1000_rx_pool *pool;
	u16 index;                      /* queue number (RDT(index), ethtool -S rx_queue_N) */
	/* the RX counters this ring's poll adds to: a->sw for queue 0, the
	 * queue's own for the others (their polls run on other CPUs) */
	struct e1000_sw_stats *sw;
	/* a frame longer than one buffer, gathered descriptor by descriptor
	 * up to its EOP (it may span polls) */
	struct rx_chain chain;
	bool chain_copied;              /* a piece of it was copied (no spare buffer) */
	bool stopped;                   /* receiver off: cleaning no longer moves RDT */
};

struct e1000_tx_slot {
	void *buf;                      /* the copy of a frame that could not go in place */
	phys_addr_t dma;
	/* first slot of a frame: */
	struct sk_buff *skb;            /* held until the device wrote the frame back */
	u32 len;                        /* frame bytes (a TSO send: up to 64 KiB) */
	u16 segs;                       /* wire frames it makes: 1, or a TSO send's segments */
	u16 hdr_len;                    /* TSO: the header each segment repeats */
	s32 last;                       /* index of its last descriptor */
	u32 journey;                    /* journey_tx_token() of the frame, 0 = none */
};

struct e1000_tx_ring {
	void *desc;
	phys_addr_t desc_dma;
	u32 count;
	u32 next_to_use;                /* software owns [next_to_clean, next_to_use) until DD */
	u32 next_to_clean;
	struct e1000_tx_slot *slot;
	u64 ctx_key;                    /* the checksum/TSO context the device holds, 0 = none */
	u32 ctx_vlan;                   /* tx_ctx_vlan: the tag it holds | E1000_CTX_VLAN_SET, 0 = none */
#define E1000_CTX_VLAN_SET      BIT(16)
	bool tail_pending;              /* descriptors queued with NETDEV_TX_MORE, tail not written */
	u16 index;                      /* queue number (TDT(index), ethtool -S tx_queue_N) */
	/* the TX counters this ring adds to, under its lock: a->sw for queue
	 * 0, the queue's own for the others (e1000_mq.c) */
	struct e1000_sw_stats *sw;
};

/* counters kept by the driver */
struct e1000_sw_stats {
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	u64 rx_crc_errors, rx_frame_errors, rx_length_errors, rx_dropped;
	u64 rx_csum_offloaded, tx_busy, tx_csum_offloaded;
	/* of tx_csum_offloaded: IPv6 frames, UDP frames */
	u64 tx_csum_ipv6, tx_csum_udp;
	/* TSO: sends, the wire segments they make, the descriptors they took
	 * (context included), the most one took; sends dropped because the
	 * device cannot take them (more than E1000_TSO_MAX_SEGS pieces, a
	 * piece it cannot reach, a bad header layout) */
	u64 tx_tso_sends, tx_tso_segments, tx_tso_descs, tx_tso_descs_max, tx_tso_dropped;
	u64 tx_tso6_sends;      /* of tx_tso_sends: over IPv6 */
	/* zero copy: every good frame is exactly one of rx_zc_frames (its
	 * buffer handed up), rx_copied_frames (pool empty: copied, the buffer
	 * stayed) or rx_alloc_failed (dropped, also in rx_dropped) */
	u64 rx_zc_frames, rx_copied_frames, rx_alloc_failed;
	/* of the good frames: those that spanned several buffers (jumbo
	 * frames, gathered by rx_chain), and the buffers they took */
	u64 rx_multi_buf_frames, rx_multi_buf_bufs;
	/* every frame queued is one of tx_zc_frames (descriptors on its own
	 * pieces, tx_sg_segments of them in all) or tx_linearized (copied);
	 * tx_packets counts wire frames (a TSO send: its segments) */
	u64 tx_zc_frames, tx_linearized, tx_sg_segments;
	/* frames a thread's send queued leaving the tail for later
	 * (net/core/xmit.h, deferred tails; tx_lock) */
	u64 tx_tail_deferred;
	/* frames sent while this CPU's poll handed its batch up: their tail
	 * is written once for the batch (e1000_service; tx_lock) */
	u64 tx_tail_batched;
	/* a thread's tail writes whose frames were reaped at once, their
	 * TX-done cause acknowledged so it raised no interrupt
	 * (e1000_tx_flush_quiet; tx_lock) */
	u64 tx_done_reaped;
	u64 irqs;               /* hard IRQs that were ours */
	/* hard IRQs that found no cause pending: on INTx another device's
	 * (IRQ_NONE); on MSI/MSI-X claimed all the same (e1000_irq.c) */
	u64 irqs_not_ours;
	u64 irqs_raised;        /* napi=off: causes re-raised for frames left in the ring */
	u64 polls, link_changes;
	u64 tx_timeouts;        /* ethtool -S tx_timeout_count: resets for a hung TX ring */
	u64 resets;             /* device resets (TX timeouts and `netdev reset`) */
	u64 irq_kicks;          /* watchdog-raised interrupts for work left in a ring */
	/* VLAN offloads: frames whose tag the chip took out (RX) or put in
	 * (TX); frames with a tag to put in while the chip could not (the
	 * offload switched off under them): dropped */
	u64 rx_vlan_stripped, tx_vlan_inserted, tx_vlan_dropped;
	/* igb under QEMU: RSS turned on after a rebuild, the backlog taken
	 * on queue 0 alone (e1000_mq.c, e1000_mq_poll_staged) */
	u64 rss_staged_opens;
};

/* Every field of struct e1000_sw_stats, with how a TX/RX queue's counter
 * goes into the device's total (e1000_sw_stats_add): SUM, MAX (a
 * maximum) or OWN (the device's are queue 0's, a->sw: each queue's
 * vector keeps its own).  e1000_mq_ethtool.c asserts that each is a u64
 * and that the list names them all: a field added above goes here too. */
#define E1000_SW_STATS(SUM, MAX, OWN)                                          \
	SUM(rx_packets) SUM(rx_bytes) SUM(tx_packets) SUM(tx_bytes)            \
	SUM(rx_crc_errors) SUM(rx_frame_errors) SUM(rx_length_errors)          \
	SUM(rx_dropped) SUM(rx_csum_offloaded) SUM(tx_busy)                    \
	SUM(tx_csum_offloaded) SUM(tx_csum_ipv6) SUM(tx_csum_udp)              \
	SUM(tx_tso_sends) SUM(tx_tso_segments) SUM(tx_tso_descs)               \
	MAX(tx_tso_descs_max) SUM(tx_tso_dropped) SUM(tx_tso6_sends)           \
	SUM(rx_zc_frames) SUM(rx_copied_frames) SUM(rx_alloc_failed)           \
	SUM(rx_multi_buf_frames) SUM(rx_multi_buf_bufs)                        \
	SUM(tx_zc_frames) SUM(tx_linearized) SUM(tx_sg_segments)               \
	SUM(tx_tail_deferred) SUM(tx_tail_batched) SUM(tx_done_reaped)        \
	OWN(irqs)                                                              \
	SUM(irqs_not_ours) SUM(irqs_raised)                                    \
	OWN(polls) SUM(link_changes) SUM(tx_timeouts) SUM(resets)              \
	SUM(irq_kicks) SUM(rx_vlan_stripped) SUM(tx_vlan_inserted)             \
	SUM(tx_vlan_dropped) SUM(rss_staged_opens)

/* rx_reorder: a held frame goes up by itself after this long */
#define E1000_FAULT_HOLD_MS     200

/* fault injection state of one device (e1000_fault.c) */
struct e1000_fault_state {
	/* faults injected on this device: atomic adds (every queue's poll
	 * counts its RX faults, on its own CPU) */
	u64 injected[FAULT_NR];
	/* guards held, held_flags, held_since_ns: every RX queue's poll
	 * (softirq on its vector's CPU; napi=off: hard IRQ), the stop's
	 * drain and e1000_fault_clear (thread); irqsave.  Peeks without it
	 * (the inline hook, the watchdog) only decide whether to look. */
	struct spinlock held_lock;
	/* rx_reorder: the frame held back, the skb itself (its pool buffer
	 * stays lent); released by e1000_fault_rx_flush, or on stop */
	struct sk_buff *held;
	unsigned int held_flags;
	u64 held_since_ns;
	u32 dd_hold;                    /* dd_delay: polls the DD bit stays unseen */
	u64 exhaust_until_ns;           /* rx_exhaust: RX tail frozen until then, 0 = not */
	bool tx_stalled;                /* tx_stall: tail frozen until the rings are rebuilt */
};

/* adaptive interrupt moderation (e1000_itr.c): the traffic classes, in
 * increasing order of the interval they want */
enum e1000_itr_class {
	E1000_ITR_LOWEST,       /* a few small frames: interrupt at once */
	E1000_ITR_LOW,          /* mixed */
	E1000_ITR_BULK,         /* throughput: few interrupts */
};

struct e1000_itr {
	bool adaptive;          /* ethtool -C adaptive-rx */
	enum e1000_itr_class cls;
	u32 rate;               /* interrupts per second the throttle is set for */
	u64 rx_packets, rx_bytes, tx_packets, tx_bytes; /* sw counters at the period's start */
	u64 changes;            /* throttle rewrites (ethtool -S itr_changes) */
	/* lone frames (e1000_itr.c): the register holds 0 instead of the
	 * interval (ethtool -S itr_off), lone periods in a row, the sw
	 * counters (and interrupts: sw.irqs) and time at the last period's
	 * end, times switched off
	 * (itr_lone_offs) */
	bool off;
	u32 lone;
	u64 lone_rx, lone_tx, lone_irqs, lone_ns;
	u64 lone_offs;
};

/* hardware counters accumulated into 64 bits (e1000_stats.c) */
struct e1000_hw_stats {
	u64 crcerrs, algnerrc, symerrs, rxerrc, mpc, scc, ecol, mcc, latecol, colc, dc;
	u64 tncrs, sec, cexterr, rlec, xonrxc, xontxc, xoffrxc, xofftxc, fcruc;
	u64 gprc, bprc, mprc, gptc, gorc, gotc, rnbc, ruc, rfc, roc, rjc;
	u64 tor, tot, tpr, tpt, mptc, bptc;
};
#define E1000_STATS_REGS 37

/* ---- multiqueue (e1000_mq.c) ---- */
#define E1000_MQ_MAX            8       /* 82576 RSS queues Linux uses (IGB_MAX_RX_QUEUES) */
#define E1000_RSS_KEY_SIZE      40      /* RSSRK0..9 */
#define E1000_RETA_SIZE         128     /* indirection entries (RETA0..31, a byte each) */

/* per-queue counters (ethtool -S rx_queue_N_*); they survive ring rebuilds */
/* padded so that no two queues' counters share a cache line, wherever the
 * adapter lies (kmalloc aligns to 16): every queue's poll (on its own CPU
 * with RSS) bumps its entry per frame, and neighbours in one line made the
 * CPUs write that line by turns */
#define E1000_QSTATS_FIELDS     6
#define E1000_CACHELINE         64
struct e1000_queue_stats {
	u64 rx_packets, rx_bytes, rx_drops;
	u64 irqs, polls;
	u64 rss_mismatch;       /* the descriptor's hash names another queue */
	u8 pad[2 * E1000_CACHELINE - E1000_QSTATS_FIELDS * sizeof(u64)];
};
_Static_assert(sizeof(struct e1000_queue_stats) == 2 * E1000_CACHELINE,
	       "e1000_queue_stats: the fields and a line's gap to the next entry");

struct e1000_mq_queue;

struct e1000_adapter {
	struct net_device *netdev;
	struct pci_dev *pdev;           /* NULL in host tests */
	struct e1000_hw hw;
	struct e1000_rx_ring rx;
	struct e1000_tx_ring tx;
	u32 rx_count, tx_count;         /* configured ring sizes */
	u32 itr_usecs;                  /* interrupt throttle interval, 0 = off (adaptive: the last chosen) */
	struct e1000_itr itr;
	struct e1000_sw_stats sw;
	struct e1000_hw_stats hs;
	u32 stats_last[E1000_STATS_REGS]; /* last raw value of counters the emulator does not clear */
	struct napi_struct napi;        /* the poll (e1000_irq.c) */
	u32 icr_pending;                /* causes the hard IRQ saw, for the poll */
	bool icr_due;                   /* 82576, one MSI-X vector: an interrupt came, the poll reads ICR */
	bool running;                   /* rings up: the hard IRQ may schedule the poll */
	bool tx_up;                     /* TX ring usable by start_xmit (interrupts off to change) */
	/* CPU number + 1 of the CPU whose poll runs the rx_handler now (0:
	 * none): a start_xmit on that CPU may defer the tail (NETDEV_TX_MORE),
	 * the poll writes it at its end; one on another CPU writes its own */
	u32 in_rx;
	bool resetting;                 /* e1000_reinit: start_xmit says -EBUSY, the qdisc waits */
	bool tx_hung;                   /* TX timeout: the reset does not wait for TX to drain */
	/* guards the TX ring (next_to_use/next_to_clean, slots, tail_pending,
	 * ctx_key) and the TX counters of sw: start_xmit (thread or softirq,
	 * any CPU: irqsave), the poll's clean-up and tail write (softirq on
	 * the interrupt's CPU: interrupts on, since with napi=on no hard IRQ
	 * takes it), napi=off's hard IRQ (interrupts already off), stop,
	 * ethtool -S (thread: irqsave; the counters with the ring's frames) */
	struct spinlock tx_lock;
	/* guards hs and stats_last (clear-on-read folds): the poll, views and
	 * ethtool (thread), napi=off's hard IRQ; irqsave */
	struct spinlock stats_lock;
	struct work_struct reset_work;  /* e1000_reinit in process context, after a TX timeout */
	struct e1000_fault_state fault;
	/* multiqueue (e1000_mq.c; hw.mq): queue 0 is rx/napi above, queues
	 * 1..num_queues-1 have their own ring, NAPI and vector */
	u16 num_queues;                 /* RX queues in use (1 without hw.mq) */
	u16 max_queues;                 /* queue vectors allocated */
	struct e1000_mq_queue *mq_q[E1000_MQ_MAX];
	struct e1000_queue_stats qstats[E1000_MQ_MAX];
	u8 rss_key[E1000_RSS_KEY_SIZE];
	u8 reta[E1000_RETA_SIZE];
	u32 rss_fields;                 /* MRQC hash-field bits */
	bool rss_on;                    /* RSS programmed: descriptors carry the hash */
	/* guards rss_staged, rss_calm_polls and every MRQC write once the
	 * device is up: queue 0's poll (softirq, e1000_mq_poll_staged),
	 * ethtool -X/-N (thread); irqsave */
	struct spinlock rss_lock;
	/* RSS held back after a rebuild (emulated igb, e1000_mq.c): MRQC
	 * without RSS, queues 1.. empty, until queue 0's poll saw the
	 * backlog QEMU pumps in when the receiver goes on absorbed */
	bool rss_staged;
	bool rss_stage_next;            /* e1000_down ran: stage at the next e1000_mq_up */
	u8 rss_calm_polls;              /* queue 0's calm polls in a row while staged */
	u16 rss_staged_polls;           /* queue 0's polls while staged */
	u64 rss_staged_ns;              /* when the staged rings came up */
	const char *mq_why;             /* one queue on a chip with more: why (ethtool -l) */
	/* VLAN (e1000_vlan.c): the filter table as programmed (VFTA), and
	 * whether the chip puts tags in now (CTRL.VME set where the chip
	 * needs it; read by xmit under tx_lock) */
	u32 vfta[E1000_VFTA_WORDS];
	bool vlan_tx;
};

/* e1000_hw.c */
void e1000_hw_setup(struct e1000_hw *hw, const struct e1000_chip *chip, volatile u8 *hw_addr);
int  e1000_reset_hw(struct e1000_hw *hw);
int  e1000_read_nvm(struct e1000_hw *hw, u16 word, u16 *data);
int  e1000_read_mac_addr(struct e1000_hw *hw, u8 mac[ETH_ALEN]);
int  e1000_phy_read(struct e1000_hw *hw, u32 reg, u16 *val);
int  e1000_phy_write(struct e1000_hw *hw, u32 reg, u16 val);
int  e1000_setup_link(struct e1000_hw *hw);
void e1000_write_rctl(struct e1000_hw *hw, u32 rctl);
/* rctl with RCTL.LPE as mtu needs it (and, on the 82576, RLPML written
 * for mtu): the caller writes the result */
u32 e1000_rctl_for_mtu(struct e1000_hw *hw, u32 rctl, u32 mtu);
bool e1000_check_link(struct e1000_hw *hw, u32 *speed_mbps, bool *full_duplex);
void e1000_rar_set(struct e1000_hw *hw, const u8 mac[ETH_ALEN], int index);
u32  e1000_mta_hash(const u8 mac[ETH_ALEN]);
void e1000_set_rx_filters(struct e1000_hw *hw, bool promisc, bool allmulti,
			  const u8 (*mc)[ETH_ALEN], unsigned int mc_count);
/* rctl with RCTL.VFE as hw->vlan_filter and its UPE (promiscuous) say */
u32  e1000_rctl_vfe(const struct e1000_hw *hw, u32 rctl);
void e1000_set_itr(struct e1000_hw *hw, u32 usecs);
void e1000_irq_setup(struct e1000_hw *hw);
void e1000_irq_disable(struct e1000_hw *hw);
void e1000_irq_enable(struct e1000_hw *hw);
/* the hard IRQ's mask and the poll's unmask (MSI-X: the vector alone, no flush) */
void e1000_irq_mask_napi(struct e1000_hw *hw);
void e1000_irq_unmask_napi(struct e1000_hw *hw);
void e1000_irq_raise_rx(struct e1000_hw *hw);

/* e1000_rxpool.c */
struct e1000_rx_pool *e1000_rx_pool_create(u32 size);
struct e1000_rx_buf *e1000_rx_pool_get(struct e1000_rx_pool *pool);
void e1000_rx_pool_put(struct e1000_rx_buf *b);
void e1000_rx_pool_lend(struct e1000_rx_buf *b);
void e1000_rx_buf_release(void *ctx, void *va);
void e1000_rx_pool_detach(struct e1000_rx_pool *pool, struct e1000_rx_buf **ring_bufs, u32 n);

/* e1000_txrx.c */
int  e1000_valid_ring_size(u32 count);
int  e1000_rings_alloc(struct e1000_adapter *a);
void e1000_rings_free(struct e1000_adapter *a);
void e1000_rx_configure(struct e1000_adapter *a);
void e1000_tx_configure(struct e1000_adapter *a);
void e1000_rx_disable(struct e1000_adapter *a);
void e1000_tx_disable(struct e1000_adapter *a);
/* the TX side works on one ring t (a->tx, or a queue's of e1000_mq.c)
 * under that ring's lock: queue a frame, write the tail, reclaim */
int  e1000_xmit(struct e1000_adapter *a, struct e1000_tx_ring *t, struct sk_buff *skb,
		unsigned int flags);
void e1000_tx_flush(struct e1000_adapter *a, struct e1000_tx_ring *t);
/* e1000_irq.c: the tail deferred on ring t written once (a poll's
 * rx_handler replies at the poll's end, a thread's sends at
 * ndo_tx_flush), with the journey's TX_TAIL stamp for the sampled frames
 * it sends; t's lock held */
void e1000_tx_flush_batch(struct e1000_adapter *a, struct e1000_tx_ring *t);
int  e1000_clean_tx(struct e1000_adapter *a, struct e1000_tx_ring *t);
/* queue 0's ring (a->tx): its completions under tx_lock, the qdisc woken
 * if any; from a poll or napi=off's hard IRQ (e1000_irq.c) */
void e1000_clean_tx0(struct e1000_adapter *a);
/* descriptors and slots of one TX ring of count slots, its counters in
 * *sw, or free them; the TDT register of ring t */
int  e1000_tx_ring_alloc(struct e1000_tx_ring *t, u32 count, u16 index, struct e1000_sw_stats *sw);
void e1000_tx_ring_free(struct e1000_tx_ring *t);
u32  e1000_tx_tail_reg(const struct e1000_hw *hw, const struct e1000_tx_ring *t);
int  e1000_clean_rx(struct e1000_adapter *a, int budget);
/* the same on ring r (queue r->index) */
int  e1000_clean_rx_ring(struct e1000_adapter *a, struct e1000_rx_ring *r, int budget);
bool e1000_rx_ring_pending(const struct e1000_adapter *a, const struct e1000_rx_ring *r);
/* buffers, pool and descriptors of one RX ring of count slots, or free them */
int  e1000_rx_ring_alloc(struct e1000_rx_ring *r, u32 count, u16 index);
void e1000_rx_ring_free(struct e1000_rx_ring *r);
/* the RDT register of ring r */
u32  e1000_rx_tail_reg(const struct e1000_hw *hw, const struct e1000_rx_ring *r);
/* QEMU's held frame (e1000_txrx.c, e1000_rx_configure and
 * e1000_rx_disable), for every ring r, queue 0's and RSS queues 1..:
 * stop_tail moves r's tail into the smallest ring while the receiver is
 * still on (emulator only); place sets r's head and next_to_clean around
 * the tail it left, the receiver off, writing no RDT there on the
 * emulator; place_late, once the receiver is on, moves head and tail of a
 * ring whose tail lay beyond it */
void e1000_rx_ring_stop_tail(struct e1000_hw *hw, struct e1000_rx_ring *r);
void e1000_rx_ring_place(struct e1000_hw *hw, struct e1000_rx_ring *r);
void e1000_rx_ring_place_late(struct e1000_hw *hw, struct e1000_rx_ring *r);
/* place_empty: as place, the receiver off, but with head on the tail,
 * so that the device owns none of r (QEMU: igb_ring_empty, no room for
 * igb_can_receive) and next_to_clean where the device will start;
 * open_head: every descriptor but one to the device by moving the head
 * back to next_to_clean, no RDT written (false, nothing done: the tail
 * lies beyond r, place_late's case) */
void e1000_rx_ring_place_empty(struct e1000_hw *hw, struct e1000_rx_ring *r);
bool e1000_rx_ring_open_head(struct e1000_hw *hw, struct e1000_rx_ring *r);
bool e1000_rx_pending(const struct e1000_adapter *a);
/* descriptors the device has written back that the poll has not cleaned
 * yet (the RX ring's fill); a racy read for ethtool -S */
u32  e1000_rx_ready(const struct e1000_adapter *a);
bool e1000_tx_completed_pending(const struct e1000_adapter *a, const struct e1000_tx_ring *t);
/* the TX-done cause a tail write raises where the driver can hold it back
 * by itself (0: none, e.g. several queues, or the 82576's EICR bit, which
 * RX queue 0 shares: a thread's flush masks that vector instead,
 * e1000_tx_flush_deferred) */
u32 e1000_tx_done_cause(const struct e1000_hw *hw);
/* tx_lock held: reap TX queue 0's completed frames; with nothing left in
 * flight, acknowledge cause (TX-done, masked: no interrupt came) and count
 * tx_done_reaped.  Returns the frames reaped. */
int e1000_tx_reap_ack(struct e1000_adapter *a, u32 cause);
u32  e1000_tx_unused(const struct e1000_tx_ring *tx);
/* frames handed to the device and not yet cleaned, in tx_packets' unit
 * (a TSO send: its wire segments); tx_lock held, so that the count and
 * the TX counters are of one moment */
u32  e1000_tx_ring_frames(const struct e1000_tx_ring *tx);

/* e1000_stats.c */
/* the driver's counters: a->sw with every RX queue's RX counters added
 * (e1000_mq_sw_add) */
void e1000_sw_total(struct e1000_adapter *a, struct e1000_sw_stats *out);
void e1000_stats_update(struct e1000_adapter *a);
void e1000_stats_fill(struct e1000_adapter *a, struct rtnl_link_stats64 *s);
void e1000_stats_reset(struct e1000_adapter *a);
/* ndo_get_ethtool_stats: every hardware and driver counter, Linux's e1000
 * names where it has one */
int  e1000_get_ethtool_stats(struct net_device *dev, struct ethtool_stat *st, unsigned int max);
/* ndo_get_drvinfo (e1000_main.c: the PCI address); NULL in host tests */
extern void (*e1000_drvinfo_hook)(struct net_device *dev, struct ethtool_drvinfo *info);

/* e1000_netdev.c */
extern const struct net_device_ops e1000_netdev_ops;
extern u32 e1000_ring_default;          /* descriptors per ring at probe (e1000.ring=) */
int  e1000_adapter_init(struct net_device *dev, const struct e1000_chip *chip,
			volatile u8 *bar0, bool emulated);
void e1000_update_link(struct e1000_adapter *a);
/* stop, reset the chip, rebuild the rings with the same settings, link
 * up again; counters kept.  Process context.  0, -ENETDOWN (not up) or
 * the error of the step that failed (device left down) */
int  e1000_reinit(struct e1000_adapter *a);
/* the rings and vectors down (if up), change(a, arg), up again; a change
 * that fails leaves the old settings up.  Process context. */
int  e1000_rebuild(struct e1000_adapter *a, int (*change)(struct e1000_adapter *a, unsigned long arg),
		   unsigned long arg);
/* e1000_main.c: register the PCI driver (probes the NICs found) */
int  e1000_driver_init(void);

/* e1000_mq.c: RSS queues of the 82576 in MSI-X mode.  init: nq queues at
 * probe (hw.mq set, queue objects and NAPI instances made, a random key,
 * Linux's default table); up: after the rings of queue 0 are allocated and
 * before they are configured, the other rings, IVAR/GPIE/EIAC and the RSS
 * registers; enable: their vectors unmasked; stop: their vectors masked
 * and polls stopped (the receiver still on); down: once the receiver is
 * off, their rings drained, disabled and freed.  The IRQ bodies: a queue
 * vector, and entry 0's other causes. */
int  e1000_mq_init(struct e1000_adapter *a, unsigned int nq, unsigned int maxq);
/* the queue objects of e1000_mq_init freed (the device stopped) */
void e1000_mq_free(struct e1000_adapter *a);
int  e1000_mq_up(struct e1000_adapter *a);
void e1000_mq_enable(struct e1000_adapter *a);
void e1000_mq_stop(struct e1000_adapter *a);
/* QEMU's held frame (e1000_rx_ring_stop_tail, _place_late) on queues 1..:
 * rx_stop right before the receiver goes off (their polls stopped),
 * rx_place_late right after it went on again */
void e1000_mq_rx_stop(struct e1000_adapter *a);
void e1000_mq_rx_place_late(struct e1000_adapter *a);
/* queue 0's poll while RSS is staged (a->rss_staged): work of budget;
 * opens queues 1.. and turns RSS on once the backlog is absorbed */
void e1000_mq_poll_staged(struct e1000_adapter *a, int work, int budget);
/* the watchdog while RSS is staged: opens with queue 0's ring idle */
void e1000_mq_watchdog_staged(struct e1000_adapter *a);
/* the watchdog: queues 1.. with work in their ring and no poll coming
 * (a lost interrupt) get their vector raised, counted in irq_kicks */
void e1000_mq_watchdog_kick(struct e1000_adapter *a);
void e1000_mq_down(struct e1000_adapter *a);
/* start_xmit on TX queue q > 0 (its lock taken here); TX queues 1.. sent,
 * closed and freed before the transmitter goes off */
int  e1000_mq_xmit(struct e1000_adapter *a, unsigned int q, struct sk_buff *skb, unsigned int flags);
/* the 82574: whether cpu runs an RSS queue 1..'s poll now (an
 * rx_handler's replies there go to queue 0's ring, and that poll writes
 * their deferred tail at its end) */
bool e1000_mq_tx0_in_poll(struct e1000_adapter *a, unsigned int cpu);
void e1000_mq_tx_down(struct e1000_adapter *a);
/* the TX watchdog's peek at TX queues 1..: descriptors in flight, their
 * completed frames added to *completed */
unsigned int e1000_mq_tx_inflight(struct e1000_adapter *a, u64 *completed);
/* the first TX queue 1.. with descriptors in flight and its ring in
 * *ring; 0 for none (*ring unchanged) */
unsigned int e1000_mq_tx_busy_queue(struct e1000_adapter *a,
				    const struct e1000_tx_ring **ring);
bool e1000_mq_ring_intr(struct e1000_mq_queue *q);
bool e1000_mq_other_intr(struct e1000_adapter *a);
/* the IRQ name of queue q's vector ("eth0-TxRx-q"); stable storage */
const char *e1000_mq_irq_name(struct e1000_adapter *a, unsigned int q);
struct e1000_mq_queue *e1000_mq_queue(struct e1000_adapter *a, unsigned int q);
/* the queue the chip's RSS picks for hash: RETA byte (hash & 127), low nibble */
unsigned int e1000_rss_queue(const struct e1000_adapter *a, u32 hash);

/* e1000_mq_ethtool.c: the queues' counters and the multiqueue ethtool
 * ops, on e1000_mq.c's queues (the internals the two share: e1000_mq.h).
 * sw_add: queues 1..'s RX counters added to *w; forget them (stats reset) */
void e1000_mq_sw_add(struct e1000_adapter *a, struct e1000_sw_stats *w);
/* the same, each queue's under its tx_lock, with the frames its TX ring
 * holds not yet cleaned added to *frames (ethtool -S tx_ring_inflight) */
void e1000_mq_sw_add_tx_frames(struct e1000_adapter *a, struct e1000_sw_stats *w, u32 *frames);
/* s's counters added into w as a queue's are to the device's total */
void e1000_sw_stats_add(struct e1000_sw_stats *w, const struct e1000_sw_stats *s);
void e1000_mq_stats_reset(struct e1000_adapter *a);
/* ethtool -S: the per-queue counters and rx_rss_mismatch from st[n] on */
unsigned int e1000_mq_ethtool_stats(struct e1000_adapter *a, struct ethtool_stat *st,
				    unsigned int n, unsigned int max);
/* the ethtool ops (net_device_ops ndo_get_channels ...) */
void e1000_get_channels(struct net_device *dev, struct ethtool_channels *ch);
int  e1000_set_channels(struct net_device *dev, const struct ethtool_channels *ch);
int  e1000_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p);
int  e1000_set_rxfh(struct net_device *dev, const struct ethtool_rxfh_param *p);
int  e1000_get_rxfh_fields(struct net_device *dev, u32 flow_type, u32 *fields);
int  e1000_set_rxfh_fields(struct net_device *dev, u32 flow_type, u32 fields);
/* e1000_main.c: the handlers of queue vectors [old_nq, new_nq) added or
 * [new_nq, old_nq) removed, between down and up; NULL in host tests */
extern int (*e1000_mq_irqs_hook)(struct e1000_adapter *a, unsigned int old_nq,
				 unsigned int new_nq);

/* e1000_vlan.c: the VLAN offloads.  restore: VET, the filter table and
 * CTRL.VME as the features say, hw.vlan_filter for the RCTL writes to
 * come (every e1000_up, before the receiver goes on; a reset cleared
 * them).  The net_device_ops: add/kill_vid, fix/set_features. */
void e1000_vlan_restore(struct e1000_adapter *a);
int  e1000_vlan_rx_add_vid(struct net_device *dev, u16 vid);
int  e1000_vlan_rx_kill_vid(struct net_device *dev, u16 vid);
u32  e1000_fix_features(struct net_device *dev, u32 features);
int  e1000_set_features(struct net_device *dev, u32 features);
/* the VLAN offloads the chip's descriptor formats allow (hw_features bits) */
u32  e1000_vlan_hw_features(const struct e1000_chip *chip);

/* e1000_itr.c: adaptive moderation.  classify: the class a period of
 * packets/bytes (one direction) puts traffic in, judged from cur; update:
 * at the end of an interrupt period (NAPI completion), move the throttle;
 * restart: a new period from now, at the current interval; set_adaptive:
 * on/off (off keeps the interval last chosen).  e1000_adaptive_default is
 * the setting of new adapters (e1000.adaptive_itr=). */
enum e1000_itr_class e1000_itr_classify(enum e1000_itr_class cur, u64 packets, u64 bytes);
void e1000_itr_update(struct e1000_adapter *a);
void e1000_itr_restart(struct e1000_adapter *a);
void e1000_itr_set_adaptive(struct e1000_adapter *a, bool on);
extern bool e1000_adaptive_default;

/* e1000_irq.c: hard IRQ body, shared by every interrupt mode: true when
 * it was ours; and the NAPI poll it schedules */
bool e1000_intr(struct e1000_adapter *a);
int  e1000_poll(struct napi_struct *napi, int budget);

/* e1000_fault.c: the injection hooks (drivers/net/fault.h).  Each hook
 * site is one line; the inline part costs a load and a branch while the
 * faults are off. */
#define E1000_FAULTS_RX (BIT(FAULT_RX_DROP) | BIT(FAULT_RX_DUP) | BIT(FAULT_RX_REORDER) | \
			 BIT(FAULT_RX_CORRUPT))
bool e1000_fault_rx_slow(struct e1000_adapter *a, struct e1000_sw_stats *sw, struct sk_buff *skb,
			 unsigned int flags);
bool e1000_fault_dd_delay_slow(struct e1000_adapter *a);
bool e1000_fault_rx_exhaust_slow(struct e1000_adapter *a);
bool e1000_fault_irq_lost_slow(struct e1000_adapter *a);
bool e1000_fault_tx_stall_slow(struct e1000_adapter *a);
/* a held (reordered) frame older than the hold limit (any age unless
 * aged_only) goes up now; poll context, or e1000_down's drain */
void e1000_fault_rx_flush(struct e1000_adapter *a, bool aged_only);
/* an interrupt with no cause: counted by the hard IRQ as not ours */
void e1000_fault_irq_spurious(struct e1000_adapter *a);
/* the rings are rebuilt: forget stalls and delays (a held frame left is
 * freed: its pool buffer goes back) */
void e1000_fault_clear(struct e1000_adapter *a);
/* e1000_main.c: raise the device's vector in software (LAPIC self-IPI);
 * NULL in host tests, where the hard IRQ body is called instead */
extern int (*e1000_raise_vector_hook)(struct e1000_adapter *a);

/* RX: true when the hook took skb (delivered, dropped or held it);
 * false leaves it with the caller, to hand up.  sw: the receiving ring's
 * counters (a drop is counted there, by that queue's poll alone) */
static inline bool e1000_fault_rx(struct e1000_adapter *a, struct e1000_sw_stats *sw,
				  struct sk_buff *skb, unsigned int flags)
{
	if (likely(!(READ_ONCE(fault_armed) & E1000_FAULTS_RX) && !READ_ONCE(a->fault.held)))
		return false;
	return e1000_fault_rx_slow(a, sw, skb, flags);
}

/* a descriptor with DD set: true to pretend it is not done yet */
static inline bool e1000_fault_dd_delay(struct e1000_adapter *a)
{
	if (likely(!(READ_ONCE(fault_armed) & BIT(FAULT_DD_DELAY)) && !a->fault.dd_hold))
		return false;
	return e1000_fault_dd_delay_slow(a);
}

/* the RX tail would move: true to leave it (descriptors withheld) */
static inline bool e1000_fault_rx_exhaust(struct e1000_adapter *a)
{
	if (likely(!(READ_ONCE(fault_armed) & BIT(FAULT_RX_EXHAUST)) &&
		   !a->fault.exhaust_until_ns))
		return false;
	return e1000_fault_rx_exhaust_slow(a);
}

/* the hard IRQ took the cause: true to drop the interrupt on the floor
 * (counted; the caller unmasks its vector and returns, the work left in
 * the ring) */
static inline bool e1000_fault_irq_lost(struct e1000_adapter *a)
{
	if (likely(!(READ_ONCE(fault_armed) & BIT(FAULT_IRQ_LOST))))
		return false;
	return e1000_fault_irq_lost_slow(a);
}

/* the TX tail would move: true to leave it (the ring looks hung) */
static inline bool e1000_fault_tx_stall(struct e1000_adapter *a)
{
	if (likely(!(READ_ONCE(fault_armed) & BIT(FAULT_TX_STALL)) && !a->fault.tx_stalled))
		return false;
	return e1000_fault_tx_stall_slow(a);
}

/* e1000_watchdog.c: the TX watchdog's ops (net/core/watchdog.h) and the
 * driver's periodic checks */
unsigned int e1000_tx_inflight(struct net_device *dev, u64 *completed);
unsigned int e1000_tx_timeout(struct net_device *dev);
void e1000_watchdog(struct net_device *dev);
int  e1000_reset(struct net_device *dev);
void e1000_watchdog_init(struct e1000_adapter *a);

#endif
