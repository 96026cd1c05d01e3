"""Transmit offloads checked on the wire, per NIC model (e1000, e1000e, igb).

The guest runs on the test namespace's tap (netns.TestNet) with
vnet_hdr=off, so QEMU itself fills the checksums the driver asked for (and
later segments TSO sends) before the frame leaves the model, and QEMU's
filter-dump on the netdev records exactly what went on the wire.  The host
side talks to the guest's echo service (TCP and UDP port 7) over IPv4 and
IPv6 (SLAAC from router adverts the test sends), in phases:

  - tx on:  ethtool -K eth0 tx on;
  - v4 only: tx on but tx-checksum-ipv6 off (the glue sums IPv6 itself);
  - tx off: lwIP sums everything, as before.

Each phase's connections use their own host ports, so the capture tells the
phases apart.  tshark (with IP, TCP and UDP checksum validation on) must
find every TCP/UDP frame the guest sent right, and the driver's counters
(ethtool -S: tx_csum_offload, _ipv6, _udp) must have grown by at least the
frames of each kind the phase put on the wire where the NIC was asked to
fill them, and not at all where it was not: a checksum still summed in
software with offload on would leave the counters still, a seed left
unfinished would show as a bad checksum."""
import os
import re
import socket
import subprocess
import time

import pytest

import harness
import netns
from netparse import parse_ethtool_stats, without_klog
from test_ethtool import parse_features
from test_journey import driver_missing

NICS = ["e1000", "e1000e", "igb"]
MAC = "52:54:00:12:34:56"
GUEST4 = netns.GUEST4
GUEST6 = netns.eui64_address(netns.SLAAC_PREFIX, MAC)
APPEND = "ip=%s/%d,%s" % (GUEST4, netns.PREFIXLEN4, netns.HOST4)
ECHO = 7
TCP_BYTES = 30000
UDP_COUNT = 10
# the host's source ports per phase (TCP v4, TCP v6, UDP v4, UDP v6)
PHASES = {"on": 41000, "v4only": 42000, "off": 43000}
TSHARK_OPTS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
               "-o", "ip.check_checksum:TRUE"]
FIELDS = ["ip.version", "tcp.dstport", "udp.dstport", "ip.checksum.status",
          "tcp.checksum.status", "udp.checksum.status", "tcp.len"]


def sh(g, cmd):
    return without_klog(g.shell(cmd))


def stats(g):
    return parse_ethtool_stats(sh(g, "ethtool -S eth0"))


