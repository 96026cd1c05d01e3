/* Register bits, fields and descriptor layouts of the e1000 family.
 * Fields are given as _SHIFT/_MASK pairs; descriptors are 16 bytes,
 * little-endian (x86 is, so plain fixed-width fields are used). */
#ifndef DRIVERS_NET_E1000_DEFS_H
#define DRIVERS_NET_E1000_DEFS_H

#include "kernel/types.h"

/* CTRL (8254x 13.4.1; 82576 8.2.1) */
#define E1000_CTRL_FD           BIT(0)  /* full duplex */
#define E1000_CTRL_LRST         BIT(3)  /* link reset */
#define E1000_CTRL_ASDE         BIT(5)  /* auto-speed detection enable */
#define E1000_CTRL_SLU          BIT(6)  /* set link up */
#define E1000_CTRL_ILOS         BIT(7)  /* invert loss-of-signal */
#define E1000_CTRL_GIO_MASTER_DISABLE BIT(2) /* 82574/82576: stop DMA before reset */
#define E1000_CTRL_RST          BIT(26) /* device reset, self-clearing */
#define E1000_CTRL_PHY_RST      BIT(31) /* PHY reset */
#define E1000_CTRL_VME          BIT(30) /* VLAN mode: strip received tags, insert on VLE (8254x 13.4.1) */

/* STATUS (8254x 13.4.2) */
#define E1000_STATUS_FD         BIT(0)
#define E1000_STATUS_LU         BIT(1)  /* link up */
#define E1000_STATUS_SPEED_SHIFT 6
#define E1000_STATUS_SPEED_MASK (3u << E1000_STATUS_SPEED_SHIFT)
#define E1000_STATUS_SPEED_10   0
#define E1000_STATUS_SPEED_100  1
#define E1000_STATUS_SPEED_1000 2       /* 11b also means 1000 */
#define E1000_STATUS_GIO_MASTER_ENABLE BIT(19)

/* CTRL_EXT (82574 10.2.2.5; 82576 8.2.3) */
#define E1000_CTRL_EXT_DRV_LOAD BIT(28) /* driver loaded: firmware hands over */

/* EERD: the layout differs between the 8254x and the 82574/82576 */
#define E1000_EERD_START        BIT(0)  /* all: start a read */
#define E1000_EERD_DONE_8254X   BIT(4)  /* 8254x SDM 13.4.4 */
#define E1000_EERD_ADDR_SHIFT_8254X 8
#define E1000_EERD_DONE_NVM     BIT(1)  /* 82574 10.2.2.3; 82576 8.4.3 */
#define E1000_EERD_ADDR_SHIFT_NVM 2
#define E1000_EERD_DATA_SHIFT   16
#define E1000_EERD_DATA_MASK    0xFFFFu
#define E1000_EEPROM_MAC_WORD   0x00    /* words 0..2: Ethernet address (8254x 5.6.1) */
#define E1000_EEPROM_CSUM_WORDS 0x40    /* words 0x00..0x3F sum to 0xBABA */
#define E1000_EEPROM_CSUM       0xBABA

/* MDIC (8254x 13.4.7) */
#define E1000_MDIC_DATA_MASK    0xFFFFu
#define E1000_MDIC_REG_SHIFT    16
#define E1000_MDIC_PHY_SHIFT    21
#define E1000_MDIC_OP_WRITE     (1u << 26)
#define E1000_MDIC_OP_READ      (2u << 26)
#define E1000_MDIC_READY        BIT(28)
#define E1000_MDIC_ERROR        BIT(30)
#define E1000_PHY_ADDR          1       /* the internal PHY answers at address 1 */

/* PHY registers (IEEE 802.3 clause 22; 8254x 13.5) */
#define MII_BMCR                0x00
#define MII_BMSR                0x01
#define MII_PHYSID1             0x02
#define MII_PHYSID2             0x03
#define BMCR_ANRESTART          BIT(9)
#define BMCR_ANENABLE           BIT(12)
#define BMSR_LSTATUS            BIT(2)
#define BMSR_ANEGCOMPLETE       BIT(5)

