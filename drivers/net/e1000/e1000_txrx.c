/* RX and TX rings: allocation, register setup, transmit, completion
 * cleaning and receive.  Hardware-independent apart from er32/ew32, so the
 * host unit tests run this file unchanged against a fake register file.
 *
 * Ownership.  RX: the device owns descriptors [RDH, RDT); software owns
 * [next_to_clean, RDT] and keeps RDT = next_to_clean - 1, so the device
 * never writes the slot software looks at next.  A good frame goes up to
 * the rx_handler in its own buffer, as an skb (no copy), and a spare from
 * the refill pool (e1000_rxpool.c) is armed in the slot; with no spare
 * left the frame is copied and the buffer stays.  TX: software owns
 * [next_to_clean, next_to_use); the descriptors point at the skb's own
 * pieces (a copy into the slot's buffer only when there are too many of
 * them or the device cannot reach one), and the skb is held until the
 * device wrote DD into the frame's last descriptor. */
#include "drivers/net/e1000/e1000.h"
#include "kernel/mm.h"
#include "kernel/errno.h"
#include "kernel/x86.h"
#include "kernel/time.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include <string.h>

#define E1000_QUEUE_ENABLE_POLLS 1000   /* x 10 us for RXDCTL/TXDCTL.ENABLE to read back */
#define E1000_MIN_IPV4_HLEN     20
#define E1000_IPV6_HLEN         40
#define E1000_CTX_OFFSET_MAX    0xFF    /* TUCSS/TUCSO are 8-bit byte offsets */
#define E1000_L4_CSUM_END       18      /* the TCP checksum field ends 18 bytes into the header */
#define E1000_TCP_HLEN_MIN      20
#define E1000_TAIL_TAKEBACK_MARGIN 32   /* descriptors the head keeps from a tail taken back */

static inline void *desc_at(void *base, u32 i)
{
	return (u8 *)base + (size_t)i * E1000_DESC_SIZE;
}

static inline u32 ring_next(u32 i, u32 count)
{
	return i + 1 == count ? 0 : i + 1;
}

int e1000_valid_ring_size(u32 count)
{
	if (count < E1000_RING_MIN || count > E1000_RING_MAX || count % E1000_RING_ALIGN)
		return -EINVAL;
	return 0;
}

static void e1000_rx_free(struct e1000_rx_ring *r)
{
	rx_chain_reset(&r->chain);
	/* the slots' buffers go back to the pool; it lasts while the stack
	 * holds frames of it */
	if (r->pool)
		e1000_rx_pool_detach(r->pool, r->buf, r->buf ? r->count : 0);
	kfree(r->buf);
	if (r->desc)
		dma_free_coherent(r->desc, (size_t)r->count * E1000_DESC_SIZE);
	memset(r, 0, sizeof(*r));
}

static int e1000_rx_alloc(struct e1000_rx_ring *r, u32 count)
{
	return e1000_rx_ring_alloc(r, count, 0);
}

void e1000_rx_ring_free(struct e1000_rx_ring *r)
{
	e1000_rx_free(r);
}

u32 e1000_rx_tail_reg(const struct e1000_hw *hw, const struct e1000_rx_ring *r)
{
	if (!r->index)
		return hw->q.rdt;
	return (hw->chip->flags & E1000_F_ADV_DESC) ? (u32)E1000_ADV_RDT(r->index) : (u32)E1000_RDT(r->index);
}

/* the RDH register of ring r */
static u32 e1000_rx_head_reg(const struct e1000_hw *hw, const struct e1000_rx_ring *r)
{
	if (!r->index)
		return hw->q.rdh;
	return (hw->chip->flags & E1000_F_ADV_DESC) ? (u32)E1000_ADV_RDH(r->index) : (u32)E1000_RDH(r->index);
}

int e1000_rx_ring_alloc(struct e1000_rx_ring *r, u32 count, u16 index)
{
	r->count = count;
	r->index = index;
	r->sw = NULL;                   /* the caller's to set */
	r->desc = dma_alloc_coherent((size_t)count * E1000_DESC_SIZE, &r->desc_dma);
	r->buf = kzalloc(count * sizeof(*r->buf));
	r->pool = e1000_rx_pool_create(count + count / E1000_RX_POOL_SPARE_DIV);
	if (!r->desc || !r->buf || !r->pool)
		goto err;
	for (u32 i = 0; i < count; i++)
		r->buf[i] = e1000_rx_pool_get(r->pool);
	return 0;
err:
	e1000_rx_free(r);
	return -ENOMEM;
}

void e1000_tx_ring_free(struct e1000_tx_ring *t)
{
	if (t->slot)
		for (u32 i = 0; i < t->count; i++) {
			/* frames the device never completed (it did not drain) */
			if (t->slot[i].skb)
				dev_kfree_skb_any(t->slot[i].skb);
			if (t->slot[i].buf)
				dma_free_coherent(t->slot[i].buf, E1000_TX_BUF_SIZE);
		}
	kfree(t->slot);
	if (t->desc)
		dma_free_coherent(t->desc, (size_t)t->count * E1000_DESC_SIZE);
	memset(t, 0, sizeof(*t));
}

