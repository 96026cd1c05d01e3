/* Receive-side scaling on the 82576 (QEMU -device igb) in MSI-X mode:
 * several RX queues, each with its own ring, NAPI instance and vector.
 *
 * Layout, as Linux's igb (igb_request_msix, igb_configure_msix): MSI-X
 * entry 0 takes the "other" causes (LSC) and is named after the device
 * ("eth0"); entry 1 + q is queue q's ("eth0-TxRx-q").  Queue 0 is the
 * adapter's own ring and NAPI (e1000_irq.c: e1000_intr, e1000_poll, which
 * also clean TX and follow the link); queues 1.. are here.  Their counters
 * and the ethtool ops on them (-S, -l/-L, -x/-X, -n/-N) are in
 * e1000_mq_ethtool.c; what the two files share, in e1000_mq.h.
 *
 * Transmit (XPS-like, as Linux's default when every CPU has its queue):
 * start_xmit on CPU c uses TX queue c mod the queues, queue 0 being the
 * adapter's own ring (a->tx, a->tx_lock).  Each TX queue q > 0 has its
 * ring, its lock, its counters, and its completions cleaned by queue q's
 * poll: IVAR routes TX queue q's write-back cause to queue q's vector, as
 * its RX cause.  Replies an rx_handler sends with NETDEV_TX_MORE from
 * queue q's poll on TX queue q (its CPU's, by default) share one tail
 * write at the poll's end, as queue 0's do (in_rx,
 * e1000_mq_flush_pending; tx_tail_batched counts them); any other send,
 * the stack's replies too, writes the tail at once.  The 82574 sends on
 * queue 0 only: its queue 1's poll does the same on queue 0's ring
 * (e1000_mq_tx0_in_poll, e1000_mq_flush_pending).  A ring is a FIFO the device
 * sends in order, so frames keep their order per queue (and per flow
 * while its sender stays on one CPU).  QEMU's igb sends a queue's
 * descriptors at its TDT write, only while TCTL.EN and TXDCTL(q).ENABLE
 * are set (igb_core.c igb_set_tdt -> igb_start_xmit, igb_tx_enabled), and
 * raises the cause of the queue's IVAR TX entry (igb_txdesc_writeback ->
 * igb_tx_wb_eic); reset leaves TXDCTL(1..15) disabled (igb_mac_reg_init).
 *
 * Interrupts (82576 8.8; QEMU igb_core.c, facts in the shared reference
 * qemu-multiqueue-offloads.md):
 *  - GPIE.MSIX_MODE routes each queue's cause through IVAR0 to an EICR
 *    bit = MSI-X entry (igb_rx_wb_eic); IVAR_MISC byte 1 the other causes.
 *  - EIAC covers every vector: QEMU clears the EICR bit after sending the
 *    message (igb_msix_notify), so no handler reads EICR (a read clears
 *    every vector's bit).  EIAM is not emulated: each handler masks its
 *    own bit with EIMC and the poll unmasks it with EIMS.
 *  - IMS holds LSC only: QEMU raises ICR.RXDW/TXDW for every frame, and
 *    with them in IMS the other vector would fire per frame.
 *  - RSS: MRQC.MRQE = 010b and RXCSUM.PCSD (QEMU computes no hash
 *    without PCSD, igb_rss_enabled); the queue is the low nibble of RETA
 *    byte (hash & 127); RXDCTL(q).ENABLE for q > 0 (reset leaves them off
 *    and QEMU drops, uncounted, a frame RSS sends to a disabled queue).
 *  - A full queue: QEMU's igb drops the frame RSS sends there, counting
 *    nothing but ICR.RXO, while another queue has room (igb_receive_internal;
 *    igb_can_receive looks at every queue).  Only when all are full is the
 *    backend held back.
 *
 * The 82574 (QEMU -device e1000e) has two RX queues, with the same layout
 * (entry 0 other, entry 1 queue 0 and TX, entry 2 queue 1) and these
 * differences (82574 10.2.4, 10.2.5; QEMU e1000e_core.c):
 *  - RSS needs RXCSUM.PCSD, MRQC.MRQE = 01b and RFCTL.EXTEN: the driver
 *    receives into extended descriptors on this chip (e1000_desc.c),
 *    whose write-back carries the hash (e1000e_rss_enabled,
 *    e1000e_write_ext_rx_descr).  QEMU hashes TCP/IPv4, IPv4, TCP/IPv6,
 *    IPv6 and never UDP ports (e1000e_rss_get_hash_type): ethtool -N
 *    udp4 sdfn is refused.  The queue is bit 7 of the RETA byte
 *    (E1000_RSS_QUEUE in hw/net/e1000_regs.h).
 *  - Queue events are ICR bits RXQ0/RXQ1/TXQ0 routed by the 4-bit IVAR
 *    fields; the other causes set ICR.OTHER (e1000e_raise_interrupts).
 *    EIAC holds the queue bits: QEMU clears them in ICR and in IMS as the
 *    message goes (e1000e_msix_notify_one, CTRL_EXT.IAME clear), so the
 *    vector is masked until the poll writes IMS; the poll acknowledges
 *    the queue's ICR bits first (they stay set while masked and would
 *    send a message for frames already taken, its handler finding nothing
 *    and leaving the vector masked).  The other vector's
 *    handler acknowledges ICR by writing its bits back: in MSI-X mode a
 *    read clears nothing while IMS is set (e1000e_mac_icr_read).
 *  - No queue enable bit (a ring is used when RDLEN > 0,
 *    e1000e_ring_enabled); a queue taken away gets RDLEN 0.
 *  - Head-of-line blocking: a frame whose RSS queue is full is not
 *    dropped but refused (e1000e_receive_internal returns 0, ICR.RXO), and
 *    QEMU's net layer then holds every later frame, whatever its queue,
 *    until a tail write (e1000e_set_rdt -> e1000e_start_recv).  One slow
 *    queue stalls the other; nothing is lost.
 *  - Linux's e1000e uses one RX queue, with vectors eth0-rx-0, eth0-tx-0
 *    and eth0 (e1000_request_msix); here the vectors are laid out and
 *    named as on the igb (eth0, eth0-TxRx-0, eth0-TxRx-1), queue 0's
 *    carrying TX as there. */
