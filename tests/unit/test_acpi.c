/* ACPI parsers (kernel/acpi_tables.c) over tables built byte by byte here. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "kernel/acpi_tables.h"
#include "kernel/errno.h"
#include "check_main.h"

/* a table under construction: header, then appended bytes */
struct tb {
	u8 buf[1024];
	size_t len;
};

static void tb_start(struct tb *t, const char *sig, size_t body_fixed)
{
	struct acpi_sdt_header *h = (void *)t->buf;

	memset(t, 0, sizeof(*t));
	memcpy(h->signature, sig, 4);
	memcpy(h->oem_id, "TESTOE", 6);
	h->revision = 1;
	t->len = sizeof(*h) + body_fixed;
}

static void tb_add(struct tb *t, const void *p, size_t n)
{
	ck_assert_uint_le(t->len + n, sizeof(t->buf));
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

/* set length and checksum; returns the header */
static struct acpi_sdt_header *tb_finish(struct tb *t)
{
	struct acpi_sdt_header *h = (void *)t->buf;

	h->length = t->len;
	h->checksum = 0;
	h->checksum = (u8)(0x100 - acpi_checksum(h, t->len));
	return h;
}

START_TEST(sdt_checksum_and_length)
{
	struct tb t;
	struct acpi_sdt_header *h;

	tb_start(&t, "TEST", 4);
	h = tb_finish(&t);
	ck_assert_uint_eq(acpi_checksum(h, h->length), 0);
	ck_assert_int_eq(acpi_sdt_check(h, t.len), 0);
	/* shorter than it claims to be */
	ck_assert_int_eq(acpi_sdt_check(h, t.len - 1), -EINVAL);
	/* a flipped byte */
	t.buf[sizeof(*h) + 1] ^= 0x40;
	ck_assert_int_eq(acpi_sdt_check(h, t.len), -EINVAL);
	/* a length below the header */
	h = tb_finish(&t);
	h->length = 10;
	ck_assert_int_eq(acpi_sdt_check(h, t.len), -EINVAL);
}
END_TEST

static void rsdp_fill(struct acpi_rsdp *r, u8 revision)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->signature, ACPI_RSDP_SIG, 8);
	memcpy(r->oem_id, "BOCHS ", 6);
	r->revision = revision;
	r->rsdt_address = 0x7fe1234;
	r->checksum = (u8)(0x100 - acpi_checksum(r, ACPI_RSDP_V1_LEN));
	if (revision >= 2) {
		r->length = sizeof(*r);
		r->xsdt_address = 0x7fe5678;
		r->checksum = 0;
		r->checksum = (u8)(0x100 - acpi_checksum(r, ACPI_RSDP_V1_LEN));
		r->ext_checksum = (u8)(0x100 - acpi_checksum(r, sizeof(*r)));
	}
}

START_TEST(rsdp_versions_and_bad_checksums)
{
	struct acpi_rsdp r;

	rsdp_fill(&r, 0);
	ck_assert_int_eq(acpi_rsdp_check(&r, ACPI_RSDP_V1_LEN), 0);
	rsdp_fill(&r, 2);
	ck_assert_int_eq(acpi_rsdp_check(&r, sizeof(r)), 0);
	/* a v2 RSDP needs its 36 bytes readable */
	ck_assert_int_eq(acpi_rsdp_check(&r, ACPI_RSDP_V1_LEN), -EINVAL);
	/* the extended checksum covers the XSDT address */
	r.xsdt_address ^= 0x1000;
	ck_assert_int_eq(acpi_rsdp_check(&r, sizeof(r)), -EINVAL);
	rsdp_fill(&r, 0);
	r.rsdt_address ^= 1;
	ck_assert_int_eq(acpi_rsdp_check(&r, sizeof(r)), -EINVAL);
	r.signature[0] = 'X';
	ck_assert_int_eq(acpi_rsdp_check(&r, sizeof(r)), -ENOENT);
}
END_TEST

