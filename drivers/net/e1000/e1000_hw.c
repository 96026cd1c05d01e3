/* e1000 family hardware: chip table, reset, NVM (EEPROM) reads through EERD,
 * PHY access through MDIC, link, address filters, interrupt masks. */
#include "drivers/net/e1000/e1000.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include <string.h>

#define E1000_RESET_SETTLE_MS   10      /* 8254x 14.5; Linux waits likewise after RST */
#define E1000_RESET_POLLS       1000    /* x 10 us for CTRL.RST to clear */
#define E1000_GIO_POLLS         800     /* x 100 us for bus mastering to stop (82574 5.2.5) */
#define E1000_EERD_POLLS        10000   /* x 1 us for one NVM word */
#define E1000_MDIC_POLLS        2000    /* x 10 us for one PHY access */
/* QEMU's e1000 model (82540EM) holds every received frame back for 1 s
 * after any RCTL write, whatever the value written (hw/net/e1000.c:
 * set_rx_control arms flush_queue_timer for 1000 ms of the virtual clock;
 * e1000_can_receive and e1000_receive_iov refuse while it is pending; the
 * timer's expiry delivers what the backend queued).  e1000e and igb have
 * no such timer (e1000e_core.c, igb_core.c: an RCTL write starts receiving
 * at once). */
#define E1000_QEMU_RCTL_HOLD_MS 1000

const struct e1000_chip e1000_chip_82540em = {
	.name = "82540EM", .type = e1000_82540, .flags = 0,
	.ring_ops = &e1000_legacy_ring_ops, .max_rss_queues = 1,
};

/* QEMU's e1000e and igb models validate RX checksums (in software); the
 * e1000 model sets IXSM and validates nothing, so its chip lacks E1000_F_RX_CSUM */
const struct e1000_chip e1000_chip_82574l = {
	.name = "82574L", .type = e1000_82574,
	.flags = E1000_F_RX_CSUM | E1000_F_NVM_EERD | E1000_F_GIO_MASTER | E1000_F_DRV_LOAD |
		 E1000_F_MSIX_IVAR | E1000_F_EXT_RX,
	.ring_ops = &e1000_ext_ring_ops, .max_rss_queues = 2,
};

const struct e1000_chip e1000_chip_82576 = {
	.name = "82576", .type = e1000_82576,
	.flags = E1000_F_ADV_DESC | E1000_F_RX_CSUM | E1000_F_QUEUE_ENABLE | E1000_F_EITR |
		 E1000_F_MSIX_EICR | E1000_F_NVM_EERD | E1000_F_GIO_MASTER | E1000_F_DRV_LOAD,
	.ring_ops = &e1000_adv_ring_ops, .max_rss_queues = E1000_MQ_MAX,
};

void e1000_hw_setup(struct e1000_hw *hw, const struct e1000_chip *chip, volatile u8 *hw_addr)
{
	struct e1000_queue_regs *q = &hw->q;

	hw->chip = chip;
	hw->hw_addr = hw_addr;
	hw->eims_rx0 = hw->eims_main = E1000_EICR_VEC(0);
	hw->nvec = 1;
	if (chip->flags & E1000_F_ADV_DESC) {
		*q = (struct e1000_queue_regs){
			E1000_ADV_RDBAL(0), E1000_ADV_RDBAH(0), E1000_ADV_RDLEN(0),
			E1000_ADV_RDH(0), E1000_ADV_RDT(0), E1000_ADV_RXDCTL(0),
			E1000_ADV_TDBAL(0), E1000_ADV_TDBAH(0), E1000_ADV_TDLEN(0),
			E1000_ADV_TDH(0), E1000_ADV_TDT(0), E1000_ADV_TXDCTL(0),
		};
	} else {
		*q = (struct e1000_queue_regs){
			E1000_RDBAL(0), E1000_RDBAH(0), E1000_RDLEN(0),
			E1000_RDH(0), E1000_RDT(0), E1000_RXDCTL(0),
			E1000_TDBAL(0), E1000_TDBAH(0), E1000_TDLEN(0),
			E1000_TDH(0), E1000_TDT(0), E1000_TXDCTL(0),
		};
	}
}