#include "drivers/net/e1000/e1000_mq.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/printk.h"
#include "kernel/random.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include "net/core/xmit.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define E1000_MQ_VEC_OTHER      0       /* MSI-X entry of the other causes */
#define E1000_MQ_TX_DRAIN_POLLS 1000    /* x 10 us for a TX queue to send what it holds */

static inline u16 e1000_mq_vec(unsigned int q)
{
	return (u16)(1 + q);
}

static inline struct e1000_hw *mq_hw(struct e1000_mq_queue *q)
{
	return &q->a->hw;
}

/* mask, unmask, raise the vector bits of queues: EIMC/EIMS/EICS on the
 * 82576, IMC/IMS/ICS on the 82574 */
static void mq_mask(struct e1000_hw *hw, u32 bits)
{
	ew32(hw, mq_icr(hw) ? E1000_IMC : E1000_EIMC, bits);
}

static void mq_unmask(struct e1000_hw *hw, u32 bits)
{
	/* 82574: causes that came while masked (the poll took their frames)
	 * are acknowledged first, or the IMS write sends a message for them,
	 * auto-masking the vector again, and its handler finds nothing to do
	 * and leaves it masked for good (see e1000_irq_enable) */
	if (mq_icr(hw))
		ew32(hw, E1000_ICR, bits);
	ew32(hw, mq_icr(hw) ? E1000_IMS : E1000_EIMS, bits);
}

static void mq_raise(struct e1000_hw *hw, u32 bits)
{
	ew32(hw, mq_icr(hw) ? E1000_ICS : E1000_EICS, bits);
}

/* the interrupt bits of queue q's vector */
static u32 mq_queue_bits(const struct e1000_hw *hw, unsigned int q)
{
	if (mq_icr(hw))
		return q ? E1000_ICR_RXQ1 : E1000_ICR_RXQ0 | E1000_ICR_TXQ0;
	return E1000_EICR_VEC(e1000_mq_vec(q));
}

/* queue n's RX ring registers: the 82576's blocks at 0xC000, the legacy
 * ones (82574: queue n at +n * 0x100) */
struct mq_rx_regs {
	u32 rdbal, rdbah, rdlen;        /* head and tail: e1000_rx_ring_place */
};

static struct mq_rx_regs mq_rx_regs(const struct e1000_hw *hw, unsigned int n)
{
	if (hw->chip->flags & E1000_F_ADV_DESC)
		return (struct mq_rx_regs){ E1000_ADV_RDBAL(n), E1000_ADV_RDBAH(n), E1000_ADV_RDLEN(n) };
	return (struct mq_rx_regs){ E1000_RDBAL(n), E1000_RDBAH(n), E1000_RDLEN(n) };
}

/* the bits of the vectors of queues 1.., which this file owns */
static u32 e1000_mq_eims_rest(const struct e1000_adapter *a)
{
	u32 m = 0;

	for (unsigned int q = 1; q < a->num_queues; q++)
		m |= mq_queue_bits(&a->hw, q);
	return m;
}

unsigned int e1000_rss_queue(const struct e1000_adapter *a, u32 hash)
{
	/* a->reta holds queue numbers; e1000_mq_setup_rss encodes them */
	return a->reta[hash % E1000_RETA_SIZE];
}

/* Linux's default table (igb_setup_mrqc): entry j to queue j * nq / 128,
 * contiguous blocks */
void e1000_mq_reta_default(struct e1000_adapter *a)
{
	for (unsigned int j = 0; j < E1000_RETA_SIZE; j++)
		a->reta[j] = (u8)(j * a->num_queues / E1000_RETA_SIZE);
}

/* a racy peek, as e1000_rx_ring_pending */
static bool e1000_mq_tx_pending(struct e1000_mq_queue *q)
{
	return READ_ONCE(q->tx_up) && e1000_tx_completed_pending(q->a, &q->tx);
}

/* frames the device sent on queue q's TX ring go back; a qdisc held back
 * by -EBUSY may go on.  A peek first: no lock taken for a poll with no
 * completion (and none ever on the 82574, whose queues 1.. have no TX
 * ring); one missed while start_xmit queues raises its own interrupt */
static void e1000_mq_clean_tx(struct e1000_mq_queue *q)
{
	int cleaned;

	if (!e1000_mq_tx_pending(q))
		return;
	spin_lock(&q->tx_lock);
	cleaned = q->tx_up ? e1000_clean_tx(q->a, &q->tx) : 0;
	spin_unlock(&q->tx_lock);
	if (cleaned)
		netif_tx_wake(q->a->netdev);
}

