/* The receive core: per-CPU softnet_data, the NET_RX/NET_TX softirqs, the
 * backlog queue for non-NAPI receive, delivery up the stack, and the
 * net.core.* tunables.  Drivers reach the stack only through these calls
 * (and net/core/skbuff.h, net/core/napi.h). */
#ifndef NET_CORE_DEV_H
#define NET_CORE_DEV_H

#include "kernel/spinlock.h"

#include "kernel/list.h"
#include "kernel/percpu.h"
#include "kernel/types.h"
#include "net/core/napi.h"
#include "net/core/skbuff.h"

/* netif_rx() / netif_receive_skb() results (Linux values) */
#define NET_RX_SUCCESS 0
#define NET_RX_DROP    1

/* Per-CPU receive state (Linux struct softnet_data).  The counters are the
 * columns of /proc/net/softnet_stat. */
/* Flow limit (Linux net/core/dev.c skb_flow_limit): on a CPU of
 * net.core.flow_limit_cpu_bitmap whose backlog is at least half full, a
 * frame whose flow holds more than half of the last FLOW_LIMIT_HISTORY
 * frames is dropped (dropped and flow_limit_count), so small flows still
 * pass.  The table length is fixed (net.core.flow_limit_table_len, read
 * only). */
#define FLOW_LIMIT_HISTORY   128
#define FLOW_LIMIT_TABLE_LEN 4096
extern int flow_limit_cpu_bitmap;

/* devices one CPU may hold deferred TX tails for (net/core/xmit.h) */
#define XMIT_DEFERRED_DEVS 4

struct softnet_data {
	struct list_head poll_list;          /* scheduled napis; interrupts off to change */
	struct sk_buff_head input_pkt_queue; /* netif_rx() backlog, netdev_max_backlog long */
	struct napi_struct backlog;          /* polls input_pkt_queue */
	struct sk_buff_head completion_queue;/* dev_kfree_skb_irq(): freed in NET_TX */
	u32 processed;        /* skbs delivered by netif_receive_skb */
	u32 dropped;          /* backlog full */
	u32 time_squeeze;     /* net_rx_action stopped (budget/time) with work left */
	u32 received_rps;     /* RPS IPIs received (net/core/rps.c) */
	u32 flow_limit_count; /* flow limit drops (no flow limit here: 0) */
	u32 net_rx_runs;      /* net_rx_action calls */
	bool in_napi_poll;    /* a napi's poll runs (what it sends may wait for its end) */
	/* A thread's send with more to come (net/core/xmit.h, "Deferred
	 * tails"): while xmit_defer is set the qdisc passes NETDEV_TX_MORE
	 * and a driver may leave its tail write; the devices that did are in
	 * xmit_deferred (added to by this CPU's sender with bottom halves
	 * off, taken whole by an xchg of xmit_deferred_n with preemption off:
	 * dev_xmit_flush_deferred). */
	bool xmit_defer;
	u8 xmit_deferred_n;
	u16 xmit_deferred_frames;    /* deferred since the last flush */
	struct net_device *xmit_deferred[XMIT_DEFERRED_DEVS];
	/* guards input_pkt_queue, input_queue_tail and the backlog napi's
	 * idle transition: netif_rx on this CPU from any context (a hard
	 * IRQ with napi=off, softirq, thread), other CPUs' NET_RX (RPS,
	 * netif_rx_cpu), this CPU's process_backlog (softirq); always with
	 * interrupts off */
	struct spinlock input_lock;
	/* flow limit (Linux struct sd_flow_limit), under input_lock: the
	 * flows of the last FLOW_LIMIT_HISTORY frames queued, and how many
	 * of them each table bucket holds */
	u16 flow_history[FLOW_LIMIT_HISTORY];
	u16 flow_history_head;
	u8 flow_buckets[FLOW_LIMIT_TABLE_LEN];
	struct napi_struct *polling; /* that napi (napi_gro_receive's), or NULL */
	/* RFS's ordering check (Linux input_queue_head/tail), under
	 * input_lock: frames ever queued on input_pkt_queue, and ever taken
	 * off it; a flow may move off this CPU once head has passed the
	 * tail its last frame got */
	u32 input_queue_tail;
	u32 input_queue_head;
	/* frames a napi poll on this CPU handed to netif_receive_skb, held
	 * for the stack's list handler (at most net.core.gro_normal_batch, none past
	 * the poll: netif_receive_skb_list_flush); this CPU's softirq only */
	struct sk_buff_head rx_list;
	/* net_rx_action runs; the CPUs whose backlog napi it scheduled by
	 * RPS, each sent one IPI at its end (net_rps_send_ipi); this CPU's
	 * softirq only */
	bool in_rx_action;
	u32 rps_ipi_mask;
};

