"""Receive Packet Steering on e1000 (issue 14): one queue, one interrupt on
CPU 0, and /sys/class/net/eth0/queues/rx-0/rps_cpus spreading the frames'
protocol processing over CPUs by flow hash (net/core/rps.c).

  rps_cpus 0 (the default): CPU 1's softnet_stat line does not move.
  rps_cpus 2: every frame is processed on CPU 1 (its processed column grows
  by the frames, received_rps counts the IPIs), the NIC's interrupt still
  only on CPU 0.
  rps_cpus 3 and 32 UDP flows: both CPUs process frames, all are echoed.
  netdev_max_backlog 4 and a burst: CPU 1's dropped column counts the
  frames its backlog could not take, as Linux's softnet_stat.
  A mask naming a CPU that is not there: bash's write error, unchanged.
  igb with 2 queues: each rx-N has its own rps_cpus (queue 1's frames,
  taken on CPU 1, processed on CPU 0 by rx-1's mask), bad masks refused.
  flow_limit_cpu_bitmap: Linux's hex mask in and out."""
import socket
import time

from harness import EXIT_OK, report
import netns
from netobs import quiet_shell as shell, softnet_stat, udp_echo_flows

GUEST = netns.GUEST4
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
RPS = "/sys/class/net/eth0/queues/rx-0/rps_cpus"


def softnet(g):
    """[(processed, dropped, received_rps)] per CPU."""
    return softnet_stat(g, 0, 1, 9)


def nic_irqs(g):
    for line in shell(g, "cat /proc/interrupts").splitlines():
        if line.endswith(" eth0"):
            return [int(x) for x in line.split()[1:3]]
    raise AssertionError("no eth0 row")


def echo_flows(net, nflows, n_each, base=42000):
    udp_echo_flows(net, netns.HOST4, (GUEST, 7), nflows, n_each, base, b"rps")


def delta(a, b):
    return [tuple(y - x for x, y in zip(p, q)) for p, q in zip(a, b)]


def rps_guest(net, name, nic="e1000"):
    """A guest with 2 CPUs, link up, that has echoed once (lwIP routes once
    its timer saw the carrier)."""
    g = net.guest(name, nic=nic, append=APPEND, smp=2)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    echo_flows(net, 1, 3)
    return g


def test_rps_spreads_and_counts(testnet, kernel):
    net = testnet
    g = rps_guest(net, "rps")

    assert shell(g, "ls /sys/class/net/eth0/queues").split() == ["rx-0/", "tx-0/"]
    assert shell(g, "cat " + RPS) == "0"
    s0, i0 = softnet(g), nic_irqs(g)
    echo_flows(net, 8, 4)
    s1, i1 = softnet(g), nic_irqs(g)
    d = delta(s0, s1)
    assert d[1][0] == 0 and d[0][0] >= 32, d           # all on CPU 0
    assert i1[1] == i0[1]

    # every frame to CPU 1; the interrupt stays on CPU 0
    assert shell(g, "echo 2 > " + RPS) == ""
    assert shell(g, "cat " + RPS) == "2"
    s0, i0 = softnet(g), nic_irqs(g)
    echo_flows(net, 8, 4)
    s1, i1 = softnet(g), nic_irqs(g)
    d = delta(s0, s1)
    assert d[1][0] >= 32 and d[0][0] == 0, d
    assert d[1][2] > 0, d                                # received_rps
    assert i1[1] == i0[1] and i1[0] > i0[0], (i0, i1)

    # both CPUs
    assert shell(g, "echo 3 > " + RPS) == ""
    s0 = softnet(g)
    echo_flows(net, 32, 2, base=43000)
    d = spread = delta(s0, softnet(g))
    assert d[0][0] > 0 and d[1][0] > 0 and d[0][0] + d[1][0] >= 64, d

    # a CPU that does not exist: refused, unchanged
    for bad in ("4", "7", "xyz", ""):
        out = shell(g, "echo %s > %s" % (bad, RPS))
        assert out == "bash: echo: write error: Invalid argument", (bad, out)
    assert shell(g, "cat " + RPS) == "3"

    # the backlog limit: CPU 1's queue of 4 overflows under a burst
    assert shell(g, "echo 2 > " + RPS) == ""
    shell(g, "sysctl -w net.core.netdev_max_backlog=4")
    s0 = softnet(g)
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(3000):
            try:
                s.sendto(b"burst %d" % i, (GUEST, 9))
            except BlockingIOError:
                time.sleep(0.001)
    time.sleep(1)
    d = delta(s0, softnet(g))
    shell(g, "sysctl -w net.core.netdev_max_backlog=1000")
    assert d[1][1] > 0 and d[0][1] == 0, d              # dropped on the target
    assert shell(g, "echo 0 > " + RPS) == ""
    echo_flows(net, 2, 2)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
    report("rps e1000: rps_cpus 2 moved every frame to CPU 1, 3 spread 32 flows %s, "
           "a backlog of 4 dropped %d of a burst on CPU 1" % (
               [x[0] for x in spread], d[1][1]))


