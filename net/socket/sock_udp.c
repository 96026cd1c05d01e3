/* Datagram sockets over lwIP's udp_pcb (net/socket/socket.h).
 *
 * Receive: lwIP's udp_recv callback, in NET_RX under the core lock, queues
 * the pbuf as it came from the NIC, charged its truesize, as Linux's
 * __udp_enqueue_schedule_skb: over sk_rcvbuf it is dropped and counted
 * (the socket's drops, Udp RcvbufErrors and InErrors); over half of it a
 * pbuf over a DMA buffer is copied into one of its own size first, which
 * gives the buffer back to the NIC's ring (Linux's skb_condense).  lwIP
 * counts udpInDatagrams before it calls us; a datagram a socket takes is
 * counted again only when it is read (Linux counts it in udp_recvmsg), so
 * /proc/net/snmp shows lwIP's count minus what sockets took plus what
 * applications read.
 *
 * Read: without the core lock (socket.c's locking comment).  The head
 * datagram is unlinked under the socket's rx_lock, with bottom halves off
 * (the NET_RX that queues under it may run on this CPU), then copied to
 * the application and freed with only bottom halves off (the queue
 * entries' per-CPU cache): pbuf_free is safe anywhere (lwIP's pools,
 * heap and reference counts are SYS_ARCH_PROTECT's; a pbuf over a NIC
 * buffer returns it to the driver's pool under the pool's irqsave
 * spinlock).  The counters a reader adds to (the socket's drops, Udp
 * InErrors, the reads) take atomic adds. */
#include "net/core/rps.h"
#include "net/socket/sock_internal.h"
#include "kernel/errno.h"
#include "kernel/irq.h"
#include "kernel/mm.h"
#include "kernel/obj_cache.h"
#include "kernel/panic.h"
#include "kernel/softirq.h"
#include "net/core/journey.h"
#include "net/core/skbuff.h"
#include "net/core/xmit.h"
#include "net/lwip/core_lock.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"
#include <string.h>

/* the largest UDP payload over IPv4 (65535 - 20 - 8) */
#define UDP_MAX_PAYLOAD 65507

struct udp_sock_mib udp_sock_mib;

/* Send buffers: a datagram is copied from the caller into a pbuf of its
 * own that the NIC sends from (zero copy) and frees at its TX completion.
 * Up to UDP_TXBUF_PAYLOAD bytes that pbuf is a custom one over a
 * UDP_TXBUF_SIZE object kept on a per-CPU free list when freed, so an
 * echo loop's sends cost no kmalloc/kfree (with KMALLOC_DEBUG, a lock,
 * the live list and the redzone fill and check, per datagram); larger
 * datagrams are PBUF_RAM as before.  The object: struct pbuf_custom, a
 * gap as wide as the header room lwIP's PBUF_TRANSPORT asks (a push
 * past that room stays inside the gap, as it would inside a PBUF_RAM's
 * struct pbuf), then the payload's header room and the payload. */
#define UDP_TXBUF_SIZE          2048
#define UDP_TXBUF_CACHE_MAX     64
#define UDP_TXBUF_MEM_OFF       ALIGN_UP(sizeof(struct pbuf_custom) + PBUF_TRANSPORT, 16)
#define UDP_TXBUF_MEM_LEN       (UDP_TXBUF_SIZE - UDP_TXBUF_MEM_OFF)
#define UDP_TXBUF_PAYLOAD       (UDP_TXBUF_MEM_LEN - LWIP_MEM_ALIGN_SIZE(PBUF_TRANSPORT))
_Static_assert(UDP_TXBUF_PAYLOAD >= 1472, "an Ethernet frame's datagram fits a send buffer");

/* The free lists, one per CPU, are guarded by bottom halves off on that
 * CPU, not interrupts off (obj_cache_get/put's): under QEMU's TCG each
 * local_irq_restore ends a translation block with an exit to its main
 * loop, and a datagram sent took two.  Buffers are taken under the core
 * lock (bottom halves off) and given back at the TX completion, in a poll
 * or a thread's reap (softirq, or bottom halves off); a hard IRQ handler,
 * which could interrupt a list operation, never touches a list: a buffer
 * whose last reference goes there is freed to kmalloc. */
static DEFINE_PER_CPU(struct obj_cache, udp_txbuf_pcpu);
static const struct obj_cache_kind udp_txbuf_cache = {
	&udp_txbuf_pcpu, UDP_TXBUF_CACHE_MAX, UDP_TXBUF_SIZE,
};
u64 udp_txbuf_hits;

unsigned int udp_txbuf_count(void)
{
	return obj_cache_len(&udp_txbuf_cache);
}

static void udp_txbuf_push(void *obj)
{
	if (!obj_list_push(this_cpu_ptr(&udp_txbuf_pcpu), obj, UDP_TXBUF_CACHE_MAX))
		kfree(obj);
}

