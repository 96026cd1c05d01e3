/* selftest=rxhandoff: a batch received while another CPU holds the lwIP
 * core lock is queued for that holder, not waited for
 * (net/lwip/rx_handoff.h).
 *
 * A thread on CPU 1 takes the core lock and holds it.  CPU 0 (bottom
 * halves off, as in a napi poll) hands rx_handoff_deliver_list two batches
 * of HANDOFF_BATCH numbered skbs: each call must return at once with the
 * frames queued and none delivered, while CPU 1 still holds the lock (with
 * a spin for the lock, as before, CPU 0 would wait until CPU 1 gives up:
 * the check "returned while held" fails).  CPU 1 then releases: its
 * net_core_unlock delivers both batches on CPU 1, in order.  Then a batch
 * with the lock free is delivered by CPU 0 itself, and a batch that would
 * overfill the queue (RX_HANDOFF_MAX) is refused and waits for the lock
 * (CPU 0 spins until CPU 1 lets go), all frames still delivered once and
 * in order.  The test's own handler stands in for the glue's for the run. */
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/core/dev.h"
#include "net/core/skbuff.h"
#include "net/lwip/core_lock.h"
#include "net/lwip/rx_handoff.h"

#define HANDOFF_BATCH   16
#define HANDOFF_FRAMES  (RX_HANDOFF_MAX + 4 * HANDOFF_BATCH)
#define HOLD_TIMEOUT_MS 2000

static struct {
	u32 held;                       /* CPU 1 holds the lock (atomic) */
	u32 release;                    /* CPU 0: let it go (atomic) */
	u32 released;                   /* CPU 1 let it go (atomic) */
	u32 delay_ms;                   /* CPU 1 holds this long after release is asked */
	u32 n;                          /* frames delivered */
	u32 seq[HANDOFF_FRAMES];        /* their numbers, in delivery order */
	u8 cpu[HANDOFF_FRAMES];         /* the CPU that delivered each */
} ho;

/* with the core lock held: record the frame's number and CPU, free it */
static int handoff_test_rx(struct sk_buff *skb)
{
	net_core_assert_locked(__func__);
	if (ho.n < HANDOFF_FRAMES) {
		ho.seq[ho.n] = *(const u32 *)skb->data;
		ho.cpu[ho.n] = (u8)smp_processor_id();
		ho.n++;
	}
	kfree_skb(skb);
	return NET_RX_SUCCESS;
}

/* CPU 1: hold the lock until asked (or the timeout), then release */
static int handoff_holder(void *data)
{
	u64 end;

	(void)data;
	net_core_lock();
	__atomic_store_n(&ho.held, 1, __ATOMIC_RELEASE);
	end = ktime_get_ns() + (u64)HOLD_TIMEOUT_MS * NSEC_PER_MSEC;
	while (!__atomic_load_n(&ho.release, __ATOMIC_ACQUIRE) && ktime_get_ns() < end)
		cpu_relax();
	end = ktime_get_ns() + (u64)READ_ONCE(ho.delay_ms) * NSEC_PER_MSEC;
	while (ktime_get_ns() < end)
		cpu_relax();
	__atomic_store_n(&ho.held, 0, __ATOMIC_RELEASE);
	net_core_unlock();
	__atomic_store_n(&ho.released, 1, __ATOMIC_RELEASE);
	return 0;
}

/* a list of count skbs numbered from first */
static int make_batch(struct sk_buff_head *list, u32 first, u32 count)
{
	skb_queue_head_init(list);
	for (u32 i = 0; i < count; i++) {
		struct sk_buff *skb = alloc_skb(64);

		if (!skb) {
			__skb_queue_purge_reason(list, SKB_DROP_REASON_NOMEM);
			return -ENOMEM;
		}
		*(u32 *)skb_put(skb, sizeof(u32)) = first + i;
		__skb_queue_tail(list, skb);
	}
	return 0;
}

static struct task_struct *start_holder(u32 delay_ms)
{
	struct task_struct *t;

	ho.held = ho.release = ho.released = 0;
	ho.delay_ms = delay_ms;
	t = kthread_create(handoff_holder, NULL, "handoff/1");
	if (!t)
		return NULL;
	if (kthread_bind(t, 1)) {
		__atomic_store_n(&ho.release, 1, __ATOMIC_RELEASE);
		wake_up_process(t);
		kthread_stop(t);
		return NULL;
	}
	wake_up_process(t);
	while (!__atomic_load_n(&ho.held, __ATOMIC_ACQUIRE))
		cpu_relax();
	return t;
}

/* deliver list (the caller keeps bottom halves off, as a napi poll does,
 * and so no softirq of this CPU waits for CPU 1's lock meanwhile); true
 * if the call returned while CPU 1 still held the lock */
static bool deliver_batch(struct sk_buff_head *list)
{
	rx_handoff_deliver_list(list);
	return __atomic_load_n(&ho.held, __ATOMIC_ACQUIRE);
}

