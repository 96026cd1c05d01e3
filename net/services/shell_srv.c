/* The remote shell: shell.tcp=<port> shell.token=<secret> (both on the
 * command line; off without them).  A client connects, gets "token: ",
 * sends the token as its first line, then types the serial shell's
 * commands, one a line, and reads their output; `exit` ends the session.
 *
 *   - No token, or one shorter than SHELL_TOKEN_MIN: the remote shell is
 *     refused at boot with a message, the port stays closed, the rest of
 *     the kernel runs on.  The token never shows in the log or in
 *     /proc/cmdline (CMDLINE_OPT_SECRET).
 *   - The token is compared in constant time (every byte, whatever
 *     matches); a wrong one is logged with the peer's address and counted;
 *     SHELL_TOKEN_TRIES wrong ones, or no token for 30 s, disconnect.
 *   - At most SHELL_TCP_SESSIONS at once; one more gets a line saying so
 *     and is closed.  Counters: /proc/barenet/remote_shell.
 *
 * Contexts.  lwIP's callbacks (NET_RX softirq, core lock held) only move
 * bytes and wake the session's thread: what the client sends goes into
 * the session's input ring, and the output ring goes out as the send
 * buffer allows.  Commands never run there: each session slot has a
 * thread, [shell/tcpN], which sleeps on the slot's wait queue until its
 * connection has input, a close or a timeout to handle, and runs the
 * lines in thread context like the console's thread, so a long command
 * in one session holds up neither the other sessions nor the console.
 * The thread takes the core lock (net_core_lock, a bh spinlock: never
 * held across a sleep) only around its calls into lwIP.  A command's
 * output goes to its session's output ring (shell_session: shell_write's
 * sink); when the ring is full the command sleeps until the peer's ACKs
 * free room (at most SHELL_TCP_DRAIN_S) unless it holds the core lock, in
 * which case the rest is dropped and counted.  Ctrl-C (0x03) from the
 * client stops ping as on the console (shell_getc); a peer that closes or
 * resets stops it too (shell_hungup). */
#include "net/services/shell_srv.h"
#include "fs/view.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/shell/line.h"
#include "kernel/shell/shell.h"
#include "kernel/softirq.h"
#include "kernel/time.h"
#include "kernel/wait.h"
#include "lib/seq_buf.h"
#include "net/lwip/core_lock.h"
#include "net/services/services.h"
#include "lwip/ip_addr.h"
#include "lwip/tcp.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHELL_TCP_IN_SIZE       1024    /* bytes received, not yet taken */
#define SHELL_TCP_OUT_SIZE      16384   /* output not yet handed to TCP */
#define SHELL_TCP_POLL_TICKS    2       /* lwIP's poll: every 2 x 500 ms */
#define SHELL_TCP_AUTH_S        30      /* to send the token */
#define SHELL_TCP_DRAIN_S       5       /* for a full output ring to drain */
#define SHELL_TCP_TICK_MS       1000    /* a session thread's look at its timeouts */
#define CTRL_C                  0x03
#define ASCII_PRINT_MIN         0x21    /* '!': tokens are printable, no blanks */
#define ASCII_PRINT_MAX         0x7e    /* '~' */
#define PEER_STRLEN             (IPADDR_STRLEN_MAX + 8)

#define MSG_TOKEN       "token: "
#define MSG_BUSY        "barenet: too many remote shell sessions, try later\n"
#define MSG_WELCOME     "barenet remote shell: type help for the commands, exit to leave\n"

enum conn_state { CONN_FREE, CONN_AUTH, CONN_READY };

struct shell_conn {
	struct shell_session sess;      /* shell_write's sink while its line runs */
	enum conn_state state;          /* set last by accept, FREE last by the idle loop */
	struct tcp_pcb *pcb;            /* NULL once lwIP let go of it (reset, error) */
	bool peer_fin;                  /* the client closed its side */
	bool closing;                   /* close once the output is out */
	u64 since;                      /* accept, or the close request (ktime ns) */
	unsigned int tries;
	char peer[PEER_STRLEN];
	u8 in[SHELL_TCP_IN_SIZE];       /* head: lwIP's recv; tail: the idle loop */
	u32 in_head, in_tail;
	char out[SHELL_TCP_OUT_SIZE];   /* head: the idle loop; tail: the push */
	u32 out_head, out_tail;
	char line[SHELL_LINE_MAX];
	size_t line_len;
	bool line_long;
	/* the slot's thread sleeps here; lwIP's callbacks wake it */
	struct wait_queue_head wq;
	struct task_struct *task;
};