static int e1000_tx_alloc(struct e1000_tx_ring *t, u32 count)
{
	t->count = count;
	t->desc = dma_alloc_coherent((size_t)count * E1000_DESC_SIZE, &t->desc_dma);
	t->slot = kzalloc(count * sizeof(*t->slot));
	if (!t->desc || !t->slot)
		goto err;
	for (u32 i = 0; i < count; i++) {
		t->slot[i].buf = dma_alloc_coherent(E1000_TX_BUF_SIZE, &t->slot[i].dma);
		if (!t->slot[i].buf)
			goto err;
		t->slot[i].last = -1;
	}
	return 0;
err:
	e1000_tx_ring_free(t);
	return -ENOMEM;
}

int e1000_tx_ring_alloc(struct e1000_tx_ring *t, u32 count, u16 index, struct e1000_sw_stats *sw)
{
	int rc = e1000_tx_alloc(t, count);

	if (rc)
		return rc;
	t->index = index;
	t->sw = sw;
	return 0;
}

u32 e1000_tx_tail_reg(const struct e1000_hw *hw, const struct e1000_tx_ring *t)
{
	return t->index ? (u32)E1000_ADV_TDT(t->index) : hw->q.tdt;
}

int e1000_rings_alloc(struct e1000_adapter *a)
{
	int rc = e1000_rx_alloc(&a->rx, a->rx_count);

	if (rc)
		return rc;
	a->rx.sw = &a->sw;
	rc = e1000_tx_ring_alloc(&a->tx, a->tx_count, 0, &a->sw);
	if (rc)
		e1000_rx_free(&a->rx);
	return rc;
}

void e1000_rings_free(struct e1000_adapter *a)
{
	e1000_tx_ring_free(&a->tx);
	e1000_rx_free(&a->rx);
}

/* 82576 8.10.9/8.12.13: a queue runs once its ENABLE bit reads back set */
static void e1000_queue_enable(struct e1000_hw *hw, u32 reg, bool on)
{
	u32 v = er32(hw, reg);

	v = on ? v | E1000_XDCTL_ENABLE : v & ~E1000_XDCTL_ENABLE;
	ew32(hw, reg, v);
	for (int i = 0; i < E1000_QUEUE_ENABLE_POLLS; i++) {
		if (!!(er32(hw, reg) & E1000_XDCTL_ENABLE) == on)
			return;
		udelay(10);
	}
}

/* Where ring r starts, its base and length written and the receiver off:
 * around the tail t the device holds (0 after a reset, inside the
 * smallest ring after e1000_rx_ring_stop_tail), head and next_to_clean at
 * t + 1, so that RDT = t already hands the device every descriptor but
 * one and RDT is not written (see e1000_rx_configure).  A tail beyond the
 * ring (rare: e1000_rx_stop_tail could not move it safely): on hardware
 * head 0 and RDT the last descriptor now; on the emulator head = t, the
 * ring looking empty (RDT untouched) until e1000_rx_ring_place_late moves
 * both once the receiver is on. */
void e1000_rx_ring_place(struct e1000_hw *hw, struct e1000_rx_ring *r)
{
	u32 tail = er32(hw, e1000_rx_tail_reg(hw, r));
	bool in_ring = tail < r->count;

	r->next_to_clean = in_ring ? (tail + 1) % r->count : 0;
	if (!in_ring && hw->emulated) {
		ew32(hw, e1000_rx_head_reg(hw, r), tail);       /* empty until moved */
		return;
	}
	ew32(hw, e1000_rx_head_reg(hw, r), r->next_to_clean);
	if (!in_ring) {
		wmb();          /* descriptors armed before the device may take them */
		ew32(hw, e1000_rx_tail_reg(hw, r), (r->next_to_clean + r->count - 1) % r->count);
	}
}

void e1000_rx_ring_place_late(struct e1000_hw *hw, struct e1000_rx_ring *r)
{
	u32 start = r->next_to_clean;

	if (!hw->emulated || er32(hw, e1000_rx_tail_reg(hw, r)) < r->count)
		return;
	ew32(hw, e1000_rx_head_reg(hw, r), start);
	wmb();
	ew32(hw, e1000_rx_tail_reg(hw, r), (start + r->count - 1) % r->count);
}

void e1000_rx_ring_place_empty(struct e1000_hw *hw, struct e1000_rx_ring *r)
{
	u32 tail = er32(hw, e1000_rx_tail_reg(hw, r));

	r->next_to_clean = tail < r->count ? (tail + 1) % r->count : 0;
	ew32(hw, e1000_rx_head_reg(hw, r), tail);       /* head == tail: empty */
}

bool e1000_rx_ring_open_head(struct e1000_hw *hw, struct e1000_rx_ring *r)
{
	if (er32(hw, e1000_rx_tail_reg(hw, r)) >= r->count)
		return false;
	/* head at next_to_clean, the tail one before it: all but one the
	 * device's, without the RDT write (QEMU's igb_set_16bit: none) */
	ew32(hw, e1000_rx_head_reg(hw, r), r->next_to_clean);
	return true;
}

/* 8254x 14.4 / 82574 4.6.7 / 82576 4.5.9: receive initialization.
 *
 * QEMU's models deliver the frame they hold back (the backend stops reading
 * while the ring is full or the receiver off) on every RDT write and every
 * RCTL.EN write, without asking whether they can receive, and then lose it
 * uncounted if the receiver is off or (igb) the ring is empty, or if the
 * tail lies beyond the ring (hw/net/e1000e_core.c e1000e_set_rdt ->
 * e1000e_start_recv -> e1000e_receive_iov; igb_core.c
 * igb_receive_internal).  So RDT is not written here while the receiver is
 * off: the new ring is placed around the old tail instead
 * (e1000_rx_ring_place, as for RSS queues 1.. in e1000_mq.c), and RCTL.EN
 * goes on over a full, valid ring. */