/* frames the backlog delivers to the stack's list handler at once, at
 * most: the lwIP core lock is taken once for them, and held for them all */
#define NET_RX_LIST_BATCH 16
/* net.core.gro_normal_batch's default: frames a napi poll holds for one
 * delivery to the stack's list handler.  1 (each frame goes up at once,
 * as Linux before 5.4 had it), not Linux's 8: under QEMU's TCG a poll
 * spends tens of microseconds a frame, so holding 8 holds the first
 * reply for the whole batch, and with 8 requests in flight the echo goes
 * lock-step, one interrupt and one halt per batch (bench/udpcost.py, 1
 * CPU, 64 B x8, two idle rounds each, replies/s: e1000 32.7k/31.4k at 8
 * against 42.0k/34.0k at 1, igb 32.9k/28.0k against 42.7k/31.9k; guest
 * interrupts per request 0.10-0.14 against 0.05-0.07).  8 is one sysctl
 * away. */
#define GRO_NORMAL_BATCH_DEFAULT 1

/* net.core.* tunables (validated through net_sysctl_set or the cmdline) */
extern int netdev_budget;        /* frames per NET_RX run, default 300 */
extern int netdev_budget_usecs;  /* time per NET_RX run, default 2000 */
extern int dev_weight;           /* per-napi frames per poll, default 64 */
extern int gro_normal_batch;     /* frames a poll holds for one delivery, default 1 */
extern int netdev_max_backlog;   /* input_pkt_queue length, default 1000 */
/* socket buffers (net/socket/): a new socket's, and the most SO_RCVBUF /
 * SO_SNDBUF may ask before doubling; default 212992 each */
extern int sysctl_rmem_default, sysctl_rmem_max, sysctl_wmem_default, sysctl_wmem_max;
/* net.core.busy_read: microseconds a new socket's blocking reads poll the
 * NIC before they sleep (its SO_BUSY_POLL; net/core/napi.h), 0: none */
extern int sysctl_net_busy_read;

#define NETDEV_BUDGET_DEFAULT       300
#define NETDEV_BUDGET_USECS_DEFAULT 2000
#define DEV_WEIGHT_DEFAULT          64
#define NETDEV_MAX_BACKLOG_DEFAULT  1000

/* Set a tunable by its sysctl name ("net.core.netdev_budget", ...).
 * Returns 0, -ENOENT for an unknown name, -EINVAL for a value out of range,
 * -EPERM for a read-only one (net.ipv4.*: lwIP's build-time settings). */
int net_sysctl_set(const char *name, long value);
/* Read one (a read-only vector: its first value); -ENOENT for an unknown name. */
int net_sysctl_get(const char *name, long *value);
/* Its value(s) as Linux prints them ("300", "93440\t93440\t93440"),
 * snprintf-style into buf; the length, or -ENOENT. */
#define NET_SYSCTL_VALS_MAX 3
int net_sysctl_format(const char *name, char *buf, size_t size);
/* Set a tunable from text, as a write to its /proc/sys file: a number
 * (blanks and a newline around it allowed), or a mask's hex; 0, -ENOENT,
 * -EPERM (read-only), -EINVAL, or the setting's own error */
int net_sysctl_store(const char *name, const char *text);
/* true for a tunable written as text, not a number (a CPU mask) */
bool net_sysctl_is_text(const char *name);
/* the name of tunable idx (0..), or NULL past the last */
const char *net_sysctl_name(unsigned int idx);

/* Initialise softnet_data and open NET_RX/NET_TX; once, before any driver. */
int net_dev_init(void);

