"""802.1Q VLAN sub-interfaces (net/lwip/vlan.c), per NIC model.

The test namespace gets a VLAN of its own beside the untagged tap0: the
host's kernel may lack 8021q, so tests/qemu/vlanrelay.py tags and untags
in user space between the guest's tap and one tap per id (tapv100 with
10.100.0.1/24); the guest makes eth0.100 with iproute2's commands and
10.100.0.2/24.  Then, at the same time, the host pings 10.100.0.2 and
echoes TCP through the tagged sub-interface while a TCP echo runs untagged
over eth0: both must come back whole, and each interface's counters
(/proc/net/dev, ip -s link) must show its own traffic.  A frame tagged
with an id the guest did not configure (200, tapv200) is dropped: by the
NIC's VLAN filter (rx-vlan-filter on: eth0's rx_nohandler stays), or with
the filter off in software, counted in eth0's rx_nohandler; ids outside
1..4094 get iproute2's errors; after ip link del the sub-interface and its
traffic are gone.

The NIC's VLAN offloads (drivers/net/e1000/e1000_vlan.c) are on by default,
as Linux has them: the NIC takes the tag out of received frames
(rx-vlan-offload, ethtool -S rx_vlan_stripped) and puts it into sent ones
(tx-vlan-offload: the sub-interface hands the untagged frame down with the
tag beside it, tx_vlan_inserted).  QEMU's filter-dump records the wire:
every frame of the guest's VLAN address must carry tag 100 there, none go
untagged.  test_vlan_offload_matrix runs the same with the offloads on and
off on each model (slow); ethtool -k shows them as the model has them."""
import os
import re
import socket
import subprocess
import threading

import pytest

import harness
import netns
from netobs import pcap_from_dump
from netparse import parse_ethtool_stats, without_klog
from test_ethtool import parse_features
from test_journey import driver_missing

NICS = ["e1000", "e1000e", "igb"]
APPEND = "ip=%s/%d,%s" % (netns.GUEST4, netns.PREFIXLEN4, netns.HOST4)
HOST_V = "10.100.0.1"
GUEST_V = "10.100.0.2"
HOST_U = "10.200.0.1"       # an id the guest does not have
GUEST_TAP = "tapq"          # QEMU's; the relay joins it to the others
RELAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vlanrelay.py")
ECHO = 7
BYTES = 200000
GUEST_MAC = harness.DEFAULT_MAC


def sh(g, cmd):
    return without_klog(g.shell(cmd))


def status(g):
    return int(g.shell("echo $?").strip())


def proc_dev(g):
    """/proc/net/dev: {name: (rx_packets, tx_packets)}"""
    out = {}
    for line in sh(g, "cat /proc/net/dev").splitlines()[2:]:
        name, rest = line.split(":", 1)
        f = rest.split()
        out[name.strip()] = (int(f[1]), int(f[9]))
    return out


def stats(g):
    return parse_ethtool_stats(sh(g, "ethtool -S eth0"))


def nohandler(g):
    return int(sh(g, "cat /sys/class/net/eth0/statistics/rx_nohandler"))


