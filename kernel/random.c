/* The kernel's random numbers: a boot-time seed from RDSEED/RDRAND or TSC
 * jitter, and SipHash-2-4 in counter mode as the generator (see random.h).
 *
 * CPUID.(EAX=1):ECX bit 30 says RDRAND, CPUID.(EAX=7,ECX=0):EBX bit 18
 * says RDSEED (Intel SDM vol. 2, CPUID); both set CF when the value is
 * valid and may fail transiently, so each read is retried (Intel's DRNG
 * guide suggests 10 tries for RDRAND).  QEMU's default TCG CPU (qemu64)
 * has neither, so the jitter path is what the QEMU tests see unless the
 * CPU model adds them. */
#include "kernel/random.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lib/siphash.h"
#include <cpuid.h>
#include <string.h>

#define CPUID_LEAF_FEATURES    1
#define CPUID_1_ECX_RDRAND     (1u << 30)
#define CPUID_LEAF_EXT_FEAT    7
#define CPUID_7_EBX_RDSEED     (1u << 18)
#define RDRAND_RETRIES         10
#define RDSEED_RETRIES         100   /* RDSEED runs dry more easily */

/* jitter: samples at boot, and the scratch the timed walks touch */
#define JITTER_SAMPLES         2048
#define JITTER_WALK_STEPS      64
#define JITTER_SCRATCH         4096  /* power of two */
/* generator blocks (8 bytes each) between rekeys */
#define RANDOM_REKEY_BLOCKS    1024

static struct {
	/* guards the rest: the key, counter and rekey count; any context
	 * (ISNs and IP IDs from softirq, sockets from threads), irqsave */
	struct spinlock lock;
	struct siphash_key key;
	u64 counter;
	unsigned int since_rekey;
	enum random_source src;
} rng = { .lock = SPINLOCK_INIT("random") };

static u8 jitter_scratch[JITTER_SCRATCH];

static const char *const source_names[] = {
	[RANDOM_SRC_NONE] = "none",
	[RANDOM_SRC_JITTER] = "TSC jitter",
	[RANDOM_SRC_RDRAND] = "RDRAND",
	[RANDOM_SRC_RDSEED] = "RDSEED",
};

const char *random_source_name(enum random_source src)
{
	return (unsigned int)src < ARRAY_SIZE(source_names) ? source_names[src] : "?";
}

enum random_source random_source(void)
{
	return rng.src;
}

/* one RDRAND/RDSEED read: true with *v when CF says it is valid */
static bool rdrand64(u64 *v)
{
	u8 ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool rdseed64(u64 *v)
{
	u8 ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
	return ok;
}

static bool hw_read(bool (*read)(u64 *), unsigned int tries, u64 *v)
{
	while (tries--)
		if (read(v))
			return true;
	return false;
}

/* one timed walk: the path through the scratch depends on the TSC, so
 * cache and TLB state, interrupts and the host (under emulation) move the
 * duration */
static u64 jitter_sample(void)
{
	u64 t0 = rdtsc();
	u32 idx = (u32)t0 & (JITTER_SCRATCH - 1);

	for (unsigned int i = 0; i < JITTER_WALK_STEPS; i++) {
		jitter_scratch[idx] = (u8)(jitter_scratch[idx] + i + 1);
		idx = (idx * 33 + jitter_scratch[idx] + 1) & (JITTER_SCRATCH - 1);
	}
	return rdtsc() - t0;
}

unsigned int random_jitter_seed(u64 seed[2], unsigned int samples)
{
	struct siphash_key k = { seed[0], seed[1] };
	u64 prev = 0, block[3];
	unsigned int changed = 0;

	for (unsigned int i = 0; i < samples; i++) {
		u64 d = jitter_sample();

		changed += i && d != prev;
		prev = d;
		/* absorb: the key is the running state, the sample and the
		 * absolute TSC the input */
		block[0] = d;
		block[1] = rdtsc();
		block[2] = i;
		k.k0 ^= siphash_2_4(block, sizeof(block), &k);
		block[2] = ~(u64)i;
		k.k1 ^= siphash_2_4(block, sizeof(block), &k);
	}
	seed[0] = k.k0;
	seed[1] = k.k1;
	return changed;
}

static bool cpu_has(u32 leaf, u32 reg_ebx_bit, u32 reg_ecx_bit)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid_count(leaf, 0, &a, &b, &c, &d))
		return false;
	return (reg_ebx_bit && (b & reg_ebx_bit)) || (reg_ecx_bit && (c & reg_ecx_bit));
}

