/* Descriptor formats: legacy (82540EM; the 82574L's TX), extended RX
 * (82574L) and advanced (82576).  The
 * ring code in e1000_txrx.c reaches them through struct e1000_ring_ops.
 *
 * The device writes descriptors by DMA behind the compiler's back, so the
 * DD tests read through READ_ONCE; the caller orders the other reads after
 * them with rmb(). */
#include "drivers/net/e1000/e1000.h"
#include <string.h>

#define E1000_TCP_CSUM_OFFSET   16      /* checksum field within the TCP header */
#define E1000_UDP_CSUM_OFFSET   6       /* checksum field within the UDP header */
#define E1000_IP_CSUM_OFFSET    10      /* checksum field within the IPv4 header */

static u16 l4_csum_offset(const struct netdev_tx_csum *c)
{
	return (c->flags & NETDEV_CSUM_TCP) ? E1000_TCP_CSUM_OFFSET : E1000_UDP_CSUM_OFFSET;
}

/* ---- legacy: 8254x SDM 3.2.3 (RX), 3.3.3/3.3.6/3.3.7 (TX) ---- */

static void legacy_rx_arm(void *desc, phys_addr_t buf)
{
	/* LAB:BEGIN e1000-rx legacy_rx_arm */
	struct e1000_rx_desc *d = desc;

	memset(d, 0, sizeof(*d));       /* status 0: DD clear */
	d->buffer_addr = buf;
	/* LAB:END */
}

static bool legacy_rx_done(const void *desc)
{
	/* LAB:BEGIN e1000-rx legacy_rx_done */
	const struct e1000_rx_desc *d = desc;

	return READ_ONCE(d->status) & E1000_RXD_STAT_DD;
	/* LAB:END */
}

static void legacy_rx_parse(const void *desc, bool hw_csum, struct e1000_rx_wb *wb)
{
	const struct e1000_rx_desc *d = desc;
	u8 st = d->status, err = d->errors;

	wb->len = d->length;
	wb->eop = st & E1000_RXD_STAT_EOP;
	wb->crc_err = err & E1000_RXD_ERR_CE;
	wb->frame_err = err & (E1000_RXD_ERR_FRAME & ~E1000_RXD_ERR_CE);
	wb->csum_ok = 0;
	wb->rss_type = 0;
	wb->rss_hash = 0;
	wb->vlan = st & E1000_RXD_STAT_VP;
	wb->vlan_tci = d->special;
	/* IXSM: the device did not look at the checksums (QEMU's e1000 always says so) */
	if (!hw_csum || (st & E1000_RXD_STAT_IXSM))
		return;
	if ((st & E1000_RXD_STAT_IPCS) && !(err & E1000_RXD_ERR_IPE))
		wb->csum_ok |= NETDEV_RX_IP_CSUM_OK;
	if ((st & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) && !(err & E1000_RXD_ERR_TCPE))
		wb->csum_ok |= NETDEV_RX_L4_CSUM_OK;
}

/* TCP/IP context descriptor (8254x 3.3.6, 82574 7.2.10.2): where the
 * checksums start, sit and end.  IPv6 has no header checksum: IPCSS/IPCSO
 * still name the IP header (the TSO engine of later chips uses IPCSS) but
 * IXSM stays clear, and TUCMD.IP = 0 says the L3 header is not IPv4. */
static void legacy_tx_ctx(void *desc, const struct netdev_tx_csum *c, u32 paylen)
{
	struct e1000_context_desc *d = desc;
	u16 l4 = c->l3_offset + c->l3_len;
	bool v4 = !(c->flags & NETDEV_CSUM_IPV6);

	memset(d, 0, sizeof(*d));
	d->ipcss = (u8)c->l3_offset;
	d->ipcso = v4 ? (u8)(c->l3_offset + E1000_IP_CSUM_OFFSET) : 0;
	d->ipcse = v4 ? (u16)(l4 - 1) : 0;
	d->tucss = (u8)l4;
	d->tucso = (u8)(l4 + l4_csum_offset(c));
	d->tucse = 0;                   /* to the end of the packet */
	d->cmd_and_length = E1000_TXD_CMD_DEXT | (v4 ? E1000_TXD_CMD_IP : 0) |
			    ((c->flags & NETDEV_CSUM_TCP) ? E1000_TXD_CMD_TCP : 0);
	if (c->flags & NETDEV_CSUM_TSO) {
		/* 8254x 3.3.6.2: TSE with the payload to cut, the header every
		 * segment repeats, and the MSS */
		d->cmd_and_length |= E1000_TXD_CMD_TSE | (paylen & E1000_TXD_PAYLEN_MASK);
		d->hdr_len = (u8)(l4 + c->l4_len);
		d->mss = c->mss;
	}
}