class OffloadGuest:
    """A guest on the namespace's tap without vnet headers, its frames
    recorded by filter-dump into pcap."""

    def __init__(self, net, nic, pcap):
        self.net, self.nic, self.pcap = net, nic, pcap
        netdev = "tap,id=n0,ifname=%s,script=no,downscript=no,vnet_hdr=off" % netns.TAP
        self.g = harness.Guest("offload-" + nic, prefix=net.prefix, nic=nic, mac=MAC,
                               netdev=netdev, append=APPEND,
                               extra=["-object", "filter-dump,id=f0,netdev=n0,file=" + pcap])
        net.guests.append(self.g)
        self.g.wait_for(r"barenet: ready in", timeout=90)
        self.g.wait_prompt(30)
        net.start_router_adverts(count=120, interval=0.5)
        self.wait_reachable(socket.AF_INET, GUEST4)
        self.wait_reachable(socket.AF_INET6, GUEST6)

    def wait_reachable(self, family, addr, timeout=60):
        t0 = time.monotonic()
        with self.net.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            while time.monotonic() - t0 < timeout:
                try:
                    s.sendto(b"probe", (addr, ECHO))
                    if s.recv(64) == b"probe":
                        return
                except OSError:
                    time.sleep(0.2)
        pytest.fail("guest %s not reachable over UDP echo in %d s" % (addr, timeout))

    def tcp_echo(self, family, addr, sport, nbytes=TCP_BYTES):
        data = os.urandom(nbytes)
        with self.net.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
            s.settimeout(30)
            s.connect((addr, ECHO))
            s.sendall(data)
            back = b""
            while len(back) < nbytes:
                piece = s.recv(65536)
                assert piece, "TCP echo closed after %d bytes" % len(back)
                back += piece
        assert back == data

    def udp_echo(self, family, addr, sport, n=UDP_COUNT):
        with self.net.socket(family, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
            s.settimeout(2)
            got = 0
            for i in range(n):
                msg = b"%04d" % i + os.urandom(300)
                for _ in range(3):
                    s.sendto(msg, (addr, ECHO))
                    try:
                        if s.recv(2048) == msg:
                            got += 1
                            break
                    except socket.timeout:
                        pass
            assert got == n, "UDP echo: %d of %d" % (got, n)

    def phase(self, base):
        self.tcp_echo(socket.AF_INET, GUEST4, base)
        self.tcp_echo(socket.AF_INET6, GUEST6, base + 1)
        self.udp_echo(socket.AF_INET, GUEST4, base + 2)
        self.udp_echo(socket.AF_INET6, GUEST6, base + 3)


def guest_frames(pcap):
    """Every TCP/UDP frame the guest sent, as dicts of FIELDS."""
    r = subprocess.run(["tshark", "-n", "-r", pcap] + TSHARK_OPTS +
                       ["-Y", "eth.src == %s && (tcp || udp)" % MAC, "-T", "fields",
                        "-E", "separator=|"] + sum((["-e", f] for f in FIELDS), []),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = []
    for line in r.stdout.splitlines():
        rows.append(dict(zip(FIELDS, line.split("|"))))
    return rows


def kinds(rows, base):
    """Frames of a phase: (v4 TCP, v6 TCP, v4 UDP, v6 UDP) counts."""
    out = [0, 0, 0, 0]
    for r in rows:
        port = int(r["tcp.dstport"] or r["udp.dstport"] or 0)
        if base <= port < base + 4:
            out[port - base] += 1
    return out


@pytest.mark.parametrize("nic", NICS)
def test_tx_checksum_offload_on_the_wire(testnet, kernel, nic, tmp_path):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    pcap = str(tmp_path / ("offload-%s.pcap" % nic))
    os.chmod(str(tmp_path), 0o755)
    og = OffloadGuest(testnet, nic, pcap)
    g = og.g

    f = parse_features(sh(g, "ethtool -k eth0"))
    assert f["tx-checksumming"] == (False, False)
    assert f["tx-checksum-ipv4"] == (False, False) and f["tx-checksum-ipv6"] == (False, False)
    for name in ("tcp-segmentation-offload", "generic-receive-offload", "rx-vlan-offload",
                 "tx-vlan-offload"):
        assert f[name] == (False, True), (name, f[name])

    deltas = {}
    for name, cmd in (("on", "ethtool -K eth0 tx on"),
                      ("v4only", "ethtool -K eth0 tx-checksum-ipv6 off"),
                      ("off", "ethtool -K eth0 tx off")):
        assert sh(g, cmd) == ""
        f = parse_features(sh(g, "ethtool -k eth0"))
        assert f["tx-checksum-ipv4"][0] == (name != "off")
        assert f["tx-checksum-ipv6"][0] == (name == "on")
        assert f["tx-checksumming"][0] == (name != "off")
        before = stats(g)
        og.phase(PHASES[name])
        time.sleep(0.5)
        after = stats(g)
        deltas[name] = {k: after[k] - before[k] for k in
                        ("tx_csum_offload", "tx_csum_offload_ipv6", "tx_csum_offload_udp")}

    rows = guest_frames(pcap)
    bad = [r for r in rows if r["ip.checksum.status"] not in ("", "1") or
           r["tcp.checksum.status"] not in ("", "1") or r["udp.checksum.status"] not in ("", "1")]
    harness.report("offload %s: %d guest TCP/UDP frames captured, %d with a bad checksum; "
                   "counter deltas %s" % (nic, len(rows), len(bad), deltas))
    assert rows and not bad, bad[:5]
    # every TCP/UDP frame was checked (status 1 = good), none left unverified
    assert all(r["tcp.checksum.status"] == "1" or r["udp.checksum.status"] == "1" for r in rows)

    on = kinds(rows, PHASES["on"])
    v4 = kinds(rows, PHASES["v4only"])
    off = kinds(rows, PHASES["off"])
    assert min(on) > 0 and min(v4) > 0 and min(off) > 0, (on, v4, off)
    # tx on: every TCP/UDP frame of both families went through the NIC's offload
    assert deltas["on"]["tx_csum_offload"] >= sum(on)
    assert deltas["on"]["tx_csum_offload_ipv6"] >= on[1] + on[3]
    assert deltas["on"]["tx_csum_offload_udp"] >= on[2] + on[3]
    # IPv6 off: IPv4 still offloaded, IPv6 summed by the glue
    assert deltas["v4only"]["tx_csum_offload"] >= v4[0] + v4[2]
    assert deltas["v4only"]["tx_csum_offload_ipv6"] == 0
    assert deltas["v4only"]["tx_csum_offload_udp"] >= v4[2]
    # tx off: nothing asked of the NIC
    assert deltas["off"] == {"tx_csum_offload": 0, "tx_csum_offload_ipv6": 0,
                             "tx_csum_offload_udp": 0}
