/* Spinlocks.
 *
 *   spin_lock/spin_unlock            the lock alone: for data no interrupt
 *                                    handler or softirq on this CPU touches
 *   spin_lock_irqsave/_irqrestore    interrupts off on this CPU while held:
 *                                    data a hard IRQ handler also takes
 *   spin_lock_irq/spin_unlock_irq    the same where interrupts are known on
 *   spin_lock_bh/spin_unlock_bh      softirqs held off on this CPU while held:
 *                                    data a softirq also takes; the unlock
 *                                    runs what was raised meanwhile
 *
 * Every lock's declaration says what it guards and from which contexts
 * (hard IRQ, softirq, thread); docs/ARCHITECTURE.md "Contexts and locks"
 * lists them.
 *
 * LOCK_DEBUG (on by default, the build the tests run; `make LOCK_DEBUG=0`
 * after `make clean` drops it) keeps the owner CPU and the call site that
 * took the lock, and reports, once per lock and kind, as Linux's spinlock
 * debugging and lockdep do (kernel/spinlock_debug.c):
 *   - recursion: this CPU takes a lock it holds (then panics: a certain
 *     deadlock),
 *   - IRQ-unsafe use: the lock is taken in hard IRQ context and, elsewhere,
 *     with interrupts on (an interrupt arriving then would spin for ever),
 *   - a lock held longer than LOCK_HELD_WARN_MS, and a CPU spinning on one
 *     for LOCK_SPIN_WARN_MS (lockup suspected),
 *   - an unlock by a CPU that does not hold it.
 * A raw lock (SPINLOCK_INIT_RAW: printk's, which the reports themselves
 * take) is never checked. */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include "kernel/irq.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/softirq.h"
#include "kernel/x86.h"

#ifndef LOCK_DEBUG
#define LOCK_DEBUG 0
#endif
/* report a lock held at least this long, and a CPU spinning this long.
 * Both a second: under TCG on a shared host the host deschedules a vCPU
 * for hundreds of ms while it holds a lock (at 200 ms the lwIP core lock
 * and kmalloc's were reported on a 2-core host loaded 8 deep, and the
 * report landed inside a shell command's output) */
#define LOCK_HELD_WARN_MS 1000
#define LOCK_SPIN_WARN_MS 1000

/* LOCK_DEBUG flag bits (struct spinlock.flags) */
#define LOCK_F_RAW             BIT(0)  /* never checked */
#define LOCK_F_IN_IRQ          BIT(1)  /* taken in hard IRQ context */
#define LOCK_F_IRQS_ON         BIT(2)  /* taken with interrupts on */
#define LOCK_F_REPORTED_UNSAFE BIT(3)
#define LOCK_F_REPORTED_LONG   BIT(4)

struct spinlock {
	volatile u32 locked;
	const char *name;
#if LOCK_DEBUG
	u32 flags;                      /* LOCK_F_*, set atomically */
	u32 owner;                      /* holder's CPU number + 1; 0 when free */
	unsigned long owner_pc;         /* where the holder took it */
	unsigned long irq_pc;           /* where it was first taken in hard IRQ */
	unsigned long irqs_on_pc;       /* where it was first taken with interrupts on */
	u64 acquired_at;                /* lock_clock() when taken (spinlock_debug.c) */
#endif
};

#if LOCK_DEBUG
#define SPINLOCK_INIT(n)     { .locked = 0, .name = (n) }
#define SPINLOCK_INIT_RAW(n) { .locked = 0, .name = (n), .flags = LOCK_F_RAW }
#else
#define SPINLOCK_INIT(n)     { .locked = 0, .name = (n) }
#define SPINLOCK_INIT_RAW(n) SPINLOCK_INIT(n)
#endif

#define __spin_inline static inline __attribute__((always_inline))

/* the lock word alone, without checks */
__spin_inline void arch_spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (READ_ONCE(l->locked))
			cpu_relax();
}

__spin_inline bool arch_spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

__spin_inline void arch_spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#if LOCK_DEBUG
/* kernel/spinlock_debug.c: the checked operations, at the call site pc:
 * every check, the records and the reports */
