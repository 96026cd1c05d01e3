/* obj_cache: free lists of kmalloc'ed objects of one size, for the
 * objects the network paths take and give back once per frame (skb
 * structs, RX-buffer wrappers, socket receive-queue entries), linked
 * through their first bytes while free.
 *
 * obj_list_pop / obj_list_push: one list, guarded by the caller (the
 * socket receive-queue entries and the UDP send buffers: a list per CPU
 * with bottom halves off on it).
 *
 * obj_cache_get / obj_cache_put: one list per CPU; an object is taken
 * from and given back to the list of the CPU running the code, with
 * interrupts off on it (hard IRQ, softirq and threads all use them), so no
 * lock; kmalloc (locked) fills an empty list and takes the overflow of a
 * full one.
 *
 *	static DEFINE_PER_CPU(struct obj_cache, foo_cache_pcpu);
 *	static const struct obj_cache_kind foo_cache = {
 *		&foo_cache_pcpu, FOO_CACHE_MAX, sizeof(struct foo),
 *	};
 */
#ifndef KERNEL_OBJ_CACHE_H
#define KERNEL_OBJ_CACHE_H

#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/types.h"
#include "kernel/x86.h"

struct free_obj {
	struct free_obj *next;
};

struct obj_cache {
	struct free_obj *head;
	unsigned int len;
};

/* which cache: its per-CPU lists, cap (per CPU) and object size */
struct obj_cache_kind {
	struct obj_cache *pcpu;         /* a per-CPU variable */
	unsigned int max;
	size_t size;
};

/* the head object of c, or NULL when it is empty (the caller guards c) */
static inline void *obj_list_pop(struct obj_cache *c)
{
	struct free_obj *obj = c->head;

	if (obj) {
		c->head = obj->next;
		c->len--;
	}
	return obj;
}

/* ptr onto c unless c holds max already: false then, ptr still the
 * caller's (the caller guards c) */
static inline bool obj_list_push(struct obj_cache *c, void *ptr, unsigned int max)
{
	struct free_obj *obj = ptr;

	if (c->len >= max)
		return false;
	obj->next = c->head;
	c->head = obj;
	c->len++;
	return true;
}

/* an object from this CPU's list (*hit set) or kmalloc; NULL when out of
 * memory.  Any context. */
static inline void *obj_cache_get(const struct obj_cache_kind *k, bool *hit)
{
	struct free_obj *obj;
	unsigned long flags = local_irq_save();

	obj = obj_list_pop(this_cpu_ptr(k->pcpu));
	local_irq_restore(flags);
	*hit = obj != NULL;
	return obj ? (void *)obj : kmalloc(k->size);
}

/* keep ptr for reuse in this CPU's list, or give it back to kmalloc when
 * that is full.  Any context. */
static inline void obj_cache_put(const struct obj_cache_kind *k, void *ptr)
{
	unsigned long flags = local_irq_save();
	bool kept = obj_list_push(this_cpu_ptr(k->pcpu), ptr, k->max);

	local_irq_restore(flags);
	if (!kept)
		kfree(ptr);
}

/* empty this CPU's list (to kmalloc) */
static inline void obj_cache_drain_local(const struct obj_cache_kind *k)
{
	for (;;) {
		unsigned long flags = local_irq_save();
		void *obj = obj_list_pop(this_cpu_ptr(k->pcpu));

		local_irq_restore(flags);
		if (!obj)
			return;
		kfree(obj);
	}
}

/* the objects every CPU's list holds (a racy sum, for accounting) */
static inline unsigned int obj_cache_len(const struct obj_cache_kind *k)
{
	unsigned int n = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids_online(); cpu++)
		n += READ_ONCE(per_cpu_ptr(k->pcpu, cpu)->len);
	return n;
}

#endif
