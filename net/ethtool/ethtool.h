/* The ethtool layer: validated access to a net_device's ethtool ops, the
 * barenet counterpart of Linux's net/ethtool/.  The shell's `ethtool`
 * command and the kernel command line (ethtool="-G eth0 rx 512") both come
 * through here, so a value is checked the same way wherever it comes from,
 * and a refused change leaves the device exactly as it was.
 *
 * Every call takes the device by pointer and runs in process context (the
 * shell, or boot before the idle loop); none may be called from an
 * interrupt handler.  Errors are negative errnos; *why (when not NULL) is
 * then set to a sentence in Linux's words for the error (what its kernel
 * puts in the netlink extack), or NULL. */
#ifndef NET_ETHTOOL_ETHTOOL_H
#define NET_ETHTOOL_ETHTOOL_H

#include "drivers/net/netdevice.h"
#include "kernel/types.h"

/* the most counters ethtool -S shows for one device */
#define ETHTOOL_STATS_MAX 256

/* -EOPNOTSUPP when the driver has no such op */
int ethtool_get_drvinfo(struct net_device *dev, struct ethtool_drvinfo *info);
int ethtool_get_ringparam(struct net_device *dev, struct ethtool_ringparam *ring);
int ethtool_get_coalesce(struct net_device *dev, struct ethtool_coalesce *ec);

/* ethtool -S: up to max counters into stats; returns how many (0: none),
 * or a negative errno.  From ndo_get_ethtool_stats, else parsed from the
 * "name=value ..." text of ndo_get_hw_stats (names point into buf, which
 * must outlive stats; ETHTOOL_HW_STATS_TEXT bytes). */
#define ETHTOOL_HW_STATS_TEXT 2048
int ethtool_get_stats(struct net_device *dev, struct ethtool_stat *stats, unsigned int max,
		      char *buf);

/* ethtool -G: the new ring sizes (a whole ringparam as ethtool_get_ringparam
 * returned it, with the fields to change set).  Refuses sizes over the
 * maximum or 0 before the driver sees them. */
int ethtool_set_ringparam(struct net_device *dev, const struct ethtool_ringparam *ring,
			  const char **why);

/* ethtool -C: changed holds the ETHTOOL_COALESCE_* bits of the fields the
 * user gave; any not in the driver's supported_coalesce_params is refused
 * with -EOPNOTSUPP. */
int ethtool_set_coalesce(struct net_device *dev, const struct ethtool_coalesce *ec,
			 u32 changed, const char **why);

/* ethtool -K: set the NETIF_F_* bits of mask to their values in wanted.
 * When mask holds bits of dev->hw_features, only those change (a group
 * such as tx); otherwise a bit that would change is fixed: -EINVAL. */
int ethtool_set_features(struct net_device *dev, u32 mask, u32 wanted, const char **why);

/* ethtool -l/-L (Linux net/ethtool/channels.c): set checks the counts
 * against the maximums and the user's indirection table before the
 * driver sees them */
int ethtool_get_channels(struct net_device *dev, struct ethtool_channels *ch);
int ethtool_set_channels(struct net_device *dev, const struct ethtool_channels *ch,
			 const char **why);
/* ethtool -x/-X (Linux ethtool_get_rxfh/ethtool_set_rxfh): set refuses
 * an entry naming a queue not in use, or a key of another size */
int ethtool_get_rxfh(struct net_device *dev, struct ethtool_rxfh_param *p);
int ethtool_set_rxfh(struct net_device *dev, const struct ethtool_rxfh_param *p);
/* ethtool -n/-N rx-flow-hash */
int ethtool_get_rxfh_fields(struct net_device *dev, u32 flow_type, u32 *fields);
int ethtool_set_rxfh_fields(struct net_device *dev, u32 flow_type, u32 fields);

/* the stack's hook for feature changes (net/lwip/netif.c): called after
 * dev->features changed; takes the core lock itself */
void net_glue_features_changed(struct net_device *dev);

#endif
