/* Socket system calls for the application, over the kernel socket API
 * (net/socket/socket.h): a socket is a struct app_file whose priv is the
 * struct socket.  Each call checks the application's pointers (EFAULT),
 * copies addresses and message headers in and out, and passes the user
 * buffers themselves to sock_sendmsg/sock_recvmsg (one address space: the
 * copy into the application's buffer is the socket layer's one copy).
 * O_NONBLOCK lives on the file (fcntl, FIONBIO, SOCK_NONBLOCK) and is
 * mirrored on the socket. */
#include "kernel/app/syscall.h"
#include "kernel/app/app.h"
#include "kernel/app/fd.h"
#include "kernel/app/poll.h"
#include "kernel/app/uapi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "net/socket/sock_internal.h"
#include "net/socket/socket.h"
#include <string.h>

static long sock_file_read(struct app_file *f, void *buf, size_t len);
static long sock_file_write(struct app_file *f, const void *buf, size_t len);
static long sock_file_rwv(struct app_file *f, const struct iovec *iov, int iovcnt, bool write);

static unsigned int sock_file_poll(struct app_file *f, struct poll_table_struct *pt)
{
	return sock_poll(f->priv, pt);
}

static long sock_file_ioctl(struct app_file *f, unsigned int cmd, unsigned long arg)
{
	struct socket *sock = f->priv;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	if (sock->type == SOCK_DGRAM) {
		/* Linux: the size of the next datagram */
		struct msghdr msg = { 0 };
		long len = sock_recvmsg(sock, &msg, MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC);

		n = len > 0 ? (int)len : 0;
	} else {
		/* the bytes queued: read without the lock, as Linux's tcp_inq */
		n = (int)READ_ONCE(sock->sk->rx_bytes);
	}
	return copy_to_user(arg, &n, sizeof(n));
}

static void sock_file_set_flags(struct app_file *f, unsigned int flags)
{
	sock_set_nonblock(f->priv, flags & O_NONBLOCK);
}

static void sock_file_shutdown(struct app_file *f)
{
	sock_shutdown(f->priv, SHUT_RDWR);
}

static void sock_file_release(struct app_file *f)
{
	sock_release(f->priv);
}

static const struct app_file_ops sock_file_ops = {
	.name = "socket",
	.read = sock_file_read,
	.write = sock_file_write,
	.rwv = sock_file_rwv,
	.poll = sock_file_poll,
	.ioctl = sock_file_ioctl,
	.set_flags = sock_file_set_flags,
	.shutdown = sock_file_shutdown,
	.release = sock_file_release,
};

/* the socket of fd with a reference on its file (fd_put(*fp) after).
 * Always inline, with fd_get in it: recvfrom and sendto each start here,
 * and under QEMU's TCG a call's return is a lookup of the next
 * translated block */
static inline __attribute__((always_inline)) struct socket *sockfd_get(int fd,
									 struct app_file **fp,
									 long *err)
{
	struct app_file *f = fd_get(fd);

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	if (f->ops != &sock_file_ops) {
		fd_put(f);
		*err = -ENOTSOCK;
		return NULL;
	}
	*fp = f;
	return f->priv;
}

/* a socket into the descriptor table; its flags from SOCK_NONBLOCK */
static long sock_install(struct socket *sock, int flags)
{
	struct app_file *f = app_file_alloc(&sock_file_ops, sock);

	if (!f) {
		sock_release(sock);
		return -ENOMEM;
	}
	f->flags = O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	sock_set_nonblock(sock, flags & SOCK_NONBLOCK);
	return fd_install(f);
}

static long sys_socket(int family, int type, int protocol)
{
	struct socket *sock;
	int rc;

	if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	/* EMFILE before a socket is made (Linux checks the table first) */
	if (fd_count() >= APP_FD_MAX)
		return -EMFILE;
	rc = sock_create(family, type & ~SOCK_CLOEXEC, protocol, &sock);
	if (rc)
		return rc;
	return sock_install(sock, type);
}

/* the head of an address that addr_in zeroes past the caller's bytes: its
 * readers (sock_addr_from) look no further than the length given and a
 * sockaddr_in6, so the rest of the sockaddr_storage is left as it is */
#define ADDR_IN_ZEROED 32
_Static_assert(ADDR_IN_ZEROED >= sizeof(struct sockaddr_in6), "ADDR_IN_ZEROED");

/* an address from the application: 0 or -EFAULT/-EINVAL (copy_from_user
 * with the copy inline: sendto's every datagram comes here, and an
 * out-of-line addr_in would cost the call it saves) */
