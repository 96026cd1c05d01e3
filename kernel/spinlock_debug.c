/* LOCK_DEBUG: the checked spinlock operations (kernel/spinlock.h says what
 * is checked).  Reports start with "BUG: spinlock", as Linux's
 * (kernel/locking/spinlock_debug.c, lockdep's "inconsistent lock state"),
 * and name the lock and the call sites; each kind is reported once per
 * lock, and a recursion panics.  Nothing here takes a checked lock:
 * printk's lock is raw. */
#include "kernel/spinlock.h"
#include "kernel/irq.h"
#include "kernel/kallsyms.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/time.h"

#if LOCK_DEBUG

static u64 reports;

/* the hold-time clock's rate and ticks to ms (a report only) */
#ifdef HOST_TEST
static inline u64 lock_clock_hz(void) { return NSEC_PER_SEC; }
static inline u64 lock_clock_ms(u64 d) { return d / NSEC_PER_MSEC; }
#else
static inline u64 lock_clock_hz(void) { return tsc_hz(); }
static inline u64 lock_clock_ms(u64 d) { return tsc_to_ns(d) / NSEC_PER_MSEC; }
#endif

u64 spin_debug_held_warn;

static u64 held_warn(void)
{
	u64 t = READ_ONCE(spin_debug_held_warn);

	if (!t) {
		t = lock_clock_hz() * LOCK_HELD_WARN_MS / MSEC_PER_SEC;
		WRITE_ONCE(spin_debug_held_warn, t);
	}
	return t;
}

u64 spin_debug_report_count(void)
{
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}

static const char *lock_name(const struct spinlock *l)
{
	return l->name ? l->name : "(unnamed)";
}

static const char *sym(char *buf, size_t size, unsigned long pc)
{
	return pc ? symbol_format(buf, size, pc) : "?";
}

/* the first report of a kind on l: set the flag, true if it was clear */
static bool first_report(struct spinlock *l, u32 flag)
{
	return !(__atomic_fetch_or(&l->flags, flag, __ATOMIC_RELAXED) & flag);
}

/* Hard IRQ use and use with interrupts on, both seen: the lock is
 * IRQ-unsafe (lockdep's {IN-HARDIRQ-W} -> {HARDIRQ-ON-W}). */
static void check_context(struct spinlock *l, unsigned long pc)
{
	u32 f = in_irq() ? LOCK_F_IN_IRQ : !irqs_disabled() ? LOCK_F_IRQS_ON : 0;
	u32 old;
	char a[KSYM_FORMAT_MAX], b[KSYM_FORMAT_MAX];

	if (!f || (READ_ONCE(l->flags) & f))
		return;
	if (f == LOCK_F_IN_IRQ)
		WRITE_ONCE(l->irq_pc, pc);
	else
		WRITE_ONCE(l->irqs_on_pc, pc);
	old = __atomic_fetch_or(&l->flags, f, __ATOMIC_RELAXED);
	if ((old | f) & LOCK_F_IN_IRQ && (old | f) & LOCK_F_IRQS_ON &&
	    first_report(l, LOCK_F_REPORTED_UNSAFE)) {
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		pr_err("BUG: spinlock '%s' is IRQ-unsafe on CPU#%u: taken in hard IRQ at %s "
		       "and with interrupts on at %s (use spin_lock_irqsave)\n", lock_name(l),
		       smp_processor_id(), sym(a, sizeof(a), READ_ONCE(l->irq_pc)),
		       sym(b, sizeof(b), READ_ONCE(l->irqs_on_pc)));
	}
}

static void spin_acquired(struct spinlock *l, unsigned long pc)
{
	l->owner = smp_processor_id() + 1;
	l->owner_pc = pc;
	l->acquired_at = spin_debug_clock();
}

static void lock_checked(struct spinlock *l, unsigned long pc)
{
	unsigned int cpu = smp_processor_id();
	char a[KSYM_FORMAT_MAX], b[KSYM_FORMAT_MAX];
	u64 t0 = 0;
	bool told = false;

	check_context(l, pc);
	if (READ_ONCE(l->owner) == cpu + 1) {
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		pr_err("BUG: spinlock recursion on CPU#%u: '%s' taken at %s, again at %s\n", cpu,
		       lock_name(l), sym(a, sizeof(a), l->owner_pc), sym(b, sizeof(b), pc));
		panic("spinlock recursion: '%s'", lock_name(l));
	}
	while (!arch_spin_trylock(l)) {
		while (READ_ONCE(l->locked)) {
			u64 now;

			cpu_relax();
			if (told)
				continue;
			now = ktime_get_ns();
			if (!t0) {
				t0 = now;
			} else if (now - t0 >= (u64)LOCK_SPIN_WARN_MS * NSEC_PER_MSEC) {
				u32 owner = READ_ONCE(l->owner);

				told = true;
				__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
				pr_err("BUG: spinlock lockup suspected on CPU#%u: '%s' (wanted at %s) "
				       "held by CPU#%d, taken at %s\n", cpu, lock_name(l),
				       sym(a, sizeof(a), pc), (int)owner - 1,
				       sym(b, sizeof(b), READ_ONCE(l->owner_pc)));
			}
		}
	}
	spin_acquired(l, pc);
}

void spin_debug_lock(struct spinlock *l, unsigned long pc)
{
	if (READ_ONCE(l->flags) & LOCK_F_RAW) {
		arch_spin_lock(l);
		return;
	}
	lock_checked(l, pc);
}

bool spin_debug_trylock(struct spinlock *l, unsigned long pc)
{
	if (READ_ONCE(l->flags) & LOCK_F_RAW)
		return arch_spin_trylock(l);
	check_context(l, pc);
	if (!arch_spin_trylock(l))
		return false;
	spin_acquired(l, pc);
	return true;
}

void spin_debug_unlock(struct spinlock *l, unsigned long pc)
{
	unsigned long taken_at;
	unsigned int cpu = smp_processor_id();
	char a[KSYM_FORMAT_MAX], b[KSYM_FORMAT_MAX];
	u32 owner;
	u64 held, warn;

	if (READ_ONCE(l->flags) & LOCK_F_RAW) {
		arch_spin_unlock(l);
		return;
	}
	owner = l->owner;
	taken_at = l->owner_pc;
	held = spin_debug_clock() - l->acquired_at;
	if (owner != cpu + 1) {
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		pr_err("BUG: spinlock %s on CPU#%u: '%s' unlocked at %s, owner CPU#%d\n",
		       l->locked ? "wrong CPU" : "already unlocked", cpu, lock_name(l),
		       sym(a, sizeof(a), pc), (int)owner - 1);
		if (!l->locked)
			return;
	}
	l->owner = 0;
	arch_spin_unlock(l);
	warn = held_warn();
	if (owner == cpu + 1 && warn && held >= warn &&
	    first_report(l, LOCK_F_REPORTED_LONG)) {
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		pr_err("BUG: spinlock '%s' held for %llu ms on CPU#%u: taken at %s, released at %s\n",
		       lock_name(l), (unsigned long long)lock_clock_ms(held), cpu,
		       sym(a, sizeof(a), taken_at), sym(b, sizeof(b), pc));
	}
}

#endif
