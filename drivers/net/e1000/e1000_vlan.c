/* The VLAN offloads of the e1000 family, as Linux's e1000/e1000e/igb
 * drivers expose them (ethtool -K rxvlan/txvlan, rx-vlan-filter):
 *
 *   - tag stripping: with CTRL.VME set the chip takes the 802.1Q tag out
 *     of a received frame and reports it in the descriptor (STAT.VP, the
 *     TCI in special / vlan: 8254x 3.2.3, 82574 7.1.4, 82576 7.1.5);
 *     e1000_rx_deliver hands it up beside the frame (skb->vlan_tci);
 *   - tag insertion: a frame whose skb carries a tag gets VLE in its data
 *     descriptors and the tag in their special field (8254x 3.3.3.1,
 *     82574 7.2.10.1: the chip inserts only with CTRL.VME) or, on the
 *     82576, in the context descriptor it uses (7.2.2.2/7.2.2.3; VME not
 *     needed) -- e1000_xmit, the ring ops tx_vlan/tx_ctx_vlan;
 *   - the VLAN filter table: VFTA has a bit per VLAN id, set for every
 *     sub-interface over the device (ndo_vlan_rx_add_vid); with RCTL.VFE
 *     the chip drops tagged frames of other ids (8254x 13.4.22/13.5.1).
 *
 * On the 82540EM and 82574L one bit, CTRL.VME, does both stripping and
 * insertion (QEMU: hw/net/e1000.c process_tx_desc and e1000_receive_iov,
 * e1000e_core.c e1000e_process_tx_desc and e1000e_receive_internal):
 * tx-vlan-offload there needs rx-vlan-offload (e1000_fix_features; Linux's
 * e1000 ties the two together the same way).  The 82576 strips with VME
 * outside VMDq mode and inserts on VLE alone (igb_core.c
 * igb_rx_strip_vlan, igb_tx_insert_vlan): the two are independent.
 * Promiscuous mode receives every VLAN (VFE off), as Linux's drivers do. */
#include "drivers/net/e1000/e1000.h"
#include "kernel/errno.h"
#include "kernel/x86.h"

/* the chip inserts tags only with CTRL.VME, which also strips */
static bool e1000_vlan_tx_needs_vme(const struct e1000_chip *chip)
{
	return chip->type != e1000_82576;
}

u32 e1000_vlan_hw_features(const struct e1000_chip *chip)
{
	const struct e1000_ring_ops *ops = chip->ring_ops;
	u32 f = NETIF_F_HW_VLAN_CTAG_FILTER;

	if (ops->rx_vlan)
		f |= NETIF_F_HW_VLAN_CTAG_RX;
	if (ops->tx_vlan && (ops->rx_vlan || !e1000_vlan_tx_needs_vme(chip)))
		f |= NETIF_F_HW_VLAN_CTAG_TX;
	return f;
}

u32 e1000_fix_features(struct net_device *dev, u32 features)
{
	struct e1000_adapter *a = netdev_priv(dev);

	if (e1000_vlan_tx_needs_vme(a->hw.chip) && !(features & NETIF_F_HW_VLAN_CTAG_RX))
		features &= ~NETIF_F_HW_VLAN_CTAG_TX;
	return features;
}

/* CTRL.VME and xmit's permission to hand tags to the chip, from features.
 * Under tx_lock, so that no frame is queued with a tag the chip would no
 * longer put in; frames already in the ring are sent first (their tail
 * written: QEMU reads the descriptors at the tail write). */
static void e1000_vlan_mode(struct e1000_adapter *a, u32 features)
{
	struct e1000_hw *hw = &a->hw;
	bool tx = features & NETIF_F_HW_VLAN_CTAG_TX;
	bool vme = (features & NETIF_F_HW_VLAN_CTAG_RX) ||
		   (tx && e1000_vlan_tx_needs_vme(hw->chip));
	unsigned long irqf = spin_lock_irqsave(&a->tx_lock);
	u32 ctrl = er32(hw, E1000_CTRL);

	/* only queue 0 defers its tail (the igb's queues 1.. write it at once) */
	if (a->tx_up && a->tx.tail_pending)
		e1000_tx_flush(a, &a->tx);
	ctrl = vme ? ctrl | E1000_CTRL_VME : ctrl & ~E1000_CTRL_VME;
	ew32(hw, E1000_CTRL, ctrl);
	a->vlan_tx = tx;
	spin_unlock_irqrestore(&a->tx_lock, irqf);
}

/* RCTL.VFE: the filter on unless switched off or promiscuous; written
 * with the RX mode (e1000_set_rx_filters), or with RCTL.EN when the
 * receiver goes on (e1000_rx_configure) */
static void e1000_vlan_filter(struct e1000_adapter *a, u32 features)
{
	a->hw.vlan_filter = features & NETIF_F_HW_VLAN_CTAG_FILTER;
	if (a->running)
		a->netdev->netdev_ops->ndo_set_rx_mode(a->netdev);
}

void e1000_vlan_restore(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	/* the TPID the chip recognises and puts in (QEMU's e1000/e1000e
	 * reset it to 0x8100 only with init-vet=on; the 82576's reset value
	 * has it in both halves, the upper one for double tagging) */
	ew32(hw, E1000_VET, hw->chip->type == e1000_82576 ?
	     (u32)ETH_P_8021Q << 16 | ETH_P_8021Q : ETH_P_8021Q);
	for (int i = 0; i < E1000_VFTA_WORDS; i++)
		ew32(hw, E1000_VFTA(i), a->vfta[i]);
	e1000_vlan_mode(a, READ_ONCE(a->netdev->features));
	a->hw.vlan_filter = READ_ONCE(a->netdev->features) & NETIF_F_HW_VLAN_CTAG_FILTER;
}

/* one id's bit in the table, in memory and in the chip (written at once:
 * the chip takes VFTA writes whenever; e1000_vlan_restore writes the
 * whole table again after a reset) */
static int e1000_vlan_vid(struct net_device *dev, u16 vid, bool on)
{
	struct e1000_adapter *a = netdev_priv(dev);
	u32 w = (vid & VLAN_VID_MASK) / 32, bit = BIT(vid % 32);

	if (vid > VLAN_VID_MASK)
		return -EINVAL;
	a->vfta[w] = on ? a->vfta[w] | bit : a->vfta[w] & ~bit;
	ew32(&a->hw, E1000_VFTA(w), a->vfta[w]);
	e1000_flush(&a->hw);
	return 0;
}

int e1000_vlan_rx_add_vid(struct net_device *dev, u16 vid)
{
	return e1000_vlan_vid(dev, vid, true);
}

int e1000_vlan_rx_kill_vid(struct net_device *dev, u16 vid)
{
	return e1000_vlan_vid(dev, vid, false);
}

/* the checksum, TSO and GRO features need nothing of the chip (each frame
 * says what it wants); the VLAN ones are registers */
int e1000_set_features(struct net_device *dev, u32 features)
{
	struct e1000_adapter *a = netdev_priv(dev);
	u32 changed = features ^ READ_ONCE(dev->features);

	if (changed & (NETIF_F_HW_VLAN_CTAG_RX | NETIF_F_HW_VLAN_CTAG_TX))
		e1000_vlan_mode(a, features);
	if (changed & NETIF_F_HW_VLAN_CTAG_FILTER)
		e1000_vlan_filter(a, features);
	return 0;
}
