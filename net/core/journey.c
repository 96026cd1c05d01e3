/* Frame journey timing: the sampler, the in-flight records, the ring of
 * completed ones.  How a record follows its frame is in net/core/journey.h;
 * the percentile table and the CSV are in net/core/journey_report.c. */
#include "net/core/journey.h"
#include "net/core/journey_internal.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/x86.h"
#include <stdlib.h>
#include <string.h>

/* looped packets whose records wait for IP input (lwIP's loop queue may
 * hold more; past this many sampled ones the oldest completes without its
 * receive stages) */
#define JOURNEY_LOOPQ      64
/* token layout: slot + 1 in the low byte, the record id above it, so a
 * token that outlived its record (trace reset) matches nothing */
#define JOURNEY_TOKEN_SLOT_BITS 8
#define JOURNEY_TOKEN_SLOT_MASK 0xffu

_Static_assert(JOURNEY_INFLIGHT < JOURNEY_TOKEN_SLOT_MASK, "slot must fit the token's low byte");

bool journey_on;
/* under journey_lock (below), read unlocked by the fast paths' checks */
static u32 sample_every;                /* N of "1 in N"; 0 = off */
static u32 countdown;                   /* frames until the next sample */

/* The pre-skb stamps, per CPU, by what they belong to rather than by age:
 *  - RX_IRQ: the interrupt that last scheduled the NAPI poll (napi=off:
 *    the interrupt being served).  A NAPI run it started may take many
 *    frames in one poll (an echo's reply can bring the next request while
 *    the poll still runs) and go on in later polls that no interrupt
 *    started (budget used up, work found after unmasking): every frame of
 *    the run counts from it, however long the run lasts;
 *  - RX_NAPI: the start of the poll running now; a new interrupt clears
 *    it, so a frame taken in the hard IRQ (napi=off) has no NAPI stage;
 *  - RX_DRIVER: the descriptor of the frame being built, cleared once
 *    taken. */
struct journey_cpu {
	u64 pend[JOURNEY_STAGES];       /* pre-skb stamps (RX_IRQ, RX_NAPI, RX_DRIVER) */
	struct journey_rec *rx;         /* current receive record (inside the stack) */
	struct journey_rec *tx;         /* current transmit record (app send -> glue) */
	struct journey_rec *xmit;       /* record inside ndo_start_xmit */
	bool xmit_token;                /* the driver took its token */
};

/* guards the journey records' rings and sampling state; hard IRQ (driver
 * marks), softirq and thread, irqsave */
static struct spinlock journey_lock = SPINLOCK_INIT("journey");
/* per CPU: written only by its CPU (the stage marks run there), the
 * records it points to under journey_lock */
static struct journey_cpu cpus[NR_CPUS];
static struct journey_rec slots[JOURNEY_INFLIGHT];
static struct {
	const void *key;
	struct journey_rec *r;
} loopq[JOURNEY_LOOPQ];
struct journey_rec journey_ring[JOURNEY_RING];
u64 journey_ring_head;                  /* records ever completed */
static struct journey_counts counts;
static u64 next_id;

static struct journey_cpu *this_cpu(void)
{
	return &cpus[smp_processor_id()];
}

static const char *const stage_names[JOURNEY_STAGES] = {
	[JOURNEY_TX_APP] = "tx_app",
	[JOURNEY_TX_QUEUE] = "tx_queue",
	[JOURNEY_TX_XMIT] = "tx_xmit",
	[JOURNEY_TX_TAIL] = "tx_tail",
	[JOURNEY_TX_DONE] = "tx_done",
	[JOURNEY_RX_IRQ] = "rx_irq",
	[JOURNEY_RX_NAPI] = "rx_napi",
	[JOURNEY_RX_DRIVER] = "rx_driver",
	[JOURNEY_RX_SKB] = "rx_skb",
	[JOURNEY_RX_NETIF] = "rx_netif",
	[JOURNEY_RX_IP] = "rx_ip",
	[JOURNEY_RX_L4] = "rx_l4",
	[JOURNEY_RX_APP] = "rx_app",
	[JOURNEY_RX_SOCKQ] = "rx_sockq",
	[JOURNEY_RX_READ] = "rx_read",
};

