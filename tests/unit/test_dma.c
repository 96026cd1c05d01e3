/* dma_alloc_coherent pools over the host page allocator. */
#include <check.h>
#include <signal.h>
#include <string.h>
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "mm_host.h"
#include "check_main.h"

#define ARENA_PAGES 1024

static void setup(void) { mm_host_setup(ARENA_PAGES); }
static void teardown(void) { mm_host_teardown(); }

/* bytes of p[0..n) that differ from c */
static size_t count_not(const u8 *p, size_t n, u8 c)
{
	size_t bad = 0;

	for (size_t j = 0; j < n; j++)
		bad += p[j] != c;
	return bad;
}

static size_t want_align(size_t size)
{
	size_t a = 128;

	while (a < size && a < 4096)
		a <<= 1;
	return a;
}

START_TEST(aligned_zeroed_counted)
{
	static const size_t sizes[] = { 1, 64, 128, 129, 1000, 1518, 2048, 2049, 4096, 9000, 65536 };
	enum { PER = 20 };
	static u8 *v[ARRAY_SIZE(sizes)][PER];
	u64 total = 0;

	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++)
		for (int k = 0; k < PER; k++) {
			phys_addr_t phys = 0;

			v[s][k] = dma_alloc_coherent(sizes[s], &phys);
			ck_assert_ptr_nonnull(v[s][k]);
			ck_assert_uint_eq(phys, virt_to_phys(v[s][k]));
			ck_assert_uint_eq(phys % want_align(sizes[s]), 0);
			ck_assert_uint_eq(count_not(v[s][k], sizes[s], 0), 0);
			memset(v[s][k], s * PER + k, sizes[s]);
			total += sizes[s];
		}
	ck_assert_uint_eq(dma_outstanding_bytes(), total);
	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++)
		for (int k = 0; k < PER; k++) {
			ck_assert_uint_eq(count_not(v[s][k], sizes[s], s * PER + k), 0);
			dma_free_coherent(v[s][k], sizes[s]);
		}
	ck_assert_uint_eq(dma_outstanding_bytes(), 0);
	ck_assert_uint_eq(page_free_count(), ARENA_PAGES);
	ck_assert_uint_eq(kmalloc_live_objects(), 0);
}
END_TEST

START_TEST(small_buffers_share_a_page)
{
	u8 *a = dma_alloc_coherent(2048, NULL), *b = dma_alloc_coherent(2048, NULL);

	ck_assert_uint_eq((uintptr_t)a / 4096, (uintptr_t)b / 4096);
	/* one page of buffers, one slab page holding the page's record */
	ck_assert_uint_eq(page_free_count(), ARENA_PAGES - 2);
	dma_free_coherent(a, 2048);
	dma_free_coherent(b, 2048);
	ck_assert_uint_eq(page_free_count(), ARENA_PAGES);
}
END_TEST

START_TEST(refuses_zero_and_huge)
{
	ck_assert_ptr_null(dma_alloc_coherent(0, NULL));
	ck_assert_ptr_null(dma_alloc_coherent(5 << 20, NULL));
	dma_free_coherent(NULL, 100);
	ck_assert_uint_eq(dma_outstanding_bytes(), 0);
}
END_TEST

START_TEST(double_free_panics)
{
	void *keep = dma_alloc_coherent(256, NULL), *p = dma_alloc_coherent(256, NULL);

	(void)keep;
	dma_free_coherent(p, 256);
	dma_free_coherent(p, 256);
}
END_TEST

START_TEST(foreign_pointer_panics)
{
	u8 *p = dma_alloc_coherent(512, NULL);

	dma_free_coherent(p + 4096, 512);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("dma");
	TCase *tc = tcase_create("pools");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, aligned_zeroed_counted);
	tcase_add_test(tc, small_buffers_share_a_page);
	tcase_add_test(tc, refuses_zero_and_huge);
	tcase_add_test_raise_signal(tc, double_free_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, foreign_pointer_panics, SIGABRT);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
