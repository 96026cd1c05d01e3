/* The receive hand-off: a napi poll's batch for the CPU that holds the
 * lwIP core lock, instead of a spin for it.
 *
 * With RSS (or RPS) several CPUs receive at once, but all of them enter
 * lwIP under its one core lock (net/lwip/core_lock.h).  A CPU that found
 * the lock held used to spin until it was free; under QEMU's TCG the
 * spinning vCPU burns the host core the holder's vCPU and the NIC model
 * need (bench/scaling.py measured a quarter of the takes contended).  Now
 * it queues its batch here and goes back to its NIC queue: the holder
 * delivers the queue before it lets the lock go (net_core_unlock looks
 * after releasing, so a batch queued while it was releasing is not left
 * behind), and whoever takes the lock to deliver delivers the queue first,
 * so one CPU's frames reach lwIP in the order it received them.
 *
 * Ownership: the skbs are the queue's from rx_handoff_deliver_list until
 * a lock holder dequeues them, then lwIP's as any received frame.
 * Bounded: at most RX_HANDOFF_MAX frames wait; past that, and while a
 * releasing holder drains its RX_HANDOFF_ROUNDS-th queue, a CPU takes the
 * lock itself (spinning) as before. */
#ifndef NET_LWIP_RX_HANDOFF_H
#define NET_LWIP_RX_HANDOFF_H

#include "net/core/dev.h"
#include "net/core/skbuff.h"
#include "kernel/types.h"

/* frames that may wait for the lock holder */
#ifndef RX_HANDOFF_MAX
#define RX_HANDOFF_MAX 128
#endif
/* queues one release of the lock drains before it stops taking more */
#ifndef RX_HANDOFF_ROUNDS
#define RX_HANDOFF_ROUNDS 4
#endif

/* fn delivers one frame into lwIP with the core lock held (the glue's);
 * returns the one before (a self-test's handler stands in for a while) */
net_rx_handler_t rx_handoff_init(net_rx_handler_t fn);
/* The frames of list (emptied) into lwIP in order: under the core lock
 * if it is free, else queued for its holder.  Bottom halves off (a napi
 * poll). */
void rx_handoff_deliver_list(struct sk_buff_head *list);
/* With the core lock held: deliver what other CPUs queued.  close: no more
 * may be queued until rx_handoff_open(). */
void rx_handoff_drain(bool close);
/* queueing allowed again (the core lock held) */
void rx_handoff_open(void);
/* true if frames wait for a lock holder */
bool rx_handoff_pending(void);

/* batches and frames queued for a holder, and the times a CPU took the
 * lock itself because the queue was full or closed (/proc/barenet/metrics) */
u64 rx_handoff_batches(void);
u64 rx_handoff_frames(void);
u64 rx_handoff_refused(void);

#endif