void e1000_rx_configure(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	struct e1000_rx_ring *r = &a->rx;
	unsigned int flags = hw->chip->flags;
	u32 rctl = er32(hw, E1000_RCTL) & (E1000_RCTL_UPE | E1000_RCTL_MPE);

	/* receiver off while the ring changes (it is off already after a
	 * reset or a stop: no write, see e1000_write_rctl) */
	if (er32(hw, E1000_RCTL) != rctl)
		e1000_write_rctl(hw, rctl);
	for (u32 i = 0; i < r->count; i++)
		hw->chip->ring_ops->rx_arm(desc_at(r->desc, i), r->buf[i]->dma);
	/* a frame half gathered when the ring stopped will not be finished */
	rx_chain_reset(&r->chain);
	r->chain_copied = false;

	ew32(hw, hw->q.rdbal, (u32)r->desc_dma);
	ew32(hw, hw->q.rdbah, (u32)(r->desc_dma >> 32));
	ew32(hw, hw->q.rdlen, r->count * E1000_DESC_SIZE);
	e1000_rx_ring_place(hw, r);
	if (flags & E1000_F_ADV_DESC)
		ew32(hw, E1000_SRRCTL(0), (E1000_RX_BUF_SIZE / E1000_SRRCTL_BSIZEPKT_UNIT) |
					  E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN);
	else {
		ew32(hw, E1000_RDTR, 0);        /* no delay timers: ITR paces interrupts */
		ew32(hw, E1000_RADV, 0);
	}
	if (flags & E1000_F_QUEUE_ENABLE)
		e1000_queue_enable(hw, hw->q.rxdctl, true);
	/* 82574: the descriptor format before RCTL.EN (QEMU fixes the
	 * descriptor length when the receiver goes on, e1000e_set_rx_control) */
	if (flags & E1000_F_EXT_RX)
		ew32(hw, E1000_RFCTL, E1000_RFCTL_EXTEN | E1000_RFCTL_ACK_DIS);
	/* PCSD (RSS hash in the descriptor) stays as e1000_mq_up set it */
	ew32(hw, E1000_RXCSUM, ((flags & E1000_F_RX_CSUM) ? E1000_RXCSUM_IPOFL | E1000_RXCSUM_TUOFL : 0) |
			       (er32(hw, E1000_RXCSUM) & E1000_RXCSUM_PCSD));

	/* descriptors in memory before the device may fetch them */
	wmb();
	rctl |= E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC | E1000_RCTL_BSIZE_2048 |
		E1000_RCTL_RDMTS_HALF;
	/* frames past one buffer span several descriptors (e1000_clean_rx_ring) */
	rctl = e1000_rctl_for_mtu(hw, rctl, READ_ONCE(a->netdev->mtu));
	e1000_write_rctl(hw, e1000_rctl_vfe(hw, rctl));
	e1000_rx_ring_place_late(hw, r);
	r->stopped = false;
	e1000_flush(hw);
}

/* 8254x 14.5 / 82574 4.6.8 / 82576 4.5.10: transmit initialization */
void e1000_tx_configure(struct e1000_adapter *a)
{
	/* LAB:BEGIN e1000-tx tx_configure */
	struct e1000_hw *hw = &a->hw;
	struct e1000_tx_ring *t = &a->tx;
	unsigned int flags = hw->chip->flags;

	memset(t->desc, 0, (size_t)t->count * E1000_DESC_SIZE);
	for (u32 i = 0; i < t->count; i++) {
		t->slot[i].last = -1;
		t->slot[i].journey = 0;
	}
	t->next_to_use = t->next_to_clean = 0;
	t->ctx_key = 0;
	t->ctx_vlan = 0;
	t->tail_pending = false;

	ew32(hw, hw->q.tdbal, (u32)t->desc_dma);
	ew32(hw, hw->q.tdbah, (u32)(t->desc_dma >> 32));
	ew32(hw, hw->q.tdlen, t->count * E1000_DESC_SIZE);
	ew32(hw, hw->q.tdh, 0);
	ew32(hw, hw->q.tdt, 0);
	if (flags & E1000_F_QUEUE_ENABLE) {
		e1000_queue_enable(hw, hw->q.txdctl, true);
	} else {
		ew32(hw, E1000_TIPG, E1000_TIPG_IPGT_COPPER |
				     (E1000_TIPG_IPGR1 << E1000_TIPG_IPGR1_SHIFT) |
				     (E1000_TIPG_IPGR2 << E1000_TIPG_IPGR2_SHIFT));
		ew32(hw, E1000_TIDV, 0);
		ew32(hw, E1000_TADV, 0);
	}
	ew32(hw, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_RTLC |
			     (E1000_TCTL_CT_DEFAULT << E1000_TCTL_CT_SHIFT) |
			     (E1000_TCTL_COLD_FD << E1000_TCTL_COLD_SHIFT));
	e1000_flush(hw);
	/* LAB:END */
}

