/* bn-inject: the send loop of each mode (pacing, the reply window, the
 * end of a run) and the summary. */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define NSEC_PER_SEC    1000000000ull
#define NSEC_PER_MSEC   1000000ull
#define SEND_RETRY_NS   (5 * NSEC_PER_SEC)   /* a full transport for this long: give up */
#define WINDOW_STALL_MS 1000                 /* no reply for this long: count them lost */
#define LINGER_CAP      10                   /* wait at most linger x this at the end */
#define ARP_REQUEST     1
#define ETH_OVERHEAD    (ETH_HLEN)
#define IP_UDP_HLEN     (20 + 8)
#define IP_ICMP_HLEN    (20 + 8)
#define FLOW_PORT_BASE  20000

uint64_t run_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

int run_send(struct run *run, enum cat c, const uint8_t *f, size_t len)
{
	uint64_t give_up = 0;
	int rc;

	while ((rc = tp_send(&run->tp, f, len)) == -EAGAIN) {
		/* the socket is full: let replies in, then try again */
		if (!give_up)
			give_up = run_now_ns() + SEND_RETRY_NS;
		else if (run_now_ns() > give_up)
			break;
		run->send_retries++;
		rx_drain(run, 1);
	}
	if (rc) {
		run->send_errors++;
		return rc;
	}
	run->sent[c]++;
	run->sent_total++;
	run->sent_bytes += len;
	return 0;
}

/* replies still to come for what we sent (echo services answer each) */
static uint64_t outstanding(const struct run *run)
{
	uint64_t asked = run->sent[CAT_UDP_ECHO] + run->sent[CAT_ICMP_ECHO] +
			 run->sent[CAT_IP_OPTIONS];
	uint64_t got = run->rx[RX_UDP_ECHO] + run->rx[RX_ICMP_ECHO_REPLY] + run->window_lost;

	return asked > got ? asked - got : 0;
}

/* Wait until frame i may go: its time slot under --pps, and room in the
 * reply window.  Replies are taken in meanwhile. */
static void pace(struct run *run, uint64_t i)
{
	const struct options *o = &run->opt;

	rx_drain(run, 0);
	if (o->pps > 0) {
		uint64_t due = run->start_ns + (uint64_t)((double)i * NSEC_PER_SEC / o->pps);

		for (uint64_t now = run_now_ns(); now < due; now = run_now_ns()) {
			uint64_t left = due - now;

			if (left >= NSEC_PER_MSEC) {
				rx_drain(run, (int)(left / NSEC_PER_MSEC));
			} else {
				struct timespec ts = { 0, (long)left };

				nanosleep(&ts, NULL);
			}
		}
	}
	if (o->window) {
		while (outstanding(run) >= o->window) {
			if (rx_drain(run, WINDOW_STALL_MS) <= 0) {
				run->window_stalls++;
				run->window_lost += outstanding(run);
			}
		}
	}
}

static bool done(const struct run *run, uint64_t i)
{
	const struct options *o = &run->opt;

	if (o->count && i >= o->count)
		return true;
	if (o->duration > 0 && run_now_ns() - run->start_ns >= (uint64_t)(o->duration * NSEC_PER_SEC))
		return true;
	return run->rx_error != 0;
}

static size_t frame_size(struct run *run)
{
	const struct options *o = &run->opt;

	if (o->nsizes)
		return o->sizes[rng_next(&run->rng) % o->nsizes];
	return rng_range(&run->rng, o->size_min, o->size_max);
}

/* one good frame of the flood: flow i % flows picks the source port */
static size_t good_frame(struct run *run, uint64_t i, uint8_t *f, enum cat *c)
{
	const struct options *o = &run->opt;
	size_t size = frame_size(run);
	uint16_t sport = (uint16_t)(FLOW_PORT_BASE + i % o->flows);
	enum proto p = o->proto == PROTO_MIX ? (enum proto)(i % PROTO_MIX) : o->proto;
	size_t plen;

	if (p == PROTO_ICMP_ECHO) {
		plen = size > ETH_OVERHEAD + IP_ICMP_HLEN ? size - ETH_OVERHEAD - IP_ICMP_HLEN : 0;
		*c = CAT_ICMP_ECHO;
		return icmp_echo_frame(f, &run->ep, sport, (uint16_t)i, plen);
	}
	plen = size > ETH_OVERHEAD + IP_UDP_HLEN ? size - ETH_OVERHEAD - IP_UDP_HLEN : 0;
	*c = p == PROTO_UDP_ECHO ? CAT_UDP_ECHO : CAT_UDP_DISCARD;
	return udp_frame(f, &run->ep,
			 sport, p == PROTO_UDP_ECHO ? run->ep.echo_port : run->ep.discard_port,
			 plen, (uint16_t)i, (uint32_t)i);
}

/* a malformed kind among those selected, uniformly */
static enum cat pick_kind(struct run *run)
{
	enum cat in_use[CAT_MAX];
	int n = 0;

	for (int c = CAT_MAL_FIRST; c < CAT_MAL_END; c++)
		if (run->opt.kinds[c])
			in_use[n++] = (enum cat)c;
	return in_use[rng_next(&run->rng) % (unsigned int)n];
}

