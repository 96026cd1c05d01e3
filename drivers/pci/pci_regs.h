/* PCI configuration space: register offsets and bits.
 *
 * References: PCI Local Bus Specification 3.0 (PCI LB 3.0) chapter 6,
 * PCI-to-PCI Bridge Architecture Specification 1.2 (P2P 1.2) chapter 3,
 * PCI Express Base Specification 4.0 (PCIe 4.0) chapter 7. */
#ifndef DRIVERS_PCI_PCI_REGS_H
#define DRIVERS_PCI_PCI_REGS_H

/* PCI LB 3.0 6.1: the predefined header, common to all header types */
#define PCI_VENDOR_ID         0x00    /* 16 bits; 0xffff: no function here */
#define PCI_DEVICE_ID         0x02    /* 16 bits */
#define PCI_COMMAND           0x04    /* 16 bits */
#define PCI_STATUS            0x06    /* 16 bits */
#define PCI_CLASS_REVISION    0x08    /* revision in bits 7:0, class code in 31:8 */
#define PCI_HEADER_TYPE       0x0e    /* 8 bits */
#define PCI_BAR0              0x10    /* six 32-bit BARs in a type 0 header */
#define PCI_CAPABILITY_LIST   0x34    /* 8 bits, type 0 and 1 headers */
#define PCI_INTERRUPT_LINE    0x3c    /* 8 bits, written by firmware */
#define PCI_INTERRUPT_PIN     0x3d    /* 8 bits: 0 none, 1..4 INTA#..INTD# */

#define PCI_VENDOR_NONE       0xffff  /* read from an absent function */

/* PCI LB 3.0 6.2.2: Command register */
#define PCI_COMMAND_IO            0x0001  /* I/O space decode */
#define PCI_COMMAND_MEMORY        0x0002  /* memory space decode */
#define PCI_COMMAND_MASTER        0x0004  /* bus master (DMA, MSI writes) */
#define PCI_COMMAND_INTX_DISABLE  0x0400  /* INTx# emulation off */

/* PCI LB 3.0 6.2.3: Status register */
#define PCI_STATUS_INTERRUPT      0x0008  /* INTx# asserted (read-only) */
#define PCI_STATUS_CAP_LIST       0x0010  /* capability list at 0x34 */

/* PCI LB 3.0 6.2.1: Header Type register */
#define PCI_HEADER_TYPE_MASK      0x7f
#define PCI_HEADER_TYPE_NORMAL    0x00
#define PCI_HEADER_TYPE_BRIDGE    0x01    /* P2P 1.2 3.2 */
#define PCI_HEADER_TYPE_CARDBUS   0x02
#define PCI_HEADER_MULTIFUNCTION  0x80    /* functions 1..7 may exist */

/* number of BARs in each header type */
#define PCI_BARS_NORMAL           6
#define PCI_BARS_BRIDGE           2

/* P2P 1.2 3.2.5.2-3.2.5.4: bus numbers of a type 1 header */
#define PCI_PRIMARY_BUS           0x18
#define PCI_SECONDARY_BUS         0x19
#define PCI_SUBORDINATE_BUS       0x1a

/* PCI LB 3.0 6.2.5.1: Base Address Registers */
#define PCI_BAR_SPACE_IO          0x01    /* bit 0: 1 = I/O, 0 = memory */
#define PCI_BAR_MEM_TYPE_MASK     0x06    /* bits 2:1 of a memory BAR */
#define PCI_BAR_MEM_TYPE_32       0x00
#define PCI_BAR_MEM_TYPE_64       0x04    /* the next BAR holds bits 63:32 */
#define PCI_BAR_MEM_PREFETCH      0x08
#define PCI_BAR_MEM_MASK          0xfffffff0u
#define PCI_BAR_IO_MASK           0xfffffffcu

/* PCI LB 3.0 6.7: capability list entries: ID at +0, next pointer at +1 */
#define PCI_CAP_ID                0x00
#define PCI_CAP_NEXT              0x01
#define PCI_CAP_PTR_MASK          0xfc    /* the low two bits are reserved */
#define PCI_CAP_MAX_WALK          48      /* (256 - 64) / 4 entries at most */

