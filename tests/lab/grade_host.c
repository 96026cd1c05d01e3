/* The lab grader's host part (docs/LAB.md): the graded tree's e1000 driver
 * against the fake NIC (tests/unit/fake_e1000.c), one 82540EM, rings of
 * GRADE_RING descriptors, staged tests with points.
 *
 * Every register access goes through the linker's --wrap of
 * e1000_test_read32/e1000_test_write32 (the fake's entry points), so the
 * grader keeps a log of them and checks each tail write at the moment it
 * happens, as the device would see it: the value, and the descriptors it
 * hands over.  e1000_clean_tx/e1000_clean_rx are wrapped as well, to
 * compare what they consumed with the DD bits the device had written.
 * A check that fails prints a BUG line naming the likely mistake, then the
 * evidence: the register writes and descriptor states around it.
 *
 * A write barrier missing before a tail write cannot be observed here
 * (nor on x86 hardware: stores are not reordered with later stores, and
 * the compiler does not move them past the opaque call to the fake's
 * write): tools/lab/grade.py looks for it in the source instead.
 *
 * Each stage runs in a child process (a crash or a hang costs that stage
 * only) and prints:
 *   STAGE <id> <points> <title>
 *   ... explanations, BUG <id> <message>, |  evidence ...
 *   RESULT <id> pass|fail
 * usage: grade_host [stage...]   (LAB_SEED=n: the stress stage's seed) */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fake_e1000.h"
#include "host_stubs.h"
#include "kernel/errno.h"
#include "kernel/softirq.h"
#include "net/core/dev.h"
#include "net/core/napi.h"
#include "net/core/skbuff.h"

#define R(off) fake.regs[(off) / 4]
#define GRADE_RING      64              /* E1000_RING_MIN: the smallest ring the driver takes */
#define GRADE_HOLD      8               /* received skbs the "stack" keeps a while */
#define GRADE_LOG       48              /* register accesses kept for the evidence */
#define GRADE_STAGE_SEC 4               /* a stage takes well under 1 s: longer is a hang */
#define FRAME_TYPE      0x88B5

static const u8 nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8 peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

static struct net_device *dev;
static struct e1000_adapter *ad;
static bool failed;
static bool hinted;                     /* a "start with" message was given */
static unsigned int xmit_tries, rx_tries;
static u32 rx_first;                    /* next_to_clean after bring-up */