/* The 82574 (no TX queues but 0): TX completions of queue 0's ring,
 * taken by another queue's poll too (e1000_clean_tx0; a peek first, not
 * to contend for tx_lock with queue 0's poll for nothing):
 * the replies it sent from its CPU hold their received buffers (zero
 * copy) until cleaned, and queue 0's vector may be throttled (QEMU's
 * e1000e keeps EITR at 128 us at least, e1000e_set_eitr), so with one
 * cleaner the queue's refill pool ran out of spares and frames were
 * copied (test_zerocopy: 253 on e1000e) */
static void e1000_mq_clean_tx0(struct e1000_adapter *a)
{
	if (e1000_tx_completed_pending(a, &a->tx))
		e1000_clean_tx0(a);
}

/* The tail a queue's poll deferred on ring t (guarded by lock, usable
 * while *up), written once; a peek first: no lock for a poll that sent
 * nothing.  Ring t is the queue's own (e1000_mq_xmit), or on the 82574,
 * whose queues 1.. have no TX ring, queue 0's (an rx_handler's replies
 * with NETDEV_TX_MORE go there, e1000_start_xmit): both polls may defer
 * on it at once, each from its own CPU, and each writes whatever is
 * pending at its end, so none is left unwritten. */
static void e1000_mq_flush_pending(struct e1000_adapter *a, struct e1000_tx_ring *t,
				   struct spinlock *lock, const bool *up)
{
	if (!READ_ONCE(t->tail_pending))
		return;
	spin_lock(lock);
	if (*up && t->tail_pending)
		e1000_tx_flush_batch(a, t);
	spin_unlock(lock);
}

bool e1000_mq_tx0_in_poll(struct e1000_adapter *a, unsigned int cpu)
{
	for (unsigned int q = 1; q < READ_ONCE(a->num_queues) && q < E1000_MQ_MAX; q++)
		if (READ_ONCE(a->mq_q[q]->in_rx) == cpu + 1)
			return true;
	return false;
}

static int e1000_mq_poll(struct napi_struct *napi, int budget)
{
	struct e1000_mq_queue *q = container_of(napi, struct e1000_mq_queue, napi);
	struct e1000_adapter *a = q->a;
	int work;

	journey_mark_cpu(JOURNEY_RX_NAPI);
	a->qstats[q->index].polls++;
	e1000_mq_clean_tx(q);
	/* the batch goes up (what netif_receive_skb held too) while in_rx
	 * is set: an rx_handler's replies on this queue share one tail write */
	WRITE_ONCE(q->in_rx, smp_processor_id() + 1);
	work = e1000_clean_rx_ring(a, &q->rx, budget);
	netif_receive_skb_list_flush();
	WRITE_ONCE(q->in_rx, 0);
	if (e1000_mq_has_tx(&a->hw)) {
		e1000_mq_flush_pending(a, &q->tx, &q->tx_lock, &q->tx_up);
	} else {
		e1000_mq_flush_pending(a, &a->tx, &a->tx_lock, &a->tx_up);
		e1000_mq_clean_tx0(a);
	}
	if (work >= budget)
		return budget;          /* stay scheduled, vector masked */
	if (napi_complete_done(napi, work)) {
		mq_unmask(mq_hw(q), q->eims);
		/* a frame that came while masked raised no message */
		if ((e1000_rx_ring_pending(a, &q->rx) || e1000_mq_tx_pending(q)) &&
		    napi_schedule_prep(napi)) {
			mq_mask(mq_hw(q), q->eims);
			__napi_schedule(napi);
		}
	}
	return work;
}

bool e1000_mq_ring_intr(struct e1000_mq_queue *q)
{
	struct e1000_adapter *a = q->a;

	/* the 82574 masked it already (EIAC, IMS auto-clear) */
	mq_mask(&a->hw, q->eims);
	a->qstats[q->index].irqs++;
	if (!READ_ONCE(a->running))
		return true;            /* going down: stay masked */
	if (unlikely(e1000_fault_irq_lost(a))) {
		/* as queue 0's (e1000_intr): acknowledged and forgotten, the
		 * frames stay in the ring for this vector's next interrupt or
		 * the watchdog's kick (e1000_mq_watchdog_kick) */
		mq_unmask(&a->hw, q->eims);
		return true;
	}
	if (!READ_ONCE(napi_enabled)) {
		/* napi=off: one frame per interrupt, as queue 0 (e1000_irq.c) */
		journey_mark_cpu(JOURNEY_RX_IRQ);
		e1000_mq_clean_tx(q);
		e1000_clean_rx_ring(a, &q->rx, 1);
		mq_unmask(&a->hw, q->eims);
		if (e1000_rx_ring_pending(a, &q->rx))
			mq_raise(&a->hw, q->eims);
		return true;
	}
	/* the journey's RX_IRQ stamp only from an interrupt that starts a
	 * poll, as queue 0's (e1000_intr) */
	if (napi_schedule_prep(&q->napi)) {
		journey_mark_cpu(JOURNEY_RX_IRQ);
		__napi_schedule(&q->napi);
	}
	return true;
}

/* The watchdog (e1000_watchdog, which looks at queue 0): a queue with
 * frames or TX completions in its ring and no poll coming, an interrupt
 * lost, gets its vector raised (EICS/ICS) and irq_kicks counts it.  A
 * racy peek, as e1000_rx_ring_pending: a poll running on another CPU is
 * scheduled, and a kick that meets a poll which just took the frames
 * only sends a message whose poll finds nothing. */