/* PCI LB 3.0 appendix H: capability IDs */
#define PCI_CAP_ID_PM             0x01
#define PCI_CAP_ID_MSI            0x05
#define PCI_CAP_ID_VNDR           0x09
#define PCI_CAP_ID_EXP            0x10    /* PCI Express (PCIe 4.0 7.5.3) */
#define PCI_CAP_ID_MSIX           0x11

/* PCI LB 3.0 6.8.1: MSI capability */
#define PCI_MSI_FLAGS             0x02    /* Message Control, 16 bits */
#define PCI_MSI_FLAGS_ENABLE      0x0001
#define PCI_MSI_FLAGS_QMASK       0x000e  /* Multiple Message Capable, log2 */
#define PCI_MSI_FLAGS_QSIZE       0x0070  /* Multiple Message Enable, log2 */
#define PCI_MSI_FLAGS_64BIT       0x0080
#define PCI_MSI_FLAGS_MASKBIT     0x0100  /* per-vector masking capable */
#define PCI_MSI_ADDRESS_LO        0x04
#define PCI_MSI_ADDRESS_HI        0x08    /* 64-bit capability only */
#define PCI_MSI_DATA_32           0x08
#define PCI_MSI_DATA_64           0x0c
#define PCI_MSI_MASK_32           0x0c
#define PCI_MSI_MASK_64           0x10

/* PCI LB 3.0 6.8.2: MSI-X capability */
#define PCI_MSIX_FLAGS            0x02    /* Message Control, 16 bits */
#define PCI_MSIX_FLAGS_QSIZE      0x07ff  /* table size - 1 */
#define PCI_MSIX_FLAGS_MASKALL    0x4000  /* function mask */
#define PCI_MSIX_FLAGS_ENABLE     0x8000
#define PCI_MSIX_TABLE            0x04    /* BIR in bits 2:0, offset in 31:3 */
#define PCI_MSIX_PBA              0x08    /* same layout */
#define PCI_MSIX_BIR_MASK         0x00000007u
#define PCI_MSIX_OFFSET_MASK      0xfffffff8u

/* PCI LB 3.0 6.8.2.6-6.8.2.9: MSI-X table entries, 16 bytes each */
#define PCI_MSIX_ENTRY_SIZE       16
#define PCI_MSIX_ENTRY_ADDR_LO    0x0
#define PCI_MSIX_ENTRY_ADDR_HI    0x4
#define PCI_MSIX_ENTRY_DATA       0x8
#define PCI_MSIX_ENTRY_CTRL       0xc
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1

/* PCI LB 3.0 appendix D: base class codes used in the listing */
#define PCI_CLASS_BRIDGE_HOST     0x0600  /* base 06, sub 00 */
#define PCI_CLASS_BRIDGE_PCI      0x0604

/* PCI LB 3.0 3.2.2.3.2: configuration mechanism #1 (CONFIG_ADDRESS at
 * 0xcf8, CONFIG_DATA at 0xcfc; bus 23:16, device 15:11, function 10:8,
 * dword register 7:2, bit 31 enables the translation) */
#define PCI_CONF1_ADDRESS_PORT    0xcf8
#define PCI_CONF1_DATA_PORT       0xcfc
#define PCI_CONF1_ENABLE          0x80000000u
#define PCI_CONF1_BUS_SHIFT       16
#define PCI_CONF1_DEV_SHIFT       11
#define PCI_CONF1_FN_SHIFT        8
#define PCI_CONF1_REG_MASK        0xfc
#define PCI_CONF1_SPACE_SIZE      256     /* mechanism #1 reaches 256 bytes */

/* PCIe 4.0 7.2.2: Enhanced Configuration Access Mechanism: a 4 KiB
 * window per function at base + (bus << 20 | device << 15 | function << 12) */
#define PCI_ECAM_BUS_SHIFT        20
#define PCI_ECAM_DEV_SHIFT        15
#define PCI_ECAM_FN_SHIFT         12
#define PCI_ECAM_BUS_SIZE         (1UL << PCI_ECAM_BUS_SHIFT)
#define PCI_ECAM_SPACE_SIZE       4096

#define PCI_MAX_BUS               256
#define PCI_MAX_DEV               32
#define PCI_MAX_FN                8

#endif