/* Interrupt causes, ICR/IMS/IMC (8254x 13.4.17; 82576 8.8.1) */
#define E1000_ICR_TXDW          BIT(0)  /* TX descriptor written back */
#define E1000_ICR_TXQE          BIT(1)  /* TX queue empty */
#define E1000_ICR_LSC           BIT(2)  /* link status change */
#define E1000_ICR_RXSEQ         BIT(3)  /* RX sequence error */
#define E1000_ICR_RXDMT0        BIT(4)  /* RX descriptors below minimum threshold */
#define E1000_ICR_RXO           BIT(6)  /* RX overrun */
#define E1000_ICR_RXT0          BIT(7)  /* RX timer / descriptor written back (RXDW) */
#define E1000_ICR_RXQ0          BIT(20) /* 82574 MSI-X: RX queue 0 (10.2.4.1) */
#define E1000_ICR_RXQ1          BIT(21) /* 82574 MSI-X: RX queue 1 */
#define E1000_ICR_TXQ0          BIT(22) /* 82574 MSI-X: TX queue 0 */
#define E1000_ICR_TXQ1          BIT(23) /* 82574 MSI-X: TX queue 1 */
#define E1000_ICR_OTHER         BIT(24) /* 82574 MSI-X: any other cause (LSC, RXO, ...) */
#define E1000_ICR_ALL           0xFFFFFFFFu
#define E1000_IMS_ENABLE        (E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXDMT0 | \
				 E1000_ICR_RXO | E1000_ICR_RXT0)
/* 82574 in MSI-X mode: queue causes replace RXT0/TXDW, OTHER carries LSC */
#define E1000_IMS_ENABLE_82574_MSIX (E1000_ICR_RXQ0 | E1000_ICR_TXQ0 | E1000_ICR_OTHER | \
				     E1000_ICR_LSC | E1000_ICR_RXO)

/* 82574 IVAR (10.2.4.9): a 4-bit field per cause, vector 2:0 and valid bit 3 */
#define E1000E_IVAR_VALID       0x8u
#define E1000E_IVAR_RXQ0_SHIFT  0
#define E1000E_IVAR_RXQ1_SHIFT  4
#define E1000E_IVAR_TXQ0_SHIFT  8
#define E1000E_IVAR_TXQ1_SHIFT  12
#define E1000E_IVAR_OTHER_SHIFT 16

/* 82576 GPIE (8.8.11) and IVAR (8.8.15) */
#define E1000_GPIE_NSICR        BIT(0)  /* ICR clears on read even in MSI-X mode */
#define E1000_GPIE_MSIX_MODE    BIT(4)
#define E1000_GPIE_PBA          BIT(31)
#define E1000_IVAR_VALID        BIT(7)
#define E1000_IVAR_RX0_SHIFT    0       /* IVAR0 byte 0: RX queue 0 */
#define E1000_IVAR_TX0_SHIFT    8       /* IVAR0 byte 1: TX queue 0 */
#define E1000_IVAR_OTHER_SHIFT  8       /* IVAR_MISC byte 1: other causes */
#define E1000_EICR_ALL          0xFFFFFFFFu
#define E1000_EITR_INTERVAL_SHIFT 2     /* 82576 8.8.12: interval in bits 14:2, 1 us units */
#define E1000_EITR_INTERVAL_MASK 0x7FFCu

/* RCTL (8254x 13.4.22) */
#define E1000_RCTL_EN           BIT(1)
#define E1000_RCTL_SBP          BIT(2)  /* store bad packets */
#define E1000_RCTL_UPE          BIT(3)  /* unicast promiscuous */
#define E1000_RCTL_MPE          BIT(4)  /* multicast promiscuous */
#define E1000_RCTL_LPE          BIT(5)  /* long packets (> 1522) */
#define E1000_RCTL_RDMTS_HALF   (0u << 8)
#define E1000_RCTL_MO_SHIFT     12      /* multicast offset: 00 = address bits 47:36 */
#define E1000_RCTL_BAM          BIT(15) /* accept broadcast */
#define E1000_RCTL_BSIZE_2048   (0u << 16) /* with BSEX = 0 */
#define E1000_RCTL_VFE          BIT(18) /* VLAN filter table enable (8254x 13.4.22) */
#define E1000_RCTL_SECRC        BIT(26) /* strip Ethernet CRC */

