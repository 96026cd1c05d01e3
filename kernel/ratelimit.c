/* Rate limits for log lines (see ratelimit.h), after Linux's
 * lib/ratelimit.c: a fixed window of interval_ms from the first message,
 * burst messages in it. */
#include "kernel/ratelimit.h"
#include "kernel/time.h"

bool ___ratelimit(struct ratelimit_state *rs, const char *func)
{
	u64 now = ktime_get_ns();
	unsigned long flags;
	u32 missed = 0;
	bool ok;

	if (!rs->interval_ms)
		return true;
	flags = spin_lock_irqsave(&rs->lock);
	if (!rs->begin_ns || now - rs->begin_ns >= (u64)rs->interval_ms * NSEC_PER_MSEC) {
		missed = rs->missed;
		rs->reported_total += missed;
		rs->begin_ns = now ? now : 1;
		rs->printed = 0;
		rs->missed = 0;
	}
	ok = rs->printed < rs->burst;
	if (ok) {
		rs->printed++;
	} else {
		rs->missed++;
		rs->missed_total++;
	}
	spin_unlock_irqrestore(&rs->lock, flags);
	if (missed)
		pr_warn("%s: %u callbacks suppressed\n", func, missed);
	return ok;
}
