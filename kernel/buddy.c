/* Buddy allocator core (see buddy.h).
 *
 * Per-page state byte:
 *   META_RESERVED        never given to the allocator
 *   META_TAIL            inside a block (free or allocated), not its first page
 *   META_FREE  | order   first page of a free block on free[order]
 *   META_ALLOC | order   first page of an allocated block
 * The buddy of the block at page index i of order k is at i ^ 2^k; two free
 * buddies of the same order merge into one block of order k + 1.
 */
#include "kernel/buddy.h"
#include "kernel/errno.h"

#define META_RESERVED   0x00
#define META_TAIL       0x40
#define META_FREE       0x80
#define META_ALLOC      0x20
#define META_ORDER_MASK 0x0f

static inline struct buddy_link *idx_to_link(const struct buddy *b, size_t idx)
{
	return (struct buddy_link *)(b->base + (idx << BUDDY_PAGE_SHIFT));
}

static inline size_t addr_to_idx(const struct buddy *b, uintptr_t a)
{
	return (a - b->base) >> BUDDY_PAGE_SHIFT;
}

static void list_push(struct buddy_link *head, struct buddy_link *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void list_del(struct buddy_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
}

void buddy_init(struct buddy *b, uintptr_t base, size_t npages, u8 *meta)
{
	b->base = base;
	b->npages = npages;
	b->meta = meta;
	for (size_t i = 0; i < npages; i++)
		meta[i] = META_RESERVED;
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		b->free[k].next = b->free[k].prev = &b->free[k];
		b->nr_free[k] = 0;
	}
	b->free_pages = 0;
	b->managed_pages = 0;
}

static void block_insert(struct buddy *b, size_t idx, unsigned order)
{
	b->meta[idx] = META_FREE | order;
	list_push(&b->free[order], idx_to_link(b, idx));
	b->nr_free[order]++;
}

static void block_remove(struct buddy *b, size_t idx, unsigned order)
{
	list_del(idx_to_link(b, idx));
	b->nr_free[order]--;
	b->meta[idx] = META_TAIL;
}

void *buddy_alloc(struct buddy *b, unsigned order)
{
	unsigned k = order;
	size_t idx;

	if (order > BUDDY_MAX_ORDER)
		return NULL;
	while (k <= BUDDY_MAX_ORDER && b->free[k].next == &b->free[k])
		k++;
	if (k > BUDDY_MAX_ORDER)
		return NULL;
	idx = addr_to_idx(b, (uintptr_t)b->free[k].next);
	block_remove(b, idx, k);
	/* split: keep the lower half, put the upper halves back */
	while (k > order) {
		k--;
		block_insert(b, idx + ((size_t)1 << k), k);
	}
	b->meta[idx] = META_ALLOC | order;
	b->free_pages -= (size_t)1 << order;
	return (void *)(b->base + (idx << BUDDY_PAGE_SHIFT));
}

int buddy_free(struct buddy *b, void *p, unsigned order)
{
	uintptr_t a = (uintptr_t)p;
	size_t idx;

	if (order > BUDDY_MAX_ORDER || a < b->base || (a - b->base) % BUDDY_PAGE_SIZE)
		return -EINVAL;
	idx = addr_to_idx(b, a);
	if (idx >= b->npages || idx & (((size_t)1 << order) - 1) ||
	    b->meta[idx] != (META_ALLOC | order))
		return -EINVAL;
	b->free_pages += (size_t)1 << order;
	b->meta[idx] = META_TAIL;
	while (order < BUDDY_MAX_ORDER) {
		size_t bud = idx ^ ((size_t)1 << order);

		if (bud + ((size_t)1 << order) > b->npages || b->meta[bud] != (META_FREE | order))
			break;
		block_remove(b, bud, order);
		idx = MIN(idx, bud);
		order++;
	}
	block_insert(b, idx, order);
	return 0;
}

int buddy_add_range(struct buddy *b, uintptr_t addr, size_t npages)
{
	size_t start, end;

	if (addr < b->base || (addr - b->base) % BUDDY_PAGE_SIZE)
		return -EINVAL;
	start = addr_to_idx(b, addr);
	if (start > b->npages || npages > b->npages - start)
		return -EINVAL;
	end = start + npages;
	for (size_t i = start; i < end; i++)
		if (b->meta[i] != META_RESERVED)
			return -EINVAL;
	for (size_t i = start; i < end; i++)
		b->meta[i] = META_TAIL;
	b->managed_pages += npages;
	/* free it as the largest aligned blocks that fit; buddy_free merges
	 * them with neighbours given earlier */
	for (size_t i = start; i < end;) {
		unsigned k = BUDDY_MAX_ORDER;

		while (k && ((i & (((size_t)1 << k) - 1)) || i + ((size_t)1 << k) > end))
			k--;
		b->meta[i] = META_ALLOC | k;
		buddy_free(b, idx_to_link(b, i), k);
		i += (size_t)1 << k;
	}
	return 0;
}

int buddy_check(const struct buddy *b)
{
	size_t pages = 0, heads = 0;

	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		size_t n = 0;

		for (const struct buddy_link *l = b->free[k].next; l != &b->free[k]; l = l->next) {
			size_t idx = addr_to_idx(b, (uintptr_t)l);

			if ((uintptr_t)l < b->base || idx >= b->npages ||
			    idx & (((size_t)1 << k) - 1) || b->meta[idx] != (META_FREE | k) ||
			    l->next->prev != l)
				return -EFAULT;
			if (++n > b->npages)
				return -EFAULT;         /* a cycle */
		}
		if (n != b->nr_free[k])
			return -EFAULT;
		pages += n << k;
	}
	for (size_t i = 0; i < b->npages; i++)
		if (b->meta[i] & META_FREE)
			heads++;
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
		heads -= b->nr_free[k];
	return pages == b->free_pages && heads == 0 ? 0 : -EFAULT;
}
