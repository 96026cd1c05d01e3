/* See mm_host.h. */
#include <check.h>
#include <stdlib.h>
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "mm_host.h"

#define MAX_BLOCK ((size_t)BUDDY_PAGE_SIZE << BUDDY_MAX_ORDER)

struct buddy mm_host_buddy;
u8 *mm_host_arena;
static u8 *meta;

void mm_host_setup(size_t npages)
{
	mm_host_arena = aligned_alloc(MAX_BLOCK, ALIGN_UP(npages * BUDDY_PAGE_SIZE, MAX_BLOCK));
	meta = malloc(npages);
	ck_assert_ptr_nonnull(mm_host_arena);
	ck_assert_ptr_nonnull(meta);
	buddy_init(&mm_host_buddy, (uintptr_t)mm_host_arena, npages, meta);
	ck_assert_int_eq(buddy_add_range(&mm_host_buddy, (uintptr_t)mm_host_arena, npages), 0);
}

void mm_host_teardown(void)
{
	free(mm_host_arena);
	free(meta);
}

void *page_alloc(unsigned order) { return buddy_alloc(&mm_host_buddy, order); }

void page_free(void *p, unsigned order)
{
	ck_assert_int_eq(buddy_free(&mm_host_buddy, p, order), 0);
}

size_t page_free_count(void) { return buddy_free_pages(&mm_host_buddy); }

unsigned long mm_lock(enum mm_lock_id id)
{
	(void)id;
	return 0;
}

void mm_unlock(enum mm_lock_id id, unsigned long flags)
{
	(void)id;
	(void)flags;
}