const char *journey_stage_name(enum journey_stage st)
{
	return (unsigned int)st < JOURNEY_STAGES ? stage_names[st] : "?";
}

int journey_set_sample(u32 n)
{
	if (n > JOURNEY_SAMPLE_MAX)
		return -EINVAL;
	WRITE_ONCE(sample_every, n);
	WRITE_ONCE(countdown, n);
	WRITE_ONCE(journey_on, n != 0);
	return 0;
}

u32 journey_sample(void)
{
	return READ_ONCE(sample_every);
}

static int set_trace_sample(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 0 || n > JOURNEY_SAMPLE_MAX)
		return -EINVAL;
	return journey_set_sample((u32)n);
}
CMDLINE_OPT("trace.sample", set_trace_sample,
	    "frame journey timing: sample 1 frame in N (0 = off, the default; N <= 1000000)");

/* a record for the next frame if it is the sampled one; interrupts off
 * or not, any context */
static struct journey_rec *rec_sample(u8 kind)
{
	struct journey_rec *r = NULL;
	unsigned long flags = spin_lock_irqsave(&journey_lock);

	counts.frames++;
	if (sample_every && --countdown == 0) {
		countdown = sample_every;
		for (unsigned int i = 0; i < JOURNEY_INFLIGHT && !r; i++)
			if (!slots[i].busy)
				r = &slots[i];
		if (r) {
			memset(r, 0, sizeof(*r));
			r->busy = 1;
			r->kind = kind;
			r->id = ++next_id;
			counts.sampled++;
		} else {
			counts.no_slot++;
		}
	}
	spin_unlock_irqrestore(&journey_lock, flags);
	return r;
}

/* r is done: into the ring, slot free */
static void rec_complete(struct journey_rec *r)
{
	unsigned long flags = spin_lock_irqsave(&journey_lock);

	if (r->busy) {
		journey_ring[journey_ring_head % JOURNEY_RING] = *r;
		journey_ring_head++;
		counts.completed++;
		r->busy = 0;
	}
	spin_unlock_irqrestore(&journey_lock, flags);
}

static void stamp(struct journey_rec *r, enum journey_stage st)
{
	if (r && !r->t[st])
		r->t[st] = rdtsc();
}

void __journey_mark_cpu(enum journey_stage st)
{
	struct journey_cpu *c = this_cpu();

	if (st == JOURNEY_TX_TAIL || st == JOURNEY_TX_DONE) {
		stamp(c->xmit, st);
		return;
	}
	if ((unsigned int)st >= JOURNEY_STAGES)
		return;
	/* a new interrupt ends the poll before it: its stamp is no longer
	 * the one a frame is taken in */
	if (st == JOURNEY_RX_IRQ)
		c->pend[JOURNEY_RX_NAPI] = 0;
	c->pend[st] = rdtsc();
}

void __journey_rx_skb(struct sk_buff *skb)
{
	struct journey_cpu *c = this_cpu();
	struct journey_rec *r;
	u64 now;

	if (skb->journey || !(r = rec_sample(JOURNEY_KIND_RX)))
		return;
	now = rdtsc();
	for (int st = JOURNEY_RX_IRQ; st <= JOURNEY_RX_DRIVER; st++)
		if (c->pend[st] && c->pend[st] <= now)
			r->t[st] = c->pend[st];
	/* the descriptor stamp is per frame */
	c->pend[JOURNEY_RX_DRIVER] = 0;
	r->t[JOURNEY_RX_SKB] = now;
	r->len = (u16)skb->len;
	skb->journey = r;
}

void __journey_mark(struct sk_buff *skb, enum journey_stage st)
{
	stamp(skb->journey, st);
}