void e1000_irq_disable(struct e1000_hw *hw)
{
	/* multiqueue: the other queues' vectors are e1000_mq.c's (on the
	 * 82574 their ICR bits, RXQ1) */
	ew32(hw, E1000_IMC, hw->mq && (hw->chip->flags & E1000_F_MSIX_IVAR) ? hw->eims_main
									     : E1000_ICR_ALL);
	if (hw->chip->flags & E1000_F_MSIX_EICR)
		ew32(hw, E1000_EIMC, hw->mq ? hw->eims_main : E1000_EICR_ALL);
	e1000_flush(hw);
}

/* Route every cause to MSI-X table entry 0 (one vector per device):
 *  - 82576 8.8.15: IVAR0 maps RX queue 0 and TX queue 0, IVAR_MISC the
 *    other causes (LSC), each to EICR bit 0;
 *  - 82574 10.2.4.9: IVAR maps RxQ0, TxQ0 and Other to vector 0; ICR
 *    then reports RXQ0/TXQ0/OTHER instead of RXT0/TXDW.
 * Without MSI-X, ICR causes go straight to the one MSI or INTx -- but the
 * 82576's queue causes still pass through IVAR0 (Linux's igb maps queue 0
 * to vector 0 in MSI and INTx mode too): QEMU's igb raises TX-done (EICR
 * and ICR.TXDW) only for a queue with a valid IVAR entry (igb_core.c
 * igb_start_xmit / igb_tx_wb_eic), so without it a transmit-only load got
 * no completion interrupt and its descriptors waited for the next receive
 * or timer kick (pktgen: 2,400 frames/s instead of 180,000). */
void e1000_irq_setup(struct e1000_hw *hw)
{
	if (hw->chip->flags & E1000_F_MSIX_EICR)
		ew32(hw, E1000_IVAR0, (E1000_IVAR_VALID << E1000_IVAR_RX0_SHIFT) |
				      (E1000_IVAR_VALID << E1000_IVAR_TX0_SHIFT));
	if (!hw->msix)
		return;
	if (hw->chip->flags & E1000_F_MSIX_EICR) {
		ew32(hw, E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_NSICR | E1000_GPIE_PBA);
		ew32(hw, E1000_IVAR_MISC, E1000_IVAR_VALID << E1000_IVAR_OTHER_SHIFT);
		/* no auto-clear: the hard IRQ reads EICR to tell its interrupt from others */
		ew32(hw, E1000_EIAC, 0);
	} else {
		ew32(hw, E1000_IVAR_82574, (E1000E_IVAR_VALID << E1000E_IVAR_RXQ0_SHIFT) |
					   (E1000E_IVAR_VALID << E1000E_IVAR_TXQ0_SHIFT) |
					   (E1000E_IVAR_VALID << E1000E_IVAR_OTHER_SHIFT));
		/* no auto-clear either: the hard IRQ acknowledges ICR itself */
		ew32(hw, E1000_EIAC_82574, 0);
	}
}

void e1000_irq_enable(struct e1000_hw *hw)
{
	if (hw->msix && (hw->chip->flags & E1000_F_MSIX_IVAR)) {
		/* multiqueue: queue 0's causes auto-mask as their message goes
		 * (EIAC, e1000_mq.c); ones set while masked are for frames the
		 * poll took, and unmasking over them would send a message whose
		 * handler finds nothing and leaves the vector masked */
		if (hw->mq)
			ew32(hw, E1000_ICR, hw->eims_rx0);
		ew32(hw, E1000_IMS, E1000_IMS_ENABLE_82574_MSIX);
	}
	else if (hw->mq)
		/* queue events come as EICR bits; RXDW/TXDW in IMS would fire
		 * the other vector for every frame (QEMU igb_raise_interrupts;
		 * Linux igb_irq_enable keeps IMS to LSC and the like) */
		ew32(hw, E1000_IMS, E1000_ICR_LSC);
	else
		ew32(hw, E1000_IMS, E1000_IMS_ENABLE);
	if (e1000_uses_eicr(hw))
		ew32(hw, E1000_EIMS, hw->eims_main);
	e1000_flush(hw);
}

