/* The kernel socket API (net/socket/socket.h): the calls, blocking and
 * waking, socket options with Linux's buffer accounting, readiness.  The
 * protocols' halves are in sock_udp.c and sock_tcp.c.
 *
 * Locking: lwIP's core lock (net/lwip/core_lock.c) guards every struct
 * sock as it guards lwIP; a call takes it around its work and drops it to
 * sleep.  The receive queue has a lock of its own, sk->rx_lock (sock_
 * internal.h; Linux's sk_receive_queue.lock), taken after the core lock:
 * lwIP's receive callbacks queue under both, and a datagram socket's
 * reader (sock_recv_dgram, udp_sock_recv) takes rx_lock alone, with
 * bottom halves off, for the dequeue; the copy to the application and the
 * frees follow outside any lock (a pbuf's free is SYS_ARCH_PROTECT's and
 * the NIC pool's spinlock, any context).  A stream socket's reads stay
 * under the core lock.
 *
 * Waiting is Linux's sk_wait_event: queue on sock->wq and set the state
 * (prepare_to_wait), re-check, sleep.  The waker changes the socket and
 * then wakes the queue, so a change made between the check and the sleep
 * finds the sleeper queued and makes it runnable: no wake-up is lost.  The
 * re-check is under the lock the change was made under: the core lock
 * (sk_wait), or for a datagram reader rx_lock (sk_wait_dgram), which
 * udp_sock_input queues under before it wakes; the datagram reader's
 * other conditions (err, rcv_shutdown), set under the core lock alone, are
 * ordered against its look by sk_wake's barrier and rx_lock's. */
#include "net/core/rps.h"
#include "net/socket/sock_internal.h"
#include "kernel/app/signal.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/obj_cache.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "kernel/wait.h"
#include "net/core/journey.h"
#include "net/core/napi.h"
#include "net/core/skbuff.h"
#include "net/core/xmit.h"
#include "net/lwip/core_lock.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include <string.h>

struct list_head sock_list = LIST_HEAD_INIT(sock_list);
static unsigned int nr_sockets;         /* core lock */
static unsigned long next_ino = 10000;  /* inode numbers, as a socket's on Linux */

/* Linux's SOCK_MIN_RCVBUF / SOCK_MIN_SNDBUF: room for at least one frame */
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608
/* a struct pbuf as the heap holds it */
#define PBUF_STRUCT_SIZE ALIGN_UP(sizeof(struct pbuf), 8)
/* Linux's limit on a msghdr's iovecs (UIO_MAXIOV) */
#define UIO_MAXIOV 1024

/* both halves in one allocation */
struct socket_alloc {
	struct socket socket;
	struct sock sk;
};

size_t sock_live_objects(void)
{
	return kmalloc_live_objects() - skb_cache_count() - sk_rx_cache_count() - udp_txbuf_count();
}

unsigned int sock_count(void)
{
	return READ_ONCE(nr_sockets);
}

u32 sock_pbuf_truesize(const struct pbuf *p)
{
	u32 t = 0;

	for (const struct pbuf *q = p; q; q = q->next)
		t += skb_pbuf_is_rx_buffer(q) ? SKB_RX_BUF_TRUESIZE
					      : PBUF_STRUCT_SIZE + ALIGN_UP((u32)q->len, 8);
	return t + sizeof(struct sk_rx);
}

struct socket *sock_alloc(int family, int type, int *err)
{
	struct socket_alloc *a;

	net_core_assert_locked(__func__);
	if (nr_sockets >= SOCK_MAX) {
		*err = -ENFILE;
		return NULL;
	}
	a = kzalloc(sizeof(*a));
	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	a->socket.type = (short)type;
	a->socket.family = family;
	a->socket.state = SS_UNCONNECTED;
	a->socket.ino = next_ino++;
	a->socket.sk = &a->sk;
	init_waitqueue_head(&a->socket.wq);
	a->sk.sock = &a->socket;
	a->sk.rx_lock = (struct spinlock)SPINLOCK_INIT("sk_rx");
	a->sk.rcvbuf = MAX(READ_ONCE(sysctl_rmem_default), SOCK_MIN_RCVBUF);
	a->sk.sndbuf = MAX(READ_ONCE(sysctl_wmem_default), SOCK_MIN_SNDBUF);
	a->sk.rcvtimeo = a->sk.sndtimeo = MAX_SCHEDULE_TIMEOUT;
	a->sk.busy_read_us = (unsigned int)MAX(READ_ONCE(sysctl_net_busy_read), 0);
	list_add_tail(&a->sk.node, &sock_list);
	nr_sockets++;
	return &a->socket;
}

void sock_free(struct socket *sock)
{
	struct socket_alloc *a = container_of(sock, struct socket_alloc, socket);

	net_core_assert_locked(__func__);
	list_del_init(&a->sk.node);
	nr_sockets--;
	kfree(a);
}