/* 8254x 3.3.3: a frame may span data descriptors; EOP marks its last,
 * and RS there asks for the DD writeback the ring cleaning waits for.
 * POPTS are read from the first data descriptor; all carry the same. */
static void legacy_tx_data(void *desc, phys_addr_t buf, u16 len, unsigned int csum_flags,
			   u32 paylen, bool eop)
{
	/* LAB:BEGIN e1000-tx legacy_tx_data */
	struct e1000_tx_desc *d = desc;
	u32 cmd = E1000_TXD_CMD_IFCS | (eop ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0);
	u32 popts = 0;

	(void)paylen;
	/* 8254x 3.3.7.1: TSE in every data descriptor of a TSO send */
	if (csum_flags & NETDEV_CSUM_TSO)
		cmd |= E1000_TXD_CMD_TSE;
	d->buffer_addr = buf;
	if (csum_flags) {
		/* a TCP/IP data descriptor, so the device applies the context */
		cmd |= E1000_TXD_CMD_DEXT | E1000_TXD_DTYP_D;
		if (csum_flags & NETDEV_CSUM_IP)
			popts |= E1000_TXD_POPTS_IXSM;
		if (csum_flags & (NETDEV_CSUM_TCP | NETDEV_CSUM_UDP))
			popts |= E1000_TXD_POPTS_TXSM;
	}
	d->lower = cmd | len;
	d->upper = popts << E1000_TXD_POPTS_SHIFT;  /* status 0: DD clear */
	/* LAB:END */
}

static bool legacy_tx_done(const void *desc)
{
	/* LAB:BEGIN e1000-tx legacy_tx_done */
	const struct e1000_tx_desc *d = desc;

	return READ_ONCE(d->upper) & E1000_TXD_STAT_DD;
	/* LAB:END */
}

/* 8254x 3.3.3.1 / 82574 7.2.10.1: VLE, and the tag in the descriptor's
 * special field; the device puts it in (with CTRL.VME set) when it reads
 * the frame's last descriptor (QEMU's e1000 also takes it from a TSE
 * one, its e1000e from the EOP one only: every descriptor carries it) */
static void legacy_tx_vlan(void *desc, u16 tci)
{
	struct e1000_tx_desc *d = desc;

	d->lower |= E1000_TXD_CMD_VLE;
	d->upper = (d->upper & 0xFFFFu) | ((u32)tci << E1000_TXD_SPECIAL_SHIFT);
}

const struct e1000_ring_ops e1000_legacy_ring_ops = {
	.rx_arm = legacy_rx_arm,
	.rx_done = legacy_rx_done,
	.rx_parse = legacy_rx_parse,
	.tx_ctx = legacy_tx_ctx,
	.tx_data = legacy_tx_data,
	.tx_done = legacy_tx_done,
	.tx_vlan = legacy_tx_vlan,
	.rx_vlan = true,
};

/* ---- advanced: 82576 7.1.5 (RX, one buffer), 7.2.2 (TX) ---- */

static void adv_rx_arm(void *desc, phys_addr_t buf)
{
	union e1000_adv_rx_desc *d = desc;

	d->read.pkt_addr = buf;
	d->read.hdr_addr = 0;           /* overlaps status_error: DD clear */
}

static bool adv_rx_done(const void *desc)
{
	const union e1000_adv_rx_desc *d = desc;

	return READ_ONCE(d->wb.status_error) & E1000_RXD_STAT_DD;
}