/* The NAPI path's mask (hard IRQ) and unmask (the poll's end), per
 * interrupt, where each register access is an exit into the emulator's
 * device model.  With MSI-X the vector is masked and unmasked alone, as
 * Linux's igb_msix_ring / igb_ring_irq_enable (EIMS) and e1000e's
 * e1000_intr_msix_rx (IMS) do:
 *  - 82576: the queue causes and (IVAR_MISC) the other causes reach the
 *    message through EICR, so EIMC/EIMS gate all of them and IMS stays
 *    as e1000_irq_enable left it (82576 7.3.2.2: in MSI-X mode ICR causes
 *    set their EICR bit; QEMU igb_raise_interrupts does the same);
 *  - 82574: IMC/IMS as e1000_irq_disable/enable.
 * No STATUS read to flush the write: a message is an edge, a mask that
 * lands late lets one more message through, which the handler claims,
 * and an unmask that lands late still sends what became pending while
 * masked.  MSI and INTx keep e1000_irq_disable/enable (INTx is a level,
 * which must be down before the handler returns). */
void e1000_irq_mask_napi(struct e1000_hw *hw)
{
	if (!hw->msix) {
		e1000_irq_disable(hw);
		return;
	}
	if (hw->chip->flags & E1000_F_MSIX_EICR)
		ew32(hw, E1000_EIMC, hw->mq ? hw->eims_main : E1000_EICR_ALL);
	else
		ew32(hw, E1000_IMC, hw->mq ? hw->eims_main : E1000_ICR_ALL);
}

void e1000_irq_unmask_napi(struct e1000_hw *hw)
{
	if (!hw->msix) {
		e1000_irq_enable(hw);
		return;
	}
	if (hw->chip->flags & E1000_F_MSIX_EICR) {
		ew32(hw, E1000_EIMS, hw->eims_main);
		return;
	}
	if (hw->mq)
		ew32(hw, E1000_ICR, hw->eims_rx0);      /* as e1000_irq_enable */
	ew32(hw, E1000_IMS, E1000_IMS_ENABLE_82574_MSIX);
}

/* set the receive cause by software (ICS/EICS, 8254x 13.4.19, 82576
 * 8.8.5): with napi=off, frames still in the ring get their own interrupt */
void e1000_irq_raise_rx(struct e1000_hw *hw)
{
	if (e1000_uses_eicr(hw))
		ew32(hw, E1000_EICS, hw->eims_rx0);
	else if (hw->msix)
		ew32(hw, E1000_ICS, E1000_ICR_RXQ0);
	else
		ew32(hw, E1000_ICS, E1000_ICR_RXT0);
	e1000_flush(hw);
}

