/* kmalloc: size classes 16..2048 bytes carved from slabs of pages; larger
 * requests go straight to page_alloc.
 *
 * Every object has a header in front of it: its state (live/freed), its
 * size class and the size asked for, so kfree needs no size and can catch
 * a double free.  A slab is a naturally aligned block of 2^order pages with
 * a struct kmalloc_slab at its start; an object finds its slab by rounding
 * its address down.  A slab whose objects are all free goes back to the
 * page allocator at once, so the free page count returns to where it was.
 *
 * KMALLOC_DEBUG (default 1; build with `make KMALLOC_DEBUG=0` to drop it)
 * adds, for 32 more bytes per object: the allocating caller, a list of live
 * objects for kmalloc_dump_live() (leak hunting), a canary word before the
 * object and a redzone after it, both checked by kfree, and a poison fill of
 * freed objects.
 */
#include "lib/bitops.h"
#include "kernel/mm.h"
#include "kernel/mm_internal.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include <string.h>

#ifndef KMALLOC_DEBUG
#define KMALLOC_DEBUG 1         /* canary/redzone, double-free naming, live list */
#endif

#define KMALLOC_MIN_SHIFT  4                    /* smallest class: 16 bytes */
#define KMALLOC_NR_CLASSES 8                    /* 16, 32, ..., 2048 */
#define KMALLOC_MAX_CLASS  (1U << (KMALLOC_MIN_SHIFT + KMALLOC_NR_CLASSES - 1))
#define CLASS_LARGE        0xffff
#define SLAB_MIN_OBJECTS   8                    /* a slab holds at least this many */
#define SLAB_MAX_ORDER     3
/* a large object's header starts this far into its pages: the page
 * allocator's free-list link (two pointers) overwrites the first bytes of a
 * freed block, and the header must survive so a double free is recognised */
#define LARGE_SKIP         16

#define MAGIC_LIVE   0x4b4d4c56u                /* "KMLV" */
#define MAGIC_FREED  0x4b4d4652u                /* "KMFR" */
#define MAGIC_SLAB   0x534c4142u                /* "SLAB" */
#define CANARY       0x5a5aa5a5c0ffee11ull
#define REDZONE_BYTE 0xcc
#define POISON_BYTE  0x6b

struct kmalloc_hdr {
	u32 magic;
	u16 cls;                /* class index, or CLASS_LARGE */
	u16 order;              /* page order of a large object */
	u32 size;               /* bytes asked for */
	u32 unused;
#if KMALLOC_DEBUG
	void *caller;
	struct kmalloc_hdr *next, *prev;        /* live list */
	u64 canary;             /* right before the object */
#endif
};
_Static_assert(sizeof(struct kmalloc_hdr) % 16 == 0, "objects must stay 16-byte aligned");

#if KMALLOC_DEBUG
#define REDZONE 16              /* at least this many checked bytes after each object */
#else
#define REDZONE 0
#endif

struct kmalloc_slab {
	u32 magic;
	u16 cls;
	u16 inuse;
	struct kmalloc_slab *next, *prev;       /* partial list: slabs with a free slot */
	void *freelist;                         /* free slots, linked through their object bytes */
};
_Static_assert(sizeof(struct kmalloc_slab) % 16 == 0, "first slot must stay aligned");

struct kmalloc_class {
	unsigned obj_size;      /* payload bytes */
	unsigned slot_size;     /* header + payload + redzone */
	unsigned slab_order;
	unsigned per_slab;
	struct kmalloc_slab *partial;
};

/* classes, their slabs, live_objects and live_list: under
 * pool_locks[MM_LOCK_KMALLOC] (page_alloc.c, mm_lock), every context on
 * every CPU, irqsave.  One lock for all CPUs: the per-frame objects come
 * from the per-CPU skb caches (net/core/skbuff.c), so kmalloc sees a
 * frame's allocations only on a cache miss and for lwIP's heap */
static struct kmalloc_class classes[KMALLOC_NR_CLASSES];
static bool classes_ready;
static size_t live_objects;
#if KMALLOC_DEBUG
static struct kmalloc_hdr *live_list;
#endif