/* ---- reporting ---- */

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	failed = true;
	va_start(ap, fmt);
	printf("  FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static char bugs_seen[16][24];
static int nbugs;

static void show_log(void);

/* the likely mistake, once per stage, with the register log as evidence */
static bool bug(const char *id, const char *fmt, ...)
{
	va_list ap;

	failed = true;
	for (int i = 0; i < nbugs; i++)
		if (!strcmp(bugs_seen[i], id))
			return false;
	if (nbugs < 16)
		snprintf(bugs_seen[nbugs++], sizeof(bugs_seen[0]), "%s", id);
	va_start(ap, fmt);
	printf("BUG %s ", id);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	show_log();
	fflush(stdout);
	return true;
}

static void evidence(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("  |   ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* ---- the register log (--wrap of the fake's entry points) ---- */

u32 __real_e1000_test_read32(struct e1000_hw *hw, u32 reg);
void __real_e1000_test_write32(struct e1000_hw *hw, u32 reg, u32 val);
u32 __wrap_e1000_test_read32(struct e1000_hw *hw, u32 reg);
void __wrap_e1000_test_write32(struct e1000_hw *hw, u32 reg, u32 val);
int __real_e1000_clean_tx(struct e1000_adapter *a);
int __wrap_e1000_clean_tx(struct e1000_adapter *a);
int __real_e1000_clean_rx(struct e1000_adapter *a, int budget);
int __wrap_e1000_clean_rx(struct e1000_adapter *a, int budget);

static struct {
	unsigned long seq;
	bool write;
	u32 reg, val;
} reglog[GRADE_LOG];
static unsigned long reglog_n;
static unsigned int icr_reads, icr_writes;

static const char *reg_name(u32 reg)
{
	static char buf[16];

	switch (reg) {
	case E1000_TDBAL(0): return "TDBAL";
	case E1000_TDBAH(0): return "TDBAH";
	case E1000_TDLEN(0): return "TDLEN";
	case E1000_TDH(0):   return "TDH";
	case E1000_TDT(0):   return "TDT";
	case E1000_RDBAL(0): return "RDBAL";
	case E1000_RDBAH(0): return "RDBAH";
	case E1000_RDLEN(0): return "RDLEN";
	case E1000_RDH(0):   return "RDH";
	case E1000_RDT(0):   return "RDT";
	case E1000_TCTL:     return "TCTL";
	case E1000_RCTL:     return "RCTL";
	case E1000_ICR:      return "ICR";
	case E1000_ICS:      return "ICS";
	case E1000_IMS:      return "IMS";
	case E1000_IMC:      return "IMC";
	case E1000_ITR:      return "ITR";
	}
	snprintf(buf, sizeof(buf), "0x%05x", reg);
	return buf;
}

/* the registers worth showing: rings, interrupts, receive/transmit control */
static bool reg_logged(u32 reg)
{
	return (reg >= E1000_RDBAL(0) && reg <= E1000_RDT(0)) ||
	       (reg >= E1000_TDBAL(0) && reg <= E1000_TDT(0)) ||
	       reg == E1000_TCTL || reg == E1000_RCTL || reg == E1000_ICR || reg == E1000_ICS ||
	       reg == E1000_IMS || reg == E1000_IMC;
}

static void log_access(bool write, u32 reg, u32 val)
{
	unsigned long i = reglog_n++ % GRADE_LOG;

	reglog[i].seq = reglog_n;
	reglog[i].write = write;
	reglog[i].reg = reg;
	reglog[i].val = val;
}

/* the last accesses, oldest first (the tail and head registers, ICR) */
static void show_log(void)
{
	unsigned long from = reglog_n > 12 ? reglog_n - 12 : 0;

	if (!reglog_n)
		return;
	evidence("last register accesses (#, r/w, register, value):");
	for (unsigned long s = from; s < reglog_n; s++) {
		unsigned long i = s % GRADE_LOG;

		evidence("  #%-5lu %s %-6s %u (0x%x)", reglog[i].seq, reglog[i].write ? "w" : "r",
			 reg_name(reglog[i].reg), reglog[i].val, reglog[i].val);
	}
}

static struct e1000_tx_desc *txd(u32 i)
{
	return (struct e1000_tx_desc *)ad->tx.desc + i;
}

static struct e1000_rx_desc *rxd_of(const struct e1000_adapter *a, u32 i)
{
	return (struct e1000_rx_desc *)a->rx.desc + i;
}

static struct e1000_rx_desc *rxd(u32 i)
{
	return rxd_of(ad, i);
}

static void show_txd(u32 i)
{
	struct e1000_tx_desc *d = txd(i);

	evidence("TX descriptor %2u: buffer 0x%012llx length %4u cmd 0x%02x%s%s%s status 0x%x%s", i,
		 (unsigned long long)d->buffer_addr, d->lower & 0xFFFF, d->lower >> 24,
		 (d->lower & E1000_TXD_CMD_EOP) ? " EOP" : "", (d->lower & E1000_TXD_CMD_RS) ? " RS" : "",
		 (d->lower & E1000_TXD_CMD_IFCS) ? " IFCS" : "", d->upper & 0xF,
		 (d->upper & E1000_TXD_STAT_DD) ? " DD" : "");
}

static void show_rxd(u32 i)
{
	struct e1000_rx_desc *d = rxd(i);

	evidence("RX descriptor %2u: buffer 0x%012llx length %4u status 0x%02x%s; slot buffer 0x%012llx", i,
		 (unsigned long long)d->buffer_addr, d->length, d->status,
		 (d->status & E1000_RXD_STAT_DD) ? " DD" : "",
		 ad->rx.buf && ad->rx.buf[i] ? (unsigned long long)ad->rx.buf[i]->dma : 0ULL);
}

/* ---- what the "stack" holds: received skbs kept a while ---- */

static struct {
	struct sk_buff *skb;
	u32 seq;
	u8 *data;
	unsigned int len;
} held[GRADE_HOLD];
static unsigned int nheld;

static u8 pattern(u32 seq, unsigned int k)
{
	return (u8)(seq * 7 + k * 13);
}

static void make_frame(u8 *f, unsigned int len, u32 seq, const u8 *dst, const u8 *src)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = FRAME_TYPE >> 8;
	f[13] = FRAME_TYPE & 0xFF;
	memcpy(f + 14, &seq, sizeof(seq));
	for (unsigned int k = 18; k < len; k++)
		f[k] = pattern(seq, k);
}

/* the frame's content is what make_frame wrote for its own sequence number */
static bool frame_intact(const u8 *f, unsigned int len, u32 *seq)
{
	memcpy(seq, f + 14, sizeof(*seq));
	if (len < 18 || f[12] != FRAME_TYPE >> 8 || f[13] != (FRAME_TYPE & 0xFF))
		return false;
	for (unsigned int k = 18; k < len; k++)
		if (f[k] != pattern(*seq, k))
			return false;
	return true;
}

/* a held skb still holds its frame; if not, a later receive wrote over it */
static void check_held(unsigned int i)
{
	u32 seq;

	if (!frame_intact(held[i].data, held[i].len, &seq) || seq != held[i].seq)
		bug("rx-buf-in-use", "frame #%u changed while the stack still held its skb (it now reads "
		    "as #%u): the buffer went up in the skb and was given to the device again, which "
		    "wrote a later frame over it", held[i].seq, seq);
}

static void release_held(void)
{
	for (unsigned int i = 0; i < nheld; i++) {
		check_held(i);
		kfree_skb(held[i].skb);
	}
	nheld = 0;
}

/* a held skb whose data lies in the buffer at bus address a */
static int held_at(u64 a)
{
	for (unsigned int i = 0; i < nheld; i++) {
		u64 d = (u64)(uintptr_t)held[i].data;

		if (d >= a && d < a + E1000_RX_BUF_SIZE)
			return (int)i;
	}
	return -1;
}

static struct {
	u32 next, n, bad, dup_or_gap;
	bool echo;                      /* rx-while-tx: nothing special, counted */
} rx;

static int grade_rx(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	u32 seq;

	(void)d;
	(void)flags;
	if (!frame_intact(skb->data, skb->len, &seq)) {
		if (!rx.bad++)
			bug("rx-bad-frame", "the stack got a frame of %u bytes that is not the one the device "
			    "received (sequence field %u): e1000_rx_deliver/e1000_clean_rx passed up the "
			    "wrong buffer or length", skb->len, seq);
		kfree_skb(skb);
		return 0;
	}
	if (seq != rx.next && !rx.dup_or_gap++)
		bug(seq < rx.next ? "rx-duplicate" : "rx-gap", "the stack got frame #%u where #%u was "
		    "next: %s", seq, rx.next, seq < rx.next ? "a frame came up twice (a descriptor taken "
		    "again although the device had not refilled it)" : "frames were lost");
	rx.next = seq + 1;
	rx.n++;
	if (nheld == GRADE_HOLD) {
		check_held(0);
		kfree_skb(held[0].skb);
		memmove(&held[0], &held[1], sizeof(held[0]) * (GRADE_HOLD - 1));
		nheld--;
	}
	held[nheld].skb = skb;
	held[nheld].seq = seq;
	held[nheld].data = skb->data;
	held[nheld].len = skb->len;
	nheld++;
	return 0;
}

/* ---- checks at the tail writes: what the device sees at that moment ---- */

static u32 tx_outstanding(void)
{
	u32 n = 0;

	for (u32 i = 0; ad && ad->tx.slot && i < ad->tx.count; i++)
		if (ad->tx.slot[i].skb && ad->tx.slot[i].last >= 0 &&
		    !(txd((u32)ad->tx.slot[i].last)->upper & E1000_TXD_STAT_DD))
			n++;
	return n;
}

static void check_tdt(u32 val)
{
	u32 n = R(E1000_TDLEN(0)) / E1000_DESC_SIZE, head = R(E1000_TDH(0)), old = R(E1000_TDT(0));
	u32 ntu = ad->tx.next_to_use;

	if (val == old && val == ntu)
		return;                 /* nothing handed over (initialization) */
	if (!n || !(R(E1000_TCTL) & E1000_TCTL_EN)) {
		bug("tx-not-configured", "TDT was written %u while %s: the transmit ring was never set up "
		    "(e1000_tx_configure, SDM 14.5: TDBAL/TDBAH, TDLEN in bytes, TDH = TDT = 0, TCTL.EN)",
		    val, !n ? "TDLEN is 0" : "TCTL.EN is clear");
		return;
	}
	if (val != ntu) {
		if (val && val % E1000_DESC_SIZE == 0 && val / E1000_DESC_SIZE == ntu)
			bug("tdt-bytes", "TDT was written %u (a byte offset?) -- the ring has %u descriptors, so "
			    "TDT must be an index below %u: the index of the next descriptor to fill, %u "
			    "(%u x %u bytes = %u). SDM 3.4, 13.4.41", val, n, n, ntu, ntu,
			    E1000_DESC_SIZE, val);
		else if (val >= n)
			bug("tdt-range", "TDT was written %u, but the ring has %u descriptors: TDT is an index "
			    "below %u (the next descriptor to fill: %u)", val, n, n, ntu);
		else
			bug("tdt-wrong", "TDT was written %u, but the next descriptor software fills is %u "
			    "(next_to_use): TDT must point just past the last descriptor filled", val, ntu);
		return;
	}
	if (val == head && val != old && tx_outstanding()) {
		bug("tx-ring-overflow", "the tail caught the head: TDT was written %u, equal to TDH, with %u "
		    "frames queued and not sent -- the device takes TDH == TDT for an empty ring and "
		    "sends none of them. One descriptor must always stay unused (e1000_tx_unused), so "
		    "a full ring answers -EBUSY instead (SDM 3.4)", val, tx_outstanding());
		evidence("next_to_clean %u, next_to_use %u, ring of %u", ad->tx.next_to_clean, ntu, n);
		return;
	}
	/* the descriptors handed over now: [old, val) */
	for (u32 i = old; i != val && i < n; i = (i + 1) % n) {
		struct e1000_tx_desc *d = txd(i);

		if (d->upper & E1000_TXD_STAT_DD) {
			if (bug("tx-dd-stale", "TX descriptor %u was handed to the device (TDT %u -> %u) with "
				"STATUS.DD already set: it still says \"done\" from the frame sent in it "
				"before, so e1000_clean_tx will free this frame before it is sent. Clear the "
				"status when filling a descriptor (legacy_tx_data, SDM 3.3.3)", i, old, val))
				show_txd(i);
			return;
		}
		if (!d->buffer_addr || !(d->lower & 0xFFFF)) {
			if (bug("tx-desc-empty", "TX descriptor %u was handed to the device (TDT %u -> %u) "
				"with buffer 0x%llx and length %u: legacy_tx_data did not fill it (SDM "
				"3.3.3: buffer address, length, CMD)", i, old, val,
				(unsigned long long)d->buffer_addr, d->lower & 0xFFFF))
				show_txd(i);
			return;
		}
	}
	if (val != old) {
		struct e1000_tx_desc *d = txd((val + n - 1) % n);

		if ((d->lower & (E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS)) !=
		    (E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS))
			if (bug("tx-no-eop-rs", "the frame's last TX descriptor (%u) lacks %s: without EOP the "
				"device waits for more of the frame, without RS it never writes DD back "
				"(SDM 3.3.3.1)", (val + n - 1) % n,
				(d->lower & E1000_TXD_CMD_EOP) ? "RS" : "EOP"))
				show_txd((val + n - 1) % n);
	}
}

static void check_rdt(u32 val)
{
	u32 n = R(E1000_RDLEN(0)) / E1000_DESC_SIZE, head = R(E1000_RDH(0)), old = R(E1000_RDT(0));
	u32 want;

	if (!n || !ad->rx.buf || ad->rx.count != n)
		return;                 /* rx_configure: the ring is being set up */
	want = (ad->rx.next_to_clean + n - 1) % n;
	if (val >= n) {
		if (val % E1000_DESC_SIZE == 0 && val / E1000_DESC_SIZE == want)
			bug("rdt-bytes", "RDT was written %u (a byte offset?) -- the ring has %u descriptors, "
			    "so RDT must be an index below %u: the descriptor before next_to_clean, %u. "
			    "SDM 3.2.6, 13.4.28", val, n, n, want);
		else
			bug("rdt-range", "RDT was written %u, but the ring has %u descriptors: RDT is an index "
			    "below %u (here %u, the descriptor before next_to_clean)", val, n, n, want);
		return;
	}
	if (val == ad->rx.next_to_clean && val != want)
		bug("rx-tail-on-next", "RDT was written %u, the descriptor software looks at next: the "
		    "device may fill it while the driver reads it, and RDT == RDH reads as \"no free "
		    "descriptor\". Keep RDT = next_to_clean - 1 (%u)", val, want);
	/* the descriptors the device owns after the write: [head, val) */
	for (u32 i = head; i != val; i = (i + 1) % n) {
		struct e1000_rx_desc *d = rxd(i);
		u64 slot = ad->rx.buf[i] ? ad->rx.buf[i]->dma : 0;
		int h = held_at(d->buffer_addr);

		if (d->status & E1000_RXD_STAT_DD) {
			if (bug("rx-dd-stale", "RX descriptor %u was given back to the device (RDT %u -> %u) "
				"with STATUS.DD still set: e1000_clean_rx will take it for a new frame when it "
				"comes round again, before the device wrote one. Clear the status when "
				"re-arming (legacy_rx_arm, SDM 3.2.3)", i, old, val))
				show_rxd(i);
			return;
		}
		if (d->buffer_addr != slot) {
			if (bug("rx-not-rearmed", "RX descriptor %u was given back to the device with buffer "
				"0x%llx, but its slot's buffer is now 0x%llx%s: the descriptor was not re-armed "
				"with the slot's (new) buffer (ops->rx_arm(d, r->buf[i]->dma), SDM 3.2.3)", i,
				(unsigned long long)d->buffer_addr, (unsigned long long)slot,
				h >= 0 ? " -- the old one went up the stack inside an skb, which still reads it" : ""))
				show_rxd(i);
			return;
		}
		if (h >= 0) {
			if (bug("rx-buf-in-use", "RX descriptor %u was given back to the device with buffer "
				"0x%llx, which the skb of frame #%u still points at: the frame went up in that "
				"buffer (e1000_rx_pool_lend) but the slot kept it, so the device will write "
				"the next frame over data the stack is reading. The slot takes the spare "
				"(r->buf[i] = spare)", i, (unsigned long long)d->buffer_addr, held[h].seq))
				show_rxd(i);
			return;
		}
	}
}

u32 __wrap_e1000_test_read32(struct e1000_hw *hw, u32 reg)
{
	u32 v = __real_e1000_test_read32(hw, reg);

	if (reg == E1000_ICR)
		icr_reads++;
	if (reg_logged(reg))
		log_access(false, reg, v);
	return v;
}

void __wrap_e1000_test_write32(struct e1000_hw *hw, u32 reg, u32 val)
{
	if (reg_logged(reg))
		log_access(true, reg, val);
	if (reg == E1000_ICR)
		icr_writes++;
	if (ad && reg == E1000_TDT(0))
		check_tdt(val);
	if (ad && reg == E1000_RDT(0))
		check_rdt(val);
	__real_e1000_test_write32(hw, reg, val);
}

/* the frames whose last descriptor the device has written DD into */
static int tx_ready(const struct e1000_adapter *a)
{
	const struct e1000_tx_ring *t = &a->tx;
	u32 i = t->next_to_clean;
	int n = 0;

	while (i != t->next_to_use && t->slot[i].last >= 0 &&
	       (((struct e1000_tx_desc *)t->desc)[t->slot[i].last].upper & E1000_TXD_STAT_DD)) {
		i = ((u32)t->slot[i].last + 1) % t->count;
		n++;
	}
	return n;
}

int __wrap_e1000_clean_tx(struct e1000_adapter *a)
{
	int ready = a->tx.desc ? tx_ready(a) : 0;
	u32 ntc = a->tx.next_to_clean;
	int done = __real_e1000_clean_tx(a);

	if (done > ready) {
		s32 last = a->tx.slot[(ntc + (u32)ready) % a->tx.count].last;

		if (bug("tx-dd-unchecked", "e1000_clean_tx reclaimed %d frames, but the device had written "
			"DD back for only %d: it freed frames the device had not sent yet (their skbs and "
			"descriptors are reused while the device still reads them). Stop at the first "
			"frame whose last descriptor has no STATUS.DD (SDM 3.3.3.2)", done, ready) && last >= 0)
			show_txd((u32)last);
	}
	return done;
}

int __wrap_e1000_clean_rx(struct e1000_adapter *a, int budget)
{
	struct e1000_rx_ring *r = &a->rx;
	u32 ntc = r->next_to_clean, ready = 0;
	u8 first_status = 0;
	int work;

	if (!r->desc)
		return __real_e1000_clean_rx(a, budget);
	while (ready + 1 < r->count && (rxd_of(a, (ntc + ready) % r->count)->status & E1000_RXD_STAT_DD))
		ready++;
	first_status = rxd_of(a, (ntc + ready) % r->count)->status;
	work = __real_e1000_clean_rx(a, budget);
	if (work > (int)ready)
		bug("rx-dd-unchecked", "e1000_clean_rx consumed %d descriptors, but only %u had STATUS.DD "
		    "set: descriptor %u (status 0x%02x, DD clear) was taken although the device had not "
		    "written a frame into it. Stop at the first descriptor without DD (SDM 3.2.3.1)",
		    work, ready, (ntc + ready) % r->count, first_status);
	return work;
}

/* ---- bring-up, interrupts, the device's side ---- */

static bool up(void)
{
	int rc;

	fake_init(&e1000_chip_82540em, nic_mac);
	memset(&rx, 0, sizeof(rx));
	nheld = 0;
	hinted = false;
	xmit_tries = rx_tries = 0;
	if (net_dev_init())
		return false;
	dev = alloc_netdev(sizeof(struct e1000_adapter));
	if (!dev || e1000_adapter_init(dev, &e1000_chip_82540em, (volatile u8 *)fake.regs, false) ||
	    register_netdev(dev)) {
		fail("the e1000 adapter could not be set up on the fake NIC (not the lab's part)");
		return false;
	}
	ad = netdev_priv(dev);
	ad->rx_count = GRADE_RING;
	ad->tx_count = GRADE_RING;
	dev->rx_handler = grade_rx;
	rc = netdev_open(dev);
	if (rc) {
		fail("netdev_open returned %d", rc);
		return false;
	}
	rx_first = ad->rx.next_to_clean;
	return true;
}

static void drain_softirqs(void)
{
	for (int i = 0; i < 1000 && ksoftirqd_run(); i++)
		;
}

static bool irq_ours;

static void irq_fn(void *ctx)
{
	irq_ours = e1000_intr(ctx);
}

/* the interrupt line: asserted while ICR & IMS; at most a few rounds */
static void service(void)
{
	for (int k = 0; k < 6; k++) {
		u32 pend = R(E1000_ICR) & R(E1000_IMS);
		unsigned int reads = icr_reads, writes = icr_writes;

		if (!pend)
			break;
		host_irq_simulate(irq_fn, ad);
		drain_softirqs();
		if (!irq_ours) {
			bug("irq-not-claimed", "e1000_intr returned false (\"not my interrupt\") while ICR held "
			    "0x%x with those causes enabled in IMS: the interrupt is left unhandled (start "
			    "with e1000_intr: read ICR, SDM 13.4.17)", pend);
			break;
		}
		if (icr_reads == reads && icr_writes == writes && (R(E1000_ICR) & pend)) {
			bug("icr-not-read", "the interrupt handler neither read nor acknowledged ICR: the "
			    "cause 0x%x is still pending after it returned, so the line stays asserted "
			    "(an interrupt storm on INTx; on MSI no new interrupt). Read ICR (clear on "
			    "read, SDM 13.4.17) or write the causes back (write 1 to clear)", pend);
			break;
		}
	}
	drain_softirqs();
}

/* the device receives one frame, unless the descriptor at its head has
 * no buffer (it would DMA to address 0): 0, or nonzero refused */
static int guarded_rx(const u8 *f, unsigned int len, unsigned int flags)
{
	u32 n = R(E1000_RDLEN(0)) / E1000_DESC_SIZE, h = R(E1000_RDH(0));

	if (n && h < n && h != R(E1000_RDT(0)) && !rxd(h)->buffer_addr) {
		if (bug("rx-desc-empty", "RX descriptor %u, which the device owns (RDH %u, RDT %u), has "
			"buffer address 0: the device would write the frame to address 0. Every "
			"descriptor given to the device is armed with its slot's buffer (legacy_rx_arm, "
			"SDM 3.2.3)", h, h, R(E1000_RDT(0))))
			show_rxd(h);
		return -EFAULT;
	}
	rx_tries++;
	return fake_rx(f, len, flags);
}

/* the device receives count frames (seq first, first + 1, ...); returns how
 * many it took (a full ring refuses the rest, as hardware does) */
static u32 device_rx(u32 first, u32 count, unsigned int len)
{
	u8 f[2048];
	u32 k;

	for (k = 0; k < count; k++) {
		make_frame(f, len, first + k, nic_mac, peer_mac);
		if (guarded_rx(f, len, 0))
			break;
	}
	return k;
}

static u32 tx_seen;                     /* frames the device sent, checked in order */

/* the device sends up to max frames; each checked against the next seq */
static u32 device_tx(u32 max)
{
	u32 sent = 0, seq;

	while (sent < max) {
		u32 h = R(E1000_TDH(0));

		if (R(E1000_TDLEN(0)) && h != R(E1000_TDT(0)) && !txd(h)->buffer_addr) {
			fail("the device stops at TX descriptor %u: buffer address 0", h);
			break;
		}
		if (!fake_tx_run(1))
			break;
		sent++;
		if (!frame_intact(fake.tx_last, fake.tx_last_len, &seq)) {
			if (bug("tx-bad-frame", "the device sent a %u-byte frame that is not one the stack "
				"queued (descriptors %u): check buffer address and length in legacy_tx_data",
				fake.tx_last_len, fake.tx_last_ndesc))
				show_txd((R(E1000_TDH(0)) + GRADE_RING - 1) % GRADE_RING);
		} else if (seq != tx_seen) {
			bug("tx-order", "the device sent frame #%u where #%u was next: frames were lost or "
			    "sent twice", seq, tx_seen);
			tx_seen = seq + 1;
		} else {
			tx_seen++;
		}
	}
	return sent;
}

/* one frame to the driver as the qdisc hands it: 0, or the driver's error
 * (the skb is ours to free then) */
static int xmit(u32 seq, unsigned int len)
{
	struct sk_buff *skb = alloc_skb(len);
	int rc;

	if (!skb)
		return -ENOMEM;
	make_frame(skb_put(skb, len), len, seq, peer_mac, nic_mac);
	xmit_tries++;
	rc = dev->netdev_ops->ndo_start_xmit(dev, skb, 0);
	if (rc)
		kfree_skb(skb);
	return rc;
}

static void tx_where_to_start(int rc);
static void rx_where_to_start(void);

/* a failed stage in which nothing went through: which function to start with */
static void where_to_start(void)
{
	if (hinted)
		return;
	if (xmit_tries && !ad->sw.tx_packets) {
		if (!R(E1000_TDLEN(0)) || !(R(E1000_TCTL) & E1000_TCTL_EN) || !e1000_tx_unused(&ad->tx))
			tx_where_to_start(-EBUSY);
		else if (!fake.tdt_writes)
			fail("frames were queued but TDT was never written: write e1000_tx_flush (SDM 3.4)");
		else if (!fake.tx_frames)
			fail("TDT moved but the device sent nothing: look at legacy_tx_data (SDM 3.3.3)");
		else
			fail("the device sent %u frames, none was reclaimed: write legacy_tx_done and "
			     "e1000_clean_tx (SDM 3.3.3.2)", fake.tx_frames);
	}
	if (rx_tries && !rx.n)
		rx_where_to_start();
}

/* stop, free, and check nothing leaked */
static void down(void)
{
	struct net_device *d = dev;

	if (failed)
		where_to_start();
	release_held();
	ad = NULL;
	netdev_stop(d);
	unregister_netdev(d);
	free_netdev(d);
	dev = NULL;
	drain_softirqs();
	skb_cache_drain();
	if (fake_allocs || fake_dma_allocs)
		fail("after the interface went down %ld heap and %ld DMA allocations were left: skbs the "
		     "driver took were never freed (e1000_clean_tx frees a frame's skb once DD is set)",
		     (long)fake_allocs, fake_dma_allocs);
}

static const char *errname(int rc)
{
	switch (rc) {
	case -EBUSY:  return "-EBUSY";
	case -ENOSYS: return "-ENOSYS";
	case -EINVAL: return "-EINVAL";
	case -ENOMEM: return "-ENOMEM";
	}
	return "an error";
}

/* the first look at a transmit path that does nothing yet: where to start */
static void tx_where_to_start(int rc)
{
	hinted = true;
	if (!R(E1000_TDLEN(0)) || !(R(E1000_TCTL) & E1000_TCTL_EN))
		fail("the transmit ring is not set up (TDLEN %u, TCTL 0x%x): start with e1000_tx_configure "
		     "(SDM 14.5)", R(E1000_TDLEN(0)), R(E1000_TCTL));
	if (rc == -EBUSY && e1000_tx_unused(&ad->tx) == 0)
		fail("ndo_start_xmit answered -EBUSY for one frame on an empty ring: e1000_tx_unused says "
		     "0 descriptors are free -- write e1000_tx_unused (one descriptor always stays empty)");
	else if (rc)
		fail("ndo_start_xmit returned %d (%s) for one frame on an empty ring", rc, errname(rc));
}

/* ---- the stages ---- */

static void stage_tx_one(void)
{
	int rc, done;

	say("one 100-byte frame through ndo_start_xmit; the device sends it; the interrupt's poll "
	    "reclaims it (tx_packets 1, skb freed)");
	if (!up())
		return;
	rc = xmit(0, 100);
	tx_where_to_start(rc);
	if (rc)
		goto out;
	if (!fake.tdt_writes) {
		fail("the frame is queued (next_to_use %u) but TDT was never written, so the device does "
		     "not know: write e1000_tx_flush (SDM 3.4)", ad->tx.next_to_use);
		goto out;
	}
	/* nothing sent yet: nothing may be reclaimed */
	done = e1000_clean_tx(ad);
	(void)done;
	if (device_tx(4) != 1) {
		fail("the device sent %u frames after the tail write (TDH %u, TDT %u), 1 expected",
		     fake.tx_frames, R(E1000_TDH(0)), R(E1000_TDT(0)));
		show_txd(0);
		goto out;
	}
	service();
	if (ad->sw.tx_packets != 1 || ad->tx.slot[0].skb) {
		fail("the device sent the frame and wrote DD into descriptor 0, but it was not reclaimed "
		     "(tx_packets %llu): write e1000_clean_tx and legacy_tx_done (SDM 3.3.3.2)",
		     (unsigned long long)ad->sw.tx_packets);
		show_txd(0);
	}
out:
	down();
}

static void stage_tx_burst(void)
{
	const u32 total = 3 * GRADE_RING + 5;
	u32 queued = 0, stuck = 0;

	say("%u frames, more than 3 rings of %u: queue until -EBUSY (at most %u fit: one descriptor "
	    "stays empty), the device sends some, repeat; all sent once, in order, all reclaimed",
	    total, GRADE_RING, GRADE_RING - 1);
	if (!up())
		return;
	tx_seen = 0;
	for (int round = 0; round < 200 && queued < total && !failed; round++) {
		u32 before = queued, accepted = 0;
		int rc = 0;

		while (queued < total && !(rc = xmit(queued, 60 + queued % 200))) {
			queued++;
			if (++accepted > GRADE_RING) {
				fail("the driver accepted %u frames in a row with none sent: a ring of %u holds "
				     "at most %u", accepted, GRADE_RING, GRADE_RING - 1);
				break;
			}
		}
		if (rc && rc != -EBUSY) {
			fail("ndo_start_xmit returned %d (%s) (a full ring answers -EBUSY)", rc, errname(rc));
			break;
		}
		e1000_clean_tx(ad);             /* before the device ran: nothing may complete */
		device_tx(1 + round % 23);
		service();
		stuck = queued == before ? stuck + 1 : 0;
		if (stuck > 3) {
			fail("no progress: ndo_start_xmit keeps answering -EBUSY (unused %u, next_to_clean %u, "
			     "next_to_use %u, tx_packets %llu) though the device has sent %u frames",
			     e1000_tx_unused(&ad->tx), ad->tx.next_to_clean, ad->tx.next_to_use,
			     (unsigned long long)ad->sw.tx_packets, tx_seen);
			break;
		}
	}
	for (int k = 0; k < 20 && tx_seen < queued; k++) {
		device_tx(GRADE_RING);
		service();
	}
	if (!failed && (tx_seen != total || ad->sw.tx_packets != total))
		fail("%u frames queued; the device sent %u and the driver reclaimed %llu", total, tx_seen,
		     (unsigned long long)ad->sw.tx_packets);
	down();
}

static void rx_where_to_start(void)
{
	hinted = true;
	if (ad->rx.next_to_clean == rx_first && !ad->sw.rx_packets)
		fail("the device wrote the frame into RX descriptor %u and set DD, but the driver did not "
		     "take it (next_to_clean still %u): start with legacy_rx_done and e1000_clean_rx (SDM "
		     "3.2.3.1)", rx_first, rx_first);
	else if (!ad->sw.rx_packets)
		fail("e1000_clean_rx consumed the descriptor but no frame reached the stack (rx_packets 0, "
		     "rx_dropped %llu, rx_length_errors %llu): write e1000_rx_deliver",
		     (unsigned long long)ad->sw.rx_dropped, (unsigned long long)ad->sw.rx_length_errors);
}

static void stage_rx_one(void)
{
	say("one 100-byte frame into the ring; its interrupt; the poll passes it up intact and moves "
	    "RDT to next_to_clean - 1");
	if (!up())
		return;
	e1000_clean_rx(ad, GRADE_RING);         /* nothing received yet: nothing to take */
	if (device_rx(0, 1, 100) != 1) {
		fail("the device found no free receive descriptor (RDH %u, RDT %u)", R(E1000_RDH(0)),
		     R(E1000_RDT(0)));
		goto out;
	}
	service();
	if (rx.n != 1) {
		rx_where_to_start();
		show_rxd(rx_first);
		goto out;
	}
	if (R(E1000_RDT(0)) != rx_first)
		fail("after taking descriptor %u RDT reads %u: it should be %u (next_to_clean %u, minus "
		     "1)", rx_first, R(E1000_RDT(0)), rx_first, ad->rx.next_to_clean);
out:
	down();
}

static void stage_rx_burst(void)
{
	const u32 total = 3 * GRADE_RING + 7;
	u32 sent = 0;

	say("%u frames, more than 3 rings of %u, in bursts the size of the ring; the stack holds the "
	    "last %u skbs a while; every frame up once, in order, intact", total, GRADE_RING, GRADE_HOLD);
	if (!up())
		return;
	for (int round = 0; round < 100 && sent < total && !failed; round++) {
		sent += device_rx(sent, MIN(total - sent, (u32)GRADE_RING), 60 + round * 17 % 1400);
		service();
		if (rx.n == 0 && round == 3) {
			rx_where_to_start();
			break;
		}
	}
	if (!failed && (sent != total || rx.n != total))
		fail("the device received %u of %u frames; the stack got %u", sent, total, rx.n);
	if (!failed && fake.overwrite_violations)
		fail("the device wrote %u descriptors whose DD was still set", fake.overwrite_violations);
	down();
}

static void stage_rx_tx(void)
{
	const u32 total = 4 * GRADE_RING;
	u32 rsent = 0, queued = 0;

	say("receive while transmitting: %u frames each way interleaved, interrupts for both", total);
	if (!up())
		return;
	tx_seen = 0;
	for (int round = 0; round < 400 && (rsent < total || tx_seen < total) && !failed; round++) {
		u32 k = 3 + round % 11;

		rsent += device_rx(rsent, MIN(k, total - rsent), 64 + round % 500);
		for (u32 j = 0; j < k && queued < total; j++) {
			int rc = xmit(queued, 64 + queued % 300);

			if (rc == -EBUSY)
				break;
			if (rc) {
				tx_where_to_start(rc);
				goto out;
			}
			queued++;
		}
		device_tx(k / 2 + 1);
		service();
	}
	if (!failed && (rx.n != total || tx_seen != total || ad->sw.tx_packets != total))
		fail("received %u/%u, sent %u/%u, reclaimed %llu", rx.n, total, tx_seen, total,
		     (unsigned long long)ad->sw.tx_packets);
out:
	down();
}

static void stage_stress(void)
{
	unsigned int seed = getenv("LAB_SEED") ? (unsigned int)atoi(getenv("LAB_SEED")) : 1;
	u32 rsent = 0, queued = 0, bad = 0, spurious = 0;
	u8 f[3000];

	say("seed %u (LAB_SEED): 600 random rounds of receive and transmit bursts with faults: frames "
	    "with CRC errors and frames longer than a buffer (both dropped, counted), a full ring, "
	    "spurious interrupts, the device stalling and catching up", seed);
	srand(seed);
	if (!up())
		return;
	tx_seen = 0;
	for (int round = 0; round < 600 && !failed; round++) {
		int op = rand() % 6;
		u32 k = (u32)rand() % 40;

		if (op == 0 || op == 1) {
			for (u32 j = 0; j < k; j++) {
				int fault = rand() % 16;

				if (fault == 0) {       /* CRC error: the driver must drop it */
					make_frame(f, 100, 0xFFFFFFu, nic_mac, peer_mac);
					if (!guarded_rx(f, 100, FAKE_RX_CRC_ERR))
						bad++;
				} else if (fault == 1) { /* three buffers long: dropped whole */
					make_frame(f, 2500, 0xFFFFFEu, nic_mac, peer_mac);
					if (!guarded_rx(f, 2500, 0))
						bad++;
				} else if (device_rx(rsent, 1, 60 + (u32)rand() % 1400) == 1) {
					rsent++;
				}
			}
		} else if (op == 2 || op == 3) {
			for (u32 j = 0; j < k; j++) {
				int rc = xmit(queued, 60 + (u32)rand() % 1400);

				if (rc == -EBUSY)
					break;
				if (rc) {
					tx_where_to_start(rc);
					goto out;
				}
				queued++;
			}
		} else if (op == 4) {
			device_tx(k);
		} else {
			/* a spurious interrupt: nothing pending, INTx, so not ours */
			service();
			if (R(E1000_ICR))
				continue;
			host_irq_simulate(irq_fn, ad);
			drain_softirqs();
			if (irq_ours != e1000_irq_exclusive(&ad->hw) && !spurious++)
				fail("e1000_intr answered %s to an interrupt with ICR 0 (%s): %s", irq_ours ?
				     "true" : "false", e1000_irq_exclusive(&ad->hw) ? "MSI" : "shared INTx",
				     irq_ours ? "on a shared line it is not ours, so the other device's "
				     "handler must run" : "an MSI vector is ours alone, empty or not");
		}
		if (rand() % 3)
			service();
	}
	for (int k = 0; k < 40 && !failed; k++) {
		device_tx(GRADE_RING);
		service();
	}
	if (!failed && (rx.n != rsent || tx_seen != queued || ad->sw.tx_packets != queued))
		fail("seed %u: received %u/%u good frames, sent %u/%u, reclaimed %llu", seed, rx.n, rsent,
		     tx_seen, queued, (unsigned long long)ad->sw.tx_packets);
	if (!failed && (queued < 200 || rsent < 200))
		fail("seed %u: in 600 rounds only %u frames could be queued and %u received (a reference "
		     "driver moves thousands)", seed, queued, rsent);
	if (!failed && ad->sw.rx_dropped < bad)
		fail("seed %u: %u bad frames went in, rx_dropped is %llu", seed, bad,
		     (unsigned long long)ad->sw.rx_dropped);
out:
	down();
}

static void stage_irq(void)
{
	say("the interrupt: a received frame raises RXT0; the handler reads (and so clears) ICR, the "
	    "poll takes the frame and unmasks");
	if (!up())
		return;
	device_rx(0, 1, 80);
	service();
	if (!failed && (R(E1000_ICR) & R(E1000_IMS)))
		fail("after the interrupt ICR still reads 0x%x: the cause was not taken", R(E1000_ICR));
	if (!failed && !R(E1000_IMS))
		fail("after the poll IMS is 0: interrupts stay masked");
	if (!failed && rx.n != 1)
		rx_where_to_start();
	down();
}

static const struct {
	const char *id;
	int points;
	const char *title;
	void (*fn)(void);
} stages[] = {
	{ "tx-one", 10, "transmit one frame", stage_tx_one },
	{ "tx-burst", 15, "transmit a burst larger than the ring", stage_tx_burst },
	{ "rx-one", 10, "receive one frame", stage_rx_one },
	{ "rx-burst", 15, "receive a burst larger than the ring", stage_rx_burst },
	{ "rx-tx", 10, "receive while transmitting", stage_rx_tx },
	{ "stress", 10, "stress with seeded faults", stage_stress },
	{ "irq", 5, "interrupt cause read and acknowledged", stage_irq },
};

static bool run_stage(unsigned int s)
{
	pid_t pid;
	int st;

	printf("STAGE %s %d %s\n", stages[s].id, stages[s].points, stages[s].title);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(GRADE_STAGE_SEC);
		host_printk_quiet = true;
		stages[s].fn();
		printf("RESULT %s %s\n", stages[s].id, failed ? "fail" : "pass");
		fflush(stdout);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return false;
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGALRM)
			printf("  FAIL: the stage did not finish in %d s (a loop that never ends?)\n",
			       GRADE_STAGE_SEC);
		else
			printf("  FAIL: the driver crashed (signal %d); AddressSanitizer's report, if any, is "
			       "above\n", WTERMSIG(st));
		printf("RESULT %s fail\n", stages[s].id);
	} else if (WEXITSTATUS(st)) {
		printf("  FAIL: the stage exited with status %d (AddressSanitizer?)\n", WEXITSTATUS(st));
		printf("RESULT %s fail\n", stages[s].id);
	}
	fflush(stdout);
	return true;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned int s = 0; s < sizeof(stages) / sizeof(stages[0]); s++) {
		bool want = argc < 2;

		for (int i = 1; i < argc; i++)
			want |= !strcmp(argv[i], stages[s].id);
		if (want)
			run_stage(s);
	}
	return 0;
}
