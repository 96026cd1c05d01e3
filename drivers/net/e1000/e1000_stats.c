/* Hardware statistics: 32-bit clear-on-read registers (8254x SDM 13.7;
 * 82574 10.2.7; 82576 8.19) accumulated into the 64-bit counters of
 * struct e1000_hw_stats, and the rtnl_link_stats64 view of them.
 *
 * QEMU's models (hw/net/e1000.c, e1000e_core.c, igb_core.c) clear only
 * the packet/octet counters on read (GPRC, GPTC, TPR, TPT, GORC, GOTC, TOR,
 * TOT, PRCxx/PTCxx, BPRC, MPRC, BPTC, MPTC, RUC, ROC, TSCTC); CRCERRS..MPC,
 * RNBC and the other error counters keep counting from the last reset.  On
 * the emulator (hw->emulated) those are accumulated as differences from the
 * previous raw value instead. */
#include "drivers/net/e1000/e1000.h"
#include <string.h>

struct e1000_stat_reg {
	u32 reg;                /* the register, or the low half of a pair */
	u16 offset;             /* into struct e1000_hw_stats */
	u8 pair;                /* 64-bit low/high pair: read low, then high */
	u8 emu_cor;             /* QEMU clears it on read too */
};

#define STAT(r, f, p, c) { E1000_##r, offsetof(struct e1000_hw_stats, f), p, c }

static const struct e1000_stat_reg e1000_stat_regs[E1000_STATS_REGS] = {
	STAT(CRCERRS, crcerrs, 0, 0),   STAT(ALGNERRC, algnerrc, 0, 0),
	STAT(SYMERRS, symerrs, 0, 0),   STAT(RXERRC, rxerrc, 0, 0),
	STAT(MPC, mpc, 0, 0),           STAT(SCC, scc, 0, 0),
	STAT(ECOL, ecol, 0, 0),         STAT(MCC, mcc, 0, 0),
	STAT(LATECOL, latecol, 0, 0),   STAT(COLC, colc, 0, 0),
	STAT(DC, dc, 0, 0),             STAT(TNCRS, tncrs, 0, 0),
	STAT(SEC, sec, 0, 0),           STAT(CEXTERR, cexterr, 0, 0),
	STAT(RLEC, rlec, 0, 0),         STAT(XONRXC, xonrxc, 0, 0),
	STAT(XONTXC, xontxc, 0, 0),     STAT(XOFFRXC, xoffrxc, 0, 0),
	STAT(XOFFTXC, xofftxc, 0, 0),   STAT(FCRUC, fcruc, 0, 0),
	STAT(GPRC, gprc, 0, 1),         STAT(BPRC, bprc, 0, 1),
	STAT(MPRC, mprc, 0, 1),         STAT(GPTC, gptc, 0, 1),
	STAT(GORCL, gorc, 1, 1),        STAT(GOTCL, gotc, 1, 1),
	STAT(RNBC, rnbc, 0, 0),         STAT(RUC, ruc, 0, 1),
	STAT(RFC, rfc, 0, 0),           STAT(ROC, roc, 0, 1),
	STAT(RJC, rjc, 0, 0),           STAT(TORL, tor, 1, 1),
	STAT(TOTL, tot, 1, 1),          STAT(TPR, tpr, 0, 1),
	STAT(TPT, tpt, 0, 1),           STAT(MPTC, mptc, 0, 1),
	STAT(BPTC, bptc, 0, 1),
};

/* read every counter once and add what it counted since the last read */
void e1000_stats_update(struct e1000_adapter *a)
{
	struct e1000_hw *hw = &a->hw;

	if (er32(hw, E1000_STATUS) == E1000_REG_GONE)
		return;
	for (unsigned int i = 0; i < E1000_STATS_REGS; i++) {
		const struct e1000_stat_reg *s = &e1000_stat_regs[i];
		u64 *acc = (u64 *)((u8 *)&a->hs + s->offset);
		u64 v = er32(hw, s->reg);

		if (s->pair)
			v |= (u64)er32(hw, s->reg + 4) << 32;   /* high read clears both */
		if (hw->emulated && !s->emu_cor) {
			u32 raw = (u32)v;

			v = (u32)(raw - a->stats_last[i]);      /* modulo 2^32, as the register wraps */
			a->stats_last[i] = raw;
		}
		*acc += v;
	}
}

/* forget the accumulated counts (the registers are read and dropped) */
void e1000_stats_reset(struct e1000_adapter *a)
{
	e1000_stats_update(a);
	memset(&a->hs, 0, sizeof(a->hs));
	memset(&a->sw, 0, sizeof(a->sw));
}

/* the Linux meaning of each field, from hardware and driver counters; the
 * driver counts errors only for frames the device stored (RCTL.SBP), so the
 * two sources do not overlap in normal operation */
void e1000_stats_fill(struct e1000_adapter *a, struct rtnl_link_stats64 *s)
{
	const struct e1000_hw_stats *h = &a->hs;
	const struct e1000_sw_stats *w = &a->sw;

	e1000_stats_update(a);
	memset(s, 0, sizeof(*s));
	s->rx_packets = w->rx_packets;
	s->tx_packets = w->tx_packets;
	s->rx_bytes = w->rx_bytes;
	s->tx_bytes = w->tx_bytes;
	s->multicast = h->mprc;
	s->collisions = h->colc;
	s->rx_crc_errors = h->crcerrs + w->rx_crc_errors;
	s->rx_frame_errors = h->algnerrc + w->rx_frame_errors;
	s->rx_length_errors = h->rlec + h->ruc + h->roc + w->rx_length_errors;
	s->rx_missed_errors = h->mpc;
	s->rx_errors = h->rxerrc + h->crcerrs + h->algnerrc + h->ruc + h->roc + h->cexterr +
		       w->rx_crc_errors + w->rx_frame_errors + w->rx_length_errors;
	s->rx_dropped = w->rx_dropped;
	s->tx_aborted_errors = h->ecol;
	s->tx_window_errors = h->latecol;
	s->tx_carrier_errors = h->tncrs;
	s->tx_errors = h->ecol + h->latecol;
	s->rx_nohandler = a->netdev->rx_nohandler;
}
