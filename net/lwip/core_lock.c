/* The lwIP core lock (see net/lwip/core_lock.h). */
#include "net/lwip/core_lock.h"
#include "kernel/irq.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/softirq.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "kernel/apic.h"
#include "kernel/smp.h"
#include "net/core/dev.h"

#define NO_OWNER (-1)

/* guards all of lwIP (NO_SYS=1): thread and softirq context, with
 * softirqs off on this CPU while held (bh); never hard IRQ (panics).  A
 * napi poll's received frames hold it once per batch of at most
 * NET_RX_LIST_BATCH (net/lwip/netif.c glue_deliver_list) */
static struct spinlock core_lock = SPINLOCK_INIT("lwip-core");
static int core_owner = NO_OWNER;       /* CPU holding it; written under it */
static u64 core_lock_taken;
/* takes that found it held, and the time they waited (ns): the price of
 * several CPUs receiving into one lwIP (bench/scaling.py reads them from
 * /proc/barenet/metrics); written under the lock */
static u64 core_lock_contended, core_lock_wait_ns;
/* when the holder took it, and the time it was held in all: the share of
 * a CPU's time spent in lwIP, which no second CPU can share; written
 * under the lock.  In TSC ticks, converted to ns when read
 * (net_core_lock_held_ns): each hold reads the TSC twice, and the
 * conversion (a call and a 128-bit multiply) is paid once per read of
 * the metric instead of once per hold.  The TSC is invariant and the
 * CPUs' are synchronised (kernel/clock.c's ktime_get_ns relies on the
 * same) */
static u64 core_lock_since, core_lock_held_tsc;

/* A CPU that finds the lock held spins up to CORE_LOCK_SPIN_NS (a few
 * batches' hold: an ordinary wait costs no IPI), then halts until the
 * holder's release wakes it: under QEMU's TCG a spinning vCPU
 * burns the host core the holder's vCPU (or QEMU's NIC model) needs, most
 * of all when the host has descheduled the holder; a halted one sleeps in
 * the host.  CPUs halted for the lock (bit per CPU; atomic): the releaser
 * sends each a reschedule IPI (its handler does nothing: the interrupt
 * ends the hlt); any other interrupt (the tick) ends it too. */
#define CORE_LOCK_SPIN_NS 200000ULL
static unsigned long core_lock_sleepers;
static u64 core_lock_sleeps;            /* halts for the lock (atomic) */

/* the lock, taken after a spin and then halts; interrupts on */
static void core_lock_wait(void)
{
	unsigned long me = 1UL << smp_processor_id();
	u64 end = ktime_get_ns() + CORE_LOCK_SPIN_NS;

	do {
		if (!spin_is_locked(&core_lock) && spin_trylock(&core_lock))
			return;
		cpu_relax();
	} while (ktime_get_ns() < end);
	for (;;) {
		local_irq_disable();
		/* the locked or orders the bit before the trylock's look, as
		 * the releaser's fence orders its release before its look at
		 * the bits: one of the two sees the other */
		__atomic_or_fetch(&core_lock_sleepers, me, __ATOMIC_SEQ_CST);
		if (spin_trylock(&core_lock)) {
			__atomic_and_fetch(&core_lock_sleepers, ~me, __ATOMIC_SEQ_CST);
			local_irq_enable();
			return;
		}
		__atomic_add_fetch(&core_lock_sleeps, 1, __ATOMIC_RELAXED);
		safe_halt();
		__atomic_and_fetch(&core_lock_sleepers, ~me, __ATOMIC_SEQ_CST);
	}
}

/* wake the CPUs of w, halted for the lock */
static __attribute__((noinline)) void core_lock_wake_cpus(unsigned long w)
{
	for (unsigned int cpu = 0; w; cpu++, w >>= 1)
		if (w & 1)
			lapic_send_ipi(cpu_apic_id(cpu), IRQ_VECTOR_RESCHEDULE);
}

/* after a release: wake the CPUs halted for the lock (none, mostly: the
 * look is inline, the IPIs out of line) */
static inline void core_lock_wake(void)
{
	unsigned long w;

	mb();
	w = READ_ONCE(core_lock_sleepers) & ~(1UL << smp_processor_id());
	if (unlikely(w))
		core_lock_wake_cpus(w);
}

/* the loopback hand-off, in net/lwip/stack.c: called with the lock held,
 * when net_loopback_queued says a packet was looped since the last one */
void net_loopback_kick(void);
extern bool net_loopback_queued;
/* the held TSO segments, in net/lwip/netif.c: likewise, when
 * glue_tso_maybe_held says some may be held */
void net_glue_tx_flush(void);
extern bool glue_tso_maybe_held;

/* the lock found held: taken after the wait, counted (out of line: the
 * uncontended take then saves no registers) */
static __attribute__((noinline)) void core_lock_contended_take(void)
{
	u64 t0 = ktime_get_ns();

	if (irqs_disabled())
		spin_lock(&core_lock);  /* no halt without interrupts */
	else
		core_lock_wait();
	core_lock_contended++;
	core_lock_wait_ns += ktime_get_ns() - t0;
}

void net_core_lock(void)
{
	if (in_irq())
		panic("net: lwIP core lock taken in hard IRQ context");
	if (READ_ONCE(core_owner) == (int)smp_processor_id())
		panic("net: lwIP core lock taken twice on CPU %u (lwIP re-entered)",
		      smp_processor_id());
	local_bh_disable();
	if (!spin_trylock(&core_lock))
		core_lock_contended_take();
	core_owner = (int)smp_processor_id();
	core_lock_taken++;
	core_lock_since = rdtsc();
}

/* the release, bottom halves still off */
static inline void core_release(void)
{
	if (READ_ONCE(core_owner) != (int)smp_processor_id())
		panic("net: lwIP core lock released by CPU %u, which does not hold it",
		      smp_processor_id());
	/* what lwIP sent during this hold leaves as joined TSO sends; inside
	 * a napi poll at its end (napi_poll_done_hook), so that the segments
	 * the poll's frames (ACKs, mostly) made lwIP send join up */
	if (glue_tso_maybe_held && !softnet_data_this_cpu()->in_napi_poll)
		net_glue_tx_flush();
	if (net_loopback_queued) {
		net_loopback_queued = false;
		net_loopback_kick();
	}
	core_lock_held_tsc += rdtsc() - core_lock_since;
	core_owner = NO_OWNER;
	spin_unlock(&core_lock);
	core_lock_wake();
}

void net_core_unlock(void)
{
	core_release();
	local_bh_enable();
}

void net_core_unlock_keep_bh(void)
{
	core_release();
}

bool net_core_locked(void)
{
	return READ_ONCE(core_owner) == (int)smp_processor_id();
}

void net_core_assert_locked(const char *fn)
{
	if (!net_core_locked())
		panic("net: %s entered without the lwIP core lock", fn);
}

u64 net_core_lock_count(void)
{
	return READ_ONCE(core_lock_taken);
}

u64 net_core_lock_contended(void)
{
	return READ_ONCE(core_lock_contended);
}

u64 net_core_lock_wait_ns(void)
{
	return READ_ONCE(core_lock_wait_ns);
}

u64 net_core_lock_held_ns(void)
{
	return tsc_to_ns(READ_ONCE(core_lock_held_tsc));
}

u64 net_core_lock_sleeps(void)
{
	return __atomic_load_n(&core_lock_sleeps, __ATOMIC_RELAXED);
}