static void adv_rx_parse(const void *desc, bool hw_csum, struct e1000_rx_wb *wb)
{
	const union e1000_adv_rx_desc *d = desc;
	u32 se = d->wb.status_error;

	wb->len = d->wb.length;
	wb->eop = se & E1000_RXD_STAT_EOP;
	wb->crc_err = se & E1000_RXDADV_ERR_CE;
	wb->frame_err = se & (E1000_RXDADV_ERR_FRAME & ~E1000_RXDADV_ERR_CE);
	wb->csum_ok = 0;
	/* with RXCSUM.PCSD the checksum word is the RSS hash (82576 7.1.5.2) */
	wb->rss_type = d->wb.info & E1000_RXDADV_RSSTYPE_MASK;
	wb->rss_hash = d->wb.rss_csum;
	wb->vlan = se & E1000_RXD_STAT_VP;
	wb->vlan_tci = d->wb.vlan;
	if (!hw_csum)
		return;
	if ((se & E1000_RXD_STAT_IPCS) && !(se & E1000_RXDADV_ERR_IPE))
		wb->csum_ok |= NETDEV_RX_IP_CSUM_OK;
	if ((se & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) && !(se & E1000_RXDADV_ERR_TCPE))
		wb->csum_ok |= NETDEV_RX_L4_CSUM_OK;
}

static void adv_tx_ctx(void *desc, const struct netdev_tx_csum *c, u32 paylen)
{
	struct e1000_adv_tx_context_desc *d = desc;

	d->vlan_macip_lens = c->l3_len | ((u32)c->l3_offset << E1000_ADVTXD_MACLEN_SHIFT);
	d->seqnum_seed = 0;
	/* 82576 7.2.2.4: TUCMD.IPV4 only for IPv4; L4T 00b UDP, 01b TCP */
	d->type_tucmd_mlhl = E1000_TXD_CMD_DEXT | E1000_ADVTXD_DTYP_CTXT |
			     ((c->flags & NETDEV_CSUM_IPV6) ? 0 : E1000_ADVTXD_TUCMD_IPV4) |
			     ((c->flags & NETDEV_CSUM_TCP) ? E1000_ADVTXD_TUCMD_L4T_TCP : 0);
	/* context slot 0; MSS and L4LEN only for TSO (82576 7.2.2.2) */
	d->mss_l4len_idx = 0;
	if (c->flags & NETDEV_CSUM_TSO)
		d->mss_l4len_idx = ((u32)c->mss << E1000_ADVTXD_MSS_SHIFT) |
				   ((u32)c->l4_len << E1000_ADVTXD_L4LEN_SHIFT);
	(void)paylen;                   /* the data descriptor carries it */
}

/* 82576 7.2.2.3: PAYLEN (the whole frame's length; for TSO the TCP
 * payload alone) and the offload bits count in the frame's first data
 * descriptor; all of them carry the same.  EOP and RS on the last. */
static void adv_tx_data(void *desc, phys_addr_t buf, u16 len, unsigned int csum_flags,
			u32 paylen, bool eop)
{
	union e1000_adv_tx_desc *d = desc;
	u32 olinfo = paylen << E1000_ADVTXD_PAYLEN_SHIFT;

	if (csum_flags & NETDEV_CSUM_IP)
		olinfo |= E1000_ADVTXD_POPTS_IXSM;
	if (csum_flags & (NETDEV_CSUM_TCP | NETDEV_CSUM_UDP))
		olinfo |= E1000_ADVTXD_POPTS_TXSM;
	d->read.buffer_addr = buf;
	d->read.cmd_type_len = len | E1000_ADVTXD_DTYP_DATA | E1000_TXD_CMD_DEXT | E1000_TXD_CMD_IFCS |
			       (eop ? E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS : 0) |
			       ((csum_flags & NETDEV_CSUM_TSO) ? E1000_ADVTXD_DCMD_TSE : 0);
	d->read.olinfo_status = olinfo; /* STA 0: DD clear */
}

static bool adv_tx_done(const void *desc)
{
	const union e1000_adv_tx_desc *d = desc;

	return READ_ONCE(d->wb.status) & E1000_TXD_STAT_DD;
}