def softirq_row(g, name):
    """/proc/softirqs' row for name: per CPU, the runs of its handler."""
    for line in shell(g, "cat /proc/softirqs").splitlines():
        f = line.split()
        if f and f[0] == name + ":":
            return [int(x) for x in f[1:]]
    raise AssertionError("no %s row" % name)


def test_rps_one_ipi_per_net_rx_run(testnet, kernel):
    """From NET_RX, RPS sends at most one IPI per target CPU per
    net_rx_action, at its end (Linux's rps_ipi_list, net/core/dev.c
    net_rps_send_ipi): under a burst that rps_cpus 2 moves to CPU 1, CPU
    1's received_rps (the IPIs that scheduled its backlog) stays at or
    below CPU 0's NET_RX runs, and every frame is processed or dropped on
    CPU 1."""
    net = testnet
    g = rps_guest(net, "rpsipi")
    assert shell(g, "echo 2 > " + RPS) == ""
    s0, r0 = softnet(g), softirq_row(g, "NET_RX")
    rx0 = int(shell(g, "cat /sys/class/net/eth0/statistics/rx_packets"))
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setblocking(False)
        for i in range(4000):
            try:
                s.sendto(b"ipi %d" % i, (GUEST, 9))
            except BlockingIOError:
                time.sleep(0.001)
    time.sleep(1)
    rx = int(shell(g, "cat /sys/class/net/eth0/statistics/rx_packets")) - rx0
    s1, r1 = softnet(g), softirq_row(g, "NET_RX")
    d = delta(s0, s1)
    runs0 = r1[0] - r0[0]
    # every frame processed or dropped (the shell is on the serial line),
    # the burst's on CPU 1 (an ARP frame has no flow hash: CPU 0's)
    assert sum(x[0] + x[1] for x in d) == rx and d[1][0] + d[1][1] >= 300, (d, rx)
    assert 0 < d[1][2] <= runs0, (d, runs0)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
    report("rps ipi e1000: %d frames to CPU 1 in %d NET_RX runs on CPU 0, %d IPIs" % (
        rx, runs0, d[1][2]))


