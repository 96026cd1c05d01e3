/* Receive queues through ethtool: channels (-l/-L), the RSS indirection
 * table and key (-x/-X) and the hashed fields (-n/-N rx-flow-hash).
 *
 * The checks are Linux's, made before the driver sees a request, so a
 * refused one changes nothing: net/ethtool/channels.c ethnl_set_channels
 * (counts over the maximum, no RX or TX channel left, a user table naming
 * a queue that would go), net/ethtool/ioctl.c ethtool_set_rxfh (an entry
 * naming a queue not in use, a key of another size).  The output is
 * ethtool 6.1's: netlink/channels.c for -l, ethtool.c print_indir_table,
 * print_rss_hkey and do_grxfh for -x, dump_rxfhash for -n; -x/-X and
 * -n/-N go through its ioctl paths, whose errors are perror() lines. */
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "net/ethtool/ethtool.h"
#include "net/ethtool/ethtool_cmd.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the layer ------------------------------------------------------------ */

int ethtool_get_channels(struct net_device *dev, struct ethtool_channels *ch)
{
	memset(ch, 0, sizeof(*ch));
	if (!dev->netdev_ops->ndo_get_channels) {
		/* one queue pair, one NAPI: one combined channel */
		ch->max_combined = ch->combined_count = 1;
		return 0;
	}
	dev->netdev_ops->ndo_get_channels(dev, ch);
	return 0;
}

int ethtool_set_channels(struct net_device *dev, const struct ethtool_channels *ch,
			 const char **why)
{
	const struct net_device_ops *ops = dev->netdev_ops;
	struct ethtool_channels cur;
	struct ethtool_rxfh_param *p;
	int rc;

	*why = NULL;
	ethtool_get_channels(dev, &cur);
	if (ch->rx_count > cur.max_rx || ch->tx_count > cur.max_tx ||
	    ch->other_count > cur.max_other || ch->combined_count > cur.max_combined) {
		*why = "requested channel count exceeds maximum";
		return -EINVAL;
	}
	if ((!ch->combined_count && !ch->rx_count) || (!ch->combined_count && !ch->tx_count)) {
		*why = "requested channel counts would result in no RX or TX channel being configured";
		return -EINVAL;
	}
	if (!ops->ndo_set_channels)
		return -EOPNOTSUPP;
	/* a table the user set must not name a queue that goes away */
	if (dev->rxfh_configured && ops->ndo_get_rxfh) {
		p = kmalloc(sizeof(*p));
		if (!p)
			return -ENOMEM;
		rc = ops->ndo_get_rxfh(dev, p);
		for (u32 i = 0; !rc && i < p->indir_size; i++) {
			if (p->indir[i] >= ch->combined_count + ch->rx_count) {
				*why = "requested channel counts are too low for existing "
				       "indirection table settings";
				rc = -EINVAL;
			}
		}
		kfree(p);
		if (rc)
			return rc;
	}
	return ops->ndo_set_channels(dev, ch);
}

int ethtool_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p)
{
	memset(p, 0, sizeof(*p));
	if (!dev->netdev_ops->ndo_get_rxfh)
		return -EOPNOTSUPP;
	return dev->netdev_ops->ndo_get_rxfh(dev, p);
}

int ethtool_set_rxfh(struct net_device *dev, const struct ethtool_rxfh_param *p)
{
	struct ethtool_rxfh_param cur;
	int rc;

	if (!dev->netdev_ops->ndo_set_rxfh)
		return -EOPNOTSUPP;
	rc = ethtool_get_rxfh(dev, &cur);
	if (rc)
		return rc;
	if (p->set_indir) {
		if (p->indir_size != cur.indir_size)
			return -EINVAL;
		for (u32 i = 0; i < p->indir_size; i++)
			if (p->indir[i] >= cur.rx_rings)
				return -EINVAL;
	}
	if (p->set_key && p->key_size != cur.key_size)
		return -EINVAL;
	return dev->netdev_ops->ndo_set_rxfh(dev, p);
}

int ethtool_get_rxfh_fields(struct net_device *dev, u32 flow_type, u32 *fields)
{
	*fields = 0;
	if (!dev->netdev_ops->ndo_get_rxfh_fields)
		return -EOPNOTSUPP;
	return dev->netdev_ops->ndo_get_rxfh_fields(dev, flow_type, fields);
}

int ethtool_set_rxfh_fields(struct net_device *dev, u32 flow_type, u32 fields)
{
	if (!dev->netdev_ops->ndo_set_rxfh_fields)
		return -EOPNOTSUPP;
	return dev->netdev_ops->ndo_set_rxfh_fields(dev, flow_type, fields);
}

/* --- the command ------------------------------------------------------------ */