/* flood and malformed: good frames, with --mix percent malformed ones */
static int run_generate(struct run *run)
{
	static uint8_t f[2][FRAME_MAX];
	size_t lens[2];
	double mix = run->opt.mode == MODE_MALFORMED ? run->opt.mix : 0;
	uint64_t i;
	enum cat c;

	for (i = 0; !done(run, i); ) {
		pace(run, i);
		if (mix > 0 && rng_next(&run->rng) % 10000 < (uint32_t)(mix * 100)) {
			int n;

			c = pick_kind(run);
			n = malformed_build(c, &run->rng, &run->ep, f, lens);
			for (int k = 0; k < n; k++, i++)
				run_send(run, c, f[k], lens[k]);
		} else {
			lens[0] = good_frame(run, i, f[0], &c);
			run_send(run, c, f[0], lens[0]);
			i++;
		}
	}
	return run->rx_error;
}

static int run_replay(struct run *run)
{
	static uint8_t f[FRAME_MAX];
	struct pcap_reader pr;
	uint64_t i = 0, ts, first_ts = 0;
	size_t len;
	int rc;

	if (pcap_open(&pr, run->opt.pcap))
		return -EINVAL;
	while (!done(run, i) && (rc = pcap_next(&pr, f, sizeof(f), &len, &ts)) > 0) {
		if (!i)
			first_ts = ts;
		if (run->opt.original_timing) {
			uint64_t due = run->start_ns + (ts > first_ts ? ts - first_ts : 0);

			rx_drain(run, 0);
			for (uint64_t now = run_now_ns(); now < due; now = run_now_ns())
				rx_drain(run, (int)((due - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
		} else {
			pace(run, i);
		}
		i++;
		if (len < ETH_HLEN)
			continue;
		if (run->opt.rewrite)
			memcpy(f, run->ep.dst_mac, ETH_ALEN);
		run_send(run, CAT_REPLAY, f, len);
	}
	pcap_close(&pr);
	if (rc < 0) {
		fprintf(stderr, "bn-inject: %s: truncated record after %llu frames\n",
			run->opt.pcap, (unsigned long long)i);
		return -EIO;
	}
	return run->rx_error;
}

/* after the last frame: take replies until none came for --linger ms */
static void linger(struct run *run)
{
	uint64_t cap = run_now_ns() + (uint64_t)run->opt.linger_ms * LINGER_CAP * NSEC_PER_MSEC;

	while (run_now_ns() < cap && !run->rx_error)
		if (rx_drain(run, run->opt.linger_ms) <= 0)
			break;
}

int run_mode(struct run *run)
{
	uint8_t f[ETH_ZLEN];
	int rc;

	rng_seed(&run->rng, run->opt.seed);
	run->start_ns = run_now_ns();
	if (run->opt.mode != MODE_REPLAY) {
		static const uint8_t zero[ETH_ALEN];

		/* introduce ourselves: the guest learns our MAC from our request */
		size_t n = arp_frame(f, run->ep.dst_mac, ARP_REQUEST, run->ep.src_mac,
				     run->ep.src_ip, zero, run->ep.dst_ip);

		run_send(run, CAT_ARP_REPLY, f, n);
		rx_drain(run, 100);
	}
	rc = run->opt.mode == MODE_REPLAY ? run_replay(run) : run_generate(run);
	run->end_send_ns = run_now_ns();
	if (!rc)
		linger(run);
	return rc ? rc : run->rx_error;
}

static void json_counts(const char *name, const char *const *names, const uint64_t *v, int n)
{
	bool first = true;

	printf("\"%s\":{", name);
	for (int i = 0; i < n; i++) {
		if (!names[i])
			continue;
		printf("%s\"%s\":%llu", first ? "" : ",", names[i], (unsigned long long)v[i]);
		first = false;
	}
	printf("}");
}

void run_report(const struct run *run)
{
	static const char *const modes[] = { "flood", "replay", "malformed" };
	static const char *const tps[] = { "none", "dgram", "stream", "packet" };
	double send_s = (double)(run->end_send_ns - run->start_ns) / NSEC_PER_SEC;
	double all_s = (double)(run_now_ns() - run->start_ns) / NSEC_PER_SEC;
	uint64_t mal = 0;

	for (int c = CAT_MAL_FIRST; c < CAT_MAL_END; c++)
		mal += run->sent[c];
	printf("{\"mode\":\"%s\",\"transport\":\"%s\",\"seed\":%llu,", modes[run->opt.mode],
	       tps[run->tp.kind], (unsigned long long)run->opt.seed);
	printf("\"sent_total\":%llu,\"sent_bytes\":%llu,\"malformed_total\":%llu,",
	       (unsigned long long)run->sent_total, (unsigned long long)run->sent_bytes,
	       (unsigned long long)mal);
	json_counts("sent", cat_names, run->sent, CAT_MAX);
	printf(",\"send_errors\":%llu,\"send_retries\":%llu,\"received_total\":%llu,",
	       (unsigned long long)run->send_errors, (unsigned long long)run->send_retries,
	       (unsigned long long)run->rx_total);
	json_counts("received", rx_names, run->rx, RX_MAX);
	printf(",\"window_stalls\":%llu,\"window_lost\":%llu,\"send_s\":%.6f,\"elapsed_s\":%.6f,"
	       "\"rate_pps\":%.1f}\n", (unsigned long long)run->window_stalls,
	       (unsigned long long)run->window_lost, send_s, all_s,
	       send_s > 0 ? (double)run->sent_total / send_s : 0.0);
	fflush(stdout);
	if (!run->opt.quiet)
		fprintf(stderr, "bn-inject: %s over %s: sent %llu frames (%llu malformed, %llu errors) "
			"in %.3f s (%.0f pps), received %llu\n", modes[run->opt.mode],
			tps[run->tp.kind], (unsigned long long)run->sent_total,
			(unsigned long long)mal, (unsigned long long)run->send_errors, send_s,
			send_s > 0 ? (double)run->sent_total / send_s : 0.0,
			(unsigned long long)run->rx_total);
}
