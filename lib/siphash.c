/* SipHash-2-4: two compression rounds per 8-byte word, four finalization
 * rounds, as specified in the SipHash paper (section 2). */
#include "lib/siphash.h"

#define SIP_C_ROUNDS 2
#define SIP_D_ROUNDS 4

/* "somepseudorandomlygeneratedbytes", the paper's initialization constants */
#define SIP_IV0 0x736f6d6570736575ULL
#define SIP_IV1 0x646f72616e646f6dULL
#define SIP_IV2 0x6c7967656e657261ULL
#define SIP_IV3 0x7465646279746573ULL
#define SIP_FINAL_XOR 0xff

static inline uint64_t rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* one SipRound (paper, figure 2.1) */
#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32); \
	v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32); \
} while (0)

uint64_t siphash_2_4(const void *data, size_t len, const struct siphash_key *key)
{
	const uint8_t *p = data;
	uint64_t v0 = SIP_IV0 ^ key->k0, v1 = SIP_IV1 ^ key->k1;
	uint64_t v2 = SIP_IV2 ^ key->k0, v3 = SIP_IV3 ^ key->k1;
	size_t whole = len & ~(size_t)7;
	uint64_t m;

	for (size_t off = 0; off < whole; off += 8) {
		m = load_le64(p + off, 8);
		v3 ^= m;
		for (int i = 0; i < SIP_C_ROUNDS; i++)
			SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* the last word: the tail bytes, and the length's low byte on top */
	m = load_le64(p + whole, len - whole) | ((uint64_t)(len & 0xff) << 56);
	v3 ^= m;
	for (int i = 0; i < SIP_C_ROUNDS; i++)
		SIPROUND(v0, v1, v2, v3);
	v0 ^= m;
	v2 ^= SIP_FINAL_XOR;
	for (int i = 0; i < SIP_D_ROUNDS; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

struct siphash_key siphash_key_from_bytes(const uint8_t bytes[16])
{
	struct siphash_key k = { load_le64(bytes, 8), load_le64(bytes + 8, 8) };

	return k;
}