/* RPS: skb onto cpu's backlog (netdev_max_backlog long: over it, counted
 * in that CPU's dropped and freed), the backlog napi scheduled there by an
 * IPI when the queue was empty (received_rps counts them there).  Not from
 * hard IRQ context or with interrupts off (the IPI could not be sent):
 * -EINVAL, skb still the caller's.  NET_RX_SUCCESS or NET_RX_DROP.
 * qtail (may be NULL): the input_queue_tail that CPU's backlog reached
 * with skb (RFS's last_qtail). */
int netif_rx_cpu(unsigned int cpu, struct sk_buff *skb, u32 *qtail);

/* every CPU's softnet_data (dev.c says who writes what); reach it through
 * these two */
extern struct softnet_data softnet_data[NR_CPUS];

/* this CPU's softnet_data (inline: the receive path, the socket calls and
 * the deferred tails ask for it several times a frame) */
static inline struct softnet_data *softnet_data_this_cpu(void)
{
	return &softnet_data[smp_processor_id()];
}

/* cpu's softnet_data, NULL past the last CPU online */
struct softnet_data *softnet_data_cpu(unsigned int cpu);

/* Deliver skb up the stack now (NAPI poll, softirq context); consumes it.
 * Counts processed; timestamps it if the driver did not. */
int netif_receive_skb(struct sk_buff *skb);
/* Queue skb to this CPU's backlog for the NET_RX softirq (non-NAPI
 * drivers, any context including hard IRQ); consumes it.  NET_RX_DROP and
 * the dropped counter when the backlog holds netdev_max_backlog skbs. */
int netif_rx(struct sk_buff *skb);

/* Where netif_receive_skb delivers (the lwIP glue sets it); the handler
 * consumes the skb.  Without one, skbs are dropped as UNHANDLED_PROTO.
 * Returns the previous handler. */
typedef int (*net_rx_handler_t)(struct sk_buff *skb);
net_rx_handler_t netif_set_rx_handler(net_rx_handler_t fn);

/* The stack's batch delivery (Linux's netif_receive_skb_list): the handler
 * takes every skb off list, each through netif_receive_skb_one, in order
 * (the lwIP glue holds its core lock around them).  It stands for the rx
 * handler pair and is used only while that one is set (a selftest that
 * sets its own gets its frames one by one).  With it, the frames
 * netif_receive_skb gets inside a napi poll wait on this CPU's rx_list,
 * net.core.gro_normal_batch at most, delivered before the poll ends
 * (napi_complete_done, napi_poll).  fn NULL: none. */
typedef void (*net_rx_list_handler_t)(struct sk_buff_head *list);
void netif_set_rx_list_handler(net_rx_list_handler_t fn, net_rx_handler_t pair);
/* one skb up as netif_receive_skb does without batching: counted in
 * softnet_stat's processed, the packet taps, the journey, then fn (NULL:
 * dropped as UNHANDLED_PROTO).  NET_RX_SUCCESS or NET_RX_DROP. */
int netif_receive_skb_one(struct sk_buff *skb, net_rx_handler_t fn);
/* every skb on list (taken off it), in order, after what this CPU's napi
 * poll holds: through the list handler, or one by one without one */
void netif_receive_skb_list(struct sk_buff_head *list);
/* what this CPU's rx_list holds, to the list handler now; softirq */
void netif_receive_skb_list_flush(void);
/* the RPS IPIs this CPU's net_rx_action deferred (rps_ipi_mask), one per
 * target CPU; interrupts on, at the end of net_rx_action */
void net_rps_send_ipi(void);

/* Free an skb from hard IRQ context: queued and freed by NET_TX, counted
 * under reason then (SKB_CONSUMED for a normal end such as TX completion). */
void dev_kfree_skb_irq_reason(struct sk_buff *skb, enum skb_drop_reason reason);
void dev_kfree_skb_irq(struct sk_buff *skb);
/* dev_kfree_skb_irq in interrupt context or with interrupts off, else consume_skb */
void dev_kfree_skb_any(struct sk_buff *skb);

/* the softirq handlers (exported for tests) */
void net_rx_action(void);
void net_tx_action(void);

/* Format /proc/net/softnet_stat (Linux layout: 13 hex columns per CPU);
 * returns the length needed, as snprintf does. */
int softnet_stat_show(char *buf, size_t size);

#endif
