/* The ethtool layer and command (net/ethtool/) over a fake device: each
 * output against text written out by hand from ethtool 6.1's format
 * strings, settings validated before the driver sees them, and a refused
 * setting changing nothing. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "drivers/net/netdevice.h"
#include "kernel/errno.h"
#include "net/ethtool/ethtool.h"
#include "net/ethtool/ethtool_cmd.h"
#include "host_stubs.h"
#include "check_main.h"

static struct ethtool_ringparam fake_ring = {
	.rx_max_pending = 4096, .tx_max_pending = 4096, .rx_pending = 256, .tx_pending = 256,
};
static u32 fake_usecs = 3, fake_adaptive;
static int ring_sets, features_changed;
static u32 fake_rx_missed = 7;

static void fake_get_ring(struct net_device *d, struct ethtool_ringparam *r)
{
	(void)d;
	*r = fake_ring;
}

/* the driver's own rule: a multiple of 8 from 64 */
static int fake_set_ring(struct net_device *d, const struct ethtool_ringparam *r)
{
	(void)d;
	if (r->rx_pending < 64 || r->rx_pending % 8 || r->tx_pending < 64 || r->tx_pending % 8)
		return -EINVAL;
	fake_ring.rx_pending = r->rx_pending;
	fake_ring.tx_pending = r->tx_pending;
	ring_sets++;
	return 0;
}

static void fake_get_coal(struct net_device *d, struct ethtool_coalesce *ec)
{
	(void)d;
	ec->rx_coalesce_usecs = fake_usecs;
	ec->use_adaptive_rx_coalesce = fake_adaptive;
}

static int fake_set_coal(struct net_device *d, const struct ethtool_coalesce *ec)
{
	(void)d;
	if (ec->rx_coalesce_usecs > 10000)
		return -EINVAL;
	fake_usecs = ec->rx_coalesce_usecs;
	fake_adaptive = ec->use_adaptive_rx_coalesce;
	return 0;
}

static void fake_drvinfo(struct net_device *d, struct ethtool_drvinfo *info)
{
	(void)d;
	snprintf(info->driver, sizeof(info->driver), "e1000e");
	snprintf(info->version, sizeof(info->version), "0.1.0");
	snprintf(info->bus_info, sizeof(info->bus_info), "0000:00:02.0");
}

static int fake_stats(struct net_device *d, struct ethtool_stat *st, unsigned int max)
{
	(void)d;
	if (max >= 2) {
		st[0] = (struct ethtool_stat){ "rx_packets", 12345 };
		st[1] = (struct ethtool_stat){ "rx_missed_errors", fake_rx_missed };
	}
	return 2;
}

static const struct net_device_ops fake_ops = {
	.ndo_get_ringparam = fake_get_ring, .ndo_set_ringparam = fake_set_ring,
	.ndo_get_coalesce = fake_get_coal, .ndo_set_coalesce = fake_set_coal,
	.ndo_get_drvinfo = fake_drvinfo, .ndo_get_ethtool_stats = fake_stats,
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_USECS | ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
};

/* the stack's hook (net/lwip/netif.c in the kernel) */
void net_glue_features_changed(struct net_device *d)
{
	(void)d;
	features_changed++;
}

static struct net_device *dev;
static char out[16384];

static void setup(void)
{
	dev = alloc_netdev(0);
	dev->netdev_ops = &fake_ops;
	dev->hw_features = NETIF_F_IP_CSUM | NETIF_F_RXCSUM;
	dev->features = NETIF_F_RXCSUM;
	dev->carrier = true;
	dev->speed_mbps = 1000;
	dev->full_duplex = true;
	ck_assert_int_eq(register_netdev(dev), 0);
	fake_ring.rx_pending = fake_ring.tx_pending = 256;
	fake_usecs = 3;
	fake_adaptive = 0;
	ring_sets = features_changed = 0;
}

static void teardown(void)
{
	unregister_netdev(dev);
	free_netdev(dev);
	ck_assert_int_eq(host_kmalloc_live, 0);
}