int sock_create(int family, int type, int protocol, struct socket **res)
{
	int kind = type & SOCK_TYPE_MASK, err = 0;
	struct socket *sock;

	if (!res)
		return -EINVAL;
	*res = NULL;
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol && protocol != (kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
		return -EPROTONOSUPPORT;
	net_core_lock();
	sock = sock_alloc(family, kind, &err);
	net_core_unlock();
	if (!sock)
		return err;
	if (type & SOCK_NONBLOCK)
		sock->flags |= O_NONBLOCK;
	*res = sock;
	return 0;
}

void sock_set_nonblock(struct socket *sock, bool on)
{
	if (on)
		__atomic_or_fetch(&sock->flags, O_NONBLOCK, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&sock->flags, ~(unsigned int)O_NONBLOCK, __ATOMIC_RELAXED);
}

/* --- addresses --- */

u8 sock_ip_type(const struct sock *sk)
{
	if (sk->sock->family == AF_INET)
		return IPADDR_TYPE_V4;
	return sk->v6only ? IPADDR_TYPE_V6 : IPADDR_TYPE_ANY;
}

int sock_addr_from6(const struct sock *sk, const struct sockaddr *a, int len, ip_addr_t *ip,
		    u16 *port)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)a;
	const u32 *w = in6->sin6_addr.s6_addr32;

	/* an AF_INET6 socket also takes a sockaddr_in6 of 24 bytes
	 * (RFC 2133's, without the scope), as Linux */
	if (len < 24)
		return -EINVAL;
	if (a->sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	*port = lwip_ntohs(in6->sin6_port);
	if (!w[0] && !w[1] && w[2] == PP_HTONL(0xffff)) {
		if (sk->v6only)
			return -ENETUNREACH;
		ip_addr_set_zero_ip4(ip);       /* v4-mapped: IPv4 inside */
		ip_2_ip4(ip)->addr = w[3];
		return 0;
	}
	if (!w[0] && !w[1] && !w[2] && !w[3] && !sk->v6only) {
		ip_addr_set_any_val(true, *ip);
		IP_SET_TYPE_VAL(*ip, IPADDR_TYPE_ANY);  /* :: takes both families */
		return 0;
	}
	ip_addr_set_zero_ip6(ip);
	memcpy(ip_2_ip6(ip)->addr, w, 16);
	ip6_addr_clear_zone(ip_2_ip6(ip));
	if (len >= (int)sizeof(*in6) && in6->sin6_scope_id)
		ip6_addr_set_zone(ip_2_ip6(ip), (u8)in6->sin6_scope_id);
	return 0;
}

void sock_addr_to6(const ip_addr_t *ip, u16 port, struct sockaddr *a, int *len)
{
	struct sockaddr_in6 in6;
	int n;

	memset(&in6, 0, sizeof(in6));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = lwip_htons(port);
	if (ip && IP_IS_V4(ip)) {
		in6.sin6_addr.s6_addr32[2] = PP_HTONL(0xffff);
		in6.sin6_addr.s6_addr32[3] = ip_2_ip4(ip)->addr;
	} else if (ip && IP_IS_V6(ip)) {
		memcpy(in6.sin6_addr.s6_addr32, ip_2_ip6(ip)->addr, 16);
		in6.sin6_scope_id = ip6_addr_zone(ip_2_ip6(ip));
	}
	n = sizeof(in6);
	if (a && len && *len > 0)
		memcpy(a, &in6, (size_t)MIN(*len, n));
	if (len)
		*len = n;
}

/* --- the receive queue --- */

struct sock_rx_stats sock_rx_stats;

/* Queue entries kept for reuse, as Linux keeps skbs in a slab cache: a
 * datagram queued and read takes one and gives it back instead of a
 * kmalloc and a kfree (each a lock taken with interrupts off, plus
 * kmalloc's debug bookkeeping) per datagram.  One list per CPU (kernel/
 * obj_cache.h), guarded by bottom halves off on that CPU: entries are
 * taken in lwIP's receive callbacks (under the core lock, bottom halves
 * off) and given back by a datagram reader that holds no lock but keeps
 * bottom halves off for it, or under the core lock.  A hard IRQ handler
 * never touches them.  A flow whose reader runs on another CPU than its
 * NET_RX moves entries from one CPU's list to the other's (the full one
 * gives its overflow to kmalloc), as Linux's slab does with remote frees. */
DEFINE_PER_CPU(struct obj_cache, sk_rx_pcpu);
static const struct obj_cache_kind sk_rx_cache = {
	&sk_rx_pcpu, SK_RX_CACHE_MAX, sizeof(struct sk_rx),
};
u64 sk_rx_cache_hits;

unsigned int sk_rx_cache_count(void)
{
	return obj_cache_len(&sk_rx_cache);
}

struct pbuf *sock_rx_condense_copy(struct pbuf *p)
{
	struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);

	if (!q) {
		sock_rx_stats.dma_queued++;     /* no memory: queued as it is */
		return p;
	}
	pbuf_free(p);
	sock_rx_stats.copied++;
	return q;
}

void sk_wake(struct sock *sk)
{
	struct wait_queue_head *wq = &sk->sock->wq;

	/* nobody queued: no wake-up (the wait queue's lock, the readiness
	 * bits) for each datagram a busy reader has not waited for.  None
	 * is lost: a sleeper (sk_wait) queues itself and looks at the
	 * socket under the core lock, which the waker holds too; a poller
	 * queues itself first and then takes the core lock to look, so it
	 * sees what a waker that found it not yet queued changed.  A
	 * datagram reader (sk_wait_dgram) looks under rx_lock alone: at a
	 * queued datagram, which the waker queued under rx_lock, and at
	 * err and rcv_shutdown, set under the core lock only; the barrier
	 * orders such a store before this look at the wait queue, as the
	 * reader's rx_lock orders its queueing before its look at them
	 * (Linux's wq_has_sleeper) */
	mb();
	if (READ_ONCE(wq->head.next) == &wq->head)
		return;
	wake_up_poll(wq, sk_poll_mask(sk));
}

