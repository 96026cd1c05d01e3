/* Pure ACPI parsers: checksums, the MADT, the MCFG and the \_S5_ object of
 * the DSDT.  No hardware access here (host unit tests link this file). */
#include "kernel/acpi_tables.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include <string.h>

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum;
}

int acpi_rsdp_check(const void *p, size_t avail)
{
	const struct acpi_rsdp *r = p;

	if (avail < ACPI_RSDP_V1_LEN || memcmp(r->signature, ACPI_RSDP_SIG, 8))
		return -ENOENT;
	if (acpi_checksum(r, ACPI_RSDP_V1_LEN))
		return -EINVAL;
	if (r->revision < 2)
		return 0;
	if (avail < ACPI_RSDP_V2_LEN || r->length < ACPI_RSDP_V2_LEN || r->length > avail)
		return -EINVAL;
	if (acpi_checksum(r, r->length))
		return -EINVAL;
	return 0;
}

int acpi_sdt_check(const struct acpi_sdt_header *h, size_t avail)
{
	if (avail < sizeof(*h) || h->length < sizeof(*h) || h->length > avail)
		return -EINVAL;
	if (acpi_checksum(h, h->length))
		return -EINVAL;
	return 0;
}

static void madt_add_cpu(struct madt_info *m, u32 apic_id, u32 uid, u32 flags)
{
	/* a processor that is neither enabled nor online-capable cannot run */
	if (!(flags & (ACPI_MADT_LAPIC_ENABLED | ACPI_MADT_LAPIC_ONLINE_CAPABLE)))
		return;
	if (m->nr_cpus < MADT_MAX_CPUS)
		m->cpus[m->nr_cpus] = (struct madt_cpu){ apic_id, uid };
	m->nr_cpus++;
}

/* one interrupt controller structure; its length is already checked */
static void madt_add_entry(struct madt_info *m, const struct acpi_madt_entry *e)
{
	switch (e->type) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *l = (const void *)e;
		if (e->length >= sizeof(*l))
			madt_add_cpu(m, l->apic_id, l->processor_uid, l->flags);
		break;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *x = (const void *)e;
		if (e->length >= sizeof(*x))
			madt_add_cpu(m, x->x2apic_id, x->processor_uid, x->flags);
		break;
	}
	case ACPI_MADT_IOAPIC: {
		const struct acpi_madt_ioapic *io = (const void *)e;
		if (e->length < sizeof(*io))
			break;
		if (m->nr_ioapics == MADT_MAX_IOAPICS) {
			pr_warn("acpi: MADT lists more than %d IOAPICs; ignoring id %u\n",
				MADT_MAX_IOAPICS, io->ioapic_id);
			break;
		}
		m->ioapics[m->nr_ioapics++] =
			(struct madt_ioapic){ io->ioapic_id, io->address, io->gsi_base };
		break;
	}
	case ACPI_MADT_INT_OVERRIDE: {
		const struct acpi_madt_int_override *o = (const void *)e;
		if (e->length < sizeof(*o))
			break;
		if (o->bus != 0 || m->nr_overrides == MADT_MAX_OVERRIDES) {
			pr_warn("acpi: ignoring interrupt override bus %u irq %u\n", o->bus, o->source);
			break;
		}
		m->overrides[m->nr_overrides++] =
			(struct madt_override){ o->source, o->gsi, o->flags };
		break;
	}
	case ACPI_MADT_LAPIC_NMI: {
		const struct acpi_madt_lapic_nmi *n = (const void *)e;
		if (e->length < sizeof(*n) || m->nr_nmis == MADT_MAX_NMIS)
			break;
		m->nmis[m->nr_nmis++] = (struct madt_nmi){
			n->processor_uid == ACPI_MADT_UID_ALL ? ~0U : n->processor_uid,
			n->lint, n->flags };
		break;
	}
	case ACPI_MADT_LAPIC_OVERRIDE: {
		const struct acpi_madt_lapic_override *a = (const void *)e;
		if (e->length >= sizeof(*a))
			m->lapic_address = a->address;
		break;
	}
	default:
		break;
	}
}