void spin_debug_lock(struct spinlock *l, unsigned long pc);
bool spin_debug_trylock(struct spinlock *l, unsigned long pc);
void spin_debug_unlock(struct spinlock *l, unsigned long pc);
/* reports made so far (all kinds), for the self-tests */
u64 spin_debug_report_count(void);
/* LOCK_HELD_WARN_MS in spin_debug_clock() ticks; 0 until calibrated
 * (spinlock_debug.c sets it) */
extern u64 spin_debug_held_warn;

/* the hold-time clock: the raw TSC (no call, no multiply; ms only for a
 * report); the host unit test drives its stubbed ktime_get_ns() */
#ifdef HOST_TEST
u64 ktime_get_ns(void);
#define spin_debug_clock() ktime_get_ns()
#else
#define spin_debug_clock() rdtsc()
#endif

/* this instruction's address: the call site a lock records */
#define __spin_this_ip() ({ __label__ __here; __here: (unsigned long)&&__here; })

/* The common case inline, without a call: nothing new to record about
 * the context, not held by this CPU, free; else the checked operation. */
__spin_inline void spin_debug_lock_inline(struct spinlock *l, unsigned long pc)
{
	u32 flags = READ_ONCE(l->flags);
	u32 ctx = in_irq() ? LOCK_F_IN_IRQ : !irqs_disabled() ? LOCK_F_IRQS_ON : 0;
	u32 me = smp_processor_id() + 1;

	if ((flags & LOCK_F_RAW) || (ctx & ~flags) || READ_ONCE(l->owner) == me ||
	    !arch_spin_trylock(l)) {
		spin_debug_lock(l, pc);
		return;
	}
	l->owner = me;
	l->owner_pc = pc;
	l->acquired_at = spin_debug_clock();
}

/* held by this CPU for less than the warning: the owner cleared inline */
__spin_inline void spin_debug_unlock_inline(struct spinlock *l, unsigned long pc)
{
	u64 warn = READ_ONCE(spin_debug_held_warn);

	if (!(READ_ONCE(l->flags) & LOCK_F_RAW) && l->owner == smp_processor_id() + 1 && warn &&
	    spin_debug_clock() - l->acquired_at < warn) {
		l->owner = 0;
		arch_spin_unlock(l);
		return;
	}
	spin_debug_unlock(l, pc);
}

#define __spin_lock(l)    spin_debug_lock_inline(l, __spin_this_ip())
#define __spin_trylock(l) spin_debug_trylock(l, __spin_this_ip())
#define __spin_unlock(l)  spin_debug_unlock_inline(l, __spin_this_ip())
#else
#define __spin_lock(l)    arch_spin_lock(l)
#define __spin_trylock(l) arch_spin_trylock(l)
#define __spin_unlock(l)  arch_spin_unlock(l)
#endif

/* a held spinlock keeps this CPU's thread from being preempted */
#define spin_lock(l) do {                                                    \
	preempt_disable();                                                   \
	__spin_lock(l);                                                      \
} while (0)
#define spin_trylock(l) ({                                                   \
	bool __locked;                                                       \
	preempt_disable();                                                   \
	__locked = __spin_trylock(l);                                        \
	if (!__locked)                                                       \
		preempt_enable();                                            \
	__locked;                                                            \
})
#define spin_unlock(l) do {                                                  \
	__spin_unlock(l);                                                    \
	preempt_enable();                                                    \
} while (0)

#define spin_lock_irqsave(l) ({                                              \
	unsigned long __flags = local_irq_save();                            \
	spin_lock(l);                                                        \
	__flags;                                                             \
})

#define spin_unlock_irqrestore(l, flags) do {                                \
	spin_unlock(l);                                                      \
	local_irq_restore(flags);                                            \
} while (0)

#define spin_lock_irq(l) do {                                                \
	local_irq_disable();                                                 \
	spin_lock(l);                                                        \
} while (0)
#define spin_unlock_irq(l) do {                                              \
	spin_unlock(l);                                                      \
	local_irq_enable();                                                  \
} while (0)

#define spin_lock_bh(l) do {                                                 \
	local_bh_disable();                                                  \
	spin_lock(l);                                                        \
} while (0)
#define spin_unlock_bh(l) do {                                               \
	spin_unlock(l);                                                      \
	local_bh_enable();                                                   \
} while (0)

__spin_inline bool spin_is_locked(const struct spinlock *l)
{
	return READ_ONCE(l->locked) != 0;
}

#endif
