/* The ethtool command's parser and output (see ethtool_cmd.h).  The output
 * strings are those of ethtool 6.1: netlink/rings.c, netlink/coalesce.c,
 * netlink/features.c, ethtool.c's dump_drvinfo and do_gnicstats. */
#include "net/ethtool/ethtool_cmd.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "net/ethtool/ethtool.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the loopback is lwIP's netif, not a net_device: it has only features */
#define LOOPBACK_NAME "lo"

/* --- -C parameters ------------------------------------------------------ */

struct coal_param {
	const char *name;       /* on the command line */
	const char *label;      /* in ethtool -c */
	u32 bit;                /* ETHTOOL_COALESCE_* */
	u16 offset;             /* of the u32 in struct ethtool_coalesce */
	bool is_bool;
};

#define CP(n, b, f, bl) CPL(n, n, b, f, bl)
#define CPL(n, l, b, f, bl) \
	{ n, l ": ", ETHTOOL_COALESCE_##b, offsetof(struct ethtool_coalesce, f), bl }
/* in ethtool -c's order: a blank line after each group of four */
static const struct coal_param coal_params[] = {
	CP("adaptive-rx", USE_ADAPTIVE_RX, use_adaptive_rx_coalesce, true),
	CP("adaptive-tx", USE_ADAPTIVE_TX, use_adaptive_tx_coalesce, true),
	CP("stats-block-usecs", STATS_BLOCK_USECS, stats_block_coalesce_usecs, false),
	CP("sample-interval", RATE_SAMPLE_INTERVAL, rate_sample_interval, false),
	CP("pkt-rate-low", PKT_RATE_LOW, pkt_rate_low, false),
	CP("pkt-rate-high", PKT_RATE_HIGH, pkt_rate_high, false),
	CP("rx-usecs", RX_USECS, rx_coalesce_usecs, false),
	CP("rx-frames", RX_MAX_FRAMES, rx_max_coalesced_frames, false),
	CP("rx-usecs-irq", RX_USECS_IRQ, rx_coalesce_usecs_irq, false),
	CP("rx-frames-irq", RX_MAX_FRAMES_IRQ, rx_max_coalesced_frames_irq, false),
	CP("tx-usecs", TX_USECS, tx_coalesce_usecs, false),
	CP("tx-frames", TX_MAX_FRAMES, tx_max_coalesced_frames, false),
	CP("tx-usecs-irq", TX_USECS_IRQ, tx_coalesce_usecs_irq, false),
	CP("tx-frames-irq", TX_MAX_FRAMES_IRQ, tx_max_coalesced_frames_irq, false),
	CP("rx-usecs-low", RX_USECS_LOW, rx_coalesce_usecs_low, false),
	CPL("rx-frames-low", "rx-frame-low", RX_MAX_FRAMES_LOW, rx_max_coalesced_frames_low, false),
	CP("tx-usecs-low", TX_USECS_LOW, tx_coalesce_usecs_low, false),
	CPL("tx-frames-low", "tx-frame-low", TX_MAX_FRAMES_LOW, tx_max_coalesced_frames_low, false),
	CP("rx-usecs-high", RX_USECS_HIGH, rx_coalesce_usecs_high, false),
	CPL("rx-frames-high", "rx-frame-high", RX_MAX_FRAMES_HIGH, rx_max_coalesced_frames_high, false),
	CP("tx-usecs-high", TX_USECS_HIGH, tx_coalesce_usecs_high, false),
	CPL("tx-frames-high", "tx-frame-high", TX_MAX_FRAMES_HIGH, tx_max_coalesced_frames_high, false),
};

static u32 *coal_field(struct ethtool_coalesce *ec, const struct coal_param *p)
{
	return (u32 *)((u8 *)ec + p->offset);
}

/* --- features (-k/-K) ------------------------------------------------------
 * Linux's feature names in the order ethtool -k prints them: the legacy
 * groups first (a group line is on when any of its members is), then the
 * rest in bit order.  bits: the NETIF_F_* barenet has for that name, 0 for
 * a feature barenet does not have (always "off [fixed]"). */
struct feature_name {
	const char *name;
	u32 bits;
	bool child;             /* a member of the group line above */
	bool loopback;          /* on [fixed] for lo */
};

static const struct feature_name features[] = {
	{ "rx-checksumming", NETIF_F_RXCSUM, false, false },
	{ "tx-checksumming", NETIF_F_CSUM_MASK, false, false },
	{ "tx-checksum-ipv4", NETIF_F_IP_CSUM, true, false },
	{ "tx-checksum-ip-generic", 0, true, false },
	{ "tx-checksum-ipv6", NETIF_F_IPV6_CSUM, true, false },
	{ "tx-checksum-fcoe-crc", 0, true, false },
	{ "tx-checksum-sctp", 0, true, false },
	{ "scatter-gather", 0, false, false },
	{ "tx-scatter-gather", 0, true, false },
	{ "tx-scatter-gather-fraglist", 0, true, false },
	{ "tcp-segmentation-offload", NETIF_F_ALL_TSO, false, false },
	{ "tx-tcp-segmentation", NETIF_F_TSO, true, false },
	{ "tx-tcp-ecn-segmentation", 0, true, false },
	{ "tx-tcp-mangleid-segmentation", 0, true, false },
	{ "tx-tcp6-segmentation", NETIF_F_TSO6, true, false },
	{ "generic-segmentation-offload", 0, false, false },
	{ "generic-receive-offload", NETIF_F_GRO, false, false },
	{ "large-receive-offload", 0, false, false },
	{ "rx-vlan-offload", NETIF_F_HW_VLAN_CTAG_RX, false, false },
	{ "tx-vlan-offload", NETIF_F_HW_VLAN_CTAG_TX, false, false },
	{ "ntuple-filters", 0, false, false },
	{ "receive-hashing", 0, false, false },
	{ "highdma", 0, false, false },
	{ "rx-vlan-filter", NETIF_F_HW_VLAN_CTAG_FILTER, false, false },
	{ "vlan-challenged", 0, false, false },
	{ "tx-lockless", 0, false, false },
	{ "netns-local", 0, false, false },
	{ "tx-gso-robust", 0, false, false },
	{ "tx-fcoe-segmentation", 0, false, false },
	{ "tx-gre-segmentation", 0, false, false },
	{ "tx-gre-csum-segmentation", 0, false, false },
	{ "tx-ipxip4-segmentation", 0, false, false },
	{ "tx-ipxip6-segmentation", 0, false, false },
	{ "tx-udp_tnl-segmentation", 0, false, false },
	{ "tx-udp_tnl-csum-segmentation", 0, false, false },
	{ "tx-gso-partial", 0, false, false },
	{ "tx-tunnel-remcsum-segmentation", 0, false, false },
	{ "tx-sctp-segmentation", 0, false, false },
	{ "tx-esp-segmentation", 0, false, false },
	{ "tx-udp-segmentation", 0, false, false },
	{ "tx-gso-list", 0, false, false },
	{ "fcoe-mtu", 0, false, false },
	{ "tx-nocache-copy", 0, false, false },
	{ "loopback", 0, false, true },
	{ "rx-fcs", 0, false, false },
	{ "rx-all", 0, false, false },
	{ "tx-vlan-stag-hw-insert", 0, false, false },
	{ "rx-vlan-stag-hw-parse", 0, false, false },
	{ "rx-vlan-stag-filter", 0, false, false },
	{ "l2-fwd-offload", 0, false, false },
	{ "hw-tc-offload", 0, false, false },
	{ "esp-hw-offload", 0, false, false },
	{ "esp-tx-csum-hw-offload", 0, false, false },
	{ "rx-udp_tunnel-port-offload", 0, false, false },
	{ "tls-hw-tx-offload", 0, false, false },
	{ "tls-hw-rx-offload", 0, false, false },
	{ "rx-gro-hw", 0, false, false },
	{ "tls-hw-record", 0, false, false },
	{ "rx-gro-list", 0, false, false },
	{ "macsec-hw-offload", 0, false, false },
	{ "rx-udp-gro-forwarding", 0, false, false },
	{ "hsr-tag-ins-offload", 0, false, false },
	{ "hsr-tag-rm-offload", 0, false, false },
	{ "hsr-fwd-offload", 0, false, false },
	{ "hsr-dup-offload", 0, false, false },
};

/* the short -K names (ethtool's off_flag_def) */
static u32 feature_short(const char *name, bool *found)
{
	*found = true;
	if (!strcmp(name, "rx"))
		return NETIF_F_RXCSUM;
	if (!strcmp(name, "tx"))
		return NETIF_F_CSUM_MASK;
	if (!strcmp(name, "tso"))
		return NETIF_F_ALL_TSO;
	if (!strcmp(name, "gro"))
		return NETIF_F_GRO;
	if (!strcmp(name, "rxvlan"))
		return NETIF_F_HW_VLAN_CTAG_RX;
	if (!strcmp(name, "txvlan"))
		return NETIF_F_HW_VLAN_CTAG_TX;
	if (!strcmp(name, "sg") || !strcmp(name, "gso") || !strcmp(name, "lro") ||
	    !strcmp(name, "ntuple") || !strcmp(name, "rxhash") || !strcmp(name, "ufo"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(features); i++)
		if (!strcmp(features[i].name, name))
			return features[i].bits;
	*found = false;
	return 0;
}

/* --- parsing ------------------------------------------------------------- */

static int parse_u32(const char *s, u32 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = strtoull(s + 2, &end, 16);
	else
		v = strtoull(s, &end, 10);
	if (*end || v > 0xffffffffull)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

static int parse_onoff(const char *s, u32 *out)
{
	if (s && !strcmp(s, "on"))
		*out = 1;
	else if (s && !strcmp(s, "off"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

struct mode_opt {
	const char *s, *l;
	enum ethtool_mode mode;
};

static const struct mode_opt mode_opts[] = {
	{ "-i", "--driver", ETHTOOL_MODE_DRVINFO },
	{ "-S", "--statistics", ETHTOOL_MODE_STATS },
	{ "-g", "--show-ring", ETHTOOL_MODE_GRING },
	{ "-G", "--set-ring", ETHTOOL_MODE_SRING },
	{ "-c", "--show-coalesce", ETHTOOL_MODE_GCOAL },
	{ "-C", "--coalesce", ETHTOOL_MODE_SCOAL },
	{ "-k", "--show-features", ETHTOOL_MODE_GFEAT },
	{ "-K", "--features", ETHTOOL_MODE_SFEAT },
	{ "-l", "--show-channels", ETHTOOL_MODE_GCHAN },
	{ "-L", "--set-channels", ETHTOOL_MODE_SCHAN },
	{ "-x", "--show-rxfh-indir", ETHTOOL_MODE_GRXFH },
	{ "-X", "--set-rxfh-indir", ETHTOOL_MODE_SRXFH },
	{ "-n", "--show-nfc", ETHTOOL_MODE_GRXCLASS },
	{ "-N", "--config-nfc", ETHTOOL_MODE_SRXCLASS },
	{ "-x", "--show-rxfh", ETHTOOL_MODE_GRXFH },
	{ "-X", "--rxfh", ETHTOOL_MODE_SRXFH },
	{ "-u", "--show-ntuple", ETHTOOL_MODE_GRXCLASS },
	{ "-U", "--config-ntuple", ETHTOOL_MODE_SRXCLASS },
};

static int bad_args(struct seq_buf *err)
{
	seq_buf_puts(err, "ethtool: bad command line argument(s)\n"
		     "For more information run ethtool -h\n");
	return -EINVAL;
}

static int parse_ring(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	for (int i = 0; i < argc; i += 2) {
		const char *p = argv[i];
		u32 bit, *field;

		if (!strcmp(p, "rx")) {
			bit = ETHTOOL_RING_RX;
			field = &r->ring.rx_pending;
		} else if (!strcmp(p, "rx-mini")) {
			bit = ETHTOOL_RING_RX_MINI;
			field = &r->ring.rx_mini_pending;
		} else if (!strcmp(p, "rx-jumbo")) {
			bit = ETHTOOL_RING_RX_JUMBO;
			field = &r->ring.rx_jumbo_pending;
		} else if (!strcmp(p, "tx")) {
			bit = ETHTOOL_RING_TX;
			field = &r->ring.tx_pending;
		} else {
			seq_buf_printf(err, "ethtool (-G): unknown parameter '%s'\n", p);
			return -EINVAL;
		}
		if (r->ring_set & bit) {
			seq_buf_printf(err, "ethtool (-G): duplicate parameter '%s'\n", p);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			seq_buf_printf(err, "ethtool (-G): no value for parameter '%s'\n", p);
			return -EINVAL;
		}
		if (parse_u32(argv[i + 1], field)) {
			seq_buf_printf(err, "ethtool (-G): invalid value '%s' for parameter '%s'\n",
				       argv[i + 1], p);
			return -EINVAL;
		}
		r->ring_set |= bit;
	}
	return 0;
}

static int parse_coal(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	for (int i = 0; i < argc; i += 2) {
		const struct coal_param *cp = NULL;
		int rc;

		for (size_t k = 0; k < ARRAY_SIZE(coal_params); k++)
			if (!strcmp(coal_params[k].name, argv[i]))
				cp = &coal_params[k];
		if (!cp) {
			seq_buf_printf(err, "ethtool (-C): unknown parameter '%s'\n", argv[i]);
			return -EINVAL;
		}
		if (r->coal_set & cp->bit) {
			seq_buf_printf(err, "ethtool (-C): duplicate parameter '%s'\n", argv[i]);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			seq_buf_printf(err, "ethtool (-C): no value for parameter '%s'\n", argv[i]);
			return -EINVAL;
		}
		rc = cp->is_bool ? parse_onoff(argv[i + 1], coal_field(&r->coal, cp))
				 : parse_u32(argv[i + 1], coal_field(&r->coal, cp));
		if (rc) {
			seq_buf_printf(err, "ethtool (-C): invalid value '%s' for parameter '%s'\n",
				       argv[i + 1], argv[i]);
			return -EINVAL;
		}
		r->coal_set |= cp->bit;
	}
	return 0;
}

static int parse_feat(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	for (int i = 0; i < argc; i += 2) {
		bool found;
		u32 bits = feature_short(argv[i], &found), on;

		if (!found) {
			seq_buf_printf(err, "ethtool (-K): unknown feature '%s'\n", argv[i]);
			return -EINVAL;
		}
		if (i + 1 >= argc || parse_onoff(argv[i + 1], &on)) {
			seq_buf_printf(err, "ethtool (-K): flag '%s' for parameter '%s' is not "
				       "followed by 'on' or 'off'\n", i + 1 < argc ? argv[i + 1] : "",
				       argv[i]);
			return -EINVAL;
		}
		if (!bits) {
			/* a feature barenet does not have: off, and fixed */
			if (on)
				r->feat_fixed_asked++;
			continue;
		}
		r->feat_mask |= bits;
		r->feat_wanted = on ? r->feat_wanted | bits : r->feat_wanted & ~bits;
	}
	return 0;
}

int ethtool_parse(int argc, char **argv, struct ethtool_req *r, struct seq_buf *err)
{
	int i = 1;

	memset(r, 0, sizeof(*r));
	r->mode = ETHTOOL_MODE_SETTINGS;
	if (argc < 2)
		return bad_args(err);
	if (argv[1][0] == '-') {
		bool known = false;

		for (size_t k = 0; k < ARRAY_SIZE(mode_opts); k++) {
			if (!strcmp(argv[1], mode_opts[k].s) || !strcmp(argv[1], mode_opts[k].l)) {
				r->mode = mode_opts[k].mode;
				known = true;
			}
		}
		if (!known)
			return bad_args(err);
		i = 2;
	}
	if (i >= argc || strlen(argv[i]) >= IFNAMSIZ)
		return bad_args(err);
	snprintf(r->dev, sizeof(r->dev), "%s", argv[i]);
	i++;
	switch (r->mode) {
	case ETHTOOL_MODE_SRING:
		if (i == argc) {
			seq_buf_puts(err, "ethtool (-G): no parameters given\n");
			return -EINVAL;
		}
		return parse_ring(r, argc - i, argv + i, err);
	case ETHTOOL_MODE_SCOAL:
		if (i == argc) {
			seq_buf_puts(err, "ethtool (-C): no parameters given\n");
			return -EINVAL;
		}
		return parse_coal(r, argc - i, argv + i, err);
	case ETHTOOL_MODE_SFEAT:
		if (i == argc) {
			seq_buf_puts(err, "ethtool (-K): no parameters given\n");
			return -EINVAL;
		}
		return parse_feat(r, argc - i, argv + i, err);
	case ETHTOOL_MODE_SCHAN:
	case ETHTOOL_MODE_SRXFH:
	case ETHTOOL_MODE_GRXCLASS:
	case ETHTOOL_MODE_SRXCLASS:
		return ethtool_parse_rss(r, argc - i, argv + i, err);
	default:
		return i == argc ? 0 : bad_args(err);
	}
}

/* --- output -------------------------------------------------------------- */

static void show_u32(struct seq_buf *s, const char *label, u32 v, bool present)
{
	if (present)
		seq_buf_printf(s, "%s%u\n", label, v);
	else
		seq_buf_printf(s, "%sn/a\n", label);
}

static int nl_error(struct seq_buf *s, int rc, const char *why)
{
	if (why)
		seq_buf_printf(s, "netlink error: %s\n", why);
	seq_buf_printf(s, "netlink error: %s\n", errno_desc(rc));
	return 1;
}

static int show_settings(struct net_device *dev, struct seq_buf *s)
{
	bool link = READ_ONCE(dev->carrier);

	seq_buf_printf(s, "Settings for %s:\n", dev->name);
	seq_buf_puts(s, "\tSupported ports: [ TP ]\n");
	if (link) {
		seq_buf_printf(s, "\tSpeed: %uMb/s\n", dev->speed_mbps);
		seq_buf_printf(s, "\tDuplex: %s\n", dev->full_duplex ? "Full" : "Half");
	} else {
		seq_buf_puts(s, "\tSpeed: Unknown!\n\tDuplex: Unknown! (255)\n");
	}
	seq_buf_puts(s, "\tPort: Twisted Pair\n\tAuto-negotiation: on\n");
	seq_buf_printf(s, "\tLink detected: %s\n", link ? "yes" : "no");
	return 0;
}

static int show_drvinfo(struct net_device *dev, struct seq_buf *s)
{
	struct ethtool_drvinfo info;
	const struct net_device_ops *ops = dev->netdev_ops;

	if (ethtool_get_drvinfo(dev, &info)) {
		seq_buf_printf(s, "Cannot get driver information: %s\n", errno_desc(-EOPNOTSUPP));
		return 71;
	}
	seq_buf_printf(s, "driver: %s\nversion: %s\nfirmware-version: %s\n"
		       "expansion-rom-version: %s\nbus-info: %s\n",
		       info.driver, info.version, info.fw_version, info.erom_version,
		       info.bus_info);
	seq_buf_printf(s, "supports-statistics: %s\n",
		       ops->ndo_get_ethtool_stats || ops->ndo_get_hw_stats ? "yes" : "no");
	seq_buf_puts(s, "supports-test: no\nsupports-eeprom-access: no\n"
		     "supports-register-dump: no\nsupports-priv-flags: no\n");
	return 0;
}

static int show_stats(struct net_device *dev, struct seq_buf *s)
{
	struct ethtool_stat *st = kmalloc(ETHTOOL_STATS_MAX * sizeof(*st));
	char *text = kmalloc(ETHTOOL_HW_STATS_TEXT);
	int n, status = 0;

	if (!st || !text) {
		kfree(st);
		kfree(text);
		seq_buf_printf(s, "Cannot allocate memory for statistics\n");
		return 1;
	}
	n = ethtool_get_stats(dev, st, ETHTOOL_STATS_MAX, text);
	if (n <= 0) {
		seq_buf_puts(s, "no stats available\n");
		status = 94;
	} else {
		seq_buf_puts(s, "NIC statistics:\n");
		for (int i = 0; i < n; i++)
			seq_buf_printf(s, "     %.*s: %llu\n", ETH_GSTRING_LEN - 1, st[i].name,
				       (unsigned long long)st[i].value);
	}
	kfree(text);
	kfree(st);
	return status;
}

static int show_ring(struct net_device *dev, struct seq_buf *s)
{
	struct ethtool_ringparam r;
	int rc = ethtool_get_ringparam(dev, &r);

	if (rc)
		return nl_error(s, rc, NULL);
	/* the kernel leaves out a zero maximum, and a size whose maximum is 0 */
	seq_buf_printf(s, "Ring parameters for %s:\nPre-set maximums:\n", dev->name);
	show_u32(s, "RX:\t\t", r.rx_max_pending, r.rx_max_pending);
	show_u32(s, "RX Mini:\t", r.rx_mini_max_pending, r.rx_mini_max_pending);
	show_u32(s, "RX Jumbo:\t", r.rx_jumbo_max_pending, r.rx_jumbo_max_pending);
	show_u32(s, "TX:\t\t", r.tx_max_pending, r.tx_max_pending);
	seq_buf_puts(s, "Current hardware settings:\n");
	show_u32(s, "RX:\t\t", r.rx_pending, r.rx_max_pending);
	show_u32(s, "RX Mini:\t", r.rx_mini_pending, r.rx_mini_max_pending);
	show_u32(s, "RX Jumbo:\t", r.rx_jumbo_pending, r.rx_jumbo_max_pending);
	show_u32(s, "TX:\t\t", r.tx_pending, r.tx_max_pending);
	return 0;
}

static const char *coal_bool(const struct ethtool_coalesce *ec, u32 sup, u32 bit, u32 v)
{
	(void)ec;
	if (!(sup & bit) && !v)
		return "n/a";
	return v ? "on" : "off";
}

static int show_coal(struct net_device *dev, struct seq_buf *s)
{
	struct ethtool_coalesce ec;
	u32 sup = dev->netdev_ops->supported_coalesce_params;
	int rc = ethtool_get_coalesce(dev, &ec);

	if (rc)
		return nl_error(s, rc, NULL);
	seq_buf_printf(s, "Coalesce parameters for %s:\n", dev->name);
	seq_buf_printf(s, "Adaptive RX: %s  TX: %s\n",
		       coal_bool(&ec, sup, ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
				 ec.use_adaptive_rx_coalesce),
		       coal_bool(&ec, sup, ETHTOOL_COALESCE_USE_ADAPTIVE_TX,
				 ec.use_adaptive_tx_coalesce));
	/* the kernel sends a field the driver supports, or any non-zero one;
	 * a blank line after each group, as ethtool prints them */
	for (size_t i = 2; i < ARRAY_SIZE(coal_params); i++) {
		const struct coal_param *cp = &coal_params[i];
		u32 v = *coal_field(&ec, cp);

		show_u32(s, cp->label, v, (sup & cp->bit) || v);
		if (i % 4 == 1)
			seq_buf_puts(s, "\n");
	}
	return 0;
}

static void show_feature(struct seq_buf *s, const struct feature_name *f, bool on, bool fixed)
{
	seq_buf_printf(s, "%s%s: %s%s\n", f->child ? "\t" : "", f->name, on ? "on" : "off",
		       fixed ? " [fixed]" : "");
}

static int show_features(struct net_device *dev, struct seq_buf *s)
{
	u32 feat = dev ? READ_ONCE(dev->features) : 0, hw = dev ? dev->hw_features : 0;

	seq_buf_printf(s, "Features for %s:\n", dev ? dev->name : LOOPBACK_NAME);
	for (size_t i = 0; i < ARRAY_SIZE(features); i++) {
		const struct feature_name *f = &features[i];

		if (!dev)
			show_feature(s, f, f->loopback, true);
		else
			show_feature(s, f, (feat & f->bits) != 0, !(hw & f->bits));
	}
	return 0;
}

/* --- settings ------------------------------------------------------------ */

static int set_ring(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	struct ethtool_ringparam ring;
	const char *why;
	int rc = ethtool_get_ringparam(dev, &ring);

	if (rc)
		return nl_error(s, rc, NULL);
	if (r->ring_set & ETHTOOL_RING_RX)
		ring.rx_pending = r->ring.rx_pending;
	if (r->ring_set & ETHTOOL_RING_RX_MINI)
		ring.rx_mini_pending = r->ring.rx_mini_pending;
	if (r->ring_set & ETHTOOL_RING_RX_JUMBO)
		ring.rx_jumbo_pending = r->ring.rx_jumbo_pending;
	if (r->ring_set & ETHTOOL_RING_TX)
		ring.tx_pending = r->ring.tx_pending;
	rc = ethtool_set_ringparam(dev, &ring, &why);
	return rc ? nl_error(s, rc, why) : 0;
}

static int set_coal(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	struct ethtool_coalesce ec;
	const char *why;
	int rc = ethtool_get_coalesce(dev, &ec);

	if (rc)
		return nl_error(s, rc, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(coal_params); i++)
		if (r->coal_set & coal_params[i].bit)
			*coal_field(&ec, &coal_params[i]) =
				*coal_field((struct ethtool_coalesce *)&r->coal, &coal_params[i]);
	rc = ethtool_set_coalesce(dev, &ec, r->coal_set, &why);
	return rc ? nl_error(s, rc, why) : 0;
}

static int set_features(struct net_device *dev, const struct ethtool_req *r,
			struct seq_buf *s)
{
	const char *why;
	int rc = 0;

	if (dev && r->feat_mask)
		rc = ethtool_set_features(dev, r->feat_mask, r->feat_wanted, &why);
	else if (!dev && r->feat_mask)
		rc = -EINVAL;   /* lo: every feature is fixed */
	if (rc || r->feat_fixed_asked) {
		seq_buf_puts(s, "Could not change any device features\n");
		return 1;
	}
	return 0;
}

int ethtool_exec(const struct ethtool_req *r, struct seq_buf *s)
{
	struct net_device *dev = netdev_get_by_name(r->dev);

	if (!dev && !strcmp(r->dev, LOOPBACK_NAME)) {
		switch (r->mode) {
		case ETHTOOL_MODE_GFEAT:
			return show_features(NULL, s);
		case ETHTOOL_MODE_SFEAT:
			return set_features(NULL, r, s);
		case ETHTOOL_MODE_DRVINFO:
			seq_buf_printf(s, "Cannot get driver information: %s\n",
				       errno_desc(-EOPNOTSUPP));
			return 71;
		case ETHTOOL_MODE_STATS:
			seq_buf_puts(s, "no stats available\n");
			return 94;
		case ETHTOOL_MODE_SETTINGS:
			seq_buf_printf(s, "Settings for %s:\n\tLink detected: yes\n", r->dev);
			return 0;
		default:
			return nl_error(s, -EOPNOTSUPP, NULL);
		}
	}
	if (!dev) {
		if (r->mode == ETHTOOL_MODE_DRVINFO) {
			seq_buf_printf(s, "Cannot get driver information: %s\n",
				       errno_desc(-ENODEV));
			return 71;
		}
		return nl_error(s, -ENODEV, "no device matches name");
	}
	switch (r->mode) {
	case ETHTOOL_MODE_SETTINGS: return show_settings(dev, s);
	case ETHTOOL_MODE_DRVINFO:  return show_drvinfo(dev, s);
	case ETHTOOL_MODE_STATS:    return show_stats(dev, s);
	case ETHTOOL_MODE_GRING:    return show_ring(dev, s);
	case ETHTOOL_MODE_SRING:    return set_ring(dev, r, s);
	case ETHTOOL_MODE_GCOAL:    return show_coal(dev, s);
	case ETHTOOL_MODE_SCOAL:    return set_coal(dev, r, s);
	case ETHTOOL_MODE_GFEAT:    return show_features(dev, s);
	case ETHTOOL_MODE_SFEAT:    return set_features(dev, r, s);
	case ETHTOOL_MODE_GCHAN:
	case ETHTOOL_MODE_SCHAN:
	case ETHTOOL_MODE_GRXFH:
	case ETHTOOL_MODE_SRXFH:
	case ETHTOOL_MODE_GRXCLASS:
	case ETHTOOL_MODE_SRXCLASS:
		return ethtool_exec_rss(dev, r, s);
	}
	return 1;
}

int ethtool_main(int argc, char **argv, struct seq_buf *out)
{
	struct ethtool_req req;

	if (ethtool_parse(argc, argv, &req, out))
		return 1;
	return ethtool_exec(&req, out);
}