struct journey_rec *__journey_rx_begin(struct sk_buff *skb)
{
	struct journey_cpu *c = this_cpu();
	struct journey_rec *r = skb->journey;

	if (!r)
		return NULL;
	skb->journey = NULL;
	stamp(r, JOURNEY_RX_NETIF);
	if (c->rx && c->rx != r)
		rec_complete(c->rx);
	c->rx = r;
	return r;
}

void __journey_rx_end(struct journey_rec *r)
{
	struct journey_cpu *c = this_cpu();

	u8 in_stack = JOURNEY_KEPT_IN_STACK;

	if (c->rx == r)
		c->rx = NULL;
	/* kept by a socket whose reader has not had it: the reader completes
	 * it (journey_rx_done); else (not kept, or read already) now */
	if (__atomic_compare_exchange_n(&r->kept, &in_stack, JOURNEY_KEPT_QUEUED, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	rec_complete(r);
}

struct journey_rec *__journey_rx_keep(enum journey_stage st)
{
	struct journey_rec *r = this_cpu()->rx;

	if (!r || r->kept)
		return NULL;            /* one socket keeps it (a chain's first) */
	stamp(r, st);
	WRITE_ONCE(r->kept, JOURNEY_KEPT_IN_STACK);
	return r;
}

void __journey_rx_done(struct journey_rec *r, enum journey_stage st)
{
	if ((unsigned int)st < JOURNEY_STAGES)
		stamp(r, st);
	/* the stack still on the frame (a reader on another CPU was
	 * quicker): its journey_rx_end completes the record */
	if (__atomic_exchange_n(&r->kept, 0, __ATOMIC_ACQ_REL) == JOURNEY_KEPT_QUEUED)
		rec_complete(r);
}

void __journey_mark_rx(enum journey_stage st)
{
	stamp(this_cpu()->rx, st);
}

bool journey_rx_current(void)
{
	return READ_ONCE(journey_on) && this_cpu()->rx;
}

void __journey_tx_app(void)
{
	struct journey_cpu *c = this_cpu();
	struct journey_rec *r = rec_sample(JOURNEY_KIND_TX);

	if (!r)
		return;
	/* a record no frame took (the send queued nothing): it measured
	 * nothing, give the slot back */
	if (c->tx) {
		unsigned long flags = spin_lock_irqsave(&journey_lock);

		c->tx->busy = 0;
		spin_unlock_irqrestore(&journey_lock, flags);
	}
	r->t[JOURNEY_TX_APP] = rdtsc();
	c->tx = r;
}

void __journey_tx_skb(struct sk_buff *skb)
{
	struct journey_cpu *c = this_cpu();

	if (!c->tx || skb->journey)
		return;
	skb->journey = c->tx;
	skb->journey->len = (u16)skb->len;
	c->tx = NULL;
}

void __journey_xmit_begin(struct sk_buff *skb)
{
	struct journey_cpu *c = this_cpu();

	if (!skb->journey)
		return;
	stamp(skb->journey, JOURNEY_TX_XMIT);
	c->xmit = skb->journey;
	c->xmit_token = false;
}

void __journey_xmit_end(struct sk_buff *skb, int rc)
{
	struct journey_cpu *c = this_cpu();
	struct journey_rec *r = c->xmit;

	c->xmit = NULL;
	if (!r || r != skb->journey || rc == -EBUSY)
		return;         /* requeued: the record stays with the frame */
	skb->journey = NULL;
	if (!c->xmit_token)
		rec_complete(r);
}

u32 __journey_tx_token(void)
{
	struct journey_cpu *c = this_cpu();
	struct journey_rec *r = c->xmit;

	if (!r)
		return 0;
	c->xmit_token = true;
	return (u32)(r->id << JOURNEY_TOKEN_SLOT_BITS) | (u32)(r - slots + 1);
}

/* the record a driver's token names, while it is still that one's */
static struct journey_rec *rec_of_token(u32 token)
{
	unsigned int slot = (token & JOURNEY_TOKEN_SLOT_MASK) - 1;
	struct journey_rec *r;

	if (slot >= JOURNEY_INFLIGHT)
		return NULL;
	r = &slots[slot];
	if (!READ_ONCE(r->busy) || (u32)(r->id << JOURNEY_TOKEN_SLOT_BITS) !=
	    (token & ~JOURNEY_TOKEN_SLOT_MASK))
		return NULL;
	return r;
}

void __journey_tx_done(u32 token)
{
	struct journey_rec *r = rec_of_token(token);

	if (!r)
		return;
	stamp(r, JOURNEY_TX_DONE);
	rec_complete(r);
}

void __journey_tx_tail(u32 token)
{
	stamp(rec_of_token(token), JOURNEY_TX_TAIL);
}

void __journey_skb_release(struct sk_buff *skb)
{
	struct journey_rec *r = skb->journey;

	skb->journey = NULL;
	rec_complete(r);
}

void journey_loop_out(const void *key, u32 len)
{
	struct journey_cpu *c = this_cpu();
	struct journey_rec *r = c->tx, *old = NULL;
	unsigned int i;

	if (!READ_ONCE(journey_on) || !r)
		return;
	c->tx = NULL;
	r->kind = JOURNEY_KIND_LOOP;
	r->len = (u16)len;
	stamp(r, JOURNEY_TX_XMIT);
	/* a free entry, or the oldest (a packet lwIP dropped from its loop
	 * queue never comes to IP input: its record completes here) */
	for (i = 0; i < JOURNEY_LOOPQ; i++)
		if (!loopq[i].r || loopq[i].key == key)
			break;
	if (i == JOURNEY_LOOPQ) {
		i = 0;
		for (unsigned int k = 1; k < JOURNEY_LOOPQ; k++)
			if (loopq[k].r->id < loopq[i].r->id)
				i = k;
	}
	old = loopq[i].r;
	loopq[i].key = key;
	loopq[i].r = r;
	if (old)
		rec_complete(old);
}

struct journey_rec *journey_loop_in(const void *key)
{
	struct journey_cpu *c = this_cpu();

	if (!READ_ONCE(journey_on) || c->rx)
		return NULL;
	for (unsigned int i = 0; i < JOURNEY_LOOPQ; i++) {
		if (loopq[i].r && loopq[i].key == key) {
			struct journey_rec *r = loopq[i].r;

			loopq[i].r = NULL;
			loopq[i].key = NULL;
			c->rx = r;
			return r;
		}
	}
	return NULL;
}

void journey_reset(void)
{
	unsigned long flags = spin_lock_irqsave(&journey_lock);

	/* in-flight records are forgotten: their tokens no longer match; the
	 * pre-skb stamps stay (no record: the NAPI run going on now is still
	 * the one its interrupt started) */
	for (unsigned int i = 0; i < JOURNEY_INFLIGHT; i++)
		slots[i].busy = 0;
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		cpus[i].rx = cpus[i].tx = cpus[i].xmit = NULL;
		cpus[i].xmit_token = false;
	}
	memset(loopq, 0, sizeof(loopq));
	journey_ring_head = 0;
	counts = (struct journey_counts){ 0 };
	spin_unlock_irqrestore(&journey_lock, flags);
}

void journey_get_counts(struct journey_counts *out)
{
	unsigned long flags = spin_lock_irqsave(&journey_lock);

	*out = counts;
	spin_unlock_irqrestore(&journey_lock, flags);
}

int journey_ring_copy(struct journey_rec *out, unsigned int max)
{
	unsigned long flags = spin_lock_irqsave(&journey_lock);
	u64 head = journey_ring_head;
	u64 n = head < JOURNEY_RING ? head : JOURNEY_RING;

	if (n > max)
		n = max;
	for (u64 i = 0; i < n; i++)
		out[i] = journey_ring[(head - n + i) % JOURNEY_RING];
	spin_unlock_irqrestore(&journey_lock, flags);
	return (int)n;
}
