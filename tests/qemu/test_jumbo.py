"""Jumbo frames (ip link set eth0 mtu N), per NIC model (e1000, e1000e, igb).

The guest runs on the test namespace's tap without vnet headers, its
frames recorded by QEMU's filter-dump (test_offload.OffloadGuest); the
tap's MTU is raised to 9216 so the host sends and takes jumbo frames.
The guest's receive buffers hold 2048 bytes, so every jumbo frame arrives
in several descriptors and goes up as one skb over those buffers
(net/core/rx_chain.c: ethtool -S rx_multi_buf_frames, rx_multi_buf_bufs).

  - bad input: an MTU below 68 or above the model's maximum (9000; 9216 on
    igb) gets iproute2's message and exit status 2, and changes nothing;
  - MTU 9000: ping -M do -s 8000 (IPv4 and IPv6, don't fragment) is
    answered; a TCP transfer through the echo service runs with MSS 8960
    both ways (the SYNs' MSS options and the full-sized segments on the
    wire: lwIP sends no timestamps, so a segment carries the whole MSS),
    every byte back, with TSO on and off; GRO merges the received jumbo
    segments (each a chain of buffers) where the NIC verified them;
  - a frame one byte over the MTU (the host's tap allows it) is dropped,
    counted in rx_length_errors (ethtool -S) and in /proc/net/dev's errs;
  - 8000-byte UDP datagrams through the echo service, IPv4 and IPv6;
  - MTU 1000: below IPv6's minimum the device has no IPv6 (as Linux's),
    IPv4 works at that MTU; back at 1500 IPv6 returns (SLAAC);
  - back at MTU 1500: an 8000-byte ping no longer passes, a 1472-byte one
    does;
  - afterwards every RX buffer is back in its pool (rx_pool_lent 0, free
    as before) and the counters add up (rx_packets = rx_zc_frames +
    rx_copied_frames).

igb runs in make test without the UDP, TSO-off and MTU 1000 parts; the
whole of it on every model in make test-full (slow)."""
import re
import socket
import subprocess
import time

import pytest

import harness
import netns
from netobs import rx_pool_settled
from netparse import parse_ethtool_stats, without_klog
from test_offload import GUEST4, GUEST6, MAC, OffloadGuest, TSHARK_OPTS

MAX_MTU = {"e1000": 9000, "e1000e": 9000, "igb": 9216}
HOST_MTU = 9216
PORT = 48000
TCP_BYTES = 200000
MSS4 = 9000 - 40


def sh(g, cmd):
    return without_klog(g.shell(cmd))


def status(g):
    return int(g.shell("echo $?").strip())


def stats(g):
    return parse_ethtool_stats(sh(g, "ethtool -S eth0"))


def rx_errs(g):
    """eth0's receive errors in /proc/net/dev (the third number)."""
    for line in sh(g, "cat /proc/net/dev").splitlines():
        if line.strip().startswith("eth0:"):
            return int(line.split(":", 1)[1].split()[2])
    pytest.fail("no eth0 in /proc/net/dev")


def link_mtu(g):
    m = re.search(r"^\d+: eth0: <[^>]*> mtu (\d+) ", sh(g, "ip link"), re.M)
    assert m
    return int(m.group(1))


def eth0_addrs(g):
    """eth0's block of ip addr"""
    m = re.search(r"^\d+: eth0:.*?(?=^\d+: |\Z)", sh(g, "ip addr"), re.M | re.S)
    assert m
    return m.group(0)


def ping(net, addr, size, count=3, six=False):
    """(sent, received) of a don't-fragment ping of size bytes of data."""
    r = net.run(["ping"] + (["-6"] if six else []) +
                ["-M", "do", "-s", str(size), "-c", str(count), "-i", "0.2", "-W", "2", addr],
                timeout=30)
    m = re.search(r"^(\d+) packets transmitted, (\d+) received", r.stdout, re.M)
    assert m, r.stdout + r.stderr
    return int(m.group(1)), int(m.group(2))


def set_mtu(g, mtu):
    assert sh(g, "ip link set eth0 mtu %d" % mtu) == ""
    assert link_mtu(g) == mtu
    # QEMU's e1000 holds received frames for 1 s after an RCTL write
    # (RCTL.LPE changed): let it pass before traffic that must arrive
    time.sleep(1.2)


WIRE_FIELDS = ["eth.src", "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.options.mss_val",
               "tcp.len", "ipv6.fragment", "tcp.checksum.status", "ip.checksum.status"]


def on_port(r, port):
    return str(port) in (r["tcp.srcport"], r["tcp.dstport"])


