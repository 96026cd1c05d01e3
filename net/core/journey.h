/* Frame journey timing: sampled per-frame TSC stamps at each stage of the
 * receive and transmit paths, kept in a ring of completed records that the
 * shell's `trace` (percentiles per stage) and /proc/barenet/trace.csv
 * (raw records, also GET /trace.csv) read.
 *
 * Off by default (trace.sample=0): every hook is then one predictable
 * branch on journey_on.  trace.sample=N (cmdline or `trace sample N`)
 * samples one frame in N: it gets a record that travels with it.
 *
 * How a record follows its frame:
 *  - before the skb exists (hard IRQ, NAPI poll, descriptor seen) a driver
 *    stamps this CPU: journey_mark_cpu(JOURNEY_RX_IRQ) etc.; the record
 *    made when the skb is built (journey_rx_skb) takes those stamps.
 *    rx_irq is the interrupt that started the NAPI run the frame was
 *    taken in, also for frames of later polls of that run that no
 *    interrupt started; rx_napi the poll that took it;
 *  - with the skb (skb->journey) through the backlog and the qdisc;
 *  - inside lwIP (synchronous from netif_receive_skb or the loopback poll
 *    to the application callback) as this CPU's current receive record,
 *    which journey_mark_rx() stamps;
 *  - from an application's send to the first frame that reaches the device
 *    glue (or the loopback) as this CPU's current transmit record;
 *  - across a NIC's TX ring as a token the driver keeps with the
 *    descriptor: journey_tx_token() in ndo_start_xmit, journey_tx_done() at
 *    completion.
 * A frame dropped on the way completes its record with the stages it
 * reached.
 *
 * The driver's part is four calls:
 *     journey_mark_cpu(JOURNEY_RX_IRQ);        top half
 *     journey_mark_cpu(JOURNEY_RX_NAPI);       poll start
 *     journey_mark_cpu(JOURNEY_RX_DRIVER);     a descriptor done (per frame)
 *     journey_mark_cpu(JOURNEY_TX_TAIL);       in ndo_start_xmit, tail written
 *     tok = journey_tx_token();                in ndo_start_xmit, keep it
 *     journey_tx_done(tok);                    when the descriptor completes
 */
#ifndef NET_CORE_JOURNEY_H
#define NET_CORE_JOURNEY_H

#include "kernel/types.h"
#include "net/core/skbuff.h"

/* in the order a frame meets them: a looped frame goes through the
 * transmit stages, then the receive ones */
enum journey_stage {
	JOURNEY_TX_APP = 0,     /* application send (udp_sendto, tcp_write) */
	JOURNEY_TX_QUEUE,       /* dev_queue_xmit */
	JOURNEY_TX_XMIT,        /* ndo_start_xmit called (loopback: queued on lo) */
	JOURNEY_TX_TAIL,        /* driver wrote the TX tail register */
	JOURNEY_TX_DONE,        /* TX completion seen by the driver */
	JOURNEY_RX_IRQ,         /* hard IRQ entry */
	JOURNEY_RX_NAPI,        /* NAPI poll start */
	JOURNEY_RX_DRIVER,      /* driver saw the RX descriptor done */
	JOURNEY_RX_SKB,         /* sk_buff built */
	JOURNEY_RX_NETIF,       /* netif_receive_skb */
	JOURNEY_RX_IP,          /* IPv4/IPv6 input */
	JOURNEY_RX_L4,          /* UDP/TCP input */
	JOURNEY_RX_APP,         /* application callback */
	JOURNEY_RX_SOCKQ,       /* queued to a socket (net/socket/) */
	JOURNEY_RX_READ,        /* read by the application from that socket */
	JOURNEY_STAGES
};

/* one sampled frame */
struct journey_rec {
	u64 id;                         /* sample number, 1.. */
	u64 t[JOURNEY_STAGES];          /* TSC at each stage, 0 = not reached */
	u8 kind;                        /* JOURNEY_KIND_* */
	u8 busy;                        /* slot in use (in flight) */
	u8 kept;                        /* held by a socket queue past the stack's
					 * return: JOURNEY_KEPT_* (atomic) */
	u16 len;                        /* frame length when known */
};

