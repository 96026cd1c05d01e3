/* bn-inject: command line.  `bn-inject --help` documents every option;
 * a bad argument is reported and the exit status is 2. */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE        2
#define DEFAULT_COUNT     1000
#define DEFAULT_LINGER_MS 500
#define DEFAULT_CONNECT_MS 10000
#define DEFAULT_MIX       10.0
#define ECHO_PORT         7       /* RFC 862 */
#define DISCARD_PORT      9       /* RFC 863 */
#define CLOSED_PORT       1       /* tcpmux: nothing listens there on barenet */

static const char usage[] =
"usage: bn-inject MODE TRANSPORT --dst-mac MAC [--dst-ip A.B.C.D] [options]\n"
"\n"
"Sends Ethernet frames to one guest NIC, answers the guest's ARP requests for\n"
"--src-ip, counts what comes back, and prints a JSON summary on stdout (sent\n"
"per category, received per kind, elapsed time, rate) and one line on stderr.\n"
"\n"
"modes:\n"
"  flood                good frames (--proto) paced by --pps\n"
"  replay FILE.pcap     the frames of a classic pcap file (Ethernet), with their\n"
"                       original timing unless --pps is given\n"
"  malformed            good frames with --mix percent malformed ones (--kind)\n"
"\n"
"transports (exactly one):\n"
"  --dgram HOST:PORT --bind HOST:PORT\n"
"                       QEMU -netdev dgram: send to its local address, receive on\n"
"                       ours (QEMU's remote address); one UDP datagram per frame\n"
"  --stream HOST:PORT   QEMU -netdev stream,server=on: connect (retried for\n"
"                       --connect-timeout ms); frames with a 4-byte length prefix\n"
"  --iface NAME         an AF_PACKET socket on interface NAME (a tap in a test\n"
"                       namespace: run under `ip netns exec`; needs CAP_NET_RAW)\n"
"\n"
"addresses:\n"
"  --dst-mac MAC        the guest's MAC (required)\n"
"  --dst-ip A.B.C.D     the guest's IPv4 address (required except for replay)\n"
"  --src-mac MAC        ours (default 02:00:00:00:00:02)\n"
"  --src-ip A.B.C.D     ours (default 10.0.2.2)\n"
"  --echo-port N, --discard-port N, --closed-port N   (default 7, 9, 1)\n"
"\n"
"traffic:\n"
"  --count N            frames to send (default 1000; replay: the whole file)\n"
"  --duration S         stop after S seconds (default: no limit)\n"
"  --pps N              frames per second (default 0: as fast as possible)\n"
"  --size MIN:MAX|A,B,..  frame sizes in bytes without FCS, 60..1514: uniform in\n"
"                       MIN:MAX, or a mix drawn from the list (default 60:60)\n"
"  --flows N            source ports 20000..20000+N-1 in turn (default 1)\n"
"  --proto P            udp-echo (default), udp-discard, icmp-echo or mix\n"
"  --kind LIST          malformed kinds, comma-separated (default all):\n"
"                       runt trunc-ip bad-len trunc-udp trunc-tcp bad-ip-csum\n"
"                       bad-udp-csum bad-tcp-csum ip-options frag-overlap\n"
"                       frag-endless tcp-flags arp-flood ndp-flood ethertype oversize\n"
"  --mix PCT            percent of malformed frames, 0..100 (default 10)\n"
"  --seed N             the same seed sends the same frames (default 1)\n"
"  --window N           at most N echo replies outstanding (default 0: open\n"
"                       loop); after 1 s without a reply they count as lost\n"
"  --linger MS          after the last frame, wait until MS ms pass without a\n"
"                       frame (default 500)\n"
"  --rewrite            replay: set each frame's destination MAC to --dst-mac\n"
"  --connect-timeout MS stream: how long to retry the connection (default 10000)\n"
"  --quiet              no human line on stderr\n"
"  --help               this text\n"
"\n"
"exit status: 0 done, 1 the transport failed, 2 bad arguments\n";