void e1000_mq_watchdog_kick(struct e1000_adapter *a)
{
	u32 kick = 0;

	for (unsigned int i = 1; i < READ_ONCE(a->num_queues) && i < E1000_MQ_MAX; i++) {
		struct e1000_mq_queue *q = a->mq_q[i];

		if (!napi_is_scheduled(&q->napi) &&
		    (e1000_rx_ring_pending(a, &q->rx) || e1000_mq_tx_pending(q))) {
			a->sw.irq_kicks++;
			/* the 82574: a cause EIAC left masked ignores ICS
			 * (e1000_watchdog); the poll, from here, unmasks it */
			if (mq_icr(&a->hw))
				napi_schedule(&q->napi);
			else
				kick |= q->eims;
		}
	}
	if (kick)
		mq_raise(&a->hw, kick);
}

/* Entry 0: ICR (GPIE.NSICR clears it on read; the 82574 wants its
 * other causes written back, the queue bits left to their vectors) for
 * queue 0's poll, which follows the link (e1000_service) */
bool e1000_mq_other_intr(struct e1000_adapter *a)
{
	u32 icr = er32(&a->hw, E1000_ICR);

	if (icr == E1000_REG_GONE)
		return false;
	if (mq_icr(&a->hw)) {
		icr &= ~(E1000_ICR_RXQ0 | E1000_ICR_RXQ1 | E1000_ICR_TXQ0 | E1000_ICR_TXQ1);
		if (icr)
			ew32(&a->hw, E1000_ICR, icr);
	}
	if (!icr) {
		a->sw.irqs_not_ours++;
		return true;            /* our vector all the same (e1000_irq.c) */
	}
	__atomic_fetch_or(&a->icr_pending, icr, __ATOMIC_RELEASE);
	if (READ_ONCE(a->running) && napi_schedule_prep(&a->napi))
		__napi_schedule(&a->napi);
	return true;
}

int e1000_mq_init(struct e1000_adapter *a, unsigned int nq, unsigned int maxq)
{
	struct e1000_hw *hw = &a->hw;

	if (maxq < 1 || maxq > hw->chip->max_rss_queues || nq < 1 || nq > maxq)
		return -EINVAL;
	for (unsigned int i = 0; i < maxq; i++) {
		struct e1000_mq_queue *q = kzalloc(sizeof(*q));

		if (!q)
			return -ENOMEM;
		q->a = a;
		q->index = (u16)i;
		q->eims = mq_queue_bits(hw, i);
		q->tx_lock = (struct spinlock)SPINLOCK_INIT("e1000_mq_tx");
		snprintf(q->irq_name, sizeof(q->irq_name), "%s-TxRx-%u", a->netdev->name, (unsigned int)(u8)i);
		if (i)
			netif_napi_add(a->netdev, &q->napi, e1000_mq_poll);
		a->mq_q[i] = q;
	}
	hw->mq = true;
	hw->eims_rx0 = mq_queue_bits(hw, 0);
	/* what e1000_irq_disable/enable own: the other causes and queue 0 */
	hw->eims_main = mq_icr(hw) ? E1000_IMS_ENABLE_82574_MSIX
				   : E1000_EICR_VEC(E1000_MQ_VEC_OTHER) | hw->eims_rx0;
	hw->nvec = (u16)(nq + 1);
	a->max_queues = (u16)maxq;
	a->num_queues = (u16)nq;
	a->netdev->real_num_rx_queues = (u16)nq;       /* rx-0 .. rx-(nq-1) in sysfs */
	/* tx-0 .. tx-(nq-1) in sysfs when the chip sends on them all */
	a->netdev->real_num_tx_queues = e1000_mq_has_tx(hw) ? (u16)nq : 1;
	/* a random key, as Linux's netdev_rss_key_fill */
	get_random_bytes(a->rss_key, sizeof(a->rss_key));
	e1000_mq_reta_default(a);
	a->rss_fields = mq_icr(hw) ? E1000_MRQC_RSS_DEFAULT_82574 : E1000_MRQC_RSS_DEFAULT;
	return 0;
}

void e1000_mq_free(struct e1000_adapter *a)
{
	for (unsigned int i = 0; i < E1000_MQ_MAX; i++) {
		if (!a->mq_q[i])
			continue;
		if (i)
			netif_napi_del(&a->mq_q[i]->napi);
		kfree(a->mq_q[i]);
		a->mq_q[i] = NULL;
	}
	a->hw.mq = false;
}

struct e1000_mq_queue *e1000_mq_queue(struct e1000_adapter *a, unsigned int q)
{
	return q < E1000_MQ_MAX ? a->mq_q[q] : NULL;
}

const char *e1000_mq_irq_name(struct e1000_adapter *a, unsigned int q)
{
	return a->mq_q[q] ? a->mq_q[q]->irq_name : "?";
}

/* 82574 10.2.4.9 IVAR, 10.2.4.7 EIAC: RX queue q and (queue 0) TX to
 * entry 1 + q, the other causes to entry 0; the queue bits auto-clear
 * and auto-mask as their message goes (see the top of the file) */