/* until n frames are delivered, at most a second */
static bool wait_delivered(u32 n)
{
	u64 end = ktime_get_ns() + NSEC_PER_SEC;

	while (READ_ONCE(ho.n) < n && ktime_get_ns() < end)
		cpu_relax();
	return READ_ONCE(ho.n) == n;
}

static int selftest_rxhandoff(void)
{
	u64 batches0 = rx_handoff_batches(), frames0 = rx_handoff_frames();
	u64 refused0 = rx_handoff_refused();
	struct sk_buff_head list;
	struct task_struct *t = NULL;
	net_rx_handler_t glue = NULL;
	bool bh_off = false, swapped = false;
	u32 next = 0, i;
	int rc = 0;

	SELFTEST_CHECK("rxhandoff", nr_cpu_ids_online() >= 2);
	glue = rx_handoff_init(handoff_test_rx);
	swapped = true;
	ho.n = 0;

	/* 1: two batches while CPU 1 holds the lock: queued, not waited for */
	t = start_holder(0);
	SELFTEST_CHECK("rxhandoff", t != NULL);
	local_bh_disable();
	bh_off = true;
	for (int b = 0; b < 2; b++) {
		SELFTEST_CHECK("rxhandoff", make_batch(&list, next, HANDOFF_BATCH) == 0);
		next += HANDOFF_BATCH;
		SELFTEST_CHECK("rxhandoff", deliver_batch(&list));
		SELFTEST_CHECK("rxhandoff", skb_queue_len(&list) == 0);
		SELFTEST_CHECK("rxhandoff", READ_ONCE(ho.n) == 0);
		SELFTEST_CHECK("rxhandoff", rx_handoff_pending());
	}
	__atomic_store_n(&ho.release, 1, __ATOMIC_RELEASE);
	bh_off = false;
	local_bh_enable();
	SELFTEST_CHECK("rxhandoff", kthread_stop(t) == 0);
	t = NULL;
	/* delivered once CPU 1 let go (by its release, as a rule), in order */
	SELFTEST_CHECK("rxhandoff", wait_delivered(next) && !rx_handoff_pending());
	for (i = 0; i < next; i++)
		SELFTEST_CHECK("rxhandoff", ho.seq[i] == i);
	SELFTEST_CHECK("rxhandoff", rx_handoff_batches() - batches0 == 2);
	SELFTEST_CHECK("rxhandoff", rx_handoff_frames() - frames0 == 2 * HANDOFF_BATCH);

	/* 2: the lock free: the batch goes up at once */
	SELFTEST_CHECK("rxhandoff", make_batch(&list, next, HANDOFF_BATCH) == 0);
	next += HANDOFF_BATCH;
	local_bh_disable();
	rx_handoff_deliver_list(&list);
	local_bh_enable();
	SELFTEST_CHECK("rxhandoff", wait_delivered(next));
	for (; i < next; i++)
		SELFTEST_CHECK("rxhandoff", ho.seq[i] == i);

	/* 3: the queue full: the batch past it waits for the lock (CPU 1
	 * lets go 20 ms after being asked), and every frame arrives once, in
	 * order, whoever delivered it */
	t = start_holder(20);
	SELFTEST_CHECK("rxhandoff", t != NULL);
	local_bh_disable();
	bh_off = true;
	for (u32 q = 0; q < RX_HANDOFF_MAX / HANDOFF_BATCH; q++) {
		SELFTEST_CHECK("rxhandoff", make_batch(&list, next, HANDOFF_BATCH) == 0);
		next += HANDOFF_BATCH;
		SELFTEST_CHECK("rxhandoff", deliver_batch(&list));
	}
	SELFTEST_CHECK("rxhandoff", READ_ONCE(ho.n) == i);
	SELFTEST_CHECK("rxhandoff", make_batch(&list, next, HANDOFF_BATCH) == 0);
	next += HANDOFF_BATCH;
	__atomic_store_n(&ho.release, 1, __ATOMIC_RELEASE);
	/* refused: returns only once CPU 1 has let go */
	SELFTEST_CHECK("rxhandoff", !deliver_batch(&list));
	bh_off = false;
	local_bh_enable();
	SELFTEST_CHECK("rxhandoff", kthread_stop(t) == 0);
	t = NULL;
	SELFTEST_CHECK("rxhandoff", rx_handoff_refused() - refused0 == 1);
	SELFTEST_CHECK("rxhandoff", wait_delivered(next) && !rx_handoff_pending());
	for (; i < next; i++)
		SELFTEST_CHECK("rxhandoff", ho.seq[i] == i);
	pr_info("rxhandoff: test: %u frames in %llu queued batches, %llu refused, all "
		"delivered once in order\n", ho.n,
		(unsigned long long)(rx_handoff_batches() - batches0),
		(unsigned long long)(rx_handoff_refused() - refused0));
out:
	if (bh_off)
		local_bh_enable();
	if (t) {
		__atomic_store_n(&ho.release, 1, __ATOMIC_RELEASE);
		kthread_stop(t);
	}
	if (swapped)
		rx_handoff_init(glue);
	return rc;
}
SELFTEST("rxhandoff", selftest_rxhandoff,
	 "a batch received while another CPU holds the lwIP core lock is queued for the holder");
