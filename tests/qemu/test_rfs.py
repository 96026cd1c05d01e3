"""Receive Flow Steering (issue 14): a flow's frames are processed on the
CPU where the socket reading it last ran (Linux's get_rps_cpu with the
rps_sock_flow_table and the rx queue's rps_dev_flow table).

e1000 (one queue, its interrupt on CPU 0), 2 CPUs, and an application
(tests/apps/rfs_pin.c) that pins itself to CPU 1 with sched_setaffinity and
echoes UDP datagrams on port 9000.

  RFS off (the defaults: rps_sock_flow_entries 0, rps_flow_cnt 0): every
  frame is processed on CPU 0 (CPU 1's softnet_stat line does not move).
  sysctl -w net.core.rps_sock_flow_entries=1000 reads back 1024 (Linux
  rounds up to a power of two), rx-0/rps_flow_cnt 100 reads back 128, and
  the flow's frames are processed on CPU 1, where the reader runs
  (processed and received_rps grow there), no rps_cpus needed; every
  datagram is echoed once and in order.  A sysctl above 2^29 and a bad
  count are refused and change nothing; 0 turns RFS off again."""
import socket

import apps
import netns
from harness import EXIT_OK
from netobs import quiet_shell as shell, softnet_stat, udp_warm_up

GUEST = netns.GUEST4
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
PORT = 9000
FLOW_CNT = "/sys/class/net/eth0/queues/rx-0/rps_flow_cnt"
N = 30


def softnet(g):
    """[(processed, received_rps)] per CPU."""
    return softnet_stat(g, 0, 9)


def echo(s, tag, n):
    for i in range(n):
        msg = b"rfs %s %d" % (tag, i)
        s.sendto(msg, (GUEST, PORT))
        assert s.recvfrom(64)[0] == msg


def test_rfs_follows_the_reader(testnet):
    net = testnet
    g = net.guest("rfs", nic="e1000", smp=2, kernel=apps.app_kernel("tests/apps/rfs_pin.c"),
                  append=APPEND + " -- 1 %d 100000" % PORT)
    g.wait_for(r"rfs_pin: on CPU 1, port %d" % PORT, timeout=90)
    g.wait_for(r"eth0: link up", timeout=30)
    g.shell("true")                     # past the app's line, printed after the prompt
    udp_warm_up(net, (netns.HOST4, 0), (GUEST, PORT), 30, 1, b"probe")
    with net.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((netns.HOST4, 41234))
        s.settimeout(10)
        assert shell(g, "cat /proc/sys/net/core/rps_sock_flow_entries") == "0"
        assert shell(g, "cat " + FLOW_CNT) == "0"
        a = softnet(g)
        echo(s, b"off", N)
        b = softnet(g)
        assert b[1][0] - a[1][0] == 0, (a, b)            # all on CPU 0
        assert b[0][0] - a[0][0] >= N, (a, b)
        # RFS on: Linux's rounding, then the flow follows its reader
        assert shell(g, "sysctl -w net.core.rps_sock_flow_entries=1000") == \
            "net.core.rps_sock_flow_entries = 1024"
        assert shell(g, "cat /proc/sys/net/core/rps_sock_flow_entries") == "1024"
        assert shell(g, "echo 100 > " + FLOW_CNT) == ""
        assert shell(g, "cat " + FLOW_CNT) == "128"
        echo(s, b"warm", 2)             # the reader records the flow's CPU
        c = softnet(g)
        echo(s, b"on", N)
        d = softnet(g)
        assert d[1][0] - c[1][0] >= N, (c, d)            # processed on CPU 1
        assert d[1][1] - c[1][1] >= 1, (c, d)            # by RPS IPIs to it
        # bad input changes nothing
        assert "Invalid argument" in shell(g, "sysctl -w net.core.rps_sock_flow_entries=536870913")
        assert "Invalid argument" in shell(g, "echo 12x > " + FLOW_CNT)
        assert shell(g, "cat /proc/sys/net/core/rps_sock_flow_entries") == "1024"
        assert shell(g, "cat " + FLOW_CNT) == "128"
        # off again: back on CPU 0
        assert shell(g, "echo 0 > /proc/sys/net/core/rps_sock_flow_entries") == ""
        assert shell(g, "cat /proc/sys/net/core/rps_sock_flow_entries") == "0"
        e = softnet(g)
        echo(s, b"again", N)
        f = softnet(g)
        assert f[1][0] - e[1][0] == 0, (e, f)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