static struct shell_conn conns[SHELL_TCP_SESSIONS];
static u16 shell_port;
static char token[SHELL_TOKEN_MAX + 1];
static size_t token_len;
/* accepted, refused: lwIP's side (core lock held); the rest: the session
 * threads, several at once, so added atomically */
static struct {
	u64 accepted, refused, auth_ok, auth_failed, auth_timeouts, commands, out_dropped;
} st;
#define ST_ADD(field, n) __atomic_fetch_add(&st.field, (n), __ATOMIC_RELAXED)

static int set_shell_tcp(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < 1 || n > 65535)
		return -EINVAL;
	shell_port = (u16)n;
	return 0;
}
CMDLINE_OPT("shell.tcp", set_shell_tcp,
	    "remote shell on this TCP port (needs shell.token=); off by default");

static int set_shell_token(const char *v)
{
	size_t n = strlen(v);

	if (n > SHELL_TOKEN_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (v[i] < ASCII_PRINT_MIN || v[i] > ASCII_PRINT_MAX)
			return -EINVAL;
	memset(token, 0, sizeof(token));
	memcpy(token, v, n);
	token_len = n;
	return 0;
}
CMDLINE_OPT_SECRET("shell.token", set_shell_token,
		   "the remote shell's token: 8..64 printable characters, no blanks");

/* every byte compared, whatever matched: the time says nothing of the token */
static bool token_matches(const char *got, size_t len)
{
	u8 diff = len != token_len;

	for (size_t i = 0; i < SHELL_TOKEN_MAX; i++)
		diff |= (u8)(token[i] ^ (i < len ? (u8)got[i] : 0));
	return !diff;
}

/* --- lwIP side: core lock held ------------------------------------------- */

/* hand the output ring to TCP as far as the send buffer takes it */
static void conn_push(struct shell_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	if (!pcb)
		return;
	for (;;) {
		u32 tail = c->out_tail, n = READ_ONCE(c->out_head) - tail;
		u32 off = tail % SHELL_TCP_OUT_SIZE;

		n = MIN(n, SHELL_TCP_OUT_SIZE - off);
		n = MIN(n, (u32)tcp_sndbuf(pcb));
		if (!n || tcp_write(pcb, c->out + off, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		WRITE_ONCE(c->out_tail, tail + n);
	}
	tcp_output(pcb);
}

/* lwIP forgets us; returns true when the pcb had to be aborted */
static bool conn_detach(struct shell_conn *c)
{
	struct tcp_pcb *pcb = c->pcb;

	if (!pcb)
		return false;
	c->pcb = NULL;
	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	if (tcp_close(pcb) == ERR_OK)
		return false;
	tcp_abort(pcb);
	return true;
}

static err_t conn_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct shell_conn *c = arg;
	u32 head = c->in_head;

	(void)err;
	if (!p) {
		c->peer_fin = true;
		wake_up(&c->wq);
		return ERR_OK;
	}
	/* no room: lwIP keeps the data and offers it again from its timer */
	if (p->tot_len > SHELL_TCP_IN_SIZE - (head - READ_ONCE(c->in_tail)))
		return ERR_MEM;
	for (struct pbuf *q = p; q; q = q->next)
		for (u16_t i = 0; i < q->len; i++)
			c->in[head++ % SHELL_TCP_IN_SIZE] = ((const u8 *)q->payload)[i];
	WRITE_ONCE(c->in_head, head);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	wake_up(&c->wq);
	return ERR_OK;
}

static err_t conn_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct shell_conn *c = arg;

	(void)pcb;
	(void)len;
	conn_push(c);
	/* room in the output ring for a waiting command, or a close */
	wake_up(&c->wq);
	return ERR_OK;
}

static err_t conn_poll(void *arg, struct tcp_pcb *pcb)
{
	(void)pcb;
	conn_push(arg);
	return ERR_OK;
}

/* the pcb is already freed (reset, or lwIP gave up) */
static void conn_err(void *arg, err_t err)
{
	struct shell_conn *c = arg;

	(void)err;
	WRITE_ONCE(c->pcb, NULL);
	wake_up(&c->wq);
}

static void conn_out_locked(struct shell_conn *c, const char *s);

static err_t shell_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct shell_conn *c = NULL;
	char peer[PEER_STRLEN], ip[IPADDR_STRLEN_MAX];

	(void)arg;
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	ipaddr_ntoa_r(&pcb->remote_ip, ip, sizeof(ip));
	snprintf(peer, sizeof(peer), "%s:%u", ip, pcb->remote_port);
	for (size_t i = 0; i < ARRAY_SIZE(conns) && !c; i++)
		if (conns[i].state == CONN_FREE)
			c = &conns[i];
	if (!c) {
		st.refused++;
		pr_warn("shell.tcp: %s refused: %d sessions already\n", peer, SHELL_TCP_SESSIONS);
		tcp_write(pcb, MSG_BUSY, sizeof(MSG_BUSY) - 1, TCP_WRITE_FLAG_COPY);
		if (tcp_close(pcb) != ERR_OK) {
			tcp_abort(pcb);
			return ERR_ABRT;
		}
		return ERR_OK;
	}
	c->peer_fin = c->closing = c->line_long = false;
	c->tries = 0;
	c->in_head = c->in_tail = c->out_head = c->out_tail = 0;
	c->line_len = 0;
	c->sess.last_status = 0;
	strlcpy(c->peer, peer, sizeof(c->peer));
	c->pcb = pcb;
	c->since = ktime_get_ns();
	st.accepted++;
	tcp_arg(pcb, c);
	tcp_recv(pcb, conn_recv);
	tcp_sent(pcb, conn_sent);
	tcp_err(pcb, conn_err);
	tcp_poll(pcb, conn_poll, SHELL_TCP_POLL_TICKS);
	tcp_nagle_disable(pcb);
	conn_out_locked(c, MSG_TOKEN);
	WRITE_ONCE(c->state, CONN_AUTH);
	wake_up(&c->wq);
	pr_info("shell.tcp: connection from %s\n", peer);
	return ERR_OK;
}