/* the pbuf's last reference gone (any context: the TX completion) */
static void udp_txbuf_free(struct pbuf *p)
{
	if (in_irq()) {
		kfree(p);
	} else if (in_softirq() || irqs_disabled()) {
		udp_txbuf_push(p);      /* nothing on this CPU can interrupt it */
	} else {
		local_bh_disable();
		udp_txbuf_push(p);
		local_bh_enable();
	}
}

/* a pbuf for len payload bytes behind lwIP's transport header room, or
 * NULL (core lock held) */
static struct pbuf *udp_txbuf_alloc(size_t len)
{
	struct pbuf_custom *pc;

	if (len > UDP_TXBUF_PAYLOAD)
		return pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
	/* the checked flavour holds callers to the list's guard */
	if (LOCK_DEBUG && (in_irq() || !in_softirq()))
		panic("net: UDP send buffer taken without bottom halves off");
	pc = obj_list_pop(this_cpu_ptr(&udp_txbuf_pcpu));
	if (pc)
		udp_txbuf_hits++;
	else if (!(pc = kmalloc(UDP_TXBUF_SIZE)))
		return NULL;
	pc->custom_free_function = udp_txbuf_free;
	return pbuf_alloced_custom(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM, pc,
				   (u8 *)pc + UDP_TXBUF_MEM_OFF, (u16_t)UDP_TXBUF_MEM_LEN);
}

static void udp_sock_input(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			   u16_t port)
{
	struct sock *sk = arg;
	struct sk_rx *e;

	(void)pcb;
	udp_sock_mib.queued++;          /* taken out of lwIP's InDatagrams */
	WRITE_ONCE(sk->rxhash, rps_current_rx_hash());  /* Linux sock_rps_save_rxhash */
	sk_mark_napi_id(sk);
	/* Linux: "always allow at least a packet".  A reader may be taking
	 * a datagram meanwhile (rx_lock, not the core lock): it only ever
	 * lowers rmem_alloc, and only this callback, under the core lock,
	 * raises it, so the look is the check of a moment before the read */
	if (READ_ONCE(sk->rmem_alloc) > (u32)sk->rcvbuf) {
		__atomic_fetch_add(&sk->drops, 1, __ATOMIC_RELAXED);
		udp_sock_mib.rcvbuf_errors++;
		__atomic_fetch_add(&udp_sock_mib.in_errors, 1, __ATOMIC_RELAXED);
		pbuf_free(p);
		return;
	}
	p = sock_rx_condense(sk, p);
	e = sk_rx_alloc();
	if (!e) {
		__atomic_fetch_add(&sk->drops, 1, __ATOMIC_RELAXED);
		udp_sock_mib.mem_errors++;
		__atomic_fetch_add(&udp_sock_mib.in_errors, 1, __ATOMIC_RELAXED);
		pbuf_free(p);
		return;
	}
	e->p = p;
	e->off = 0;
	e->truesize = sock_pbuf_truesize(p);
	ip_addr_copy(e->addr, *addr);
	e->port = port;
	e->journey = journey_rx_keep(JOURNEY_RX_SOCKQ);
	sk_rx_queue(sk, e);
}

/* the socket's PCB, made on first use */
static struct udp_pcb *udp_sock_pcb(struct sock *sk)
{
	struct udp_pcb *pcb = sk->pcb.udp;

	if (pcb)
		return pcb;
	pcb = udp_new_ip_type(sock_ip_type(sk));
	if (!pcb)
		return NULL;
	if (sk->reuseaddr)
		ip_set_option(pcb, SOF_REUSEADDR);
	udp_recv(pcb, udp_sock_input, sk);
	sk->pcb.udp = pcb;
	return pcb;
}

int udp_sock_bind(struct sock *sk, const ip_addr_t *ip, u16 port)
{
	struct udp_pcb *pcb = udp_sock_pcb(sk);

	if (!pcb)
		return -ENOBUFS;
	if (pcb->local_port)
		return -EINVAL;
	return sock_lwip_err(udp_bind(pcb, ip, port));
}

int udp_sock_connect(struct sock *sk, const ip_addr_t *ip, u16 port, bool unspec)
{
	struct udp_pcb *pcb;
	int rc;

	if (unspec) {
		if (sk->pcb.udp)
			udp_disconnect(sk->pcb.udp);
		sk->udp_connected = false;
		return 0;
	}
	pcb = udp_sock_pcb(sk);
	if (!pcb)
		return -ENOBUFS;
	if (!port)
		return -EINVAL;
	rc = sock_lwip_err(udp_connect(pcb, ip, port));
	sk->udp_connected = !rc;
	return rc;
}