static inline __attribute__((always_inline)) int addr_in(unsigned long uaddr, int len,
							 struct sockaddr_storage *ss)
{
	if (len < 0 || (size_t)len > sizeof(*ss))
		return -EINVAL;
	memset(ss, 0, ADDR_IN_ZEROED);
	if (!access_ok(uaddr, (size_t)len) || uaccess_copy_inline(ss, (const void *)uaddr, (size_t)len))
		return -EFAULT;
	return 0;
}

/* addr_out's general case, in three steps (Linux's move_addr_to_user:
 * get_user of the room, copy_to_user, put_user of the length); out of
 * line, so that the usual case pays for no frame of its */
static __noinline int addr_out_slow(const struct sockaddr_storage *ss, int len,
				       unsigned long uaddr, unsigned long ulen)
{
	u32 room;

	if (get_user_u32(&room, ulen))
		return -EFAULT;
	if ((int)room < 0)
		return -EINVAL;
	if (copy_to_user(uaddr, ss, (size_t)((int)room < len ? (int)room : len)))
		return -EFAULT;
	return put_user_u32(ulen, (u32)len);
}

/* an address to the application: truncated to its buffer, the real
 * length in *ulen.  The usual case, the whole address inside the user
 * range, in one inline routine that does the three steps (recvfrom's
 * every datagram); the same answers either way */
static inline int addr_out(const struct sockaddr_storage *ss, int len, unsigned long uaddr,
			   unsigned long ulen)
{
	if (!uaddr)
		return 0;
	if (access_ok(uaddr, (size_t)len) && access_ok(ulen, sizeof(u32)))
		return uaccess_name_out_inline((void *)uaddr, ss, len, (u32 *)ulen);
	return addr_out_slow(ss, len, uaddr, ulen);
}

static long sys_bind_connect(int fd, unsigned long uaddr, int len, bool connect)
{
	struct sockaddr_storage ss;
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	rc = addr_in(uaddr, len, &ss);
	if (!rc)
		rc = connect ? sock_connect(sock, (struct sockaddr *)&ss, len, READ_ONCE(f->flags))
			     : sock_bind(sock, (struct sockaddr *)&ss, len);
	fd_put(f);
	return rc;
}

static long sys_listen(int fd, int backlog)
{
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	rc = sock_listen(sock, backlog);
	fd_put(f);
	return rc;
}

static long sys_accept(int fd, unsigned long uaddr, unsigned long ulen, int flags)
{
	struct sockaddr_storage ss;
	struct socket *sock, *newsock;
	struct app_file *f;
	int len = sizeof(ss), room;
	long rc = 0;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	if (uaddr && copy_from_user(&room, ulen, sizeof(room))) {
		fd_put(f);
		return -EFAULT;
	}
	if (fd_count() >= APP_FD_MAX) {
		fd_put(f);
		return -EMFILE;
	}
	rc = sock_accept(sock, &newsock, READ_ONCE(f->flags) & O_NONBLOCK);
	fd_put(f);
	if (rc)
		return rc;
	if (uaddr && sock_getname(newsock, (struct sockaddr *)&ss, &len, 1) == 0 &&
	    addr_out(&ss, len, uaddr, ulen)) {
		sock_release(newsock);
		return -EFAULT;
	}
	return sock_install(newsock, flags);
}

static long sys_getname(int fd, unsigned long uaddr, unsigned long ulen, int peer)
{
	struct sockaddr_storage ss;
	struct app_file *f;
	struct socket *sock;
	int len = sizeof(ss);
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	if (!uaddr)
		rc = -EFAULT;
	else
		rc = sock_getname(sock, (struct sockaddr *)&ss, &len, peer);
	if (!rc)
		rc = addr_out(&ss, len, uaddr, ulen);
	fd_put(f);
	return rc;
}

/* --- data --- */

/* the application's msghdr checked and copied in: iov the kernel copy of
 * its iovecs (user buffers, checked), name a kernel buffer */
struct kmsg {
	struct msghdr msg;
	struct iovec iov_small[8];
	struct iovec *iov;
	struct sockaddr_storage name;
	unsigned long uname, unamelen;
};

