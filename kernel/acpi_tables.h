/* ACPI table layouts and the pure parsers over them (kernel/acpi_tables.c).
 *
 * Nothing here touches hardware or maps memory: the parsers take bytes the
 * caller has mapped and checked, so the host unit tests can feed them
 * tables built in an array. */
#ifndef KERNEL_ACPI_TABLES_H
#define KERNEL_ACPI_TABLES_H

#include "kernel/types.h"
#include <stddef.h>

/* ACPI 6.5 5.2.5.3: Root System Description Pointer */
#define ACPI_RSDP_SIG        "RSD PTR "
#define ACPI_RSDP_V1_LEN     20   /* the part covered by the first checksum */
#define ACPI_RSDP_V2_LEN     36
#define ACPI_RSDP_ALIGN      16   /* found on a 16-byte boundary */

struct acpi_rsdp {
	char signature[8];
	u8 checksum;                 /* bytes 0..19 sum to 0 */
	char oem_id[6];
	u8 revision;                 /* 0: ACPI 1.0 (RSDT only); 2: ACPI 2.0+ */
	u32 rsdt_address;
	u32 length;                  /* revision >= 2 from here on */
	u64 xsdt_address;
	u8 ext_checksum;             /* the whole structure sums to 0 */
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_V2_LEN, "RSDP layout");

/* ACPI 6.5 5.2.6: the header every System Description Table starts with */
struct acpi_sdt_header {
	char signature[4];
	u32 length;                  /* whole table, header included */
	u8 revision;
	u8 checksum;                 /* whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header layout");

#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_MADT "APIC"         /* ACPI 6.5 5.2.12 */
#define ACPI_SIG_FADT "FACP"         /* ACPI 6.5 5.2.9 */
#define ACPI_SIG_DSDT "DSDT"         /* ACPI 6.5 5.2.11.1 */
#define ACPI_SIG_MCFG "MCFG"         /* PCI Firmware spec 3.2 4.1.2 */
#define ACPI_SIG_HPET "HPET"         /* IA-PC HPET spec 1.0a 3.2.4 */

/* ACPI 6.5 5.2.3.2: Generic Address Structure */
struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS layout");

#define ACPI_GAS_SPACE_MEMORY 0
#define ACPI_GAS_SPACE_IO     1

/* ACPI 6.5 5.2.9 table 5.9: Fixed ACPI Description Table (the fields we use
 * and everything before them) */
struct acpi_fadt {
	struct acpi_sdt_header hdr;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
} __packed;
_Static_assert(offsetof(struct acpi_fadt, pm1a_cnt_blk) == 64, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, pm1_cnt_len) == 89, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_cnt_blk) == 172, "FADT layout");
_Static_assert(sizeof(struct acpi_fadt) == 196, "FADT layout");

/* a FADT field is present if the table is long enough to hold it */
#define ACPI_FADT_HAS(fadt, field) \
	((fadt)->hdr.length >= offsetof(struct acpi_fadt, field) + sizeof((fadt)->field))

/* ACPI 6.5 4.8.3.2.1 table 4.13: PM1 control register bits */
#define ACPI_PM1_CNT_SCI_EN        BIT(0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP_MASK  (7U << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN        BIT(13)

/* ACPI 6.5 5.2.12: Multiple APIC Description Table */
struct acpi_madt {
	struct acpi_sdt_header hdr;
	u32 lapic_address;
	u32 flags;
} __packed;
#define ACPI_MADT_PCAT_COMPAT BIT(0)   /* dual 8259s present as well */

/* ACPI 6.5 5.2.12 table 5.21: interrupt controller structure types */
#define ACPI_MADT_LAPIC           0
#define ACPI_MADT_IOAPIC          1
#define ACPI_MADT_INT_OVERRIDE    2
#define ACPI_MADT_LAPIC_NMI       4
#define ACPI_MADT_LAPIC_OVERRIDE  5
#define ACPI_MADT_X2APIC          9

struct acpi_madt_entry {
	u8 type;
	u8 length;
} __packed;

/* 5.2.12.2: Processor Local APIC */
struct acpi_madt_lapic {
	struct acpi_madt_entry e;
	u8 processor_uid;
	u8 apic_id;
	u32 flags;
} __packed;
#define ACPI_MADT_LAPIC_ENABLED        BIT(0)
#define ACPI_MADT_LAPIC_ONLINE_CAPABLE BIT(1)

