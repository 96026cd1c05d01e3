/* Per-test leak check for tests that use lwIP: the lwIP heap and pools,
 * kmalloc and LeakSanitizer must all be back where setup found them. */
#ifndef TESTS_UNIT_LWIP_LEAK_H
#define TESTS_UNIT_LWIP_LEAK_H

#include <check.h>
#include <sanitizer/lsan_interface.h>
#include "host_stubs.h"
#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/stats.h"
#include "net/core/skbuff.h"

static mem_size_t lwip_heap_used_at_setup;
/* lwip_init itself takes some (its cyclic timers' SYS_TIMEOUT entries) */
static u16_t lwip_pool_used_at_setup[MEMP_MAX];

static inline void lwip_leak_setup(void)
{
	lwip_init();
	lwip_heap_used_at_setup = lwip_stats.mem.used;
	for (int i = 0; i < MEMP_MAX; i++)
		lwip_pool_used_at_setup[i] = lwip_stats.memp[i]->used;
}

static inline void lwip_leak_check(void)
{
	skb_cache_drain();
	ck_assert_uint_eq(skb_in_use(), 0);
	ck_assert_int_eq(host_kmalloc_live, 0);
	ck_assert_uint_eq(lwip_stats.mem.used, lwip_heap_used_at_setup);
	for (int i = 0; i < MEMP_MAX; i++)
		ck_assert_msg(lwip_stats.memp[i]->used == lwip_pool_used_at_setup[i],
			      "lwIP pool %s: %u in use, %u at setup", lwip_stats.memp[i]->name,
			      (unsigned)lwip_stats.memp[i]->used, (unsigned)lwip_pool_used_at_setup[i]);
	ck_assert_int_eq(__lsan_do_recoverable_leak_check(), 0);
}

#endif
