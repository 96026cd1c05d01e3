/* lwIP port services: time (sys_now) and random numbers. */
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lwip/arch.h"
#include "lwip/sys.h"

/* milliseconds, for lwIP's timeouts (wraps after 49 days, as lwIP expects) */
u32_t sys_now(void)
{
	return (u32_t)(ktime_get_ns() / NSEC_PER_MSEC);
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