/* journey_rec.kept: a socket queued the frame and its stack (NET_RX) is
 * still on it; or the stack returned.  A datagram socket's reader takes
 * it without the lwIP core lock, so on another CPU it may read and free
 * the frame before NET_RX's journey_rx_end: whichever of the two comes
 * last completes the record (a slot completed early could be reused and
 * then stamped or completed by the late one) */
#define JOURNEY_KEPT_IN_STACK 1
#define JOURNEY_KEPT_QUEUED   2

#define JOURNEY_KIND_RX   0
#define JOURNEY_KIND_TX   1
#define JOURNEY_KIND_LOOP 2         /* looped by lwIP: tx stages then rx */

/* the static flag: trace.sample != 0 */
extern bool journey_on;

/* "tx_app" etc. */
const char *journey_stage_name(enum journey_stage st);

/* 0 (off) or N: sample one frame in N.  0 or -EINVAL (N > 1000000). */
int journey_set_sample(u32 n);
u32 journey_sample(void);
/* forget the completed records and counters */
void journey_reset(void);

/* --- hooks (each a branch on journey_on first) -------------------------- */
void __journey_mark_cpu(enum journey_stage st);
void __journey_rx_skb(struct sk_buff *skb);
void __journey_mark(struct sk_buff *skb, enum journey_stage st);
struct journey_rec *__journey_rx_begin(struct sk_buff *skb);
void __journey_rx_end(struct journey_rec *r);
void __journey_mark_rx(enum journey_stage st);
void __journey_tx_app(void);
void __journey_tx_skb(struct sk_buff *skb);
void __journey_xmit_begin(struct sk_buff *skb);
void __journey_xmit_end(struct sk_buff *skb, int rc);
u32 __journey_tx_token(void);
void __journey_tx_done(u32 token);
void __journey_tx_tail(u32 token);
void __journey_skb_release(struct sk_buff *skb);

/* driver: a stage before the skb exists, or TX_TAIL inside ndo_start_xmit */
static inline void journey_mark_cpu(enum journey_stage st)
{
	if (unlikely(journey_on))
		__journey_mark_cpu(st);
}

/* the skb of a received frame is built: sample it */
static inline void journey_rx_skb(struct sk_buff *skb)
{
	if (unlikely(journey_on))
		__journey_rx_skb(skb);
}

/* stamp st on skb's record, if it has one */
static inline void journey_mark(struct sk_buff *skb, enum journey_stage st)
{
	if (unlikely(journey_on) && skb->journey)
		__journey_mark(skb, st);
}

/* netif_receive_skb: stamp RX_NETIF and make skb's record this CPU's
 * current receive record until journey_rx_end (after the stack is done) */
static inline struct journey_rec *journey_rx_begin(struct sk_buff *skb)
{
	return unlikely(journey_on) ? __journey_rx_begin(skb) : NULL;
}

static inline void journey_rx_end(struct journey_rec *r)
{
	if (unlikely(r != NULL))
		__journey_rx_end(r);
}

/* inside the stack: stamp the current receive record (IP, L4, APP) */
static inline void journey_mark_rx(enum journey_stage st)
{
	if (unlikely(journey_on))
		__journey_mark_rx(st);
}

/* A socket queues the frame being received: stamp st on the current
 * receive record and keep it past journey_rx_end (it completes at
 * journey_rx_done); the record, or NULL */
struct journey_rec *__journey_rx_keep(enum journey_stage st);
static inline struct journey_rec *journey_rx_keep(enum journey_stage st)
{
	return unlikely(journey_on) ? __journey_rx_keep(st) : NULL;
}

/* a kept record's frame is read (stamp st) or freed unread (st =
 * JOURNEY_STAGES: no stamp): complete it */
