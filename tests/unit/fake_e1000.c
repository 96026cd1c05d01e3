/* The fake NIC behind er32/ew32 in host tests (see fake_e1000.h), and the
 * allocator and delay stubs the driver links against on the host. */
#include "fake_e1000.h"
#include "kernel/errno.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_nic fake;
long fake_dma_allocs;

#define R(off) fake.regs[(off) / 4]
#define FAKE_BUF 2048

/* ---- host stand-ins for kernel services (kmalloc is in host_stubs.c) ---- */

void *dma_alloc_coherent(size_t size, phys_addr_t *phys);
void dma_free_coherent(void *v, size_t size);
int dma_addr_of(const void *v, size_t len, phys_addr_t *dma);
void udelay(u64 us);
void mdelay(u64 ms);

/* the alignment promised by apis.md: min(size rounded up to 2^n, 4096), >= 128 */
void *dma_alloc_coherent(size_t size, phys_addr_t *phys)
{
	size_t align = 128;
	void *p;

	while (align < size && align < 4096)
		align <<= 1;
	p = aligned_alloc(align, (size + align - 1) / align * align);
	if (!p)
		return NULL;
	memset(p, 0, size);
	*phys = (phys_addr_t)(uintptr_t)p;      /* the fake device DMAs to host pointers */
	fake_dma_allocs++;
	return p;
}

void dma_free_coherent(void *v, size_t size)
{
	(void)size;
	if (v) {
		fake_dma_allocs--;
		free(v);
	}
}

int dma_addr_of(const void *v, size_t len, phys_addr_t *dma)
{
	uintptr_t a = (uintptr_t)v;

	if (a < fake.dma_refuse_hi && a + len > fake.dma_refuse_lo)
		return -EFAULT;
	*dma = (phys_addr_t)a;                  /* host pointers, as above */
	return 0;
}

void udelay(u64 us) { (void)us; }
void mdelay(u64 ms) { (void)ms; }

/* ---- the device ---- */

void fake_init(const struct e1000_chip *chip, const u8 mac[6])
{
	u16 sum = 0;

	memset(&fake, 0, sizeof(fake));
	fake.chip = chip;
	fake.link_up = true;
	for (int i = 0; i < 3; i++)
		fake.eeprom[i] = mac[2 * i] | (mac[2 * i + 1] << 8);
	for (int i = 3; i < 0x3F; i++)
		fake.eeprom[i] = (u16)(0x1111 * i);
	for (int i = 0; i < 0x3F; i++)
		sum += fake.eeprom[i];
	fake.eeprom[0x3F] = (u16)(E1000_EEPROM_CSUM - sum);
	fake.phy[MII_BMCR] = BMCR_ANENABLE;
	fake.phy[MII_PHYSID1] = 0x0141;
	fake.phy[MII_PHYSID2] = 0x0c20;
	fake.phy[MII_BMSR] = BMSR_LSTATUS | BMSR_ANEGCOMPLETE;
	R(E1000_CTRL) = E1000_CTRL_LRST;
}

static bool adv(void)
{
	return fake.chip->flags & E1000_F_ADV_DESC;
}

/* queue n's ring registers: the 82576's blocks at 0xC000/0xE000, the
 * legacy ones (the 82574's queue 1 at +0x100) */
static u32 q_rdbal(u32 n) { return adv() ? E1000_ADV_RDBAL(n) : E1000_RDBAL(n); }
static u32 q_rdbah(u32 n) { return adv() ? E1000_ADV_RDBAH(n) : E1000_RDBAH(n); }
static u32 q_rdlen(u32 n) { return adv() ? E1000_ADV_RDLEN(n) : E1000_RDLEN(n); }
static u32 q_rdh(u32 n) { return adv() ? E1000_ADV_RDH(n) : E1000_RDH(n); }
static u32 q_rdt(u32 n) { return adv() ? E1000_ADV_RDT(n) : E1000_RDT(n); }
static u32 q_tdbal(u32 n) { return adv() ? E1000_ADV_TDBAL(n) : E1000_TDBAL(n); }
static u32 q_tdbah(u32 n) { return adv() ? E1000_ADV_TDBAH(n) : E1000_TDBAH(n); }
static u32 q_tdlen(u32 n) { return adv() ? E1000_ADV_TDLEN(n) : E1000_TDLEN(n); }
static u32 q_tdh(u32 n) { return adv() ? E1000_ADV_TDH(n) : E1000_TDH(n); }
static u32 q_tdt(u32 n) { return adv() ? E1000_ADV_TDT(n) : E1000_TDT(n); }

