/* selftest=smpnet: every CPU hammers the network's shared allocators at
 * once, and the counts must come out exact.
 *
 * One kernel thread bound to each CPU (CPU 0's own boot thread included)
 * runs SMPNET_ROUNDS rounds of: alloc_skb + skb_clone (a pbuf shared by two
 * skbs: lwIP's reference count under SYS_ARCH_PROTECT), both freed, on the
 * per-CPU skb cache; an skb over a "driver" buffer (skb_from_rx_buffer: the
 * per-CPU RX-wrapper cache), freed, its release callback counted; a pbuf
 * from each of lwIP's pools PBUF (PBUF_REF) and PBUF_POOL, freed (the pool
 * lists under SYS_ARCH_PROTECT, shared by every CPU); and one
 * fault_should_fail() trial (fault_lock).  Afterwards: every buffer
 * released exactly once, skb_in_use(), the two pools' use and (after
 * skb_cache_drain on every CPU) kmalloc's live objects back where they
 * started, and the fault's trial count exact.  With the caches or the
 * lwIP protection unlocked across CPUs this loses or duplicates objects
 * (a double free panics, a lost one shows in the counts).
 * Run it with no NIC: nothing else may use the fault under test. */
#include "drivers/net/fault.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "lwip/memp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "net/core/skbuff.h"

#define SMPNET_ROUNDS   20000
#define SMPNET_BUF_LEN  256

static struct {
	u64 released;                   /* release callbacks (atomic) */
	u64 rounds;                     /* rounds done, all CPUs (atomic) */
	u32 done;                       /* threads finished (atomic) */
	u32 failed;                     /* a round could not allocate (atomic) */
	u8 bufs[NR_CPUS][SMPNET_BUF_LEN];
} smpnet;

static void smpnet_release(void *ctx, void *buf)
{
	(void)ctx;
	(void)buf;
	__atomic_add_fetch(&smpnet.released, 1, __ATOMIC_RELAXED);
}

static int smpnet_round(u8 *buf)
{
	struct sk_buff *a = alloc_skb(SMPNET_BUF_LEN), *b, *r;

	if (!a)
		return -ENOMEM;
	b = skb_clone(a);
	r = skb_from_rx_buffer(NULL, buf, SMPNET_BUF_LEN, smpnet_release, NULL);
	struct pbuf *p = pbuf_alloc(PBUF_RAW, 0, PBUF_REF);
	struct pbuf *q = pbuf_alloc(PBUF_RAW, 64, PBUF_POOL);

	kfree_skb(a);
	kfree_skb(b);
	kfree_skb(r);
	if (p)
		pbuf_free(p);
	if (q)
		pbuf_free(q);
	(void)fault_should_fail(FAULT_RX_DUP);
	return b && r && p && q ? 0 : -ENOMEM;
}

static int smpnet_hammer(void *data)
{
	u8 *buf = smpnet.bufs[(unsigned long)data];

	for (int i = 0; i < SMPNET_ROUNDS; i++) {
		if (smpnet_round(buf))
			__atomic_add_fetch(&smpnet.failed, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&smpnet.rounds, 1, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&smpnet.done, 1, __ATOMIC_RELEASE);
	return 0;
}

static int selftest_smpnet(void)
{
	unsigned int n = nr_cpu_ids_online();
	struct task_struct *t[NR_CPUS];
	struct fault_attr fa;
	size_t live0;
	u64 in_use0, t0, want = (u64)n * SMPNET_ROUNDS;
	u32 pbuf0, pool0;
	int rc = 0;

	skb_cache_drain();
	live0 = kmalloc_live_objects();
	in_use0 = skb_in_use();
	pbuf0 = lwip_stats.memp[MEMP_PBUF]->used;
	pool0 = lwip_stats.memp[MEMP_PBUF_POOL]->used;
	/* armed, so every call is a counted trial, but never a candidate for
	 * an injection (the interval is never reached) */
	SELFTEST_CHECK("smpnet", fault_set(FAULT_RX_DUP, 1, FAULT_TIMES_UNLIMITED, 1U << 30, 0) == 0);
	t0 = ktime_get_ns();
	for (unsigned int c = 1; c < n; c++) {
		t[c] = kthread_create(smpnet_hammer, (void *)(unsigned long)c, "smpnet/%u", c);
		SELFTEST_CHECK("smpnet", t[c] != NULL);
		SELFTEST_CHECK("smpnet", kthread_bind(t[c], c) == 0);
		wake_up_process(t[c]);
	}
	smpnet_hammer((void *)0UL);
	/* each thread's end (and its stack and record freed) */
	for (unsigned int c = 1; c < n; c++)
		SELFTEST_CHECK("smpnet", kthread_stop(t[c]) == 0);
	fault_get(FAULT_RX_DUP, &fa);
	fault_set(FAULT_RX_DUP, 0, 0, 1, 0);
	skb_cache_drain();
	pr_info("smpnet: test: %u CPUs, %llu rounds of %llu in %llu ms, %llu of %llu buffers "
		"released, %llu fault trials, skbs in use %lld, kmalloc objects %+lld, "
		"PBUF %+d, PBUF_POOL %+d, %u failed allocations\n", n,
		(unsigned long long)smpnet.rounds, (unsigned long long)want,
		(unsigned long long)((ktime_get_ns() - t0) / NSEC_PER_MSEC),
		(unsigned long long)smpnet.released, (unsigned long long)want,
		(unsigned long long)fa.calls, (long long)(skb_in_use() - in_use0),
		(long long)kmalloc_live_objects() - (long long)live0,
		(int)lwip_stats.memp[MEMP_PBUF]->used - (int)pbuf0,
		(int)lwip_stats.memp[MEMP_PBUF_POOL]->used - (int)pool0, smpnet.failed);
	SELFTEST_CHECK("smpnet", smpnet.done == n);
	SELFTEST_CHECK("smpnet", smpnet.failed == 0);
	SELFTEST_CHECK("smpnet", smpnet.rounds == want);
	SELFTEST_CHECK("smpnet", smpnet.released == want);
	SELFTEST_CHECK("smpnet", fa.calls == want && fa.injected == 0);
	SELFTEST_CHECK("smpnet", skb_in_use() == in_use0);
	SELFTEST_CHECK("smpnet", kmalloc_live_objects() == live0);
	SELFTEST_CHECK("smpnet", lwip_stats.memp[MEMP_PBUF]->used == pbuf0);
	SELFTEST_CHECK("smpnet", lwip_stats.memp[MEMP_PBUF_POOL]->used == pool0);
out:
	return rc;
}
SELFTEST("smpnet", selftest_smpnet,
	 "every CPU allocates, clones and frees skbs and trials a fault at once; counts exact");
