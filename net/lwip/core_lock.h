/* The lwIP core lock: lwIP runs in exactly one context at a time.
 *
 * lwIP (NO_SYS) is not reentrant.  Every entry into it (the NET_RX receive
 * hand-off, the TIMER softirq's sys_check_timeouts, the services' setup,
 * the self-tests) runs between net_core_lock() and net_core_unlock().  The
 * lock disables bottom halves on this CPU first, so a softirq cannot enter
 * lwIP on top of a holder, then takes a spinlock for the other CPUs.
 * A CPU that finds it held spins a little, then halts until the release
 * wakes it (an IPI): under TCG a spinning vCPU burns a host core.
 * Hard IRQ handlers never take it: net_core_lock() panics there, as it does
 * when the holder takes it again (the lock is not recursive: a recursion
 * would mean lwIP was re-entered from one of its own callbacks).
 *
 * lwIP's own entry points check it: lwipopts.h defines
 * LWIP_ASSERT_CORE_LOCKED() as net_core_assert_locked(), which panics with
 * the function name when the lock is not held by this CPU. */
#ifndef NET_LWIP_CORE_LOCK_H
#define NET_LWIP_CORE_LOCK_H

#include "kernel/types.h"

/* Take the core lock (bottom halves off, then the spinlock).  Process or
 * softirq context only. */
void net_core_lock(void);
/* Release it; runs the loopback hand-off first (packets lwIP queued for
 * itself meanwhile are scheduled for NET_RX), then re-enables bottom halves,
 * which runs softirqs raised while it was held. */
void net_core_unlock(void);
/* Release it as net_core_unlock() does, but leave bottom halves off: the
 * caller's local_bh_enable() ends them (for work that must follow the
 * release before softirqs run: one bottom-half pair fewer than a
 * local_bh_disable() before net_core_unlock()) */
void net_core_unlock_keep_bh(void);
/* true if this CPU holds the core lock */
bool net_core_locked(void);
/* panic unless this CPU holds the core lock; fn names the lwIP entry */
void net_core_assert_locked(const char *fn);

/* times the lock was taken (for the status page and tests) */
u64 net_core_lock_count(void);
/* of those, the takes that found it held, and the nanoseconds they waited */
u64 net_core_lock_contended(void);
u64 net_core_lock_wait_ns(void);
/* nanoseconds the lock was held, all takes (the wait before them not counted) */
u64 net_core_lock_held_ns(void);
/* halts a waiting CPU made until a release woke it (instead of spinning) */
u64 net_core_lock_sleeps(void);

#endif
