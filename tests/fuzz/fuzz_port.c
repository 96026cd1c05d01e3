/* lwIP port services for the fuzz targets, in place of net/lwip/port.c:
 * the same clock and protection, but random numbers from a seed that each
 * input resets (port.c seeds from the TSC), so an input replays the same. */
#include "fuzz.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lwip/arch.h"
#include "lwip/sys.h"

#define FUZZ_RAND_SEED 0x9e3779b97f4a7c15ull

static u64 rand_state = FUZZ_RAND_SEED;

void fuzz_port_reseed(void)
{
	rand_state = FUZZ_RAND_SEED;
}

u32_t sys_now(void)
{
	return (u32_t)(ktime_get_ns() / NSEC_PER_MSEC);
}

/* xorshift64*, as port.c */
uint32_t lwip_port_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return (uint32_t)((rand_state * 0x2545F4914F6CDD1DULL) >> 32);
}

sys_prot_t sys_arch_protect(void)
{
	return (sys_prot_t)local_irq_save();
}

void sys_arch_unprotect(sys_prot_t pval)
{
	local_irq_restore((unsigned long)pval);
}
