/* The protocol side of a socket (Linux's struct sock), shared by
 * net/socket/socket.c, sock_udp.c, sock_tcp.c and the /proc/net views.
 * struct sock is guarded by the lwIP core lock (the socket calls take it,
 * lwIP's callbacks run under it), except the receive queue: rx_lock
 * below, which lets a datagram socket's reader work without the core
 * lock (socket.c's top comment has the rules). */
#ifndef NET_SOCKET_SOCK_INTERNAL_H
#define NET_SOCKET_SOCK_INTERNAL_H

#include "kernel/list.h"
#include "kernel/obj_cache.h"
#include "kernel/panic.h"
#include "kernel/spinlock.h"
#include "kernel/uaccess.h"
#include "net/core/dev.h"
#include "net/core/journey.h"
#include "net/core/skbuff.h"
#include "net/socket/socket.h"
#include "lwip/def.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

struct udp_pcb;
struct tcp_pcb;

/* one queued datagram or TCP segment: a pbuf as it came up (over the
 * NIC's DMA buffer unless it was copied under pressure) */
struct sk_rx {
	struct sk_rx *next;
	struct pbuf *p;
	u32 off;                        /* bytes of p already read (TCP) */
	u32 truesize;                   /* what it is charged */
	ip_addr_t addr;                 /* UDP: the sender */
	u16 port;
	struct journey_rec *journey;    /* a sampled frame's record, or NULL */
};

struct sock {
	struct socket *sock;            /* the socket this is the inside of */
	struct list_head node;          /* sock_list */
	union {
		struct udp_pcb *udp;
		struct tcp_pcb *tcp;
		void *any;
	} pcb;                          /* NULL: not yet bound / gone */
	/* The receive queue's lock (Linux's sk_receive_queue.lock): guards
	 * rx_head, rx_tail, rx_count, rx_bytes and rmem_alloc below.
	 * Contexts: softirq (NET_RX: lwIP's receive callbacks queue under
	 * the core lock, then this) and thread with bottom halves off (a
	 * datagram socket's reader without the core lock; the calls that
	 * purge or pop under the core lock); never hard IRQ.  Order: the
	 * core lock, then this one; nothing is taken inside it but lwIP's
	 * SYS_ARCH_PROTECT (pbuf_ref of a peeked datagram).  Changes need
	 * it; so does a reader without the core lock, and a look that must
	 * not lose a wake-up (socket.c).  A stream socket's queue is only
	 * ever changed and read under the core lock too (tcp_sock_recv's
	 * partial reads change e->off and rx_bytes under the core lock
	 * alone: every other changer of a stream socket's queue holds it). */
	struct spinlock rx_lock;
	struct sk_rx *rx_head, *rx_tail;
	u32 rx_count;                   /* entries */
	u32 rx_bytes;                   /* payload bytes not yet read */
	u32 rmem_alloc;                 /* truesize of the queue (Linux sk_rmem_alloc) */
	int rcvbuf, sndbuf;             /* Linux's sk_rcvbuf, sk_sndbuf (doubled) */
	u32 drops;                      /* Linux sk_drops: atomic adds (input, read) */
	/* Linux sk_rxhash: the flow hash of the last frame queued here
	 * (rps_current_rx_hash), which a read records for RFS */
	u32 rxhash;
	/* busy polling (net/core/napi.h napi_busy_loop): the napi the last
	 * input came through (Linux sk_napi_id, 0: none yet), and how long a
	 * blocking read polls it before sleeping (SO_BUSY_POLL, Linux's
	 * sk_ll_usec: net.core.busy_read when the socket was made) */
	unsigned int napi_id;
	unsigned int busy_read_us;
	u32 tcp_owed;                   /* TCP: read but not yet given to tcp_recved */
	/* listening */
	struct sock *acc_head, *acc_tail, *acc_next;    /* acc_next: link in the parent's queue */
	u32 acc_count;
	int backlog;
	/* state */
	int err;                        /* pending error (SO_ERROR), positive errno; set
					 * under the core lock, taken (read and cleared)
					 * by an atomic exchange */
	bool listening;
	bool rcv_shutdown;              /* FIN seen or SHUT_RD */
	bool snd_shutdown;              /* SHUT_WR */
	bool connecting;
	bool reset;                     /* the TCP connection is gone (RST, abort, error) */
	bool reuseaddr, keepalive, nodelay, v6only;
	unsigned long rcvtimeo, sndtimeo;       /* jiffies, MAX_SCHEDULE_TIMEOUT: none */
	/* datagram: the connected peer */
	bool udp_connected;
	ip_addr_t bind_addr;            /* before the PCB exists */
	u16 bind_port;
};

