"""Transmit offloads checked on the wire, per NIC model (e1000, e1000e, igb).

The guest runs on the test namespace's tap (netns.TestNet) with
vnet_hdr=off, so QEMU itself fills the checksums the driver asked for (and
later segments TSO sends) before the frame leaves the model, and QEMU's
filter-dump on the netdev records exactly what went on the wire.  The host
side talks to the guest's echo service (TCP and UDP port 7) over IPv4 and
IPv6 (SLAAC from router adverts the test sends), in phases:

  - tx on:  ethtool -K eth0 tx on;
  - v4 only: tx on but tx-checksum-ipv6 off (the glue sums IPv6 itself);
  - v6 only: tx-checksum-ipv6 on, tx-checksum-ipv4 off (IPv4 summed by lwIP);
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
# the host's source ports per phase (TCP v4, TCP v6, UDP v4, UDP v6, then
# UDP v4 and v6 datagrams larger than the MTU)
PHASES = {"on": 41000, "v4only": 42000, "v6only": 40000, "off": 43000}
TSHARK_OPTS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
               "-o", "ip.check_checksum:TRUE"]
FIELDS = ["ip.version", "tcp.dstport", "udp.dstport", "ip.checksum.status",
          "tcp.checksum.status", "udp.checksum.status", "tcp.len", "tcp.seq_raw", "frame.len",
          "tcp.flags.syn", "tcp.flags.fin", "tcp.checksum", "tcp.checksum_calculated"]
MSS = {4: 1460, 6: 1440}        # the guest's MTU 1500 less the headers
TSO_PORTS = {"on": 44000, "off": 45000}
TSO_BYTES = 400000
# tx-tcp-segmentation and tx-tcp6-segmentation switched apart: each
# family's echo (host ports base, base + 1) and the sends it made
TSO_FAMILY_PORT = 44100
TSO_FAMILY_BYTES = 100000


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

    def udp_echo(self, family, addr, sport, n=UDP_COUNT, size=300):
        with self.net.socket(family, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
            s.settimeout(2)
            got = 0
            for i in range(n):
                msg = b"%04d" % i + os.urandom(size)
                for _ in range(3):
                    s.sendto(msg, (addr, ECHO))
                    try:
                        if s.recv(65536) == msg:
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
        # datagrams IP fragments: lwIP sums them itself whatever the NIC
        # does (lwIP patch 0020); a zero IPv6 UDP checksum would be dropped
        self.udp_echo(socket.AF_INET, GUEST4, base + 4, n=3, size=3000)
        self.udp_echo(socket.AF_INET6, GUEST6, base + 5, n=3, size=3000)


def offload_guest(net, nic, tmp_path, name):
    """An OffloadGuest recording into tmp_path/<name>-<nic>.pcap (readable
    by the capture's user); the test is skipped when QEMU lacks nic."""
    why = driver_missing(net, nic)
    if why:
        pytest.skip(why)
    os.chmod(str(tmp_path), 0o755)
    return OffloadGuest(net, nic, str(tmp_path / ("%s-%s.pcap" % (name, nic))))


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


def checksums_bad(rows):
    """The frames whose IP, TCP or UDP checksum tshark finds wrong.  A TCP
    sum that comes to 0 is written 0xffff by QEMU's e1000e and igb
    (hw/net/net_tx_pkt.c net_tx_pkt_do_sw_csum: net_checksum_finish_nozero,
    UDP's rule applied to TCP too); RFC 1071's check accepts both forms,
    tshark wants 0x0000 (RFC 1624), so that one case is not a wrong sum."""
    bad = []
    for r in rows:
        tcp_ok = r["tcp.checksum.status"] in ("", "1") or \
            (r["tcp.checksum"] == "0xffff" and r["tcp.checksum_calculated"] == "0x0000")
        if r["ip.checksum.status"] not in ("", "1") or not tcp_ok or \
                r["udp.checksum.status"] not in ("", "1"):
            bad.append(r)
    return bad


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
    og = offload_guest(testnet, nic, tmp_path, "offload")
    g = og.g

    # on at probe, as Linux has them; switchable
    f = parse_features(sh(g, "ethtool -k eth0"))
    assert f["tx-checksumming"] == (True, False)
    assert f["tx-checksum-ipv4"] == (True, False) and f["tx-checksum-ipv6"] == (True, False)
    assert f["tcp-segmentation-offload"] == (True, False)
    assert f["tx-tcp6-segmentation"] == (nic != "e1000", nic == "e1000")
    # TSO only with tx checksumming
    assert sh(g, "ethtool -K eth0 tx off") == ""
    assert parse_features(sh(g, "ethtool -k eth0"))["tcp-segmentation-offload"] == (False, False)
    assert sh(g, "ethtool -K eth0 tso on") == "Could not change any device features\n"
    assert sh(g, "ethtool -K eth0 tso off") == ""
    assert f["generic-receive-offload"] == (True, False)     # test_gro.py
    # the VLAN offloads are test_vlan.py's: on, switchable
    for name in ("rx-vlan-offload", "tx-vlan-offload", "rx-vlan-filter"):
        assert f[name] == (True, False), (name, f[name])

    deltas = {}
    for name, cmd in (("on", "ethtool -K eth0 tx on"),
                      ("v4only", "ethtool -K eth0 tx-checksum-ipv6 off"),
                      ("v6only", "ethtool -K eth0 tx-checksum-ipv6 on tx-checksum-ipv4 off"),
                      ("off", "ethtool -K eth0 tx off")):
        assert sh(g, cmd) == ""
        f = parse_features(sh(g, "ethtool -k eth0"))
        assert f["tx-checksum-ipv4"][0] == (name in ("on", "v4only"))
        assert f["tx-checksum-ipv6"][0] == (name in ("on", "v6only"))
        assert f["tx-checksumming"][0] == (name != "off")
        before = stats(g)
        og.phase(PHASES[name])
        time.sleep(0.5)
        after = stats(g)
        deltas[name] = {k: after[k] - before[k] for k in
                        ("tx_csum_offload", "tx_csum_offload_ipv6", "tx_csum_offload_udp")}

    rows = guest_frames(og.pcap)
    bad = checksums_bad(rows)
    harness.report("offload %s: %d guest TCP/UDP frames captured, %d with a bad checksum; "
                   "counter deltas %s" % (nic, len(rows), len(bad), deltas))
    assert rows and not bad, bad[:5]
    # every TCP/UDP frame was checked (status 1 = good), none left unverified
    assert all(r["tcp.checksum.status"] == "1" or r["udp.checksum.status"] == "1" or
               r["tcp.checksum"] == "0xffff" for r in rows)

    # the fragmented echoes, reassembled by tshark, with their UDP sums
    for name, base in PHASES.items():
        for port in (base + 4, base + 5):
            big = [r for r in rows if r["udp.dstport"] == str(port)]
            assert len(big) >= 3 and all(r["udp.checksum.status"] == "1" for r in big), \
                (name, port, big)
    on = kinds(rows, PHASES["on"])
    v4 = kinds(rows, PHASES["v4only"])
    v6 = kinds(rows, PHASES["v6only"])
    off = kinds(rows, PHASES["off"])
    assert min(on) > 0 and min(v4) > 0 and min(v6) > 0 and min(off) > 0, (on, v4, v6, off)
    # tx on: every TCP/UDP frame of both families went through the NIC's offload
    assert deltas["on"]["tx_csum_offload"] >= sum(on)
    assert deltas["on"]["tx_csum_offload_ipv6"] >= on[1] + on[3]
    assert deltas["on"]["tx_csum_offload_udp"] >= on[2] + on[3]
    # IPv6 off: IPv4 still offloaded, IPv6 summed by the glue
    assert deltas["v4only"]["tx_csum_offload"] >= v4[0] + v4[2]
    assert deltas["v4only"]["tx_csum_offload_ipv6"] == 0
    assert deltas["v4only"]["tx_csum_offload_udp"] >= v4[2]
    # IPv4 off: IPv6 still offloaded, nothing of IPv4 asked of the NIC
    assert deltas["v6only"]["tx_csum_offload_ipv6"] >= v6[1] + v6[3]
    assert deltas["v6only"]["tx_csum_offload"] == deltas["v6only"]["tx_csum_offload_ipv6"]
    assert deltas["v6only"]["tx_csum_offload_udp"] >= v6[3]
    # tx off: nothing asked of the NIC
    assert deltas["off"] == {"tx_csum_offload": 0, "tx_csum_offload_ipv6": 0,
                             "tx_csum_offload_udp": 0}


def check_stream(rows, port, mss):
    """The guest's data segments to host port: every size within the MSS,
    and the bytes they carry one gapless run (retransmissions may repeat
    bytes, never skip them).  Sequence numbers are taken relative to the
    first data segment on the wire, modulo 2^32: a random ISN near 2^32
    wraps within an iperf run (a fresh make test saw 4293808180 then
    42547468 sorted as a gap).  Returns (segments, bytes covered)."""
    raw = [(int(r["tcp.seq_raw"]), int(r["tcp.len"])) for r in rows
           if r["tcp.dstport"] == str(port) and int(r["tcp.len"] or 0) > 0]
    assert raw, "no data segments to port %d" % port
    base = raw[0][0]
    segs = sorted(((seq - base) & 0xFFFFFFFF, n) for seq, n in raw)
    for seq, n in segs:
        assert n <= mss, "segment of %d bytes over the MSS %d" % (n, mss)
    start, end = segs[0][0], segs[0][0]
    for seq, n in segs:
        assert seq <= end, "gap in the sequence space: %d..%d missing (relative to %d)" % (
            end, seq, base)
        end = max(end, seq + n)
    return len(segs), end - start


def test_check_stream_across_the_wrap():
    """check_stream on made-up rows: a stream whose sequence numbers wrap
    past 2^32 is one gapless run; a real hole is still found."""
    def row(seq, n):
        return {"tcp.dstport": "9", "tcp.seq_raw": str(seq & 0xFFFFFFFF), "tcp.len": str(n)}
    isn = 2 ** 32 - 3000
    rows = [row(isn + k * 1460, 1460) for k in range(6)]
    assert check_stream(rows, 9, 1460) == (6, 6 * 1460)
    with pytest.raises(AssertionError, match="gap"):
        check_stream(rows[:2] + rows[3:], 9, 1460)


@pytest.mark.parametrize("nic", NICS)
def test_tso_on_the_wire(testnet, kernel, nic, tmp_path):
    og = offload_guest(testnet, nic, tmp_path, "tso")
    g = og.g
    tso6 = nic != "e1000"

    assert sh(g, "ethtool -K eth0 tx on tso on") == ""
    f = parse_features(sh(g, "ethtool -k eth0"))
    assert f["tcp-segmentation-offload"] == (True, False)
    assert f["tx-tcp-segmentation"] == (True, False)
    assert f["tx-tcp6-segmentation"] == (tso6, not tso6)
    # no segmentation without the checksums: tx off takes TSO with it
    assert sh(g, "ethtool -K eth0 tx off") == ""
    assert parse_features(sh(g, "ethtool -k eth0"))["tcp-segmentation-offload"][0] is False
    assert sh(g, "ethtool -K eth0 tx on tso on") == ""

    # each family's segmentation switched alone (ethtool's
    # tx-tcp-segmentation, tx-tcp6-segmentation): only that family's
    # large sends stop (QEMU's e1000 has no IPv6 TSO: tcp6 fixed off)
    fam = {}
    for off_name, on_name, port in (("tx-tcp6-segmentation", "tx-tcp-segmentation", 0),
                                    ("tx-tcp-segmentation", "tx-tcp6-segmentation", 2)):
        cmd = "ethtool -K eth0 %s off" % off_name + (" %s on" % on_name if tso6 else "")
        assert sh(g, cmd) == ""
        f = parse_features(sh(g, "ethtool -k eth0"))
        assert f[off_name][0] is False and f[on_name][0] is (tso6 or on_name != "tx-tcp6-segmentation")
        s0 = stats(g)
        og.tcp_echo(socket.AF_INET, GUEST4, TSO_FAMILY_PORT + port, TSO_FAMILY_BYTES)
        og.tcp_echo(socket.AF_INET6, GUEST6, TSO_FAMILY_PORT + port + 1, TSO_FAMILY_BYTES)
        time.sleep(0.5)
        s1 = stats(g)
        fam[off_name] = {k: s1[k] - s0[k] for k in ("tx_tso_sends", "tx_tso6_sends")}
    assert sh(g, "ethtool -K eth0 tso on") == ""
    # IPv6 off: IPv4's sends go on, none of IPv6
    assert fam["tx-tcp6-segmentation"]["tx_tso_sends"] > 0, fam
    assert fam["tx-tcp6-segmentation"]["tx_tso6_sends"] == 0, fam
    # IPv4 off: every large send is IPv6's (none at all on the e1000)
    assert fam["tx-tcp-segmentation"]["tx_tso_sends"] == fam["tx-tcp-segmentation"]["tx_tso6_sends"]
    assert (fam["tx-tcp-segmentation"]["tx_tso6_sends"] > 0) == tso6, fam

    out = {}
    for name in ("on", "off"):
        if name == "off":
            assert sh(g, "ethtool -K eth0 tso off") == ""
        base = TSO_PORTS[name]
        before = stats(g)
        og.tcp_echo(socket.AF_INET, GUEST4, base, TSO_BYTES)
        og.tcp_echo(socket.AF_INET6, GUEST6, base + 1, TSO_BYTES)
        time.sleep(0.5)
        if name == "on":
            # iperf -r: lwiperf connects back and sends as fast as the
            # window lets it, so lwIP queues a window's worth at once
            mid = stats(g)
            r = og.net.run(["iperf", "-c", GUEST4, "-r", "-t", "1", "-y", "C",
                            "-L", str(base + 2)], timeout=120)
            assert r.returncode == 0, r.stderr
            big = stats(g)
            out["iperf"] = {k: big[k] - mid[k] for k in ("tx_tso_sends", "tx_tso_segments",
                                                         "tx_tso_dropped")}
            out["iperf"]["descs_max"] = big["tx_tso_descs_max"]
        after = stats(g)
        out[name] = {k: after[k] - before[k] for k in
                     ("tx_tso_sends", "tx_tso6_sends", "tx_tso_segments", "tx_tso_descs",
                      "tx_tso_dropped")}
        out[name]["descs_max"] = after["tx_tso_descs_max"]

    rows = guest_frames(og.pcap)
    bad = checksums_bad(rows)
    assert rows and not bad, bad[:5]
    # nothing larger than the MTU left the model: QEMU cut every TSO send
    assert max(int(r["frame.len"]) for r in rows) <= 1514
    streams = {}
    for name in ("on", "off"):
        base = TSO_PORTS[name]
        streams[name] = (check_stream(rows, base, MSS[4]), check_stream(rows, base + 1, MSS[6]))
        for n, covered in streams[name]:
            assert covered >= TSO_BYTES
    harness.report("tso %s: counters %s; wire segments/bytes per flow %s" % (nic, out, streams))
    on, off, ip = out["on"], out["off"], out["iperf"]
    # iperf's flow: lwIP built segments of up to 64 KiB (44 wire segments;
    # lwIP patch 0045) from lwiperf's large writes (patch 0046), whose
    # payload goes in pieces of up to 8 KiB (NET_TSO_PIECE_MAX): a
    # context, the header and 8 or more payload descriptors per send;
    # every wire segment of it checked like the others
    n, covered = check_stream(rows, TSO_PORTS["on"] + 2, MSS[4])
    assert ip["tx_tso_sends"] > 0 and ip["tx_tso_dropped"] == 0
    assert ip["descs_max"] >= 10, ip
    # and on average well past a handful: lwiperf writing jumbo-sized
    # TCP_MSS pieces (before lwIP patch 0044) stalled for send buffer after
    # each of e1000's frequent ACKs and its sends carried ~6 segments
    # (20-41 with the patch, in the runs on this host)
    assert ip["tx_tso_segments"] >= 12 * ip["tx_tso_sends"], ip
    assert covered > 1000000
    os.unlink(og.pcap)          # 100+ MB: kept only when the test fails
    assert on["tx_tso_sends"] > 0 and on["tx_tso_dropped"] == 0
    # a TSO send is at least two segments, and takes a context descriptor
    # and a descriptor per piece: the header and at least one of payload
    # (a piece may hold several segments: lwIP patches 0045, 0046)
    assert on["tx_tso_segments"] >= 2 * on["tx_tso_sends"]
    assert on["tx_tso_descs"] >= 3 * on["tx_tso_sends"]
    assert 3 <= on["descs_max"] <= 65
    # the sends carried a good part of the data: many wire segments each
    assert on["tx_tso_segments"] * MSS[4] > TSO_BYTES // 4
    # IPv6 too where the model segments it right (not QEMU's e1000)
    assert (on["tx_tso6_sends"] > 0) == tso6
    assert off["tx_tso_sends"] == 0 and off["tx_tso_segments"] == 0
