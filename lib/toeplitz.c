/* Toeplitz hash (lib/toeplitz.h).  Bit-serial, as the definition reads:
 * the driver calls it per check, not per byte of payload, and the inputs
 * are at most 36 bytes. */
#include "lib/toeplitz.h"

uint32_t toeplitz_hash(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len)
{
	/* the 32 key bits that line up with the current input bit, and the
	 * next key byte to shift in behind them */
	uint32_t window = ((uint32_t)key[0] << 24) | ((uint32_t)key[1] << 16) |
			  ((uint32_t)key[2] << 8) | key[3];
	uint32_t hash = 0;
	size_t next = 4;

	for (size_t i = 0; i < len; i++) {
		uint8_t kb = next < key_len ? key[next] : 0;

		next++;
		for (int bit = 7; bit >= 0; bit--) {
			if (in[i] & (1u << bit))
				hash ^= window;
			window = (window << 1) | ((kb >> bit) & 1);
		}
	}
	return hash;
}

static size_t put_ports(uint8_t *p, uint16_t sport, uint16_t dport)
{
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	return 4;
}

uint32_t toeplitz_ipv4(const uint8_t key[TOEPLITZ_KEY_SIZE], const uint8_t saddr[4],
		       const uint8_t daddr[4], uint16_t sport, uint16_t dport, bool ports)
{
	uint8_t in[12];
	size_t n = 8;

	for (int i = 0; i < 4; i++) {
		in[i] = saddr[i];
		in[4 + i] = daddr[i];
	}
	if (ports)
		n += put_ports(in + 8, sport, dport);
	return toeplitz_hash(key, TOEPLITZ_KEY_SIZE, in, n);
}

uint32_t toeplitz_ipv6(const uint8_t key[TOEPLITZ_KEY_SIZE], const uint8_t saddr[16],
		       const uint8_t daddr[16], uint16_t sport, uint16_t dport, bool ports)
{
	uint8_t in[TOEPLITZ_MAX_INPUT];
	size_t n = 32;

	for (int i = 0; i < 16; i++) {
		in[i] = saddr[i];
		in[16 + i] = daddr[i];
	}
	if (ports)
		n += put_ports(in + 32, sport, dport);
	return toeplitz_hash(key, TOEPLITZ_KEY_SIZE, in, n);
}