/* TCTL and TIPG (8254x 13.4.33-13.4.34) */
#define E1000_TCTL_EN           BIT(1)
#define E1000_TCTL_PSP          BIT(3)  /* pad short packets */
#define E1000_TCTL_CT_SHIFT     4
#define E1000_TCTL_CT_DEFAULT   0x0F    /* collision threshold */
#define E1000_TCTL_COLD_SHIFT   12
#define E1000_TCTL_COLD_FD      0x40    /* collision distance, full duplex */
#define E1000_TCTL_RTLC         BIT(24) /* retransmit on late collision */
#define E1000_TIPG_IPGT_COPPER  10
#define E1000_TIPG_IPGR1_SHIFT  10
#define E1000_TIPG_IPGR1        8
#define E1000_TIPG_IPGR2_SHIFT  20
#define E1000_TIPG_IPGR2        6

/* RXCSUM (8254x 13.4.30; 82576 8.10.10) */
#define E1000_RXCSUM_IPOFL      BIT(8)  /* IPv4 header checksum offload */
#define E1000_RXCSUM_TUOFL      BIT(9)  /* TCP/UDP checksum offload */

/* RXDCTL/TXDCTL queue enable (82576 8.10.9, 8.12.13) */
#define E1000_XDCTL_ENABLE      BIT(25)

/* SRRCTL (82576 8.10.2) */
#define E1000_SRRCTL_BSIZEPKT_SHIFT 0   /* packet buffer size, 1 KiB units */
#define E1000_SRRCTL_BSIZEPKT_MASK  0x7Fu
#define E1000_SRRCTL_BSIZEPKT_UNIT  1024
#define E1000_SRRCTL_DESCTYPE_SHIFT 25
#define E1000_SRRCTL_DESCTYPE_ADV_ONEBUF (1u << E1000_SRRCTL_DESCTYPE_SHIFT)
#define E1000_SRRCTL_DROP_EN    BIT(31) /* drop when no descriptor is free */

/* RAH (8254x 13.4.63) */
#define E1000_RAH_AV            BIT(31) /* address valid */

/* ITR (8254x 13.4.18): interval in 256 ns units */
#define E1000_ITR_UNIT_NS       256
#define E1000_ITR_MAX           0xFFFFu

/* ---- Legacy RX descriptor (8254x 3.2.3; 82574 7.1.4.1) ---- */
struct e1000_rx_desc {
	u64 buffer_addr;
	u16 length;
	u16 csum;
	u8  status;
	u8  errors;
	u16 special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "legacy RX descriptor is 16 bytes");

#define E1000_RXD_STAT_DD       BIT(0)  /* descriptor done */
#define E1000_RXD_STAT_EOP      BIT(1)  /* end of packet */
#define E1000_RXD_STAT_IXSM     BIT(2)  /* ignore checksum indication */
#define E1000_RXD_STAT_VP       BIT(3)  /* 802.1Q tag taken out: TCI in special / vlan */
#define E1000_RXD_STAT_UDPCS    BIT(4)  /* UDP checksum computed (82574) */
#define E1000_RXD_STAT_TCPCS    BIT(5)  /* TCP/UDP checksum computed */
#define E1000_RXD_STAT_IPCS     BIT(6)  /* IPv4 checksum computed */
#define E1000_RXD_ERR_CE        BIT(0)  /* CRC or alignment error */
#define E1000_RXD_ERR_SE        BIT(1)  /* symbol error */
#define E1000_RXD_ERR_SEQ       BIT(2)  /* sequence error */
#define E1000_RXD_ERR_CXE       BIT(4)  /* carrier extension error */
#define E1000_RXD_ERR_TCPE      BIT(5)  /* TCP/UDP checksum error */
#define E1000_RXD_ERR_IPE       BIT(6)  /* IP checksum error */
#define E1000_RXD_ERR_RXE       BIT(7)  /* RX data error */
#define E1000_RXD_ERR_FRAME     (E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
				 E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)

