/* pktgen's knobs: defaults and the "key value ..." parser shared by the
 * shell command and pktgen= (no kernel state: host-testable). */
#include "net/core/pktgen.h"
#include "net/core/pktbuild.h"
#include "kernel/errno.h"
#include "lib/parse_num.h"
#include <string.h>

#define PORT_MAX 65535

void pktgen_params_default(struct pktgen_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->ifname, PKTGEN_DEV_DEFAULT, sizeof(PKTGEN_DEV_DEFAULT));
	p->count = PKTGEN_COUNT_DEFAULT;
	p->size_min = p->size_max = PKTGEN_SIZE_MIN;
	p->udp_src = p->udp_dst = PKTGEN_UDP_PORT_DEFAULT;
	p->flows = 1;
}

static int parse_size(const char *s, u16 *min, u16 *max)
{
	const char *colon = strchr(s, ':');
	char lo[8];
	u64 a, b;

	if (!colon) {
		if (parse_u64_range(s, PKTGEN_SIZE_MIN, PKTGEN_SIZE_MAX, &a))
			return -EINVAL;
		*min = *max = (u16)a;
		return 0;
	}
	if ((size_t)(colon - s) >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, (size_t)(colon - s));
	lo[colon - s] = '\0';
	if (parse_u64_range(lo, PKTGEN_SIZE_MIN, PKTGEN_SIZE_MAX, &a) ||
	    parse_u64_range(colon + 1, PKTGEN_SIZE_MIN, PKTGEN_SIZE_MAX, &b) || a > b)
		return -EINVAL;
	*min = (u16)a;
	*max = (u16)b;
	return 0;
}

int pktgen_params_parse(struct pktgen_params *p, int argc, char **argv,
			const char **bad, const char **why)
{
	struct pktgen_params n = *p;
	u64 v;

	for (int i = 0; i < argc; i += 2) {
		const char *k = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		*bad = k;
		if (!val) {
			*why = "needs a value";
			return -EINVAL;
		}
		if (!strcmp(k, "dev")) {
			*bad = val;
			if (!*val || strlen(val) >= sizeof(n.ifname)) {
				*why = "not a device name";
				return -EINVAL;
			}
			memcpy(n.ifname, val, strlen(val) + 1);
			continue;
		}
		*bad = val;
		if (!strcmp(k, "count")) {
			*why = "count is 1..100000000";
			if (parse_u64_range(val, 1, PKTGEN_COUNT_MAX, &n.count))
				return -EINVAL;
		} else if (!strcmp(k, "rate") || !strcmp(k, "ratep")) {
			*why = "rate is 0..10000000 packets/s (0: as fast as possible)";
			if (parse_u64_range(val, 0, PKTGEN_RATE_MAX, &v))
				return -EINVAL;
			n.rate_pps = (u32)v;
		} else if (!strcmp(k, "size") || !strcmp(k, "pkt_size")) {
			*why = "size is N or MIN:MAX, 60..1514 bytes without FCS";
			if (parse_size(val, &n.size_min, &n.size_max))
				return -EINVAL;
		} else if (!strcmp(k, "dst") || !strcmp(k, "dst_min")) {
			*why = "not an IPv4 address";
			if (pkt_parse_ipv4(val, &n.daddr) || !n.daddr)
				return -EINVAL;
		} else if (!strcmp(k, "src") || !strcmp(k, "src_min")) {
			*why = "not an IPv4 address";
			if (pkt_parse_ipv4(val, &n.saddr))
				return -EINVAL;
		} else if (!strcmp(k, "dst_mac")) {
			*why = "not a MAC address (aa:bb:cc:dd:ee:ff)";
			if (pkt_parse_mac(val, n.dst_mac))
				return -EINVAL;
			n.dst_mac_set = true;
		} else if (!strcmp(k, "udp_src") || !strcmp(k, "udp_src_min")) {
			*why = "a port is 1..65535";
			if (parse_u64_range(val, 1, PORT_MAX, &v))
				return -EINVAL;
			n.udp_src = (u16)v;
		} else if (!strcmp(k, "udp_dst") || !strcmp(k, "udp_dst_min")) {
			*why = "a port is 1..65535";
			if (parse_u64_range(val, 1, PORT_MAX, &v))
				return -EINVAL;
			n.udp_dst = (u16)v;
		} else if (!strcmp(k, "flows")) {
			*why = "flows is 1..65535";
			if (parse_u64_range(val, 1, PKTGEN_FLOWS_MAX, &v))
				return -EINVAL;
			n.flows = (u32)v;
		} else {
			*bad = k;
			*why = "unknown parameter";
			return -EINVAL;
		}
	}
	*p = n;
	return 0;
}