static int kmsg_in(struct kmsg *k, unsigned long umsg, bool recv, bool stream)
{
	struct msghdr m;
	size_t total = 0;

	if (copy_from_user(&m, umsg, sizeof(m)))
		return -EFAULT;
	if (m.msg_iovlen < 0 || m.msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	k->iov = m.msg_iovlen <= 8 ? k->iov_small : kmalloc(sizeof(struct iovec) * (size_t)m.msg_iovlen);
	if (!k->iov)
		return -ENOMEM;
	if (copy_from_user(k->iov, (unsigned long)m.msg_iov, sizeof(struct iovec) * (size_t)m.msg_iovlen))
		return -EFAULT;
	for (int i = 0; i < m.msg_iovlen; i++) {
		total += k->iov[i].iov_len;
		if ((long)k->iov[i].iov_len < 0 || (long)total < 0)
			return -EINVAL;
		if (!access_ok((unsigned long)k->iov[i].iov_base, k->iov[i].iov_len))
			return -EFAULT;
	}
	k->msg = m;
	k->msg.msg_iov = k->iov;
	k->msg.msg_control = NULL;      /* no control messages */
	k->msg.msg_controllen = 0;
	k->uname = (unsigned long)m.msg_name;
	k->msg.msg_name = NULL;
	if (m.msg_name) {
		if (recv && stream) {
			k->msg.msg_namelen = 0;         /* no source address (see recvfrom) */
		} else if (recv) {
			k->msg.msg_name = &k->name;
			k->msg.msg_namelen = sizeof(k->name);
		} else {
			int rc = addr_in((unsigned long)m.msg_name, (int)m.msg_namelen, &k->name);

			if (rc)
				return rc;
			k->msg.msg_name = &k->name;
		}
	}
	return 0;
}

static void kmsg_done(struct kmsg *k)
{
	if (k->iov && k->iov != k->iov_small)
		kfree(k->iov);
}

static long sys_sendmsg(int fd, unsigned long umsg, int flags)
{
	struct kmsg k = { 0 };
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	rc = kmsg_in(&k, umsg, false, sock->type == SOCK_STREAM);
	if (!rc)
		rc = sock_sendmsg(sock, &k.msg, flags | MSG_NOSIGNAL);
	kmsg_done(&k);
	fd_put(f);
	return rc;
}

static long sys_recvmsg(int fd, unsigned long umsg, int flags)
{
	struct kmsg k = { 0 };
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	rc = kmsg_in(&k, umsg, true, sock->type == SOCK_STREAM);
	if (!rc) {
		rc = sock_recvmsg(sock, &k.msg, flags);
		if (rc >= 0) {
			/* the header's out fields (it was read in kmsg_in) */
			unsigned long uf = umsg + __builtin_offsetof(struct msghdr, msg_flags);
			unsigned long uc = umsg + __builtin_offsetof(struct msghdr, msg_controllen);
			unsigned long un = umsg + __builtin_offsetof(struct msghdr, msg_namelen);
			socklen_t zero = 0, room;

			if (copy_to_user(uf, &k.msg.msg_flags, sizeof(k.msg.msg_flags)) ||
			    copy_to_user(uc, &zero, sizeof(zero)))
				rc = -EFAULT;
			else if (k.uname) {
				if (copy_from_user(&room, un, sizeof(room)) ||
				    copy_to_user(k.uname, &k.name, MIN(k.msg.msg_namelen, room)) ||
				    copy_to_user(un, &k.msg.msg_namelen, sizeof(socklen_t)))
					rc = -EFAULT;
			}
		}
	}
	kmsg_done(&k);
	fd_put(f);
	return rc;
}

/* a msghdr over one user buffer, its fields set one by one: an
 * initializer's zeroing becomes a rep stos here, which QEMU's TCG runs one
 * quad at a time */
static inline void msg_one(struct msghdr *msg, struct iovec *iov, unsigned long buf, size_t len)
{
	iov->iov_base = (void *)buf;
	iov->iov_len = len;
	msg->msg_name = NULL;
	msg->msg_namelen = 0;
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = NULL;
	msg->msg_controllen = 0;
	msg->msg_flags = 0;
}

long app_sys_sendto(int fd, unsigned long buf, size_t len, int flags, unsigned long uaddr,
		    int alen)
{
	struct sockaddr_storage ss;
	struct iovec iov;
	struct msghdr msg;
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	msg_one(&msg, &iov, buf, len);
	rc = 0;
	if (!access_ok(buf, len))
		rc = -EFAULT;
	else if (uaddr)
		rc = addr_in(uaddr, alen, &ss);
	if (!rc) {
		if (uaddr) {
			msg.msg_name = &ss;
			msg.msg_namelen = (socklen_t)alen;
		}
		rc = sock_sendmsg(sock, &msg, flags | MSG_NOSIGNAL);
	}
	fd_put(f);
	return rc;
}

long app_sys_recvfrom(int fd, unsigned long buf, size_t len, int flags, unsigned long uaddr,
		      unsigned long ulen)
{
	struct sockaddr_storage ss;
	struct iovec iov;
	struct msghdr msg;
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	if (!access_ok(buf, len) || (uaddr && !access_ok(ulen, 4))) {
		fd_put(f);
		return -EFAULT;
	}
	msg_one(&msg, &iov, buf, len);
	/* a stream socket reports no source address: the length written
	 * back is 0 (Linux's tcp_recvmsg sets msg_namelen 0) */
	if (uaddr && sock->type != SOCK_STREAM) {
		msg.msg_name = &ss;
		msg.msg_namelen = sizeof(ss);
	}
	rc = sock_recvmsg(sock, &msg, flags);
	if (rc >= 0 && uaddr && msg.msg_namelen <= sizeof(ss) &&
	    addr_out(&ss, (int)msg.msg_namelen, uaddr, ulen))
		rc = -EFAULT;
	fd_put(f);
	return rc;
}

static long sock_file_read(struct app_file *f, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	return sock_recvmsg(f->priv, &msg, 0);
}

static long sock_file_write(struct app_file *f, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	return sock_sendmsg(f->priv, &msg, MSG_NOSIGNAL);
}

/* readv/writev on a socket: one recvmsg/sendmsg over the pieces */
static long sock_file_rwv(struct app_file *f, const struct iovec *iov, int iovcnt, bool write)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt };

	return write ? sock_sendmsg(f->priv, &msg, MSG_NOSIGNAL) : sock_recvmsg(f->priv, &msg, 0);
}