/* 82576 7.2.2.3: VLE in the first data descriptor (all carry it) puts in
 * the tag of the context the frame uses (7.2.2.2: VLAN in
 * vlan_macip_lens); CTRL.VME is not needed for it */
static void adv_tx_vlan(void *desc, u16 tci)
{
	union e1000_adv_tx_desc *d = desc;

	(void)tci;
	d->read.cmd_type_len |= E1000_TXD_CMD_VLE;
}

static void adv_tx_ctx_vlan(void *desc, u16 tci)
{
	struct e1000_adv_tx_context_desc *d = desc;

	d->vlan_macip_lens = (d->vlan_macip_lens & 0xFFFFu) | ((u32)tci << E1000_ADVTXD_VLAN_SHIFT);
}

const struct e1000_ring_ops e1000_adv_ring_ops = {
	.rx_arm = adv_rx_arm,
	.rx_done = adv_rx_done,
	.rx_parse = adv_rx_parse,
	.tx_ctx = adv_tx_ctx,
	.tx_data = adv_tx_data,
	.tx_done = adv_tx_done,
	.tx_vlan = adv_tx_vlan,
	.tx_ctx_vlan = adv_tx_ctx_vlan,
	.rx_vlan = true,
};

/* ---- extended RX (82574 7.1.5, RFCTL.EXTEN), legacy TX (82574 7.2) ----
 * The 82574 receives into extended descriptors so that QEMU's e1000e
 * computes RSS (e1000e_rss_enabled wants RFCTL.EXTEN) and writes the hash
 * back (e1000e_write_ext_rx_descr, e1000e_build_rx_metadata); it
 * transmits with the legacy and TCP/IP descriptors as before. */

static void ext_rx_arm(void *desc, phys_addr_t buf)
{
	union e1000_ext_rx_desc *d = desc;

	d->read.buffer_addr = buf;
	d->read.reserved = 0;           /* status_error: DD clear */
}

static bool ext_rx_done(const void *desc)
{
	const union e1000_ext_rx_desc *d = desc;

	return READ_ONCE(d->wb.status_error) & E1000_RXD_STAT_DD;
}

static void ext_rx_parse(const void *desc, bool hw_csum, struct e1000_rx_wb *wb)
{
	const union e1000_ext_rx_desc *d = desc;
	u32 se = d->wb.status_error;

	wb->len = d->wb.length;
	wb->eop = se & E1000_RXD_STAT_EOP;
	wb->crc_err = se & E1000_RXDEXT_ERR_CE;
	wb->frame_err = se & (E1000_RXDEXT_ERR_FRAME & ~E1000_RXDEXT_ERR_CE);
	wb->csum_ok = 0;
	/* RSS type 0 (none) unless RXCSUM.PCSD and MRQC enable the hash */
	wb->rss_type = d->wb.mrq & E1000_RXDEXT_RSSTYPE_MASK;
	wb->rss_hash = d->wb.rss;
	/* a tag the chip took out (CTRL.VME): VP, the TCI in the vlan field
	 * (QEMU e1000e_build_rx_metadata) */
	wb->vlan = se & E1000_RXD_STAT_VP;
	wb->vlan_tci = d->wb.vlan;
	if (!hw_csum)
		return;
	if ((se & E1000_RXD_STAT_IPCS) && !(se & E1000_RXDEXT_ERR_IPE))
		wb->csum_ok |= NETDEV_RX_IP_CSUM_OK;
	if ((se & (E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_UDPCS)) && !(se & E1000_RXDEXT_ERR_TCPE))
		wb->csum_ok |= NETDEV_RX_L4_CSUM_OK;
}

const struct e1000_ring_ops e1000_ext_ring_ops = {
	.rx_arm = ext_rx_arm,
	.rx_done = ext_rx_done,
	.rx_parse = ext_rx_parse,
	.tx_ctx = legacy_tx_ctx,
	.tx_data = legacy_tx_data,
	.tx_done = legacy_tx_done,
	.tx_vlan = legacy_tx_vlan,
	.rx_vlan = true,
};