static int rss_bad_args(struct seq_buf *err)
{
	seq_buf_puts(err, "ethtool: bad command line argument(s)\n"
		     "For more information run ethtool -h\n");
	return -EINVAL;
}

static int rss_u32(const char *s, u32 *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return -EINVAL;
	v = strtoul(s, &end, 0);
	if (*end || v > 0xFFFFFFFFul)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

static int parse_channels(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	static const char *const names[] = { "rx", "tx", "other", "combined" };

	if (!argc) {
		seq_buf_puts(err, "ethtool (-L): no parameters given\n");
		return -EINVAL;
	}
	for (int i = 0; i < argc; i += 2) {
		u32 *field[] = { &r->chan.rx_count, &r->chan.tx_count, &r->chan.other_count,
				 &r->chan.combined_count };
		int k;

		for (k = 0; k < 4 && strcmp(argv[i], names[k]); k++)
			;
		if (k == 4) {
			seq_buf_printf(err, "ethtool (-L): unknown parameter '%s'\n", argv[i]);
			return -EINVAL;
		}
		if (i + 1 >= argc) {
			seq_buf_printf(err, "ethtool (-L): no value for parameter '%s'\n", argv[i]);
			return -EINVAL;
		}
		if (rss_u32(argv[i + 1], field[k])) {
			seq_buf_printf(err, "ethtool (-L): invalid value '%s' for parameter '%s'\n",
				       argv[i + 1], argv[i]);
			return -EINVAL;
		}
		r->chan_set |= BIT(k);
	}
	return 0;
}

/* "6d:5a:..." into r->rxfh_key */
static int parse_hkey(struct ethtool_req *r, const char *s)
{
	u32 n = 0;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 16);

		if (end == s || end - s > 2 || n >= ETH_RSS_KEY_MAX || (*end && *end != ':'))
			return -EINVAL;
		r->rxfh_key[n++] = (u8)v;
		s = *end ? end + 1 : end;
	}
	r->rxfh_key_len = n;
	return n ? 0 : -EINVAL;
}

static int parse_rxfh(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	bool table = false;

	if (!argc)
		return rss_bad_args(err);
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "equal") && !table) {
			/* ethtool get_int_range(..., 1, ...): 0 is a bad argument */
			if (i + 1 >= argc || rss_u32(argv[++i], &r->rxfh_equal) || !r->rxfh_equal)
				return rss_bad_args(err);
			table = true;
		} else if (!strcmp(argv[i], "weight") && !table) {
			while (i + 1 < argc && r->rxfh_nweights < ETH_RSS_INDIR_MAX &&
			       !rss_u32(argv[i + 1], &r->rxfh_weights[r->rxfh_nweights]))
				r->rxfh_nweights++, i++;
			if (!r->rxfh_nweights)
				return rss_bad_args(err);
			table = true;
		} else if (!strcmp(argv[i], "default") && !table) {
			r->rxfh_default = true;
			table = true;
		} else if (!strcmp(argv[i], "hkey") && !r->rxfh_key_len) {
			if (i + 1 >= argc || parse_hkey(r, argv[++i])) {
				seq_buf_puts(err, "Invalid RSS hash key format\n");
				return -EINVAL;
			}
		} else {
			return rss_bad_args(err);
		}
	}
	return 0;
}

static const struct {
	const char *name, *label;
	u32 type;
} rss_flows[] = {
	{ "tcp4", "TCP over IPV4", TCP_V4_FLOW },
	{ "udp4", "UDP over IPV4", UDP_V4_FLOW },
	{ "tcp6", "TCP over IPV6", TCP_V6_FLOW },
	{ "udp6", "UDP over IPV6", UDP_V6_FLOW },
};

/* ethtool's parse_rxfhashopts letters */
static int parse_fields(const char *s, u32 *fields)
{
	*fields = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'm': *fields |= RXH_L2DA; break;
		case 'v': *fields |= RXH_VLAN; break;
		case 't': *fields |= RXH_L3_PROTO; break;
		case 's': *fields |= RXH_IP_SRC; break;
		case 'd': *fields |= RXH_IP_DST; break;
		case 'f': *fields |= RXH_L4_B_0_1; break;
		case 'n': *fields |= RXH_L4_B_2_3; break;
		default: return -EINVAL;
		}
	}
	return 0;
}

static int parse_rxclass(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	bool set = r->mode == ETHTOOL_MODE_SRXCLASS;
	size_t k;

	if (argc != (set ? 3 : 2) || strcmp(argv[0], "rx-flow-hash"))
		return rss_bad_args(err);
	for (k = 0; k < ARRAY_SIZE(rss_flows) && strcmp(argv[1], rss_flows[k].name); k++)
		;
	if (k == ARRAY_SIZE(rss_flows))
		return rss_bad_args(err);
	r->flow_type = rss_flows[k].type;
	if (set && parse_fields(argv[2], &r->flow_fields)) {
		seq_buf_puts(err, "Invalid RXH flags\n");
		return -EINVAL;
	}
	return 0;
}

