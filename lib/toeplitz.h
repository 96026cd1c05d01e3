/* The Toeplitz hash of receive-side scaling (Microsoft's "RSS hashing
 * functions"; 82576 7.1.2.8.1, 82574 7.1.12.1): a 32-bit hash of a flow's
 * addresses (and ports) under a secret key, the one the NIC writes into a
 * descriptor and indexes its indirection table with.  The driver computes
 * it in software to predict and check the NIC's queue choice; RPS uses it
 * when the NIC gives no hash. */
#ifndef LIB_TOEPLITZ_H
#define LIB_TOEPLITZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOEPLITZ_KEY_SIZE       40      /* bytes; RSSRK is 10 registers */
#define TOEPLITZ_MAX_INPUT      36      /* two IPv6 addresses and two ports */

/* The hash of len bytes at in under key (key_len >= len + 4): for each
 * input bit, most significant first, the 32 key bits starting at that bit
 * position are XORed into the result when the bit is set. */
uint32_t toeplitz_hash(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len);

/* The input of a flow as the NIC forms it: source address, destination
 * address, then (ports true) source port and destination port, all in
 * network byte order.  Addresses are given as they sit in the header
 * (network order bytes); ports in host order.  Returns the hash. */
uint32_t toeplitz_ipv4(const uint8_t key[TOEPLITZ_KEY_SIZE], const uint8_t saddr[4],
		       const uint8_t daddr[4], uint16_t sport, uint16_t dport, bool ports);
uint32_t toeplitz_ipv6(const uint8_t key[TOEPLITZ_KEY_SIZE], const uint8_t saddr[16],
		       const uint8_t daddr[16], uint16_t sport, uint16_t dport, bool ports);

#endif
