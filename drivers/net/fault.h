/* Seeded fault injection at the NIC driver and descriptor layer, after
 * Linux's fault_attr (lib/fault-inject.c, Documentation/fault-injection/):
 * per fault a probability, an interval, a budget of times and a
 * pseudo-random sequence of its own, so that one seed reproduces the same
 * injections whatever the other faults do.
 *
 * A driver asks at each hook site, in one line:
 *
 *     if (unlikely(fault_should_fail(FAULT_RX_DROP)))
 *             ...drop the frame...
 *
 * which costs one load and a branch while the fault is off.  A trial
 * (Linux's should_fail):
 *   - nothing when the budget of times is spent (times 0);
 *   - with interval N > 1, only every N-th call is a candidate;
 *   - the candidate fails with probability prob_ppm / 1e6, drawn from the
 *     fault's own xorshift64* generator;
 *   - a failure spends one of times (unless unlimited) and is counted in
 *     injected.
 *
 * Configuration: `fault=<name>:<prob>[:<times>[:<param>]],...` and
 * `fault.seed=<n>` on the command line, the `fault` shell command, the
 * counters in /sys/kernel/debug/fault/<name>/.  <prob> is `<n>ppm`,
 * `<n>%` or `1/<n>`; `0` or `off` turns a fault off.
 *
 * Contexts: fault_should_fail and fault_random from any context (hard
 * IRQ included) on any CPU: the state changes under one lock, interrupts
 * off (fault.c); the setters from
 * process context. */
#ifndef DRIVERS_NET_FAULT_H
#define DRIVERS_NET_FAULT_H

#include "kernel/types.h"

enum fault_id {
	FAULT_RX_DROP,          /* a good received frame never reaches the stack */
	FAULT_RX_DUP,           /* ... reaches it twice */
	FAULT_RX_REORDER,       /* ... is held and delivered after the next one */
	FAULT_RX_CORRUPT,       /* one byte past the Ethernet header flipped, no NIC checksum verdict */
	FAULT_RX_EXHAUST,       /* RX descriptors not given back for param ms */
	FAULT_IRQ_LOST,         /* the hard IRQ acknowledges the cause and does nothing */
	FAULT_IRQ_SPURIOUS,     /* an interrupt raised with no cause (per driver watchdog run) */
	FAULT_DD_DELAY,         /* a written-back DD bit not seen for param polls */
	FAULT_TX_STALL,         /* the TX tail stops moving until the device is reset */
	FAULT_RX_STOP_GAP,      /* a stop waits param ms right after the receiver goes off */
	FAULT_NR
};

#define FAULT_PPM_MAX           1000000u        /* probability 1 */
#define FAULT_TIMES_UNLIMITED   (-1LL)

struct fault_attr {
	u32 prob_ppm;           /* per candidate call, parts per million */
	u32 interval;           /* every interval-th call is a candidate (>= 1) */
	s64 times;              /* injections left, FAULT_TIMES_UNLIMITED for no limit */
	u32 param;              /* the fault's own knob (see fault_param_help) */
	u64 calls;              /* trials since the fault was set */
	u64 injected;           /* failures since the fault was set */
	u64 rng;                /* xorshift64* state, never 0 */
};

/* bit i set: fault i may fire (prob > 0 and times != 0); the fast path */
extern u32 fault_armed;

bool __fault_should_fail(enum fault_id id);

/* one trial of fault id: true means "inject now" */
static inline bool fault_should_fail(enum fault_id id)
{
	if (likely(!(READ_ONCE(fault_armed) & BIT(id))))
		return false;
	return __fault_should_fail(id);
}

/* a number in [0, bound) from fault id's own sequence (bound > 0) */
u32 fault_random(enum fault_id id, u32 bound);
/* param of fault id (its default until set) */
u32 fault_param(enum fault_id id);

/* "rx_drop", ...; NULL past the end */
const char *fault_name(enum fault_id id);
/* the id called name, or -ENOENT */
int fault_lookup(const char *name);
/* what param means for fault id, "" when it has none */
const char *fault_param_help(enum fault_id id);

/* "<n>ppm", "<n>%", "1/<n>", "0", "off" into parts per million; -EINVAL
 * for anything else or more than 100% */
int fault_parse_prob(const char *s, u32 *ppm);

/* Set fault id: probability, times (FAULT_TIMES_UNLIMITED or >= 0),
 * interval (>= 1), param (0: the fault's default).  Counters restart and
 * the sequence restarts from the seed.  0 or -EINVAL (nothing changed). */
int fault_set(enum fault_id id, u32 prob_ppm, s64 times, u32 interval, u32 param);
/* every fault off (counters kept, as they show what happened) */
void fault_off_all(void);
/* Apply a `fault=` list, "<name>:<prob>[:<times>[:<param>]],...": all or
 * nothing.  0, or -EINVAL with the reason in err (may be NULL). */
int fault_configure(const char *spec, char *err, size_t errsize);
/* restart every fault's sequence from seed (fault.seed=, `fault seed`) */
void fault_seed(u64 seed);
u64 fault_get_seed(void);
/* a copy of fault id's state (for views and tests) */
void fault_get(enum fault_id id, struct fault_attr *out);

#endif