/* the datagram to (NULL: the connected peer), under the core lock */
static inline long udp_sock_send(struct sock *sk, const struct msghdr *msg, size_t len,
				 const ip_addr_t *to, u16 port)
{
	struct udp_pcb *pcb;
	struct pbuf *p;
	err_t err;
	int rc;

	if (sk->snd_shutdown)
		return -EPIPE;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!to && !sk->udp_connected)
		return -EDESTADDRREQ;
	if (to && !port)
		return -EINVAL;
	pcb = udp_sock_pcb(sk);
	if (!pcb)
		return -ENOBUFS;
	p = udp_txbuf_alloc(len);
	if (!p)
		return -ENOBUFS;
	if (sock_copy_from_iov(msg, 0, p->payload, len) < len) {
		pbuf_free(p);
		return -EFAULT;         /* an application's page gone */
	}
	/* the journey's TX_APP: a sampled reply's record starts at the send
	 * (sock_tcp.c's tcp_write and the callback services do the same) */
	journey_tx_app();
	err = to ? udp_sendto(pcb, p, to, port) : udp_send(pcb, p);
	rc = err == ERR_OK ? 0 : sock_lwip_err(err);
	pbuf_free(p);
	return rc ? rc : (long)len;
}

long udp_sock_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len)
{
	const ip_addr_t *to = NULL;
	ip_addr_t ip;
	u16 port = 0;
	long done;
	bool more;

	net_core_lock();
	/* a look without rx_lock (a hint: NET_RX may queue meanwhile) */
	more = READ_ONCE(sk->rx_head) != NULL;
	/* the NIC's tail write (net/core/xmit.h, deferred tails) is left out
	 * of the core lock's hold: an MMIO write, slow under emulation, that
	 * another CPU's softirq would spin behind.  When more datagrams wait
	 * to be read, the caller will be back with the next send at once and
	 * the tail waits for it too (written before this thread sleeps or
	 * makes another call) */
	dev_xmit_defer_begin(true);
	/* one call of udp_sock_send, inlined */
	done = msg->msg_name ? sock_addr_from(sk, msg->msg_name, (int)msg->msg_namelen, &ip, &port)
			     : 0;
	if (!done) {
		if (msg->msg_name)
			to = &ip;
		done = udp_sock_send(sk, msg, len, to, port);
	}
	dev_xmit_defer_end();
	/* bottom halves stay off until the tail is written: pending softirq
	 * work runs after the datagram left, as before */
	net_core_unlock_keep_bh();
	if (!more && dev_xmit_deferred_pending())
		dev_xmit_flush_deferred();
	local_bh_enable_inline();
	return done;
}

long udp_sock_recv(struct sock *sk, struct msghdr *msg, size_t total, int flags)
{
	struct sk_rx *e, peeked;
	size_t len, n;
	bool fault;

	/* an empty queue without the lock: a caller that will sleep on it
	 * looks again under rx_lock (socket.c's dgram_ready) */
	if (!READ_ONCE(sk->rx_head))
		return -EAGAIN;
	/* bottom halves stay off to the end: rx_lock's rule, then the
	 * entry cache's (sk_rx_free) */
	local_bh_disable();
	spin_lock(&sk->rx_lock);
	e = sk->rx_head;
	if (e && !(flags & MSG_PEEK)) {
		sk_rx_unlink(sk, e);    /* ours now: read and freed below */
	} else if (e) {
		/* it stays queued, and another reader may take and free it
		 * once rx_lock is dropped: a copy of the entry, holding a
		 * reference to its pbuf (Linux's peek takes one of the skb) */
		peeked = *e;
		pbuf_ref(peeked.p);
		e = &peeked;
	}
	spin_unlock(&sk->rx_lock);
	if (!e) {
		local_bh_enable();
		return -EAGAIN;
	}
	len = e->p->tot_len;
	n = sock_copy_to_iov(msg, 0, e->p, 0, MIN(total, len));
	/* an application's page gone: the datagram is dropped, as Linux's
	 * udp_recvmsg does on a copy error, and counted as Linux counts it:
	 * the socket's drops and Udp InErrors, not InDatagrams (a peek
	 * leaves it queued and counts nothing) */
	fault = n < MIN(total, len);
	if (n < len)
		msg->msg_flags |= MSG_TRUNC;
	if (msg->msg_name) {
		int alen = (int)msg->msg_namelen;

		sock_addr_to(sk, &e->addr, e->port, msg->msg_name, &alen);
		msg->msg_namelen = (socklen_t)alen;
	}
	if (!(flags & MSG_PEEK)) {
		journey_rx_done(e->journey, JOURNEY_RX_READ);
		e->journey = NULL;
		sk_rx_free(e);
		if (fault) {
			__atomic_fetch_add(&sk->drops, 1, __ATOMIC_RELAXED);
			__atomic_fetch_add(&udp_sock_mib.in_errors, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_fetch_add(&udp_sock_mib.read, 1, __ATOMIC_RELAXED);
		}
	} else {
		pbuf_free(e->p);        /* the peek's reference */
	}
	local_bh_enable_inline();
	if (fault)
		return -EFAULT;
	return (flags & MSG_TRUNC) ? (long)len : (long)n;
}

void udp_sock_release(struct sock *sk)
{
	if (!sk->pcb.udp)
		return;
	udp_recv(sk->pcb.udp, NULL, NULL);
	udp_remove(sk->pcb.udp);
	sk->pcb.udp = NULL;
}
