/* The kernel socket API (Linux's net/socket.c kernel_* calls, in shape):
 * sockets over lwIP's raw API, for kernel threads and for the system-call
 * layer that applications reach through musl.
 *
 * Every call returns 0 (or a byte count, or a poll mask) on success and a
 * negative errno value (kernel/errno.h, Linux's numbers) on failure.
 * Pointers are kernel pointers: the caller has copied an application's
 * arguments in (barenet runs applications in the kernel's address space,
 * so "copying" is the caller's check of lengths, not a page walk).
 *
 * Constants and structures are Linux's uapi ones, same numbers and same
 * layouts, so that musl's struct sockaddr_in, struct msghdr and the
 * SO_* / MSG_* values pass through unchanged.
 *
 * Blocking: a call that has to wait sleeps on the socket's wait queue
 * (sk_wq) with Linux's prepare_to_wait / re-check / schedule pattern, and
 * is woken from NET_RX (lwIP's callbacks, under the core lock; a datagram
 * socket's reader waits without it, sock_internal.h's rx_lock) or by a
 * timeout (SO_RCVTIMEO / SO_SNDTIMEO: -EAGAIN when it expires, as Linux).
 * O_NONBLOCK on the socket (sock_set_nonblock) or MSG_DONTWAIT on the call
 * make it return -EAGAIN (-EINPROGRESS for connect) at once.  Thread
 * context only (a kernel thread or an application thread); never from
 * softirq or with the lwIP core lock held.
 *
 * Readiness: sock_poll() returns EPOLL* bits and, given a poll table,
 * queues the table's entry on sk_wq (poll_wait); the socket wakes its
 * queue with the new readiness bits as the key (wake_up_poll) whenever
 * one may have turned on: data queued, a connection to accept, send space
 * freed, an error, the peer's FIN. */
#ifndef NET_SOCKET_SOCKET_H
#define NET_SOCKET_SOCKET_H

#include "kernel/types.h"
#include "kernel/wait.h"

/* --- Linux uapi constants --- */

/* address families (include/linux/socket.h) */
#define AF_UNSPEC       0
#define AF_INET         2
#define AF_INET6        10
#define PF_INET         AF_INET
#define PF_INET6        AF_INET6

/* socket types, and the flags socket()/accept4() take in type */
#define SOCK_STREAM     1
#define SOCK_DGRAM      2
#define SOCK_TYPE_MASK  0xf
#define SOCK_NONBLOCK   04000           /* = O_NONBLOCK */
#define SOCK_CLOEXEC    02000000        /* = O_CLOEXEC (the fd layer's) */

/* file status flag the socket keeps (fcntl F_SETFL, accept flags) */
#ifndef O_NONBLOCK
#define O_NONBLOCK      04000
#endif

/* protocols (include/uapi/linux/in.h) */
#define IPPROTO_IP      0
#define IPPROTO_TCP     6
#define IPPROTO_UDP     17
#define IPPROTO_IPV6    41

/* setsockopt levels and options (include/uapi/asm-generic/socket.h) */
#define SOL_SOCKET      1
#define SO_DEBUG        1
#define SO_REUSEADDR    2
#define SO_TYPE         3
#define SO_ERROR        4
#define SO_DONTROUTE    5
#define SO_BROADCAST    6
#define SO_SNDBUF       7
#define SO_RCVBUF       8
#define SO_KEEPALIVE    9
#define SO_OOBINLINE    10
#define SO_LINGER       13
#define SO_REUSEPORT    15
#define SO_RCVLOWAT     18
#define SO_SNDLOWAT     19
#define SO_RCVTIMEO     20              /* SO_RCVTIMEO_OLD: struct timeval, 64-bit */
#define SO_SNDTIMEO     21
#define SO_ACCEPTCONN   30
#define SO_PROTOCOL     38
#define SO_DOMAIN       39
#define SO_BUSY_POLL    46              /* microseconds a blocking read polls the NIC */
/* TCP level (include/uapi/linux/tcp.h) */
#define TCP_NODELAY     1
#define TCP_MAXSEG      2
#define TCP_KEEPIDLE    4
#define TCP_KEEPINTVL   5
#define TCP_KEEPCNT     6
#define TCP_INFO        11
/* IPv6 level (include/uapi/linux/in6.h) */
#define IPV6_V6ONLY     26

/* send/recv flags (include/linux/socket.h) */
#define MSG_OOB         0x1
#define MSG_PEEK        0x2
#define MSG_DONTROUTE   0x4
#define MSG_CTRUNC      0x8
#define MSG_TRUNC       0x20
#define MSG_DONTWAIT    0x40
#define MSG_EOR         0x80
#define MSG_WAITALL     0x100
#define MSG_NOSIGNAL    0x4000
#define MSG_MORE        0x8000