/* the RX queues the chip has: 82540 one, 82574 two, 82576 (here) eight */
static u32 rx_queues(void)
{
	return adv() ? FAKE_QUEUES : fake.chip->type == e1000_82574 ? 2 : 1;
}

/* reg is queue n's RDT (n returned) or TDT register; -1 if not */
static int rdt_queue(u32 reg)
{
	for (u32 n = 0; n < rx_queues(); n++)
		if (reg == q_rdt(n))
			return (int)n;
	return -1;
}

static int tdt_queue(u32 reg)
{
	for (u32 n = 0; n < (adv() ? FAKE_QUEUES : 1u); n++)
		if (reg == q_tdt(n))
			return (int)n;
	return -1;
}

/* an RX queue n > 0 of the 82576 is used only with RXDCTL(n).ENABLE
 * (QEMU igb_receive_internal skips it, the frame lost uncounted) */
static bool rx_queue_on(u32 n)
{
	return !n || !adv() || (R(E1000_ADV_RXDCTL(n)) & E1000_XDCTL_ENABLE);
}

/* counters QEMU clears on read (the others it leaves alone) */
static bool qemu_clears(u32 reg)
{
	static const u32 cor[] = { E1000_GPRC, E1000_BPRC, E1000_MPRC, E1000_GPTC, E1000_GORCH,
				   E1000_GOTCH, E1000_RUC, E1000_ROC, E1000_TORH, E1000_TOTH,
				   E1000_TPR, E1000_TPT, E1000_MPTC, E1000_BPTC };

	for (size_t i = 0; i < sizeof(cor) / sizeof(cor[0]); i++)
		if (cor[i] == reg)
			return true;
	return false;
}

static bool is_pair_low(u32 reg)
{
	return reg == E1000_GORCL || reg == E1000_GOTCL || reg == E1000_TORL || reg == E1000_TOTL;
}

static bool is_pair_high(u32 reg)
{
	return reg == E1000_GORCH || reg == E1000_GOTCH || reg == E1000_TORH || reg == E1000_TOTH;
}

static void add64(u32 lo_reg, u64 n)
{
	u64 v = R(lo_reg) | ((u64)R(lo_reg + 4) << 32);

	v += n;
	R(lo_reg) = (u32)v;
	R(lo_reg + 4) = (u32)(v >> 32);
}

u32 e1000_test_read32(struct e1000_hw *hw, u32 reg)
{
	u32 v;

	(void)hw;
	if (reg >= E1000_BAR0_SIZE || reg % 4) {
		fprintf(stderr, "fake: bad register read 0x%x\n", reg);
		abort();
	}
	fake.reads[reg / 4]++;
	v = R(reg);
	switch (reg) {
	case E1000_ICR:
	case E1000_EICR:
		R(reg) = 0;
		return v;
	case E1000_STATUS:
		return (fake.link_up ? E1000_STATUS_LU : 0) | E1000_STATUS_FD |
		       (E1000_STATUS_SPEED_1000 << E1000_STATUS_SPEED_SHIFT);
	}
	if (reg >= E1000_CRCERRS && reg <= E1000_BPTC && !is_pair_low(reg)) {
		if (is_pair_high(reg))
			R(reg - 4) = 0;
		if (!fake.sticky_stats || qemu_clears(reg))
			R(reg) = 0;
	}
	return v;
}

static void fake_eerd(u32 v)
{
	bool nvm = fake.chip->flags & E1000_F_NVM_EERD;
	u32 shift = nvm ? E1000_EERD_ADDR_SHIFT_NVM : E1000_EERD_ADDR_SHIFT_8254X;
	u32 addr = (v >> shift) & (nvm ? 0x3FFF : 0xFF);

	if (!(v & E1000_EERD_START)) {
		R(E1000_EERD) = v;
		return;
	}
	R(E1000_EERD) = (addr << shift) | (nvm ? E1000_EERD_DONE_NVM : E1000_EERD_DONE_8254X) |
			((u32)(addr < 64 ? fake.eeprom[addr] : 0xFFFF) << E1000_EERD_DATA_SHIFT);
}

