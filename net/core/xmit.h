/* Transmit: dev_queue_xmit() and a FIFO queueing discipline per device
 * (Linux's pfifo with txqueuelen packets), with backpressure from the ring.
 *
 * The journey of an outgoing frame: lwIP's linkoutput makes an sk_buff over
 * the pbuf (skb_from_pbuf) and calls dev_queue_xmit(), which appends it to
 * the device's qdisc and runs the qdisc: frames go to ndo_start_xmit() in
 * order until the qdisc is empty or the driver says -EBUSY (ring full).
 * Then the frame at the head stays queued (a requeue) and waits for
 *  - netif_tx_wake(dev), which a driver calls when TX completions freed
 *    descriptors (Linux's netif_wake_queue): the NET_TX softirq runs the
 *    qdisc again;
 *  - the next dev_queue_xmit() to that device;
 *  - the TIMER softirq, which kicks every qdisc that still has a backlog
 *    (for drivers that never call netif_tx_wake).
 * When the qdisc already holds txqueuelen frames, dev_queue_xmit() drops
 * the new one and returns -ENOBUFS: lwIP's linkoutput turns that into
 * ERR_MEM (TCP retransmits later), and it is counted in tx_dropped.
 * Nothing is lost silently and nothing busy-waits.
 *
 * Ownership: dev_queue_xmit() consumes the skb in every case.  A frame the
 * driver accepted is the driver's (ndo_start_xmit returned 0): it points
 * its TX descriptors at the skb's data and frees the skb at completion, so
 * lwIP's pbuf stays referenced (and TCP does not rewrite it:
 * tcp_output_segment_busy) until the device has read it.
 *
 * Locking: each qdisc has a spinlock taken with bottom halves disabled; one
 * runner at a time sends from a qdisc (Linux's __QDISC_STATE_RUNNING), and
 * the lock is not held across ndo_start_xmit().  dev_queue_xmit() may be
 * called with the lwIP core lock held (core lock, then qdisc lock). */
#ifndef NET_CORE_XMIT_H
#define NET_CORE_XMIT_H

#include "kernel/types.h"
#include "net/core/skbuff.h"

struct net_device;

/* Linux's default txqueuelen */
#define DEFAULT_TX_QUEUE_LEN 1000
#define TX_QUEUE_LEN_MAX     100000
/* frames one qdisc run sends before it yields to other work (Linux's
 * net.core.dev_weight for the TX side, dev_tx_weight) */
#define DEV_TX_WEIGHT        64
/* devices with a qdisc at once (NETDEV_MAX NICs plus test devices) */
#define QDISC_MAX            12

/* the counters of one qdisc (tc -s qdisc show) */
struct qdisc_stats {
	u64 enqueued;      /* frames accepted into the queue */
	u64 packets;       /* frames the driver accepted (Sent ... pkt) */
	u64 bytes;         /* their bytes */
	u64 drops;         /* refused: queue full (txqueuelen) */
	u64 requeues;      /* frames put back at the head after -EBUSY */
	u64 busy;          /* -EBUSY answers from ndo_start_xmit */
	u64 xmit_errors;   /* other errors from ndo_start_xmit: frame dropped */
	u64 down_drops;    /* refused: device not up */
	u64 tx_dropped;    /* drops + xmit_errors + down_drops */
	u64 runs;          /* qdisc runs that sent or tried to send */
	u64 wakes;         /* netif_tx_wake() calls that found a backlog */
	u32 backlog;       /* frames waiting now */
	u32 backlog_bytes;
	u32 backlog_max;   /* the most frames ever waiting */
	u32 limit;         /* txqueuelen */
};

/* Give dev a qdisc of txqueuelen frames (the default, or the txqueuelen=
 * option).  0, -EEXIST, or -ENOSPC when QDISC_MAX devices have one. */
int dev_qdisc_attach(struct net_device *dev);
/* Drop what is queued (counted as QDISC_DROP) and free dev's qdisc. */
void dev_qdisc_detach(struct net_device *dev);
/* Set dev's queue length (1..TX_QUEUE_LEN_MAX); frames already queued past
 * a smaller limit stay queued.  0, -EINVAL or -ENODEV. */
int dev_set_txqueuelen(struct net_device *dev, u32 len);

/* Queue skb (skb->dev set, frame from the Ethernet header, linear or not) for
 * transmission and start sending; consumes skb.  0 when queued or sent;
 * -ENOBUFS when the qdisc is full; -ENETDOWN when the device is not up;
 * -ENODEV when it has no qdisc; -EINVAL for an empty frame. */
int dev_queue_xmit(struct sk_buff *skb);

