/* The ethtool command: argument parsing and output in the format of
 * ethtool 6.1 (the netlink interface), into a seq_buf so that the shell,
 * the kernel command line and the host tests share it.
 *
 *   ethtool DEV              link settings
 *   ethtool -i DEV           driver, version, bus-info
 *   ethtool -S DEV           "NIC statistics:" and every counter
 *   ethtool -g DEV           ring sizes;  -G DEV [rx N] [rx-mini N] [rx-jumbo N] [tx N]
 *   ethtool -c DEV           coalescing;  -C DEV [adaptive-rx on|off] [rx-usecs N] ...
 *   ethtool -k DEV           offloads;    -K DEV [rx on|off] [tx on|off] [FEATURE on|off]
 *   ethtool -l DEV           channels;    -L DEV combined N
 *   ethtool -x DEV           RSS table and key;  -X DEV equal N | weight W.. | default [hkey K]
 *   ethtool -n DEV rx-flow-hash tcp4|udp4|tcp6|udp6;  -N DEV rx-flow-hash FLOW sdfn|sd
 *
 * A setting is parsed and checked whole before anything is applied; one
 * the device refuses leaves it unchanged (see net/ethtool/ethtool.h). */
#ifndef NET_ETHTOOL_ETHTOOL_CMD_H
#define NET_ETHTOOL_ETHTOOL_CMD_H

#include "drivers/net/netdevice.h"
#include "lib/seq_buf.h"

enum ethtool_mode {
	ETHTOOL_MODE_SETTINGS,  /* no option */
	ETHTOOL_MODE_DRVINFO,   /* -i */
	ETHTOOL_MODE_STATS,     /* -S */
	ETHTOOL_MODE_GRING,     /* -g */
	ETHTOOL_MODE_SRING,     /* -G */
	ETHTOOL_MODE_GCOAL,     /* -c */
	ETHTOOL_MODE_SCOAL,     /* -C */
	ETHTOOL_MODE_GFEAT,     /* -k */
	ETHTOOL_MODE_SFEAT,     /* -K */
	ETHTOOL_MODE_GCHAN,     /* -l */
	ETHTOOL_MODE_SCHAN,     /* -L */
	ETHTOOL_MODE_GRXFH,     /* -x */
	ETHTOOL_MODE_SRXFH,     /* -X */
	ETHTOOL_MODE_GRXCLASS,  /* -n rx-flow-hash FLOW */
	ETHTOOL_MODE_SRXCLASS,  /* -N rx-flow-hash FLOW FIELDS */
};

/* -L fields given */
#define ETHTOOL_CHAN_RX       BIT(0)
#define ETHTOOL_CHAN_TX       BIT(1)
#define ETHTOOL_CHAN_OTHER    BIT(2)
#define ETHTOOL_CHAN_COMBINED BIT(3)

/* -G fields given */
#define ETHTOOL_RING_RX       BIT(0)
#define ETHTOOL_RING_RX_MINI  BIT(1)
#define ETHTOOL_RING_RX_JUMBO BIT(2)
#define ETHTOOL_RING_TX       BIT(3)

/* a parsed command line */
struct ethtool_req {
	enum ethtool_mode mode;
	char dev[IFNAMSIZ];
	struct ethtool_ringparam ring;  /* -G: values of the fields in ring_set */
	u32 ring_set;
	struct ethtool_coalesce coal;   /* -C: values of the fields in coal_set */
	u32 coal_set;                   /* ETHTOOL_COALESCE_* */
	u32 feat_mask, feat_wanted;     /* -K: NETIF_F_* */
	u32 feat_fixed_asked;           /* -K named features barenet does not have */
	struct ethtool_channels chan;   /* -L: values of the fields in chan_set */
	u32 chan_set;
	/* -X: equal N, weight W..., default, hkey */
	u32 rxfh_equal;
	u32 rxfh_nweights;
	u32 rxfh_weights[ETH_RSS_INDIR_MAX];
	bool rxfh_default;
	u32 rxfh_key_len;               /* 0: no hkey given */
	u8 rxfh_key[ETH_RSS_KEY_MAX];
	/* -n/-N rx-flow-hash: the flow type and (-N) the RXH_* fields */
	u32 flow_type;
	u32 flow_fields;
};

/* ethtool_rss.c: -l/-L, -x/-X and -n/-N: parse the arguments after DEV
 * (0 or -EINVAL with ethtool's words in err), and run them */
int ethtool_parse_rss(struct ethtool_req *r, int argc, char **argv, struct seq_buf *err);
int ethtool_exec_rss(struct net_device *dev, const struct ethtool_req *r, struct seq_buf *s);

/* Parse argv[1..] (argv[0] is "ethtool"); errors go to err in ethtool's
 * words.  0 or -EINVAL. */
int ethtool_parse(int argc, char **argv, struct ethtool_req *req, struct seq_buf *err);
/* Run a parsed request on its device; returns the exit status (0 ok). */
int ethtool_exec(const struct ethtool_req *req, struct seq_buf *out);
/* both; the exit status */
int ethtool_main(int argc, char **argv, struct seq_buf *out);

/* Kernel command line: ethtool="-G eth0 rx 512" (repeatable), checked at
 * boot, applied to each device as the stack attaches it (before it is
 * opened).  Results go to the kernel log. */
void ethtool_cmdline_apply(struct net_device *dev);

#endif
