/* lwIP hooks of the fuzz build (LWIP_HOOK_FILENAME in tests/fuzz/build.mk):
 * the kernel's own (lwip_hooks.h), plus a fixed TCP initial
 * sequence number, so an input can complete a handshake with the sequence
 * numbers it saw in a seed (lwIP's own ISN depends on how long the process
 * has run, which would make a crash depend on the inputs before it). */
#ifndef TESTS_FUZZ_FUZZ_HOOKS_H
#define TESTS_FUZZ_FUZZ_HOOKS_H

#include "lwip/arch.h"

/* every connection's ISN (tests/fuzz/gen_corpus.py acknowledges ISN + 1) */
#define FUZZ_TCP_ISN 0x10000000u

#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
	((void)(local_ip), (void)(local_port), (void)(remote_ip), (void)(remote_port), \
	 (u32_t)FUZZ_TCP_ISN)

/* after the ISN above: lwip_hooks.h keeps a hook defined already */
#include "lwip_hooks.h"

#endif