/* Where the tail goes before the receiver stops, on the emulator (see
 * e1000_rx_disable): somewhere inside the smallest ring, so that any next
 * ring (E1000_RING_MIN descriptors or more) has it inside.  A tail there
 * already stays.  Otherwise forward, onto the cleaned and re-armed slots
 * [tail, next_to_clean) when they wrap past descriptor 0 (what clean_rx
 * would do; the device's head cannot be there; a drain first makes this
 * likelier); else back, to the smallest ring's last descriptor, which takes
 * back descriptors the device has not reached (the emulator has no
 * descriptor cache), if its head is at least E1000_TAIL_TAKEBACK_MARGIN
 * descriptors short of it, so it cannot pass it between the read and
 * the write.  Else the tail stays where it is: e1000_rx_ring_place copes
 * with one beyond the next ring.  Ring r's poll is stopped (no clean_rx
 * moves its tail meanwhile). */
static u32 e1000_rx_stop_tail(struct e1000_hw *hw, const struct e1000_rx_ring *r, u32 tail)
{
	u32 ntc = r->next_to_clean, head, want = E1000_RING_MIN - 1;

	if (tail < E1000_RING_MIN)
		return tail;
	if (ntc >= 1 && ntc <= tail)
		return MIN(ntc, (u32)E1000_RING_MIN) - 1;
	head = er32(hw, e1000_rx_head_reg(hw, r));
	/* want must lie in the device's part [head, tail), far enough ahead */
	if ((want + r->count - head) % r->count >= E1000_TAIL_TAKEBACK_MARGIN &&
	    (want + r->count - head) % r->count < (tail + r->count - head) % r->count)
		return want;
	return tail;
}

void e1000_rx_ring_stop_tail(struct e1000_hw *hw, struct e1000_rx_ring *r)
{
	u32 reg = e1000_rx_tail_reg(hw, r), tail, to;

	if (!hw->emulated)
		return;
	tail = er32(hw, reg);
	to = e1000_rx_stop_tail(hw, r, tail);
	if (to != tail)
		ew32(hw, reg, to);
}

/* The receiver stops writing the ring (82576: once RXDCTL.ENABLE reads 0).
 * Descriptors the device completed keep DD and are still drained;
 * clean_rx no longer moves RDT.  The tail ends inside the smallest ring,
 * so the next ring, whatever its size, starts inside itself
 * (e1000_rx_configure places it around the tail).
 *
 * On the emulator RDT is never written once RCTL.EN is off: QEMU holds
 * back the frame that arrives while the receiver is off (the backend
 * stops reading) and hands it to its receive path at the next RDT write
 * (hw/net/igb_core.c igb_set_rdt -> igb_start_recv, e1000e_core.c
 * e1000e_set_rdt -> e1000e_start_recv, e1000.c set_rdt), without asking
 * whether it can receive, and the receive path drops it uncounted while
 * RCTL.EN is off (igb_receive_internal, e1000e_receive_internal,
 * e1000_receive_iov: e1000x_hw_rx_enabled).  So the tail moves while the
 * receiver is still on (e1000_rx_stop_tail; RSS queues 1.. the same way
 * before this, e1000_mq_rx_stop), and the held frame waits for the RCTL.EN
 * write that starts the next ring, which delivers it there.
 * Hardware caches descriptors, so there the tail moves (to 0) only once
 * the receiver is off. */
void e1000_rx_disable(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	a->rx.stopped = true;
	e1000_rx_ring_stop_tail(hw, &a->rx);
	e1000_write_rctl(hw, er32(hw, E1000_RCTL) & ~E1000_RCTL_EN);
	/* rx_stop_gap: time for a frame to arrive, and be held, here */
	if (unlikely(fault_should_fail(FAULT_RX_STOP_GAP))) {
		a->fault.injected[FAULT_RX_STOP_GAP]++;
		mdelay(fault_param(FAULT_RX_STOP_GAP));
	}
	if (!hw->emulated)
		ew32(hw, hw->q.rdt, 0);
	if (hw->chip->flags & E1000_F_QUEUE_ENABLE)
		e1000_queue_enable(hw, hw->q.rxdctl, false);
	e1000_flush(hw);
}

void e1000_tx_disable(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	ew32(hw, E1000_TCTL, er32(hw, E1000_TCTL) & ~E1000_TCTL_EN);
	if (hw->chip->flags & E1000_F_QUEUE_ENABLE)
		e1000_queue_enable(hw, hw->q.txdctl, false);
	e1000_flush(hw);
}

u32 e1000_tx_unused(const struct e1000_tx_ring *t)
{
	/* LAB:BEGIN e1000-tx tx_unused */
	/* one descriptor always stays empty so that TDT == TDH means "empty" */
	return (t->next_to_clean > t->next_to_use ? 0 : t->count) +
	       t->next_to_clean - t->next_to_use - 1;
	/* LAB:END */
}

/* an offload request the context descriptors can express: header
 * offsets within their 8-bit (TUCSS) and 9-bit (IPLEN) fields, one L4
 * protocol, no IPv4 header checksum in an IPv6 frame */
static int e1000_check_csum(const struct netdev_tx_csum *c, unsigned int len)
{
	bool v6 = c->flags & NETDEV_CSUM_IPV6;

	if (c->l3_len < (v6 ? E1000_IPV6_HLEN : E1000_MIN_IPV4_HLEN) || c->l3_offset < ETH_HLEN ||
	    c->l3_offset + c->l3_len >= len || c->l3_offset + c->l3_len + E1000_L4_CSUM_END > E1000_CTX_OFFSET_MAX ||
	    c->l3_len > 0x1FF)
		return -EINVAL;
	if ((c->flags & NETDEV_CSUM_TCP) && (c->flags & NETDEV_CSUM_UDP))
		return -EINVAL;
	if (v6 && (c->flags & NETDEV_CSUM_IP))
		return -EINVAL;
	return 0;
}

