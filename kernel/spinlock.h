/* Spinlocks.  The _irqsave forms disable interrupts and restore the previous
 * interrupt flag on unlock, so a lock shared with an interrupt handler cannot
 * deadlock on its own CPU. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/x86.h"

struct spinlock {
	volatile u32 locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n) }

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(l->locked))
			cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = local_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	spin_unlock(l);
	local_irq_restore(flags);
}

static inline bool spin_is_locked(const struct spinlock *l)
{
	return READ_ONCE(l->locked) != 0;
}

#endif
