/* Register offsets (bytes from BAR0) of the Intel e1000 family, named with
 * the datasheet mnemonics.
 *
 * Sources: "PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual" (8254x SDM, rev 4.0) section 13; "Intel 82574 GbE
 * Controller Family Datasheet" (82574) section 10; "Intel 82576EB GbE
 * Controller Datasheet" (82576) section 8.  Where a register exists on all
 * three chips at the same offset it is listed once. */
#ifndef DRIVERS_NET_E1000_REGS_H
#define DRIVERS_NET_E1000_REGS_H

/* General (8254x SDM 13.4.1-13.4.7; 82574 10.2.2; 82576 8.2) */
#define E1000_CTRL      0x00000 /* Device Control */
#define E1000_STATUS    0x00008 /* Device Status, read only */
#define E1000_EECD      0x00010 /* EEPROM/Flash Control */
#define E1000_EERD      0x00014 /* EEPROM Read (8254x 13.4.4; 82574 10.2.2.3; 82576 8.4.3) */
#define E1000_CTRL_EXT  0x00018 /* Extended Device Control */
#define E1000_MDIC      0x00020 /* MDI Control: PHY register access (8254x 13.4.7) */
#define E1000_VET       0x00038 /* VLAN Ether Type */

/* Interrupts (8254x SDM 13.4.17-13.4.21; 82576 8.8) */
#define E1000_ICR       0x000C0 /* Interrupt Cause Read, clear on read (and write 1 to clear) */
#define E1000_ITR       0x000C4 /* Interrupt Throttling, 256 ns units (8254x 13.4.18) */
#define E1000_ICS       0x000C8 /* Interrupt Cause Set */
#define E1000_IMS       0x000D0 /* Interrupt Mask Set/Read */
#define E1000_IMC       0x000D8 /* Interrupt Mask Clear */
#define E1000_EIAC_82574 0x000DC /* 82574: Extended Interrupt Auto Clear (10.2.4.7) */
#define E1000_IAM       0x000E0 /* Interrupt Acknowledge Auto Mask (82574, 82576) */
#define E1000_IVAR_82574 0x000E4 /* 82574: Interrupt Vector Allocation (10.2.4.9) */
/* 82574: Extended Interrupt Throttling of MSI-X vector n (10.2.4, EITR), ITR's
 * format; in MSI-X mode it, not ITR, throttles the vector */
#define E1000_EITR_82574(n) (0x000E8 + (n) * 4)

/* 82576 extended interrupts for MSI-X (82576 8.8.4-8.8.15) */
#define E1000_GPIE      0x01514 /* General Purpose Interrupt Enable */
#define E1000_EICS      0x01520 /* Extended Interrupt Cause Set */
#define E1000_EIMS      0x01524 /* Extended Interrupt Mask Set/Read */
#define E1000_EIMC      0x01528 /* Extended Interrupt Mask Clear */
#define E1000_EIAC      0x0152C /* Extended Interrupt Auto Clear */
#define E1000_EIAM      0x01530 /* Extended Interrupt Auto Mask */
#define E1000_EICR      0x01580 /* Extended Interrupt Cause Read, clear on read */
#define E1000_EITR(n)   (0x01680 + (n) * 4) /* Extended Interrupt Throttle */
#define E1000_IVAR0     0x01700 /* Interrupt Vector Allocation, queues 0 and 8 */
#define E1000_IVAR_MISC 0x01740 /* IVAR for the "other" causes (LSC, ...) */

