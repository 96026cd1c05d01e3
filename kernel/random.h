/* Random numbers for the network stack's secrets and identifiers.
 *
 * random_init() gathers a 128-bit seed once at boot from the best source
 * the CPU has (RDSEED, else RDRAND, as CPUID reports them; TSC jitter is
 * always mixed in, and is the only source without either) and says which
 * in the boot log.  The generator is SipHash-2-4 in counter mode under a
 * key derived from that seed, rekeyed from its own output every
 * RANDOM_REKEY_BLOCKS blocks (so a later memory read does not reveal
 * earlier outputs); it is interrupt-safe. */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include "kernel/types.h"

/* where the seed came from */
enum random_source {
	RANDOM_SRC_NONE,        /* random_init() not called: not secret */
	RANDOM_SRC_JITTER,      /* TSC jitter only */
	RANDOM_SRC_RDRAND,      /* RDRAND (and TSC jitter) */
	RANDOM_SRC_RDSEED,      /* RDSEED (and TSC jitter) */
};

/* Seed the generator; after clock_init() (the jitter sampler reads the
 * TSC).  Prints the "random:" boot line.  0, or -EIO when the CPU claims
 * RDRAND/RDSEED but never delivers (the jitter seed is used then). */
int random_init(void);
/* the source random_init() chose */
enum random_source random_source(void);
/* its name as the boot log prints it */
const char *random_source_name(enum random_source src);

/* len random bytes into buf */
void get_random_bytes(void *buf, size_t len);
u32 get_random_u32(void);
u64 get_random_u64(void);
/* uniform in [0, ceil); 0 when ceil is 0 */
u32 get_random_u32_below(u32 ceil);

/* TSC jitter: samples timed memory walks into *seed (128 bits), returns
 * how many successive samples differed (a jitter-less clock gives ~0).
 * Exposed for the host unit test. */
unsigned int random_jitter_seed(u64 seed[2], unsigned int samples);

#endif