static void e1000_mq_route_82574(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	u32 ivar = (E1000E_IVAR_VALID | e1000_mq_vec(0)) << E1000E_IVAR_RXQ0_SHIFT |
		   (E1000E_IVAR_VALID | e1000_mq_vec(0)) << E1000E_IVAR_TXQ0_SHIFT |
		   (E1000E_IVAR_VALID | E1000_MQ_VEC_OTHER) << E1000E_IVAR_OTHER_SHIFT;
	u32 eiac = E1000_ICR_RXQ0 | E1000_ICR_TXQ0;

	if (a->num_queues > 1) {
		ivar |= (E1000E_IVAR_VALID | e1000_mq_vec(1)) << E1000E_IVAR_RXQ1_SHIFT;
		eiac |= E1000_ICR_RXQ1;
	}
	ew32(hw, E1000_IVAR_82574, ivar);
	ew32(hw, E1000_EIAC_82574, eiac);
}

/* 82576 8.8.15, Linux igb_configure_msix / igb_assign_vector */
static void e1000_mq_route(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	u32 ivar[E1000_MQ_MAX] = { 0 };
	u32 eiac = E1000_EICR_VEC(E1000_MQ_VEC_OTHER);

	if (mq_icr(hw)) {
		e1000_mq_route_82574(a);
		return;
	}

	/* MSI-X mode first, or the other settings do not stick (Linux) */
	ew32(hw, E1000_GPIE, E1000_GPIE_MSIX_MODE | E1000_GPIE_PBA | E1000_GPIE_EIAME |
			     E1000_GPIE_NSICR);
	for (unsigned int q = 0; q < a->num_queues; q++) {
		ivar[q & 7] |= (u32)(E1000_IVAR_VALID | e1000_mq_vec(q)) << E1000_IVAR_RX_SHIFT(q);
		eiac |= E1000_EICR_VEC(e1000_mq_vec(q));
	}
	/* TX queue q on RX queue q's vector (Linux's TxRx pairs) */
	for (unsigned int q = 0; q < a->num_queues; q++)
		ivar[q & 7] |= (u32)(E1000_IVAR_VALID | e1000_mq_vec(q)) << E1000_IVAR_TX_SHIFT(q);
	for (unsigned int i = 0; i < E1000_MQ_MAX; i++)
		ew32(hw, E1000_IVAR0 + 4 * i, ivar[i]);
	ew32(hw, E1000_IVAR_MISC, (u32)(E1000_IVAR_VALID | E1000_MQ_VEC_OTHER) << E1000_IVAR_OTHER_SHIFT);
	ew32(hw, E1000_EIAC, eiac);
}

/* MRQC: RSS on, and the hashed fields */
static u32 e1000_mq_mrqc(const struct e1000_adapter *a)
{
	return (mq_icr(&a->hw) ? E1000_MRQC_ENABLE_RSS_82574 : E1000_MRQC_ENABLE_RSS_MQ) |
	       a->rss_fields;
}

/* MRQC as a->rss_staged says: while staged, the fields without RSS (every
 * frame to queue 0, igb_rss_enabled); rss_lock held */
void e1000_mq_write_mrqc(struct e1000_adapter *a)
{
	ew32(&a->hw, E1000_MRQC, a->rss_staged ? a->rss_fields : e1000_mq_mrqc(a));
}

/* 82576 7.1.2.8, Linux igb_setup_mrqc: key, table, fields; PCSD so that
 * the hash is computed and written back */
void e1000_mq_setup_rss(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	unsigned long irqf;

	for (unsigned int i = 0; i < E1000_RSS_KEY_SIZE / 4; i++) {
		const u8 *k = &a->rss_key[4 * i];

		ew32(hw, E1000_RSSRK(i), k[0] | (u32)k[1] << 8 | (u32)k[2] << 16 | (u32)k[3] << 24);
	}
	/* a byte per entry: the queue in its low nibble (82576) or bit 7 (82574) */
	unsigned int sh = mq_icr(hw) ? E1000_RETA_82574_QUEUE_SHIFT : 0;

	for (unsigned int i = 0; i < E1000_RETA_SIZE / 4; i++) {
		const u8 *r = &a->reta[4 * i];

		ew32(hw, E1000_RETA(i), (u32)(u8)(r[0] << sh) | (u32)(u8)(r[1] << sh) << 8 |
					(u32)(u8)(r[2] << sh) << 16 | (u32)(u8)(r[3] << sh) << 24);
	}
	ew32(hw, E1000_RXCSUM, er32(hw, E1000_RXCSUM) | E1000_RXCSUM_PCSD);
	irqf = spin_lock_irqsave(&a->rss_lock);
	e1000_mq_write_mrqc(a);
	spin_unlock_irqrestore(&a->rss_lock, irqf);
	a->rss_on = true;
}

/* Ring q > 0 with the receiver still off.  As e1000_rx_configure does for
 * queue 0, RDT is not written while the receiver is off (QEMU delivers
 * the frame it holds at any queue's RDT write, into a receiver that drops
 * it uncounted): the ring is placed around the tail left from before (0
 * after reset, inside the smallest ring after e1000_mq_rx_stop;
 * e1000_rx_ring_place), and one beyond the new ring is moved once the
 * receiver is on (e1000_mq_rx_place_late). */
