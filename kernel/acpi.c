/* ACPI table discovery: RSDP, RSDT/XSDT, MADT, MCFG, HPET, FADT and the
 * S5 power-off.  Parsing of the table bodies is in kernel/acpi_tables.c. */
#include "kernel/acpi.h"
#include "kernel/bootinfo.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/power.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <string.h>

/* ACPI 6.5 5.2.5.1: where BIOS firmware puts the RSDP */
#define BDA_EBDA_SEGMENT   0x40e     /* BIOS data area: EBDA segment (word) */
#define EBDA_SCAN_LEN      1024      /* the first KiB of the EBDA */
#define EBDA_MAX           0xa0000   /* the EBDA lies below 640 KiB */
#define BIOS_ROM_START     0xe0000
#define BIOS_ROM_END       0x100000

/* the early page tables map 0..4 GiB in the direct map; ACPI tables live in
 * firmware-reserved RAM, below 4 GiB on every machine we boot on */
#define ACPI_MAP_LIMIT     GiB(4)
#define ACPI_TABLE_MAX_LEN MiB(4)    /* sanity bound on a header's length */
#define ACPI_MAX_TABLES    64
#define ACPI_S5_EN_WAIT_MS 300       /* time for SMI firmware to set SCI_EN */
/* time for the chipset to act on SLP_EN before the caller reports failure:
 * hardware cuts power within milliseconds, but QEMU acts on the request
 * from its main loop, which on a loaded host ran 121 ms after the write
 * (a 100 ms wait then printed "could not power off" before QEMU exited 0) */
#define ACPI_S5_OFF_WAIT_MS 2000

static const struct acpi_sdt_header *tables[ACPI_MAX_TABLES];
static int nr_tables;
static const struct acpi_sdt_header *dsdt;
static struct madt_info madt;
static bool have_madt;

/* the S5 power-off state, taken from the FADT and the DSDT */
struct pm1_cnt { u8 space; u64 address; };
static struct pm1_cnt pm1a_cnt, pm1b_cnt;
static u8 slp_typa, slp_typb;
static u32 smi_cmd;
static u8 acpi_enable_value;

/* a virtual address for physical [phys, phys+len), or NULL if not mapped */
static const void *acpi_map(u64 phys, u64 len)
{
	if (!phys || phys >= ACPI_MAP_LIMIT || len > ACPI_MAP_LIMIT - phys)
		return NULL;
	return phys_to_virt(phys);
}

/* map a table and check its header, length and checksum; NULL if bad */
static const struct acpi_sdt_header *table_map(u64 phys)
{
	const struct acpi_sdt_header *h = acpi_map(phys, sizeof(*h));

	if (!h) {
		pr_warn("acpi: table at %#llx is outside the mapped range; skipped\n",
			(unsigned long long)phys);
		return NULL;
	}
	if (h->length > ACPI_TABLE_MAX_LEN || !acpi_map(phys, h->length) ||
	    acpi_sdt_check(h, h->length)) {
		pr_err("acpi: table '%.4s' at %#llx has a bad length or checksum; not trusted\n",
		       h->signature, (unsigned long long)phys);
		return NULL;
	}
	return h;
}

static const struct acpi_rsdp *rsdp_scan(u64 start, u64 len)
{
	for (u64 p = start; p + ACPI_RSDP_V1_LEN <= start + len; p += ACPI_RSDP_ALIGN) {
		const void *v = acpi_map(p, ACPI_RSDP_V2_LEN);
		int rc = acpi_rsdp_check(v, start + len - p);

		if (rc == 0)
			return v;
		if (rc == -EINVAL)
			pr_err("acpi: RSDP at %#llx has a bad checksum; not trusted\n",
			       (unsigned long long)p);
	}
	return NULL;
}

static const struct acpi_rsdp *rsdp_find(void)
{
	u64 ebda;

	if (boot_info.has_rsdp) {
		if (!acpi_rsdp_check(boot_info.rsdp, sizeof(boot_info.rsdp)))
			return (const void *)boot_info.rsdp;
		pr_err("acpi: the loader's RSDP copy is invalid; not trusted\n");
	}
	ebda = (u64)*(const u16 *)phys_to_virt(BDA_EBDA_SEGMENT) << 4;
	if (ebda && ebda + EBDA_SCAN_LEN <= EBDA_MAX) {
		const struct acpi_rsdp *r = rsdp_scan(ebda, EBDA_SCAN_LEN);
		if (r)
			return r;
	}
	return rsdp_scan(BIOS_ROM_START, BIOS_ROM_END - BIOS_ROM_START);
}