/* ---- Advanced RX descriptor, one buffer (82576 7.1.5) ---- */
union e1000_adv_rx_desc {
	struct {
		u64 pkt_addr;           /* packet buffer */
		u64 hdr_addr;           /* header buffer (split mode only) */
	} read;
	struct {
		u32 info;               /* packet type, RSS type */
		u32 rss_csum;
		u32 status_error;       /* status bits 19:0, errors 31:20 */
		u16 length;
		u16 vlan;
	} wb;
};
_Static_assert(sizeof(union e1000_adv_rx_desc) == 16, "advanced RX descriptor is 16 bytes");

/* status_error: the status bits match the legacy ones in bits 7:0 */
#define E1000_RXDADV_ERR_CE     BIT(24)
#define E1000_RXDADV_ERR_SE     BIT(25)
#define E1000_RXDADV_ERR_SEQ    BIT(26)
#define E1000_RXDADV_ERR_CXE    BIT(28)
#define E1000_RXDADV_ERR_TCPE   BIT(29) /* L4 checksum error */
#define E1000_RXDADV_ERR_IPE    BIT(30)
#define E1000_RXDADV_ERR_RXE    BIT(31)
#define E1000_RXDADV_ERR_FRAME  (E1000_RXDADV_ERR_CE | E1000_RXDADV_ERR_SE | \
				 E1000_RXDADV_ERR_SEQ | E1000_RXDADV_ERR_CXE | E1000_RXDADV_ERR_RXE)

/* ---- Extended RX descriptor, one buffer (82574 7.1.5: RFCTL.EXTEN) ----
 * Read format: the buffer address, then 8 reserved bytes the driver
 * zeroes (they hold the status once written back).  The write-back
 * replaces the whole descriptor, buffer address included (QEMU
 * e1000e_write_ext_rx_descr memsets it), so every slot is armed again
 * before the tail passes it.  With RXCSUM.PCSD the second dword is the
 * RSS hash and MRQ holds the RSS type (bits 3:0) and the queue (bits
 * 9:8) -- the same layout as the 82576's advanced one-buffer write-back. */
union e1000_ext_rx_desc {
	struct {
		u64 buffer_addr;
		u64 reserved;           /* status_error/length once written back: DD clear */
	} read;
	struct {
		u32 mrq;                /* RSS type 3:0, queue 9:8 */
		u32 rss;                /* RSS hash (PCSD), else IP ID and checksum */
		u32 status_error;       /* status bits 19:0, extended errors 31:20 */
		u16 length;
		u16 vlan;
	} wb;
};
_Static_assert(sizeof(union e1000_ext_rx_desc) == 16, "extended RX descriptor is 16 bytes");

#define E1000_RXDEXT_ERR_CE     BIT(24)
#define E1000_RXDEXT_ERR_SE     BIT(25)
#define E1000_RXDEXT_ERR_SEQ    BIT(26)
#define E1000_RXDEXT_ERR_CXE    BIT(28)
#define E1000_RXDEXT_ERR_TCPE   BIT(29)
#define E1000_RXDEXT_ERR_IPE    BIT(30)
#define E1000_RXDEXT_ERR_RXE    BIT(31)
#define E1000_RXDEXT_ERR_FRAME  (E1000_RXDEXT_ERR_CE | E1000_RXDEXT_ERR_SE | \
				 E1000_RXDEXT_ERR_SEQ | E1000_RXDEXT_ERR_CXE | E1000_RXDEXT_ERR_RXE)
#define E1000_RXDEXT_RSSTYPE_MASK 0x0Fu

/* RFCTL (82574 10.2.5.7): EXTEN selects the extended RX descriptors (QEMU
 * hashes for RSS only with them: e1000e_rss_enabled); ACK_DIS stops the
 * ACK-received cause, which QEMU raises for every TCP ACK and, in MSI-X
 * mode, passes to the other vector (E1000_ICR_OTHER_CAUSES) */
#define E1000_RFCTL_ACK_DIS     BIT(13)
#define E1000_RFCTL_EXTEN       BIT(15)

/* ---- Legacy TX descriptor (8254x 3.3.3) ---- */
struct e1000_tx_desc {
	u64 buffer_addr;
	u32 lower;                      /* length 15:0, CSO 23:16, CMD 31:24 */
	u32 upper;                      /* STA 3:0, CSS 15:8, special 31:16 */
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "legacy TX descriptor is 16 bytes");

