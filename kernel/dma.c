/* dma_alloc_coherent: zeroed, physically contiguous memory for descriptor
 * rings and packet buffers.
 *
 * Memory is write-back cached and coherent with device DMA on x86 (PCIe
 * snoops the caches), so no special mapping is needed.  Sizes up to 2 KiB
 * come from per-size pools: a page split into naturally aligned blocks of
 * 128, 256, ..., 2048 bytes, each page described by a small kmalloc'd
 * record with a bitmap of used blocks; a page whose blocks are all free
 * goes back to the page allocator.  Larger sizes take whole pages from
 * page_alloc (page aligned, which is all the contract asks for).
 */
#include "lib/bitops.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/panic.h"
#include <string.h>

#define DMA_MIN_SHIFT   7                       /* 128 bytes: the smallest alignment promised */
#define DMA_NR_POOLS    5                       /* 128, 256, 512, 1024, 2048 */
#define DMA_POOL_MAX    (1UL << (DMA_MIN_SHIFT + DMA_NR_POOLS - 1))

_Static_assert(PAGE_SIZE >> DMA_MIN_SHIFT <= 32, "a page's blocks must fit the u32 bitmap");

struct dma_page {
	struct dma_page *next;
	u8 *va;
	u32 used;                                       /* bit i: block i is handed out */
};

/* pools and outstanding: under pool_locks[MM_LOCK_DMA] (page_alloc.c,
 * mm_lock), any context on any CPU, irqsave (rings and buffers are
 * allocated when a device opens or resizes, not per frame) */
static struct dma_page *pools[DMA_NR_POOLS];
static u64 outstanding;

static unsigned pool_of(size_t size)
{
	unsigned order = order_base_2(size);

	return order > DMA_MIN_SHIFT ? order - DMA_MIN_SHIFT : 0;
}

static inline u32 full_mask(unsigned pool)
{
	unsigned blocks = PAGE_SIZE >> (DMA_MIN_SHIFT + pool);

	return blocks == 32 ? ~0U : (1U << blocks) - 1;
}

static unsigned size_order(size_t size)
{
	return order_base_2((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

static void *pool_get(unsigned pool)
{
	struct dma_page *d;
	unsigned bit;

	for (d = pools[pool]; d; d = d->next)
		if (d->used != full_mask(pool))
			break;
	if (!d) {
		d = kmalloc(sizeof(*d));
		if (!d)
			return NULL;
		d->va = page_alloc(0);
		if (!d->va) {
			kfree(d);
			return NULL;
		}
		d->used = 0;
		d->next = pools[pool];
		pools[pool] = d;
	}
	bit = __ffs64(~d->used & full_mask(pool));
	d->used |= 1U << bit;
	return d->va + ((size_t)bit << (DMA_MIN_SHIFT + pool));
}

static void pool_put(unsigned pool, u8 *v, size_t size)
{
	struct dma_page **link, *d;
	u8 *page = (u8 *)ALIGN_DOWN((uintptr_t)v, PAGE_SIZE);
	unsigned bit = (v - page) >> (DMA_MIN_SHIFT + pool);

	for (link = &pools[pool]; (d = *link); link = &d->next)
		if (d->va == page)
			break;
	if (!d || !IS_ALIGNED((uintptr_t)v, 1UL << (DMA_MIN_SHIFT + pool)))
		panic("dma_free_coherent: %p (size %zu) was not allocated by dma_alloc_coherent", v, size);
	if (!(d->used & (1U << bit)))
		panic("dma_free_coherent: double free of %p (size %zu)", v, size);
	d->used &= ~(1U << bit);
	if (!d->used) {
		*link = d->next;
		page_free(d->va, 0);
		kfree(d);
	}
}

void *dma_alloc_coherent(size_t size, phys_addr_t *phys)
{
	unsigned long flags;
	size_t room;
	u8 *v;

	if (!size || size > (PAGE_SIZE << PAGE_MAX_ORDER))
		return NULL;
	flags = mm_lock(MM_LOCK_DMA);
	if (size <= DMA_POOL_MAX) {
		unsigned pool = pool_of(size);

		v = pool_get(pool);
		room = 1UL << (DMA_MIN_SHIFT + pool);
	} else {
		v = page_alloc(size_order(size));
		room = size;
	}
	if (v)
		outstanding += size;
	mm_unlock(MM_LOCK_DMA, flags);
	if (!v)
		return NULL;
	memset(v, 0, room);
	if (phys)
		*phys = virt_to_phys(v);
	return v;
}

void dma_free_coherent(void *v, size_t size)
{
	unsigned long flags;

	if (!v)
		return;
	flags = mm_lock(MM_LOCK_DMA);
	if (!size || size > (PAGE_SIZE << PAGE_MAX_ORDER))
		panic("dma_free_coherent: %p with bad size %zu", v, size);
	if (size <= DMA_POOL_MAX)
		pool_put(pool_of(size), v, size);
	else
		page_free(v, size_order(size));
	outstanding -= size;
	mm_unlock(MM_LOCK_DMA, flags);
}

u64 dma_outstanding_bytes(void)
{
	return READ_ONCE(outstanding);
}