/* 8254x 14.9 / 82574 4.6.1 / 82576 4.3.1: global reset, then quiet */
int e1000_reset_hw(struct e1000_hw *hw)
{
	unsigned int flags = hw->chip->flags;
	int i;

	if (er32(hw, E1000_STATUS) == E1000_REG_GONE)
		return -ENODEV;
	e1000_irq_disable(hw);
	e1000_write_rctl(hw, 0);
	ew32(hw, E1000_TCTL, E1000_TCTL_PSP);
	e1000_flush(hw);

	if (flags & E1000_F_GIO_MASTER) {
		ew32(hw, E1000_CTRL, er32(hw, E1000_CTRL) | E1000_CTRL_GIO_MASTER_DISABLE);
		for (i = 0; i < E1000_GIO_POLLS; i++) {
			if (!(er32(hw, E1000_STATUS) & E1000_STATUS_GIO_MASTER_ENABLE))
				break;
			udelay(100);
		}
		if (i == E1000_GIO_POLLS)
			pr_warn("e1000: %s: bus mastering did not stop; resetting anyway\n",
				hw->chip->name);
	}

	ew32(hw, E1000_CTRL, er32(hw, E1000_CTRL) | E1000_CTRL_RST);
	mdelay(E1000_RESET_SETTLE_MS);
	for (i = 0; i < E1000_RESET_POLLS; i++) {
		if (!(er32(hw, E1000_CTRL) & E1000_CTRL_RST))
			break;
		udelay(10);
	}
	if (i == E1000_RESET_POLLS)
		return -ETIMEDOUT;

	/* the reset re-enables nothing, but an interrupt may have latched */
	e1000_irq_disable(hw);
	(void)er32(hw, E1000_ICR);
	if (flags & E1000_F_DRV_LOAD)
		ew32(hw, E1000_CTRL_EXT, er32(hw, E1000_CTRL_EXT) | E1000_CTRL_EXT_DRV_LOAD);
	return 0;
}

/* one 16-bit NVM word through EERD (8254x 13.4.4; 82574 10.2.2.3; 82576 8.4.3) */
int e1000_read_nvm(struct e1000_hw *hw, u16 word, u16 *data)
{
	bool nvm = hw->chip->flags & E1000_F_NVM_EERD;
	u32 done = nvm ? E1000_EERD_DONE_NVM : E1000_EERD_DONE_8254X;
	u32 shift = nvm ? E1000_EERD_ADDR_SHIFT_NVM : E1000_EERD_ADDR_SHIFT_8254X;

	ew32(hw, E1000_EERD, ((u32)word << shift) | E1000_EERD_START);
	for (int i = 0; i < E1000_EERD_POLLS; i++) {
		u32 v = er32(hw, E1000_EERD);

		if (v == E1000_REG_GONE)
			return -ENODEV;
		if (v & done) {
			*data = (v >> E1000_EERD_DATA_SHIFT) & E1000_EERD_DATA_MASK;
			return 0;
		}
		udelay(1);
	}
	return -ETIMEDOUT;
}

static bool e1000_valid_ether_addr(const u8 *mac)
{
	static const u8 zero[ETH_ALEN];

	return !(mac[0] & 1) && memcmp(mac, zero, ETH_ALEN);
}

/* the permanent address: NVM words 0..2, low byte first (8254x 5.6.1) */
int e1000_read_mac_addr(struct e1000_hw *hw, u8 mac[ETH_ALEN])
{
	u16 sum = 0, w;
	int rc;

	for (u16 i = 0; i < E1000_EEPROM_CSUM_WORDS; i++) {
		rc = e1000_read_nvm(hw, i, &w);
		if (rc)
			return rc;
		sum += w;
		if (i < ETH_ALEN / 2) {
			mac[2 * i] = w & 0xFF;
			mac[2 * i + 1] = w >> 8;
		}
	}
	if (sum != E1000_EEPROM_CSUM)
		pr_warn("e1000: %s: NVM checksum 0x%04x, expected 0x%04x\n", hw->chip->name,
			sum, E1000_EEPROM_CSUM);
	return e1000_valid_ether_addr(mac) ? 0 : -EINVAL;
}

/* MDIC: one PHY register access at PHY address 1 (8254x 13.4.7) */
static int e1000_mdic(struct e1000_hw *hw, u32 cmd, u16 *out)
{
	u32 v = 0;

	ew32(hw, E1000_MDIC, cmd | ((u32)E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT));
	for (int i = 0; i < E1000_MDIC_POLLS; i++) {
		v = er32(hw, E1000_MDIC);
		if (v & E1000_MDIC_READY)
			break;
		udelay(10);
	}
	if (!(v & E1000_MDIC_READY))
		return -ETIMEDOUT;
	if (v & E1000_MDIC_ERROR)
		return -EIO;
	if (out)
		*out = v & E1000_MDIC_DATA_MASK;
	return 0;
}

