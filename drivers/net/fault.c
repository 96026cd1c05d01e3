/* The fault attributes, their trials and their configuration
 * (drivers/net/fault.h).  No kernel services beyond interrupts off, so
 * the host unit tests run this file unchanged. */
#include "drivers/net/fault.h"
#include "kernel/errno.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_SEED_DEFAULT      0x6261726e65746661ULL   /* "barnetfa" */
#define FAULT_DD_DELAY_POLLS    4       /* polls a delayed DD bit stays unseen */
#define FAULT_EXHAUST_MS        200     /* how long RX descriptors are withheld */
#define FAULT_STOP_GAP_MS       20      /* how long a stop waits with the receiver off */
#define FAULT_PCT_PPM           10000u  /* 1 % in parts per million */
#define FAULT_LIST_MAX          256     /* a fault= value */
#define FAULT_FIELDS_MAX        4       /* name:prob:times:param */
#define FAULT_TIMES_MAX         0x7fffffffULL
#define FAULT_PARAM_MAX         0xffffffffULL

static const struct {
	const char *name;
	u32 param_default;
	const char *param_help;
} fault_info[FAULT_NR] = {
	[FAULT_RX_DROP] = { "rx_drop", 0, "" },
	[FAULT_RX_DUP] = { "rx_dup", 0, "" },
	[FAULT_RX_REORDER] = { "rx_reorder", 0, "" },
	[FAULT_RX_CORRUPT] = { "rx_corrupt", 0, "" },
	[FAULT_RX_EXHAUST] = { "rx_exhaust", FAULT_EXHAUST_MS, "ms without RX refill" },
	[FAULT_IRQ_LOST] = { "irq_lost", 0, "" },
	[FAULT_IRQ_SPURIOUS] = { "irq_spurious", 0, "" },
	[FAULT_DD_DELAY] = { "dd_delay", FAULT_DD_DELAY_POLLS, "polls the DD bit stays unseen" },
	[FAULT_TX_STALL] = { "tx_stall", 0, "" },
	[FAULT_RX_STOP_GAP] = { "rx_stop_gap", FAULT_STOP_GAP_MS, "ms a stop waits with the receiver off" },
};

u32 fault_armed;
static struct fault_attr faults[FAULT_NR];
/* guards faults[] (counts, times, the random sequences) and the seed: the
 * hooks from any context on any CPU (hard IRQ, softirq, thread), the shell
 * and the views (thread); irqsave.  One lock, so that a seed replays the
 * same sequence whichever CPU draws next */
static struct spinlock fault_lock = SPINLOCK_INIT("fault");
static u64 fault_seed_value = FAULT_SEED_DEFAULT;

/* splitmix64 (Steele, Lea, Flood 2014): turns the seed and the fault's
 * number into well-spread, non-zero starting states */
static u64 fault_mix(u64 x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x ? x : 1;
}