static void classes_init(void)
{
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct kmalloc_class *c = &classes[i];

		c->obj_size = 1U << (KMALLOC_MIN_SHIFT + i);
		c->slot_size = sizeof(struct kmalloc_hdr) + c->obj_size + REDZONE;
		c->slab_order = 0;
		while (c->slab_order < SLAB_MAX_ORDER &&
		       ((PAGE_SIZE << c->slab_order) - sizeof(struct kmalloc_slab)) / c->slot_size <
		       SLAB_MIN_OBJECTS)
			c->slab_order++;
		c->per_slab = ((PAGE_SIZE << c->slab_order) - sizeof(struct kmalloc_slab)) / c->slot_size;
	}
	classes_ready = true;
}

static unsigned class_of(size_t size)
{
	unsigned order = order_base_2(size);

	return order > KMALLOC_MIN_SHIFT ? order - KMALLOC_MIN_SHIFT : 0;
}

#if KMALLOC_DEBUG
/* checked bytes after an object: the rest of its slot (so a write past the
 * size asked for is caught even inside the class size), or REDZONE bytes
 * for a large object */
static size_t redzone_len(const struct kmalloc_hdr *h)
{
	if (h->cls == CLASS_LARGE)
		return REDZONE;
	return classes[h->cls].obj_size + REDZONE - h->size;
}
#endif

static void partial_add(struct kmalloc_class *c, struct kmalloc_slab *s)
{
	s->prev = NULL;
	s->next = c->partial;
	if (c->partial)
		c->partial->prev = s;
	c->partial = s;
}

