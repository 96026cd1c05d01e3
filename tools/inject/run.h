/* bn-inject: the state of one run, shared by the modes, the receiver and
 * the summary. */
#ifndef BN_INJECT_RUN_H
#define BN_INJECT_RUN_H

#include "inject.h"

enum mode { MODE_FLOOD, MODE_REPLAY, MODE_MALFORMED };

/* the good frames a flood sends */
enum proto { PROTO_UDP_ECHO, PROTO_UDP_DISCARD, PROTO_ICMP_ECHO, PROTO_MIX };

#define SIZE_MIX_MAX 16

struct options {
	enum mode mode;
	const char *pcap;            /* replay */
	const char *dgram, *bind, *stream, *iface;
	int connect_ms;
	uint64_t count;              /* 0: no limit (replay: the whole file) */
	double duration;             /* seconds, 0: no limit */
	double pps;                  /* 0: as fast as the transport takes them */
	unsigned int size_min, size_max;         /* frame bytes without FCS */
	unsigned int sizes[SIZE_MIX_MAX], nsizes;  /* --size A,B,C: a mix */
	unsigned int flows;
	enum proto proto;
	bool kinds[CAT_MAX];         /* malformed: the categories in use */
	double mix;                  /* malformed: percent of frames malformed */
	uint64_t seed;
	unsigned int window;         /* replies outstanding at most (0: open loop) */
	int linger_ms;               /* after the last frame: quiet time to wait */
	bool original_timing;        /* replay */
	bool rewrite;                /* replay: destination MAC := --dst-mac */
	bool quiet;
};

struct run {
	struct options opt;
	struct endpoints ep;
	struct transport tp;
	struct rng rng;
	bool answer_arp;
	uint64_t sent[CAT_MAX], sent_total, sent_bytes, send_errors, send_retries;
	uint64_t rx[RX_MAX], rx_total;
	uint64_t window_stalls, window_lost;
	uint64_t start_ns, end_send_ns, last_rx_ns;
	int rx_error;
};

uint64_t run_now_ns(void);
/* send one frame of category c, retrying while the transport is full; 0 or
 * -errno (counted in send_errors) */
int run_send(struct run *run, enum cat c, const uint8_t *f, size_t len);
/* run the selected mode to its end; 0 or -errno */
int run_mode(struct run *run);
/* the JSON summary on stdout and the human line on stderr */
void run_report(const struct run *run);

/* rx.c: receive whatever is waiting (waiting up to timeout_ms for the
 * first frame); the number received or -errno */
int rx_drain(struct run *run, int timeout_ms);
enum rx_kind rx_classify(struct run *run, const uint8_t *f, size_t len);

#endif