static void fake_mdic(u32 v)
{
	u32 phy = (v >> E1000_MDIC_PHY_SHIFT) & 0x1F, reg = (v >> E1000_MDIC_REG_SHIFT) & 0x1F;

	if (phy != E1000_PHY_ADDR || reg > 15) {
		R(E1000_MDIC) = v | E1000_MDIC_ERROR | E1000_MDIC_READY;
		return;
	}
	if (v & E1000_MDIC_OP_READ) {
		R(E1000_MDIC) = (v & ~E1000_MDIC_DATA_MASK) | fake.phy[reg] | E1000_MDIC_READY;
		return;
	}
	fake.phy[reg] = v & E1000_MDIC_DATA_MASK;
	if (reg == MII_BMCR && (v & BMCR_ANRESTART) && fake.autoneg_on_restart) {
		fake.phy[MII_BMCR] &= ~BMCR_ANRESTART;
		fake.link_up = true;
		R(E1000_ICR) |= E1000_ICR_LSC;
	}
	R(E1000_MDIC) = v | E1000_MDIC_READY;
}

static bool fake_rx_room(u32 q)
{
	u32 n = R(q_rdlen(q)) / 16;

	return n && R(q_rdt(q)) < n && R(q_rdh(q)) != R(q_rdt(q));
}

/* the MRQC bits QEMU's igb_rss_enabled looks at */
#define FAKE_MRQC_MRQE_QEMU 0x3u

/* the queue a frame RSS would send to q goes to now: queue 0 on the
 * 82576 while MRQC has RSS off (igb_rss_parse_packet, igb_rss_enabled) */
static u32 fake_rss_queue(u32 q)
{
	if (fake.chip->type == e1000_82576 &&
	    (R(E1000_MRQC) & FAKE_MRQC_MRQE_QEMU) != E1000_MRQC_ENABLE_RSS_MQ)
		return 0;
	return q;
}

/* QEMU's flush of the held frame: qemu_flush_queued_packets calls the
 * model's receive without its can_receive; RSS picks its queue then */
static void fake_flush_held(void)
{
	u32 q = fake_rss_queue(fake.held_queue);

	if (!(R(E1000_RCTL) & E1000_RCTL_EN) || !rx_queue_on(q)) {
		fake.held_lost++;               /* e1000x_hw_rx_enabled: -1, dropped */
		fake.held_len = 0;
		return;
	}
	if (!fake_rx_room(q)) {
		if (fake.chip->type == e1000_82576) {
			fake.held_lost++;       /* igb_receive_internal: RXO only */
			fake.held_len = 0;
		}
		return;
	}
	if (fake_rx_q(q, fake.held, fake.held_len, 0) == 0)
		fake.held_delivered++;
	fake.held_len = 0;
}

int fake_hold_q(u32 q, const void *frame, unsigned int len)
{
	if (fake.held_len)
		return -EBUSY;
	if ((R(E1000_RCTL) & E1000_RCTL_EN) && fake_rx_room(fake_rss_queue(q)))
		return fake_rx_q(fake_rss_queue(q), frame, len, 0);
	memcpy(fake.held, frame, len);
	fake.held_len = len;
	fake.held_queue = q;
	return 0;
}

int fake_hold(const void *frame, unsigned int len)
{
	return fake_hold_q(0, frame, len);
}