/* the bus address of every piece, or false if the device cannot take one
 * in place (not DMA-able memory, a piece longer than a descriptor holds) */
static bool e1000_map_segs(const struct skb_seg *segs, unsigned int n, phys_addr_t *dma)
{
	for (unsigned int k = 0; k < n; k++)
		if (segs[k].len > E1000_TX_DESC_MAX_LEN ||
		    dma_addr_of(segs[k].data, segs[k].len, &dma[k]))
			return false;
	return true;
}

/* A TSO send the context can describe: TCP, an MSS, the headers within
 * HDRLEN's 8 bits, a payload, IPv6 only where the model segments it
 * right (hw_features), no larger than E1000_TSO_MAX_SIZE; returns the
 * header length, or 0 */
static unsigned int e1000_tso_hdrlen(const struct e1000_adapter *a, const struct netdev_tx_csum *c,
				     unsigned int len)
{
	unsigned int hdr = c->l3_offset + c->l3_len + c->l4_len;
	u32 need = (c->flags & NETDEV_CSUM_IPV6) ? NETIF_F_TSO6 : NETIF_F_TSO;

	if (!(c->flags & NETDEV_CSUM_TCP) || !c->mss || c->l4_len < E1000_TCP_HLEN_MIN ||
	    hdr > E1000_CTX_OFFSET_MAX || hdr >= len || len > E1000_TSO_MAX_SIZE ||
	    !(a->netdev->hw_features & need))
		return 0;
	return hdr;
}

/* the context key: what the device holds, compared before loading one
 * (a TSO send loads its own always: the legacy context holds its PAYLEN) */
static u64 e1000_ctx_key(const struct netdev_tx_csum *c)
{
	u64 key = c->flags | ((u64)c->l3_offset << 8) | ((u64)c->l3_len << 16);

	if (c->flags & NETDEV_CSUM_TSO)
		key |= ((u64)c->l4_len << 32) | ((u64)c->mss << 40);
	return key;
}

u32 e1000_tx_ring_frames(const struct e1000_tx_ring *t)
{
	u32 n = 0;

	/* frame by frame, as e1000_clean_tx walks them */
	for (u32 i = t->next_to_clean; i != t->next_to_use && t->slot[i].last >= 0;
	     i = ring_next((u32)t->slot[i].last, t->count))
		n += t->slot[i].segs;
	return n;
}

/* Queue one frame: a data descriptor per piece of the skb (EOP on the
 * last), or one over a copy of it when the pieces cannot go as they are;
 * a checksum context descriptor first when the layout changes.  A TSO
 * send (skb->gso_size) takes a descriptor per piece and never a copy: one
 * the device cannot take is dropped and counted (-EINVAL, tx_tso_dropped).
 * A frame with an 802.1Q tag beside it (skb_vlan_tag_present) has the
 * chip put it in (e1000_vlan.c).  The ring holds skb until the frame
 * completes.  The tail moves now unless NETDEV_TX_MORE. */