int random_init(void)
{
	u64 seed[2] = { rdtsc(), ktime_get_ns() }, hw;
	enum random_source src = RANDOM_SRC_JITTER;
	bool has_rdseed = cpu_has(CPUID_LEAF_EXT_FEAT, CPUID_7_EBX_RDSEED, 0);
	bool has_rdrand = cpu_has(CPUID_LEAF_FEATURES, 0, CPUID_1_ECX_RDRAND);
	unsigned int changed;
	int rc = 0;
	unsigned long flags;

	changed = random_jitter_seed(seed, JITTER_SAMPLES);
	if (has_rdseed || has_rdrand) {
		bool (*read)(u64 *) = has_rdseed ? rdseed64 : rdrand64;
		unsigned int tries = has_rdseed ? RDSEED_RETRIES : RDRAND_RETRIES;

		if (hw_read(read, tries, &hw)) {
			seed[0] ^= hw;
			if (hw_read(read, tries, &hw)) {
				seed[1] ^= hw;
				src = has_rdseed ? RANDOM_SRC_RDSEED : RANDOM_SRC_RDRAND;
			}
		}
		if (src == RANDOM_SRC_JITTER) {
			pr_warn("random: %s advertised but gave no value\n", has_rdseed ? "RDSEED" : "RDRAND");
			rc = -EIO;
		}
	}
	flags = spin_lock_irqsave(&rng.lock);
	rng.key.k0 = seed[0];
	rng.key.k1 = seed[1];
	rng.counter = 0;
	rng.since_rekey = 0;
	rng.src = src;
	spin_unlock_irqrestore(&rng.lock, flags);
	memset(seed, 0, sizeof(seed));
	pr_info("random: seeded from %s (CPU: rdrand %s, rdseed %s; TSC jitter: %u of %u samples changed)\n",
		random_source_name(src), has_rdrand ? "yes" : "no", has_rdseed ? "yes" : "no",
		changed, JITTER_SAMPLES);
	if (src == RANDOM_SRC_JITTER && changed < JITTER_SAMPLES / 4)
		pr_warn("random: the TSC barely jitters: identifiers may be predictable\n");
	return rc;
}

/* the next output block; lock held */
static u64 rng_block(void)
{
	u64 ctr = rng.counter++, out;

	out = siphash_2_4(&ctr, sizeof(ctr), &rng.key);
	if (++rng.since_rekey >= RANDOM_REKEY_BLOCKS) {
		/* fast key erasure: the new key comes from outputs never handed out */
		ctr = rng.counter++;
		rng.key.k0 = siphash_2_4(&ctr, sizeof(ctr), &rng.key);
		ctr = rng.counter++;
		rng.key.k1 ^= siphash_2_4(&ctr, sizeof(ctr), &rng.key);
		rng.since_rekey = 0;
	}
	return out;
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;
	unsigned long flags = spin_lock_irqsave(&rng.lock);

	while (len) {
		u64 b = rng_block();
		size_t n = MIN(len, sizeof(b));

		memcpy(p, &b, n);
		p += n;
		len -= n;
	}
	spin_unlock_irqrestore(&rng.lock, flags);
}

u64 get_random_u64(void)
{
	u64 v;

	get_random_bytes(&v, sizeof(v));
	return v;
}

u32 get_random_u32(void)
{
	return (u32)get_random_u64();
}

u32 get_random_u32_below(u32 ceil)
{
	/* Lemire's multiply-shift; the bias of at most ceil / 2^32 is far
	 * below what any caller here could notice */
	return (u32)(((u64)get_random_u32() * ceil) >> 32);
}