static long sys_shutdown(int fd, int how)
{
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	rc = sock_shutdown(sock, how);
	fd_put(f);
	return rc;
}

/* options: optval copied in and out through a kernel buffer */
#define SOCKOPT_MAX 256

static long sys_setsockopt(int fd, int level, int name, unsigned long uval, int len)
{
	u8 val[SOCKOPT_MAX];
	struct app_file *f;
	struct socket *sock;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	if (len < 0)
		rc = -EINVAL;
	else if (len > SOCKOPT_MAX)
		rc = -EINVAL;
	else
		rc = copy_from_user(val, uval, (size_t)len);
	if (!rc)
		rc = sock_setsockopt(sock, level, name, val, (unsigned int)len);
	fd_put(f);
	return rc;
}

static long sys_getsockopt(int fd, int level, int name, unsigned long uval, unsigned long ulen)
{
	u8 val[SOCKOPT_MAX];
	struct app_file *f;
	struct socket *sock;
	unsigned int n;
	int len;
	long rc = 0;

	sock = sockfd_get(fd, &f, &rc);
	if (!sock)
		return rc;
	rc = copy_from_user(&len, ulen, sizeof(len));
	if (!rc && len < 0)
		rc = -EINVAL;
	if (!rc) {
		n = len > SOCKOPT_MAX ? SOCKOPT_MAX : (unsigned int)len;
		rc = sock_getsockopt(sock, level, name, val, &n);
		if (!rc)
			rc = copy_to_user(uval, val, n) ?: copy_to_user(ulen, &n, sizeof(n));
	}
	fd_put(f);
	return rc;
}

long app_syscall_net(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
		     unsigned long a4, unsigned long a5, unsigned long a6)
{
	switch (nr) {
	case SYS_socket:
		return sys_socket((int)a1, (int)a2, (int)a3);
	case SYS_bind:
		return sys_bind_connect((int)a1, a2, (int)a3, false);
	case SYS_connect:
		return sys_bind_connect((int)a1, a2, (int)a3, true);
	case SYS_listen:
		return sys_listen((int)a1, (int)a2);
	case SYS_accept:
		return sys_accept((int)a1, a2, a3, 0);
	case SYS_accept4:
		return sys_accept((int)a1, a2, a3, (int)a4);
	case SYS_getsockname:
		return sys_getname((int)a1, a2, a3, 0);
	case SYS_getpeername:
		return sys_getname((int)a1, a2, a3, 1);
	/* SYS_sendto and SYS_recvfrom never come here: app_syscall calls
	 * app_sys_sendto/app_sys_recvfrom itself, before its switch */
	case SYS_sendmsg:
		return sys_sendmsg((int)a1, a2, (int)a3);
	case SYS_recvmsg:
		return sys_recvmsg((int)a1, a2, (int)a3);
	case SYS_shutdown:
		return sys_shutdown((int)a1, (int)a2);
	case SYS_setsockopt:
		return sys_setsockopt((int)a1, (int)a2, (int)a3, a4, (int)a5);
	case SYS_getsockopt:
		return sys_getsockopt((int)a1, (int)a2, (int)a3, a4, a5);
	default:
		return app_syscall_poll(nr, a1, a2, a3, a4, a5, a6);
	}
}