int ethtool_parse_rss(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err)
{
	switch (r->mode) {
	case ETHTOOL_MODE_SCHAN:
		return parse_channels(r, argc, argv, err);
	case ETHTOOL_MODE_SRXFH:
		return parse_rxfh(r, argc, argv, err);
	case ETHTOOL_MODE_GRXCLASS:
	case ETHTOOL_MODE_SRXCLASS:
		return parse_rxclass(r, argc, argv, err);
	default:
		return argc ? rss_bad_args(err) : 0;
	}
}

static void show_count(struct seq_buf *s, const char *label, u32 v, u32 max)
{
	/* the kernel leaves out a count whose maximum is 0: ethtool says n/a */
	if (max)
		seq_buf_printf(s, "%s%u\n", label, v);
	else
		seq_buf_printf(s, "%sn/a\n", label);
}

static int show_channels(struct net_device *dev, struct seq_buf *s)
{
	struct ethtool_channels ch;

	ethtool_get_channels(dev, &ch);
	seq_buf_printf(s, "Channel parameters for %s:\nPre-set maximums:\n", dev->name);
	show_count(s, "RX:\t\t", ch.max_rx, ch.max_rx);
	show_count(s, "TX:\t\t", ch.max_tx, ch.max_tx);
	show_count(s, "Other:\t\t", ch.max_other, ch.max_other);
	show_count(s, "Combined:\t", ch.max_combined, ch.max_combined);
	seq_buf_puts(s, "Current hardware settings:\n");
	show_count(s, "RX:\t\t", ch.rx_count, ch.max_rx);
	show_count(s, "TX:\t\t", ch.tx_count, ch.max_tx);
	show_count(s, "Other:\t\t", ch.other_count, ch.max_other);
	show_count(s, "Combined:\t", ch.combined_count, ch.max_combined);
	if (ch.note)
		seq_buf_printf(s, "Note:\t\t%s\n", ch.note);
	return 0;
}

static int rss_nl_error(struct seq_buf *s, int rc, const char *why)
{
	if (why)
		seq_buf_printf(s, "netlink error: %s\n", why);
	seq_buf_printf(s, "netlink error: %s\n", errno_desc(rc));
	return 1;
}

static int set_channels(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	struct ethtool_channels ch;
	const char *why;
	int rc;

	ethtool_get_channels(dev, &ch);
	if (r->chan_set & ETHTOOL_CHAN_RX)
		ch.rx_count = r->chan.rx_count;
	if (r->chan_set & ETHTOOL_CHAN_TX)
		ch.tx_count = r->chan.tx_count;
	if (r->chan_set & ETHTOOL_CHAN_OTHER)
		ch.other_count = r->chan.other_count;
	if (r->chan_set & ETHTOOL_CHAN_COMBINED)
		ch.combined_count = r->chan.combined_count;
	rc = ethtool_set_channels(dev, &ch, &why);
	return rc ? rss_nl_error(s, rc, why) : 0;
}

static int show_rxfh(struct net_device *dev, struct seq_buf *s)
{
	struct ethtool_rxfh_param *p = kmalloc(sizeof(*p));
	int rc;

	if (!p)
		return 1;
	rc = ethtool_get_rxfh(dev, p);
	if (rc) {
		seq_buf_printf(s, "Cannot get RX ring count: %s\n", errno_desc(rc));
		kfree(p);
		return 102;
	}
	seq_buf_printf(s, "RX flow hash indirection table for %s with %u RX ring(s):\n",
		       dev->name, p->rx_rings);
	for (u32 i = 0; i < p->indir_size; i++) {
		if (i % 8 == 0)
			seq_buf_printf(s, "%5u: ", i);
		seq_buf_printf(s, " %5u", p->indir[i]);
		if (i % 8 == 7 || i == p->indir_size - 1)
			seq_buf_puts(s, "\n");
	}
	seq_buf_puts(s, "RSS hash key:\n");
	for (u32 i = 0; i < p->key_size; i++)
		seq_buf_printf(s, i == p->key_size - 1 ? "%02x\n" : "%02x:", p->key[i]);
	if (!p->key_size)
		seq_buf_puts(s, "Operation not supported\n");
	seq_buf_puts(s, "RSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n");
	kfree(p);
	return 0;
}

/* ethtool's fill_indir_table: entry i to queue j while i is below the
 * running share of weights 0..j */