/* shutdown() how */
#define SHUT_RD         0
#define SHUT_WR         1
#define SHUT_RDWR       2

/* poll bits (include/uapi/linux/eventpoll.h, = POLL* of poll.h) */
#define EPOLLIN         0x001
#define EPOLLPRI        0x002
#define EPOLLOUT        0x004
#define EPOLLERR        0x008
#define EPOLLHUP        0x010
#define EPOLLNVAL       0x020
#define EPOLLRDNORM     0x040
#define EPOLLRDBAND     0x080
#define EPOLLWRNORM     0x100
#define EPOLLWRBAND     0x200
#define EPOLLRDHUP      0x2000

/* the most sockets at once (the EMFILE-like limit: sock_create returns
 * -ENFILE past it, as Linux when the system-wide file table is full; the
 * fd layer has its own per-process limit that gives EMFILE) */
#define SOCK_MAX        1024

/* --- Linux uapi structures, musl's layouts --- */

typedef u16 sa_family_t;
typedef u32 socklen_t;

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

struct in_addr {
	u32 s_addr;                     /* network byte order */
};

struct sockaddr_in {
	sa_family_t sin_family;
	u16 sin_port;                   /* network byte order */
	struct in_addr sin_addr;
	u8 sin_zero[8];
};

struct in6_addr {
	union {
		u8 s6_addr[16];
		u16 s6_addr16[8];
		u32 s6_addr32[4];
	};
};

struct sockaddr_in6 {
	sa_family_t sin6_family;
	u16 sin6_port;                  /* network byte order */
	u32 sin6_flowinfo;
	struct in6_addr sin6_addr;
	u32 sin6_scope_id;
};

/* big enough for any address family above (Linux's is 128 bytes) */
struct sockaddr_storage {
	sa_family_t ss_family;
	char __ss_pad[128 - sizeof(sa_family_t)];
} __aligned(8);

struct iovec {
	void *iov_base;
	size_t iov_len;
};

/* musl's x86-64 layout: int msg_iovlen and socklen_t msg_controllen, each
 * padded to 8 bytes, which is the kernel's size_t layout on little endian */
struct msghdr {
	void *msg_name;
	socklen_t msg_namelen;
	int __pad0;
	struct iovec *msg_iov;
	int msg_iovlen;
	int __pad1;
	void *msg_control;
	socklen_t msg_controllen;
	int __pad2;
	int msg_flags;
};

/* SO_RCVTIMEO / SO_SNDTIMEO (64-bit struct timeval) */
struct sock_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

struct linger {
	int l_onoff;
	int l_linger;
};

/* --- the socket --- */

struct sock;                            /* the protocol side, net/socket/ */

/* Socket states (Linux's socket_state) */
enum socket_state {
	SS_FREE = 0,
	SS_UNCONNECTED,
	SS_CONNECTING,
	SS_CONNECTED,
	SS_DISCONNECTING,
};

struct socket {
	short type;                     /* SOCK_STREAM or SOCK_DGRAM */
	short state;                    /* enum socket_state */
	int family;                     /* AF_INET or AF_INET6 */
	unsigned int flags;             /* O_NONBLOCK */
	unsigned long ino;              /* the inode number /proc/net and ss show */
	struct wait_queue_head wq;      /* readers, writers, pollers */
	struct sock *sk;
};

/* A poll table: poll_wait() calls qproc to queue the caller's entry on
 * the socket's wait queue (Linux's poll_table).  NULL, or a NULL qproc:
 * only the mask is wanted. */
struct poll_table_struct {
	void (*qproc)(struct wait_queue_head *wq, struct poll_table_struct *pt);
	unsigned int key;               /* the events the caller is after */
};

static inline void poll_wait(struct wait_queue_head *wq, struct poll_table_struct *pt)
{
	if (pt && pt->qproc)
		pt->qproc(wq, pt);
}

/* A new socket of family (AF_INET, AF_INET6), type (SOCK_STREAM,
 * SOCK_DGRAM; SOCK_NONBLOCK may be or-ed in; SOCK_CLOEXEC is ignored here)
 * and protocol (0 or the type's IPPROTO_*) in *res.  -EAFNOSUPPORT,
 * -ESOCKTNOSUPPORT / -EPROTONOSUPPORT, -EINVAL (res NULL), -ENFILE past
 * SOCK_MAX sockets, -ENOMEM. */
int sock_create(int family, int type, int protocol, struct socket **res);
/* bind to a local address (port 0: an ephemeral port).  -EINVAL (bad
 * length or family, already bound), -EADDRINUSE, -EADDRNOTAVAIL */
