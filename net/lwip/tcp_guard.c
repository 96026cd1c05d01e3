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
 * its extension arguments cleared. */
#include "net/lwip/tcp_guard.h"
#include "kernel/errno.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/priv/tcp_priv.h"

#define TCP_GUARD_INTERVAL_MS 1000
#define MSEC_PER_SEC          1000U

u64 tcp_stall_aborts;

static u8 ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;

/* true when pcb's data has not moved for the stall timeout */
static bool tcp_guard_stalled(struct tcp_pcb *pcb, u32 now, u32 limit_ms)
{
	uintptr_t snap = (uintptr_t)tcp_ext_arg_get(pcb, ext_id);
	u32 since = (u32)(snap >> 32), una = (u32)snap;

	if (!pcb->unsent && !pcb->unacked) {
		if (snap)
			tcp_ext_arg_set(pcb, ext_id, NULL);
		return false;
	}
	if (!snap || una != pcb->lastack) {
		tcp_ext_arg_set(pcb, ext_id,
				(void *)(((uintptr_t)(now | 1) << 32) | pcb->lastack));
		return false;
	}
	return now - since >= limit_ms;
}

static void tcp_guard_timer(void *arg)
{
	int timeout = READ_ONCE(tcp_stall_timeout);
	u32 now = sys_now();
	struct tcp_pcb *pcb;

	(void)arg;
	if (timeout > 0) {
restart:
		for (pcb = tcp_active_pcbs; pcb; pcb = pcb->next) {
			if (pcb->state == LISTEN || pcb->state == CLOSED || pcb->state == TIME_WAIT)
				continue;
			if (tcp_guard_stalled(pcb, now, (u32)timeout * MSEC_PER_SEC)) {
				tcp_stall_aborts++;
				/* the list changes under the abort (and its error
				 * callback): walk it again from the start */
				tcp_abort(pcb);
				goto restart;
			}
		}
	}
	sys_timeout(TCP_GUARD_INTERVAL_MS, tcp_guard_timer, NULL);
}

void tcp_guard_init(void)
{
	ext_id = tcp_ext_arg_alloc_id();
	sys_timeout(TCP_GUARD_INTERVAL_MS, tcp_guard_timer, NULL);
}