/* --- the session thread's side ------------------------------------------ */

static u32 out_room(const struct shell_conn *c)
{
	return SHELL_TCP_OUT_SIZE - (c->out_head - READ_ONCE(c->out_tail));
}

/* copy what fits into the output ring; returns the bytes taken */
static size_t out_put(struct shell_conn *c, const char *s, size_t n)
{
	size_t done = 0;

	while (done < n) {
		u32 head = c->out_head, off = head % SHELL_TCP_OUT_SIZE;
		u32 k = MIN((u32)MIN(n - done, (size_t)out_room(c)), SHELL_TCP_OUT_SIZE - off);

		if (!k)
			break;
		memcpy(c->out + off, s + done, k);
		WRITE_ONCE(c->out_head, head + k);
		done += k;
	}
	return done;
}

/* the session's own lines (prompt, messages); never waits */
static void conn_out_locked(struct shell_conn *c, const char *s)
{
	size_t n = strlen(s);

	st.out_dropped += n - out_put(c, s, n);     /* core lock held */
	conn_push(c);
}

static void conn_flush(struct shell_conn *c)
{
	if (net_core_locked() || in_interrupt())
		return;         /* pushed by the sent callback or after the line */
	net_core_lock();
	conn_push(c);
	net_core_unlock();
}

static void conn_out(struct shell_conn *c, const char *s)
{
	size_t n = strlen(s);

	ST_ADD(out_dropped, n - out_put(c, s, n));
	conn_flush(c);
}

static bool conn_hungup(struct shell_session *s)
{
	struct shell_conn *c = container_of(s, struct shell_conn, sess);

	return !READ_ONCE(c->pcb) || READ_ONCE(c->peer_fin);
}