def tshark(pcap, display, fields):
    r = subprocess.run(["tshark", "-n", "-r", pcap] + TSHARK_OPTS +
                       ["-Y", display, "-T", "fields", "-E", "separator=|"] +
                       sum((["-e", f] for f in fields), []),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line.split("|") for line in r.stdout.splitlines() if line]


def tso_off_echo(g, og):
    t0 = stats(g)
    assert sh(g, "ethtool -K eth0 tso off") == ""
    og.tcp_echo(socket.AF_INET, GUEST4, PORT + 2, TCP_BYTES // 4)
    assert sh(g, "ethtool -K eth0 tso on") == ""
    t1 = stats(g)
    assert t1["tx_tso_sends"] == t0["tx_tso_sends"]
    assert t1["tx_zc_frames"] - t0["tx_zc_frames"] >= TCP_BYTES // 4 // MSS4


def udp_and_small_mtu(g, og, net):
    # UDP: 8000-byte datagrams whole both ways (the echo's reply is a
    # chain: lwIP's header, then the payload still in the RX buffers)
    og.udp_echo(socket.AF_INET, GUEST4, PORT + 3, n=3, size=8000)
    og.udp_echo(socket.AF_INET6, GUEST6, PORT + 4, n=3, size=8000)

    # below IPv6's 1280: the device has no IPv6 (Linux's addrconf), IPv4
    # goes on at that MTU; at 1500 IPv6 comes back (link-local, SLAAC)
    set_mtu(g, 1000)
    assert "inet6" not in eth0_addrs(g)
    assert ping(net, GUEST6, 56, count=1, six=True)[1] == 0
    assert ping(net, GUEST4, 1000 - 28) == (3, 3)
    assert ping(net, GUEST4, 1000 - 27, count=1)[1] == 0
    set_mtu(g, 1500)
    og.wait_reachable(socket.AF_INET6, GUEST6)
    assert "inet6 fe80::" in eth0_addrs(g)


def check_jumbo(net, nic, pcap, full):
    r = net.run(["ip", "link", "set", netns.TAP, "mtu", str(HOST_MTU)])
    assert r.returncode == 0, r.stderr
    og = OffloadGuest(net, nic, pcap)
    g = og.g
    s0 = rx_pool_settled(lambda: stats(g), 15)

    # bad input: iproute2's messages (the kernel's extack), nothing changed
    assert sh(g, "ip link set eth0 mtu 67") == "Error: mtu less than device minimum.\n"
    assert status(g) == 2
    assert sh(g, "ip link set eth0 mtu %d" % (MAX_MTU[nic] + 1)) == \
        "Error: mtu greater than device maximum.\n"
    assert status(g) == 2
    assert link_mtu(g) == 1500
    # at 1500 a jumbo ping does not pass (the tap would send it whole):
    # without RCTL.LPE the e1000 and e1000e models drop it and count it in
    # ROC; QEMU's igb would drop it uncounted outside VMDq mode
    # (hw/net/igb_core.c igb_receive_assign), so its driver keeps LPE on
    # and drops it itself: rx_length_errors on every model
    e0 = stats(g)["rx_length_errors"]
    assert ping(net, GUEST4, 8000, count=1)[1] == 0
    assert stats(g)["rx_length_errors"] - e0 == 1

    set_mtu(g, 9000)
    before = stats(g)
    assert ping(net, GUEST4, 8000) == (3, 3)
    assert ping(net, GUEST6, 8000, six=True) == (3, 3)
    mid = stats(g)
    # each request spanned several 2048-byte buffers: 8042 bytes, 4 buffers
    assert mid["rx_multi_buf_frames"] - before["rx_multi_buf_frames"] >= 6, (before, mid)
    assert mid["rx_multi_buf_bufs"] - before["rx_multi_buf_bufs"] >= 6 * 4, (before, mid)

    g0 = stats(g)
    og.tcp_echo(socket.AF_INET, GUEST4, PORT, TCP_BYTES)
    og.tcp_echo(socket.AF_INET6, GUEST6, PORT + 1, TCP_BYTES)
    g1 = stats(g)
    harness.report("jumbo %s: GRO merged %d jumbo segments into %d skbs" %
                   (nic, g1["rx_gro_packets"] - g0["rx_gro_packets"],
                    g1["rx_gro_skbs"] - g0["rx_gro_skbs"]))
    # where the NIC verifies checksums (not QEMU's e1000: e1000_hw.c), GRO
    # merges the chains whole
    if nic != "e1000":
        assert g1["rx_gro_skbs"] > g0["rx_gro_skbs"], (g0, g1)
        assert g1["rx_gro_packets"] - g0["rx_gro_packets"] >= \
            2 * (g1["rx_gro_skbs"] - g0["rx_gro_skbs"])
    # without TSO every jumbo segment is a frame of its own to the driver
    if full:
        tso_off_echo(g, og)

    # a frame one byte over the MTU: dropped, a length error
    s1, errs1 = stats(g), rx_errs(g)
    assert ping(net, GUEST4, 9000 - 28 + 1, count=2) == (2, 0)
    s2, errs2 = stats(g), rx_errs(g)
    harness.report("jumbo %s: rx_length_errors %d -> %d, /proc/net/dev errs %d -> %d" %
                   (nic, s1["rx_length_errors"], s2["rx_length_errors"], errs1, errs2))
    assert s2["rx_length_errors"] - s1["rx_length_errors"] == 2, (s1, s2)
    assert errs2 - errs1 == 2
    # and one at the MTU still passes
    assert ping(net, GUEST4, 9000 - 28, count=1) == (1, 1)

    if full:
        udp_and_small_mtu(g, og, net)
    else:
        set_mtu(g, 1500)
    assert ping(net, GUEST4, 8000, count=1)[1] == 0
    assert ping(net, GUEST4, 1472) == (3, 3)

    s3 = rx_pool_settled(lambda: stats(g), 15)
    harness.report("jumbo %s: multi-buffer frames %d in %d buffers; pool %d/%d free, %d lent" %
                   (nic, s3["rx_multi_buf_frames"], s3["rx_multi_buf_bufs"],
                    s3["rx_pool_free"], s3["rx_pool_size"], s3["rx_pool_lent"]))
    assert s3["rx_pool_lent"] == 0, s3
    assert s3["rx_pool_free"] == s0["rx_pool_free"], (s0, s3)
    assert s3["rx_packets"] - s0["rx_packets"] == \
        s3["rx_zc_frames"] - s0["rx_zc_frames"] + s3["rx_copied_frames"] - s0["rx_copied_frames"]
    assert s3["rx_copied_frames"] == s0["rx_copied_frames"]

    # the wire, read in one pass: the guest's SYNs offered the MSS its MTU
    # gives (IPv4 8960, IPv6 8940), the host's what its tap's gives, and
    # the data went in segments of the smaller, both ways
    rows = [dict(zip(WIRE_FIELDS, r)) for r in
            tshark(pcap, "tcp || ipv6.fragment", WIRE_FIELDS)]
    guest = [r for r in rows if r["eth.src"] == MAC]
    for port, v6 in ((PORT, 0), (PORT + 1, 20)):
        syns = sorted((r["eth.src"] == MAC, int(r["tcp.options.mss_val"])) for r in rows
                      if on_port(r, port) and r["tcp.flags.syn"] in ("1", "True"))
        assert syns == [(False, HOST_MTU - 40 - v6), (True, MSS4 - v6)], syns
    for port, mss, nbytes in ((PORT, MSS4, TCP_BYTES), (PORT + 1, MSS4 - 20, TCP_BYTES),
                              (PORT + 2, MSS4, TCP_BYTES // 4))[:3 if full else 2]:
        for from_guest in (True, False):
            lens = [int(r["tcp.len"]) for r in rows if on_port(r, port) and r["tcp.len"] and
                    int(r["tcp.len"]) > 0 and (r["eth.src"] == MAC) == from_guest]
            assert lens and max(lens) == mss, (port, from_guest, sorted(set(lens))[-5:])
            assert sum(1 for n in lens if n == mss) >= nbytes // mss // 2, (port, from_guest)
    # the IPv6 answers went whole: the path MTU followed the new MTU
    frags = [r for r in guest if r["ipv6.fragment"]]
    assert not frags, "%d IPv6 fragments from the guest" % len(frags)
    # every TCP frame the guest sent has right checksums
    bad = [r for r in guest if "Bad" in (r["tcp.checksum.status"], r["ip.checksum.status"]) or
           r["tcp.checksum.status"] == "0" or r["ip.checksum.status"] == "0"]
    assert not bad, bad[:3]


def test_jumbo_igb(testnet, kernel, tmp_path):
    check_jumbo(testnet, "igb", str(tmp_path / "jumbo-igb.pcap"), full=False)


@pytest.mark.slow
@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_jumbo_full(testnet, kernel, nic, tmp_path):
    check_jumbo(testnet, nic, str(tmp_path / ("jumbo-%s.pcap" % nic)), full=True)
