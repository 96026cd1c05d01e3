/* lwIP port services: time (sys_now), random numbers and the light-weight
 * protection (SYS_ARCH_PROTECT) of lwIP's pools, heap and pbuf references. */
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lwip/arch.h"
#include "lwip/sys.h"

/* milliseconds, for lwIP's timeouts (wraps after 49 days, as lwIP expects) */
u32_t sys_now(void)
{
	return (u32_t)(ktime_get_ns() / NSEC_PER_MSEC);
}

/* microseconds, for the TCP RTT estimate in microseconds (lwip_hooks.h) */
u32_t lwip_now_us(void)
{
	return (u32_t)(ktime_get_ns() / NSEC_PER_USEC);
}

/* xorshift64*, seeded from the TSC at first use.  Good enough for lwIP's
 * needs (ephemeral ports, initial sequence numbers, DHCP xids), not crypto. */
static u64 rand_state;

uint32_t lwip_port_rand(void)
{
	if (!rand_state)
		rand_state = rdtsc() | 1;
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return (uint32_t)((rand_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* restart the sequence from seed (0: from the TSC again at the next use);
 * the fuzz targets use a fixed one, so that an input replays the same */
void lwip_port_srand(uint64_t seed)
{
	rand_state = seed;
}

/* IP reassembly time-outs, seconds (lwipopts.h: IP_REASS_MAXAGE,
 * IPV6_REASS_MAXAGE); net.ipv4.ipfrag_time, net.ipv6.ip6frag_time */
int sysctl_ipfrag_time = IPFRAG_TIME_DEFAULT;
int sysctl_ip6frag_time = IP6FRAG_TIME_DEFAULT;

/* SYS_LIGHTWEIGHT_PROT: lwIP guards its pools, heap and pbuf reference
 * counts with these, so a pbuf may be freed from any context on any CPU
 * (the NET_TX completion queue, a driver's TX clean-up, a buffer lent by
 * a driver coming back) outside the core lock.  The sections are short (a
 * list unlink, a counter) and may nest on one CPU, as lwIP allows: one
 * lock for all of them, taken with interrupts off, recursive by owner.
 * The lock word alone (no LOCK_DEBUG checks): it is taken from every
 * context by design and never held for long.
 *
 * With one CPU online, interrupts off is the whole protection (lwIP's
 * SYS_ARCH_PROTECT on a uniprocessor) and the lock, owner and depth are
 * skipped: about 20 of a section's 27 instructions, each pbuf free and
 * heap call taking one.  The CPU count only grows, in smp_init (kmain runs
 * it before net_stack_init), from CPU 0's own thread (outside any
 * section: they run with interrupts off and never span it), and an AP
 * runs no lwIP code before it is counted.  A section that took the lock
 * says so in its return value (PROT_LOCKED, a bit RFLAGS never sets), so
 * its unprotect releases exactly what it took. */
static struct spinlock prot_lock = SPINLOCK_INIT_RAW("lwip-prot");
static u32 prot_owner;          /* holder's CPU number + 1; 0 when free */
static u32 prot_depth;          /* nesting on the holder: written by it alone */
/* in a protect's return value: this section took prot_lock */
#define PROT_LOCKED (1UL << 63)

sys_prot_t sys_arch_protect(void)
{
	unsigned long flags = local_irq_save();
	u32 me;

	if (likely(nr_cpu_ids_online() == 1))
		return (sys_prot_t)flags;
	me = smp_processor_id() + 1;
	if (READ_ONCE(prot_owner) == me) {
		prot_depth++;
	} else {
		arch_spin_lock(&prot_lock);
		WRITE_ONCE(prot_owner, me);
		prot_depth = 1;
	}
	return (sys_prot_t)(flags | PROT_LOCKED);
}

void sys_arch_unprotect(sys_prot_t pval)
{
	if ((pval & PROT_LOCKED) && --prot_depth == 0) {
		WRITE_ONCE(prot_owner, 0);
		arch_spin_unlock(&prot_lock);
	}
	local_irq_restore((unsigned long)pval & ~PROT_LOCKED);
}