/* DCMD bits, in bits 31:24 of lower / cmd_type_len (8254x 3.3.3.1, 3.3.7.1) */
#define E1000_TXD_CMD_EOP       BIT(24) /* end of packet */
#define E1000_TXD_CMD_IFCS      BIT(25) /* insert FCS */
#define E1000_TXD_CMD_RS        BIT(27) /* report status: write back DD */
#define E1000_TXD_CMD_VLE       BIT(30) /* put the 802.1Q tag in (8254x 3.3.3.1; 82576 7.2.2.3.6) */
#define E1000_TXD_SPECIAL_SHIFT 16      /* legacy/data descriptor upper: the tag to put in */
#define E1000_TXD_CMD_DEXT      BIT(29) /* extended descriptor (context/data) */
#define E1000_TXD_LEN_MASK      0xFFFFu
#define E1000_TXD_STAT_DD       BIT(0)  /* in upper / olinfo_status */

/* ---- TCP/IP context descriptor (8254x 3.3.6; 82574 7.2.10.2) ---- */
struct e1000_context_desc {
	u8  ipcss;                      /* IP checksum start */
	u8  ipcso;                      /* IP checksum offset */
	u16 ipcse;                      /* IP checksum end (inclusive) */
	u8  tucss;                      /* TCP/UDP checksum start */
	u8  tucso;                      /* TCP/UDP checksum offset */
	u16 tucse;                      /* TCP/UDP checksum end, 0 = end of packet */
	u32 cmd_and_length;             /* PAYLEN 19:0, DTYP 23:20 (0000), TUCMD 31:24 */
	u8  status;
	u8  hdr_len;
	u16 mss;
};
_Static_assert(sizeof(struct e1000_context_desc) == 16, "context descriptor is 16 bytes");

#define E1000_TXD_CMD_TCP       BIT(24) /* TUCMD: L4 is TCP (else UDP) */
#define E1000_TXD_CMD_TSE       BIT(26) /* TUCMD / data DCMD: TCP segmentation (8254x 3.3.6.2, 3.3.7.1) */
#define E1000_TXD_PAYLEN_MASK   0xFFFFFu /* context: TSO payload, bits 19:0 */
#define E1000_TXD_CMD_IP        BIT(25) /* TUCMD: L3 is IPv4 */
#define E1000_TXD_DTYP_D        (1u << 20) /* TCP/IP data descriptor (8254x 3.3.7) */
#define E1000_TXD_POPTS_SHIFT   8       /* in upper */
#define E1000_TXD_POPTS_IXSM    BIT(0)  /* insert IP checksum */
#define E1000_TXD_POPTS_TXSM    BIT(1)  /* insert TCP/UDP checksum */

/* ---- Advanced TX descriptors (82576 7.2.2) ---- */
union e1000_adv_tx_desc {
	struct {
		u64 buffer_addr;
		u32 cmd_type_len;       /* DTALEN 15:0, DTYP 23:20, DCMD 31:24 */
		u32 olinfo_status;      /* STA 3:0, IDX 6:4, POPTS 13:8, PAYLEN 31:14 */
	} read;
	struct {
		u64 rsvd;
		u32 nxtseq_seed;
		u32 status;             /* DD in bit 0 */
	} wb;
};
_Static_assert(sizeof(union e1000_adv_tx_desc) == 16, "advanced TX descriptor is 16 bytes");

struct e1000_adv_tx_context_desc {
	u32 vlan_macip_lens;            /* IPLEN 8:0, MACLEN 15:9, VLAN 31:16 */
	u32 seqnum_seed;
	u32 type_tucmd_mlhl;            /* TUCMD 19:9, DTYP 23:20, DEXT bit 29 */
	u32 mss_l4len_idx;              /* IDX 6:4, L4LEN 15:8, MSS 31:16 */
};
_Static_assert(sizeof(struct e1000_adv_tx_context_desc) == 16, "advanced context descriptor is 16 bytes");