/* a command's output: waits for room while the peer reads, within limits */
static void conn_write(struct shell_session *s, const char *buf, size_t n)
{
	struct shell_conn *c = container_of(s, struct shell_conn, sess);
	bool can_wait = !net_core_locked() && !in_interrupt();
	u64 deadline = ktime_get_ns() + SHELL_TCP_DRAIN_S * NSEC_PER_SEC;

	for (;;) {
		size_t k = out_put(c, buf, n);

		buf += k;
		n -= k;
		if (!n)
			return;
		/* a half-closed peer still reads: only a gone one stops the wait */
		if (!can_wait || !READ_ONCE(c->pcb) || ktime_get_ns() > deadline)
			break;
		conn_flush(c);
		/* the peer's ACK (conn_sent) wakes us */
		wait_event_timeout(c->wq, out_room(c) || !READ_ONCE(c->pcb), 1);
	}
	ST_ADD(out_dropped, n);
}

static int conn_getc(struct shell_session *s)
{
	struct shell_conn *c = container_of(s, struct shell_conn, sess);
	u32 tail = c->in_tail;
	u8 ch;

	if (tail == READ_ONCE(c->in_head))
		return -1;
	ch = c->in[tail % SHELL_TCP_IN_SIZE];
	WRITE_ONCE(c->in_tail, tail + 1);
	return ch;
}

static void conn_start_close(struct shell_conn *c)
{
	c->closing = true;
	c->since = ktime_get_ns();
}

/* `exit` */
static void conn_close(struct shell_session *s)
{
	conn_start_close(container_of(s, struct shell_conn, sess));
}

static void conn_free(struct shell_conn *c, const char *how)
{
	net_core_lock();
	conn_detach(c);
	net_core_unlock();
	memset(c->line, 0, sizeof(c->line));    /* may hold a token attempt */
	pr_info("shell.tcp: %s %s\n", c->peer, how);
	WRITE_ONCE(c->state, CONN_FREE);
}

/* gather input into c->line; true with a whole line there (NUL-terminated) */
static bool conn_take_line(struct shell_conn *c)
{
	int ch;

	while ((ch = conn_getc(&c->sess)) >= 0) {
		if (ch == '\n') {
			c->line[c->line_len] = '\0';
			return true;
		}
		if (ch == CTRL_C) {             /* abandon the line, as the console does */
			c->line_len = 0;
			c->line_long = false;
			if (c->state == CONN_READY) {
				c->sess.last_status = 130;      /* 128 + SIGINT */
				conn_out(c, "^C\n" SHELL_PROMPT);
			}
			continue;
		}
		if (ch == '\r')
			continue;
		if (c->line_len + 1 >= sizeof(c->line))
			c->line_long = true;
		else
			c->line[c->line_len++] = (char)ch;
	}
	return false;
}

static void conn_auth(struct shell_conn *c, bool too_long)
{
	if (!too_long && token_matches(c->line, strlen(c->line))) {
		ST_ADD(auth_ok, 1);
		c->state = CONN_READY;
		pr_info("shell.tcp: %s authenticated\n", c->peer);
		conn_out(c, MSG_WELCOME SHELL_PROMPT);
		return;
	}
	ST_ADD(auth_failed, 1);
	c->tries++;
	pr_warn("shell.tcp: wrong token from %s (%u of %u)\n", c->peer, c->tries,
		SHELL_TOKEN_TRIES);
	if (c->tries >= SHELL_TOKEN_TRIES) {
		conn_out(c, "wrong token; disconnecting\n");
		conn_start_close(c);
	} else {
		conn_out(c, "wrong token\n" MSG_TOKEN);
	}
}

/* c->line is a whole line: the token, or a command */
static void conn_line(struct shell_conn *c)
{
	bool too_long = c->line_long;

	c->line_len = 0;
	c->line_long = false;
	if (c->state == CONN_AUTH) {
		conn_auth(c, too_long);
		memset(c->line, 0, sizeof(c->line));
		return;
	}
	if (too_long) {
		c->sess.last_status = 1;
		conn_out(c, "barenet: line too long\n");
	} else {
		ST_ADD(commands, 1);
		shell_session_run(&c->sess, c->line);
	}
	if (!c->closing)
		conn_out(c, SHELL_PROMPT);
}