void e1000_test_write32(struct e1000_hw *hw, u32 reg, u32 val)
{
	(void)hw;
	if (reg >= E1000_BAR0_SIZE || reg % 4) {
		fprintf(stderr, "fake: bad register write 0x%x\n", reg);
		abort();
	}
	fake.writes[reg / 4]++;
	switch (reg) {
	case E1000_CTRL:
		R(reg) = val & ~E1000_CTRL_RST;
		if (val & E1000_CTRL_RST)
			R(E1000_IMS) = R(E1000_ICR) = R(E1000_RCTL) = R(E1000_TCTL) = 0;
		return;
	case E1000_IMS:  R(E1000_IMS) |= val; return;
	case E1000_IMC:  R(E1000_IMS) &= ~val; return;
	case E1000_ICR:  R(E1000_ICR) &= ~val; return;
	case E1000_ICS:  R(E1000_ICR) |= val; return;
	case E1000_EICR: R(E1000_EICR) &= ~val; return;        /* igb_set_eicr */
	case E1000_EICS: R(E1000_EICR) |= val; return;
	case E1000_EIMS: R(E1000_EIMS) |= val; return;
	case E1000_EIMC: R(E1000_EIMS) &= ~val; return;
	case E1000_EERD: fake_eerd(val); return;
	case E1000_MDIC: fake_mdic(val); return;
	}
	if (reg == q_rdt(0))
		fake.rdt_writes++;
	if (reg == E1000_RCTL) {
		fake.rctl_writes++;
		if ((R(reg) & E1000_RCTL_EN) && !(val & E1000_RCTL_EN) && fake.gap_frame_len) {
			R(reg) = val;
			fake_hold_q(fake.gap_frame_queue, fake.gap_frame, fake.gap_frame_len);
			fake.gap_frame_len = 0;
		}
	}
	R(reg) = val;
	/* any queue's RDT write (igb_set_rdt, e1000e_set_rdt), or RCTL.EN */
	if (fake.qemu_hold && fake.held_len &&
	    ((rdt_queue(reg) >= 0 && (fake.chip->type != e1000_82540 || fake_rx_room(0))) ||
	     (reg == E1000_RCTL && (val & E1000_RCTL_EN))))
		fake_flush_held();
	if (tdt_queue(reg) >= 0) {
		u32 q = (u32)tdt_queue(reg);

		fake.tdt_writes_q[q]++;
		if (!q)
			fake.tdt_writes++;
		if (fake.tx_on_tdt)
			fake_tx_run_q(q, ~0u);
	}
}

static bool eop_of(u32 cmd)
{
	return cmd & E1000_TXD_CMD_EOP;
}

static void *ring_base(u32 lo, u32 hi)
{
	return (void *)(uintptr_t)(R(lo) | ((u64)R(hi) << 32));
}

/* The 82576 in MSI-X mode (GPIE.MSIX_MODE): a queue's RX or TX write-back
 * also sets the EICR bit of the vector its IVAR entry names, if valid
 * (QEMU igb_rx_wb_eic / igb_tx_wb_eic: entry 4q for RX q < 8, 4q + 1 for
 * TX q; IVAR0 holds four entries a register).  No message is modelled:
 * a test reads EICR & EIMS for the interrupt that would be pending. */
static void fake_raise_eicr(u32 q, bool tx)
{
	u32 n = (q < 8 ? q * 4 : (q - 8) * 4 + 2) + (tx ? 1 : 0);
	u32 ent = (R(E1000_IVAR0 + n / 4 * 4) >> (8 * (n % 4))) & 0xff;

	if (fake.chip->type != e1000_82576 || !(R(E1000_GPIE) & E1000_GPIE_MSIX_MODE))
		return;
	if (ent & 0x80)
		R(E1000_EICR) |= BIT(ent & 0x1f);
}

int fake_rx(const void *frame, unsigned int len, unsigned int flags)
{
	return fake_rx_q(0, frame, len, flags);
}