int e1000_phy_read(struct e1000_hw *hw, u32 reg, u16 *val)
{
	return e1000_mdic(hw, E1000_MDIC_OP_READ | (reg << E1000_MDIC_REG_SHIFT), val);
}

int e1000_phy_write(struct e1000_hw *hw, u32 reg, u16 val)
{
	return e1000_mdic(hw, E1000_MDIC_OP_WRITE | (reg << E1000_MDIC_REG_SHIFT) | val, NULL);
}

/* Every RCTL write goes here: on QEMU's e1000 each one starts the receive
 * hold above, which the driver reports as dev->rx_held_until_ns.  Callers
 * write RCTL only when its value changes, so that joining a multicast
 * group (MTA only) or an unchanged mode holds nothing back. */
void e1000_write_rctl(struct e1000_hw *hw, u32 rctl)
{
	ew32(hw, E1000_RCTL, rctl);
	if (hw->emulated && hw->chip->type == e1000_82540)
		hw->rx_held_until_ns = ktime_get_ns() + E1000_QEMU_RCTL_HOLD_MS * NSEC_PER_MSEC;
}

/* 8254x 13.4.22: frames longer than 1522 bytes are received only with
 * RCTL.LPE; the 82576 then takes them up to RLPML bytes (FCS and one
 * VLAN tag counted in), the others up to their own limit (QEMU: 16 KiB).
 * Past the MTU but within these, the driver drops them and counts them in
 * rx_length_errors.  Without LPE the 82540EM and 82574L count a long
 * frame in ROC; QEMU's 82576 drops it uncounted outside VMDq mode
 * (hw/net/igb_core.c igb_receive_assign), so the 82576 keeps LPE on and
 * RLPML at its largest MTU's frame at every MTU, and the driver sees and
 * counts what is past the MTU. */
u32 e1000_rctl_for_mtu(struct e1000_hw *hw, u32 rctl, u32 mtu)
{
	if (hw->chip->type == e1000_82576) {
		ew32(hw, E1000_RLPML, E1000_82576_MAX_MTU + ETH_HLEN + VLAN_HLEN + ETH_FCS_LEN);
		return rctl | E1000_RCTL_LPE;
	}
	return mtu > ETH_DATA_LEN ? rctl | E1000_RCTL_LPE : rctl & ~E1000_RCTL_LPE;
}

/* 8254x 14.5.1 (copper, internal PHY): MAC speed follows the PHY (ASDE),
 * force the link up.  If the link is not up yet, restart autonegotiation:
 * QEMU's igb model keeps STATUS.LU clear after reset until the PHY
 * completes a (simulated, ~500 ms) negotiation and raises LSC. */
int e1000_setup_link(struct e1000_hw *hw)
{
	u32 ctrl = er32(hw, E1000_CTRL);
	u16 bmcr;
	int rc;

	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_ILOS | E1000_CTRL_PHY_RST);
	ew32(hw, E1000_CTRL, ctrl);
	e1000_flush(hw);
	if (er32(hw, E1000_STATUS) & E1000_STATUS_LU)
		return 0;
	rc = e1000_phy_read(hw, MII_BMCR, &bmcr);
	if (rc)
		return rc;
	return e1000_phy_write(hw, MII_BMCR, bmcr | BMCR_ANENABLE | BMCR_ANRESTART);
}

