/* The ethtool layer: checks, then the driver's op (see ethtool.h). */
#include "net/ethtool/ethtool.h"
#include "kernel/errno.h"
#include <stdlib.h>
#include <string.h>

static const struct net_device_ops *ops_of(struct net_device *dev)
{
	return dev->netdev_ops;
}

static void set_why(const char **why, const char *s)
{
	if (why)
		*why = s;
}

int ethtool_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info)
{
	memset(info, 0, sizeof(*info));
	if (!ops_of(dev)->ndo_get_drvinfo)
		return -EOPNOTSUPP;
	ops_of(dev)->ndo_get_drvinfo(dev, info);
	return 0;
}

int ethtool_get_ringparam(struct net_device *dev, struct ethtool_ringparam *ring)
{
	memset(ring, 0, sizeof(*ring));
	if (!ops_of(dev)->ndo_get_ringparam)
		return -EOPNOTSUPP;
	ops_of(dev)->ndo_get_ringparam(dev, ring);
	return 0;
}

int ethtool_get_coalesce(struct net_device *dev, struct ethtool_coalesce *ec)
{
	memset(ec, 0, sizeof(*ec));
	if (!ops_of(dev)->ndo_get_coalesce)
		return -EOPNOTSUPP;
	ops_of(dev)->ndo_get_coalesce(dev, ec);
	return 0;
}

/* GRO's counters (net/core/gro.c) after the driver's: GRO runs in the
 * stack above every driver, so the layer adds them (mlx5's rx_gro_* names) */
static int ethtool_add_gro_stats(struct net_device *dev, struct ethtool_stat *stats,
				 unsigned int n, unsigned int max)
{
	const struct netdev_gro_stats *g = &dev->gro;
	const struct ethtool_stat add[] = {
		{ "rx_gro_skbs", READ_ONCE(g->skbs) },
		{ "rx_gro_packets", READ_ONCE(g->segs) },
		{ "rx_gro_bytes", READ_ONCE(g->bytes) },
		{ "rx_gro_flush_poll", READ_ONCE(g->flush_poll) },
		{ "rx_gro_flush_mismatch", READ_ONCE(g->flush_mismatch) },
		{ "rx_gro_flush_full", READ_ONCE(g->flush_full) },
		{ "rx_gro_flush_push", READ_ONCE(g->flush_push) },
		{ "rx_gro_csum_bad", READ_ONCE(g->csum_bad) },
	};

	if (!(dev->hw_features & NETIF_F_GRO))
		return (int)n;
	for (size_t i = 0; i < ARRAY_SIZE(add) && n < max; i++)
		stats[n++] = add[i];
	return (int)n;
}

/* "name=value name=value ..." (ndo_get_hw_stats) split in place */
static int stats_from_text(char *text, struct ethtool_stat *stats, unsigned int max)
{
	unsigned int n = 0;
	char *p = text;

	while (*p && n < max) {
		char *name, *eq, *end;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
		eq = strchr(name, '=');
		if (!eq || eq == name)
			continue;
		*eq = '\0';
		stats[n].name = name;
		stats[n].value = strtoull(eq + 1, &end, 10);
		if (*end)
			continue;       /* not a number: not a counter */
		n++;
	}
	return (int)n;
}

int ethtool_get_stats(struct net_device *dev, struct ethtool_stat *stats, unsigned int max,
		      char *buf)
{
	const struct net_device_ops *ops = ops_of(dev);
	int n = 0;

	if (ops->ndo_get_ethtool_stats) {
		n = ops->ndo_get_ethtool_stats(dev, stats, max);
		if (n < 0)
			return n;
		n = (int)MIN((unsigned int)n, max);
	} else if (ops->ndo_get_hw_stats) {
		n = ops->ndo_get_hw_stats(dev, buf, ETHTOOL_HW_STATS_TEXT);
		if (n < 0)
			return n;
		n = stats_from_text(buf, stats, max);
	}
	return ethtool_add_gro_stats(dev, stats, (unsigned int)n, max);
}

int ethtool_set_ringparam(struct net_device *dev, const struct ethtool_ringparam *ring,
			  const char **why)
{
	const struct net_device_ops *ops = ops_of(dev);
	struct ethtool_ringparam max;
	int rc;

	set_why(why, NULL);
	if (!ops->ndo_get_ringparam || !ops->ndo_set_ringparam)
		return -EOPNOTSUPP;
	ops->ndo_get_ringparam(dev, &max);
	/* Linux net/ethtool/rings.c: the same words, before the driver sees it */
	if (ring->rx_pending > max.rx_max_pending || ring->tx_pending > max.tx_max_pending ||
	    ring->rx_mini_pending > max.rx_mini_max_pending ||
	    ring->rx_jumbo_pending > max.rx_jumbo_max_pending) {
		set_why(why, "requested ring size exceeds maximum");
		return -EINVAL;
	}
	if (!ring->rx_pending || !ring->tx_pending) {
		set_why(why, "ring size must not be zero");
		return -EINVAL;
	}
	rc = ops->ndo_set_ringparam(dev, ring);
	if (rc == -EINVAL)
		set_why(why, "ring size not supported by the device");
	return rc;
}

int ethtool_set_coalesce(struct net_device *dev, const struct ethtool_coalesce *ec,
			 u32 changed, const char **why)
{
	const struct net_device_ops *ops = ops_of(dev);
	int rc;

	set_why(why, NULL);
	if (!ops->ndo_get_coalesce || !ops->ndo_set_coalesce)
		return -EOPNOTSUPP;
	if (changed & ~ops->supported_coalesce_params) {
		set_why(why, "unsupported parameter");
		return -EOPNOTSUPP;
	}
	rc = ops->ndo_set_coalesce(dev, ec);
	if (rc == -EINVAL)
		set_why(why, "value out of the device's range");
	return rc;
}

int ethtool_set_features(struct net_device *dev, u32 mask, u32 wanted, const char **why)
{
	u32 old = READ_ONCE(dev->features);
	u32 next = (old & ~mask) | (wanted & mask);
	int rc;

	set_why(why, NULL);
	/* a group name (tx, tso) changes the members the device can switch,
	 * as Linux's ethtool does; a fixed feature asked for alone is refused */
	if (mask & dev->hw_features) {
		mask &= dev->hw_features;
		next = (old & ~mask) | (wanted & mask);
	}
	/* Linux's netdev_fix_features: no segmentation without the checksums */
	if (!(next & NETIF_F_IP_CSUM))
		next &= ~NETIF_F_TSO;
	if (!(next & NETIF_F_IPV6_CSUM))
		next &= ~NETIF_F_TSO6;
	if (wanted & mask & NETIF_F_ALL_TSO & ~next) {
		set_why(why, "TCP segmentation needs tx checksumming");
		return -EINVAL;
	}
	/* the device's own dependencies (e1000: tx-vlan-offload needs
	 * rx-vlan-offload, one CTRL.VME bit switching both) */
	if (ops_of(dev)->ndo_fix_features) {
		next = ops_of(dev)->ndo_fix_features(dev, next);
		if (wanted & mask & ~next) {
			set_why(why, "feature needs another that is off");
			return -EINVAL;
		}
	}
	if ((next ^ old) & ~dev->hw_features) {
		set_why(why, "feature is fixed");
		return -EINVAL;
	}
	if (next == old)
		return 0;
	if (ops_of(dev)->ndo_set_features) {
		rc = ops_of(dev)->ndo_set_features(dev, next);
		if (rc)
			return rc;
	}
	WRITE_ONCE(dev->features, next);
	net_glue_features_changed(dev);
	return 0;
}