/* every socket's struct sock, for the /proc/net views and ss (core lock) */
extern struct list_head sock_list;

/* a pbuf's truesize: what it holds of memory (a DMA buffer's full size) */
u32 sock_pbuf_truesize(const struct pbuf *p);
/* the entries sk_rx_free keeps for sk_rx_alloc, per CPU (bottom halves off) */
#define SK_RX_CACHE_MAX 256
/* entries sk_rx_alloc took from a cache (core lock); the entries the caches
 * hold now */
extern u64 sk_rx_cache_hits;
unsigned int sk_rx_cache_count(void);
/* the caches, one per CPU (socket.c says how they are guarded) */
DECLARE_PER_CPU(struct obj_cache, sk_rx_pcpu);

/* the checked flavour holds callers to bottom halves off: the entry
 * lists' guard, and rx_lock's rule (a softirq on this CPU that queued
 * while a thread held it would spin for ever) */
static inline void sk_rx_bh_check(void)
{
	if (LOCK_DEBUG && (in_irq() || !in_softirq()))
		panic("net: socket receive queue or its entry cache used without bottom halves off");
}

/* a queue entry, from this CPU's cache of freed ones or kmalloc; NULL: no
 * memory (core lock held, so bottom halves off: the cache's guard).
 * Inline, as sk_rx_free and sock_rx_condense: each runs once per datagram
 * queued or read, and under QEMU's TCG a call's return is a lookup of the
 * next translated block */
static inline struct sk_rx *sk_rx_alloc(void)
{
	struct sk_rx *e;

	sk_rx_bh_check();
	e = obj_list_pop(this_cpu_ptr(&sk_rx_pcpu));
	if (!e)
		return kmalloc(sizeof(*e));
	sk_rx_cache_hits++;
	return e;
}
/* charge a queue entry and link it at the tail (under rx_lock, which it
 * takes; bottom halves off), then wake readers */
void sk_rx_queue(struct sock *sk, struct sk_rx *e);
/* Linux's sk_mark_napi_id: the napi this CPU's NET_RX poll runs, if it
 * has an id, recorded as sk's (core lock held, in a receive callback) */
void sk_mark_napi_id(struct sock *sk);
/* the current readiness bits (core lock held) */
unsigned int sk_poll_mask(struct sock *sk);
/* wake sk's waiters with the current readiness bits (core lock held, or
 * rx_lock taken since the change) */
void sk_wake(struct sock *sk);
/* take the head entry off the queue (uncharged; under rx_lock, which it
 * takes), or NULL; bottom halves off */
struct sk_rx *sk_rx_pop(struct sock *sk);
/* unlink and uncharge e, the head entry (rx_lock held); inline: a
 * datagram read's one queue operation */