int e1000_xmit(struct e1000_adapter *a, struct e1000_tx_ring *t, struct sk_buff *skb,
	       unsigned int flags)
{
	struct e1000_sw_stats *sw = t->sw;
	const struct e1000_ring_ops *ops = a->hw.chip->ring_ops;
	struct skb_seg segs[E1000_TSO_MAX_SEGS];
	phys_addr_t dma[E1000_TSO_MAX_SEGS];
	struct netdev_tx_csum csum;
	unsigned int cflags = 0, nseg, ndata, len = skb->len, maxseg = E1000_TX_MAX_SEGS, hdr = 0;
	u32 first = t->next_to_use, i = first, need, paylen = len;
	u64 key = 0;
	bool copy, load, tso = false, vlan = skb_vlan_tag_present(skb);
	u16 vtag = 0;

	if (skb_tx_csum(skb, &csum)) {
		key = e1000_ctx_key(&csum);
		/* the layout of the context the device holds passed these
		 * checks when it was loaded: only the frame's length is new */
		if (key == t->ctx_key ? csum.l3_offset + csum.l3_len >= len : e1000_check_csum(&csum, len))
			return -EINVAL;
		tso = csum.flags & NETDEV_CSUM_TSO;
		if (tso) {
			hdr = e1000_tso_hdrlen(a, &csum, len);
			if (!hdr) {
				sw->tx_tso_dropped++;
				return -EINVAL;
			}
			paylen = len - hdr;
			maxseg = E1000_TSO_MAX_SEGS;
		}
		cflags = csum.flags;
	}
	if (vlan) {
		/* the offload went off under it (ethtool -K txvlan off) */
		if (!a->vlan_tx || !ops->tx_vlan) {
			sw->tx_vlan_dropped++;
			return -EINVAL;
		}
		vtag = skb_vlan_tag_get(skb);
	}
	/* an 802.1Q tag rides on top of the MTU (a VLAN sub-interface's
	 * frames); a jumbo frame copied takes several slot buffers */
	if (!tso) {
		u32 max = READ_ONCE(a->netdev->mtu) + ETH_HLEN;

		/* (the tag is looked for only in a frame that needs it) */
		if (len < ETH_HLEN || (len > max && (len > max + VLAN_HLEN || !skb_vlan_tagged(skb))) ||
		    len > E1000_TSO_MAX_SEGS * E1000_TX_BUF_SIZE)
			return -EINVAL;
	}
	nseg = skb_segs(skb, segs, maxseg);
	copy = nseg > maxseg || !e1000_map_segs(segs, nseg, dma);
	if (tso && copy) {
		/* too many pieces for the device, or one it cannot reach: no
		 * slot buffer holds 64 KiB, and a send cut short would be wrong */
		sw->tx_tso_dropped++;
		return -EINVAL;
	}
	ndata = copy ? (len + E1000_TX_BUF_SIZE - 1) / E1000_TX_BUF_SIZE : nseg;
	load = key && (tso || key != t->ctx_key);
	/* the 82576 takes the tag from the context: one holding it */
	if (vlan && ops->tx_ctx_vlan && t->ctx_vlan != (vtag | E1000_CTX_VLAN_SET))
		load = true;
	need = ndata + load;
	if (e1000_tx_unused(t) < need && t->tail_pending) {
		/* full of deferred frames: start them, and take what already finished */
		e1000_tx_flush(a, t);
		e1000_clean_tx(a, t);
	}
	if (e1000_tx_unused(t) < need) {
		sw->tx_busy++;
		return -EBUSY;
	}
	if (load) {
		/* the device keeps the last context: load a new one only on change */
		if (!key)
			memset(&csum, 0, sizeof(csum));         /* the tag's alone */
		ops->tx_ctx(desc_at(t->desc, i), &csum, paylen);
		if (ops->tx_ctx_vlan) {
			ops->tx_ctx_vlan(desc_at(t->desc, i), vtag);
			t->ctx_vlan = vlan ? vtag | E1000_CTX_VLAN_SET : 0;
		}
		t->ctx_key = key;
		i = ring_next(i, t->count);
	}
	if (copy) {
		/* into the slot buffers of the descriptors it will take */
		for (u32 k = 0, j = i, off = 0; k < ndata; k++, j = ring_next(j, t->count)) {
			segs[k].len = MIN(len - off, (u32)E1000_TX_BUF_SIZE);
			skb_copy_bits(skb, off, t->slot[j].buf, segs[k].len);
			dma[k] = t->slot[j].dma;
			off += segs[k].len;
		}
		sw->tx_linearized++;
	} else {
		sw->tx_zc_frames++;
		sw->tx_sg_segments += nseg;
	}
	for (unsigned int k = 0; k < ndata; k++) {
		ops->tx_data(desc_at(t->desc, i), dma[k], (u16)segs[k].len, cflags, paylen,
			     k + 1 == ndata);
		if (vlan)
			ops->tx_vlan(desc_at(t->desc, i), vtag);
		if (k + 1 < ndata)
			i = ring_next(i, t->count);
	}
	t->slot[first].skb = skb;
	t->slot[first].len = len;
	t->slot[first].segs = tso ? (u16)((paylen + csum.mss - 1) / csum.mss) : 1;
	t->slot[first].hdr_len = (u16)hdr;
	t->slot[first].last = (s32)i;
	/* a sampled frame's record completes when its descriptor does */
	t->slot[first].journey = journey_tx_token();
	t->next_to_use = ring_next(i, t->count);
	/* (a counter that does not move is not written) */
	if (cflags) {
		sw->tx_csum_offloaded++;
		if (cflags & NETDEV_CSUM_IPV6)
			sw->tx_csum_ipv6++;
		if (cflags & NETDEV_CSUM_UDP)
			sw->tx_csum_udp++;
	}
	if (vlan)
		sw->tx_vlan_inserted++;
	if (tso) {
		sw->tx_tso_sends++;
		sw->tx_tso6_sends += !!(cflags & NETDEV_CSUM_IPV6);
		sw->tx_tso_segments += t->slot[first].segs;
		sw->tx_tso_descs += need;
		sw->tx_tso_descs_max = MAX(sw->tx_tso_descs_max, (u64)need);
	}
	if (flags & NETDEV_TX_MORE) {
		t->tail_pending = true;
		return 0;
	}
	e1000_tx_flush(a, t);
	return 0;
}

void e1000_tx_flush(struct e1000_adapter *a, struct e1000_tx_ring *t)
{
	/* LAB:BEGIN e1000-tx tx_flush */
	if (unlikely(e1000_fault_tx_stall(a)))
		return;
	/* descriptors in memory before the device sees the new tail */
	wmb();
	ew32(&a->hw, e1000_tx_tail_reg(&a->hw, t), t->next_to_use);
	t->tail_pending = false;
	/* stamps the frame being sent, if any: inside ndo_start_xmit only (a
	 * tail deferred by NETDEV_TX_MORE is written with no frame current) */
	journey_mark_cpu(JOURNEY_TX_TAIL);
	/* LAB:END */
}

/* give completed frames' slots back and free their skbs (the device has
 * read them); returns the frames completed */