static void e1000_mq_ring_configure(struct e1000_adapter *a, struct e1000_mq_queue *q)
{
	struct e1000_hw *hw = &a->hw;
	struct e1000_rx_ring *r = &q->rx;
	unsigned int n = q->index;
	struct mq_rx_regs rr = mq_rx_regs(hw, n);

	for (u32 i = 0; i < r->count; i++)
		hw->chip->ring_ops->rx_arm((u8 *)r->desc + (size_t)i * E1000_DESC_SIZE,
					   r->buf[i]->dma);
	rx_chain_reset(&r->chain);
	r->chain_copied = false;
	r->stopped = false;
	ew32(hw, rr.rdbal, (u32)r->desc_dma);
	ew32(hw, rr.rdbah, (u32)(r->desc_dma >> 32));
	ew32(hw, rr.rdlen, r->count * E1000_DESC_SIZE);
	if (hw->chip->flags & E1000_F_ADV_DESC)
		ew32(hw, E1000_SRRCTL(n), (E1000_RX_BUF_SIZE / E1000_SRRCTL_BSIZEPKT_UNIT) |
					  E1000_SRRCTL_DESCTYPE_ADV_ONEBUF | E1000_SRRCTL_DROP_EN);
	if (a->rss_staged)
		e1000_rx_ring_place_empty(hw, r);       /* opened by e1000_mq_rss_open */
	else
		e1000_rx_ring_place(hw, r);
	wmb();
	/* the 82576 uses a queue once enabled; the 82574 once RDLEN > 0 */
	if (hw->chip->flags & E1000_F_QUEUE_ENABLE)
		ew32(hw, E1000_ADV_RXDCTL(n), er32(hw, E1000_ADV_RXDCTL(n)) | E1000_XDCTL_ENABLE);
}

/* TX ring q > 0 (82576 4.5.10, Linux igb_configure_tx_ring): base,
 * length, head = tail = 0, then TXDCTL.ENABLE; the transmitter (TCTL.EN)
 * goes on with queue 0's (e1000_tx_configure) */
static void e1000_mq_tx_configure(struct e1000_adapter *a, struct e1000_mq_queue *q)
{
	struct e1000_hw *hw = &a->hw;
	struct e1000_tx_ring *t = &q->tx;
	unsigned int n = q->index;

	memset(t->desc, 0, (size_t)t->count * E1000_DESC_SIZE);
	t->next_to_use = t->next_to_clean = 0;
	t->ctx_key = 0;
	t->tail_pending = false;
	ew32(hw, E1000_ADV_TDBAL(n), (u32)t->desc_dma);
	ew32(hw, E1000_ADV_TDBAH(n), (u32)(t->desc_dma >> 32));
	ew32(hw, E1000_ADV_TDLEN(n), t->count * E1000_DESC_SIZE);
	ew32(hw, E1000_ADV_TDH(n), 0);
	ew32(hw, E1000_ADV_TDT(n), 0);
	ew32(hw, E1000_ADV_TXDCTL(n), er32(hw, E1000_ADV_TXDCTL(n)) | E1000_XDCTL_ENABLE);
}

int e1000_mq_up(struct e1000_adapter *a)
{
	unsigned int q;
	int rc = 0;

	for (q = 1; q < a->num_queues; q++) {
		struct e1000_mq_queue *mq = a->mq_q[q];

		rc = e1000_rx_ring_alloc(&mq->rx, a->rx_count, (u16)q);
		if (rc)
			goto err;
		mq->rx.sw = &mq->sw;
		rc = e1000_mq_has_tx(&a->hw) ? e1000_tx_ring_alloc(&mq->tx, a->tx_count, (u16)q, &mq->sw) : 0;
		if (rc) {
			e1000_rx_ring_free(&mq->rx);
			goto err;
		}
	}
	e1000_mq_route(a);
	/* staged from the first MRQC write on (see e1000_mq_rss_open) */
	a->rss_staged = a->rss_stage_next && a->hw.emulated && !mq_icr(&a->hw) &&
			a->num_queues > 1;
	a->rss_stage_next = false;
	a->rss_calm_polls = 0;
	a->rss_staged_polls = 0;
	a->rss_staged_ns = ktime_get_ns();
	e1000_mq_setup_rss(a);
	for (q = 1; q < a->num_queues; q++) {
		e1000_mq_ring_configure(a, a->mq_q[q]);
		if (e1000_mq_has_tx(&a->hw))
			e1000_mq_tx_configure(a, a->mq_q[q]);
	}
	e1000_flush(&a->hw);
	for (q = 1; q < a->num_queues; q++)
		napi_enable(&a->mq_q[q]->napi);
	return 0;
err:
	while (q-- > 1) {
		if (e1000_mq_has_tx(&a->hw))
			e1000_tx_ring_free(&a->mq_q[q]->tx);
		e1000_rx_ring_free(&a->mq_q[q]->rx);
	}
	return rc;
}

int e1000_mq_xmit(struct e1000_adapter *a, unsigned int qi, struct sk_buff *skb, unsigned int flags)
{
	struct e1000_mq_queue *q = a->mq_q[qi];
	/* as queue 0's: the qdisc keeps the frame during a reset */
	int rc = READ_ONCE(a->resetting) ? -EBUSY : -ENETDOWN;
	/* an rx_handler's reply with NETDEV_TX_MORE from this queue's poll
	 * on this CPU leaves the tail to the poll's end
	 * (e1000_mq_flush_pending), as queue 0's; any other send writes it
	 * now (the stack's replies, as in Linux; a thread's deferred tail,
	 * ndo_tx_flush, is queue 0's only) */
	bool in_poll = READ_ONCE(q->in_rx) == smp_processor_id() + 1;
	unsigned long irqf;

	if (!in_poll)
		flags &= ~NETDEV_TX_MORE;
	irqf = spin_lock_irqsave(&q->tx_lock);
	if (q->tx_up) {
		rc = e1000_xmit(a, &q->tx, skb, flags);
		if (!rc && (flags & NETDEV_TX_MORE))
			q->sw.tx_tail_batched++;
	}
	spin_unlock_irqrestore(&q->tx_lock, irqf);
	return rc;
}