static inline void sk_rx_unlink(struct sock *sk, struct sk_rx *e)
{
	WRITE_ONCE(sk->rx_head, e->next);
	if (!e->next)
		sk->rx_tail = NULL;
	sk->rx_count--;
	sk->rx_bytes -= e->p->tot_len - e->off;
	WRITE_ONCE(sk->rmem_alloc, sk->rmem_alloc - e->truesize);
}
/* pbuf_free of a queued pbuf, whose one reference the entry held: a
 * custom pbuf (the NIC's DMA buffer) counted once goes straight to its
 * free function, as pbuf_free would, without SYS_ARCH_PROTECT around the
 * count's decrement, which nobody else can change: no one else holds the
 * pbuf (a peek's reference is taken under rx_lock, before the unlink, and
 * makes the count 2).  That protect is interrupts off and on again: under
 * QEMU's TCG the popfq leaves the translated code (~150 ns), once per
 * datagram read.  Anything else, or the rest of a chain that another
 * holder shares, goes through pbuf_free. */
static inline void sk_pbuf_free(struct pbuf *p)
{
	while (p && p->ref == 1 && (p->flags & PBUF_FLAG_IS_CUSTOM)) {
		struct pbuf *next = p->next;

		p->ref = 0;
		((struct pbuf_custom *)p)->custom_free_function(p);
		p = next;
	}
	if (p)
		pbuf_free(p);
}

/* free an entry taken off (its pbuf; the entry back to this CPU's
 * cache); bottom halves off, no lock needed */
static inline void sk_rx_free(struct sk_rx *e)
{
	journey_rx_done(e->journey, JOURNEY_STAGES);    /* freed unread */
	sk_pbuf_free(e->p);
	sk_rx_bh_check();
	if (!obj_list_push(this_cpu_ptr(&sk_rx_pcpu), e, SK_RX_CACHE_MAX))
		kfree(e);
}
/* free every queued entry (bottom halves off) */
void sk_rx_purge(struct sock *sk);
/* a free socket with its struct sock (both zeroed, wait queue set up),
 * counted against SOCK_MAX; NULL: -ENFILE or -ENOMEM in *err */
struct socket *sock_alloc(int family, int type, int *err);

/* free a socket sock_alloc made (core lock held; its PCB and queue gone) */
void sock_free(struct socket *sock);

/* the lwIP address type of the socket's PCB (tcp_new_ip_type,
 * udp_new_ip_type): IPv4 for AF_INET; for AF_INET6 IPv6 alone with
 * IPV6_V6ONLY, else both (IPv4 peers as v4-mapped addresses) */
u8 sock_ip_type(const struct sock *sk);
/* sock_addr_from for an AF_INET6 socket */
int sock_addr_from6(const struct sock *sk, const struct sockaddr *a, int len, ip_addr_t *ip,
		    u16 *port);
/* address conversion: family's sockaddr to lwIP's; 0 or -errno.  Inline:
 * a sendto's every datagram comes here, and an AF_INET socket's is a
 * few loads */
