/* buddy allocator core on a host buffer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/buddy.h"
#include "kernel/errno.h"
#include "check_main.h"

#define ARENA_PAGES 4096                        /* 16 MiB: four order-10 blocks */
#define MAX_BLOCK   ((size_t)BUDDY_PAGE_SIZE << BUDDY_MAX_ORDER)

static u8 *arena;
static u8 meta[ARENA_PAGES];
static struct buddy b;

static void setup(void)
{
	arena = aligned_alloc(MAX_BLOCK, (size_t)ARENA_PAGES * BUDDY_PAGE_SIZE);
	ck_assert_ptr_nonnull(arena);
	buddy_init(&b, (uintptr_t)arena, ARENA_PAGES, meta);
}

static void teardown(void)
{
	free(arena);
}

static void *page(size_t i) { return arena + i * BUDDY_PAGE_SIZE; }

START_TEST(split_and_coalesce)
{
	void *p;

	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(0), 1024), 0);
	ck_assert_uint_eq(b.nr_free[BUDDY_MAX_ORDER], 1);
	ck_assert_uint_eq(buddy_free_pages(&b), 1024);

	p = buddy_alloc(&b, 0);
	ck_assert_ptr_eq(p, page(0));
	/* one free block of every order 0..9 is left */
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		ck_assert_uint_eq(b.nr_free[k], 1);
	ck_assert_uint_eq(b.nr_free[BUDDY_MAX_ORDER], 0);
	ck_assert_uint_eq(buddy_free_pages(&b), 1023);
	ck_assert_int_eq(buddy_check(&b), 0);

	ck_assert_int_eq(buddy_free(&b, p, 0), 0);
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		ck_assert_uint_eq(b.nr_free[k], 0);
	ck_assert_uint_eq(b.nr_free[BUDDY_MAX_ORDER], 1);
	ck_assert_int_eq(buddy_check(&b), 0);
}
END_TEST

START_TEST(ranges_merge_across_adds)
{
	/* two halves given separately still merge into one max-order block */
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(512), 512), 0);
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(0), 512), 0);
	ck_assert_uint_eq(b.nr_free[BUDDY_MAX_ORDER], 1);
	ck_assert_uint_eq(b.managed_pages, 1024);
	ck_assert_int_eq(buddy_check(&b), 0);
}
END_TEST

START_TEST(bad_ranges_refused)
{
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(3), 10), 0);
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(12), 2), -EINVAL);    /* overlaps */
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(20) + 8, 1), -EINVAL);/* unaligned */
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(ARENA_PAGES - 1), 2), -EINVAL);
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)arena - BUDDY_PAGE_SIZE, 1), -EINVAL);
	ck_assert_uint_eq(buddy_free_pages(&b), 10);
	ck_assert_int_eq(buddy_check(&b), 0);
}
END_TEST

START_TEST(exhaustion_returns_null)
{
	size_t n = 0;
	void *head = NULL, *p;

	/* 37 pages at page 3: blocks 3 (order 0), 4-7 (2), 8-15 (3), 16-31 (4), 32-39 (3) */
	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(3), 37), 0);
	ck_assert_ptr_null(buddy_alloc(&b, 6));
	ck_assert_ptr_null(buddy_alloc(&b, BUDDY_MAX_ORDER + 1));
	while ((p = buddy_alloc(&b, 0))) {
		ck_assert(p >= page(3));
		ck_assert(p < page(40));
		*(void **)p = head;
		head = p;
		n++;
	}
	ck_assert_uint_eq(n, 37);
	ck_assert_uint_eq(buddy_free_pages(&b), 0);
	while (head) {
		p = head;
		head = *(void **)p;
		ck_assert_int_eq(buddy_free(&b, p, 0), 0);
	}
	ck_assert_uint_eq(buddy_free_pages(&b), 37);
	ck_assert_uint_eq(b.nr_free[0], 1);
	ck_assert_uint_eq(b.nr_free[2], 1);
	ck_assert_uint_eq(b.nr_free[3], 2);
	ck_assert_uint_eq(b.nr_free[4], 1);
	ck_assert_int_eq(buddy_check(&b), 0);
}
END_TEST