static void conn_service(struct shell_conn *c)
{
	u64 now = ktime_get_ns();

	if (!READ_ONCE(c->pcb)) {
		conn_free(c, "disconnected");
		return;
	}
	if (c->closing) {
		if (c->out_head == READ_ONCE(c->out_tail) ||
		    now - c->since > SHELL_TCP_DRAIN_S * NSEC_PER_SEC)
			conn_free(c, "closed");
		return;
	}
	if (c->state == CONN_AUTH && now - c->since > SHELL_TCP_AUTH_S * NSEC_PER_SEC) {
		ST_ADD(auth_timeouts, 1);
		pr_warn("shell.tcp: %s sent no token in %d s\n", c->peer, SHELL_TCP_AUTH_S);
		conn_out(c, "\ntoo late; disconnecting\n");
		conn_start_close(c);
		return;
	}
	if (conn_take_line(c))
		conn_line(c);
	else if (READ_ONCE(c->peer_fin))
		conn_start_close(c);    /* everything it sent has run */
	conn_flush(c);
}

/* the slot's connection has something for its thread to do now */
static bool conn_pending(const struct shell_conn *c)
{
	if (READ_ONCE(c->state) == CONN_FREE)
		return false;
	return READ_ONCE(c->in_head) != c->in_tail || !READ_ONCE(c->pcb) ||
	       (READ_ONCE(c->peer_fin) && !c->closing) ||
	       (c->closing && c->out_head == READ_ONCE(c->out_tail));
}

/* [shell/tcpN]: one slot's connections, one after another */
static int conn_thread(void *data)
{
	struct shell_conn *c = data;

	while (!kthread_should_stop()) {
		/* a connection's timeouts (token, drain) are looked at once a
		 * second; otherwise lwIP's callbacks wake us */
		wait_event_timeout(c->wq, conn_pending(c) || kthread_should_stop(),
				   READ_ONCE(c->state) == CONN_FREE ? MAX_SCHEDULE_TIMEOUT
						: msecs_to_jiffies(SHELL_TCP_TICK_MS));
		if (READ_ONCE(c->state) != CONN_FREE)
			conn_service(c);
	}
	return 0;
}

int shell_srv_start(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(conns); i++) {
		conns[i].sess = (struct shell_session){
			.write = conn_write, .getc = conn_getc, .hungup = conn_hungup,
			.close = conn_close,
		};
		init_waitqueue_head(&conns[i].wq);
		conns[i].wq.lock.name = "shell_conn";
	}
	if (!shell_port) {
		if (token_len)
			pr_warn("shell.token= without shell.tcp=: no remote shell\n");
		return 0;
	}
	if (token_len < SHELL_TOKEN_MIN) {
		pr_err("shell.tcp=%u refused: a remote shell needs shell.token=<secret> of "
		       "%d..%d printable characters (%s); the remote shell stays off\n",
		       shell_port, SHELL_TOKEN_MIN, SHELL_TOKEN_MAX,
		       token_len ? "the one given is too short" : "none given");
		return -EINVAL;
	}
	/* the threads first: a connection accepted at once wakes its own */
	for (size_t i = 0; i < ARRAY_SIZE(conns); i++) {
		conns[i].task = kthread_run(conn_thread, &conns[i], "shell/tcp%zu", i);
		if (!conns[i].task)
			return -ENOMEM;
	}
	if (!svc_tcp_listen(shell_port, shell_accept))
		return -ENOMEM;
	pr_info("net: remote shell on tcp/%u (token required, %d sessions)\n", shell_port,
		SHELL_TCP_SESSIONS);
	return 0;
}

static int remote_shell_show(char *buf, size_t size, const char *const *args)
{
	struct seq_buf s;
	unsigned int busy = 0;

	(void)args;
	for (size_t i = 0; i < ARRAY_SIZE(conns); i++)
		busy += READ_ONCE(conns[i].state) != CONN_FREE;
	seq_buf_init(&s, buf, size);
	seq_buf_printf(&s, "port %u\nsessions %u/%d\naccepted %llu\nrefused %llu\n"
		       "auth_ok %llu\nauth_failed %llu\nauth_timeouts %llu\ncommands %llu\n"
		       "output_dropped %llu\n", shell_port, busy, SHELL_TCP_SESSIONS,
		       (unsigned long long)st.accepted, (unsigned long long)st.refused,
		       (unsigned long long)st.auth_ok, (unsigned long long)st.auth_failed,
		       (unsigned long long)st.auth_timeouts, (unsigned long long)st.commands,
		       (unsigned long long)st.out_dropped);
	return seq_buf_used(&s);
}
VIEW("/proc/barenet/remote_shell", remote_shell_show);
