"""build/host/udpflood (bench/udpflood.c), the scaling bench's flood
sender (bench/scaling.py): it refuses a public destination and a run past
its time bound, and sends exactly its --count.

A flood from it over 64 flows to a 2-vCPU igb guest with 2 RSS queues:
every datagram it reports sent and the guest's NIC took reaches lwIP's UDP
(eth0 rx_packets against Udp InDatagrams), and both CPUs receive (the
flows spread over both queues by their ports)."""
import os
import subprocess
import time

import harness
from harness import BUILD, EXIT_OK
import netns
from netobs import quiet_shell as shell, softnet_stat

UDPFLOOD = os.path.join(BUILD, "host", "udpflood")
GUEST = netns.GUEST4


def metric(g, name):
    for line in shell(g, "cat /proc/barenet/metrics").splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "barenet_" + name:
            return int(float(f[1]))
    raise AssertionError("no metric " + name)


def rx_packets(g):
    for line in shell(g, "cat /proc/net/dev").splitlines():
        if line.strip().startswith("eth0:"):
            return int(line.split(":", 1)[1].split()[1])
    raise AssertionError("no eth0 in /proc/net/dev")


def test_udpflood_refuses_a_public_address():
    r = subprocess.run([UDPFLOOD, "--dst", "192.0.2.1", "--src", netns.HOST4, "--count", "1"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "not a private address" in r.stderr, r
    r = subprocess.run([UDPFLOOD, "--dst", GUEST, "--src", netns.HOST4, "--seconds", "61"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2, r


def test_rss_flood_every_frame_reaches_lwip(testnet, kernel):
    testnet.run(["ip", "neigh", "replace", GUEST, "lladdr", harness.DEFAULT_MAC, "dev",
                 netns.TAP, "nud", "permanent"], check=True)
    g = testnet.guest("udpflood-rss", nic="igb", smp=2,
                      append="ip=%s/%d,%s e1000.queues=2" % (GUEST, netns.PREFIXLEN4,
                                                            netns.HOST4))
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(timeout=30)
    g.wait_for(r"eth0: link up", timeout=30)
    assert shell(g, "ethtool -N eth0 rx-flow-hash udp4 sdfn").strip() == ""
    count = 20000
    r0, u0 = rx_packets(g), metric(g, "snmp_udpindatagrams_total")
    p0 = [c[0] for c in softnet_stat(g, 0)]
    out = testnet.run([UDPFLOOD, "--dst", GUEST, "--src", netns.HOST4, "--port", "9",
                       "--flows", "64", "--count", str(count), "--rate", "40000",
                       "--seconds", "20"], timeout=40, check=True).stdout.split()
    assert out[0] == "sent" and int(out[1]) == count, out
    time.sleep(0.5)
    r1, u1 = rx_packets(g), metric(g, "snmp_udpindatagrams_total")
    p1 = [c[0] for c in softnet_stat(g, 0)]
    got = r1 - r0
    # the tap or the NIC may drop under a loaded host; not most of them
    assert got >= count // 2, (got, count)
    # everything the NIC took went up to lwIP's UDP, once, but for the
    # host's own few frames (IPv6 neighbour and multicast listener
    # traffic on the tap; no ARP: the neighbour entry is permanent)
    assert got - 20 <= u1 - u0 <= got, (u1 - u0, got)
    assert all(b > a for a, b in zip(p0, p1)), (p0, p1)
    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK
