/* kernel/extable.c and kernel/uaccess.S on the host: the lookup over a
 * table, and the copies meeting a PROT_NONE or read-only page in a process
 * whose SIGSEGV handler does what kernel/idt.c does for a #PF on a user
 * address (resume at the faulting RIP's fixup, or die).  It checks that
 * every faulting instruction is in the table and that each fixup returns
 * what was not copied. */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "kernel/extable.h"
#include "kernel/uaccess.h"
#include "check_main.h"

#define PG 4096

extern const struct extable_entry __start___ex_table[], __stop___ex_table[];

static unsigned long fixups;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned long fix = extable_fixup((unsigned long)uc->uc_mcontext.gregs[REG_RIP]);

	(void)si;
	if (!fix) {
		/* not a listed instruction: what the kernel calls a panic */
		signal(sig, SIG_DFL);
		return;
	}
	fixups++;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)fix;
}

static void catch_faults(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGSEGV, &sa, NULL), 0);
	fixups = 0;
}

/* two pages, the second with prot */
static char *two_pages(int prot)
{
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	memset(p, 'a', 2 * PG);
	ck_assert_int_eq(mprotect(p + PG, PG, prot), 0);
	return p;
}

/* an entry for insn -> fixup, stored relative to its fields */
static void entry_set(struct extable_entry *e, unsigned long insn, unsigned long fixup)
{
	e->insn = (s32)(insn - (unsigned long)&e->insn);
	e->fixup = (s32)(fixup - (unsigned long)&e->fixup);
}

START_TEST(lookup_finds_listed_rips_only)
{
	struct extable_entry t[3];
	unsigned long base = (unsigned long)t;

	for (int i = 0; i < 3; i++)
		entry_set(&t[i], base + 0x1000 + 0x10 * i, base + 0x2000 + 0x10 * i);
	ck_assert_uint_eq(extable_lookup(t, t + 3, base + 0x1000), base + 0x2000);
	ck_assert_uint_eq(extable_lookup(t, t + 3, base + 0x1020), base + 0x2020);
	ck_assert_uint_eq(extable_lookup(t, t + 3, base + 0x1001), 0);
	ck_assert_uint_eq(extable_lookup(t, t + 3, base + 0x2000), 0);
	ck_assert_uint_eq(extable_lookup(t, t, base + 0x1000), 0);
}
END_TEST

/* uaccess_copy_inline (kernel/uaccess.h), once in this program */
static __attribute__((noinline)) unsigned long copy_inline(void *dst, const void *src, size_t n)
{
	return uaccess_copy_inline(dst, src, n);
}

/* the two copies under test: uaccess.S's and the inline one, the same answers */
static unsigned long (*const copies[])(void *, const void *, size_t) = {
	uaccess_copy, copy_inline,
};

/* uaccess_name_out_inline, once; and the two name_outs under test */
static __attribute__((noinline)) int name_out_inline(void *dst, const void *src, int len, u32 *ulen)
{
	return uaccess_name_out_inline(dst, src, len, ulen);
}

static int (*const name_outs[])(void *, const void *, int, u32 *) = {
	uaccess_name_out, name_out_inline,
};

START_TEST(the_copies_are_listed)
{
	/* uaccess.S's eleven faulting instructions (quads and bytes of the
	 * copy and the clear, the u32 load and store, name_out's room load,
	 * two quads, bytes and length store), uaccess_copy_inline's two
	 * (quads and bytes) and uaccess_name_out_inline's five, each fixup
	 * after it in the same function */
	ck_assert_int_eq(__stop___ex_table - __start___ex_table, 18);
	for (const struct extable_entry *e = __start___ex_table; e < __stop___ex_table; e++) {
		unsigned long insn = extable_insn(e), fix = extable_fixup_addr(e);

		ck_assert(fix > insn && fix - insn < 64);
		ck_assert_uint_eq(extable_fixup(insn), fix);
	}
}
END_TEST

START_TEST(copy_without_fault)
{
	unsigned long (*copy)(void *, const void *, size_t) = copies[_i];
	char src[100], dst[100] = { 0 };

	catch_faults();
	memset(src, 'x', sizeof(src));
	ck_assert_uint_eq(copy(dst, src, sizeof(src)), 0);
	ck_assert_int_eq(memcmp(dst, src, sizeof(src)), 0);
	ck_assert_uint_eq(copy(dst, src, 0), 0);
	ck_assert_uint_eq(fixups, 0);
}
END_TEST

START_TEST(copy_from_prot_none_returns_what_is_left)
{
	unsigned long (*copy)(void *, const void *, size_t) = copies[_i];
	char *p = two_pages(PROT_NONE), dst[3 * PG];

	catch_faults();
	memset(dst, 0, sizeof(dst));
	/* 104 bytes before the PROT_NONE page (13 quads), 496 in it */
	ck_assert_uint_eq(copy(dst, p + PG - 104, 600), 496);
	ck_assert_uint_eq(fixups, 1);
	ck_assert_int_eq(dst[103], 'a');
	ck_assert_int_eq(dst[104], 0);
	/* the tail's bytes: 5 quads, then 3 bytes of which the last faults */
	memset(dst, 0, sizeof(dst));
	ck_assert_uint_eq(copy(dst, p + PG - 42, 43), 1);
	ck_assert_int_eq(dst[41], 'a');
	/* a quad across the boundary is not copied: the count stays exact */
	memset(dst, 0, sizeof(dst));
	ck_assert_uint_eq(copy(dst, p + PG - 100, 600), 504);
	ck_assert_int_eq(dst[95], 'a');
	ck_assert_int_eq(dst[96], 0);
	ck_assert_uint_eq(fixups, 3);
	ck_assert_uint_eq(uaccess_probe_read(p, PG), 0);
	ck_assert_int_eq(uaccess_probe_read(p + PG - 1, 2), -EFAULT);
	munmap(p, 2 * PG);
}
END_TEST

