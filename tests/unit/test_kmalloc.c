/* kmalloc over the buddy core on a host buffer (KMALLOC_DEBUG on). */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/buddy.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "mm_host.h"
#include "check_main.h"

#define ARENA_PAGES 2048                        /* 8 MiB */

static void setup(void) { mm_host_setup(ARENA_PAGES); }
static void teardown(void) { mm_host_teardown(); }

START_TEST(every_size_is_usable_and_distinct)
{
	enum { N = 600 };
	static u8 *p[N];
	static size_t sz[N];
	size_t base_pages = page_free_count(), base_live = kmalloc_live_objects();
	unsigned seed = 7;

	for (int i = 0; i < N; i++) {
		seed = seed * 1103515245 + 12345;
		sz[i] = i < 2100 / 4 ? (size_t)i * 4 + 1 : (seed >> 8) % 9000 + 1;
		p[i] = kmalloc(sz[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_uint_eq((uintptr_t)p[i] % 16, 0);
		ck_assert(p[i] >= mm_host_arena && p[i] + sz[i] <= mm_host_arena + (size_t)ARENA_PAGES * BUDDY_PAGE_SIZE);
		memset(p[i], i & 0xff, sz[i]);
	}
	ck_assert_uint_eq(kmalloc_live_objects(), base_live + N);
	/* no object overlaps another: every byte still holds its owner's tag */
	for (int i = 0; i < N; i++)
		for (size_t j = 0; j < sz[i]; j++)
			ck_assert_uint_eq(p[i][j], (u8)i);
	for (int i = 0; i < N; i += 2)
		kfree(p[i]);
	for (int i = 1; i < N; i += 2)
		kfree(p[i]);
	ck_assert_uint_eq(kmalloc_live_objects(), base_live);
	/* empty slabs went back: the page count is where it started */
	ck_assert_uint_eq(page_free_count(), base_pages);
	ck_assert_int_eq(buddy_check(&mm_host_buddy), 0);
}
END_TEST

START_TEST(same_class_shares_a_slab)
{
	u8 *a = kmalloc(17), *c = kmalloc(32), *d = kmalloc(33);

	/* 17 and 32 are both the 32-byte class: neighbours in one page */
	ck_assert_uint_eq((uintptr_t)a / BUDDY_PAGE_SIZE, (uintptr_t)c / BUDDY_PAGE_SIZE);
	ck_assert_uint_gt(c - a, 32);
	/* 33 is the next class: another slab */
	ck_assert_uint_ne((uintptr_t)a / BUDDY_PAGE_SIZE, (uintptr_t)d / BUDDY_PAGE_SIZE);
	kfree(a);
	kfree(c);
	kfree(d);
	ck_assert_uint_eq(page_free_count(), ARENA_PAGES);
}
END_TEST

START_TEST(large_and_too_large)
{
	u8 *p = kmalloc(3 * 1024 * 1024);

	ck_assert_ptr_nonnull(p);
	memset(p, 0xab, 3 * 1024 * 1024);
	ck_assert_ptr_null(kmalloc(5 * 1024 * 1024));
	kfree(p);
	kfree(NULL);
	ck_assert_uint_eq(page_free_count(), ARENA_PAGES);
}
END_TEST

START_TEST(kzalloc_zeroes_reused_memory)
{
	u8 *p = kmalloc(200), *q;

	memset(p, 0xff, 200);
	kfree(p);
	q = kzalloc(200);
	ck_assert_ptr_eq(q, p);                 /* the slot is reused ... */
	for (int i = 0; i < 200; i++)
		ck_assert_uint_eq(q[i], 0);     /* ... and cleared */
	kfree(q);
}
END_TEST

START_TEST(exhaustion_returns_null_and_recovers)
{
	void *head = NULL, *p;
	size_t n = 0;

	while ((p = kmalloc(1000))) {
		*(void **)p = head;
		head = p;
		n++;
	}
	ck_assert_uint_gt(n, 1000);
	ck_assert_uint_eq(kmalloc_live_objects(), n);
	while (head) {
		p = head;
		head = *(void **)p;
		kfree(p);
	}
	ck_assert_uint_eq(kmalloc_live_objects(), 0);
	ck_assert_uint_eq(page_free_count(), ARENA_PAGES);
}
END_TEST

START_TEST(leak_counter_and_dump)
{
	void *a = kmalloc(10), *c = kmalloc(5000);

	ck_assert_uint_eq(kmalloc_live_objects(), 2);
	kmalloc_dump_live();
	kfree(a);
	ck_assert_uint_eq(kmalloc_live_objects(), 1);
	kfree(c);
	ck_assert_uint_eq(kmalloc_live_objects(), 0);
}
END_TEST

/* each of these must end in panic(), which aborts on the host */
START_TEST(double_free_panics)
{
	void *p = kmalloc(64);

	kfree(p);
	kfree(p);
}
END_TEST

START_TEST(double_free_large_panics)
{
	void *keep = kmalloc(10000), *p = kmalloc(10000);

	(void)keep;
	kfree(p);
	kfree(p);
}
END_TEST

START_TEST(overflow_panics)
{
	u8 *p = kmalloc(20);

	p[20] = 1;                              /* inside the 32-byte class, past the size */
	kfree(p);
}
END_TEST

START_TEST(overflow_far_panics)
{
	u8 *p = kmalloc(1500);

	/* deep in the 2048-byte class's redzone, where kfree compares
	 * aligned words rather than bytes */
	p[2041] = 1;
	kfree(p);
}
END_TEST

START_TEST(underflow_panics)
{
	u8 *p = kmalloc(100);

	p[-1] = 1;
	kfree(p);
}
END_TEST

START_TEST(foreign_pointer_panics)
{
	u8 *p = kmalloc(100);

	kfree(p + 16);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kmalloc");
	TCase *tc = tcase_create("classes");
	TCase *td = tcase_create("debug");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_size_is_usable_and_distinct);
	tcase_add_test(tc, same_class_shares_a_slab);
	tcase_add_test(tc, large_and_too_large);
	tcase_add_test(tc, kzalloc_zeroes_reused_memory);
	tcase_add_test(tc, exhaustion_returns_null_and_recovers);
	tcase_add_test(tc, leak_counter_and_dump);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test_raise_signal(td, double_free_panics, SIGABRT);
	tcase_add_test_raise_signal(td, double_free_large_panics, SIGABRT);
	tcase_add_test_raise_signal(td, overflow_panics, SIGABRT);
	tcase_add_test_raise_signal(td, overflow_far_panics, SIGABRT);
	tcase_add_test_raise_signal(td, underflow_panics, SIGABRT);
	tcase_add_test_raise_signal(td, foreign_pointer_panics, SIGABRT);
	suite_add_tcase(s, td);

	return unit_run_suite(s);
}