int fake_rx_q(u32 q, const void *frame, unsigned int len, unsigned int flags)
{
	u32 n = R(q_rdlen(q)) / 16, head = R(q_rdh(q)), tail = R(q_rdt(q));
	u8 *ring = ring_base(q_rdbal(q), q_rdbah(q));
	u32 ndesc;
	bool csum = fake.chip->flags & E1000_F_RX_CSUM;
	bool bad = flags & (FAKE_RX_CRC_ERR | FAKE_RX_SYM_ERR | FAKE_RX_RXE);
	static u8 untagged[16384];
	bool vp = false;
	u16 tci = 0;

	if (!(R(E1000_RCTL) & E1000_RCTL_EN) || !n || !rx_queue_on(q))
		return -ENODEV;
	/* a tagged frame (TPID = VET): dropped by the VLAN filter table with
	 * RCTL.VFE, its tag taken out with CTRL.VME (8254x 3.2.3, 13.4.22) */
	if (len >= 18 && (u32)((const u8 *)frame)[12] << 8 == (R(E1000_VET) & 0xFF00) &&
	    ((const u8 *)frame)[13] == (R(E1000_VET) & 0xFF) && (R(E1000_VET) & 0xFFFF)) {
		tci = (u16)(((const u8 *)frame)[14] << 8 | ((const u8 *)frame)[15]);
		if ((R(E1000_RCTL) & E1000_RCTL_VFE) &&
		    !(R(E1000_VFTA((tci & 0xFFF) / 32)) & BIT((tci & 0xFFF) % 32))) {
			fake.rx_vlan_filtered++;
			return 0;
		}
		if ((R(E1000_CTRL) & E1000_CTRL_VME) && len - 4 <= sizeof(untagged)) {
			memcpy(untagged, frame, 12);
			memcpy(untagged + 12, (const u8 *)frame + 16, len - 16);
			frame = untagged;
			len -= 4;
			vp = true;
		}
	}
	ndesc = (len + FAKE_BUF - 1) / FAKE_BUF;
	if ((tail + n - head) % n < ndesc) {
		R(E1000_MPC)++;
		R(E1000_RNBC)++;
		R(E1000_ICR) |= E1000_ICR_RXO;
		return -ENOBUFS;
	}
	for (u32 k = 0, off = 0; k < ndesc; k++) {
		u8 *d = ring + (size_t)head * 16;
		u32 piece = MIN(len - off, (u32)FAKE_BUF);
		bool last = k + 1 == ndesc;

		/* the 82574 with RFCTL.EXTEN writes the extended format, laid
		 * out as the 82576's advanced one (QEMU e1000e_write_ext_rx_descr) */
		if (adv() || (R(E1000_RFCTL) & E1000_RFCTL_EXTEN)) {
			union e1000_adv_rx_desc *ad = (void *)d;
			u32 se = E1000_RXD_STAT_DD | (last ? E1000_RXD_STAT_EOP : 0);

			if (ad->wb.status_error & E1000_RXD_STAT_DD)
				fake.overwrite_violations++;
			memcpy((void *)(uintptr_t)ad->read.pkt_addr, (const u8 *)frame + off, piece);
			se |= (flags & FAKE_RX_CRC_ERR) ? E1000_RXDADV_ERR_CE : 0;
			se |= (flags & FAKE_RX_SYM_ERR) ? E1000_RXDADV_ERR_SE : 0;
			se |= (flags & FAKE_RX_RXE) ? E1000_RXDADV_ERR_RXE : 0;
			if (csum && (flags & FAKE_RX_CSUM_GOOD))
				se |= E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS;
			memset(&ad->wb, 0, sizeof(ad->wb));
			ad->wb.length = piece;
			if (vp && last) {
				se |= E1000_RXD_STAT_VP;
				ad->wb.vlan = tci;
			}
			ad->wb.status_error = se;
		} else {
			struct e1000_rx_desc *ld = (void *)d;
			u8 st = E1000_RXD_STAT_DD | (last ? E1000_RXD_STAT_EOP : 0);

			if (ld->status & E1000_RXD_STAT_DD)
				fake.overwrite_violations++;
			memcpy((void *)(uintptr_t)ld->buffer_addr, (const u8 *)frame + off, piece);
			ld->length = piece;
			ld->errors = ((flags & FAKE_RX_CRC_ERR) ? E1000_RXD_ERR_CE : 0) |
				     ((flags & FAKE_RX_SYM_ERR) ? E1000_RXD_ERR_SE : 0) |
				     ((flags & FAKE_RX_RXE) ? E1000_RXD_ERR_RXE : 0);
			if (!csum)
				st |= E1000_RXD_STAT_IXSM;      /* like QEMU's e1000 */
			else if (flags & FAKE_RX_CSUM_GOOD)
				st |= E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS;
			if (vp) {
				st |= E1000_RXD_STAT_VP;
				ld->special = tci;
			} else {
				ld->special = 0;
			}
			ld->status = st;
		}
		off += piece;
		head = (head + 1) % n;
	}
	R(q_rdh(q)) = head;
	R(E1000_TPR)++;
	if (bad) {
		R(E1000_CRCERRS) += !!(flags & FAKE_RX_CRC_ERR);
	} else {
		R(E1000_GPRC)++;
		add64(E1000_GORCL, len + ETH_FCS_LEN);
	}
	R(E1000_ICR) |= E1000_ICR_RXT0;
	fake_raise_eicr(q, false);
	return 0;
}