/* run "ethtool ARGS" (words split on blanks); returns the status */
static int run(const char *line)
{
	static char copy[256];
	char *argv[32];
	int argc = 0;
	struct seq_buf s;

	snprintf(copy, sizeof(copy), "ethtool %s", line);
	for (char *t = strtok(copy, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	seq_buf_init(&s, out, sizeof(out));
	return ethtool_main(argc, argv, &s);
}

START_TEST(drvinfo)
{
	ck_assert_int_eq(run("-i eth0"), 0);
	ck_assert_str_eq(out,
		"driver: e1000e\n"
		"version: 0.1.0\n"
		"firmware-version: \n"
		"expansion-rom-version: \n"
		"bus-info: 0000:00:02.0\n"
		"supports-statistics: yes\n"
		"supports-test: no\n"
		"supports-eeprom-access: no\n"
		"supports-register-dump: no\n"
		"supports-priv-flags: no\n");
	ck_assert_int_eq(run("-i lo"), 71);
	ck_assert_str_eq(out, "Cannot get driver information: Operation not supported\n");
}
END_TEST

START_TEST(stats)
{
	ck_assert_int_eq(run("-S eth0"), 0);
	/* the driver's, then GRO's (every registered device has GRO) */
	ck_assert_str_eq(out, "NIC statistics:\n"
			 "     rx_packets: 12345\n"
			 "     rx_missed_errors: 7\n"
			 "     rx_gro_skbs: 0\n"
			 "     rx_gro_packets: 0\n"
			 "     rx_gro_bytes: 0\n"
			 "     rx_gro_flush_poll: 0\n"
			 "     rx_gro_flush_mismatch: 0\n"
			 "     rx_gro_flush_full: 0\n"
			 "     rx_gro_flush_push: 0\n"
			 "     rx_gro_csum_bad: 0\n");
	ck_assert_int_eq(run("-S lo"), 94);
	ck_assert_str_eq(out, "no stats available\n");
}
END_TEST

START_TEST(rings)
{
	ck_assert_int_eq(run("-g eth0"), 0);
	ck_assert_str_eq(out,
		"Ring parameters for eth0:\n"
		"Pre-set maximums:\n"
		"RX:\t\t4096\n"
		"RX Mini:\tn/a\n"
		"RX Jumbo:\tn/a\n"
		"TX:\t\t4096\n"
		"Current hardware settings:\n"
		"RX:\t\t256\n"
		"RX Mini:\tn/a\n"
		"RX Jumbo:\tn/a\n"
		"TX:\t\t256\n");
	ck_assert_int_eq(run("-G eth0 rx 512"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(fake_ring.rx_pending, 512);
	ck_assert_uint_eq(fake_ring.tx_pending, 256);
	/* over the maximum: refused before the driver sees it */
	ck_assert_int_eq(run("-G eth0 rx 8192 tx 64"), 1);
	ck_assert_str_eq(out, "netlink error: requested ring size exceeds maximum\n"
			 "netlink error: Invalid argument\n");
	/* the driver refuses: nothing changes, tx included */
	ck_assert_int_eq(run("-G eth0 rx 100 tx 64"), 1);
	ck_assert_str_eq(out, "netlink error: ring size not supported by the device\n"
			 "netlink error: Invalid argument\n");
	ck_assert_uint_eq(fake_ring.rx_pending, 512);
	ck_assert_uint_eq(fake_ring.tx_pending, 256);
	/* syntax: nothing reaches the driver */
	ck_assert_int_eq(run("-G eth0 rx abc"), 1);
	ck_assert_str_eq(out, "ethtool (-G): invalid value 'abc' for parameter 'rx'\n");
	ck_assert_int_eq(run("-G eth0 rx -5"), 1);
	ck_assert_int_eq(run("-G eth0 rx 64 rx 128"), 1);
	ck_assert_str_eq(out, "ethtool (-G): duplicate parameter 'rx'\n");
	ck_assert_int_eq(run("-G eth0 foo 1"), 1);
	ck_assert_str_eq(out, "ethtool (-G): unknown parameter 'foo'\n");
	ck_assert_int_eq(run("-G eth0 rx"), 1);
	ck_assert_str_eq(out, "ethtool (-G): no value for parameter 'rx'\n");
	ck_assert_int_eq(run("-G eth0 rx 0"), 1);
	ck_assert_int_eq(ring_sets, 1);
	ck_assert_int_eq(run("-g eth9"), 1);
	ck_assert_str_eq(out, "netlink error: no device matches name\n"
			 "netlink error: No such device\n");
}
END_TEST

START_TEST(coalesce)
{
	ck_assert_int_eq(run("-c eth0"), 0);
	ck_assert_str_eq(out,
		"Coalesce parameters for eth0:\n"
		"Adaptive RX: off  TX: n/a\n"
		"stats-block-usecs: n/a\n"
		"sample-interval: n/a\n"
		"pkt-rate-low: n/a\n"
		"pkt-rate-high: n/a\n"
		"\n"
		"rx-usecs: 3\n"
		"rx-frames: n/a\n"
		"rx-usecs-irq: n/a\n"
		"rx-frames-irq: n/a\n"
		"\n"
		"tx-usecs: n/a\n"
		"tx-frames: n/a\n"
		"tx-usecs-irq: n/a\n"
		"tx-frames-irq: n/a\n"
		"\n"
		"rx-usecs-low: n/a\n"
		"rx-frame-low: n/a\n"
		"tx-usecs-low: n/a\n"
		"tx-frame-low: n/a\n"
		"\n"
		"rx-usecs-high: n/a\n"
		"rx-frame-high: n/a\n"
		"tx-usecs-high: n/a\n"
		"tx-frame-high: n/a\n"
		"\n");
	ck_assert_int_eq(run("-C eth0 rx-usecs 50 adaptive-rx on"), 0);
	ck_assert_uint_eq(fake_usecs, 50);
	ck_assert_uint_eq(fake_adaptive, 1);
	/* a field the device does not have: refused, nothing changed */
	ck_assert_int_eq(run("-C eth0 rx-usecs 60 tx-usecs 60"), 1);
	ck_assert_str_eq(out, "netlink error: unsupported parameter\n"
			 "netlink error: Operation not supported\n");
	ck_assert_uint_eq(fake_usecs, 50);
	ck_assert_int_eq(run("-C eth0 rx-usecs 20000"), 1);
	ck_assert_uint_eq(fake_usecs, 50);
	ck_assert_int_eq(run("-C eth0 adaptive-rx maybe"), 1);
	ck_assert_str_eq(out, "ethtool (-C): invalid value 'maybe' for parameter 'adaptive-rx'\n");
	ck_assert_uint_eq(fake_adaptive, 1);
}
END_TEST

START_TEST(features)
{
	ck_assert_int_eq(run("-k eth0"), 0);
	ck_assert_ptr_nonnull(strstr(out, "Features for eth0:\n"
				     "rx-checksumming: on\n"
				     "tx-checksumming: off\n"
				     "\ttx-checksum-ipv4: off\n"
				     "\ttx-checksum-ip-generic: off [fixed]\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nloopback: off [fixed]\n"));
	/* GRO: a software feature, on at registration */
	ck_assert_ptr_nonnull(strstr(out, "\ngeneric-receive-offload: on\n"));
	ck_assert_int_eq(run("-K eth0 gro off"), 0);
	ck_assert_uint_eq(dev->features, NETIF_F_RXCSUM);
	ck_assert_int_eq(run("-k eth0"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\ngeneric-receive-offload: off\n"));
	ck_assert_int_eq(run("-K eth0 tx on rx off"), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(dev->features, NETIF_F_IP_CSUM);
	ck_assert_int_eq(features_changed, 2);
	ck_assert_int_eq(run("-k eth0"), 0);
	ck_assert_ptr_nonnull(strstr(out, "rx-checksumming: off\ntx-checksumming: on\n"
				     "\ttx-checksum-ipv4: on\n"));
	/* a feature barenet has not: fixed off, and the rest is not applied */
	ck_assert_int_eq(run("-K eth0 gso on"), 1);
	ck_assert_str_eq(out, "Could not change any device features\n");
	ck_assert_int_eq(run("-K eth0 rx sideways"), 1);
	ck_assert_uint_eq(dev->features, NETIF_F_IP_CSUM);
	/* a bit outside hw_features is fixed */
	dev->hw_features = NETIF_F_IP_CSUM;
	ck_assert_int_eq(run("-K eth0 rx on"), 1);
	ck_assert_uint_eq(dev->features, NETIF_F_IP_CSUM);
	ck_assert_int_eq(run("-k lo"), 0);
	ck_assert_ptr_nonnull(strstr(out, "Features for lo:\nrx-checksumming: off [fixed]\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nloopback: on [fixed]\n"));
	ck_assert_int_eq(run("-K lo rx on"), 1);
}
END_TEST

START_TEST(settings_and_args)
{
	ck_assert_int_eq(run("eth0"), 0);
	ck_assert_str_eq(out, "Settings for eth0:\n\tSupported ports: [ TP ]\n"
			 "\tSpeed: 1000Mb/s\n\tDuplex: Full\n\tPort: Twisted Pair\n"
			 "\tAuto-negotiation: on\n\tLink detected: yes\n");
	ck_assert_int_eq(run("-w eth0"), 1);
	ck_assert_str_eq(out, "ethtool: bad command line argument(s)\n"
			 "For more information run ethtool -h\n");
	/* a device without RSS ops: one combined channel, no table */
	ck_assert_int_eq(run("-x eth0"), 102);
	ck_assert_str_eq(out, "Cannot get RX ring count: Operation not supported\n");
	ck_assert_int_eq(run("-L eth0 combined 2"), 1);
	ck_assert_str_eq(out, "netlink error: requested channel count exceeds maximum\n"
			 "netlink error: Invalid argument\n");
	ck_assert_int_eq(run("-L eth0 combined 0"), 1);
	ck_assert_ptr_nonnull(strstr(out, "no RX or TX channel being configured"));
	ck_assert_int_eq(run("-L eth0 combined"), 1);
	ck_assert_str_eq(out, "ethtool (-L): no value for parameter 'combined'\n");
	ck_assert_int_eq(run("-X eth0 equal 0"), 1);
	ck_assert_int_eq(run("-n eth0 rx-flow-hash tcp4"), 1);
	ck_assert_str_eq(out, "Cannot get RX network flow hashing options: Operation not supported\n");
	ck_assert_int_eq(run("-N eth0 rx-flow-hash udp4 sdq"), 1);
	ck_assert_str_eq(out, "Invalid RXH flags\n");
	ck_assert_int_eq(run("-g eth0 extra"), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ethtool");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, drvinfo);
	tcase_add_test(tc, stats);
	tcase_add_test(tc, rings);
	tcase_add_test(tc, coalesce);
	tcase_add_test(tc, features);
	tcase_add_test(tc, settings_and_args);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