/* a MADT like QEMU's q35 -smp 4 with one CPU slot disabled, plus x2APIC */
static struct acpi_sdt_header *madt_build(struct tb *t)
{
	struct acpi_madt *m;
	struct acpi_madt_lapic l[4] = {
		{ { ACPI_MADT_LAPIC, 8 }, 0, 0, ACPI_MADT_LAPIC_ENABLED },
		{ { ACPI_MADT_LAPIC, 8 }, 1, 1, ACPI_MADT_LAPIC_ENABLED },
		{ { ACPI_MADT_LAPIC, 8 }, 2, 2, ACPI_MADT_LAPIC_ONLINE_CAPABLE },
		{ { ACPI_MADT_LAPIC, 8 }, 3, 3, 0 },          /* not usable */
	};
	struct acpi_madt_x2apic x = { { ACPI_MADT_X2APIC, 16 }, 0, 300, ACPI_MADT_LAPIC_ENABLED, 7 };
	struct acpi_madt_ioapic io = { { ACPI_MADT_IOAPIC, 12 }, 0, 0, 0xfec00000, 0 };
	struct acpi_madt_int_override o0 = { { ACPI_MADT_INT_OVERRIDE, 10 }, 0, 0, 2, 0 };
	struct acpi_madt_int_override o9 = { { ACPI_MADT_INT_OVERRIDE, 10 }, 0, 9, 9,
		ACPI_MPS_POLARITY_HIGH | ACPI_MPS_TRIGGER_LEVEL };
	struct acpi_madt_lapic_nmi nmi = { { ACPI_MADT_LAPIC_NMI, 6 }, 0xff, 0, 1 };
	struct acpi_madt_lapic_override lo = { { ACPI_MADT_LAPIC_OVERRIDE, 12 }, 0, 0xfee10000ULL };
	u8 unknown[5] = { 0x7f, 5, 1, 2, 3 };   /* a future type: skipped */

	tb_start(t, ACPI_SIG_MADT, sizeof(*m) - sizeof(struct acpi_sdt_header));
	m = (void *)t->buf;
	m->lapic_address = 0xfee00000;
	m->flags = ACPI_MADT_PCAT_COMPAT;
	tb_add(t, l, sizeof(l));
	tb_add(t, &x, sizeof(x));
	tb_add(t, &io, sizeof(io));
	tb_add(t, &o0, sizeof(o0));
	tb_add(t, &o9, sizeof(o9));
	tb_add(t, &nmi, sizeof(nmi));
	tb_add(t, unknown, sizeof(unknown));
	tb_add(t, &lo, sizeof(lo));
	return tb_finish(t);
}

START_TEST(madt_entries)
{
	static struct madt_info mi;
	struct tb t;
	struct acpi_sdt_header *h = madt_build(&t);

	ck_assert_int_eq(acpi_sdt_check(h, t.len), 0);
	ck_assert_int_eq(acpi_madt_parse(h, &mi), 0);
	ck_assert_int_eq(mi.nr_cpus, 4);            /* 2 enabled + 1 online-capable + x2APIC */
	ck_assert_uint_eq(mi.cpus[2].apic_id, 2);
	ck_assert_uint_eq(mi.cpus[3].apic_id, 300);
	ck_assert_uint_eq(mi.cpus[3].uid, 7);
	ck_assert_uint_eq(mi.flags, ACPI_MADT_PCAT_COMPAT);
	ck_assert_uint_eq(mi.lapic_address, 0xfee10000ULL);   /* the override wins */
	ck_assert_int_eq(mi.nr_ioapics, 1);
	ck_assert_uint_eq(mi.ioapics[0].address, 0xfec00000);
	ck_assert_uint_eq(mi.ioapics[0].gsi_base, 0);
	ck_assert_int_eq(mi.nr_overrides, 2);
	ck_assert_uint_eq(mi.overrides[0].source, 0);
	ck_assert_uint_eq(mi.overrides[0].gsi, 2);
	ck_assert_uint_eq(mi.overrides[1].source, 9);
	ck_assert_uint_eq(mi.overrides[1].flags & ACPI_MPS_TRIGGER_MASK, ACPI_MPS_TRIGGER_LEVEL);
	ck_assert_int_eq(mi.nr_nmis, 1);
	ck_assert_uint_eq(mi.nmis[0].uid, ~0U);
	ck_assert_uint_eq(mi.nmis[0].lint, 1);
}
END_TEST

START_TEST(madt_malformed_entry_stops)
{
	static struct madt_info mi;
	struct tb t;
	struct acpi_madt *m;
	struct acpi_madt_lapic l = { { ACPI_MADT_LAPIC, 8 }, 0, 0, ACPI_MADT_LAPIC_ENABLED };
	u8 zero_len[2] = { ACPI_MADT_IOAPIC, 0 };

	tb_start(&t, ACPI_SIG_MADT, sizeof(*m) - sizeof(struct acpi_sdt_header));
	tb_add(&t, &l, sizeof(l));
	tb_add(&t, zero_len, sizeof(zero_len));
	ck_assert_int_eq(acpi_madt_parse(tb_finish(&t), &mi), -EINVAL);
	ck_assert_int_eq(mi.nr_cpus, 1);

	/* an entry running past the end of the table */
	tb_start(&t, ACPI_SIG_MADT, sizeof(*m) - sizeof(struct acpi_sdt_header));
	l.e.length = 20;
	tb_add(&t, &l, sizeof(l));
	ck_assert_int_eq(acpi_madt_parse(tb_finish(&t), &mi), -EINVAL);
	ck_assert_int_eq(mi.nr_cpus, 0);
}
END_TEST