def wire_frames(pcap):
    """The guest's IPv4/ARP frames on the wire (filter-dump) as (vlan id or
    None, ip.src or arp.src.proto_ipv4) from the guest's MAC."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "eth.src == %s" % GUEST_MAC,
                        "-T", "fields", "-E", "separator=|", "-e", "vlan.id", "-e", "ip.src",
                        "-e", "arp.src.proto_ipv4"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = []
    for line in r.stdout.splitlines():
        vid, ip, arp = line.split("|")
        out.append((int(vid) if vid else None, ip or arp))
    return out


def frames_to_guest(pcap, vid):
    """How many frames tagged vid QEMU's filter-dump recorded that were not
    the guest's own (the relay's, toward the guest's NIC)."""
    r = subprocess.run(["tshark", "-n", "-r", pcap, "-Y",
                        "vlan.id == %d && eth.src != %s" % (vid, GUEST_MAC)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return len(r.stdout.splitlines())


def tcp_echo(net, addr, nbytes, result, key):
    try:
        data = os.urandom(nbytes)
        with net.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(60)
            s.connect((addr, ECHO))
            back = b""

            def reader():
                nonlocal back
                while len(back) < nbytes:
                    piece = s.recv(65536)
                    if not piece:
                        return
                    back += piece
            t = threading.Thread(target=reader)
            t.start()
            s.sendall(data)
            t.join(90)
        result[key] = back == data
    except OSError as e:
        result[key] = e


def vlan_guest(net, nic, pcap):
    """The guest on a tap that vlanrelay.py joins to tap0 (untagged) and to
    tapv100/tapv200 (VLANs 100 and 200), its wire recorded in pcap by
    QEMU's filter-dump; returns (guest, relay)."""
    # the host's kernel may have no 8021q: a user-space tagging switch
    # (vlanrelay.py) joins the guest's tap to tap0 (untagged) and to one
    # tap per VLAN id, each with the host's address on that VLAN
    # the new taps without IPv6 (nothing of the host's own on them)
    r = net.run(["sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1"])
    assert r.returncode == 0, r.stderr
    for cmd in (["tuntap", "add", GUEST_TAP, "mode", "tap"], ["link", "set", GUEST_TAP, "up"],
                ["tuntap", "add", "tapv100", "mode", "tap"],
                ["addr", "add", HOST_V + "/24", "dev", "tapv100"], ["link", "set", "tapv100", "up"],
                ["tuntap", "add", "tapv200", "mode", "tap"],
                ["addr", "add", HOST_U + "/24", "dev", "tapv200"], ["link", "set", "tapv200", "up"]):
        r = net.run(["ip"] + cmd)
        assert r.returncode == 0, (cmd, r.stderr)
    # the host's stack must not take the guest's frames on its tap itself
    # (the relay hands them on): no ARP answers there, and strict reverse
    # path filtering drops what arrives there for the host's addresses
    for k in ("net.ipv4.conf.all.rp_filter=1", "net.ipv4.conf.%s.rp_filter=1" % GUEST_TAP,
              "net.ipv4.conf.%s.arp_ignore=8" % GUEST_TAP):
        r = net.run(["sysctl", "-q", "-w", k])
        assert r.returncode == 0, (k, r.stderr)
    relay = net.popen([netns.PYTHON, RELAY, GUEST_TAP, netns.TAP, "100=tapv100", "200=tapv200",
                       "600"])
    assert relay.stdout.readline().strip() == "relay ready"
    g = harness.Guest("vlan-" + nic, prefix=net.prefix, nic=nic, mac=GUEST_MAC,
                      netdev="tap,id=n0,ifname=%s,script=no,downscript=no,vnet_hdr=off" % GUEST_TAP,
                      append=APPEND, extra=["-object", "filter-dump,id=f0,netdev=n0,file=" + pcap])
    net.guests.append(g)
    g.wait_for(r"barenet: ready in", timeout=90)
    g.wait_prompt(30)
    return g, relay


def add_vlan100(g):
    assert sh(g, "ip link add link eth0 name eth0.100 type vlan id 100") == ""
    assert sh(g, "ip addr add %s/24 dev eth0.100" % GUEST_V) == ""
    assert sh(g, "ip link set eth0.100 up") == ""


def vlan_traffic(g, net, relay):
    """Ping and TCP over eth0.100 while a TCP echo runs untagged over eth0
    (neighbours resolved first); returns the /proc/net/dev deltas
    {dev: (rx, tx)} and the ethtool -S deltas of eth0."""
    # both ways reachable first (neighbours resolved on each side; a
    # sub-interface just set up may miss the first ARP request)
    for addr in (netns.GUEST4, GUEST_V):
        for _ in range(5):
            r = net.run(["ping", "-c", "1", "-W", "3", addr], timeout=30)
            if r.returncode == 0:
                break
        assert r.returncode == 0, (addr, r.stdout)
    before, s0 = proc_dev(g), stats(g)
    res = {}
    threads = [threading.Thread(target=tcp_echo, args=(net, netns.GUEST4, BYTES, res, "untagged")),
               threading.Thread(target=tcp_echo, args=(net, GUEST_V, BYTES, res, "tagged"))]
    for t in threads:
        t.start()
    ping = net.run(["ping", "-c", "20", "-i", "0.05", "-W", "2", GUEST_V], timeout=60)
    for t in threads:
        t.join(120)
    if res != {"untagged": True, "tagged": True}:
        relay.terminate()
        pytest.fail("echo %s; guest: %s %s %s; relay: %s" % (
            res, sh(g, "cat /proc/net/snmp"), sh(g, "ip -s link"), sh(g, "ip route"),
            relay.stdout.read()))
    after, s1 = proc_dev(g), stats(g)
    if " 0% packet loss" not in ping.stdout:
        lost = {k: s1[k] - s0[k] for k in s1 if s1[k] != s0[k] and
                re.search(r"drop|miss|err|no_buf|nohandler|busy|mpc|rnbc|fault", k)}
        icmp = [line for line in sh(g, "cat /proc/net/snmp").splitlines() if
                line.startswith("Icmp:")]
        pytest.fail("ping over eth0.100 lost replies: %s\nguest drops %s\n%s\n%s" % (
            ping.stdout.splitlines()[-2:], lost, icmp, sh(g, "ip -s link")))
    d = {k: (after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in ("eth0", "eth0.100")}
    # the sub-interface saw its ping and TCP (20 echo requests and at
    # least BYTES of data in segments), eth0 all of it plus the untagged
    assert d["eth0.100"][0] >= 20 + BYTES // 1460 and d["eth0.100"][1] >= 20 + BYTES // 1460
    assert d["eth0"][0] >= d["eth0.100"][0] + BYTES // 1460
    assert d["eth0"][1] >= d["eth0.100"][1] + BYTES // 1460
    return d, {k: s1[k] - s0[k] for k in ("rx_vlan_stripped", "tx_vlan_inserted",
                                          "tx_vlan_dropped")}


def guest_capture(g, tmp_path, net):
    """The guest's own capture (net/core/capture.c) of three pings to
    eth0.100: (vlan id or None, ip.src) of the ICMP frames it recorded."""
    assert sh(g, "capture filter none").startswith("capture: filter")
    g.shell("capture reset")
    g.shell("capture on")
    r = net.run(["ping", "-c", "3", "-i", "0.2", "-W", "2", GUEST_V], timeout=30)
    g.shell("capture off")
    assert r.returncode == 0, r.stdout
    path = str(tmp_path / "guest-capture.pcap")
    with open(path, "wb") as f:
        f.write(pcap_from_dump(g.shell("capture dump")))
    t = subprocess.run(["tshark", "-n", "-r", path, "-Y", "icmp", "-T", "fields",
                        "-E", "separator=|", "-e", "vlan.id", "-e", "ip.src"],
                       capture_output=True, text=True, timeout=60)
    assert t.returncode == 0, t.stderr
    return [(int(v) if v else None, src) for v, src in
            (line.split("|") for line in t.stdout.splitlines())]


def check_wire(pcap, since=0):
    """Every frame of the guest's VLAN address left tagged 100 (none
    untagged, none with another tag); returns how many, counting from
    frame number since."""
    rows = wire_frames(pcap)[since:]
    mine = [vid for vid, src in rows if src == GUEST_V]
    assert mine, "no frame of %s on the wire" % GUEST_V
    assert all(vid == 100 for vid in mine), sorted(set(mine), key=str)
    # and the untagged side's frames went untagged
    assert all(vid is None for vid, src in rows if src == netns.GUEST4)
    return len(mine)


@pytest.mark.parametrize("nic", NICS)
def test_vlan_beside_untagged(testnet, kernel, nic, tmp_path):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    net = testnet
    os.chmod(str(tmp_path), 0o755)
    pcap = str(tmp_path / ("vlan-%s.pcap" % nic))
    g, relay = vlan_guest(net, nic, pcap)

    # iproute2's errors for ids it or the kernel refuse
    assert sh(g, "ip link add link eth0 name eth0.9 type vlan id 4095") == \
        "Error: 8021q: Invalid VLAN id.\n"
    assert status(g) == 2
    assert sh(g, "ip link add link eth0 name eth0.9 type vlan id 0") == \
        "Error: 8021q: Invalid VLAN id.\n"
    assert sh(g, "ip link add link eth0 name eth0.9 type vlan id 70000") == \
        'Error: argument "70000" is wrong: id is invalid\n'
    assert status(g) == 255
    assert sh(g, "ip link add link eth7 name eth7.9 type vlan id 9") == \
        'Cannot find device "eth7"\n'

    assert sh(g, "ip link add link eth0 name eth0.100 type vlan id 100") == ""
    links = sh(g, "ip link")
    assert re.search(r"^\d+: eth0\.100@eth0: <BROADCAST,MULTICAST> .* state DOWN", links, re.M), \
        links
    assert sh(g, "ip link add link eth0 name eth0.101 type vlan id 100") == \
        "RTNETLINK answers: File exists\n"
    assert sh(g, "ip addr add %s/24 dev eth0.100" % GUEST_V) == ""
    assert sh(g, "ip link set eth0.100 up") == ""
    assert re.search(r"eth0\.100@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>", sh(g, "ip link")), \
        sh(g, "ip link")
    assert "inet %s/24" % GUEST_V in sh(g, "ip addr")

    # the offloads, on by default on every model, as Linux has them
    f = parse_features(sh(g, "ethtool -k eth0"))
    for name in ("rx-vlan-offload", "tx-vlan-offload", "rx-vlan-filter"):
        assert f[name] == (True, False), (name, f[name])

    # tagged ping and TCP while untagged TCP runs on eth0: the NIC took the
    # tags out and put them in, the wire carried them
    d, sd = vlan_traffic(g, net, relay)
    harness.report("vlan %s: /proc/net/dev deltas %s, driver %s" % (nic, d, sd))
    assert sd["rx_vlan_stripped"] >= d["eth0.100"][0], sd
    assert sd["tx_vlan_inserted"] >= d["eth0.100"][1], sd
    assert sd["tx_vlan_dropped"] == 0, sd
    assert re.search(r"^\d+: eth0\.100@eth0:.*\n.*\n\s+RX:", sh(g, "ip -s link"), re.M)
    assert check_wire(pcap) >= 20 + BYTES // 1460
    # the guest's capture shows the replies as eth0.100 sent them
    # (untagged) and as eth0 did (the tag the NIC puts in, shown in the
    # frame as tcpdump shows Linux's), the requests as eth0.100 got them
    frames = guest_capture(g, tmp_path, net)
    assert frames.count((100, GUEST_V)) >= 3, frames
    assert frames.count((None, GUEST_V)) >= 3, frames
    assert frames.count((None, HOST_V)) >= 3, frames

    # an id the guest has not: dropped by the NIC's filter (nothing reaches
    # the stack), or with the filter off by the stack, in rx_nohandler.
    # Each case sets its filter state itself and sees in QEMU's dump that
    # frames tagged 200 did reach the guest's NIC in its own window
    for filt in ("on", "off", "on"):
        assert sh(g, "ethtool -K eth0 rx-vlan-filter %s" % filt) == ""
        assert parse_features(sh(g, "ethtool -k eth0"))["rx-vlan-filter"] == (filt == "on", False)
        nh0, in0 = nohandler(g), frames_to_guest(pcap, 200)
        ping = net.run(["ping", "-c", "3", "-i", "0.5", "-W", "1", "10.200.0.2"], timeout=30)
        assert ping.returncode != 0
        nh1 = nohandler(g)
        # the pings' ARP requests (one a second), tagged 200, reached
        # the guest's NIC
        assert frames_to_guest(pcap, 200) - in0 >= 1, filt
        if filt == "on":
            assert nh1 == nh0, (nh0, nh1)
        else:
            assert nh1 - nh0 >= 1, (nh0, nh1)

    # the e1000/e1000e insert tags only with the bit that also strips them:
    # tx-vlan-offload follows rx-vlan-offload off, and cannot go on alone;
    # the igb switches them apart
    assert sh(g, "ethtool -K eth0 rxvlan off") == ""
    f = parse_features(sh(g, "ethtool -k eth0"))
    assert f["rx-vlan-offload"] == (False, False)
    assert f["tx-vlan-offload"] == (nic == "igb", False)
    assert sh(g, "ethtool -K eth0 txvlan on") == \
        ("" if nic == "igb" else "Could not change any device features\n")
    assert parse_features(sh(g, "ethtool -k eth0"))["tx-vlan-offload"] == (nic == "igb", False)
    # both off (make test's share of test_vlan_offload_matrix): vlan.c takes
    # the tags out and the qdisc puts them in, the NIC's counters stand
    # still, and the replies still leave tagged 100
    assert sh(g, "ethtool -K eth0 rxvlan off txvlan off") == ""
    s0, since = stats(g), len(wire_frames(pcap))
    ping = net.run(["ping", "-c", "3", "-i", "0.2", "-W", "2", GUEST_V], timeout=30)
    assert ping.returncode == 0, ping.stdout
    s1 = stats(g)
    assert s1["rx_vlan_stripped"] == s0["rx_vlan_stripped"], (s0, s1)
    assert s1["tx_vlan_inserted"] == s0["tx_vlan_inserted"], (s0, s1)
    assert check_wire(pcap, since) >= 1
    assert sh(g, "ethtool -K eth0 rxvlan on txvlan on") == ""

    # gone after ip link del
    assert sh(g, "ip link del eth0.100") == ""
    assert "eth0.100" not in sh(g, "ip link")
    assert "eth0.100" not in sh(g, "cat /proc/net/dev")
    ping = net.run(["ping", "-c", "2", "-W", "1", GUEST_V], timeout=30)
    assert ping.returncode != 0
    # untagged traffic unaffected
    res = {}
    tcp_echo(net, netns.GUEST4, 20000, res, "after")
    assert res == {"after": True}


@pytest.mark.slow
@pytest.mark.parametrize("offload", ["on", "off"])
@pytest.mark.parametrize("nic", NICS)
def test_vlan_offload_matrix(testnet, kernel, nic, offload, tmp_path):
    """Ping and TCP over eth0.100 beside untagged TCP, with the NIC's VLAN
    offloads on (tags taken out and put in by the NIC) or off (the
    software path: vlan.c takes the tag out of the frame, net/core/xmit.c
    puts it in as the frame leaves eth0's qdisc): the same traffic, the same counters, the same
    wire; only the driver's counters tell the paths apart."""
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    net = testnet
    os.chmod(str(tmp_path), 0o755)
    pcap = str(tmp_path / ("vlan-%s-%s.pcap" % (nic, offload)))
    g, relay = vlan_guest(net, nic, pcap)
    add_vlan100(g)
    assert sh(g, "ethtool -K eth0 rxvlan %s txvlan %s" % (offload, offload)) == ""
    f = parse_features(sh(g, "ethtool -k eth0"))
    assert f["rx-vlan-offload"] == (offload == "on", False)
    assert f["tx-vlan-offload"] == (offload == "on", False)
    d, sd = vlan_traffic(g, net, relay)
    harness.report("vlan %s offload %s: /proc/net/dev deltas %s, driver %s" % (nic, offload, d, sd))
    if offload == "on":
        assert sd["rx_vlan_stripped"] >= d["eth0.100"][0], sd
        assert sd["tx_vlan_inserted"] >= d["eth0.100"][1], sd
    else:
        assert sd["rx_vlan_stripped"] == 0 and sd["tx_vlan_inserted"] == 0, sd
    assert sd["tx_vlan_dropped"] == 0, sd
    assert check_wire(pcap) >= 20 + BYTES // 1460
    # ip -s link shows the counts /proc/net/dev does (read before and
    # after it: a late segment or neighbour probe may pass in between)
    pd0 = proc_dev(g)["eth0.100"]
    m = re.search(r"^\d+: eth0\.100@eth0:.*\n.*\n\s+RX:.*\n\s+(\d+)\s+(\d+).*\n\s+TX:.*\n"
                  r"\s+(\d+)\s+(\d+)", sh(g, "ip -s link show eth0.100"), re.M)
    assert m, sh(g, "ip -s link show eth0.100")
    pd = proc_dev(g)["eth0.100"]
    ip_s = (int(m.group(2)), int(m.group(4)))
    assert pd0[0] <= ip_s[0] <= pd[0] and pd0[1] <= ip_s[1] <= pd[1], (m.groups(), pd0, pd)
