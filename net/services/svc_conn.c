/* Connection slots of the TCP services: the per-source limit, the idle
 * timeout and eviction by priority (svc_conn.h says what and why).
 *
 * Eviction is lwIP's own: when tcp_alloc() finds the PCB pool empty it
 * recycles TIME_WAIT, LAST_ACK and CLOSING PCBs, then aborts the active
 * connection of the lowest priority below the new one's that has been
 * silent longest (tcp_kill_prio, which sends it a RST).  A new connection
 * inherits its listener's TCP_PRIO_NORMAL; ours drop to TCP_PRIO_MIN at
 * accept and go back to TCP_PRIO_NORMAL once they have completed a
 * request, so only those that have not are taken, the longest silent
 * first, and connections of anything else (iperf, the remote shell, the
 * guest's own) never are. */
#include "net/services/svc_conn.h"
#include "net/services/services.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "net/core/dev.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include <stdlib.h>

#define MSEC_PER_SEC 1000U

static struct svc_conn *conns;
static struct svc_conn_stats stats;

void svc_conn_get_stats(struct svc_conn_stats *st)
{
	*st = stats;
}

/* connections of the services from addr */
static int count_from(const ip_addr_t *addr)
{
	int n = 0;

	for (struct svc_conn *c = conns; c; c = c->next)
		n += ip_addr_cmp(&c->remote, addr);
	return n;
}

int svc_conn_admit(struct svc_conn *sc, struct tcp_pcb *pcb)
{
	int limit = READ_ONCE(svc_max_per_source);

	if (limit > 0 && count_from(&pcb->remote_ip) >= limit) {
		stats.refused++;
		return -EAGAIN;
	}
	sc->pcb = pcb;
	ip_addr_copy(sc->remote, pcb->remote_ip);
	sc->last_active = sys_now();
	sc->last_una = pcb->lastack;
	sc->served = false;
	sc->heard = false;
	sc->data_seq = pcb->snd_lbb;
	sc->next = conns;
	sc->pprev = &conns;
	if (conns)
		conns->pprev = &sc->next;
	conns = sc;
	stats.open++;
	stats.unserved++;
	tcp_setprio(pcb, TCP_PRIO_MIN);
	return 0;
}

void svc_conn_forget(struct svc_conn *sc)
{
	if (!sc->pprev)
		return;                 /* never admitted, or forgotten already */
	*sc->pprev = sc->next;
	if (sc->next)
		sc->next->pprev = sc->pprev;
	sc->pprev = NULL;
	sc->next = NULL;
	stats.open--;
	if (!sc->served)
		stats.unserved--;
}

void svc_conn_active(struct svc_conn *sc)
{
	sc->last_active = sys_now();
	sc->heard = true;
}

void svc_conn_served(struct svc_conn *sc)
{
	if (sc->served || !sc->pprev)
		return;
	sc->served = true;
	stats.unserved--;
	tcp_setprio(sc->pcb, TCP_PRIO_NORMAL);
}

bool svc_conn_idle(struct svc_conn *sc)
{
	u32 now = sys_now();
	int timeout = READ_ONCE(svc_idle_timeout);

	if (sc->pcb->lastack != sc->last_una) {
		sc->last_una = sc->pcb->lastack;   /* the peer acknowledged our data */
		sc->last_active = now;
	}
	/* data of ours still queued: moving, or net/lwip/tcp_guard.c's to judge */
	if (sc->pcb->unsent || sc->pcb->unacked) {
		sc->last_active = now;
		return false;
	}
	if (timeout <= 0 || now - sc->last_active < (u32)timeout * MSEC_PER_SEC)
		return false;
	stats.idle_closed++;
	return true;
}

u32 svc_tcp_room(const struct tcp_pcb *pcb)
{
	/* queued: written and not yet acknowledged (tcp_sndbuf is capped at
	 * 64 KiB, so TCP_SND_BUF less it is not) */
	u32 mss = tcp_mss(pcb), room = tcp_sndbuf(pcb);
	u32 queued = pcb->snd_lbb - pcb->lastack, ahead = pcb->snd_wnd + 2 * mss;
	u32 segs = TCP_SND_QUEUELEN > tcp_sndqueuelen(pcb) ?
		   TCP_SND_QUEUELEN - tcp_sndqueuelen(pcb) : 0;

	room = MIN(room, segs > 1 ? (segs - 1) * mss : 0);
	room = MIN(room, ahead > queued ? ahead - queued : 0);
	return MIN(room, 0xffffU);
}

/* lwIP aborts a connection for a new one only when the pool is empty:
 * tcp_abandon frees the PCB just before calling the error callback, so
 * the pool is one short of full then */
static bool tcp_pcb_pool_full(void)
{
	const struct stats_mem *m = lwip_stats.memp[MEMP_TCP_PCB];

	return m->used + 1 >= m->avail;
}

void svc_conn_error(struct svc_conn *sc, err_t err)
{
	if (err == ERR_ABRT && !sc->served && tcp_pcb_pool_full())
		stats.evicted++;
	svc_conn_forget(sc);
}

err_t svc_tcp_close(struct svc_conn *sc, struct svc_stats *st, enum svc_close_why why)
{
	struct tcp_pcb *pcb = sc->pcb;
	/* a peer that never sent a byte nor acknowledged one would not answer
	 * a FIN either (a silent hold): the PCB goes now, with a RST */
	bool silent = why == SVC_CLOSE_IDLE && !sc->heard &&
		      !TCP_SEQ_GT(pcb->lastack, sc->data_seq);

	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	svc_conn_forget(sc);
	if (!silent && tcp_close(pcb) == ERR_OK) {
		st->tcp_closed++;
		return ERR_OK;
	}
	/* silent, or no memory for the FIN: give up on the connection */
	if (silent)
		stats.idle_reset++;
	tcp_abort(pcb);
	st->tcp_aborted++;
	return ERR_ABRT;
}

/* the command line goes through the sysctl's own range check */
static int set_sysctl(const char *name, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end)
		return -EINVAL;
	return net_sysctl_set(name, n);
}

static int set_max_per_source(const char *v)
{
	return set_sysctl("net.svc.max_per_source", v);
}
CMDLINE_OPT("net.svc.max_per_source", set_max_per_source,
	    "TCP connections of the services per source address, 0 = no limit (default 128); "
	    "live: sysctl -w net.svc.max_per_source=N");

static int set_idle_timeout(const char *v)
{
	return set_sysctl("net.svc.idle_timeout", v);
}
CMDLINE_OPT("net.svc.idle_timeout", set_idle_timeout,
	    "seconds an idle echo/discard/http connection is kept, 0 = for ever (default 60)");