unsigned int e1000_mq_tx_inflight(struct e1000_adapter *a, u64 *completed)
{
	unsigned int n = 0;

	for (unsigned int qi = 1; qi < READ_ONCE(a->num_queues) && qi < E1000_MQ_MAX; qi++) {
		struct e1000_mq_queue *q = a->mq_q[qi];
		u32 cnt = READ_ONCE(q->tx.count);

		*completed += READ_ONCE(q->sw.tx_packets);
		if (!READ_ONCE(q->tx_up) || !cnt)
			continue;
		n += (READ_ONCE(q->tx.next_to_use) + cnt - READ_ONCE(q->tx.next_to_clean)) % cnt;
	}
	return n;
}

unsigned int e1000_mq_tx_busy_queue(struct e1000_adapter *a,
				    const struct e1000_tx_ring **ring)
{
	for (unsigned int qi = 1; qi < READ_ONCE(a->num_queues) && qi < E1000_MQ_MAX; qi++) {
		const struct e1000_mq_queue *q = a->mq_q[qi];

		if (READ_ONCE(q->tx_up) && READ_ONCE(q->tx.count) &&
		    READ_ONCE(q->tx.next_to_use) != READ_ONCE(q->tx.next_to_clean)) {
			*ring = &q->tx;
			return qi;
		}
	}
	return 0;
}

/* Before the transmitter goes off (e1000_down): each TX queue q > 0 sends
 * what it holds (unless the device hung), is closed to start_xmit,
 * reclaimed, disabled and freed.  Process context. */
void e1000_mq_tx_down(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	for (unsigned int qi = 1; e1000_mq_has_tx(hw) && qi < a->num_queues; qi++) {
		struct e1000_mq_queue *q = a->mq_q[qi];
		unsigned long irqf;

		for (int i = 0; i < E1000_MQ_TX_DRAIN_POLLS && !a->tx_hung; i++) {
			if (er32(hw, E1000_ADV_TDH(qi)) == READ_ONCE(q->tx.next_to_use))
				break;
			udelay(10);
		}
		irqf = spin_lock_irqsave(&q->tx_lock);
		q->tx_up = false;
		e1000_clean_tx(a, &q->tx);
		spin_unlock_irqrestore(&q->tx_lock, irqf);
		ew32(hw, E1000_ADV_TXDCTL(qi), er32(hw, E1000_ADV_TXDCTL(qi)) & ~E1000_XDCTL_ENABLE);
		e1000_tx_ring_free(&q->tx);
	}
	e1000_flush(hw);
}

void e1000_mq_enable(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	u32 rest = e1000_mq_eims_rest(a), pending = 0;

	/* the TX queues open once the transmitter is on (e1000_tx_configure
	 * set TCTL.EN): QEMU sends nothing at a TDT write before */
	for (unsigned int q = 1; e1000_mq_has_tx(hw) && q < a->num_queues; q++) {
		unsigned long irqf = spin_lock_irqsave(&a->mq_q[q]->tx_lock);

		a->mq_q[q]->tx_up = true;
		spin_unlock_irqrestore(&a->mq_q[q]->tx_lock, irqf);
	}
	mq_unmask(hw, rest);
	/* frames that landed before the unmask raised nothing we saw */
	for (unsigned int q = 1; q < a->num_queues; q++)
		if (e1000_rx_ring_pending(a, &a->mq_q[q]->rx))
			pending |= a->mq_q[q]->eims;
	if (pending)
		mq_raise(hw, pending);
	e1000_flush(hw);
}

void e1000_mq_stop(struct e1000_adapter *a)
{
	mq_mask(&a->hw, e1000_mq_eims_rest(a));
	e1000_flush(&a->hw);
	for (unsigned int q = 1; q < a->num_queues; q++)
		napi_disable(&a->mq_q[q]->napi);
}

void e1000_mq_rx_stop(struct e1000_adapter *a)
{
	for (unsigned int q = 1; q < a->num_queues; q++)
		e1000_rx_ring_stop_tail(&a->hw, &a->mq_q[q]->rx);
}

void e1000_mq_rx_place_late(struct e1000_adapter *a)
{
	for (unsigned int q = 1; q < a->num_queues && !a->rss_staged; q++)
		e1000_rx_ring_place_late(&a->hw, &a->mq_q[q]->rx);
}

