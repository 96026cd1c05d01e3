/* SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed 64-bit PRF for short inputs.  The network stack hashes
 * connection 4-tuples and address pairs with a secret boot-time key
 * (TCP initial sequence numbers, IP identifiers), so an off-path observer
 * cannot compute them. */
#ifndef LIB_SIPHASH_H
#define LIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* the 128-bit key as the paper's k0 (bytes 0-7) and k1 (bytes 8-15),
 * each read little-endian */
struct siphash_key {
	uint64_t k0, k1;
};

/* SipHash-2-4 of len bytes at data under key */
uint64_t siphash_2_4(const void *data, size_t len, const struct siphash_key *key);

/* the key from 16 bytes, as the reference implementation reads them */
struct siphash_key siphash_key_from_bytes(const uint8_t bytes[16]);

#endif