/* Receive control (8254x 13.4.22-13.4.30) */
#define E1000_RCTL      0x00100 /* Receive Control */
#define E1000_TCTL      0x00400 /* Transmit Control */
#define E1000_TIPG      0x00410 /* Transmit Inter Packet Gap */
#define E1000_RXCSUM    0x05000 /* Receive Checksum Control (8254x 13.4.30) */
#define E1000_RLPML     0x05004 /* Receive Long Packet Maximum Length (82576: with RCTL.LPE) */
#define E1000_RFCTL     0x05008 /* Receive Filter Control (82574: extended descriptors) */
#define E1000_MTA(n)    (0x05200 + (n) * 4) /* Multicast Table Array, 128 words */
#define E1000_VFTA(n)   (0x05600 + (n) * 4) /* VLAN Filter Table Array, 128 words */
#define E1000_VFTA_WORDS 128                /* a bit per VLAN id: word vid / 32, bit vid % 32 */
#define E1000_RAL(n)    (0x05400 + (n) * 8) /* Receive Address Low */
#define E1000_RAH(n)    (0x05404 + (n) * 8) /* Receive Address High */
#define E1000_MTA_WORDS 128

/* Legacy queue registers: 82540EM queue 0, 82574 queues 0..1
 * (8254x 13.4.25-13.4.44; 82574 10.2.6, 10.2.8: queue n at +n*0x100) */
#define E1000_RDBAL(n)  (0x02800 + (n) * 0x100) /* RX Descriptor Base Low */
#define E1000_RDBAH(n)  (0x02804 + (n) * 0x100) /* RX Descriptor Base High */
#define E1000_RDLEN(n)  (0x02808 + (n) * 0x100) /* RX Descriptor Length, bytes, 128-aligned */
#define E1000_RDH(n)    (0x02810 + (n) * 0x100) /* RX Descriptor Head */
#define E1000_RDT(n)    (0x02818 + (n) * 0x100) /* RX Descriptor Tail */
#define E1000_RDTR      0x02820                 /* RX Delay Timer */
#define E1000_RXDCTL(n) (0x02828 + (n) * 0x100) /* RX Descriptor Control */
#define E1000_RADV      0x0282C                 /* RX Absolute Delay Timer */
#define E1000_TDBAL(n)  (0x03800 + (n) * 0x100) /* TX Descriptor Base Low */
#define E1000_TDBAH(n)  (0x03804 + (n) * 0x100) /* TX Descriptor Base High */
#define E1000_TDLEN(n)  (0x03808 + (n) * 0x100) /* TX Descriptor Length */
#define E1000_TDH(n)    (0x03810 + (n) * 0x100) /* TX Descriptor Head */
#define E1000_TDT(n)    (0x03818 + (n) * 0x100) /* TX Descriptor Tail */
#define E1000_TIDV      0x03820                 /* TX Interrupt Delay Value */
#define E1000_TXDCTL(n) (0x03828 + (n) * 0x100) /* TX Descriptor Control */
#define E1000_TADV      0x0382C                 /* TX Absolute Interrupt Delay */

/* 82576 queue registers, 16 queues at +n*0x40 (82576 8.10, 8.12).  The
 * legacy offsets above alias queues 0..3 on the 82576; we use these. */
#define E1000_ADV_RDBAL(n)  (0x0C000 + (n) * 0x40)
#define E1000_ADV_RDBAH(n)  (0x0C004 + (n) * 0x40)
#define E1000_ADV_RDLEN(n)  (0x0C008 + (n) * 0x40)
#define E1000_SRRCTL(n)     (0x0C00C + (n) * 0x40) /* Split and Replication RX Control */
#define E1000_ADV_RDH(n)    (0x0C010 + (n) * 0x40)
#define E1000_ADV_RDT(n)    (0x0C018 + (n) * 0x40)
#define E1000_ADV_RXDCTL(n) (0x0C028 + (n) * 0x40)
#define E1000_ADV_TDBAL(n)  (0x0E000 + (n) * 0x40)
#define E1000_ADV_TDBAH(n)  (0x0E004 + (n) * 0x40)
#define E1000_ADV_TDLEN(n)  (0x0E008 + (n) * 0x40)
#define E1000_ADV_TDH(n)    (0x0E010 + (n) * 0x40)
#define E1000_ADV_TDT(n)    (0x0E018 + (n) * 0x40)
#define E1000_ADV_TXDCTL(n) (0x0E028 + (n) * 0x40)