/* The backlog after a rebuild.  While the receiver is off, QEMU reads
 * nothing from its backend (e1000x_rx_ready in igb_can_receive) and the
 * host's tap queues the frames that keep coming; the RCTL.EN write that
 * starts the new rings (igb_set_rx_control -> igb_start_recv) lets QEMU
 * read them all at once, hundreds in a burst, faster than any poll.  With
 * RSS, QEMU's igb reads on while any enabled queue has a free descriptor
 * (igb_can_receive) and drops a frame whose own queue has none, counting
 * nothing (igb_receive_internal: ICR.RXO and the trace
 * e1000e_rx_not_written_to_guest): a burst larger than one queue's share
 * of the rings (a 64-descriptor ring takes 63) is lost in part, silently.
 * With one queue to fill QEMU holds instead: igb_can_receive is false
 * once it is full, the backend waits, nothing is lost.  So after a
 * rebuild (not at the first open) the emulated igb comes up staged:
 * MRQC without RSS (every frame to queue 0) and queues 1.. enabled but
 * empty (e1000_rx_ring_place_empty: no free descriptor, so QEMU counts
 * them as no room), and queue 0's poll opens them and turns RSS on once
 * E1000_MQ_CALM_POLLS polls in a row found at most a quarter of the
 * budget (a backlog fills the ring between two polls) and E1000_MQ_STAGE_MS
 * have passed since the rings came up (QEMU reads the backlog from its
 * main loop once the held frame went in, igb_start_recv ->
 * qemu_flush_queued_packets -> the tap's read handler on again: the
 * first polls may come before it started), or after
 * E1000_MQ_STAGED_POLLS polls whatever they found (a load the guest
 * cannot take: what the host had queued is long absorbed by then).  With
 * no traffic there is no poll: the watchdog (every DEV_WATCHDOG_PERIOD_MS)
 * opens them once E1000_MQ_STAGE_MS passed with nothing waiting in queue
 * 0's ring (e1000_mq_watchdog_staged).
 *
 * Opening cannot be one step: the queues' room and RSS are separate
 * writes, and QEMU's main loop reads the tap between any two of them.
 * With the queues open first and RSS still off, a frame goes to a queue
 * 0 the backlog may have filled again, and is dropped while the others
 * have room; with RSS first, to a queue still empty.  So the receiver
 * goes off for the few writes (QEMU holds, as in e1000_down: nothing is
 * read, igb_can_receive false), the queues open by their head alone (no
 * RDT write, which would hand QEMU's held frame to a receiver that is off:
 * e1000_rx_disable), RSS goes on, then the receiver (igb_set_rx_control ->
 * igb_start_recv delivers the held frame, with RSS).  A queue whose tail
 * lies beyond its ring is opened after that by e1000_rx_ring_place_late,
 * as at e1000_up: frames RSS sends it before are dropped, as there. */
#define E1000_MQ_CALM_POLLS     2
#define E1000_MQ_STAGE_MS       50
#define E1000_MQ_STAGED_POLLS   128

/* rss_lock held; queue 0's poll: the other polls stay as they are (their
 * rings got nothing while staged) */
static void e1000_mq_rss_open(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;
	bool late = false;

	e1000_write_rctl(hw, er32(hw, E1000_RCTL) & ~E1000_RCTL_EN);
	for (unsigned int q = 1; q < a->num_queues; q++)
		late |= !e1000_rx_ring_open_head(hw, &a->mq_q[q]->rx);
	a->rss_staged = false;
	e1000_mq_write_mrqc(a);
	e1000_write_rctl(hw, er32(hw, E1000_RCTL) | E1000_RCTL_EN);
	if (late)
		e1000_mq_rx_place_late(a);
	e1000_flush(hw);
	a->sw.rss_staged_opens++;
}

void e1000_mq_poll_staged(struct e1000_adapter *a, int work, int budget)
{
	unsigned long irqf = spin_lock_irqsave(&a->rss_lock);

	if (a->rss_staged) {
		bool settled = ktime_get_ns() - a->rss_staged_ns >= E1000_MQ_STAGE_MS * NSEC_PER_MSEC;

		a->rss_calm_polls = work <= budget / 4 ? a->rss_calm_polls + 1 : 0;
		if ((settled && a->rss_calm_polls >= E1000_MQ_CALM_POLLS) ||
		    ++a->rss_staged_polls >= E1000_MQ_STAGED_POLLS)
			e1000_mq_rss_open(a);
	}
	spin_unlock_irqrestore(&a->rss_lock, irqf);
}

void e1000_mq_watchdog_staged(struct e1000_adapter *a)
{
	unsigned long irqf = spin_lock_irqsave(&a->rss_lock);

	if (a->rss_staged && !e1000_rx_pending(a) &&
	    ktime_get_ns() - a->rss_staged_ns >= E1000_MQ_STAGE_MS * NSEC_PER_MSEC)
		e1000_mq_rss_open(a);
	spin_unlock_irqrestore(&a->rss_lock, irqf);
}

/* what the device stored goes up (the receiver is off), then the queue
 * is disabled and its ring freed; its tail stays where it was, and the
 * next up places the ring around it */
void e1000_mq_down(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	for (unsigned int q = 1; q < a->num_queues; q++) {
		struct e1000_rx_ring *r = &a->mq_q[q]->rx;

		r->stopped = true;
		local_bh_disable();
		while (e1000_clean_rx_ring(a, r, (int)r->count) > 0)
			;
		local_bh_enable();
		if (hw->chip->flags & E1000_F_QUEUE_ENABLE)
			ew32(hw, E1000_ADV_RXDCTL(q), er32(hw, E1000_ADV_RXDCTL(q)) & ~E1000_XDCTL_ENABLE);
		else
			ew32(hw, mq_rx_regs(hw, q).rdlen, 0);   /* 82574: no ring */
		e1000_rx_ring_free(r);
	}
	e1000_flush(hw);
}