static void fill_weights(struct ethtool_rxfh_param *p, const u32 *w, u32 n)
{
	u64 sum = 0, partial = 0;
	int j = -1;

	for (u32 k = 0; k < n; k++)
		sum += w[k];
	for (u32 i = 0; i < p->indir_size; i++) {
		while (j + 1 < (int)n && i >= p->indir_size * partial / sum) {
			j++;
			partial += w[j];
		}
		p->indir[i] = (u32)j;
	}
}

static int set_rxfh(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	struct ethtool_rxfh_param *p = kmalloc(sizeof(*p));
	u64 wsum = 0;
	int rc;

	if (!p)
		return 1;
	rc = ethtool_get_rxfh(dev, p);
	if (rc) {
		seq_buf_printf(s, "Cannot get RX ring count: %s\n", errno_desc(rc));
		kfree(p);
		return 1;
	}
	for (u32 k = 0; k < r->rxfh_nweights; k++)
		wsum += r->rxfh_weights[k];
	p->set_indir = r->rxfh_equal || r->rxfh_nweights || r->rxfh_default;
	p->set_key = r->rxfh_key_len != 0;
	/* ethtool's own checks of the weights (fill_indir_table) */
	if (r->rxfh_nweights && (!wsum || wsum > p->indir_size)) {
		seq_buf_puts(s, wsum ? "Total weight exceeds the size of the indirection table\n"
				     : "At least one weight must be non-zero\n");
		kfree(p);
		return 2;
	}
	if (r->rxfh_equal || r->rxfh_default) {
		u32 n = r->rxfh_default ? p->rx_rings : r->rxfh_equal;

		for (u32 i = 0; i < p->indir_size; i++)
			p->indir[i] = i % n;
	} else if (r->rxfh_nweights) {
		fill_weights(p, r->rxfh_weights, r->rxfh_nweights);
	}
	if (p->set_key) {
		/* the size is the device's to check (ethtool_set_rxfh) */
		p->key_size = r->rxfh_key_len;
		memcpy(p->key, r->rxfh_key, r->rxfh_key_len);
	}
	if (!rc)
		rc = ethtool_set_rxfh(dev, p);
	if (!rc && p->set_indir)
		dev->rxfh_configured = !r->rxfh_default;
	kfree(p);
	if (rc) {
		seq_buf_printf(s, "Cannot set RX flow hash configuration: %s\n", errno_desc(rc));
		return 1;
	}
	return 0;
}

static int show_rxclass(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	static const struct {
		u32 bit;
		const char *text;
	} fields[] = {
		{ RXH_L2DA, "L2DA" }, { RXH_VLAN, "VLAN tag" }, { RXH_L3_PROTO, "L3 proto" },
		{ RXH_IP_SRC, "IP SA" }, { RXH_IP_DST, "IP DA" },
		{ RXH_L4_B_0_1, "L4 bytes 0 & 1 [TCP/UDP src port]" },
		{ RXH_L4_B_2_3, "L4 bytes 2 & 3 [TCP/UDP dst port]" },
	};
	u32 f;
	int rc = ethtool_get_rxfh_fields(dev, r->flow_type, &f);

	if (rc) {
		seq_buf_printf(s, "Cannot get RX network flow hashing options: %s\n",
			       errno_desc(rc));
		return 1;
	}
	for (size_t k = 0; k < ARRAY_SIZE(rss_flows); k++)
		if (rss_flows[k].type == r->flow_type)
			seq_buf_printf(s, "%s flows use these fields for computing Hash flow key:\n",
				       rss_flows[k].label);
	if (!f)
		seq_buf_puts(s, "None\n");
	for (size_t k = 0; k < ARRAY_SIZE(fields); k++)
		if (f & fields[k].bit)
			seq_buf_printf(s, "%s\n", fields[k].text);
	seq_buf_puts(s, "\n");
	return 0;
}

static int set_rxclass(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	int rc = ethtool_set_rxfh_fields(dev, r->flow_type, r->flow_fields);

	if (rc) {
		seq_buf_printf(s, "Cannot change RX network flow hashing options: %s\n",
			       errno_desc(rc));
		return 1;
	}
	return 0;
}

int ethtool_exec_rss(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s)
{
	switch (r->mode) {
	case ETHTOOL_MODE_GCHAN:    return show_channels(dev, s);
	case ETHTOOL_MODE_SCHAN:    return set_channels(dev, r, s);
	case ETHTOOL_MODE_GRXFH:    return show_rxfh(dev, s);
	case ETHTOOL_MODE_SRXFH:    return set_rxfh(dev, r, s);
	case ETHTOOL_MODE_GRXCLASS: return show_rxclass(dev, r, s);
	case ETHTOOL_MODE_SRXCLASS: return set_rxclass(dev, r, s);
	default:                    return 1;
	}
}