bool e1000_check_link(struct e1000_hw *hw, u32 *speed_mbps, bool *full_duplex)
{
	static const u32 speeds[] = { 10, 100, 1000, 1000 };
	u32 status = er32(hw, E1000_STATUS);

	if (status == E1000_REG_GONE || !(status & E1000_STATUS_LU))
		return false;
	*speed_mbps = speeds[(status & E1000_STATUS_SPEED_MASK) >> E1000_STATUS_SPEED_SHIFT];
	*full_duplex = status & E1000_STATUS_FD;
	return true;
}

/* receive address register pair (8254x 13.4.62-13.4.63) */
void e1000_rar_set(struct e1000_hw *hw, const u8 mac[ETH_ALEN], int index)
{
	u32 lo = mac[0] | (mac[1] << 8) | (mac[2] << 16) | ((u32)mac[3] << 24);
	u32 hi = mac[4] | (mac[5] << 8) | E1000_RAH_AV;

	ew32(hw, E1000_RAL(index), lo);
	ew32(hw, E1000_RAH(index), hi);
	e1000_flush(hw);
}

/* 8254x 13.4.61: with RCTL.MO = 00 the 12-bit hash is address bits 47:36 */
u32 e1000_mta_hash(const u8 mac[ETH_ALEN])
{
	return ((mac[4] >> 4) | ((u32)mac[5] << 4)) & 0xFFF;
}

u32 e1000_rctl_vfe(const struct e1000_hw *hw, u32 rctl)
{
	rctl &= ~E1000_RCTL_VFE;
	/* promiscuous mode receives every VLAN, as Linux's drivers do */
	if (hw->vlan_filter && !(rctl & E1000_RCTL_UPE))
		rctl |= E1000_RCTL_VFE;
	return rctl;
}

void e1000_set_rx_filters(struct e1000_hw *hw, bool promisc, bool allmulti,
			  const u8 (*mc)[ETH_ALEN], unsigned int mc_count)
{
	u32 mta[E1000_MTA_WORDS];
	u32 old = er32(hw, E1000_RCTL), rctl = old;

	memset(mta, 0, sizeof(mta));
	for (unsigned int i = 0; i < mc_count; i++) {
		u32 h = e1000_mta_hash(mc[i]);

		mta[h >> 5] |= BIT(h & 31);
	}
	for (int i = 0; i < E1000_MTA_WORDS; i++)
		ew32(hw, E1000_MTA(i), mta[i]);

	rctl &= ~(E1000_RCTL_UPE | E1000_RCTL_MPE);
	if (promisc)
		rctl |= E1000_RCTL_UPE | E1000_RCTL_MPE;
	else if (allmulti)
		rctl |= E1000_RCTL_MPE;
	/* the VLAN filter goes with the mode, in the same write; while the
	 * receiver is off e1000_rx_configure sets it with RCTL.EN */
	if (old & E1000_RCTL_EN)
		rctl = e1000_rctl_vfe(hw, rctl);
	if (rctl != old)
		e1000_write_rctl(hw, rctl);
	e1000_flush(hw);
}

/* 8254x 13.4.18 ITR in 256 ns units; 82576 8.8.12 EITR interval in bits 14:2.
 * The 82574 in MSI-X mode throttles each vector with its own EITR (ITR's
 * format), not ITR: written to ITR, the setting would not apply (QEMU's
 * e1000e then keeps EITR at its reset value, 500 x 256 ns = 128 us). */
void e1000_set_itr(struct e1000_hw *hw, u32 usecs)
{
	u32 v = MIN(usecs * 1000 / E1000_ITR_UNIT_NS, E1000_ITR_MAX);

	if (hw->chip->flags & E1000_F_EITR)
		for (u16 vec = 0; vec < hw->nvec; vec++)
			ew32(hw, E1000_EITR(vec),
			     (usecs << E1000_EITR_INTERVAL_SHIFT) & E1000_EITR_INTERVAL_MASK);
	else if (hw->msix)
		for (u16 vec = 0; vec < hw->nvec; vec++)
			ew32(hw, E1000_EITR_82574(vec), v);
	else
		ew32(hw, E1000_ITR, v);
}