int acpi_madt_parse(const struct acpi_sdt_header *hdr, struct madt_info *out)
{
	const struct acpi_madt *madt = (const void *)hdr;
	const u8 *p, *end;

	memset(out, 0, sizeof(*out));
	if (hdr->length < sizeof(*madt))
		return -EINVAL;
	out->lapic_address = madt->lapic_address;
	out->flags = madt->flags;
	p = (const u8 *)madt + sizeof(*madt);
	end = (const u8 *)madt + hdr->length;
	while (p < end) {
		const struct acpi_madt_entry *e = (const void *)p;

		if (end - p < (ptrdiff_t)sizeof(*e) || e->length < sizeof(*e) ||
		    e->length > end - p) {
			pr_err("acpi: MADT entry at offset %zu is malformed\n",
			       (size_t)(p - (const u8 *)madt));
			return -EINVAL;
		}
		madt_add_entry(out, e);
		p += e->length;
	}
	return 0;
}

int acpi_mcfg_entry(const struct acpi_sdt_header *hdr, int index, struct acpi_mcfg_entry *out)
{
	size_t n;

	if (hdr->length < sizeof(struct acpi_mcfg) || index < 0)
		return -ENOENT;
	n = (hdr->length - sizeof(struct acpi_mcfg)) / sizeof(struct acpi_mcfg_entry);
	if ((size_t)index >= n)
		return -ENOENT;
	memcpy(out, (const u8 *)hdr + sizeof(struct acpi_mcfg) +
	       (size_t)index * sizeof(struct acpi_mcfg_entry), sizeof(*out));
	return 0;
}

/* ACPI 6.5 20.2: AML encodings the \_S5_ scan understands */
#define AML_ZERO_OP        0x00
#define AML_ONE_OP         0x01
#define AML_NAME_OP        0x08
#define AML_BYTE_PREFIX    0x0a
#define AML_WORD_PREFIX    0x0b
#define AML_DWORD_PREFIX   0x0c
#define AML_QWORD_PREFIX   0x0e
#define AML_PACKAGE_OP     0x12
#define AML_ROOT_CHAR      0x5c   /* '\' */
#define AML_ONES_OP        0xff
/* 20.2.4: PkgLength; bits 7:6 of the lead byte count the bytes that follow */
#define AML_PKGLEN_FOLLOW_SHIFT 6

/* one integer constant (ComputationalData / ConstObj) at *pp; advances */
static int aml_read_int(const u8 **pp, const u8 *end, u64 *v)
{
	const u8 *p = *pp;
	size_t n;

	if (p >= end)
		return -EINVAL;
	switch (*p++) {
	case AML_ZERO_OP:  *v = 0; *pp = p; return 0;
	case AML_ONE_OP:   *v = 1; *pp = p; return 0;
	case AML_ONES_OP:  *v = ~0ULL; *pp = p; return 0;
	case AML_BYTE_PREFIX:  n = 1; break;
	case AML_WORD_PREFIX:  n = 2; break;
	case AML_DWORD_PREFIX: n = 4; break;
	case AML_QWORD_PREFIX: n = 8; break;
	default:
		return -EINVAL;
	}
	if ((size_t)(end - p) < n)
		return -EINVAL;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (u64)p[i] << (8 * i);
	*pp = p + n;
	return 0;
}

int acpi_aml_find_s5(const u8 *aml, size_t len, u8 *slp_typa, u8 *slp_typb)
{
	for (size_t i = 1; i + 4 <= len; i++) {
		const u8 *p, *end = aml + len;
		u64 a, b;
		size_t follow;

		if (memcmp(aml + i, "_S5_", 4))
			continue;
		/* must be the name of a NameOp: `08 _S5_` or `08 \ _S5_` */
		if (aml[i - 1] != AML_NAME_OP &&
		    !(aml[i - 1] == AML_ROOT_CHAR && i >= 2 && aml[i - 2] == AML_NAME_OP))
			continue;
		p = aml + i + 4;
		if (p >= end || *p++ != AML_PACKAGE_OP)
			return -EINVAL;
		if (p >= end)
			return -EINVAL;
		follow = *p >> AML_PKGLEN_FOLLOW_SHIFT;
		p += 1 + follow;                /* skip PkgLength */
		if (p >= end || *p++ < 2)       /* NumElements */
			return -EINVAL;
		if (aml_read_int(&p, end, &a) || aml_read_int(&p, end, &b))
			return -EINVAL;
		*slp_typa = (u8)a;
		*slp_typb = (u8)b;
		return 0;
	}
	return -ENOENT;
}
