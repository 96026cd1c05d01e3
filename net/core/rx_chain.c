/* Gathering a frame that spans several RX buffers into one skb without a
 * copy (rx_chain.h).  The pieces are joined with skb_gro_append, which
 * chains each later buffer's pbuf behind the first: the skb is
 * non-linear, skb_to_pbuf hands lwIP the chain as it is, and each buffer
 * goes back to its driver's pool at the last free. */
#include "net/core/rx_chain.h"
#include "net/core/skbuff.h"
#include "kernel/errno.h"

/* free the frame gathered so far, a drop counted under reason */
static void rx_chain_free(struct rx_chain *c, enum skb_drop_reason reason)
{
	if (c->skb)
		kfree_skb_reason(c->skb, reason);
	c->skb = NULL;
	c->bufs = 0;
}

int rx_chain_add_more(struct rx_chain *c, struct sk_buff *piece)
{
	if (!c->skb) {
		if (c->max_len && piece->len > c->max_len)
			goto too_long;
		c->skb = piece;
		c->bufs = 1;
		return 0;
	}
	if ((c->max_len && c->skb->len + piece->len > c->max_len) ||
	    skb_gro_append(c->skb, piece, 0, piece->len))
		goto too_long;
	c->bufs++;
	return 0;
too_long:
	kfree_skb_reason(piece, SKB_DROP_REASON_PKT_TOO_BIG);
	rx_chain_free(c, SKB_DROP_REASON_PKT_TOO_BIG);
	return -EMSGSIZE;
}

bool rx_chain_drop(struct rx_chain *c, bool eop)
{
	bool first = !c->dropping;

	rx_chain_free(c, SKB_DROP_REASON_NOT_SPECIFIED);
	c->dropping = !eop;
	return first;
}

void rx_chain_reset(struct rx_chain *c)
{
	rx_chain_free(c, SKB_DROP_REASON_NOT_SPECIFIED);
	c->dropping = false;
}