/* Deferred tails (Linux's xmit_more, carried across system calls).  A
 * thread that sends a datagram while more of its socket's input is
 * already queued will be back with the next send at once (an echo or
 * request/response loop working through a backlog): writing the NIC's
 * TX tail for each frame costs a register write (under an emulator, the
 * device's whole transmit path, synchronously) and a TX interrupt each.
 * Between dev_xmit_defer_begin(true) and dev_xmit_defer_end() the qdisc
 * passes NETDEV_TX_MORE; a driver that leaves its tail unwritten calls
 * netdev_tx_deferred(), and dev_xmit_flush_deferred() writes it.  The
 * tails are flushed
 *  - when the sending thread is about to sleep (a socket wait) or makes
 *    any system call other than a socket send or receive;
 *  - at the end of the driver's next poll on any CPU (which writes a
 *    pending tail anyway);
 *  - by the NET_TX softirq the next tick raises (a thread that went back
 *    to computing: at most a tick late);
 *  - after XMIT_DEFER_FRAMES_MAX frames in a row (the next send writes).
 * Per CPU: the sender's bottom halves are off between begin and end.
 * Writing sooner costs more than it overlaps.  The socket echo
 * (tests/apps/sockbench.c; bench/sockab.py, 1 CPU, e1000, 64 B x8, the
 * policy switched at boot, 2 boots x 2 rounds each, host load 3-5), in
 * QEMU CPU ms and guest interrupts per 1000 replies: as here 37-50 and
 * 137-175; a tail per send (Linux: xmit_more only inside a qdisc batch)
 * 53-59 and 236-288; after 2 deferred frames 46-64 and 189-252, after 4
 * 35-57 and 143-208 (no better than as here); only
 * while more than 3 datagrams wait 44-59 and 159-218.  The guest outruns
 * the host's client under each, and the reader sleeps once per batch
 * (about 0.2 context switches per request). */
#ifndef XMIT_DEFER_FRAMES_MAX
#define XMIT_DEFER_FRAMES_MAX 16
#endif
/* for drivers: dev's tail was left for dev_xmit_flush_deferred()
 * (interrupts off); false when this CPU cannot hold another device's
 * (then the driver writes its tail now) */
bool netdev_tx_deferred(struct net_device *dev);
/* dev_xmit_deferred_pending() as a function (the tick's tick_net_tx_due) */
bool dev_xmit_deferred_due(void);
/* write every tail this CPU deferred (thread or softirq context) */
void dev_xmit_flush_deferred(void);

/* For drivers: the TX ring has room again.  Any context, hard IRQ too:
 * it only schedules the NET_TX softirq when frames are waiting. */
void netif_tx_wake(struct net_device *dev);

/* Schedule NET_TX for every qdisc with a backlog (the TIMER softirq's
 * safety net for drivers that never call netif_tx_wake). */
void dev_qdisc_kick_all(void);

/* Run the qdiscs scheduled on this CPU: called by net_tx_action(). */
void net_tx_run_queues(void);

/* Copy dev's counters; 0 or -ENODEV. */
int dev_qdisc_stats(struct net_device *dev, struct qdisc_stats *out);
/* "qdisc pfifo 0: dev eth0 root limit 1000p\n Sent ..." (tc -s layout);
 * returns the length needed, as snprintf. */
int dev_qdisc_show(struct net_device *dev, char *buf, size_t size);

/* the txqueuelen new qdiscs get (cmdline txqueuelen=) */
extern u32 default_txqueuelen;

/* The deferred tails' per-send steps, inline: a socket send and the
 * driver's transmit ask them once or twice per datagram each (this CPU's
 * softnet_data, net/core/dev.h) */
#include "net/core/dev.h"

/* the sends up to dev_xmit_defer_end() may leave the tail when more is
 * true and fewer than XMIT_DEFER_FRAMES_MAX frames wait already (bottom
 * halves off) */
static inline void dev_xmit_defer_begin(bool more)
{
	struct softnet_data *sd = softnet_data_this_cpu();

	sd->xmit_defer = more && sd->xmit_deferred_frames < XMIT_DEFER_FRAMES_MAX;
}

static inline void dev_xmit_defer_end(void)
{
	softnet_data_this_cpu()->xmit_defer = false;
}

/* for drivers: this CPU's sender allows a deferred tail */
static inline bool netdev_xmit_defer_ok(void)
{
	return softnet_data_this_cpu()->xmit_defer;
}

/* true when this CPU holds a deferred tail (a racy, cheap look) */
static inline bool dev_xmit_deferred_pending(void)
{
	return READ_ONCE(softnet_data_this_cpu()->xmit_deferred_n) != 0;
}

#endif