/* 5.2.12.3: I/O APIC */
struct acpi_madt_ioapic {
	struct acpi_madt_entry e;
	u8 ioapic_id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;

/* 5.2.12.5: Interrupt Source Override */
struct acpi_madt_int_override {
	struct acpi_madt_entry e;
	u8 bus;                      /* 0: ISA */
	u8 source;                   /* ISA IRQ */
	u32 gsi;
	u16 flags;                   /* MPS INTI flags */
} __packed;

/* 5.2.12.7: Local APIC NMI */
struct acpi_madt_lapic_nmi {
	struct acpi_madt_entry e;
	u8 processor_uid;            /* 0xff: every processor */
	u16 flags;                   /* MPS INTI flags */
	u8 lint;                     /* 0 or 1 */
} __packed;
#define ACPI_MADT_UID_ALL 0xff

/* 5.2.12.8: Local APIC Address Override */
struct acpi_madt_lapic_override {
	struct acpi_madt_entry e;
	u16 reserved;
	u64 address;
} __packed;

/* 5.2.12.12: Processor Local x2APIC */
struct acpi_madt_x2apic {
	struct acpi_madt_entry e;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;                   /* as ACPI_MADT_LAPIC_* */
	u32 processor_uid;
} __packed;

/* ACPI 6.5 5.2.12.5 table 5.26: MPS INTI flags */
#define ACPI_MPS_POLARITY_MASK     0x3
#define ACPI_MPS_POLARITY_CONFORMS 0x0
#define ACPI_MPS_POLARITY_HIGH     0x1
#define ACPI_MPS_POLARITY_LOW      0x3
#define ACPI_MPS_TRIGGER_SHIFT     2
#define ACPI_MPS_TRIGGER_MASK      (0x3 << ACPI_MPS_TRIGGER_SHIFT)
#define ACPI_MPS_TRIGGER_CONFORMS  (0x0 << ACPI_MPS_TRIGGER_SHIFT)
#define ACPI_MPS_TRIGGER_EDGE      (0x1 << ACPI_MPS_TRIGGER_SHIFT)
#define ACPI_MPS_TRIGGER_LEVEL     (0x3 << ACPI_MPS_TRIGGER_SHIFT)

/* PCI Firmware spec 3.2 4.1.2 table 4-2/4-3: MCFG */
struct acpi_mcfg {
	struct acpi_sdt_header hdr;
	u8 reserved[8];
} __packed;

struct acpi_mcfg_entry {
	u64 base;                    /* ECAM base of bus 0 of this segment */
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct acpi_mcfg_entry) == 16, "MCFG entry layout");

/* IA-PC HPET spec 1.0a 3.2.4 table 3: the HPET description table */
struct acpi_hpet {
	struct acpi_sdt_header hdr;
	u32 event_timer_block_id;
	struct acpi_gas base;
	u8 hpet_number;
	u16 min_tick;
	u8 page_protection;
} __packed;
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET table layout");

/* What the MADT says, in fixed arrays (no allocator at this point of boot). */
#define MADT_MAX_CPUS      256
#define MADT_MAX_IOAPICS   8
#define MADT_MAX_OVERRIDES 16
#define MADT_MAX_NMIS      8

struct madt_cpu { u32 apic_id; u32 uid; };
struct madt_ioapic { u8 id; u32 address; u32 gsi_base; };
struct madt_override { u8 source; u32 gsi; u16 flags; };
struct madt_nmi { u32 uid; u8 lint; u16 flags; };

struct madt_info {
	u64 lapic_address;           /* with the address override applied */
	u32 flags;
	int nr_cpus;                 /* enabled or online-capable, all counted */
	struct madt_cpu cpus[MADT_MAX_CPUS];   /* the first MADT_MAX_CPUS of them */
	int nr_ioapics;
	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	int nr_overrides;
	struct madt_override overrides[MADT_MAX_OVERRIDES];
	int nr_nmis;
	struct madt_nmi nmis[MADT_MAX_NMIS];
};

/* sum of len bytes, mod 256; a valid ACPI structure sums to 0 */
u8 acpi_checksum(const void *p, size_t len);

/* Check an RSDP candidate of avail readable bytes: signature, the ACPI 1.0
 * checksum, and for revision >= 2 the length and extended checksum.
 * Returns 0, -ENOENT (no signature) or -EINVAL (bad checksum/length). */
int acpi_rsdp_check(const void *p, size_t avail);

/* Check an SDT of avail readable bytes: length within avail and at least a
 * header, checksum.  Returns 0 or -EINVAL. */
int acpi_sdt_check(const struct acpi_sdt_header *h, size_t avail);

/* Parse a checked MADT into out.  Malformed entries stop the walk with
 * -EINVAL (what was parsed before stays in out); returns 0 otherwise. */
int acpi_madt_parse(const struct acpi_sdt_header *madt, struct madt_info *out);

/* Allocation index of a checked MCFG into out: 0, or -ENOENT past the last. */
int acpi_mcfg_entry(const struct acpi_sdt_header *mcfg, int index,
		    struct acpi_mcfg_entry *out);

/* Find the \_S5_ package in AML byte code and return its first two
 * integers (SLP_TYPa, SLP_TYPb).  A byte scan, not an interpreter: it
 * accepts `Name(_S5_, Package(){ int, int, ... })` with constant ints.
 * Returns 0, -ENOENT (no _S5_) or -EINVAL (not a package of constants). */
int acpi_aml_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb);

#endif