static void partial_del(struct kmalloc_class *c, struct kmalloc_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->partial = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static struct kmalloc_slab *slab_new(unsigned cls)
{
	struct kmalloc_class *c = &classes[cls];
	struct kmalloc_slab *s = page_alloc(c->slab_order);
	u8 *slot;

	if (!s)
		return NULL;
	s->magic = MAGIC_SLAB;
	s->cls = cls;
	s->inuse = 0;
	s->freelist = NULL;
	/* link the slots so the lowest address comes out first */
	slot = (u8 *)(s + 1) + (size_t)(c->per_slab - 1) * c->slot_size;
	for (unsigned i = 0; i < c->per_slab; i++, slot -= c->slot_size) {
		struct kmalloc_hdr *h = (struct kmalloc_hdr *)slot;

		h->magic = MAGIC_FREED;
		*(void **)(h + 1) = s->freelist;
		s->freelist = h + 1;
	}
	partial_add(c, s);
	return s;
}

static struct kmalloc_hdr *slab_get(unsigned cls)
{
	struct kmalloc_class *c = &classes[cls];
	struct kmalloc_slab *s = c->partial;
	void *obj;

	if (!s && !(s = slab_new(cls)))
		return NULL;
	obj = s->freelist;
	s->freelist = *(void **)obj;
	if (++s->inuse == c->per_slab)
		partial_del(c, s);
	return (struct kmalloc_hdr *)obj - 1;
}

static void slab_put(struct kmalloc_hdr *h)
{
	struct kmalloc_class *c = &classes[h->cls];
	struct kmalloc_slab *s = (void *)ALIGN_DOWN((uintptr_t)h, PAGE_SIZE << c->slab_order);

	if (s->magic != MAGIC_SLAB || s->cls != h->cls || !s->inuse)
		panic("kfree: %p: slab header at %p is corrupt", (void *)(h + 1), (void *)s);
	if (s->inuse == c->per_slab)
		partial_add(c, s);
	*(void **)(h + 1) = s->freelist;
	s->freelist = h + 1;
	if (--s->inuse == 0) {
		partial_del(c, s);
		s->magic = 0;
		page_free(s, c->slab_order);
	}
}

static void *kmalloc_caller(size_t size, void *caller)
{
	struct kmalloc_hdr *h;
	unsigned long flags;
	unsigned cls = CLASS_LARGE, order = 0;

	(void)caller;
	if (!size)
		size = 1;
	if (size > (PAGE_SIZE << PAGE_MAX_ORDER) - LARGE_SKIP - sizeof(*h) - REDZONE)
		return NULL;
	if (size <= KMALLOC_MAX_CLASS)
		cls = class_of(size);
	else
		while ((PAGE_SIZE << order) < LARGE_SKIP + sizeof(*h) + size + REDZONE)
			order++;

	flags = mm_lock(MM_LOCK_KMALLOC);
	if (!classes_ready)
		classes_init();
	if (cls == CLASS_LARGE) {
		u8 *pages = page_alloc(order);

		h = pages ? (struct kmalloc_hdr *)(pages + LARGE_SKIP) : NULL;
	} else {
		h = slab_get(cls);
	}
	if (!h) {
		mm_unlock(MM_LOCK_KMALLOC, flags);
		return NULL;
	}
	h->magic = MAGIC_LIVE;
	h->cls = cls;
	h->order = order;
	h->size = size;
	live_objects++;
#if KMALLOC_DEBUG
	h->caller = caller;
	h->canary = CANARY;
	h->prev = NULL;
	h->next = live_list;
	if (live_list)
		live_list->prev = h;
	live_list = h;
	{
		memset((u8 *)(h + 1) + size, REDZONE_BYTE, redzone_len(h));
	}
#endif
	mm_unlock(MM_LOCK_KMALLOC, flags);
	return h + 1;
}

void *kmalloc(size_t size)
{
	return kmalloc_caller(size, __builtin_return_address(0));
}

void *kzalloc(size_t size)
{
	void *p = kmalloc_caller(size, __builtin_return_address(0));

	if (p)
		memset(p, 0, size);
	return p;
}

#if KMALLOC_DEBUG
static void check_redzones(struct kmalloc_hdr *h)
{
	const u8 *rz = (const u8 *)(h + 1) + h->size;
	size_t len = redzone_len(h);

	if (h->canary != CANARY)
		panic("kfree: memory before %p (size %u, allocated by %p) overwritten",
		      (void *)(h + 1), h->size, h->caller);
	for (size_t i = 0; i < len; i++) {
		/* eight bytes at a time where aligned: a byte loop over a
		 * 2 KiB slot's redzone was the guest's largest cost per TCP
		 * segment sent under QEMU's TCG */
		if (!((uintptr_t)(rz + i) & 7) && len - i >= 8 &&
		    *(const u64 *)(rz + i) == REDZONE_BYTE * 0x0101010101010101ULL) {
			i += 7;
			continue;
		}
		if (rz[i] != REDZONE_BYTE)
			panic("kfree: write past the end of %p (size %u, allocated by %p) at offset %zu",
			      (void *)(h + 1), h->size, h->caller, h->size + i);
	}
}
#endif

void kfree(void *p)
{
	struct kmalloc_hdr *h;
	unsigned long flags;

	if (!p)
		return;
	if (!IS_ALIGNED((uintptr_t)p, 16))
		panic("kfree: %p is not a pointer from kmalloc", p);
	h = (struct kmalloc_hdr *)p - 1;
	flags = mm_lock(MM_LOCK_KMALLOC);
	if (h->magic == MAGIC_FREED)
		panic("kfree: double free of %p", p);
	if (h->magic != MAGIC_LIVE || (h->cls != CLASS_LARGE && h->cls >= KMALLOC_NR_CLASSES))
		panic("kfree: %p is not a live kmalloc object (header overwritten?)", p);
#if KMALLOC_DEBUG
	check_redzones(h);
	if (h->prev)
		h->prev->next = h->next;
	else
		live_list = h->next;
	if (h->next)
		h->next->prev = h->prev;
	memset(p, POISON_BYTE, h->size);
#endif
	h->magic = MAGIC_FREED;
	live_objects--;
	if (h->cls == CLASS_LARGE)
		page_free((u8 *)h - LARGE_SKIP, h->order);
	else
		slab_put(h);
	mm_unlock(MM_LOCK_KMALLOC, flags);
}

size_t kmalloc_live_objects(void)
{
	return READ_ONCE(live_objects);
}

void kmalloc_dump_live(void)
{
	unsigned long flags = mm_lock(MM_LOCK_KMALLOC);

	pr_info("kmalloc: %zu live objects\n", live_objects);
#if KMALLOC_DEBUG
	for (struct kmalloc_hdr *h = live_list; h; h = h->next)
		pr_info("kmalloc:   %p size %u caller %p\n", (void *)(h + 1), h->size, h->caller);
#endif
	mm_unlock(MM_LOCK_KMALLOC, flags);
}