START_TEST(copy_to_readonly_returns_what_is_left)
{
	unsigned long (*copy)(void *, const void *, size_t) = copies[_i];
	char *p = two_pages(PROT_READ), src[PG];

	catch_faults();
	memset(src, 'z', sizeof(src));
	ck_assert_uint_eq(copy(p + PG - 16, src, 32), 16);
	ck_assert_int_eq(p[PG - 1], 'z');
	ck_assert_int_eq(p[PG], 'a');
	ck_assert_uint_eq(uaccess_clear(p + PG - 8, 16), 8);
	ck_assert_int_eq(p[PG - 1], 0);
	ck_assert_uint_eq(uaccess_clear(p + PG - 3, 5), 2);
	ck_assert_int_eq(p[PG - 3], 0);
	ck_assert_uint_eq(fixups, 3);
	munmap(p, 2 * PG);
}
END_TEST

START_TEST(get_u32_faults_to_efault)
{
	char *p = two_pages(PROT_NONE);
	u32 v = 7;

	catch_faults();
	ck_assert_int_eq(uaccess_get_u32(&v, p), 0);
	ck_assert_uint_eq(v, 0x61616161);
	ck_assert_int_eq(uaccess_get_u32(&v, p + PG), -EFAULT);
	ck_assert_uint_eq(v, 0x61616161);
	ck_assert_uint_eq(fixups, 1);
	munmap(p, 2 * PG);
}
END_TEST

START_TEST(put_u32_faults_to_efault)
{
	char *p = two_pages(PROT_READ);
	u32 v;

	catch_faults();
	ck_assert_int_eq(uaccess_put_u32(p + 4, 0x01020304), 0);
	memcpy(&v, p + 4, sizeof(v));
	ck_assert_uint_eq(v, 0x01020304);
	ck_assert_int_eq(p[8], 'a');
	/* read-only, and a store straddling into it: nothing written */
	ck_assert_int_eq(uaccess_put_u32(p + PG, 5), -EFAULT);
	ck_assert_int_eq(uaccess_put_u32(p + PG - 2, 5), -EFAULT);
	ck_assert_int_eq(p[PG - 2], 'a');
	ck_assert_int_eq(p[PG], 'a');
	ck_assert_uint_eq(fixups, 2);
	munmap(p, 2 * PG);
}
END_TEST

START_TEST(name_out_as_move_addr_to_user)
{
	int (*name_out)(void *, const void *, int, u32 *) = name_outs[_i];
	char *p = two_pages(PROT_READ), *q, src[28], dst[32];
	u32 room;

	catch_faults();
	for (int i = 0; i < (int)sizeof(src); i++)
		src[i] = (char)(i + 1);
	/* room 16 of a sockaddr_in's 16: the quads; more room than the
	 * address: len bytes; less: truncated to the room.  The real length
	 * written back each time, nothing past the bytes copied */
	static const struct { u32 room; int len, copied; } cases[] = {
		{ 16, 16, 16 }, { 32, 28, 28 }, { 5, 16, 5 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(dst, 0, sizeof(dst));
		room = cases[i].room;
		ck_assert_int_eq(name_out(dst, src, cases[i].len, &room), 0);
		ck_assert_int_eq(memcmp(dst, src, (size_t)cases[i].copied), 0);
		ck_assert_int_eq(dst[cases[i].copied], 0);
		ck_assert_uint_eq(room, (u32)cases[i].len);
	}
	room = 0;
	ck_assert_int_eq(name_out(dst, src, 16, &room), 0);
	ck_assert_uint_eq(room, 16);
	/* a negative room: -EINVAL, nothing written */
	memset(dst, 0, sizeof(dst));
	room = 0x80000000u;
	ck_assert_int_eq(name_out(dst, src, 16, &room), -EINVAL);
	ck_assert_int_eq(dst[0], 0);
	ck_assert_uint_eq(room, 0x80000000u);
	ck_assert_uint_eq(fixups, 0);
	/* the room unreadable, the address or the length read-only: -EFAULT */
	q = two_pages(PROT_NONE);
	ck_assert_int_eq(name_out(dst, src, 16, (u32 *)(void *)(q + PG)), -EFAULT);
	munmap(q, 2 * PG);
	room = 16;
	ck_assert_int_eq(name_out(p + PG - 8, src, 16, &room), -EFAULT);
	ck_assert_uint_eq(room, 16);
	room = 12;
	ck_assert_int_eq(name_out(p + PG, src, 16, &room), -EFAULT);
	ck_assert_int_eq(name_out(dst, src, 16, (u32 *)(void *)(p + PG)), -EFAULT);
	ck_assert_int_eq(memcmp(dst, src, 16), 0);
	ck_assert_uint_eq(fixups, 4);
	munmap(p, 2 * PG);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("extable");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lookup_finds_listed_rips_only);
	tcase_add_test(tc, the_copies_are_listed);
	tcase_add_loop_test(tc, copy_without_fault, 0, 2);
	tcase_add_loop_test(tc, copy_from_prot_none_returns_what_is_left, 0, 2);
	tcase_add_loop_test(tc, copy_to_readonly_returns_what_is_left, 0, 2);
	tcase_add_test(tc, get_u32_faults_to_efault);
	tcase_add_test(tc, put_u32_faults_to_efault);
	tcase_add_loop_test(tc, name_out_as_move_addr_to_user, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
