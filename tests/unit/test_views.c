/* fs/view.c path resolution and listing, and the net_device views
 * (drivers/net/netdevice_proc.c) over a fake device with known counters:
 * /proc/net/dev against a line written out by hand from Linux's format. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "drivers/net/netdevice.h"
#include "fs/view.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "host_stubs.h"
#include "check_main.h"

static void fake_stats(struct net_device *dev, struct rtnl_link_stats64 *s)
{
	(void)dev;
	s->rx_bytes = 123456789;
	s->rx_packets = 1234;
	s->rx_errors = 1;
	s->rx_dropped = 2;
	s->rx_missed_errors = 3;        /* drop column: 2 + 3 */
	s->rx_fifo_errors = 4;
	s->rx_length_errors = 1;        /* frame column: 1 + 2 + 3 + 4 */
	s->rx_over_errors = 2;
	s->rx_crc_errors = 3;
	s->rx_frame_errors = 4;
	s->multicast = 7;
	s->tx_bytes = 987654321;
	s->tx_packets = 4321;
	s->tx_dropped = 6;
	s->tx_fifo_errors = 8;
	s->collisions = 9;
	s->tx_carrier_errors = 1;       /* carrier column: 1 + 2 + 3 + 4 */
	s->tx_aborted_errors = 2;
	s->tx_window_errors = 3;
	s->tx_heartbeat_errors = 4;
	s->rx_nohandler = 10;
}

static const struct net_device_ops fake_ops = { .ndo_get_stats64 = fake_stats };
static struct net_device *dev;

static void setup(void)
{
	dev = alloc_netdev(0);
	ck_assert_ptr_nonnull(dev);
	dev->netdev_ops = &fake_ops;
	dev->rx_nohandler = 5;          /* the core's own count, added to the driver's */
	ck_assert_int_eq(register_netdev(dev), 0);
}

static void teardown(void)
{
	unregister_netdev(dev);
	free_netdev(dev);
	ck_assert_int_eq(host_kmalloc_live, 0);
}

static char *read_view(const char *path, int *rc)
{
	char *text = NULL;
	size_t len = 0;

	*rc = view_read(path, &text, &len);
	if (!*rc)
		ck_assert_uint_eq(strlen(text), len);
	return text;
}

static void expect_view(const char *path, const char *want)
{
	int rc;
	char *text = read_view(path, &rc);

	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(text, want);
	kfree(text);
}

static void expect_error(const char *path, int err)
{
	int rc;

	read_view(path, &rc);
	ck_assert_int_eq(rc, err);
}

START_TEST(proc_net_dev_has_linux_layout)
{
	expect_view("/proc/net/dev",
		    "Inter-|   Receive                                                |  Transmit\n"
		    " face |bytes    packets errs drop fifo frame compressed multicast|"
		    "bytes    packets errs drop fifo colls carrier compressed\n"
		    "  eth0: 123456789    1234    1    5    4    10          0         7 "
		    "987654321    4321    0    6    8     9      10          0\n");
}
END_TEST

START_TEST(sysfs_statistics_one_counter_per_file)
{
	expect_view("/sys/class/net/eth0/statistics/rx_bytes", "123456789\n");
	expect_view("/sys/class/net/eth0/statistics/rx_missed_errors", "3\n");
	expect_view("/sys/class/net/eth0/statistics/tx_heartbeat_errors", "4\n");
	expect_view("/sys/class/net/eth0/statistics/rx_nohandler", "15\n");
	expect_view("/sys/class/net/eth0/statistics/rx_otherhost_dropped", "0\n");
	/* paths are normalised: repeated and trailing slashes */
	expect_view("//sys//class/net/eth0/statistics/tx_packets/", "4321\n");
	expect_error("/sys/class/net/eth1/statistics/rx_bytes", -ENOENT);
	expect_error("/sys/class/net/eth0/statistics/bogus", -ENOENT);
	expect_error("/sys/class/net/eth0", -EISDIR);
	expect_error("/sys", -EISDIR);
	expect_error("sys/class/net", -ENOENT);
	expect_error("/proc/nothing", -ENOENT);
	expect_error("/a/b/c/d/e/f/g/h/i", -ENAMETOOLONG);
	expect_error("/sys/class/net/eth0/statistics/a_name_longer_than_thirty_two_bytes",
		     -ENAMETOOLONG);
	ck_assert_int_eq(view_stat("/sys/class/net/eth0/statistics"), VIEW_DIRECTORY);
	ck_assert_int_eq(view_stat("/proc/net/dev"), VIEW_FILE);
	ck_assert_int_eq(view_stat("/proc/net/nope"), VIEW_NONE);
}
END_TEST

struct listing {
	char names[64][VIEW_NAME_MAX + 1];
	int n;
};

static int collect(const char *name, bool is_dir, void *ctx)
{
	struct listing *l = ctx;

	ck_assert_int_lt(l->n, 64);
	snprintf(l->names[l->n++], sizeof(l->names[0]), "%s%s", name, is_dir ? "/" : "");
	return 0;
}

START_TEST(directories_list_sorted_once)
{
	static const char *const stats[] = {
		"collisions", "multicast", "rx_bytes", "rx_compressed", "rx_crc_errors",
		"rx_dropped", "rx_errors", "rx_fifo_errors", "rx_frame_errors",
		"rx_length_errors", "rx_missed_errors", "rx_nohandler", "rx_otherhost_dropped",
		"rx_over_errors", "rx_packets", "tx_aborted_errors", "tx_bytes",
		"tx_carrier_errors", "tx_compressed", "tx_dropped", "tx_errors",
		"tx_fifo_errors", "tx_heartbeat_errors", "tx_packets", "tx_window_errors",
	};
	struct listing l = { .n = 0 };

	ck_assert_int_eq(view_list_dir("/sys/class/net/eth0/statistics", collect, &l), 0);
	ck_assert_int_eq(l.n, (int)(sizeof(stats) / sizeof(stats[0])));
	for (int i = 0; i < l.n; i++)
		ck_assert_str_eq(l.names[i], stats[i]);

	l.n = 0;
	ck_assert_int_eq(view_list_dir("/sys/class/net", collect, &l), 0);
	ck_assert_int_eq(l.n, 1);
	ck_assert_str_eq(l.names[0], "eth0/");

	l.n = 0;
	ck_assert_int_eq(view_list_dir("/proc/net", collect, &l), 0);
	ck_assert_int_eq(l.n, 1);
	ck_assert_str_eq(l.names[0], "dev");

	l.n = 0;
	ck_assert_int_eq(view_list_dir("/", collect, &l), 0);
	ck_assert_int_eq(l.n, 2);
	ck_assert_str_eq(l.names[0], "proc/");
	ck_assert_str_eq(l.names[1], "sys/");

	ck_assert_int_eq(view_list_dir("/proc/net/dev", collect, &l), -ENOTDIR);
	ck_assert_int_eq(view_list_dir("/nowhere", collect, &l), -ENOENT);
}
END_TEST

START_TEST(out_of_memory_is_reported)
{
	int rc;

	host_kmalloc_fail_after = 1;
	read_view("/proc/net/dev", &rc);
	host_kmalloc_fail_after = 0;
	ck_assert_int_eq(rc, -ENOMEM);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("views");
	TCase *tc = tcase_create("netdev");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, proc_net_dev_has_linux_layout);
	tcase_add_test(tc, sysfs_statistics_one_counter_per_file);
	tcase_add_test(tc, directories_list_sorted_once);
	tcase_add_test(tc, out_of_memory_is_reported);
	suite_add_tcase(s, tc);
	return unit_run_suite(s);
}