#define E1000_ADVTXD_DTYP_CTXT  (2u << 20)
#define E1000_ADVTXD_DTYP_DATA  (3u << 20)
#define E1000_ADVTXD_MACLEN_SHIFT 9
#define E1000_ADVTXD_VLAN_SHIFT 16      /* context vlan_macip_lens: the tag to put in */
#define E1000_ADVTXD_TUCMD_IPV4 BIT(10)
#define E1000_ADVTXD_TUCMD_L4T_TCP BIT(11) /* L4T = 01b; 00b is UDP */
#define E1000_ADVTXD_DCMD_TSE   BIT(31) /* data: TCP segmentation (82576 7.2.2.3.7) */
#define E1000_ADVTXD_MSS_SHIFT  16      /* context mss_l4len_idx (82576 7.2.2.2) */
#define E1000_ADVTXD_L4LEN_SHIFT 8
#define E1000_ADVTXD_POPTS_IXSM BIT(8)
#define E1000_ADVTXD_POPTS_TXSM BIT(9)
#define E1000_ADVTXD_PAYLEN_SHIFT 14

/* ---- 82576 multiqueue (e1000_mq.c) ---- */
/* RXCSUM.PCSD: the descriptor's checksum field carries the RSS hash
 * instead; QEMU's igb computes RSS only with it set (igb_rss_enabled) */
#define E1000_RXCSUM_PCSD       BIT(13)
/* MRQC (82576 8.10.12): MRQE 010b = RSS only (no VMDq), and the fields
 * hashed; QEMU honours 16,17,18,20,22,23 (igb_rss_get_hash_type) */
#define E1000_MRQC_ENABLE_RSS_MQ        0x2u
#define E1000_MRQC_RSS_FIELD_IPV4_TCP   BIT(16)
#define E1000_MRQC_RSS_FIELD_IPV4       BIT(17)
#define E1000_MRQC_RSS_FIELD_IPV6_TCP_EX BIT(18)
#define E1000_MRQC_RSS_FIELD_IPV6       BIT(20)
#define E1000_MRQC_RSS_FIELD_IPV6_TCP   BIT(21)
#define E1000_MRQC_RSS_FIELD_IPV4_UDP   BIT(22)
#define E1000_MRQC_RSS_FIELD_IPV6_UDP   BIT(23)
/* Linux igb_setup_mrqc's default fields (UDP 2-tuple until ethtool -N) */
#define E1000_MRQC_RSS_DEFAULT  (E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP | \
				 E1000_MRQC_RSS_FIELD_IPV6 | E1000_MRQC_RSS_FIELD_IPV6_TCP | \
				 E1000_MRQC_RSS_FIELD_IPV6_TCP_EX)
/* 82574 (10.2.5.x MRQC, RETA): MRQE 01b = RSS; an entry's queue is bit 7
 * of its byte (QEMU hw/net/e1000_regs.h E1000_MRQC_ENABLED,
 * E1000_RSS_QUEUE); QEMU hashes TCP/IPv4, IPv4, TCP/IPv6 and IPv6, never
 * UDP ports (e1000e_rss_get_hash_type) */
#define E1000_MRQC_ENABLE_RSS_82574     0x1u
#define E1000_RETA_82574_QUEUE_SHIFT    7
#define E1000_MRQC_RSS_DEFAULT_82574 (E1000_MRQC_RSS_FIELD_IPV4 | E1000_MRQC_RSS_FIELD_IPV4_TCP | \
				      E1000_MRQC_RSS_FIELD_IPV6 | E1000_MRQC_RSS_FIELD_IPV6_TCP_EX)
/* advanced RX write-back info[3:0]: the RSS type, 0 = no hash */
#define E1000_RXDADV_RSSTYPE_MASK 0x0Fu
/* GPIE.EIAME and the per-vector EICR bit of MSI-X entry v */
#define E1000_GPIE_EIAME        BIT(30)
#define E1000_EICR_VEC(v)       BIT(v)
/* IVAR0[q & 7]: RX q in byte 0 (q < 8) and TX q in byte 1 (82576 8.8.15) */
#define E1000_IVAR_RX_SHIFT(q)  (((q) & 8) << 1)
#define E1000_IVAR_TX_SHIFT(q)  ((((q) & 8) << 1) + 8)

#endif
