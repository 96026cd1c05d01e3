/* A fake e1000-family NIC for host unit tests: an array stands in for BAR0
 * and answers the driver's register accesses with the side effects the
 * datasheets describe (ICR clear on read, EERD, MDIC, clear-on-read
 * counters); the test plays the device's DMA engine with fake_rx() and
 * fake_tx_run(), which read and write the driver's descriptors in memory
 * and move the head registers. */
#ifndef TESTS_UNIT_FAKE_E1000_H
#define TESTS_UNIT_FAKE_E1000_H

#include "drivers/net/e1000/e1000.h"

#define FAKE_TX_LOG 64
#define FAKE_QUEUES 8           /* the 82576's RX/TX queues the fake models */
#define FAKE_WIRE_MAX 64        /* wire segments of one TSO send kept */
#define FAKE_WIRE_LEN 1600

struct fake_nic {
	const struct e1000_chip *chip;
	u32 regs[E1000_BAR0_SIZE / 4];
	u16 eeprom[64];
	u16 phy[32];
	bool link_up;
	bool sticky_stats;              /* behave like QEMU: error counters not cleared on read */
	bool autoneg_on_restart;        /* BMCR.ANRESTART brings the link up, raises LSC */
	bool tx_on_tdt;                 /* transmit at once on a TDT write, as QEMU does */
	/* what the device saw */
	unsigned int reads[E1000_BAR0_SIZE / 4], writes[E1000_BAR0_SIZE / 4]; /* per register */
	unsigned int tdt_writes, rdt_writes;   /* queue 0's */
	unsigned int tdt_writes_q[FAKE_QUEUES]; /* each TX queue's (82576) */
	unsigned int rctl_writes;       /* each one holds RX back for 1 s on QEMU's e1000 */
	unsigned int tx_frames, tx_ctx;
	u8 tx_last[65536 + 64];         /* the last frame, gathered from its descriptors */
	unsigned int tx_last_len;
	unsigned int tx_last_ndesc;     /* its data descriptors */
	unsigned int tx_gather;         /* bytes of the frame being gathered */
	unsigned int tx_gather_ndesc;   /* and its data descriptors so far */
	/* every data descriptor the device processed (the first FAKE_TX_LOG) */
	struct {
		u64 addr;
		u16 len;
		bool eop, rs;
	} tx_log[FAKE_TX_LOG];
	unsigned int tx_log_n;
	/* dma_addr_of refuses [dma_refuse_lo, dma_refuse_hi): memory the
	 * device cannot reach */
	uintptr_t dma_refuse_lo, dma_refuse_hi;
	u32 tx_last_popts;              /* NETDEV_CSUM_* requested for the last frame */
	/* the context the device holds, in the legacy descriptor's terms
	 * (an advanced one converted: IPCSS = MACLEN, TUCSS = MACLEN + IPLEN);
	 * the device fills the checksums it asks for into tx_last as the
	 * chips do (8254x 3.3.6: a sum over [CSS, CSE] added to what the
	 * field holds, the pseudo-header sum the driver preloaded) */
	u32 ctx_ipcss, ctx_ipcso, ctx_ipcse, ctx_tucss, ctx_tucso, ctx_tucse;
	u32 ctx_is_tcp, ctx_is_ipv4;
	u32 ctx_tse, ctx_mss, ctx_hdr_len, ctx_paylen;  /* TSO: the context's */
	/* the last TSO send as the device put it on the wire (8254x 3.5:
	 * the header repeated, IPv4 length and ID, IPv6 payload length,
	 * sequence number, PSH/FIN on the last segment only, checksums) */
	unsigned int tso_sends, tx_wire_n;
	unsigned int tx_wire_len[FAKE_WIRE_MAX];
	u8 tx_wire[FAKE_WIRE_MAX][FAKE_WIRE_LEN];
	unsigned int overwrite_violations; /* descriptors written while DD was still set */
	/* VLAN, as QEMU's models: the tag the device put into the last frame
	 * (legacy: VLE on its EOP descriptor with CTRL.VME, the tag from
	 * special; 82576: VLE on its first data descriptor, the tag from
	 * the context) | FAKE_VLAN_SET, 0 = none; the context's tag; tagged
	 * frames fake_rx dropped for RCTL.VFE (no VFTA bit) */
	u32 tx_last_vlan, ctx_vlan;
	bool tx_vle_first;
	unsigned int rx_vlan_filtered;
	/* QEMU's held frame (hw/net/net.c queue, igb_core.c, e1000e_core.c,
	 * e1000.c): with qemu_hold, a frame given to fake_hold() while the
	 * device cannot take it (receiver off, ring full) waits; an RDT write
	 * (82540: only with room in the ring) or an RCTL write with EN (82574,
	 * 82576) hands it to the receive path without asking whether it can
	 * receive: with RCTL.EN off it is lost uncounted (held_lost), with the
	 * ring full the 82576 loses it too (only ICR.RXO), the others keep it.
	 * gap_frame: a frame that arrives as RCTL.EN goes from 1 to 0 (in the
	 * gap before the driver's next register access) */
	bool qemu_hold;
	u8 held[2048];
	unsigned int held_len;          /* 0: none */
	u32 held_queue;                 /* the RX queue its RSS hash picks */
	unsigned int held_lost, held_delivered;
	u8 gap_frame[2048];
	unsigned int gap_frame_len;     /* 0: none */
	u32 gap_frame_queue;            /* its RX queue */
};
#define FAKE_VLAN_SET BIT(16)

extern struct fake_nic fake;

/* fresh device of the given chip, MAC in the EEPROM, link up */
void fake_init(const struct e1000_chip *chip, const u8 mac[6]);

/* flags for fake_rx */
#define FAKE_RX_CRC_ERR   BIT(0)
#define FAKE_RX_SYM_ERR   BIT(1)
#define FAKE_RX_RXE       BIT(2)
#define FAKE_RX_CSUM_GOOD BIT(3)        /* device validated IP and L4 checksums */

/* the device receives one frame: 0, or -ENOBUFS when the ring had no room
 * (MPC and RNBC count it, as the hardware does) */
int fake_rx(const void *frame, unsigned int len, unsigned int flags);
/* the same into RX queue q (as if RSS picked it; RXDCTL(q).ENABLE needed
 * on the 82576, else -ENODEV) */
int fake_rx_q(u32 q, const void *frame, unsigned int len, unsigned int flags);
/* a frame from the wire as QEMU's backend gives it: received at once if
 * the device can, else held (fake.qemu_hold); 0, or -EBUSY when a frame is
 * held already (the backend reads no more) */
int fake_hold(const void *frame, unsigned int len);
/* the same for a frame RSS sends to RX queue q (any queue's RDT write
 * flushes it, as QEMU's igb and e1000e) */
int fake_hold_q(u32 q, const void *frame, unsigned int len);
/* the device transmits up to max frames queued by the driver; returns how many */
unsigned int fake_tx_run(unsigned int max);
/* the same on TX queue q (82576: TXDCTL(q).ENABLE needed) */
unsigned int fake_tx_run_q(u32 q, unsigned int max);

/* outstanding allocations: kmalloc (host_stubs.c) and dma_alloc_coherent */
#include "host_stubs.h"
#define fake_allocs host_kmalloc_live
extern long fake_dma_allocs;

#endif
