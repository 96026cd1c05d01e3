/* The lab grader's checks (grade_lab.h): reporting, the register log
 * behind the --wrap of the fake NIC's entry points, the tail-write checks
 * and the wrapped ring cleaners. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "grade_lab.h"
#include "kernel/errno.h"

const u8 nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
const u8 peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

struct net_device *lab_dev;
struct e1000_adapter *lab_ad;
bool lab_failed;
bool lab_hinted;                     /* a "start with" message was given */
unsigned int lab_xmit_tries, lab_rx_tries;
u32 lab_rx_first;                    /* next_to_clean after bring-up */

/* ---- reporting ---- */

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	lab_failed = true;
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
bool bug(const char *id, const char *fmt, ...)
{
	va_list ap;

	lab_failed = true;
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
int __real_e1000_clean_tx(struct e1000_adapter *a, struct e1000_tx_ring *t);
int __wrap_e1000_clean_tx(struct e1000_adapter *a, struct e1000_tx_ring *t);
int __real_e1000_clean_rx(struct e1000_adapter *a, int budget);
int __wrap_e1000_clean_rx(struct e1000_adapter *a, int budget);

static struct {
	unsigned long seq;
	bool write;
	u32 reg, val;
} reglog[GRADE_LOG];
static unsigned long reglog_n;
unsigned int lab_icr_reads, lab_icr_writes;

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

struct e1000_tx_desc *txd(u32 i)
{
	return (struct e1000_tx_desc *)lab_ad->tx.desc + i;
}

static struct e1000_rx_desc *rxd_of(const struct e1000_adapter *a, u32 i)
{
	return (struct e1000_rx_desc *)a->rx.desc + i;
}

struct e1000_rx_desc *rxd(u32 i)
{
	return rxd_of(lab_ad, i);
}

void show_txd(u32 i)
{
	struct e1000_tx_desc *d = txd(i);

	evidence("TX descriptor %2u: buffer 0x%012llx length %4u cmd 0x%02x%s%s%s status 0x%x%s", i,
		 (unsigned long long)d->buffer_addr, d->lower & 0xFFFF, d->lower >> 24,
		 (d->lower & E1000_TXD_CMD_EOP) ? " EOP" : "", (d->lower & E1000_TXD_CMD_RS) ? " RS" : "",
		 (d->lower & E1000_TXD_CMD_IFCS) ? " IFCS" : "", d->upper & 0xF,
		 (d->upper & E1000_TXD_STAT_DD) ? " DD" : "");
}

void show_rxd(u32 i)
{
	struct e1000_rx_desc *d = rxd(i);

	evidence("RX descriptor %2u: buffer 0x%012llx length %4u status 0x%02x%s; slot buffer 0x%012llx", i,
		 (unsigned long long)d->buffer_addr, d->length, d->status,
		 (d->status & E1000_RXD_STAT_DD) ? " DD" : "",
		 lab_ad->rx.buf && lab_ad->rx.buf[i] ? (unsigned long long)lab_ad->rx.buf[i]->dma : 0ULL);
}

/* ---- what the "stack" holds: received skbs kept a while ---- */

static struct {
	struct sk_buff *skb;
	u32 seq;
	u8 *data;
	unsigned int len;
} lab_held[GRADE_HOLD];
unsigned int lab_nheld;

static u8 pattern(u32 seq, unsigned int k)
{
	return (u8)(seq * 7 + k * 13);
}

void make_frame(u8 *f, unsigned int len, u32 seq, const u8 *dst, const u8 *src)
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
bool frame_intact(const u8 *f, unsigned int len, u32 *seq)
{
	memcpy(seq, f + 14, sizeof(*seq));
	if (len < 18 || f[12] != FRAME_TYPE >> 8 || f[13] != (FRAME_TYPE & 0xFF))
		return false;
	for (unsigned int k = 18; k < len; k++)
		if (f[k] != pattern(*seq, k))
			return false;
	return true;
}

/* a lab_held skb still holds its frame; if not, a later receive wrote over it */
static void check_held(unsigned int i)
{
	u32 seq;

	if (!frame_intact(lab_held[i].data, lab_held[i].len, &seq) || seq != lab_held[i].seq)
		bug("rx-buf-in-use", "frame #%u changed while the stack still held its skb (it now reads "
		    "as #%u): the buffer went up in the skb and was given to the device again, which "
		    "wrote a later frame over it", lab_held[i].seq, seq);
}

void release_held(void)
{
	for (unsigned int i = 0; i < lab_nheld; i++) {
		check_held(i);
		kfree_skb(lab_held[i].skb);
	}
	lab_nheld = 0;
}

/* a lab_held skb whose data lies in the buffer at bus address a */
static int held_at(u64 a)
{
	for (unsigned int i = 0; i < lab_nheld; i++) {
		u64 d = (u64)(uintptr_t)lab_held[i].data;

		if (d >= a && d < a + E1000_RX_BUF_SIZE)
			return (int)i;
	}
	return -1;
}

struct lab_rx_state lab_rx;

int grade_rx(struct net_device *d, struct sk_buff *skb, unsigned int flags)
{
	u32 seq;

	(void)d;
	(void)flags;
	if (!frame_intact(skb->data, skb->len, &seq)) {
		if (!lab_rx.bad++)
			bug("rx-bad-frame", "the stack got a frame of %u bytes that is not the one the device "
			    "received (sequence field %u): e1000_rx_take/e1000_clean_rx passed up the "
			    "wrong buffer or length", skb->len, seq);
		kfree_skb(skb);
		return 0;
	}
	if (seq != lab_rx.next && !lab_rx.dup_or_gap++)
		bug(seq < lab_rx.next ? "rx-duplicate" : "rx-gap", "the stack got frame #%u where #%u was "
		    "next: %s", seq, lab_rx.next, seq < lab_rx.next ? "a frame came up twice (a descriptor taken "
		    "again although the device had not refilled it)" : "frames were lost");
	lab_rx.next = seq + 1;
	lab_rx.n++;
	if (lab_nheld == GRADE_HOLD) {
		check_held(0);
		kfree_skb(lab_held[0].skb);
		memmove(&lab_held[0], &lab_held[1], sizeof(lab_held[0]) * (GRADE_HOLD - 1));
		lab_nheld--;
	}
	lab_held[lab_nheld].skb = skb;
	lab_held[lab_nheld].seq = seq;
	lab_held[lab_nheld].data = skb->data;
	lab_held[lab_nheld].len = skb->len;
	lab_nheld++;
	return 0;
}

/* ---- checks at the tail writes: what the device sees at that moment ---- */

static u32 tx_outstanding(void)
{
	u32 n = 0;

	for (u32 i = 0; lab_ad && lab_ad->tx.slot && i < lab_ad->tx.count; i++)
		if (lab_ad->tx.slot[i].skb && lab_ad->tx.slot[i].last >= 0 &&
		    !(txd((u32)lab_ad->tx.slot[i].last)->upper & E1000_TXD_STAT_DD))
			n++;
	return n;
}

static void check_tdt(u32 val)
{
	u32 n = R(E1000_TDLEN(0)) / E1000_DESC_SIZE, head = R(E1000_TDH(0)), old = R(E1000_TDT(0));
	u32 ntu = lab_ad->tx.next_to_use;

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
		evidence("next_to_clean %u, next_to_use %u, ring of %u", lab_ad->tx.next_to_clean, ntu, n);
		return;
	}
	/* the descriptors handed over now: [old, val) */
	for (u32 i = old; i != val && i < n; i = (i + 1) % n) {
		struct e1000_tx_desc *d = txd(i);

		/* a checksum/TSO context descriptor (3.3.6) carries no buffer */
		if ((d->lower & E1000_TXD_CMD_DEXT) && !(d->lower & E1000_TXD_DTYP_D))
			continue;
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

	if (!n || !lab_ad->rx.buf || lab_ad->rx.count != n)
		return;                 /* rx_configure: the ring is being set up */
	want = (lab_ad->rx.next_to_clean + n - 1) % n;
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
	if (val == lab_ad->rx.next_to_clean && val != want)
		bug("rx-tail-on-next", "RDT was written %u, the descriptor software looks at next: the "
		    "device may fill it while the driver reads it, and RDT == RDH reads as \"no free "
		    "descriptor\". Keep RDT = next_to_clean - 1 (%u)", val, want);
	/* the descriptors the device owns after the write: [head, val) */
	for (u32 i = head; i != val; i = (i + 1) % n) {
		struct e1000_rx_desc *d = rxd(i);
		u64 slot = lab_ad->rx.buf[i] ? lab_ad->rx.buf[i]->dma : 0;
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
				"(r->buf[i] = spare)", i, (unsigned long long)d->buffer_addr, lab_held[h].seq))
				show_rxd(i);
			return;
		}
	}
}

u32 __wrap_e1000_test_read32(struct e1000_hw *hw, u32 reg)
{
	u32 v = __real_e1000_test_read32(hw, reg);

	if (reg == E1000_ICR)
		lab_icr_reads++;
	if (reg_logged(reg))
		log_access(false, reg, v);
	return v;
}

void __wrap_e1000_test_write32(struct e1000_hw *hw, u32 reg, u32 val)
{
	if (reg_logged(reg))
		log_access(true, reg, val);
	if (reg == E1000_ICR)
		lab_icr_writes++;
	if (lab_ad && reg == E1000_TDT(0))
		check_tdt(val);
	if (lab_ad && reg == E1000_RDT(0))
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

int __wrap_e1000_clean_tx(struct e1000_adapter *a, struct e1000_tx_ring *t)
{
	int ready = a->tx.desc ? tx_ready(a) : 0;
	u32 ntc = a->tx.next_to_clean;
	int done = __real_e1000_clean_tx(a, t);

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