enum {
	OPT_DGRAM = 256, OPT_BIND, OPT_STREAM, OPT_IFACE, OPT_DST_MAC, OPT_DST_IP, OPT_SRC_MAC,
	OPT_SRC_IP, OPT_COUNT, OPT_DURATION, OPT_PPS, OPT_SIZE, OPT_FLOWS, OPT_PROTO, OPT_KIND,
	OPT_MIX, OPT_SEED, OPT_WINDOW, OPT_LINGER, OPT_REWRITE, OPT_CONNECT, OPT_QUIET,
	OPT_ECHO_PORT, OPT_DISCARD_PORT, OPT_CLOSED_PORT, OPT_HELP,
};

static const struct option longopts[] = {
	{ "dgram", required_argument, 0, OPT_DGRAM }, { "bind", required_argument, 0, OPT_BIND },
	{ "stream", required_argument, 0, OPT_STREAM }, { "iface", required_argument, 0, OPT_IFACE },
	{ "dst-mac", required_argument, 0, OPT_DST_MAC }, { "dst-ip", required_argument, 0, OPT_DST_IP },
	{ "src-mac", required_argument, 0, OPT_SRC_MAC }, { "src-ip", required_argument, 0, OPT_SRC_IP },
	{ "count", required_argument, 0, OPT_COUNT }, { "duration", required_argument, 0, OPT_DURATION },
	{ "pps", required_argument, 0, OPT_PPS }, { "size", required_argument, 0, OPT_SIZE },
	{ "flows", required_argument, 0, OPT_FLOWS }, { "proto", required_argument, 0, OPT_PROTO },
	{ "kind", required_argument, 0, OPT_KIND }, { "mix", required_argument, 0, OPT_MIX },
	{ "seed", required_argument, 0, OPT_SEED }, { "window", required_argument, 0, OPT_WINDOW },
	{ "linger", required_argument, 0, OPT_LINGER }, { "rewrite", no_argument, 0, OPT_REWRITE },
	{ "connect-timeout", required_argument, 0, OPT_CONNECT },
	{ "quiet", no_argument, 0, OPT_QUIET },
	{ "echo-port", required_argument, 0, OPT_ECHO_PORT },
	{ "discard-port", required_argument, 0, OPT_DISCARD_PORT },
	{ "closed-port", required_argument, 0, OPT_CLOSED_PORT },
	{ "help", no_argument, 0, OPT_HELP },
	{ 0, 0, 0, 0 },
};

static struct run the_run;

static void bad(const char *fmt, const char *what, const char *arg)
{
	fprintf(stderr, "bn-inject: ");
	fprintf(stderr, fmt, what, arg);
	fprintf(stderr, "\n(bn-inject --help lists the options)\n");
	exit(EXIT_USAGE);
}

static uint64_t num(const char *what, const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		char range[64];

		snprintf(range, sizeof(range), "%llu..%llu", (unsigned long long)lo,
			 (unsigned long long)hi);
		fprintf(stderr, "bn-inject: %s: '%s' is not a whole number in %s\n", what, s, range);
		fprintf(stderr, "(bn-inject --help lists the options)\n");
		exit(EXIT_USAGE);
	}
	return v;
}

static double real(const char *what, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		bad("%s: '%s' is not a number in range", what, s);
	return v;
}

static void mac_arg(const char *what, const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != ETH_ALEN)
		bad("%s: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", what, s);
	for (int i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
}

static uint32_t ip_arg(const char *what, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		bad("%s: '%s' is not an IPv4 address", what, s);
	return ntohl(a.s_addr);
}