int sock_bind(struct socket *sock, const struct sockaddr *addr, int len);
/* stream sockets: start listening, backlog clamped to [1, 255]; a
 * connection past the backlog is refused and counted (ListenOverflows) */
int sock_listen(struct socket *sock, int backlog);
/* take a connection from a listening socket (O_NONBLOCK in flags: the new
 * socket's flag); blocks unless the listener is non-blocking: -EAGAIN.
 * -EINVAL if not listening. */
int sock_accept(struct socket *sock, struct socket **newsock, int flags);
/* stream: connect and wait for the handshake (flags O_NONBLOCK or the
 * socket's flag: -EINPROGRESS at once, the result in SO_ERROR later;
 * -EALREADY while it runs, -EISCONN after); -ECONNREFUSED, -ETIMEDOUT.
 * datagram: set the default peer (AF_UNSPEC: clear it). */
int sock_connect(struct socket *sock, const struct sockaddr *addr, int len, int flags);
/* send the iovecs of msg (to msg_name for a datagram socket); the bytes
 * taken.  Stream: blocks for send space unless non-blocking (then the
 * bytes that fitted, or -EAGAIN); -EPIPE after shutdown or the peer's
 * reset.  Datagram: -EMSGSIZE past 65507 bytes, -EDESTADDRREQ. */
long sock_sendmsg(struct socket *sock, const struct msghdr *msg, int flags);
/* receive into the iovecs of msg; the bytes copied (datagram with
 * MSG_TRUNC: the datagram's length), 0 at the peer's FIN.  msg_name gets
 * the source address, msg_namelen its length; msg_flags MSG_TRUNC when a
 * datagram did not fit.  MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL. */
long sock_recvmsg(struct socket *sock, struct msghdr *msg, int flags);
/* SHUT_RD, SHUT_WR, SHUT_RDWR; -ENOTCONN when not connected */
int sock_shutdown(struct socket *sock, int how);
/* Socket options (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6), optval a kernel
 * pointer of optlen bytes; -ENOPROTOOPT for an unknown one, -EINVAL for a
 * short optlen. */
int sock_setsockopt(struct socket *sock, int level, int optname, const void *optval,
		    unsigned int optlen);
/* getsockopt(IPPROTO_TCP, TCP_INFO): Linux's struct tcp_info (include/
 * uapi/linux/tcp.h, as far as musl's netinet/tcp.h has it: 232 bytes),
 * filled from lwIP's tcp_pcb by tcp_sock_info() (net/socket/sock_tcp.c),
 * which says which fields lwIP cannot fill.  Times in microseconds,
 * windows in segments of snd_mss, as Linux.  A shorter optlen gets the
 * head of it, as Linux. */
struct sock_tcp_info {
	u8 state, ca_state, retransmits, probes, backoff, options;
	u8 wscale;                      /* snd_wscale : 4, rcv_wscale : 4 */
	u8 app_limited_flags;
	u32 rto, ato, snd_mss, rcv_mss;
	u32 unacked, sacked, lost, retrans, fackets;
	u32 last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	u32 pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
	u32 rcv_rtt, rcv_space, total_retrans;
	u64 pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
	u32 segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
	u64 delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
	u32 delivered, delivered_ce;
	u64 bytes_sent, bytes_retrans;
	u32 dsack_dups, reord_seen, rcv_ooopack, snd_wnd;
};
_Static_assert(sizeof(struct sock_tcp_info) == 232, "struct tcp_info as musl's");

/* *optlen: in, the room at optval; out, the bytes written */
int sock_getsockopt(struct socket *sock, int level, int optname, void *optval,
		    unsigned int *optlen);
/* the local (peer 0) or remote (peer 1) address; *len in/out as
 * getsockname(2).  -ENOTCONN for the peer of an unconnected socket. */
int sock_getname(struct socket *sock, struct sockaddr *addr, int *len, int peer);
/* The EPOLL* bits ready now (EPOLLIN|EPOLLRDNORM, EPOLLOUT|EPOLLWRNORM,
 * EPOLLERR, EPOLLHUP, EPOLLRDHUP); queues pt's entry on sock->wq first. */
unsigned int sock_poll(struct socket *sock, struct poll_table_struct *pt);
/* set or clear the socket's O_NONBLOCK (fcntl F_SETFL, FIONBIO) */
void sock_set_nonblock(struct socket *sock, bool on);
/* Close: unread data is freed (a stream socket with unread data resets
 * the connection, as Linux; a listener resets the connections nobody
 * accepted); sock is gone after the call.  The caller makes sure no other
 * call on sock is running or starts (the fd layer's reference count):
 * a thread asleep in sock_recvmsg would wake on freed memory. */
void sock_release(struct socket *sock);

/* sockets open now (for the limit's tests and ss) */
unsigned int sock_count(void);

#endif