void sk_mark_napi_id(struct sock *sk)
{
	struct napi_struct *n = softnet_data_this_cpu()->polling;

	/* a backlog (RPS) or a device-less napi has none: the last NIC's stays */
	if (n && n->napi_id)
		sk->napi_id = n->napi_id;
}

void sk_rx_queue(struct sock *sk, struct sk_rx *e)
{
	e->next = NULL;
	sk_rx_bh_check();
	spin_lock(&sk->rx_lock);
	if (sk->rx_tail)
		sk->rx_tail->next = e;
	else
		WRITE_ONCE(sk->rx_head, e);
	sk->rx_tail = e;
	sk->rx_count++;
	sk->rx_bytes += e->p->tot_len;
	WRITE_ONCE(sk->rmem_alloc, sk->rmem_alloc + e->truesize);
	spin_unlock(&sk->rx_lock);
	/* after the unlock: a reader whose look under rx_lock came first
	 * was on the wait queue before it (sk_wake) */
	sk_wake(sk);
}

struct sk_rx *sk_rx_pop(struct sock *sk)
{
	struct sk_rx *e;

	sk_rx_bh_check();
	spin_lock(&sk->rx_lock);
	e = sk->rx_head;
	if (e)
		sk_rx_unlink(sk, e);
	spin_unlock(&sk->rx_lock);
	return e;
}

void sk_rx_purge(struct sock *sk)
{
	struct sk_rx *e;

	while ((e = sk_rx_pop(sk)))
		sk_rx_free(e);
}

/* --- waiting --- */

/* Sleep until ready(sk) or *timeo jiffies pass; with core_locked the core
 * lock is held on entry and on return and dropped to sleep.  0 when ready,
 * -EAGAIN when the time ran out (at once for *timeo == 0: the non-blocking
 * case); for an application thread with a signal pending, Linux's
 * sock_intr_errno: -ERESTARTSYS without a timeout, -EINTR with one
 * (kernel/app/signal.h). */
static int sk_wait_until(struct sock *sk, bool (*ready)(struct sock *sk), unsigned long *timeo,
			 bool core_locked)
{
	struct wait_queue_entry we;
	bool forever = *timeo == MAX_SCHEDULE_TIMEOUT;
	int rc = 0;

	init_wait_entry(&we);
	for (;;) {
		prepare_to_wait(&sk->sock->wq, &we, TASK_UNINTERRUPTIBLE);
		if (ready(sk))
			break;
		if (!*timeo) {
			rc = -EAGAIN;
			break;
		}
		if (app_signal_pending()) {
			rc = forever ? -ERESTARTSYS : -EINTR;
			break;
		}
		if (core_locked)
			net_core_unlock();
		/* what this thread's sends left for later goes before it sleeps */
		if (dev_xmit_deferred_pending())
			dev_xmit_flush_deferred();
		*timeo = schedule_timeout(*timeo);
		if (core_locked)
			net_core_lock();
	}
	finish_wait(&sk->sock->wq, &we);
	return rc;
}

/* the waits of the calls that hold the core lock */
static int sk_wait(struct sock *sk, bool (*ready)(struct sock *sk), unsigned long *timeo)
{
	return sk_wait_until(sk, ready, timeo, true);
}

static unsigned long sock_timeo(const struct socket *sock, unsigned long t, int flags)
{
	if ((flags & (MSG_DONTWAIT | O_NONBLOCK)) || (READ_ONCE(sock->flags) & O_NONBLOCK))
		return 0;
	return t;
}

/* --- calls --- */

int sock_bind(struct socket *sock, const struct sockaddr *addr, int len)
{
	struct sock *sk = sock->sk;
	ip_addr_t ip;
	u16 port;
	int rc;

	net_core_lock();
	rc = sock_addr_from(sk, addr, len, &ip, &port);
	if (!rc)
		rc = sock->type == SOCK_DGRAM ? udp_sock_bind(sk, &ip, port)
					      : tcp_sock_bind(sk, &ip, port);
	net_core_unlock();
	return rc;
}

