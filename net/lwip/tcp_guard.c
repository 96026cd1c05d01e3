/* The give-up time for a connection whose data does not move.
 *
 * lwIP keeps a connection whose peer holds its window at zero for as long
 * as the peer answers the window probes (2.2.1 gives up only after
 * TCP_MAXRTX unanswered ones, persist_probe, which every segment from the
 * peer resets; 2.1.3 never).  Each
 * such connection pins its queued segments and their memory, and lwIP's
 * HTTP close (FIN queued after the data) leaves the PCB to lwIP with the
 * data still queued, so no service can time it out itself.  Linux gives up
 * on unanswered probes (tcp_retries2) and per socket with TCP_USER_TIMEOUT.
 *
 * Here a timer looks at every active PCB once a second: one with data
 * queued (unsent or unacknowledged) whose acknowledged sequence number
 * (lastack) has not moved for net.ipv4.tcp_stall_timeout seconds is reset
 * (tcp_abort: a RST to the peer, the error callback for its owner, its
 * segments freed).  The snapshot lives in the PCB's extension argument
 * (LWIP_TCP_PCB_NUM_EXT_ARGS): lastack in the low 32 bits, the time it was
 * taken (sys_now, ms, low bit forced to 1 so it is never 0) in the high;
 * 0 while nothing is queued.  A PCB that lwIP frees and reuses starts with
 * its extension arguments cleared.
 *
 * The same snapshot bounds orphans, as Linux's net.ipv4.tcp_orphan_retries
 * does: a connection its owner has closed (tcp_close sets TF_RXCLOSED)
 * whose FIN, or data before it, the peer does not acknowledge.  lwIP
 * retransmits those TCP_MAXRTX (12) times with its RTO shifted up to 7
 * places, which is many minutes, each holding a PCB: a service that closes
 * 256 connections of a peer that has gone (or never answers) kept the
 * whole pool that long.  Linux counts the retries in time (its RTO model,
 * 200 ms doubling up to 120 s) and resets the orphan after them; here the
 * same time, measured from the last ACK that moved lastack (or from the
 * guard's first look at the queued FIN). */
#include "net/lwip/tcp_guard.h"
#include "kernel/errno.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"

#define TCP_GUARD_INTERVAL_MS 1000
#define MSEC_PER_SEC          1000U
/* Linux's RTO model for tcp_orphan_retries (tcp_model_timeout) */
#define TCP_ORPHAN_RTO_MIN_MS   200U
#define TCP_ORPHAN_RTO_MAX_MS   120000U
#define TCP_ORPHAN_RETRIES_ZERO 8      /* what 0 means, as in Linux */

u64 tcp_stall_aborts;
u64 tcp_orphan_aborts;

static u8 ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;

/* ms for which pcb's queued data (a FIN included) has not been
 * acknowledged, as far as the guard has seen; 0 while nothing is queued */
static u32 tcp_guard_stalled_ms(struct tcp_pcb *pcb, u32 now)
{
	uintptr_t snap = (uintptr_t)tcp_ext_arg_get(pcb, ext_id);
	u32 since = (u32)(snap >> 32), una = (u32)snap;

	/* the stamps are odd (never 0): compare like with like, or a PCB
	 * stamped earlier in this same run (the walk restarts after each
	 * abort) would be (now | 1) - now = -1 ms old, i.e. for ever */
	now |= 1;

	if (!pcb->unsent && !pcb->unacked) {
		if (snap)
			tcp_ext_arg_set(pcb, ext_id, NULL);
		return 0;
	}
	if (!snap || una != pcb->lastack) {
		tcp_ext_arg_set(pcb, ext_id,
				(void *)(((uintptr_t)now << 32) | pcb->lastack));
		return 0;
	}
	return now - since;
}

/* closed by its owner, waiting for the peer to acknowledge our FIN */
static bool tcp_guard_orphan(const struct tcp_pcb *pcb)
{
	return (pcb->flags & TF_RXCLOSED) &&
	       (pcb->state == FIN_WAIT_1 || pcb->state == CLOSING || pcb->state == LAST_ACK);
}

/* the time Linux gives an orphan for `retries` retransmissions: its RTO
 * from 200 ms, doubled each time up to 120 s, summed */
static u32 tcp_orphan_timeout_ms(int retries)
{
	u32 rto = TCP_ORPHAN_RTO_MIN_MS, total = 0;

	if (retries <= 0)
		retries = TCP_ORPHAN_RETRIES_ZERO;
	for (int i = 0; i <= retries; i++) {
		total += rto;
		rto = MIN(rto * 2, TCP_ORPHAN_RTO_MAX_MS);
	}
	return total;
}

static void tcp_guard_timer(void *arg)
{
	int timeout = READ_ONCE(tcp_stall_timeout);
	u32 orphan_ms = tcp_orphan_timeout_ms(READ_ONCE(tcp_orphan_retries));
	u32 now = sys_now(), stalled;
	struct tcp_pcb *pcb;

	(void)arg;
restart:
	for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
		if (pcb->state == LISTEN || pcb->state == CLOSED || pcb->state == TIME_WAIT)
			continue;
		stalled = tcp_guard_stalled_ms(pcb, now);
		if (!stalled)
			continue;
		if (timeout > 0 && stalled >= (u32)timeout * MSEC_PER_SEC)
			tcp_stall_aborts++;
		else if (tcp_guard_orphan(pcb) && stalled >= orphan_ms)
			tcp_orphan_aborts++;
		else
			continue;
		/* the list changes under the abort (and its error callback):
		 * walk it again from the start */
		tcp_abort(pcb);
		goto restart;
	}
	sys_timeout(TCP_GUARD_INTERVAL_MS, tcp_guard_timer, NULL);
}

void tcp_guard_init(void)
{
	ext_id = tcp_ext_arg_alloc_id();
	sys_timeout(TCP_GUARD_INTERVAL_MS, tcp_guard_timer, NULL);
}

