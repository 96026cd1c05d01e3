/* The physical page allocator: the buddy core (buddy.c) over the direct
 * map, with a lock, plus the locks of the kmalloc and DMA pools. */
#include "kernel/buddy.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"

_Static_assert(PAGE_MAX_ORDER == BUDDY_MAX_ORDER, "mm.h and buddy.h disagree");
_Static_assert(PAGE_SIZE == BUDDY_PAGE_SIZE, "mm.h and buddy.h disagree");

static struct buddy zone;
/* guards the buddy allocator; every context (kmalloc refills, DMA pools),
 * irqsave */
static struct spinlock zone_lock = SPINLOCK_INIT("pages");
/* guard the kmalloc size classes and the DMA pools (mm_lock(id)); every
 * context, irqsave */
static struct spinlock pool_locks[MM_NR_LOCKS] = {
	[MM_LOCK_DMA] = SPINLOCK_INIT("dma"),
	[MM_LOCK_KMALLOC] = SPINLOCK_INIT("kmalloc"),
};

/* Start an empty allocator for physical pages 0..npages-1 (all reserved);
 * its state array (npages bytes) is at direct-map address meta. */
void page_alloc_init(size_t npages, u8 *meta)
{
	buddy_init(&zone, DIRECT_MAP_BASE, npages, meta);
}

/* give the physical pages [start, end) to the allocator; they must be
 * mapped in the direct map already */
int page_alloc_add(phys_addr_t start, phys_addr_t end)
{
	unsigned long flags = spin_lock_irqsave(&zone_lock);
	int rc = buddy_add_range(&zone, (uintptr_t)phys_to_virt(start), (end - start) >> PAGE_SHIFT);

	spin_unlock_irqrestore(&zone_lock, flags);
	return rc;
}

void *page_alloc(unsigned order)
{
	unsigned long flags;
	void *p;

	if (unlikely(!zone.meta))
		return NULL;            /* called before mm_init */
	flags = spin_lock_irqsave(&zone_lock);
	p = buddy_alloc(&zone, order);

	spin_unlock_irqrestore(&zone_lock, flags);
	return p;
}

void page_free(void *p, unsigned order)
{
	unsigned long flags = spin_lock_irqsave(&zone_lock);
	int rc = buddy_free(&zone, p, order);

	spin_unlock_irqrestore(&zone_lock, flags);
	if (rc)
		panic("page_free: %p (order %u) is not an allocated block (double free?)", p, order);
}

size_t page_free_count(void)
{
	return READ_ONCE(zone.free_pages);
}

/* consistency walk of the free lists, for the self-test */
int page_alloc_check(void)
{
	unsigned long flags = spin_lock_irqsave(&zone_lock);
	int rc = buddy_check(&zone);

	spin_unlock_irqrestore(&zone_lock, flags);
	return rc;
}

u64 mm_free_kib(void)
{
	return (u64)page_free_count() * (PAGE_SIZE / 1024);
}

unsigned long mm_lock(enum mm_lock_id id)
{
	return spin_lock_irqsave(&pool_locks[id]);
}

void mm_unlock(enum mm_lock_id id, unsigned long flags)
{
	spin_unlock_irqrestore(&pool_locks[id], flags);
}