/* one data descriptor: its piece appended to the frame being gathered */
static void fake_tx_gather(u64 addr, u32 len, bool eop, bool rs)
{
	if (fake.tx_log_n < FAKE_TX_LOG)
		fake.tx_log[fake.tx_log_n] = (typeof(fake.tx_log[0])){ addr, (u16)len, eop, rs };
	fake.tx_log_n++;
	if (fake.tx_gather + len > sizeof(fake.tx_last)) {
		fprintf(stderr, "fake: TX frame longer than %zu bytes\n", sizeof(fake.tx_last));
		abort();
	}
	memcpy(fake.tx_last + fake.tx_gather, (const void *)(uintptr_t)addr, len);
	fake.tx_gather += len;
	fake.tx_gather_ndesc++;
	if (eop) {
		fake.tx_last_len = fake.tx_gather;
		fake.tx_last_ndesc = fake.tx_gather_ndesc;
		fake.tx_gather = 0;
		fake.tx_gather_ndesc = 0;
	}
}

/* 8254x 3.3.6: the ones' complement sum of the frame's bytes [css, cse]
 * (cse 0: to the end) stored at sso, complemented; the field's own
 * content (the preloaded seed) is part of the sum */
static void fake_putsum_in(u8 *f, u32 len, u32 sso, u32 css, u32 cse)
{
	u32 n = len, sum = 0;
	u16 c;

	if (cse && cse < n)
		n = cse + 1;
	if (css >= n || sso + 2 > n)
		return;
	for (u32 i = css; i < n; i += 2)
		sum += (u32)f[i] << 8 | (i + 1 < n ? f[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	c = (u16)~sum;
	f[sso] = (u8)(c >> 8);
	f[sso + 1] = (u8)c;
}

static void fake_putsum(u32 sso, u32 css, u32 cse)
{
	fake_putsum_in(fake.tx_last, fake.tx_last_len, sso, css, cse);
}

static u16 be16_at(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static void be16_put(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* 8254x 3.5 / 82576 7.2.4: cut the TSO send in tx_last into segments of
 * the context's MSS behind a copy of its header */
static void fake_tso_segment(unsigned int popts)
{
	u32 hdr = fake.ctx_hdr_len, mss = fake.ctx_mss, len = fake.tx_last_len;
	u32 paylen = len > hdr ? len - hdr : 0;
	u32 nseg = mss ? (paylen + mss - 1) / mss : 0;

	fake.tso_sends++;
	fake.tx_wire_n = 0;
	if (fake.ctx_paylen && fake.ctx_paylen != paylen) {
		fprintf(stderr, "fake: TSO PAYLEN %u, the data holds %u\n", fake.ctx_paylen, paylen);
		abort();
	}
	for (u32 k = 0; k < nseg && k < FAKE_WIRE_MAX; k++) {
		u8 *w = fake.tx_wire[k], *ip = w + fake.ctx_ipcss, *tcp = w + fake.ctx_tucss;
		u32 chunk = MIN(mss, paylen - k * mss), n = hdr + chunk, seq;

		if (n > FAKE_WIRE_LEN)
			abort();
		memcpy(w, fake.tx_last, hdr);
		memcpy(w + hdr, fake.tx_last + hdr + k * mss, chunk);
		if (fake.ctx_is_ipv4) {
			be16_put(ip + 2, n - fake.ctx_ipcss);
			be16_put(ip + 4, be16_at(ip + 4) + k);
		} else {
			be16_put(ip + 4, n - fake.ctx_tucss);
		}
		seq = (u32)be16_at(tcp + 4) << 16 | be16_at(tcp + 6);
		seq += k * mss;
		be16_put(tcp + 4, seq >> 16);
		be16_put(tcp + 6, seq);
		if (k + 1 < nseg)
			tcp[13] &= (u8)~0x09;           /* PSH, FIN on the last only */
		/* the seed is without the length: the device adds each segment's */
		{
			u32 sum = be16_at(tcp + 16) + (n - fake.ctx_tucss);

			be16_put(tcp + 16, (sum & 0xFFFF) + (sum >> 16));
		}
		if (popts & 1)
			fake_putsum_in(w, n, fake.ctx_ipcso, fake.ctx_ipcss, fake.ctx_ipcse);
		fake_putsum_in(w, n, fake.ctx_tucso, fake.ctx_tucss, 0);
		fake.tx_wire_len[k] = n;
		fake.tx_wire_n++;
	}
}

unsigned int fake_tx_run(unsigned int max)
{
	return fake_tx_run_q(0, max);
}

unsigned int fake_tx_run_q(u32 q, unsigned int max)
{
	u32 n = R(q_tdlen(q)) / 16, head = R(q_tdh(q)), tail = R(q_tdt(q));
	u8 *ring = ring_base(q_tdbal(q), q_tdbah(q));
	unsigned int frames = 0;

	/* the 82576 sends on queue q > 0 only with TXDCTL(q).ENABLE */
	if (!(R(E1000_TCTL) & E1000_TCTL_EN) || !n ||
	    (q && !(R(E1000_ADV_TXDCTL(q)) & E1000_XDCTL_ENABLE)))
		return 0;
	while (head != tail && frames < max) {
		u8 *d = ring + (size_t)head * 16;
		u32 len = 0, popts = 0;
		bool data = false, eop = false, tse = false;

		if (adv()) {
			union e1000_adv_tx_desc *ad = (void *)d;
			u32 ctl = ad->read.cmd_type_len;

			if ((ctl & (0xFu << 20)) == E1000_ADVTXD_DTYP_CTXT) {
				struct e1000_adv_tx_context_desc *cd = (void *)d;

				fake.tx_ctx++;
				fake.ctx_is_tcp = !!(cd->type_tucmd_mlhl & E1000_ADVTXD_TUCMD_L4T_TCP);
				fake.ctx_is_ipv4 = !!(cd->type_tucmd_mlhl & E1000_ADVTXD_TUCMD_IPV4);
				fake.ctx_ipcss = cd->vlan_macip_lens >> E1000_ADVTXD_MACLEN_SHIFT;
				fake.ctx_tucss = fake.ctx_ipcss + (cd->vlan_macip_lens & 0x1FF);
				fake.ctx_ipcso = fake.ctx_ipcss + 10;
				fake.ctx_ipcse = fake.ctx_tucss - 1;
				fake.ctx_tucso = fake.ctx_tucss + (fake.ctx_is_tcp ? 16 : 6);
				fake.ctx_tucse = 0;
				fake.ctx_mss = cd->mss_l4len_idx >> E1000_ADVTXD_MSS_SHIFT;
				fake.ctx_hdr_len = fake.ctx_tucss +
						   ((cd->mss_l4len_idx >> E1000_ADVTXD_L4LEN_SHIFT) & 0xFF);
				fake.ctx_paylen = 0;    /* in the data descriptor */
				fake.ctx_vlan = cd->vlan_macip_lens >> E1000_ADVTXD_VLAN_SHIFT;
			} else {
				data = true;
				len = ctl & 0xFFFF;
				/* only the first data descriptor's VLE counts */
				if (!fake.tx_gather_ndesc)
					fake.tx_vle_first = ctl & E1000_TXD_CMD_VLE;
				if (eop_of(ctl))
					fake.tx_last_vlan = fake.tx_vle_first ?
							    fake.ctx_vlan | FAKE_VLAN_SET : 0;
				eop = ctl & E1000_TXD_CMD_EOP;
				fake_tx_gather(ad->read.buffer_addr, len, eop, ctl & E1000_TXD_CMD_RS);
				popts = (ad->read.olinfo_status >> 8) & 3;
				tse = ctl & E1000_ADVTXD_DCMD_TSE;
				if (tse)
					fake.ctx_paylen = ad->read.olinfo_status >> E1000_ADVTXD_PAYLEN_SHIFT;
				if (ctl & E1000_TXD_CMD_RS) {
					ad->wb.nxtseq_seed = 0;
					ad->wb.status = E1000_TXD_STAT_DD;
				}
			}
		} else {
			struct e1000_tx_desc *td = (void *)d;
			u32 lower = td->lower;

			if ((lower & E1000_TXD_CMD_DEXT) && !(lower & E1000_TXD_DTYP_D)) {
				struct e1000_context_desc *cd = (void *)d;

				fake.tx_ctx++;
				fake.ctx_ipcss = cd->ipcss;
				fake.ctx_ipcso = cd->ipcso;
				fake.ctx_ipcse = cd->ipcse;
				fake.ctx_tucss = cd->tucss;
				fake.ctx_tucso = cd->tucso;
				fake.ctx_tucse = cd->tucse;
				fake.ctx_is_tcp = !!(cd->cmd_and_length & E1000_TXD_CMD_TCP);
				fake.ctx_is_ipv4 = !!(cd->cmd_and_length & E1000_TXD_CMD_IP);
				fake.ctx_tse = !!(cd->cmd_and_length & E1000_TXD_CMD_TSE);
				fake.ctx_mss = cd->mss;
				fake.ctx_hdr_len = cd->hdr_len;
				fake.ctx_paylen = cd->cmd_and_length & E1000_TXD_PAYLEN_MASK;
			} else {
				data = true;
				len = lower & ((lower & E1000_TXD_CMD_DEXT) ? 0xFFFFF : 0xFFFF);
				eop = lower & E1000_TXD_CMD_EOP;
				/* QEMU's e1000e: VLE and the tag of the EOP
				 * descriptor, and only with CTRL.VME */
				if (eop)
					fake.tx_last_vlan = ((lower & E1000_TXD_CMD_VLE) &&
							     (R(E1000_CTRL) & E1000_CTRL_VME)) ?
							    (td->upper >> E1000_TXD_SPECIAL_SHIFT) | FAKE_VLAN_SET : 0;
				fake_tx_gather(td->buffer_addr, len, eop, lower & E1000_TXD_CMD_RS);
				if (lower & E1000_TXD_CMD_DEXT) {
					popts = (td->upper >> E1000_TXD_POPTS_SHIFT) & 3;
					tse = lower & E1000_TXD_CMD_TSE;
					/* QEMU's e1000 segments only with TSE in both */
					if (tse && !fake.ctx_tse)
						abort();
				}
				if (lower & E1000_TXD_CMD_RS)
					td->upper |= E1000_TXD_STAT_DD;
			}
		}
		if (data && eop) {
			len = fake.tx_last_len;
			fake.tx_frames++;
			fake.tx_last_popts = ((popts & 1) ? NETDEV_CSUM_IP : 0) |
					     ((popts & 2) ? (fake.ctx_is_tcp ? NETDEV_CSUM_TCP : NETDEV_CSUM_UDP) : 0);
			/* the IP header first: the L4 sum does not cover it */
			if (tse) {
				fake_tso_segment(popts);
			} else {
				if (popts & 1)
					fake_putsum(fake.ctx_ipcso, fake.ctx_ipcss, fake.ctx_ipcse);
				if (popts & 2)
					fake_putsum(fake.ctx_tucso, fake.ctx_tucss, fake.ctx_tucse);
			}
			frames++;
			R(E1000_GPTC)++;
			R(E1000_TPT)++;
			add64(E1000_GOTCL, len + ETH_FCS_LEN);
		}
		head = (head + 1) % n;
	}
	R(q_tdh(q)) = head;
	/* as QEMU's start_xmit: TXQE once the ring is drained */
	if (frames) {
		R(E1000_ICR) |= E1000_ICR_TXDW | (head == R(q_tdt(q)) ? E1000_ICR_TXQE : 0);
		fake_raise_eicr(q, true);
	}
	return frames;
}