void __journey_rx_done(struct journey_rec *r, enum journey_stage st);
static inline void journey_rx_done(struct journey_rec *r, enum journey_stage st)
{
	if (unlikely(r != NULL))
		__journey_rx_done(r, st);
}

/* an application is about to send: sample, stamp TX_APP */
static inline void journey_tx_app(void)
{
	if (unlikely(journey_on))
		__journey_tx_app();
}

/* the glue made the skb of an outgoing frame: it takes the current
 * transmit record, and TX_QUEUE is stamped by dev_queue_xmit */
static inline void journey_tx_skb(struct sk_buff *skb)
{
	if (unlikely(journey_on))
		__journey_tx_skb(skb);
}

/* around ndo_start_xmit: stamp TX_XMIT, let the driver stamp TX_TAIL and
 * take a token; after it, complete the record unless the driver kept a
 * token or the ring was full (rc -EBUSY: the frame is requeued) */
static inline void journey_xmit_begin(struct sk_buff *skb)
{
	if (unlikely(journey_on))
		__journey_xmit_begin(skb);
}

static inline void journey_xmit_end(struct sk_buff *skb, int rc)
{
	if (unlikely(journey_on))
		__journey_xmit_end(skb, rc);
}

/* driver, in ndo_start_xmit: the token of the sampled frame being sent, or
 * 0; keep it with the descriptor */
static inline u32 journey_tx_token(void)
{
	return unlikely(journey_on) ? __journey_tx_token() : 0;
}

/* driver: the descriptor of token completed (0: nothing to do) */
static inline void journey_tx_done(u32 token)
{
	if (unlikely(token != 0))
		__journey_tx_done(token);
}

/* driver: a tail write that came after ndo_start_xmit (one NETDEV_TX_MORE
 * deferred) moved over token's descriptor: its TX_TAIL stamp (0: nothing) */
static inline void journey_tx_tail(u32 token)
{
	if (unlikely(token != 0))
		__journey_tx_tail(token);
}

/* skbuff.c, at the final free: a record still on the skb completes */
static inline void journey_skb_release(struct sk_buff *skb)
{
	if (unlikely(skb->journey != NULL))
		__journey_skb_release(skb);
}

/* --- for the lwIP glue (net/lwip/journey_lwip.c) ----------------------- */
/* the current transmit record reached the loopback queue: stamp TX_XMIT
 * and remember it under key (the queued pbuf) */
void journey_loop_out(const void *key, u32 len);
/* IP input of a looped packet key: make its record current; returns it
 * (complete it with journey_rx_end), or NULL */
struct journey_rec *journey_loop_in(const void *key);
/* a receive record is current on this CPU */
bool journey_rx_current(void);

/* --- readers -------------------------------------------------------------- */
struct journey_counts {
	u64 sampled;        /* records started */
	u64 completed;      /* records in the ring (ever) */
	u64 no_slot;        /* samples skipped: all in-flight slots busy */
	u64 frames;         /* frames seen by the sampler */
};
void journey_get_counts(struct journey_counts *c);

/* one row of the `trace` table: the time from the previous stage a frame
 * reached to this one, over the records kept (nearest-rank percentiles) */
struct journey_stage_stat {
	u32 count;                  /* records that reached the stage; 0: no row */
	u64 p50_ns, p90_ns, p99_ns, max_ns;
};
/* out[st] for each stage, out[JOURNEY_STAGES] for first-to-last-stamp
 * ("total"); kinds[JOURNEY_KIND_LOOP + 1], if not NULL, gets the records
 * per JOURNEY_KIND_* added.  Returns the records used, or -ENOMEM. */
int journey_stage_stats(struct journey_stage_stat out[JOURNEY_STAGES + 1], int *kinds);

/* the shell `trace` table: per stage, count and p50/p90/p99/max of the
 * time since the previous stage the frame reached, in ns.  Length needed,
 * as snprintf; -ENOMEM. */
int journey_report(char *buf, size_t size);
/* the raw records as CSV (header line first); as snprintf */
int journey_csv(char *buf, size_t size);

#endif
