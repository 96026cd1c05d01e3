/* selftest=corelock_halt: a CPU that finds the lwIP core lock held halts
 * until the release wakes it, instead of spinning all along
 * (net/lwip/core_lock.c).
 *
 * A thread on CPU 1 takes the lock and holds it HOLD_MS; CPU 0 then takes
 * it: net_core_lock_sleeps() must grow (CPU 0 halted for it at least once)
 * and CPU 0 must get the lock only after CPU 1 let it go, within WAKE_MS
 * of that (the release's IPI, or at the latest a tick, ends the halt).
 * The lock's held time (net_core_lock_held_ns) grows by CPU 1's hold at
 * least. */
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"
#include "kernel/smp.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include "net/lwip/core_lock.h"

#define HOLD_MS 50
#define WAKE_MS 500

static struct {
	u32 held;                       /* CPU 1 holds the lock (atomic) */
	u64 released_at;                /* ktime when CPU 1 let go */
} cl;

static int corelock_holder(void *data)
{
	u64 end;

	(void)data;
	net_core_lock();
	__atomic_store_n(&cl.held, 1, __ATOMIC_RELEASE);
	end = ktime_get_ns() + HOLD_MS * NSEC_PER_MSEC;
	while (ktime_get_ns() < end)
		cpu_relax();
	WRITE_ONCE(cl.released_at, ktime_get_ns());
	net_core_unlock();
	return 0;
}

static int selftest_corelock_halt(void)
{
	u64 sleeps0 = net_core_lock_sleeps(), held0 = net_core_lock_held_ns(), got, sleeps, held;
	struct task_struct *t;
	int rc = 0;

	SELFTEST_CHECK("corelock_halt", nr_cpu_ids_online() >= 2);
	cl.held = 0;
	t = kthread_create(corelock_holder, NULL, "corelock/1");
	SELFTEST_CHECK("corelock_halt", t != NULL);
	SELFTEST_CHECK("corelock_halt", kthread_bind(t, 1) == 0);
	wake_up_process(t);
	while (!__atomic_load_n(&cl.held, __ATOMIC_ACQUIRE))
		cpu_relax();
	net_core_lock();
	got = ktime_get_ns();
	net_core_unlock();
	SELFTEST_CHECK("corelock_halt", kthread_stop(t) == 0);
	sleeps = net_core_lock_sleeps() - sleeps0;
	held = net_core_lock_held_ns() - held0;
	pr_info("corelock_halt: test: %llu halts while CPU 1 held the lock, the lock %llu us "
		"after its release, held %llu us in all\n", (unsigned long long)sleeps,
		(unsigned long long)((got - READ_ONCE(cl.released_at)) / 1000),
		(unsigned long long)(held / 1000));
	SELFTEST_CHECK("corelock_halt", sleeps >= 1);
	SELFTEST_CHECK("corelock_halt", got >= READ_ONCE(cl.released_at));
	SELFTEST_CHECK("corelock_halt", got - READ_ONCE(cl.released_at) < WAKE_MS * NSEC_PER_MSEC);
	/* CPU 1's hold at least */
	SELFTEST_CHECK("corelock_halt", held >= HOLD_MS * NSEC_PER_MSEC);
out:
	return rc;
}
SELFTEST("corelock_halt", selftest_corelock_halt,
	 "a CPU waiting for the lwIP core lock halts until the release wakes it");
