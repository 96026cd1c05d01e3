/* One received frame the NIC wrote across several receive buffers (a
 * jumbo frame in 2048-byte buffers), gathered into one skb without a
 * copy: the first buffer's skb is the linear part, every later buffer's
 * pbuf is chained behind it (skb_gro_append), so the frame goes up as
 * the buffers it arrived in, each charged its own truesize and each
 * returned to its driver's pool at the skb's last free.
 *
 * A driver keeps one struct rx_chain per RX ring, zeroed at start, and
 * feeds it every descriptor in ring order:
 *
 *	piece: rx_chain_add()          (an skb over this descriptor's buffer;
 *	                                the first piece inline, the rest
 *	                                rx_chain_add_more())
 *	error, no skb, -EMSGSIZE, or c->dropping: rx_chain_drop()
 *	EOP:   rx_chain_end()          (the whole frame, or NULL if dropped)
 *
 * A frame may be split across NAPI polls (the budget ends between its
 * descriptors): the chain keeps it until its EOP.  rx_chain_reset() frees
 * a half-gathered frame (ring stop, ring free).  Only the ring's poll
 * touches its chain. */
#ifndef NET_CORE_RX_CHAIN_H
#define NET_CORE_RX_CHAIN_H
#include "kernel/types.h"
#include "net/core/skbuff.h"

struct rx_chain {
	struct sk_buff *skb;    /* the frame so far, or NULL */
	u32 max_len;            /* longer than this: dropped before its EOP */
	u16 bufs;               /* buffers in skb */
	bool dropping;          /* the rest of a dropped frame: pieces up to EOP are not kept */
};

/* Add one buffer's piece (a linear skb the caller hands over, its
 * reference gone after the call); not while c->dropping (the rest of a
 * dropped frame goes to rx_chain_drop).  Returns 0; -EMSGSIZE when the
 * frame grows past c->max_len (or an skb's 64 KiB): the piece and the
 * frame so far are freed, and the caller drops the rest with
 * rx_chain_drop as for any error, counting one length error. */
int rx_chain_add_more(struct rx_chain *c, struct sk_buff *piece);

/* rx_chain_add_more's case of a frame's first piece that fits, inline:
 * every frame of one buffer (all of them at the standard MTU) is only that */
static inline int rx_chain_add(struct rx_chain *c, struct sk_buff *piece)
{
	if (!c->skb && (!c->max_len || piece->len <= c->max_len)) {
		c->skb = piece;
		c->bufs = 1;
		return 0;
	}
	return rx_chain_add_more(c, piece);
}

/* Drop the frame being gathered (a descriptor error, no skb for a piece)
 * and the rest of it up to its EOP (eop: this descriptor was the last).
 * Returns true if the frame was not already being dropped (count it
 * once). */
bool rx_chain_drop(struct rx_chain *c, bool eop);

/* At a descriptor with EOP, after its piece was added: the whole frame
 * (the caller's now), or NULL if it was dropped.  The chain is empty
 * again either way. */
static inline struct sk_buff *rx_chain_end(struct rx_chain *c)
{
	struct sk_buff *skb = c->skb;

	c->skb = NULL;
	c->bufs = 0;
	c->dropping = false;
	return skb;
}

/* Free a half-gathered frame and forget a drop in progress (the ring
 * stops, or starts over at a new position). */
void rx_chain_reset(struct rx_chain *c);

#endif