def test_flow_limit_drops_the_big_flow(testnet, kernel):
    """RPS to CPU 1 with a short backlog and the flow limit on CPU 1: a
    one-flow flood fills the backlog past half, its frames are dropped and
    counted in CPU 1's flow_limit_count (and dropped), while echoes of
    small flows sent in between still come back."""
    net = testnet
    g = rps_guest(net, "flowlimit")
    assert shell(g, "sysctl net.core.flow_limit_table_len") == \
        "net.core.flow_limit_table_len = 4096"
    # Linux's hex mask (%*pb, cpumask_parse): commas between 32-bit
    # words, a CPU that is not there refused, nothing changed
    FL = "/proc/sys/net/core/flow_limit_cpu_bitmap"
    assert shell(g, "cat " + FL) == "0"
    assert shell(g, "echo 00000000,00000003 > " + FL) == ""
    assert shell(g, "cat " + FL) == "3"
    for bad in ("4", "10", "0x1", "g"):
        assert shell(g, "echo %s > %s" % (bad, FL)) == \
            "bash: echo: write error: Invalid argument", bad
    assert shell(g, "sysctl net.core.flow_limit_cpu_bitmap") == "net.core.flow_limit_cpu_bitmap = 3"
    assert shell(g, "sysctl -w net.core.flow_limit_cpu_bitmap=5") == \
        'sysctl: setting key "net.core.flow_limit_cpu_bitmap": Invalid argument'
    assert shell(g, "echo 0 > " + FL) == ""
    assert shell(g, "echo 2 > " + RPS) == ""
    shell(g, "sysctl -w net.core.netdev_max_backlog=64")
    shell(g, "sysctl -w net.core.flow_limit_cpu_bitmap=2")
    s0 = softnet(g)
    small_sent = small_back = 0
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as big, \
            net.socket(socket.AF_INET, socket.SOCK_DGRAM) as small:
        big.bind((netns.HOST4, 44444))
        small.setblocking(False)
        for i in range(4000):
            try:
                big.sendto(b"big %d" % i, (GUEST, 9))
            except BlockingIOError:
                time.sleep(0.001)
            if i % 100 == 50:
                # a new flow each time (its own source port)
                with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as one:
                    one.bind((netns.HOST4, 45000 + i))
                    one.settimeout(5)
                    one.sendto(b"small %d" % i, (GUEST, 7))
                    small_sent += 1
                    try:
                        small_back += one.recvfrom(64)[0] == b"small %d" % i
                    except socket.timeout:
                        pass
    time.sleep(1)
    d = delta(s0, softnet(g))
    shell(g, "sysctl -w net.core.flow_limit_cpu_bitmap=0")
    shell(g, "sysctl -w net.core.netdev_max_backlog=1000")
    cpu1 = [int(x, 16) for x in shell(g, "cat /proc/net/softnet_stat").splitlines()[1].split()]
    assert cpu1[10] > 0, cpu1                               # flow_limit_count
    assert d[1][1] >= cpu1[10], (d, cpu1)                   # counted in dropped too
    assert small_back >= small_sent * 3 // 4, (small_back, small_sent)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
    report("flow limit e1000: %d frames of one flow dropped by the flow limit on CPU 1, "
           "%d/%d small-flow echoes back" % (cpu1[10], small_back, small_sent))


def test_rps_cpus_per_rx_queue(testnet, kernel):
    """igb, 2 CPUs, 2 queues: RSS sends every flow to queue 1 (ethtool -X
    weight 0 1), whose vector is on CPU 1; rx-1/rps_cpus 1 moves their
    processing to CPU 0 while rx-0's stays 0."""
    net = testnet
    g = rps_guest(net, "rpsq", nic="igb")
    q = "/sys/class/net/eth0/queues/rx-%d/rps_cpus"
    assert shell(g, "ls /sys/class/net/eth0/queues").split() == ["rx-0/", "rx-1/", "tx-0/", "tx-1/"]
    assert shell(g, "ethtool -X eth0 weight 0 1") == ""
    s0 = softnet(g)
    echo_flows(net, 4, 4)
    d = delta(s0, softnet(g))
    assert d[0][0] == 0 and d[1][0] >= 16, d            # queue 1 on CPU 1
    assert shell(g, "echo 1 > " + q % 1) == ""
    assert shell(g, "cat " + q % 1) == "1" and shell(g, "cat " + q % 0) == "0"
    s0 = softnet(g)
    echo_flows(net, 4, 4)
    d = delta(s0, softnet(g))
    assert d[0][0] >= 16 and d[1][0] == 0, d            # rx-1's RPS to CPU 0
    assert d[0][2] > 0, d                                # received_rps on CPU 0
    for bad in ("4", "6", "q"):
        assert shell(g, "echo %s > %s" % (bad, q % 1)) == \
            "bash: echo: write error: Invalid argument", bad
    assert shell(g, "cat " + q % 1) == "1"
    assert "No such file" in shell(g, "cat " + q % 2)
    assert shell(g, "echo 0 > " + q % 1) == ""
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