START_TEST(mcfg_allocations)
{
	struct tb t;
	struct acpi_mcfg_entry e[2] = {
		{ 0xb0000000ULL, 0, 0, 255, 0 },
		{ 0x1000000000ULL, 1, 0, 63, 0 },
	}, got;
	struct acpi_sdt_header *h;

	tb_start(&t, ACPI_SIG_MCFG, sizeof(struct acpi_mcfg) - sizeof(struct acpi_sdt_header));
	tb_add(&t, e, sizeof(e));
	h = tb_finish(&t);
	ck_assert_int_eq(acpi_mcfg_entry(h, 0, &got), 0);
	ck_assert_uint_eq(got.base, 0xb0000000ULL);
	ck_assert_uint_eq(got.bus_end, 255);
	ck_assert_int_eq(acpi_mcfg_entry(h, 1, &got), 0);
	ck_assert_uint_eq(got.base, 0x1000000000ULL);
	ck_assert_uint_eq(got.segment, 1);
	ck_assert_uint_eq(got.bus_end, 63);
	ck_assert_int_eq(acpi_mcfg_entry(h, 2, &got), -ENOENT);
	ck_assert_int_eq(acpi_mcfg_entry(h, -1, &got), -ENOENT);
}
END_TEST

START_TEST(aml_s5_forms)
{
	/* Name(_S5_, Package(4){ 5, 5, 0, 0 }) with BytePrefix constants,
	 * behind some unrelated AML and a string that mentions _S5_ */
	const u8 dsdt1[] = { 0x10, 0x05, '_', 'S', 'B', '_', 0x0d, '_', 'S', '5', '_', 0x00,
			     0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x04,
			     0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	/* Name(\_S5_, Package(){ Zero, One }) */
	const u8 dsdt2[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01 };
	/* a 2-byte PkgLength (lead 0x40 | low nibble) */
	const u8 dsdt3[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02, 0x0a, 0x03, 0x0a, 0x04 };
	/* _S5_ as a method: not understood */
	const u8 dsdt4[] = { 0x08, '_', 'S', '5', '_', 0x14, 0x05, 0x00 };
	/* one element only */
	const u8 dsdt5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x0a, 0x05 };
	/* no _S5_ at all; a truncated package */
	const u8 dsdt6[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x01 };
	const u8 dsdt7[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x0a };
	u8 a = 0xee, b = 0xee;

	ck_assert_int_eq(acpi_aml_find_s5(dsdt1, sizeof(dsdt1), &a, &b), 0);
	ck_assert_uint_eq(a, 5);
	ck_assert_uint_eq(b, 7);
	ck_assert_int_eq(acpi_aml_find_s5(dsdt2, sizeof(dsdt2), &a, &b), 0);
	ck_assert_uint_eq(a, 0);
	ck_assert_uint_eq(b, 1);
	ck_assert_int_eq(acpi_aml_find_s5(dsdt3, sizeof(dsdt3), &a, &b), 0);
	ck_assert_uint_eq(a, 3);
	ck_assert_uint_eq(b, 4);
	ck_assert_int_eq(acpi_aml_find_s5(dsdt4, sizeof(dsdt4), &a, &b), -EINVAL);
	ck_assert_int_eq(acpi_aml_find_s5(dsdt5, sizeof(dsdt5), &a, &b), -EINVAL);
	ck_assert_int_eq(acpi_aml_find_s5(dsdt6, sizeof(dsdt6), &a, &b), -ENOENT);
	ck_assert_int_eq(acpi_aml_find_s5(dsdt7, sizeof(dsdt7), &a, &b), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, sdt_checksum_and_length);
	tcase_add_test(tc, rsdp_versions_and_bad_checksums);
	tcase_add_test(tc, madt_entries);
	tcase_add_test(tc, madt_malformed_entry_stops);
	tcase_add_test(tc, mcfg_allocations);
	tcase_add_test(tc, aml_s5_forms);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