/* xorshift64* (Marsaglia 2003; Vigna 2016): state never 0; interrupts off */
static u64 fault_next(struct fault_attr *f)
{
	u64 x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void fault_update_armed(enum fault_id id)
{
	const struct fault_attr *f = &faults[id];
	u32 m = READ_ONCE(fault_armed) & ~BIT(id);

	if (f->prob_ppm && f->times)
		m |= BIT(id);
	WRITE_ONCE(fault_armed, m);
}

bool __fault_should_fail(enum fault_id id)
{
	struct fault_attr *f = &faults[id];
	unsigned long flags = spin_lock_irqsave(&fault_lock);
	bool fail = false;

	if (!f->times || !f->prob_ppm)
		goto out;
	f->calls++;
	if (f->interval > 1 && f->calls % f->interval)
		goto out;
	if (fault_next(f) % FAULT_PPM_MAX >= f->prob_ppm)
		goto out;
	fail = true;
	f->injected++;
	if (f->times > 0 && --f->times == 0)
		fault_update_armed(id);
out:
	spin_unlock_irqrestore(&fault_lock, flags);
	return fail;
}

u32 fault_random(enum fault_id id, u32 bound)
{
	unsigned long flags = spin_lock_irqsave(&fault_lock);
	u64 r = fault_next(&faults[id]);

	spin_unlock_irqrestore(&fault_lock, flags);
	return bound ? (u32)(r % bound) : 0;
}

u32 fault_param(enum fault_id id)
{
	u32 p = READ_ONCE(faults[id].param);

	return p ? p : fault_info[id].param_default;
}

const char *fault_name(enum fault_id id)
{
	return (unsigned int)id < FAULT_NR ? fault_info[id].name : NULL;
}

const char *fault_param_help(enum fault_id id)
{
	return (unsigned int)id < FAULT_NR ? fault_info[id].param_help : "";
}

int fault_lookup(const char *name)
{
	for (int i = 0; i < FAULT_NR; i++)
		if (!strcmp(fault_info[i].name, name))
			return i;
	return -ENOENT;
}

/* a whole decimal number up to max; -EINVAL otherwise */
static int fault_parse_uint(const char *s, const char *end, u64 max, u64 *out)
{
	u64 v = 0;

	if (s == end)
		return -EINVAL;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (u64)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int fault_parse_prob(const char *s, u32 *ppm)
{
	size_t n = strlen(s);
	u64 v;

	if (!strcmp(s, "off")) {
		*ppm = 0;
		return 0;
	}
	if (n > 3 && !strcmp(s + n - 3, "ppm")) {
		if (fault_parse_uint(s, s + n - 3, FAULT_PPM_MAX, &v))
			return -EINVAL;
		*ppm = (u32)v;
		return 0;
	}
	if (n > 1 && s[n - 1] == '%') {
		if (fault_parse_uint(s, s + n - 1, FAULT_PPM_MAX / FAULT_PCT_PPM, &v))
			return -EINVAL;
		*ppm = (u32)v * FAULT_PCT_PPM;
		return 0;
	}
	if (n > 2 && s[0] == '1' && s[1] == '/') {
		/* 1/n rounded to the nearest ppm, at least 1 ppm */
		if (fault_parse_uint(s + 2, s + n, FAULT_PPM_MAX, &v) || !v)
			return -EINVAL;
		*ppm = (u32)MAX((FAULT_PPM_MAX + v / 2) / v, 1u);
		return 0;
	}
	if (!strcmp(s, "0")) {
		*ppm = 0;
		return 0;
	}
	return -EINVAL;
}

/* restart the counters and the sequence of fault id; interrupts off */
static void fault_restart(enum fault_id id)
{
	struct fault_attr *f = &faults[id];

	f->calls = f->injected = 0;
	f->rng = fault_mix(fault_seed_value ^ ((u64)id << 56));
}

int fault_set(enum fault_id id, u32 prob_ppm, s64 times, u32 interval, u32 param)
{
	unsigned long flags;

	if ((unsigned int)id >= FAULT_NR || prob_ppm > FAULT_PPM_MAX || !interval ||
	    times < FAULT_TIMES_UNLIMITED)
		return -EINVAL;
	flags = spin_lock_irqsave(&fault_lock);
	faults[id].prob_ppm = prob_ppm;
	faults[id].times = times;
	faults[id].interval = interval;
	faults[id].param = param;
	fault_restart(id);
	fault_update_armed(id);
	spin_unlock_irqrestore(&fault_lock, flags);
	return 0;
}

void fault_off_all(void)
{
	unsigned long flags = spin_lock_irqsave(&fault_lock);

	for (int i = 0; i < FAULT_NR; i++)
		faults[i].prob_ppm = 0;
	WRITE_ONCE(fault_armed, 0);
	spin_unlock_irqrestore(&fault_lock, flags);
}

void fault_seed(u64 seed)
{
	unsigned long flags = spin_lock_irqsave(&fault_lock);

	fault_seed_value = seed;
	for (int i = 0; i < FAULT_NR; i++)
		fault_restart(i);
	spin_unlock_irqrestore(&fault_lock, flags);
}

u64 fault_get_seed(void)
{
	return READ_ONCE(fault_seed_value);
}

void fault_get(enum fault_id id, struct fault_attr *out)
{
	unsigned long flags = spin_lock_irqsave(&fault_lock);

	*out = faults[id];
	if (!out->param)
		out->param = fault_info[id].param_default;
	spin_unlock_irqrestore(&fault_lock, flags);
}

struct fault_req {
	int id;
	u32 ppm;
	s64 times;
	u32 param;
};

/* one "<name>:<prob>[:<times>[:<param>]]" item (NUL-terminated, writable) */
static int fault_parse_item(char *item, struct fault_req *rq, char *err, size_t errsize)
{
	char *field[FAULT_FIELDS_MAX] = { item };
	unsigned int nf = 1;
	u64 v;

	for (char *p = item; *p; p++) {
		if (*p != ':')
			continue;
		if (nf == FAULT_FIELDS_MAX) {
			snprintf(err, errsize, "'%s': too many ':' fields", item);
			return -EINVAL;
		}
		*p = '\0';
		field[nf++] = p + 1;
	}
	rq->id = fault_lookup(field[0]);
	if (rq->id < 0) {
		snprintf(err, errsize, "unknown fault '%s'", field[0]);
		return -EINVAL;
	}
	if (nf < 2 || fault_parse_prob(field[1], &rq->ppm)) {
		snprintf(err, errsize, "%s: probability '%s' is not <n>ppm, <n>%%, 1/<n> or off",
			 field[0], nf < 2 ? "" : field[1]);
		return -EINVAL;
	}
	rq->times = FAULT_TIMES_UNLIMITED;
	if (nf > 2) {
		if (fault_parse_uint(field[2], field[2] + strlen(field[2]), FAULT_TIMES_MAX, &v)) {
			snprintf(err, errsize, "%s: times '%s' is not a number", field[0], field[2]);
			return -EINVAL;
		}
		rq->times = (s64)v;
	}
	rq->param = 0;
	if (nf > 3) {
		if (fault_parse_uint(field[3], field[3] + strlen(field[3]), FAULT_PARAM_MAX, &v) || !v) {
			snprintf(err, errsize, "%s: param '%s' is not a positive number",
				 field[0], field[3]);
			return -EINVAL;
		}
		rq->param = (u32)v;
	}
	return 0;
}

int fault_configure(const char *spec, char *err, size_t errsize)
{
	char buf[FAULT_LIST_MAX], dummy[1];
	struct fault_req rq[FAULT_NR];
	unsigned int n = 0;
	char *item = buf;

	if (!err) {
		err = dummy;
		errsize = sizeof(dummy);
	}
	if (strlen(spec) >= sizeof(buf) || !*spec) {
		snprintf(err, errsize, "expected <name>:<prob>[:<times>[:<param>]],...");
		return -EINVAL;
	}
	memcpy(buf, spec, strlen(spec) + 1);
	/* everything parsed before anything changes */
	for (;;) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		if (n == FAULT_NR) {
			snprintf(err, errsize, "more than %d faults listed", FAULT_NR);
			return -EINVAL;
		}
		if (fault_parse_item(item, &rq[n], err, errsize))
			return -EINVAL;
		n++;
		if (!comma)
			break;
		item = comma + 1;
	}
	for (unsigned int i = 0; i < n; i++)
		fault_set(rq[i].id, rq[i].ppm, rq[i].times, 1, rq[i].param);
	return 0;
}
