/* NAPI: interrupt mitigation for receive.  The hard IRQ handler masks the
 * device's interrupts and calls napi_schedule(); the NET_RX softirq then
 * calls the driver's poll(napi, budget) until the ring is drained, and only
 * then are interrupts unmasked again.
 *
 * The driver's poll contract (the lost-wakeup race):
 *
 *   int my_poll(struct napi_struct *napi, int budget)
 *   {
 *       int done = clean_rx_ring(priv, budget);   // at most budget frames
 *       if (done == budget)
 *           return budget;           // more work: stay scheduled, IRQs masked;
 *                                    // do NOT call napi_complete_done()
 *       if (napi_complete_done(napi, done)) {
 *           unmask_irqs(priv);
 *           // A frame that landed after clean_rx_ring() looked but before the
 *           // unmask raised no interrupt we will see: look once more.
 *           if (rx_ring_has_work(priv) && napi_schedule_prep(napi)) {
 *               mask_irqs(priv);
 *               __napi_schedule(napi);
 *           }
 *       }
 *       return done;
 *   }
 *
 * napi_complete_done() returns false when an interrupt tried to schedule the
 * napi while poll ran (NAPI_STATE_MISSED): the napi then stays scheduled and
 * will be polled again, and the driver must leave interrupts masked.
 *
 * A napi starts disabled (scheduled, like Linux): call napi_enable() once
 * the rings are ready.  With napi=off on the command line (napi_enabled ==
 * false) drivers should instead receive one frame per interrupt and pass it
 * to netif_rx(). */
#ifndef NET_CORE_NAPI_H
#define NET_CORE_NAPI_H

#include "kernel/list.h"
#include "kernel/types.h"
#include "net/core/gro.h"

struct net_device;

/* napi_struct.state bits (Linux names) */
enum {
	NAPI_STATE_SCHED,     /* on a poll list or being polled */
	NAPI_STATE_MISSED,    /* scheduled again while being polled */
	NAPI_STATE_DISABLE,   /* napi_disable() in progress */
	NAPI_STATE_IN_BUSY_POLL, /* a thread's busy poll owns it (napi_busy_loop) */
};
#define NAPIF_STATE_SCHED   (1UL << NAPI_STATE_SCHED)
#define NAPIF_STATE_MISSED  (1UL << NAPI_STATE_MISSED)
#define NAPIF_STATE_DISABLE (1UL << NAPI_STATE_DISABLE)
#define NAPIF_STATE_IN_BUSY_POLL (1UL << NAPI_STATE_IN_BUSY_POLL)

struct napi_struct {
	struct list_head poll_list;   /* on softnet_data.poll_list while scheduled */
	unsigned long state;          /* NAPIF_STATE_* */
	int weight;                   /* most frames per poll call */
	int (*poll)(struct napi_struct *napi, int budget);
	struct net_device *dev;
	/* Linux's napi_id: what a socket records of the napi its input came
	 * through (napi_busy_loop); 0 for a napi without a device */
	unsigned int napi_id;
	/* counters */
	u64 polls;                    /* poll calls */
	u64 rx_work;                  /* sum of what poll returned */
	u64 completions;              /* napi_complete_done() that allowed an unmask */
	u64 missed;                   /* schedules that found it already scheduled */
	struct napi_gro gro;          /* the flow GRO holds (net/core/gro.h); only its poll touches it */
};

/* Attach napi to dev with poll and weight dev_weight (the tunable
 * net.core.dev_weight, default 64); the napi starts disabled. */
void netif_napi_add(struct net_device *dev, struct napi_struct *napi,
		    int (*poll)(struct napi_struct *, int));
void netif_napi_add_weight(struct net_device *dev, struct napi_struct *napi,
			   int (*poll)(struct napi_struct *, int), int weight);
/* Detach a disabled napi. */
void netif_napi_del(struct napi_struct *napi);
/* free_netdev's: the ids of dev's napis are forgotten (those its driver
 * did not netif_napi_del, e.g. on a probe's error path) */
void netif_napi_forget_dev(const struct net_device *dev);