static inline int sock_addr_from(const struct sock *sk, const struct sockaddr *a, int len,
				 ip_addr_t *ip, u16 *port)
{
	if (!a || len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (sk->sock->family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;

		if (len < (int)sizeof(*in))
			return -EINVAL;
		if (a->sa_family != AF_INET)
			return -EAFNOSUPPORT;
		ip_addr_set_zero_ip4(ip);
		ip_2_ip4(ip)->addr = in->sin_addr.s_addr;
		*port = lwip_ntohs(in->sin_port);
		return 0;
	}
	return sock_addr_from6(sk, a, len, ip, port);
}
/* lwIP's to an AF_INET6 socket's sockaddr_in6; *len in/out */
void sock_addr_to6(const ip_addr_t *ip, u16 port, struct sockaddr *a, int *len);
/* lwIP's to family's sockaddr; *len in/out.  Inline: a recvfrom's every
 * datagram comes here, and an AF_INET socket's is a few stores */
static inline void sock_addr_to(const struct sock *sk, const ip_addr_t *ip, u16 port,
				struct sockaddr *a, int *len)
{
	if (sk->sock->family == AF_INET) {
		/* built whole (no memset of the union the AF_INET6 case
		 * needs), and copied with a fixed size when it fits */
		struct sockaddr_in in = {
			.sin_family = AF_INET,
			.sin_port = lwip_htons(port),
			.sin_addr.s_addr = ip && IP_IS_V4(ip) ? ip_2_ip4(ip)->addr : 0,
		};

		if (a && len && *len >= (int)sizeof(in))
			__builtin_memcpy(a, &in, sizeof(in));
		else if (a && len && *len > 0)
			__builtin_memcpy(a, &in, (size_t)*len);
		if (len)
			*len = sizeof(in);
		return;
	}
	sock_addr_to6(ip, port, a, len);
}

/* sock_copy_to_iov's and sock_copy_from_iov's general case: iovecs and
 * a pbuf chain walked piece by piece */
size_t sock_copy_to_iov_walk(const struct msghdr *msg, size_t off, const struct pbuf *p,
			     u32 p_off, size_t len);
size_t sock_copy_from_iov_walk(const struct msghdr *msg, size_t off, void *dst, size_t len);
/* copy len bytes of p from p_off into msg's iovecs from byte off; the
 * bytes copied, fewer when an application's page faulted (kernel/uaccess.h).
 * Inline: a read into one buffer of bytes in one pbuf (a datagram's
 * recvfrom) is one copy, itself inline */
static inline size_t sock_copy_to_iov(const struct msghdr *msg, size_t off, const struct pbuf *p,
				      u32 p_off, size_t len)
{
	if (msg->msg_iovlen == 1 && !off && p && len <= msg->msg_iov[0].iov_len &&
	    (size_t)p_off + len <= p->len)
		return len - uaccess_copy_inline(msg->msg_iov[0].iov_base,
						 (const char *)p->payload + p_off, len);
	return sock_copy_to_iov_walk(msg, off, p, p_off, len);
}
/* copy len bytes of msg's iovecs from byte off to dst; the bytes copied,
 * fewer when an application's page faulted.  Inline: a send from one
 * buffer (sendto) is one copy, itself inline */
static inline size_t sock_copy_from_iov(const struct msghdr *msg, size_t off, void *dst,
					size_t len)
{
	if (msg->msg_iovlen == 1 && !off && len <= msg->msg_iov[0].iov_len)
		return len - uaccess_copy_inline(dst, msg->msg_iov[0].iov_base, len);
	return sock_copy_from_iov_walk(msg, off, dst, len);
}
/* an lwIP err_t as a negative errno */
int sock_lwip_err(int err);

/* protocol calls (core lock held by the caller, which is socket.c, but
 * where said otherwise) */
int udp_sock_bind(struct sock *sk, const ip_addr_t *ip, u16 port);
int udp_sock_connect(struct sock *sk, const ip_addr_t *ip, u16 port, bool unspec);
/* sock_sendmsg of a datagram socket (len: msg's bytes, checked): it takes
 * the core lock itself; the bytes sent or -errno */
long udp_sock_sendmsg(struct sock *sk, const struct msghdr *msg, size_t len);
void udp_sock_release(struct sock *sk);
/* the datagram at the head of the queue taken (copied to msg; left
 * queued by MSG_PEEK): its length or -EFAULT; -EAGAIN when none is
 * queued.  Without the core lock (the queue's rx_lock, which it takes),
 * thread context with bottom halves on */
long udp_sock_recv(struct sock *sk, struct msghdr *msg, size_t total, int flags);

int tcp_sock_bind(struct sock *sk, const ip_addr_t *ip, u16 port);
int tcp_sock_listen(struct sock *sk, int backlog);
int tcp_sock_connect(struct sock *sk, const ip_addr_t *ip, u16 port);
/* bytes taken into the send buffer (0 when there is no room) or -errno */
long tcp_sock_send(struct sock *sk, const struct msghdr *msg, size_t skip, size_t len);
long tcp_sock_recv(struct sock *sk, struct msghdr *msg, size_t want, int flags);
int tcp_sock_shutdown(struct sock *sk, bool rd, bool wr);
void tcp_sock_release(struct sock *sk);
/* room in the send buffer now */
u32 tcp_sock_sndspace(const struct sock *sk);
/* apply nodelay/keepalive to the PCB */
void tcp_sock_apply_opts(struct sock *sk);
/* the send queue's unacknowledged and unsent bytes */
u32 tcp_sock_tx_queue(const struct sock *sk);
/* getsockopt(TCP_INFO) of a stream socket, core lock held */
void tcp_sock_info(const struct sock *sk, struct sock_tcp_info *ti);
/* an lwIP TCP state as Linux's TCP_ESTABLISHED... (net/lwip/sock_proc.c) */
u8 linux_tcp_state(int lwip_state);

/* Udp counters Linux keeps and lwIP does not (net/socket/sock_udp.c):
 * written under the core lock, but in_errors and read, which readers
 * without it add to as well, by atomic adds */
struct udp_sock_mib {
	u64 rcvbuf_errors;              /* RcvbufErrors: a full receive buffer dropped it */
	u64 in_errors;                  /* added to lwIP's InErrors: the drops below
					 * and reads whose copy faulted */
	u64 mem_errors;                 /* MemErrors: no memory for the queue entry */
	u64 queued;                     /* datagrams lwIP counted in InDatagrams that a
					 * socket queued: counted again when read (a
					 * read whose copy faults counts in_errors) */
	u64 read;                       /* datagrams read by applications */
};
extern struct udp_sock_mib udp_sock_mib;
/* the datagram send buffers every CPU's free list holds now; the sends
 * that took one from a list (net/socket/sock_udp.c) */
unsigned int udp_txbuf_count(void);
extern u64 udp_txbuf_hits;

/* what the receive queues did with the NIC's buffers (UDP and TCP) */
struct sock_rx_stats {
	u64 dma_queued;                 /* queued still in the NIC's DMA buffer (zero copy) */
	u64 copied;                     /* copied out of it: the queue was past half its buffer */
};
extern struct sock_rx_stats sock_rx_stats;
/* sock_rx_condense's copy: p's bytes in memory of their own size, p
 * freed; p itself when there is no memory for it */
struct pbuf *sock_rx_condense_copy(struct pbuf *p);
/* queue-side pressure handling of both protocols: the pbuf to queue (p,
 * or a copy of it in memory of its own size, p freed).  Linux's
 * skb_condense past half of sk_rcvbuf: a slow reader must not pin the
 * ring's DMA buffers */
static inline struct pbuf *sock_rx_condense(struct sock *sk, struct pbuf *p)
{
	if (!skb_pbuf_is_rx_buffer(p))
		return p;
	if (READ_ONCE(sk->rmem_alloc) > (u32)sk->rcvbuf / 2)
		return sock_rx_condense_copy(p);
	sock_rx_stats.dma_queued++;
	return p;
}

/* the /proc/net line fields of the socket owning pcb (NULL: none) */
struct sock_proc_info {
	unsigned long ino;
	u32 rx_queue, tx_queue, drops;
	u32 backlog;                    /* a listener's (ss's Send-Q; /proc's tx_queue is 0) */
	int family;
};
bool sock_proc_lookup(const void *pcb, struct sock_proc_info *out);

/* kmalloc's live objects less the skb free-list caches (skb heads and
 * RX-buffer wrappers kept for reuse: not held by anyone), for the tests'
 * memory baseline */
size_t sock_live_objects(void);

/* one buffer's send/receive, for kernel callers (selftest_sock.c, the
 * socktest command): to/from NULL for a connected socket */
struct sockaddr_in;
long sock_send_buf(struct socket *s, const void *buf, size_t len, int flags,
		   const struct sockaddr_in *to);
long sock_recv_buf(struct socket *s, void *buf, size_t len, int flags, struct sockaddr_in *from,
		   int *msg_flags);


#endif