/* collect the checked tables the RSDT (4-byte entries) or XSDT (8) lists */
static void root_walk(const struct acpi_sdt_header *root, size_t entry_size)
{
	const u8 *p = (const u8 *)root + sizeof(*root);
	size_t n = (root->length - sizeof(*root)) / entry_size;

	for (size_t i = 0; i < n; i++) {
		u64 phys = 0;
		const struct acpi_sdt_header *h;

		memcpy(&phys, p + i * entry_size, entry_size);
		h = table_map(phys);
		if (!h)
			continue;
		if (nr_tables == ACPI_MAX_TABLES) {
			pr_warn("acpi: more than %d tables; the rest are ignored\n", ACPI_MAX_TABLES);
			return;
		}
		tables[nr_tables++] = h;
	}
}

const struct acpi_sdt_header *acpi_find_table(const char *sig, int instance)
{
	if (!memcmp(sig, ACPI_SIG_DSDT, 4))
		return instance == 0 ? dsdt : NULL;
	for (int i = 0; i < nr_tables; i++)
		if (!memcmp(tables[i]->signature, sig, 4) && instance-- == 0)
			return tables[i];
	return NULL;
}

const struct madt_info *acpi_madt(void)
{
	return have_madt ? &madt : NULL;
}

int acpi_cpu_count(void)
{
	return have_madt && madt.nr_cpus ? madt.nr_cpus : 1;
}

int acpi_mcfg_get(int index, struct acpi_mcfg_alloc *out)
{
	const struct acpi_sdt_header *h = acpi_find_table(ACPI_SIG_MCFG, 0);
	struct acpi_mcfg_entry e;

	if (!h || acpi_mcfg_entry(h, index, &e))
		return -ENOENT;
	*out = (struct acpi_mcfg_alloc){ e.base, e.segment, e.bus_start, e.bus_end };
	return 0;
}

u64 acpi_hpet_address(void)
{
	const struct acpi_hpet *h = (const void *)acpi_find_table(ACPI_SIG_HPET, 0);

	if (!h || h->hdr.length < sizeof(*h) || h->base.space_id != ACPI_GAS_SPACE_MEMORY)
		return 0;
	return h->base.address;
}

static u16 pm1_read(const struct pm1_cnt *r)
{
	if (r->space == ACPI_GAS_SPACE_IO)
		return inw(r->address);
	return *(volatile u16 *)phys_to_virt(r->address);
}

static void pm1_write(const struct pm1_cnt *r, u16 v)
{
	if (!r->address)
		return;
	if (r->space == ACPI_GAS_SPACE_IO)
		outw(r->address, v);
	else
		*(volatile u16 *)phys_to_virt(r->address) = v;
}

/* ACPI 6.5 16.1.6 / 4.8.3.2.1: sleeping needs ACPI mode (SCI_EN set); on a
 * machine still in legacy mode, ask the SMI handler to switch */
static void acpi_enter_acpi_mode(void)
{
	if ((pm1_read(&pm1a_cnt) & ACPI_PM1_CNT_SCI_EN) || !smi_cmd || !acpi_enable_value)
		return;
	outb(smi_cmd, acpi_enable_value);
	for (int ms = 0; ms < ACPI_S5_EN_WAIT_MS; ms++) {
		if (pm1_read(&pm1a_cnt) & ACPI_PM1_CNT_SCI_EN)
			return;
		mdelay(1);
	}
}

/* ACPI 6.5 7.4.2 / 16.1.7: enter S5 by writing SLP_TYP, then SLP_EN */
static void acpi_poweroff(void)
{
	u16 a, b = 0;

	acpi_enter_acpi_mode();
	a = (pm1_read(&pm1a_cnt) & ~ACPI_PM1_CNT_SLP_TYP_MASK) |
	    (slp_typa << ACPI_PM1_CNT_SLP_TYP_SHIFT);
	if (pm1b_cnt.address)
		b = (pm1_read(&pm1b_cnt) & ~ACPI_PM1_CNT_SLP_TYP_MASK) |
		    (slp_typb << ACPI_PM1_CNT_SLP_TYP_SHIFT);
	pm1_write(&pm1a_cnt, a);
	pm1_write(&pm1b_cnt, b);
	pm1_write(&pm1a_cnt, a | ACPI_PM1_CNT_SLP_EN);
	pm1_write(&pm1b_cnt, b | ACPI_PM1_CNT_SLP_EN);
	/* the chipset cuts power within a few ms; if not, the caller halts */
	mdelay(ACPI_S5_OFF_WAIT_MS);
}

/* the PM1 control block from the 64-bit GAS when present, else the 32-bit port */
static struct pm1_cnt fadt_pm1(const struct acpi_gas *x, bool x_present, u32 legacy)
{
	if (x_present && x->address &&
	    (x->space_id == ACPI_GAS_SPACE_IO || x->space_id == ACPI_GAS_SPACE_MEMORY))
		return (struct pm1_cnt){ x->space_id, x->address };
	return (struct pm1_cnt){ ACPI_GAS_SPACE_IO, legacy };
}