int sock_listen(struct socket *sock, int backlog)
{
	int rc;

	if (sock->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	net_core_lock();
	rc = tcp_sock_listen(sock->sk, backlog);
	net_core_unlock();
	return rc;
}

/* a connection, or no longer listening; shutdown() of the listener ends
 * the wait too (Linux: accept then fails with EINVAL), which is how an
 * application's exit_group frees a thread blocked in accept */
static bool acc_ready(struct sock *sk)
{
	return sk->acc_head || !sk->listening || sk->rcv_shutdown;
}

int sock_accept(struct socket *sock, struct socket **newsock, int flags)
{
	struct sock *sk = sock->sk, *child;
	unsigned long timeo = sock_timeo(sock, sk->rcvtimeo, 0);
	int rc;

	if (!newsock)
		return -EINVAL;
	*newsock = NULL;
	if (sock->type != SOCK_STREAM)
		return -EOPNOTSUPP;
	net_core_lock();
	if (!sk->listening) {
		net_core_unlock();
		return -EINVAL;
	}
	rc = sk_wait(sk, acc_ready, &timeo);
	if (!rc && (!sk->listening || (!sk->acc_head && sk->rcv_shutdown)))
		rc = -EINVAL;
	if (rc) {
		net_core_unlock();
		return rc;
	}
	child = sk->acc_head;
	sk->acc_head = child->acc_next;
	if (!sk->acc_head)
		sk->acc_tail = NULL;
	sk->acc_count--;
	child->acc_next = NULL;
	net_core_unlock();
	if (flags & O_NONBLOCK)
		child->sock->flags |= O_NONBLOCK;
	*newsock = child->sock;
	return 0;
}

static bool conn_done(struct sock *sk)
{
	return !sk->connecting;
}

int sock_connect(struct socket *sock, const struct sockaddr *addr, int len, int flags)
{
	struct sock *sk = sock->sk;
	unsigned long timeo;
	ip_addr_t ip;
	u16 port = 0;
	int rc;

	net_core_lock();
	if (sock->type == SOCK_DGRAM) {
		bool unspec = addr && len >= (int)sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC;

		rc = unspec ? 0 : sock_addr_from(sk, addr, len, &ip, &port);
		if (!rc)
			rc = udp_sock_connect(sk, &ip, port, unspec);
		net_core_unlock();
		return rc;
	}
	if (sk->connecting) {
		net_core_unlock();
		return -EALREADY;
	}
	if (sock->state == SS_CONNECTED) {
		net_core_unlock();
		return -EISCONN;
	}
	rc = sock_addr_from(sk, addr, len, &ip, &port);
	if (!rc)
		rc = tcp_sock_connect(sk, &ip, port);
	if (rc) {
		net_core_unlock();
		return rc;
	}
	timeo = sock_timeo(sock, sk->sndtimeo, flags);
	if (!timeo) {
		net_core_unlock();
		return -EINPROGRESS;
	}
	rc = sk_wait(sk, conn_done, &timeo);
	if (rc == -EAGAIN)
		rc = -EINPROGRESS;      /* SO_SNDTIMEO ran out: Linux's answer too */
	else if (sk->err) {
		rc = -sk->err;
		sk->err = 0;
	}
	net_core_unlock();
	return rc;
}

/* total bytes of msg's iovecs, or -EINVAL (inline: each send and receive
 * asks it first) */
static inline __attribute__((always_inline)) long iov_total(const struct msghdr *msg)
{
	size_t total = 0;

	if (!msg || msg->msg_iovlen < 0 || (msg->msg_iovlen && !msg->msg_iov))
		return -EINVAL;
	if (msg->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	for (int i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_len && !msg->msg_iov[i].iov_base)
			return -EFAULT;
		total += msg->msg_iov[i].iov_len;
		if (total > 0x7ffff000)
			return -EINVAL;
	}
	return (long)total;
}

static bool snd_ready(struct sock *sk)
{
	return sk->err || sk->reset || sk->snd_shutdown || !sk->pcb.tcp ||
	       tcp_sock_sndspace(sk) > 0;
}

/* sock_sendmsg of a stream socket, total bytes (checked); out of line, so
 * that the datagram send pays for none of its frame */
static __noinline long sock_sendmsg_stream(struct socket *sock, const struct msghdr *msg,
					   long total, int flags)
{
	struct sock *sk = sock->sk;
	unsigned long timeo;
	long done = 0;
	int rc;

	net_core_lock();
	timeo = sock_timeo(sock, sk->sndtimeo, flags);
	while (done < total) {
		long n;

		if (sk->err) {
			rc = -sk->err;
			sk->err = 0;
			done = done ? done : rc;
			break;
		}
		if (sk->snd_shutdown || sk->reset) {
			done = done ? done : -EPIPE;
			break;
		}
		if (sock->state != SS_CONNECTED || !sk->pcb.tcp) {
			done = done ? done : -ENOTCONN;
			break;
		}
		n = tcp_sock_send(sk, msg, (size_t)done, (size_t)(total - done));
		if (n < 0) {
			done = done ? done : n;
			break;
		}
		done += n;
		if (done == total)
			break;
		rc = sk_wait(sk, snd_ready, &timeo);
		if (rc) {
			done = done ? done : rc;
			break;
		}
	}
	net_core_unlock();
	return done;
}

long sock_sendmsg(struct socket *sock, const struct msghdr *msg, int flags)
{
	long total = iov_total(msg);

	if (total < 0)
		return total;
	/* tail calls: each returns to our caller itself */
	if (sock->type == SOCK_DGRAM)
		return udp_sock_sendmsg(sock->sk, msg, (size_t)total);
	return sock_sendmsg_stream(sock, msg, total, flags);
}

static bool rcv_ready(struct sock *sk)
{
	return sk->rx_head || sk->err || sk->rcv_shutdown || sk->reset ||
	       (sk->sock->type == SOCK_STREAM && sk->sock->state != SS_CONNECTED);
}

/* napi_busy_loop's end: input (or an end of it) queued, or a signal for
 * the thread (Linux's busy_loop_timeout and signal_pending); a look
 * without a lock: the caller reads under the lock its protocol's reads
 * take (rx_lock for a datagram, the core lock for a stream) */
static bool sk_busy_loop_end(void *arg)
{
	struct sock *sk = arg;

	return READ_ONCE(sk->rx_head) || READ_ONCE(sk->err) || READ_ONCE(sk->rcv_shutdown) ||
	       READ_ONCE(sk->reset) || app_signal_pending();
}

/* Linux's sk_busy_loop before a blocking read sleeps: poll the napi the
 * socket's input last came through for busy_read_us, without the core
 * lock (the poll's input takes it); true when input came */
static bool sk_busy_poll(struct sock *sk)
{
	/* the replies this thread's sends left for later go first */
	if (dev_xmit_deferred_pending())
		dev_xmit_flush_deferred();
	return napi_busy_loop(READ_ONCE(sk->napi_id), sk_busy_loop_end, sk,
			      READ_ONCE(sk->busy_read_us));
}

/* sk_busy_poll for a caller holding the core lock, dropped meanwhile */
static bool sk_busy_loop(struct sock *sk)
{
	bool found;

	net_core_unlock();
	found = sk_busy_poll(sk);
	net_core_lock();
	return found;
}

/* what ends a datagram reader's wait: a datagram, an error, SHUT_RD.
 * Under rx_lock: a datagram queued after this look was queued after the
 * reader went on the wait queue, and its waker wakes it (sk_rx_queue) */
static bool dgram_ready(struct sock *sk)
{
	bool ready;

	local_bh_disable();
	spin_lock(&sk->rx_lock);
	ready = sk->rx_head || READ_ONCE(sk->err) || READ_ONCE(sk->rcv_shutdown);
	spin_unlock(&sk->rx_lock);
	local_bh_enable();
	return ready;
}

/* the wait of a datagram socket's reader, which holds no lock: until
 * dgram_ready(sk) or *timeo jiffies pass, sk_wait_until's answers */
static int sk_wait_dgram(struct sock *sk, unsigned long *timeo)
{
	return sk_wait_until(sk, dgram_ready, timeo, false);
}

/* sock_recvmsg of a datagram socket, without the core lock: a queued
 * datagram is taken under rx_lock (udp_sock_recv); with none, the
 * socket's error, end (SHUT_RD: 0) or a wait, as the stream loop below */
static long sock_recv_dgram(struct sock *sk, struct msghdr *msg, size_t total, int flags,
			    unsigned long timeo)
{
	bool busy_tried = false;
	long n;
	int rc;

	/* busy polling's debug view: a blocking read that will not loop */
	if (READ_ONCE(sk->busy_read_us) && timeo) {
		bool queued = READ_ONCE(sk->rx_head) != NULL;

		if (queued || !READ_ONCE(sk->napi_id))
			__atomic_fetch_add(queued ? &napi_busy_debug.read_queued
						  : &napi_busy_debug.read_no_napi, 1, __ATOMIC_RELAXED);
	}
	for (;;) {
		n = udp_sock_recv(sk, msg, total, flags);
		if (n != -EAGAIN)
			return n;
		/* Linux's sock_error: taken once, by one reader */
		if (READ_ONCE(sk->err) && (rc = __atomic_exchange_n(&sk->err, 0, __ATOMIC_RELAXED)))
			return -rc;
		if (READ_ONCE(sk->rcv_shutdown))
			return 0;
		/* once per call, before the first sleep (a blocking read) */
		if (!busy_tried && timeo && READ_ONCE(sk->busy_read_us) && READ_ONCE(sk->napi_id)) {
			busy_tried = true;
			if (sk_busy_poll(sk))
				continue;
		}
		rc = sk_wait_dgram(sk, &timeo);
		if (rc)
			return rc;
	}
}

/* sock_recvmsg of a stream socket, total bytes (checked); out of line, so
 * that the datagram read pays for none of its frame */
static __noinline long sock_recvmsg_stream(struct socket *sock, struct msghdr *msg, long total,
					   int flags, unsigned long timeo)
{
	struct sock *sk = sock->sk;
	bool busy_tried = false;
	long done = 0;
	int rc;

	net_core_lock();
	if (sock->type == SOCK_STREAM && sock->state != SS_CONNECTED && !sk->rx_head) {
		net_core_unlock();
		return sock->state == SS_CONNECTING ? -EAGAIN : -ENOTCONN;
	}
	/* busy polling's debug view: a blocking read that will not loop */
	if (sk->busy_read_us && timeo && (sk->rx_head || !sk->napi_id))
		__atomic_fetch_add(sk->rx_head ? &napi_busy_debug.read_queued
					       : &napi_busy_debug.read_no_napi, 1, __ATOMIC_RELAXED);
	for (;;) {
		if (sk->rx_head) {
			long n = tcp_sock_recv(sk, msg, (size_t)(total - done), flags);

			if (n < 0) {
				done = done ? done : n;
				break;
			}
			done += n;
			if (done >= total || !(flags & MSG_WAITALL) || (flags & MSG_PEEK))
				break;
			continue;
		}
		if (done && !(flags & MSG_WAITALL))
			break;
		if (sk->err) {
			rc = -sk->err;
			sk->err = 0;
			done = done ? done : rc;
			break;
		}
		if (sk->rcv_shutdown || sk->reset)
			break;                  /* end of stream: 0 */
		/* once per call, before the first sleep (a blocking read) */
		if (!busy_tried && timeo && sk->busy_read_us && sk->napi_id) {
			busy_tried = true;
			if (sk_busy_loop(sk))
				continue;
		}
		rc = sk_wait(sk, rcv_ready, &timeo);
		if (rc) {
			done = done ? done : rc;
			break;
		}
		if (!sk->rx_head && sock->type == SOCK_STREAM && sock->state != SS_CONNECTED &&
		    !sk->rcv_shutdown && !sk->reset && !sk->err)
			break;
	}
	net_core_unlock();
	return done;
}

long sock_recvmsg(struct socket *sock, struct msghdr *msg, int flags)
{
	struct sock *sk = sock->sk;
	unsigned long timeo = sock_timeo(sock, sk->rcvtimeo, flags);
	long total = iov_total(msg);

	if (total < 0)
		return total;
	msg->msg_flags = 0;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* RFS: the flow follows the CPU its reader runs on (Linux
	 * inet_recvmsg's sock_rps_record_flow) */
	rps_record_sock_flow(READ_ONCE(sk->rxhash));
	if (sock->type == SOCK_DGRAM)
		return sock_recv_dgram(sk, msg, (size_t)total, flags, timeo);
	return sock_recvmsg_stream(sock, msg, total, flags, timeo);
}

int sock_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int rc = 0;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	net_core_lock();
	if (sock->type == SOCK_STREAM && sock->state != SS_CONNECTED && !sk->listening) {
		net_core_unlock();
		return -ENOTCONN;
	}
	if (sock->type == SOCK_DGRAM && !sk->udp_connected) {
		rc = -ENOTCONN;         /* Linux too, and still marks it shut */
	}
	if (how != SHUT_WR)
		sk->rcv_shutdown = true;
	if (how != SHUT_RD)
		sk->snd_shutdown = true;
	if (sock->type == SOCK_STREAM)
		rc = tcp_sock_shutdown(sk, how != SHUT_WR, how != SHUT_RD);
	sk_wake(sk);
	net_core_unlock();
	return rc;
}

/* --- options --- */

static int opt_int(const void *optval, unsigned int optlen, int *v)
{
	if (!optval || optlen < sizeof(int))
		return -EINVAL;
	memcpy(v, optval, sizeof(int));
	return 0;
}

static int opt_timeo(const void *optval, unsigned int optlen, unsigned long *t)
{
	struct sock_timeval tv;

	if (!optval || optlen < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, optval, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*t = 1;                 /* Linux: a negative time is the shortest wait */
		return 0;
	}
	if (!tv.tv_sec && !tv.tv_usec) {
		*t = MAX_SCHEDULE_TIMEOUT;      /* 0: no timeout */
		return 0;
	}
	if (tv.tv_sec > 86400 * 365)
		*t = MAX_SCHEDULE_TIMEOUT;
	else
		*t = msecs_to_jiffies((unsigned int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000));
	return 0;
}

int sock_setsockopt(struct socket *sock, int level, int optname, const void *optval,
		    unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int v = 0, rc = 0;

	net_core_lock();
	if (level == SOL_SOCKET) {
		switch (optname) {
		case SO_RCVBUF:
			if (!(rc = opt_int(optval, optlen, &v))) {
				/* Linux's sock_setsockopt: clamp by rmem_max, double */
				v = MIN(MAX(v, 0), READ_ONCE(sysctl_rmem_max));
				v = MIN(v, 0x7fffffff / 2);
				sk->rcvbuf = MAX(v * 2, SOCK_MIN_RCVBUF);
			}
			break;
		case SO_SNDBUF:
			if (!(rc = opt_int(optval, optlen, &v))) {
				v = MIN(MAX(v, 0), READ_ONCE(sysctl_wmem_max));
				v = MIN(v, 0x7fffffff / 2);
				sk->sndbuf = MAX(v * 2, SOCK_MIN_SNDBUF);
				sk_wake(sk);
			}
			break;
		case SO_REUSEADDR:
			if (!(rc = opt_int(optval, optlen, &v)))
				sk->reuseaddr = v != 0;
			break;
		case SO_KEEPALIVE:
			if (!(rc = opt_int(optval, optlen, &v))) {
				sk->keepalive = v != 0;
				if (sock->type == SOCK_STREAM)
					tcp_sock_apply_opts(sk);
			}
			break;
		case SO_RCVTIMEO:
			rc = opt_timeo(optval, optlen, &sk->rcvtimeo);
			break;
		case SO_BUSY_POLL:
			/* Linux: microseconds, not negative (raising it asks
			 * CAP_NET_ADMIN there; an application here has it all) */
			if (!(rc = opt_int(optval, optlen, &v)))
				rc = v < 0 ? -EINVAL : 0;
			if (!rc)
				sk->busy_read_us = (unsigned int)v;
			break;
		case SO_SNDTIMEO:
			rc = opt_timeo(optval, optlen, &sk->sndtimeo);
			break;
		case SO_BROADCAST:
		case SO_REUSEPORT:
		case SO_OOBINLINE:
		case SO_DONTROUTE:
		case SO_LINGER:
			rc = optval && optlen >= sizeof(int) ? 0 : -EINVAL;   /* accepted, no effect */
			break;
		default:
			rc = -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP) {
		if (sock->type != SOCK_STREAM)
			rc = -ENOPROTOOPT;
		else if (optname == TCP_NODELAY) {
			if (!(rc = opt_int(optval, optlen, &v))) {
				sk->nodelay = v != 0;
				tcp_sock_apply_opts(sk);
			}
		} else if (optname == TCP_KEEPIDLE || optname == TCP_KEEPINTVL ||
			   optname == TCP_KEEPCNT) {
			rc = opt_int(optval, optlen, &v);
			if (!rc && v < 1)
				rc = -EINVAL;
		} else {
			rc = -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_IPV6 && optname == IPV6_V6ONLY) {
		if (sock->family != AF_INET6)
			rc = -ENOPROTOOPT;
		else if (sk->pcb.any)
			rc = -EINVAL;           /* Linux: only before bind */
		else if (!(rc = opt_int(optval, optlen, &v)))
			sk->v6only = v != 0;
	} else {
		rc = -ENOPROTOOPT;
	}
	net_core_unlock();
	return rc;
}

int sock_getsockopt(struct socket *sock, int level, int optname, void *optval,
		    unsigned int *optlen)
{
	struct sock *sk = sock->sk;
	struct sock_timeval tv;
	const void *src = &tv;
	unsigned int n = sizeof(int);
	int v = 0, rc = 0;

	if (!optval || !optlen)
		return -EFAULT;
	net_core_lock();
	if (level == SOL_SOCKET) {
		switch (optname) {
		case SO_RCVBUF:    v = sk->rcvbuf; break;
		case SO_SNDBUF:    v = sk->sndbuf; break;
		case SO_REUSEADDR: v = sk->reuseaddr; break;
		case SO_KEEPALIVE: v = sk->keepalive; break;
		case SO_TYPE:      v = sock->type; break;
		case SO_DOMAIN:    v = sock->family; break;
		case SO_PROTOCOL:  v = sock->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP; break;
		case SO_ACCEPTCONN: v = sk->listening; break;
		case SO_BUSY_POLL: v = (int)sk->busy_read_us; break;
		case SO_ERROR:
			/* as a datagram reader takes it (sock_recv_dgram) */
			v = __atomic_exchange_n(&sk->err, 0, __ATOMIC_RELAXED);
			break;
		case SO_RCVTIMEO:
		case SO_SNDTIMEO: {
			unsigned long t = optname == SO_RCVTIMEO ? sk->rcvtimeo : sk->sndtimeo;
			u64 ms = t == MAX_SCHEDULE_TIMEOUT ? 0 : (u64)t * 1000 / HZ;

			tv.tv_sec = (s64)(ms / 1000);
			tv.tv_usec = (s64)(ms % 1000) * 1000;
			n = sizeof(tv);
			break;
		}
		default:
			rc = -ENOPROTOOPT;
		}
	} else if (level == IPPROTO_TCP && sock->type == SOCK_STREAM) {
		if (optname == TCP_NODELAY)
			v = sk->nodelay;
		else if (optname == TCP_MAXSEG)
			v = sk->pcb.tcp ? tcp_mss(sk->pcb.tcp) : TCP_ETH_MSS;
		else if (optname == TCP_INFO) {
			struct sock_tcp_info ti;

			tcp_sock_info(sk, &ti);
			net_core_unlock();
			/* the head of it for a short optlen, as Linux */
			n = MIN(*optlen, (unsigned int)sizeof(ti));
			memcpy(optval, &ti, n);
			*optlen = n;
			return 0;
		} else
			rc = -ENOPROTOOPT;
	} else if (level == IPPROTO_IPV6 && optname == IPV6_V6ONLY && sock->family == AF_INET6) {
		v = sk->v6only;
	} else {
		rc = -ENOPROTOOPT;
	}
	net_core_unlock();
	if (rc)
		return rc;
	if (n == sizeof(int))
		src = &v;
	if (*optlen < n && n != sizeof(int))
		return -EINVAL;
	n = MIN(n, *optlen);
	memcpy(optval, src, n);
	*optlen = n;
	return 0;
}

int sock_getname(struct socket *sock, struct sockaddr *addr, int *len, int peer)
{
	struct sock *sk = sock->sk;
	ip_addr_t ip;
	u16 port = 0;

	if (!len || *len < 0)
		return -EINVAL;
	net_core_lock();
	ip_addr_set_zero(&ip);
	if (sock->family == AF_INET6)
		IP_SET_TYPE_VAL(ip, IPADDR_TYPE_V6);
	if (peer) {
		bool conn = sock->type == SOCK_DGRAM ? sk->udp_connected
						     : sock->state == SS_CONNECTED && sk->pcb.tcp;

		if (!conn) {
			net_core_unlock();
			return -ENOTCONN;
		}
		if (sock->type == SOCK_DGRAM) {
			ip = sk->pcb.udp->remote_ip;
			port = sk->pcb.udp->remote_port;
		} else {
			ip = sk->pcb.tcp->remote_ip;
			port = sk->pcb.tcp->remote_port;
		}
	} else if (sk->pcb.any && !sk->listening) {
		if (sock->type == SOCK_DGRAM) {
			ip = sk->pcb.udp->local_ip;
			port = sk->pcb.udp->local_port;
		} else {
			ip = sk->pcb.tcp->local_ip;
			port = sk->pcb.tcp->local_port;
		}
	} else if (sk->pcb.any) {
		const struct tcp_pcb_listen *l = (const struct tcp_pcb_listen *)sk->pcb.any;

		ip = l->local_ip;
		port = l->local_port;
	}
	sock_addr_to(sk, &ip, port, addr, len);
	net_core_unlock();
	return 0;
}

unsigned int sk_poll_mask(struct sock *sk)
{
	struct socket *sock = sk->sock;
	unsigned int mask = 0;

	if (sk->err)
		mask |= EPOLLERR;
	if (sock->type == SOCK_DGRAM) {
		if (sk->rx_head)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (sk->rcv_shutdown)
			mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
		if (sk->rcv_shutdown && sk->snd_shutdown)
			mask |= EPOLLHUP;
		mask |= EPOLLOUT | EPOLLWRNORM;
		return mask;
	}
	if (sk->listening)
		return mask | (sk->acc_head ? EPOLLIN | EPOLLRDNORM : 0);
	if ((sk->rcv_shutdown && sk->snd_shutdown) || sk->reset)
		mask |= EPOLLHUP;
	if (sk->rcv_shutdown || sk->reset)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (sk->rx_head)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (sock->state == SS_CONNECTED) {
		if (sk->snd_shutdown || sk->reset || tcp_sock_sndspace(sk) > 0)
			mask |= EPOLLOUT | EPOLLWRNORM;
	} else if (sock->state == SS_UNCONNECTED && !sk->connecting) {
		/* never connected (bound or not), or a connect that failed:
		 * Linux reports a TCP_CLOSE socket writable and hung up */
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLHUP;
	}
	return mask;
}

unsigned int sock_poll(struct socket *sock, struct poll_table_struct *pt)
{
	unsigned int mask;

	poll_wait(&sock->wq, pt);
	net_core_lock();
	mask = sk_poll_mask(sock->sk);
	net_core_unlock();
	return mask;
}

void sock_release(struct socket *sock)
{
	struct sock *sk;

	if (!sock)
		return;
	sk = sock->sk;
	net_core_lock();
	if (sock->type == SOCK_DGRAM)
		udp_sock_release(sk);
	else
		tcp_sock_release(sk);
	sk_rx_purge(sk);
	/* pollers still queued are told it is gone */
	wake_up_poll(&sock->wq, EPOLLHUP | EPOLLERR);
	sock_free(sock);
	net_core_unlock();
}

bool sock_proc_lookup(const void *pcb, struct sock_proc_info *out)
{
	struct sock *sk;

	net_core_assert_locked(__func__);
	list_for_each_entry(sk, &sock_list, node) {
		if (sk->pcb.any != pcb || !pcb)
			continue;
		out->ino = sk->sock->ino;
		out->family = sk->sock->family;
		out->drops = READ_ONCE(sk->drops);
		if (sk->sock->type == SOCK_DGRAM) {
			/* truesize, as Linux's; a reader may be taking a
			 * datagram meanwhile (rx_lock, not the core lock) */
			out->rx_queue = READ_ONCE(sk->rmem_alloc);
			out->tx_queue = 0;                      /* sent at once */
		} else if (sk->listening) {
			/* Linux's get_tcp4_sock: the accept queue's length and
			 * write_seq - snd_una, 0; ss shows the backlog instead */
			out->rx_queue = sk->acc_count;
			out->tx_queue = 0;
			out->backlog = (u32)sk->backlog;
		} else {
			out->rx_queue = sk->rx_bytes;           /* unread bytes, as Linux's */
			out->tx_queue = tcp_sock_tx_queue(sk);
		}
		return true;
	}
	return false;
}

/* len bytes of p's chain from p_off to dst, with the copy that stops at a
 * faulting user page (an application's buffer unmapped meanwhile); the
 * bytes copied */
static size_t pbuf_copy_out(const struct pbuf *p, size_t p_off, char *dst, size_t len)
{
	size_t done = 0;

	for (; p && done < len; p = p->next) {
		size_t n, left;

		if (p_off >= p->len) {
			p_off -= p->len;
			continue;
		}
		n = MIN(p->len - p_off, len - done);
		left = uaccess_copy(dst + done, (const char *)p->payload + p_off, n);
		done += n - left;
		if (left)
			break;
		p_off = 0;
	}
	return done;
}

size_t sock_copy_to_iov_walk(const struct msghdr *msg, size_t off, const struct pbuf *p,
			     u32 p_off, size_t len)
{
	size_t done = 0;

	for (int i = 0; i < msg->msg_iovlen && done < len; i++) {
		const struct iovec *v = &msg->msg_iov[i];
		size_t n, c;

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		n = MIN(v->iov_len - off, len - done);
		c = pbuf_copy_out(p, (size_t)p_off + done, (char *)v->iov_base + off, n);
		done += c;
		if (c < n)
			break;
		off = 0;
	}
	return done;
}

size_t sock_copy_from_iov_walk(const struct msghdr *msg, size_t off, void *dst, size_t len)
{
	char *d = dst;

	for (int i = 0; i < msg->msg_iovlen && len; i++) {
		const struct iovec *v = &msg->msg_iov[i];
		size_t n, left;

		if (off >= v->iov_len) {
			off -= v->iov_len;
			continue;
		}
		n = MIN(v->iov_len - off, len);
		left = uaccess_copy(d, (const char *)v->iov_base + off, n);
		d += n - left;
		if (left)
			break;
		len -= n;
		off = 0;
	}
	return (size_t)(d - (char *)dst);
}

int sock_lwip_err(int err)
{
	switch (err) {
	case ERR_OK:     return 0;
	case ERR_MEM:    return -ENOBUFS;
	case ERR_BUF:    return -ENOBUFS;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE:    return -ENETUNREACH;
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_VAL:    return -EINVAL;
	case ERR_WOULDBLOCK: return -EAGAIN;
	case ERR_USE:    return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN:   return -ENOTCONN;
	case ERR_IF:     return -ENETDOWN;
	case ERR_ABRT:   return -ECONNABORTED;
	case ERR_RST:    return -ECONNRESET;
	case ERR_CLSD:   return -ENOTCONN;
	case ERR_ARG:    return -EINVAL;
	default:         return -EIO;
	}
}