static void size_arg(struct options *o, const char *s)
{
	char buf[256], *tok, *save;
	const char *colon = strchr(s, ':');

	if (colon) {
		char lo[32];

		if ((size_t)(colon - s) >= sizeof(lo))
			bad("%s: '%s' is not MIN:MAX", "--size", s);
		memcpy(lo, s, (size_t)(colon - s));
		lo[colon - s] = 0;
		o->size_min = (unsigned int)num("--size MIN", lo, ETH_ZLEN, ETH_MAX_LEN);
		o->size_max = (unsigned int)num("--size MAX", colon + 1, ETH_ZLEN, ETH_MAX_LEN);
		if (o->size_min > o->size_max)
			bad("%s: '%s': MIN is above MAX", "--size", s);
		o->nsizes = 0;
		return;
	}
	if (strlen(s) >= sizeof(buf))
		bad("%s: '%s' is too long", "--size", s);
	strcpy(buf, s);
	o->nsizes = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nsizes == SIZE_MIX_MAX)
			bad("%s: '%s': at most 16 sizes", "--size", s);
		o->sizes[o->nsizes++] = (unsigned int)num("--size", tok, ETH_ZLEN, ETH_MAX_LEN);
	}
	if (!o->nsizes)
		bad("%s: '%s' names no size", "--size", s);
}

static void kind_arg(struct options *o, const char *s)
{
	char buf[512], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		bad("%s: '%s' is too long", "--kind", s);
	strcpy(buf, s);
	memset(o->kinds, 0, sizeof(o->kinds));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c = cat_by_name(tok);

		if (c < CAT_MAL_FIRST || c >= CAT_MAL_END)
			bad("%s: unknown malformed kind '%s'", "--kind", tok);
		o->kinds[c] = true;
	}
}

static enum proto proto_arg(const char *s)
{
	static const char *const names[] = { "udp-echo", "udp-discard", "icmp-echo", "mix" };

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return (enum proto)i;
	bad("%s: '%s' is not udp-echo, udp-discard, icmp-echo or mix", "--proto", s);
	return PROTO_UDP_ECHO;
}