int e1000_clean_tx(struct e1000_adapter *a, struct e1000_tx_ring *t)
{
	/* LAB:BEGIN e1000-tx clean_tx */
	const struct e1000_ring_ops *ops = a->hw.chip->ring_ops;
	u32 ntc = t->next_to_clean;
	int done = 0;

	while (ntc != t->next_to_use) {
		s32 last = t->slot[ntc].last;

		if (last < 0 || !ops->tx_done(desc_at(t->desc, last)))
			break;
		/* wire frames, as Linux's drivers count a TSO send: each
		 * segment with its copy of the header */
		t->sw->tx_packets += t->slot[ntc].segs;
		t->sw->tx_bytes += t->slot[ntc].len +
				  (u64)(t->slot[ntc].segs - 1) * t->slot[ntc].hdr_len;
		/* the poll frees at once; from hard IRQ (napi=off) or inside
		 * start_xmit (interrupts off) NET_TX does it */
		dev_kfree_skb_any(t->slot[ntc].skb);
		t->slot[ntc].skb = NULL;
		journey_tx_done(t->slot[ntc].journey);
		t->slot[ntc].journey = 0;
		t->slot[ntc].last = -1;
		ntc = ring_next(last, t->count);
		done++;
	}
	t->next_to_clean = ntc;
	return done;
	/* LAB:END */
}

/* The piece of a frame in slot i as an skb: in its own buffer, a spare
 * from the pool taking its place; with no spare, a copy (the buffer
 * stays); NULL with no memory for an skb. */
static struct sk_buff *e1000_rx_take(struct e1000_adapter *a, struct e1000_rx_ring *r, u32 i,
				     u32 len)
{
	/* LAB:BEGIN e1000-rx rx_take */
	struct e1000_rx_buf *b = r->buf[i], *spare = e1000_rx_pool_get(r->pool);
	struct sk_buff *skb = NULL;

	if (spare) {
		skb = skb_from_rx_buffer(a->netdev, b->va, len, e1000_rx_buf_release, b);
		if (skb) {
			/* the skb owns b now: back through e1000_rx_buf_release */
			e1000_rx_pool_lend(b);
			r->buf[i] = spare;
		} else {
			e1000_rx_pool_put(spare);
		}
	} else {
		skb = netdev_alloc_skb(a->netdev, len);
		if (skb) {
			memcpy(skb_put(skb, len), b->va, len);
			r->chain_copied = true;
		}
	}
	return skb;
	/* LAB:END */
}

/* the longest frame the MTU lets in: a VLAN sub-interface's frames carry
 * a tag on top of it */
static u32 e1000_rx_max_len(const struct sk_buff *skb, u32 mtu)
{
	return mtu + ETH_HLEN + (skb_vlan_tagged(skb) ? VLAN_HLEN : 0);
}

/* A whole good frame (one buffer, or several gathered by r->chain) up to
 * the rx_handler; longer than the MTU allows: dropped, a length error. */
static void e1000_rx_deliver(struct e1000_adapter *a, struct e1000_rx_ring *r, struct sk_buff *skb,
			     u16 bufs, const struct e1000_rx_wb *wb)
{
	struct e1000_queue_stats *qs = &a->qstats[r->index];
	bool copied = r->chain_copied;

	r->chain_copied = false;
	if (skb->len < ETH_HLEN || skb->len > e1000_rx_max_len(skb, READ_ONCE(a->netdev->mtu))) {
		r->sw->rx_length_errors++;
		r->sw->rx_dropped++;
		qs->rx_drops++;
		kfree_skb_reason(skb, skb->len < ETH_HLEN ? SKB_DROP_REASON_PKT_TOO_SMALL :
							  SKB_DROP_REASON_PKT_TOO_BIG);
		return;
	}
	if (copied)
		r->sw->rx_copied_frames++;
	else
		r->sw->rx_zc_frames++;
	if (bufs > 1) {
		r->sw->rx_multi_buf_frames++;
		r->sw->rx_multi_buf_bufs += bufs;
	}
	r->sw->rx_packets++;
	r->sw->rx_bytes += skb->len;
	qs->rx_packets++;
	qs->rx_bytes += skb->len;
	skb->rx_queue = r->index;       /* RPS/RFS use rx-N's settings */
	/* the chip's hash names a queue through RETA: it must be this one;
	 * it is the flow's hash for RPS too (rps_flow_hash) */
	if (wb->rss_type && a->rss_on) {
		skb->hash = wb->rss_hash ? wb->rss_hash : 1;
		if (e1000_rss_queue(a, wb->rss_hash) != r->index)
			qs->rss_mismatch++;
	}
	r->sw->rx_csum_offloaded += wb->csum_ok != 0;
	/* the tag the chip took out goes up beside the frame */
	if (wb->vlan) {
		__vlan_hwaccel_put_tag(skb, ETH_P_8021Q, wb->vlan_tci);
		r->sw->rx_vlan_stripped++;
	}
	if (likely(!e1000_fault_rx(a, r->sw, skb, wb->csum_ok)))
		netdev_rx(a->netdev, skb, wb->csum_ok);
}

/* a frame (or the rest of one) lost: counted once; true the first time */
static bool e1000_rx_drop(struct e1000_rx_ring *r, struct e1000_queue_stats *qs, bool eop)
{
	r->chain_copied = false;
	if (!rx_chain_drop(&r->chain, eop))
		return false;
	r->sw->rx_dropped++;
	qs->rx_drops++;
	return true;
}

/* One written descriptor, slot i: errors dropped and counted once per
 * frame, the buffer's piece taken (e1000_rx_take) and gathered by
 * r->chain until the frame's EOP, the whole frame delivered.  A frame
 * past any the MTU lets in is dropped before its end. */