static void fadt_setup(const struct acpi_fadt *f)
{
	u64 dsdt_phys = f->dsdt;
	int rc;

	if (ACPI_FADT_HAS(f, x_dsdt) && f->x_dsdt)
		dsdt_phys = f->x_dsdt;
	dsdt = dsdt_phys ? table_map(dsdt_phys) : NULL;
	if (dsdt && memcmp(dsdt->signature, ACPI_SIG_DSDT, 4)) {
		pr_err("acpi: FADT's DSDT pointer leads to '%.4s'; ignored\n", dsdt->signature);
		dsdt = NULL;
	}
	pm1a_cnt = fadt_pm1(&f->x_pm1a_cnt_blk, ACPI_FADT_HAS(f, x_pm1a_cnt_blk), f->pm1a_cnt_blk);
	pm1b_cnt = fadt_pm1(&f->x_pm1b_cnt_blk, ACPI_FADT_HAS(f, x_pm1b_cnt_blk), f->pm1b_cnt_blk);
	smi_cmd = f->smi_cmd;
	acpi_enable_value = f->acpi_enable;
	if (!dsdt || !pm1a_cnt.address) {
		pr_warn("acpi: no DSDT or PM1a control block: no ACPI power-off\n");
		return;
	}
	rc = acpi_aml_find_s5((const u8 *)dsdt + sizeof(*dsdt), dsdt->length - sizeof(*dsdt),
			      &slp_typa, &slp_typb);
	if (rc) {
		pr_warn("acpi: no usable \\_S5_ in the DSDT (%s): no ACPI power-off\n",
			errno_name(rc));
		return;
	}
	acpi_poweroff_hook = acpi_poweroff;
	pr_info("acpi: S5 power-off via PM1a %s %#llx, SLP_TYP %u/%u\n",
		pm1a_cnt.space == ACPI_GAS_SPACE_IO ? "port" : "mmio",
		(unsigned long long)pm1a_cnt.address, slp_typa, slp_typb);
}

static void print_summary(const struct acpi_rsdp *rsdp, const char *root_sig)
{
	char list[ACPI_MAX_TABLES * 5 + 8];
	size_t n = 0;

	for (int i = 0; i < nr_tables; i++) {
		memcpy(list + n, tables[i]->signature, 4);
		list[n + 4] = ' ';
		n += 5;
	}
	if (dsdt) {
		memcpy(list + n, ACPI_SIG_DSDT " ", 5);
		n += 5;
	}
	list[n ? n - 1 : 0] = '\0';
	pr_info("acpi: RSDP rev %u OEM '%.6s', %s with %d tables: %s\n", rsdp->revision,
		rsdp->oem_id, root_sig, nr_tables, list);
}

int acpi_init(void)
{
	const struct acpi_rsdp *rsdp = rsdp_find();
	const struct acpi_sdt_header *root = NULL, *h;
	const char *root_sig = ACPI_SIG_RSDT;

	if (!rsdp) {
		pr_warn("acpi: no RSDP found: no ACPI tables\n");
		pr_info("smp: %d CPUs found\n", acpi_cpu_count());
		return -ENOENT;
	}
	if (rsdp->revision >= 2 && rsdp->xsdt_address) {
		root = table_map(rsdp->xsdt_address);
		root_sig = ACPI_SIG_XSDT;
	}
	if (root)
		root_walk(root, sizeof(u64));
	else if ((root = table_map(rsdp->rsdt_address))) {
		root_sig = ACPI_SIG_RSDT;
		root_walk(root, sizeof(u32));
	} else {
		pr_err("acpi: neither XSDT nor RSDT is valid: no ACPI tables\n");
		pr_info("smp: %d CPUs found\n", acpi_cpu_count());
		return -ENOENT;
	}

	h = acpi_find_table(ACPI_SIG_FADT, 0);
	if (h && h->length >= offsetof(struct acpi_fadt, flags))
		fadt_setup((const void *)h);
	else
		pr_warn("acpi: no FADT: no ACPI power-off\n");
	print_summary(rsdp, root_sig);

	h = acpi_find_table(ACPI_SIG_MADT, 0);
	if (h && !acpi_madt_parse(h, &madt))
		have_madt = true;
	else
		pr_warn("acpi: no usable MADT: 8259 PIC only, one CPU\n");
	if (have_madt)
		pr_info("acpi: MADT: %d IOAPIC(s), %d override(s), %d LAPIC NMI(s), LAPIC at %#llx\n",
			madt.nr_ioapics, madt.nr_overrides, madt.nr_nmis,
			(unsigned long long)madt.lapic_address);
	pr_info("smp: %d CPUs found\n", acpi_cpu_count());
	return 0;
}
