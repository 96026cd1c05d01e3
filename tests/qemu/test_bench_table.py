"""The bench's parsers and table (bench/benchlib.py) on fixed texts: no
QEMU and none of the bench's downloads."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
import benchlib  # noqa: E402

LINUX_INTERRUPTS = """           CPU0       
  4:        130   IO-APIC   4-edge      ttyS0
 24:        700   PCI-MSI 1048576-edge      eth0-rx-0
 25:         50   PCI-MSI 1048577-edge      eth0-tx-0
 26:          2   PCI-MSI 1048578-edge      eth0
 27:          9   PCI-MSI 1048579-edge      eth01
LOC:       3873   Local timer interrupts
"""
STAT0 = "cpu  10 0 20 1000 5 3 7 0 0 0\ncpu0 10 0 20 1000 5 3 7 0 0 0\nintr 5\n"
STAT1 = "cpu  10 0 50 1050 5 13 27 0 0 0\ncpu0 10 0 50 1050 5 13 27 0 0 0\nintr 9\n"
NET_DEV = """Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:      56       1    0    0    0     0          0         0       56       1    0    0    0     0       0          0
  eth0:   12345     678    0    0    0     0          0         0     9999      42    0    0    0     0       0          0
"""


def test_nic_irqs_sums_the_eth0_rows_only():
    assert benchlib.nic_irqs(LINUX_INTERRUPTS) == 752
    with pytest.raises(ValueError):
        benchlib.nic_irqs(LINUX_INTERRUPTS, dev="eth1")


def test_cpu_busy_from_two_stat_samples():
    busy, b, total = benchlib.cpu_busy(benchlib.parse_stat_cpu(STAT0), benchlib.parse_stat_cpu(STAT1))
    assert (b, total) == (60, 110)
    assert busy == pytest.approx(60 / 110)


def test_net_dev_and_percentile():
    assert benchlib.net_dev(NET_DEV) == (678, 42)
    vals = list(range(1, 101))
    assert benchlib.percentile(vals, 50) == 50
    assert benchlib.percentile(vals, 99) == 99
    assert benchlib.percentile([], 50) is None


def test_table_has_every_row_and_the_ratio():
    res = {"barenet": {"rtt_p50_ms": 0.25, "udp_64_8": 20000.0, "image_bytes": 400000,
                       "min_mem_mib": 4},
           "linux": {"rtt_p50_ms": 0.5, "udp_64_8": 10000.0, "image_bytes": 12000000,
                     "min_mem_mib": 96}}
    md = benchlib.table(res).splitlines()
    assert md[0] == "| measure | unit | barenet | Linux | barenet/Linux |"
    assert len(md) == 2 + len(benchlib.ROWS)
    rows = {line.split(" | ")[0][2:]: line.split(" | ") for line in md[2:]}
    assert rows["ping RTT p50"][2:] == ["0.25", "0.50", "0.50 |"]
    assert rows["UDP echo 64 B, 8 in flight"][2:] == ["20,000", "10,000", "2.00 |"]
    assert rows["image size (kernel + initrd)"][2:] == ["400,000", "12,000,000", "0.03 |"]
    assert rows["smallest -m that boots and serves"][4] == "0.04 |"
    # missing values: n/a, never a made-up ratio
    assert rows["ping RTT p99"][2:] == ["n/a", "n/a", "n/a |"]