static void e1000_rx_desc(struct e1000_adapter *a, struct e1000_rx_ring *r, u32 i,
			  const struct e1000_rx_wb *wb)
{
	struct e1000_queue_stats *qs = &a->qstats[r->index];
	/* the common case: a frame in one buffer, none being gathered; it
	 * goes up without the chain (e1000_rx_deliver checks its length) */
	bool whole = wb->eop && !r->chain.skb && !r->chain.dropping;
	struct sk_buff *skb;
	u16 bufs = 1;

	if (!whole)
		r->chain.max_len = READ_ONCE(a->netdev->mtu) + ETH_HLEN + VLAN_HLEN;
	if (unlikely(r->chain.dropping)) {
		/* the rest of a frame already dropped and counted */
		rx_chain_drop(&r->chain, wb->eop);
		return;
	}
	if (unlikely(wb->crc_err || wb->frame_err)) {
		r->sw->rx_crc_errors += wb->crc_err;
		r->sw->rx_frame_errors += wb->frame_err && !wb->crc_err;
		e1000_rx_drop(r, qs, wb->eop);
		return;
	}
	if (unlikely(wb->len > E1000_RX_BUF_SIZE)) {
		r->sw->rx_length_errors++;
		e1000_rx_drop(r, qs, wb->eop);
		return;
	}
	skb = e1000_rx_take(a, r, i, wb->len);
	if (unlikely(!skb)) {
		r->sw->rx_alloc_failed++;
		e1000_rx_drop(r, qs, wb->eop);
		return;
	}
	if (!whole) {
		if (rx_chain_add(&r->chain, skb)) {
			/* past the MTU before its end: the rest is not kept */
			r->sw->rx_length_errors++;
			e1000_rx_drop(r, qs, wb->eop);
		}
		if (!wb->eop)
			return;
		bufs = r->chain.bufs;
		skb = rx_chain_end(&r->chain);
		if (!skb)
			return;
	}
	e1000_rx_deliver(a, r, skb, bufs, wb);
}

/* receive up to budget descriptors; returns the descriptors consumed */
int e1000_clean_rx(struct e1000_adapter *a, int budget)
{
	return e1000_clean_rx_ring(a, &a->rx, budget);
}

int e1000_clean_rx_ring(struct e1000_adapter *a, struct e1000_rx_ring *r, int budget)
{
	/* LAB:BEGIN e1000-rx clean_rx */
	const struct e1000_ring_ops *ops = a->hw.chip->ring_ops;
	bool hw_csum = (a->hw.chip->flags & E1000_F_RX_CSUM) &&
		       (READ_ONCE(a->netdev->features) & NETIF_F_RXCSUM);
	u32 ntc = r->next_to_clean;
	int work = 0;

	while (work < budget) {
		void *d = desc_at(r->desc, ntc);
		struct e1000_rx_wb wb;

		if (!ops->rx_done(d) || unlikely(e1000_fault_dd_delay(a)))
			break;
		journey_mark_cpu(JOURNEY_RX_DRIVER);
		/* the device wrote the descriptor before DD: read it only now */
		rmb();
		ops->rx_parse(d, hw_csum, &wb);
		e1000_rx_desc(a, r, ntc, &wb);
		/* the slot's buffer (a fresh one if the frame went up in its
		 * own) goes back to the device */
		ops->rx_arm(d, r->buf[ntc]->dma);
		ntc = ring_next(ntc, r->count);
		work++;
	}
	if (ntc != r->next_to_clean) {
		r->next_to_clean = ntc;
		/* re-armed descriptors in memory before the tail moves over them;
		 * not once the receiver is off (see e1000_rx_configure) */
		wmb();
		if (!r->stopped && likely(!e1000_fault_rx_exhaust(a)))
			ew32(&a->hw, e1000_rx_tail_reg(&a->hw, r), (ntc + r->count - 1) % r->count);
	}
	return work;
	/* LAB:END */
}

bool e1000_rx_pending(const struct e1000_adapter *a)
{
	return e1000_rx_ring_pending(a, &a->rx);
}

bool e1000_rx_ring_pending(const struct e1000_adapter *a, const struct e1000_rx_ring *r)
{
	return r->desc && a->hw.chip->ring_ops->rx_done(desc_at(r->desc, r->next_to_clean));
}

u32 e1000_rx_ready(const struct e1000_adapter *a)
{
	const struct e1000_rx_ring *r = &a->rx;
	u32 i, n = 0;

	if (!READ_ONCE(a->running) || READ_ONCE(a->resetting) || !r->desc)
		return 0;
	/* one slot always stays unarmed (RDT = next_to_clean - 1) */
	for (i = r->next_to_clean; n + 1 < r->count; i = ring_next(i, r->count), n++)
		if (!a->hw.chip->ring_ops->rx_done(desc_at(r->desc, i)))
			break;
	return n;
}

/* the oldest queued frame has completed but is not cleaned yet */
bool e1000_tx_completed_pending(const struct e1000_adapter *a, const struct e1000_tx_ring *t)
{
	s32 last;

	if (!t->desc || t->next_to_clean == t->next_to_use)
		return false;
	last = t->slot[t->next_to_clean].last;
	return last >= 0 && a->hw.chip->ring_ops->tx_done(desc_at(t->desc, last));
}
