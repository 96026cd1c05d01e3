/* pktgen: an in-kernel packet generator for the transmit path, after
 * Linux's pktgen (Documentation/networking/pktgen.rst): UDP/IPv4 frames
 * built in sk_buffs (net/core/pktbuild.h) and sent with dev_queue_xmit(),
 * so the qdisc, the driver's ndo_start_xmit and the TX ring all do their
 * usual work; count, rate (packets per second, 0 = as fast as the path
 * takes them), frame size or a min:max range, destination, ports, flows.
 *
 * Where it runs: in bounded chunks (pktgen_run) from its own thread,
 * [kpktgend_0] on CPU 0, as Linux's kpktgend_N threads.  A chunk sends at
 * most PKTGEN_BURST frames or for PKTGEN_CHUNK_NS, then returns, so the
 * shell threads and ksoftirqd get their turn between chunks (and the tick
 * preempts a chunk), and the NIC's interrupts (hence NET_RX, HTTP and the
 * TX completions) interrupt it as always.  A softirq would have been
 * simpler to pace but would run ahead of the shells; a thread does not.
 *
 * Backpressure: pktgen keeps at most half of the device's qdisc
 * (txqueuelen / 2) filled with its frames, so the stack's own traffic on
 * the same device always finds room; when the qdisc is that full the chunk
 * ends (counted in `backpressure`) and the next one tries again after the
 * next interrupt (TX completions drain the qdisc).  A frame the qdisc
 * still refuses, or that finds no memory, is counted in `errors` and never
 * sent: sent + errors = frames attempted, and the run ends when that
 * reaches count.  So a peer receives exactly `sent` frames.
 *
 * One run at a time, on one device. */
#ifndef NET_CORE_PKTGEN_H
#define NET_CORE_PKTGEN_H

#include "kernel/types.h"
#include "drivers/net/netdevice.h"

#define PKTGEN_BURST        64              /* frames per chunk at most */
#define PKTGEN_CHUNK_NS     500000ULL       /* and this long at most */
#define PKTGEN_COUNT_MAX    100000000ULL
#define PKTGEN_RATE_MAX     10000000u       /* packets per second */
#define PKTGEN_SIZE_MIN     ETH_ZLEN        /* frame without FCS, as Linux's pkt_size */
#define PKTGEN_SIZE_MAX     ETH_FRAME_LEN
#define PKTGEN_FLOWS_MAX    65535u
#define PKTGEN_UDP_PORT_DEFAULT 9           /* discard: what Linux's pktgen sends to */
#define PKTGEN_COUNT_DEFAULT 1000
#define PKTGEN_DEV_DEFAULT  "eth0"

/* the knobs of a run (Linux's names in the comments) */
struct pktgen_params {
	char ifname[IFNAMSIZ];  /* the device (add_device) */
	u64 count;              /* frames to attempt (count) */
	u32 rate_pps;           /* 0: as fast as possible (ratep) */
	u16 size_min, size_max; /* frame length without FCS (min_pkt_size, max_pkt_size) */
	u32 daddr;              /* destination, host order (dst_min); 0: not set */
	u32 saddr;              /* source (src_min); 0: the device's address */
	u8 dst_mac[ETH_ALEN];   /* (dst_mac) */
	bool dst_mac_set;       /* false: looked up in the ARP cache at start */
	u16 udp_src, udp_dst;   /* (udp_src_min, udp_dst_min) */
	u32 flows;              /* source ports udp_src .. udp_src + flows - 1, in turn (flows) */
};

enum pktgen_state { PKTGEN_IDLE, PKTGEN_RUNNING, PKTGEN_DONE };

/* the counters of the current or last run */
struct pktgen_result {
	enum pktgen_state state;
	bool stopped;           /* ended by pktgen_stop */
	int end_error;          /* the run ended early on this error (device down), else 0 */
	u64 sent;               /* frames dev_queue_xmit took (pkts-sofar) */
	u64 bytes;              /* their bytes, without FCS */
	u64 errors;             /* frames not sent: refused or no memory */
	u64 nomem;              /* of which: no skb */
	u64 backpressure;       /* chunks cut short by a half-full qdisc */
	u64 start_ns, end_ns;   /* ktime_get_ns(); end_ns 0 while running */
	u64 busy_ns;            /* time spent in chunks (the "c" of the result) */
	u32 saddr;              /* what the run used */
	u8 dst_mac[ETH_ALEN];
};

/* the defaults: eth0, 1000 frames, 60 bytes, no rate limit, port 9 */
void pktgen_params_default(struct pktgen_params *p);
/* Apply "key value" words (argv[0..argc-1], as the shell splits them) to
 * p: dev, count, rate/ratep, size/pkt_size (N or MIN:MAX), dst/dst_min,
 * src/src_min, dst_mac, udp_src/udp_src_min, udp_dst/udp_dst_min, flows.
 * Returns 0, or -EINVAL with *bad pointing at the offending word and *why
 * at a sentence; p is then unchanged.  Pure: host-testable. */
int pktgen_params_parse(struct pktgen_params *p, int argc, char **argv,
			const char **bad, const char **why);

/* Make p the configuration pktgen shows and the next start uses (the
 * defaults until then); 0, or -EBUSY while a run goes. */
int pktgen_configure(const struct pktgen_params *p);
/* Configure p and start a run with it.  0, -EBUSY (one runs), -ENODEV (no such device),
 * -ENETDOWN (device not up), -EINVAL (dst not set, frame size above the
 * device's MTU), -ENOENT (no dst_mac and no ARP entry for dst),
 * -ENODATA (no src and the device has no IPv4 address). */
int pktgen_start(const struct pktgen_params *p);
/* Stop the run now (Linux's "stop"); 0, or -ENOENT if none runs. */
int pktgen_stop(void);

/* One chunk of the running run, if any (pktgen's thread). */
void pktgen_run(void);
/* true when pktgen_run has frames it may send now; false while it waits
 * for its rate, for the qdisc, or is idle */
bool pktgen_pending(void);
/* start [kpktgend_0] (boot, after the scheduler); 0 or -ENOMEM */
int pktgen_thread_start(void);

/* the configuration, and the counters of the current or last run
 * (either may be NULL) */
void pktgen_get(struct pktgen_params *p, struct pktgen_result *r);
/* Linux's "Params:/Current:/Result:" report into buf; as snprintf */
int pktgen_show(char *buf, size_t size);
/* just the result lines ("OK: ... errors: E"), as snprintf */
int pktgen_result_line(char *buf, size_t size, const struct pktgen_result *r);

/* log the result of the current run when it ends (the pktgen= run) */
void pktgen_log_result(bool on);
/* room for pktgen_result_line */
#define PKTGEN_RESULT_MAX 160

/* the run the command line asked for (pktgen=), started once the stack
 * is up; call from kmain before the idle loop */
void pktgen_boot_start(void);

#endif