/* Statistics, clear on read (8254x SDM 13.7; 82574 10.2.7; 82576 8.19).
 * 64-bit counters are a low/high pair; reading the high word clears both. */
#define E1000_CRCERRS   0x04000 /* CRC Error Count */
#define E1000_ALGNERRC  0x04004 /* Alignment Error Count */
#define E1000_SYMERRS   0x04008 /* Symbol Error Count */
#define E1000_RXERRC    0x0400C /* RX Error Count */
#define E1000_MPC       0x04010 /* Missed Packets Count: dropped, no room in the FIFO/ring */
#define E1000_SCC       0x04014 /* Single Collision Count */
#define E1000_ECOL      0x04018 /* Excessive Collisions Count */
#define E1000_MCC       0x0401C /* Multiple Collision Count */
#define E1000_LATECOL   0x04020 /* Late Collisions Count */
#define E1000_COLC      0x04028 /* Collision Count */
#define E1000_DC        0x04030 /* Defer Count */
#define E1000_TNCRS     0x04034 /* Transmit with No CRS */
#define E1000_SEC       0x04038 /* Sequence Error Count */
#define E1000_CEXTERR   0x0403C /* Carrier Extension Error Count */
#define E1000_RLEC      0x04040 /* Receive Length Error Count */
#define E1000_XONRXC    0x04048 /* XON Received */
#define E1000_XONTXC    0x0404C /* XON Transmitted */
#define E1000_XOFFRXC   0x04050 /* XOFF Received */
#define E1000_XOFFTXC   0x04054 /* XOFF Transmitted */
#define E1000_FCRUC     0x04058 /* Flow Control Receive Unsupported */
#define E1000_GPRC      0x04074 /* Good Packets Received */
#define E1000_BPRC      0x04078 /* Broadcast Packets Received */
#define E1000_MPRC      0x0407C /* Multicast Packets Received */
#define E1000_GPTC      0x04080 /* Good Packets Transmitted */
#define E1000_GORCL     0x04088 /* Good Octets Received, low */
#define E1000_GORCH     0x0408C /* Good Octets Received, high */
#define E1000_GOTCL     0x04090 /* Good Octets Transmitted, low */
#define E1000_GOTCH     0x04094 /* Good Octets Transmitted, high */
#define E1000_RNBC      0x040A0 /* Receive No Buffers: a frame met an empty ring (not always dropped) */
#define E1000_RUC       0x040A4 /* Receive Undersize */
#define E1000_RFC       0x040A8 /* Receive Fragment */
#define E1000_ROC       0x040AC /* Receive Oversize */
#define E1000_RJC       0x040B0 /* Receive Jabber */
#define E1000_TORL      0x040C0 /* Total Octets Received, low */
#define E1000_TORH      0x040C4 /* Total Octets Received, high */
#define E1000_TOTL      0x040C8 /* Total Octets Transmitted, low */
#define E1000_TOTH      0x040CC /* Total Octets Transmitted, high */
#define E1000_TPR       0x040D0 /* Total Packets Received */
#define E1000_TPT       0x040D4 /* Total Packets Transmitted */
#define E1000_MPTC      0x040F0 /* Multicast Packets Transmitted */
#define E1000_BPTC      0x040F4 /* Broadcast Packets Transmitted */

#define E1000_BAR0_SIZE 0x20000 /* 128 KiB of registers on all three chips */

/* 82576 receive-side scaling (82576 8.10.11-8.10.14; QEMU igb_core.c
 * igb_rss_enabled / igb_rss_calc_hash) */
#define E1000_MRQC      0x05818 /* Multiple Receive Queues Command */
#define E1000_RETA(n)   (0x05C00 + (n) * 4) /* Redirection Table, 32 words, a byte per entry */
#define E1000_RSSRK(n)  (0x05C80 + (n) * 4) /* RSS Random Key, 10 words */

#endif