/* Allow scheduling (after netif_napi_add or napi_disable). */
void napi_enable(struct napi_struct *napi);
/* Stop scheduling and wait until a running poll has finished; process
 * context only (it runs pending softirqs while it waits). */
void napi_disable(struct napi_struct *napi);

/* Claim the napi for scheduling: true if the caller must now call
 * __napi_schedule(); false if it was already scheduled (MISSED is then
 * recorded) or is disabled.  Safe in hard IRQ context. */
bool napi_schedule_prep(struct napi_struct *napi);
/* Put a claimed napi on this CPU's poll list and raise NET_RX.  IRQ-safe. */
void __napi_schedule(struct napi_struct *napi);
/* napi_schedule_prep() + __napi_schedule(); returns true if it scheduled */
bool napi_schedule(struct napi_struct *napi);

/* Called by poll when it did less than its budget; sends up what GRO
 * holds first (napi_gro_flush).  Returns true if the
 * napi is now idle and the driver may unmask its interrupts (then re-check
 * the ring: see above); false if it stays scheduled (keep them masked),
 * which it also does while a busy poll owns it. */
bool napi_complete_done(struct napi_struct *napi, int work_done);
static inline bool napi_complete(struct napi_struct *napi)
{
	return napi_complete_done(napi, 0);
}

static inline bool napi_is_scheduled(const struct napi_struct *napi)
{
	return READ_ONCE(napi->state) & NAPIF_STATE_SCHED;
}

/* Busy polling (Linux's napi_busy_loop, net.core.busy_read and
 * SO_BUSY_POLL): a thread about to sleep for input polls the napi its
 * socket's last input came through, itself, until loop_end(arg) says
 * the input is there, usecs pass, or the napi is gone.  It owns the napi
 * meanwhile (NAPI_STATE_SCHED, plus IN_BUSY_POLL so the driver's
 * napi_complete_done keeps it and leaves its interrupt masked once an
 * interrupt masked it), preemption off; one more poll completes it the
 * ordinary way, which unmasks.  When another thread wants the CPU the
 * loop gives the napi back so, lets that thread run and polls on
 * (Linux's need_resched branch), so a thread waking now and then (the
 * console shell's look at its input) does not end it.  A napi an
 * interrupt has scheduled is left to NET_RX, which runs between polls:
 * the calls to poll are made with bottom halves off, as NET_RX makes
 * them, and pending softirqs run after each.  Thread context, no lock
 * held.  Returns true when loop_end said so. */
bool napi_busy_loop(unsigned int napi_id, bool (*loop_end)(void *arg), void *arg,
		    unsigned int usecs);
/* the frames busy polls took, all CPUs (Linux's BusyPollRxPackets) */
extern u64 napi_busy_rx_packets;
/* What the busy loops did, all CPUs (relaxed atomic adds), shown in
 * /sys/kernel/debug/busy_poll: Linux counts only the frames, which
 * cannot say why a loop took none.  Each loop ends one way. */
struct napi_busy_debug {
	u64 loops;            /* napi_busy_loop calls with an id */
	u64 end_input;        /* loop_end said so (input queued, a signal) */
	u64 end_time;         /* usecs passed */
	u64 end_gone;         /* no napi with that id */
	u64 never_owned;      /* loops that never owned the napi (NET_RX had it) */
	u64 claims_missed;    /* looks that found the napi scheduled */
	u64 polls;            /* poll calls of the loops, the closing one not */
	u64 stop_frames;      /* frames the closing ordinary polls took */
	u64 yields;           /* CPU given to another runnable thread, napi too */
	/* blocking socket reads with busy polling on that did not loop */
	u64 read_queued;      /* input was queued at the first look */
	u64 read_no_napi;     /* the socket had no napi id yet */
};
extern struct napi_busy_debug napi_busy_debug;

/* false with napi=off on the command line: drivers use netif_rx() per IRQ */
extern bool napi_enabled;
/* Called after every napi poll on this CPU (softnet_data.in_napi_poll
 * false again), NULL for none: the lwIP glue sends the TCP segments the
 * poll's frames made lwIP send, as one TSO send (net/lwip/tso.h). */
extern void (*napi_poll_done_hook)(void);

#endif