static void parse(struct run *run, int argc, char **argv)
{
	struct options *o = &run->opt;
	bool have_dst_mac = false, have_dst_ip = false, count_set = false, any_kind;
	int c, ntp;

	o->count = DEFAULT_COUNT;
	o->size_min = o->size_max = ETH_ZLEN;
	o->flows = 1;
	o->mix = DEFAULT_MIX;
	o->seed = 1;
	o->linger_ms = DEFAULT_LINGER_MS;
	o->connect_ms = DEFAULT_CONNECT_MS;
	for (int k = CAT_MAL_FIRST; k < CAT_MAL_END; k++)
		o->kinds[k] = true;
	mac_arg("--src-mac", "02:00:00:00:00:02", run->ep.src_mac);
	run->ep.src_ip = ip_arg("--src-ip", "10.0.2.2");
	run->ep.echo_port = ECHO_PORT;
	run->ep.discard_port = DISCARD_PORT;
	run->ep.closed_port = CLOSED_PORT;
	run->answer_arp = true;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DGRAM: o->dgram = optarg; break;
		case OPT_BIND: o->bind = optarg; break;
		case OPT_STREAM: o->stream = optarg; break;
		case OPT_IFACE: o->iface = optarg; break;
		case OPT_DST_MAC: mac_arg("--dst-mac", optarg, run->ep.dst_mac); have_dst_mac = true; break;
		case OPT_DST_IP: run->ep.dst_ip = ip_arg("--dst-ip", optarg); have_dst_ip = true; break;
		case OPT_SRC_MAC: mac_arg("--src-mac", optarg, run->ep.src_mac); break;
		case OPT_SRC_IP: run->ep.src_ip = ip_arg("--src-ip", optarg); break;
		case OPT_COUNT: o->count = num("--count", optarg, 1, UINT64_MAX); count_set = true; break;
		case OPT_DURATION: o->duration = real("--duration", optarg, 0.001, 1e7); break;
		case OPT_PPS: o->pps = real("--pps", optarg, 0, 1e8); break;
		case OPT_SIZE: size_arg(o, optarg); break;
		case OPT_FLOWS: o->flows = (unsigned int)num("--flows", optarg, 1, 45000); break;
		case OPT_PROTO: o->proto = proto_arg(optarg); break;
		case OPT_KIND: kind_arg(o, optarg); break;
		case OPT_MIX: o->mix = real("--mix", optarg, 0, 100); break;
		case OPT_SEED: o->seed = num("--seed", optarg, 0, UINT64_MAX); break;
		case OPT_WINDOW: o->window = (unsigned int)num("--window", optarg, 0, 1000000); break;
		case OPT_LINGER: o->linger_ms = (int)num("--linger", optarg, 0, 600000); break;
		case OPT_REWRITE: o->rewrite = true; break;
		case OPT_CONNECT: o->connect_ms = (int)num("--connect-timeout", optarg, 0, 600000); break;
		case OPT_QUIET: o->quiet = true; break;
		case OPT_ECHO_PORT: run->ep.echo_port = (uint16_t)num("--echo-port", optarg, 1, 65535); break;
		case OPT_DISCARD_PORT:
			run->ep.discard_port = (uint16_t)num("--discard-port", optarg, 1, 65535);
			break;
		case OPT_CLOSED_PORT:
			run->ep.closed_port = (uint16_t)num("--closed-port", optarg, 1, 65535);
			break;
		case OPT_HELP: case 'h': fputs(usage, stdout); exit(0);
		default: fprintf(stderr, "(bn-inject --help lists the options)\n"); exit(EXIT_USAGE);
		}
	}
	if (optind >= argc)
		bad("%s%s", "a MODE is required: flood, replay FILE.pcap or malformed", "");
	if (!strcmp(argv[optind], "flood")) {
		o->mode = MODE_FLOOD;
	} else if (!strcmp(argv[optind], "malformed")) {
		o->mode = MODE_MALFORMED;
	} else if (!strcmp(argv[optind], "replay")) {
		o->mode = MODE_REPLAY;
		if (++optind >= argc)
			bad("%s%s", "replay needs a pcap FILE", "");
		o->pcap = argv[optind];
		o->original_timing = o->pps == 0;
		if (!count_set)
			o->count = 0;
	} else {
		bad("unknown mode '%s'%s (flood, replay FILE.pcap, malformed)", argv[optind], "");
	}
	if (++optind < argc)
		bad("unexpected argument '%s'%s", argv[optind], "");
	ntp = !!o->dgram + !!o->stream + !!o->iface;
	if (ntp != 1)
		bad("%s%s", "give exactly one transport: --dgram (with --bind), --stream or --iface", "");
	if (o->dgram && !o->bind)
		bad("%s%s", "--dgram needs --bind HOST:PORT (the address QEMU sends to)", "");
	if (o->bind && !o->dgram)
		bad("%s%s", "--bind goes with --dgram", "");
	if (!have_dst_mac)
		bad("%s%s", "--dst-mac is required", "");
	if (!have_dst_ip && o->mode != MODE_REPLAY)
		bad("%s%s", "--dst-ip is required in this mode", "");
	if (o->mode != MODE_REPLAY && !o->count && o->duration <= 0)
		bad("%s%s", "nothing bounds the run: give --count or --duration", "");
	any_kind = false;
	for (int k = CAT_MAL_FIRST; k < CAT_MAL_END; k++)
		any_kind |= o->kinds[k];
	if (o->mode == MODE_MALFORMED && !any_kind)
		bad("%s%s", "--kind selects no malformed kind", "");
	ip6_linklocal(run->ep.dst_ip6, run->ep.dst_mac);
}

int main(int argc, char **argv)
{
	struct run *run = &the_run;
	struct options *o = &run->opt;
	int rc;

	parse(run, argc, argv);
	if (o->dgram)
		rc = tp_open_dgram(&run->tp, o->dgram, o->bind);
	else if (o->stream)
		rc = tp_open_stream(&run->tp, o->stream, o->connect_ms);
	else
		rc = tp_open_packet(&run->tp, o->iface);
	if (rc)
		return 1;
	rc = run_mode(run);
	if (rc == -EINVAL) {
		tp_close(&run->tp);
		return EXIT_USAGE;
	}
	run_report(run);
	if (rc)
		fprintf(stderr, "bn-inject: stopped early: %s\n", strerror(-rc));
	tp_close(&run->tp);
	return rc ? 1 : 0;
}
