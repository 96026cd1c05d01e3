/* Rate-limited log lines, as Linux's printk_ratelimited(): at most burst
 * messages per interval from one call site; when a new interval starts
 * after some were held back, one line says how many ("N callbacks
 * suppressed", Linux's words).  For messages a remote peer can trigger at
 * will (each one costs ~90 us of softirq time per 100 characters on a
 * 115200-baud UART). */
#ifndef KERNEL_RATELIMIT_H
#define KERNEL_RATELIMIT_H

#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"

/* Linux's DEFAULT_RATELIMIT_INTERVAL (5 s) and DEFAULT_RATELIMIT_BURST */
#define RATELIMIT_INTERVAL_MS_DEFAULT 5000
#define RATELIMIT_BURST_DEFAULT       10

struct ratelimit_state {
	/* guards the window's fields below; any context (a message from
	 * hard IRQ, softirq or a thread), irqsave */
	struct spinlock lock;
	u32 interval_ms;        /* 0: no limit */
	u32 burst;
	u64 begin_ns;           /* start of the current interval, 0: none yet */
	u32 printed;            /* in the current interval */
	u32 missed;             /* held back in the current interval */
	u64 missed_total;       /* held back since boot */
	u64 reported_total;     /* of those, said in "suppressed" lines */
};

#define RATELIMIT_STATE_INIT(name, interval, b) \
	{ .lock = SPINLOCK_INIT(#name), .interval_ms = (interval), .burst = (b) }
#define DEFINE_RATELIMIT_STATE(name, interval, b) \
	struct ratelimit_state name = RATELIMIT_STATE_INIT(name, interval, b)

/* May the caller print now?  func names the call site in the
 * "callbacks suppressed" line (which goes out before the caller's).
 * Interrupt-safe. */
bool ___ratelimit(struct ratelimit_state *rs, const char *func);
#define __ratelimit(rs) ___ratelimit(rs, __func__)

/* printk once the call site's own state allows it */
#define printk_ratelimited(fmt, ...) ({ \
	static DEFINE_RATELIMIT_STATE(_rs, RATELIMIT_INTERVAL_MS_DEFAULT, \
				      RATELIMIT_BURST_DEFAULT); \
	__ratelimit(&_rs) ? printk(fmt, ##__VA_ARGS__) : 0; \
})
#define pr_info_ratelimited(fmt, ...) printk_ratelimited(KERN_INFO fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...) printk_ratelimited(KERN_WARNING fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...)  printk_ratelimited(KERN_ERR fmt, ##__VA_ARGS__)

#endif
