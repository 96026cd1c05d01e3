/* The receive hand-off (see net/lwip/rx_handoff.h). */
#include "net/lwip/rx_handoff.h"
#include "kernel/spinlock.h"
#include "kernel/x86.h"
#include "net/lwip/core_lock.h"

/* guards handoff_q and handoff_closed; softirq and thread context, always
 * with bottom halves off (a napi poll, or a core lock holder) */
static struct spinlock handoff_lock = SPINLOCK_INIT("lwip-rx-handoff");
static struct sk_buff_head handoff_q = { (struct sk_buff *)&handoff_q,
					 (struct sk_buff *)&handoff_q, 0 };
static bool handoff_closed;
static net_rx_handler_t handoff_fn;     /* set once before any device opens */
/* written under handoff_lock */
static u64 handoff_batches, handoff_frames, handoff_refused;

net_rx_handler_t rx_handoff_init(net_rx_handler_t fn)
{
	return __atomic_exchange_n(&handoff_fn, fn, __ATOMIC_ACQ_REL);
}

/* all of from at the tail of to; from empty after */
static void queue_splice_tail(struct sk_buff_head *from, struct sk_buff_head *to)
{
	struct sk_buff *first = from->next, *last = from->prev;

	if (!from->qlen)
		return;
	first->prev = to->prev;
	to->prev->next = first;
	last->next = (struct sk_buff *)to;
	to->prev = last;
	to->qlen += from->qlen;
	skb_queue_head_init(from);
}

/* list onto the queue for the holder, unless that is full or closed */
static bool handoff_queue(struct sk_buff_head *list)
{
	bool queued = false;

	spin_lock(&handoff_lock);
	if (!handoff_closed && handoff_q.qlen + list->qlen <= RX_HANDOFF_MAX) {
		handoff_batches++;
		handoff_frames += list->qlen;
		queue_splice_tail(list, &handoff_q);
		queued = true;
	} else {
		handoff_refused++;
	}
	spin_unlock(&handoff_lock);
	return queued;
}

static void deliver(struct sk_buff_head *list, net_rx_handler_t fn)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(list)))
		netif_receive_skb_one(skb, fn);
}

void rx_handoff_drain(bool close)
{
	struct sk_buff_head q;

	net_core_assert_locked(__func__);
	skb_queue_head_init(&q);
	spin_lock(&handoff_lock);
	queue_splice_tail(&handoff_q, &q);
	if (close)
		handoff_closed = true;
	spin_unlock(&handoff_lock);
	/* closed with the queue taken: it stays empty until reopened */
	deliver(&q, READ_ONCE(handoff_fn));
}

void rx_handoff_open(void)
{
	spin_lock(&handoff_lock);
	handoff_closed = false;
	spin_unlock(&handoff_lock);
}

bool rx_handoff_pending(void)
{
	return skb_queue_len(&handoff_q) != 0;
}

void rx_handoff_deliver_list(struct sk_buff_head *list)
{
	if (!net_core_trylock()) {
		if (!handoff_queue(list)) {
			net_core_lock();
		} else if (!net_core_trylock()) {
			/* the trylock's locked exchange orders the queueing
			 * before it: the holder, which releases after it,
			 * sees the batch when it looks after its release */
			return;
		}
	}
	/* what others queued came before this CPU's next frames */
	if (rx_handoff_pending())
		rx_handoff_drain(false);
	deliver(list, READ_ONCE(handoff_fn));
	net_core_unlock();
}

u64 rx_handoff_batches(void)
{
	return READ_ONCE(handoff_batches);
}

u64 rx_handoff_frames(void)
{
	return READ_ONCE(handoff_frames);
}

u64 rx_handoff_refused(void)
{
	return READ_ONCE(handoff_refused);
}