START_TEST(bad_frees_refused)
{
	void *p;

	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(0), 64), 0);
	p = buddy_alloc(&b, 2);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(buddy_free(&b, p, 1), -EINVAL);                  /* wrong order */
	ck_assert_int_eq(buddy_free(&b, (u8 *)p + BUDDY_PAGE_SIZE, 0), -EINVAL); /* interior */
	ck_assert_int_eq(buddy_free(&b, (u8 *)p + 1, 2), -EINVAL);
	ck_assert_int_eq(buddy_free(&b, page(100), 0), -EINVAL);          /* never given */
	ck_assert_int_eq(buddy_free(&b, p, 2), 0);
	ck_assert_int_eq(buddy_free(&b, p, 2), -EINVAL);                  /* double free */
	ck_assert_uint_eq(buddy_free_pages(&b), 64);
	ck_assert_int_eq(buddy_check(&b), 0);
}
END_TEST

/* random alloc/free against a shadow map of page owners */
START_TEST(random_no_overlap)
{
	enum { SLOTS = 300 };
	static int owner[ARENA_PAGES];
	struct { u8 *p; unsigned order; } live[SLOTS] = { { 0 } };
	size_t start_free, start_nr[BUDDY_MAX_ORDER + 1];
	unsigned seed = 12345;

	ck_assert_int_eq(buddy_add_range(&b, (uintptr_t)page(1), ARENA_PAGES - 7), 0);
	start_free = buddy_free_pages(&b);
	memcpy(start_nr, b.nr_free, sizeof(start_nr));
	memset(owner, 0, sizeof(owner));

	for (int iter = 0; iter < 20000; iter++) {
		int s;
		size_t idx, n;

		seed = seed * 1103515245 + 12345;
		s = (seed >> 8) % SLOTS;
		if (live[s].p) {
			idx = (live[s].p - arena) / BUDDY_PAGE_SIZE;
			n = (size_t)1 << live[s].order;
			for (size_t i = idx; i < idx + n; i++) {
				ck_assert_int_eq(owner[i], s + 1);
				owner[i] = 0;
			}
			ck_assert_int_eq(buddy_free(&b, live[s].p, live[s].order), 0);
			live[s].p = NULL;
			continue;
		}
		live[s].order = (seed >> 20) % 7;
		live[s].p = buddy_alloc(&b, live[s].order);
		if (!live[s].p)
			continue;
		idx = (live[s].p - arena) / BUDDY_PAGE_SIZE;
		n = (size_t)1 << live[s].order;
		ck_assert_uint_eq(idx % n, 0);          /* naturally aligned */
		ck_assert_uint_ge(idx, 1);
		ck_assert_uint_le(idx + n, ARENA_PAGES - 6);
		for (size_t i = idx; i < idx + n; i++) {
			ck_assert_int_eq(owner[i], 0);
			owner[i] = s + 1;
		}
		if (iter % 1000 == 0)
			ck_assert_int_eq(buddy_check(&b), 0);
	}
	for (int s = 0; s < SLOTS; s++)
		if (live[s].p)
			ck_assert_int_eq(buddy_free(&b, live[s].p, live[s].order), 0);
	ck_assert_uint_eq(buddy_free_pages(&b), start_free);
	ck_assert_mem_eq(b.nr_free, start_nr, sizeof(start_nr));
	ck_assert_int_eq(buddy_check(&b), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("buddy");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, split_and_coalesce);
	tcase_add_test(tc, ranges_merge_across_adds);
	tcase_add_test(tc, bad_ranges_refused);
	tcase_add_test(tc, exhaustion_returns_null);
	tcase_add_test(tc, bad_frees_refused);
	tcase_add_test(tc, random_no_overlap);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
