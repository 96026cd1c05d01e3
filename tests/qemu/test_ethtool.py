"""ethtool in the guest's shell, in ethtool 6.1's output formats, and the
tunables: -G/-C/-K live and from the kernel command line (ethtool="..."),
the NAPI switch (sysctl net.core.napi, napi=), each validated: a bad value
is refused with ethtool's message and changes nothing.

Without a NIC driver in the kernel only lwIP's loopback exists: the tests
here check lo (features, the errors ethtool gives for it), argument
checking, the command line's syntax check and the NAPI switch.  The tests
against a NIC (-i/-S/-g/-c/-k, live changes read back, refused values,
checksum offload switched under traffic) run once per model (e1000, e1000e,
igb: one guest each, on QEMU user networking) and skip until the driver is
linked.  What a ring size does under load: test_tunables.py."""
import re
import socket

import pytest

from harness import Guest
from netparse import driver_linked, free_port, parse_ethtool_stats, parse_ping, without_klog

FEATURE_LINE = re.compile(r"^(\t?)([a-z0-9_-]+): (on|off)( \[fixed\])?$")


def parse_features(text):
    """ethtool -k as scripts read it: "name: on|off[ [fixed]]", members of
    a group indented by a tab."""
    lines = text.splitlines()
    assert re.fullmatch(r"Features for \S+:", lines[0]), lines[0]
    feats = {}
    for line in lines[1:]:
        m = FEATURE_LINE.match(line)
        assert m, line
        feats[m.group(2)] = (m.group(3) == "on", bool(m.group(4)))
    return feats


def parse_ring(text):
    """ethtool -g: the maximums and current sizes ("n/a" is None)."""
    m = re.fullmatch(r"Ring parameters for (\S+):\nPre-set maximums:\n"
                     r"RX:\t\t(\S+)\nRX Mini:\t(\S+)\nRX Jumbo:\t(\S+)\nTX:\t\t(\S+)\n"
                     r"Current hardware settings:\n"
                     r"RX:\t\t(\S+)\nRX Mini:\t(\S+)\nRX Jumbo:\t(\S+)\nTX:\t\t(\S+)\n", text)
    assert m, text
    v = [None if x == "n/a" else int(x) for x in m.groups()[1:]]
    return {"rx_max": v[0], "tx_max": v[3], "rx": v[4], "tx": v[7], "mini": v[5]}


def parse_coalesce(text):
    lines = text.splitlines()
    assert re.fullmatch(r"Coalesce parameters for \S+:", lines[0])
    m = re.fullmatch(r"Adaptive RX: (on|off|n/a)  TX: (on|off|n/a)", lines[1])
    assert m, lines[1]
    out = {"adaptive-rx": m.group(1), "adaptive-tx": m.group(2)}
    for line in lines[2:]:
        if line:
            k, v = line.split(": ")
            out[k] = None if v == "n/a" else int(v)
    return out


@pytest.fixture(scope="module")
def guest(kernel):
    with Guest("ethtool", append="") as g:
        g.wait_prompt(timeout=60)
        yield g


def status(g):
    return int(g.shell("echo $?"))


def test_loopback_features(guest):
    f = parse_features(guest.shell("ethtool -k lo"))
    assert f["loopback"] == (True, True)
    assert f["rx-checksumming"] == (False, True)     # lwIP checks lo in software
    assert all(fixed for on, fixed in f.values())
    assert sum(on for on, _ in f.values()) == 1
    assert guest.shell("ethtool -K lo rx on") == "Could not change any device features\n"
    assert status(guest) == 1


def test_loopback_has_no_driver_rings_or_stats(guest):
    assert guest.shell("ethtool -i lo") == \
        "Cannot get driver information: Operation not supported\n"
    assert status(guest) == 71
    assert guest.shell("ethtool -S lo") == "no stats available\n"
    assert status(guest) == 94
    assert guest.shell("ethtool -g lo") == "netlink error: Operation not supported\n"
    assert guest.shell("ethtool -c lo") == "netlink error: Operation not supported\n"


def test_arguments_are_checked_first(guest):
    assert guest.shell("ethtool -G eth0 rx abc") == \
        "ethtool (-G): invalid value 'abc' for parameter 'rx'\n"
    assert guest.shell("ethtool -G eth0 rx 512 rx 256") == \
        "ethtool (-G): duplicate parameter 'rx'\n"
    assert guest.shell("ethtool -C eth0 rx-usec 5") == \
        "ethtool (-C): unknown parameter 'rx-usec'\n"
    assert guest.shell("ethtool -C eth0 adaptive-rx yes") == \
        "ethtool (-C): invalid value 'yes' for parameter 'adaptive-rx'\n"
    assert guest.shell("ethtool -K eth0 rx") == \
        "ethtool (-K): flag '' for parameter 'rx' is not followed by 'on' or 'off'\n"
    assert guest.shell("ethtool -Z eth0") == \
        "ethtool: bad command line argument(s)\nFor more information run ethtool -h\n"
    assert status(guest) == 1
    if not driver_linked():
        # the seed's command, as typed: sudo is accepted, eth0 is missing
        assert guest.shell("sudo ethtool -G eth0 rx 4096") == \
            "netlink error: no device matches name\nnetlink error: No such device\n"


def test_napi_switch_live(guest):
    assert guest.shell("sysctl net.core.napi") == "net.core.napi = 1\n"
    assert guest.shell("sysctl -w net.core.napi=0") == "net.core.napi = 0\n"
    assert guest.shell("cat /proc/sys/net/core/napi") == "0\n"
    for bad in ("2", "-1", "on"):
        assert guest.shell("sysctl -w net.core.napi=%s" % bad).startswith(
            'sysctl: setting key "net.core.napi": Invalid argument')
        assert guest.shell("cat /proc/sys/net/core/napi") == "0\n"
    assert guest.shell("sysctl -w net.core.napi=1") == "net.core.napi = 1\n"


def test_cmdline_napi_off(kernel):
    with Guest("ethtool-napi-off", append="napi=off") as g:
        g.wait_prompt(timeout=60)
        assert g.shell("sysctl net.core.napi") == "net.core.napi = 0\n"


def test_cmdline_settings_are_checked_at_boot(kernel):
    good = 'ethtool="-G eth0 rx 512 tx 128" ethtool="-C eth0 rx-usecs 50"'
    bad = 'ethtool="-G eth0 rx lots" ethtool="-g eth0" ethtool="-K eth0 rx sideways"'
    with Guest("ethtool-cmdline", append=good + " " + bad) as g:
        g.wait_prompt(timeout=60)
        log = g.output
    assert "ethtool (-G): invalid value 'lots' for parameter 'rx'" in log
    assert "only -G, -C and -K settings belong on the command line" in log
    assert "flag 'sideways' for parameter 'rx' is not followed by 'on' or 'off'" in log
    assert len(re.findall(r"cmdline: bad value '[^']*' for 'ethtool'", log)) == 3, log
    assert "'-G eth0 rx 512 tx 128' for 'ethtool'" not in log
    assert "'-C eth0 rx-usecs 50' for 'ethtool'" not in log


# --- a real NIC ---------------------------------------------------------------


def sh(g, cmd):
    """g.shell(cmd) without the kernel's log lines (the driver logs ring
    changes and link events on the same console)."""
    return without_klog(g.shell(cmd))

needs_nic = pytest.mark.skipif(not driver_linked(),
                               reason="no NIC driver linked into the kernel yet")


NICS = ["e1000", "e1000e", "igb"]
# the chips whose receive checksum verdicts the driver uses (82540EM: none)
RX_CSUM = {"e1000": False, "e1000e": True, "igb": True}


@pytest.fixture(scope="module", params=NICS)
def nic_guest(kernel, request):
    if not driver_linked():
        pytest.skip("no NIC driver linked into the kernel yet")
    nic = request.param
    port = free_port()
    extra = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:7" % port,
             "-device", "%s,netdev=n0,mac=52:54:00:12:34:56,romfile=" % nic]
    append = 'ethtool="-G eth0 rx 512 tx 128" ethtool="-C eth0 rx-usecs 50" ' \
             'ethtool="-G eth0 rx 100"'
    with Guest("ethtool-nic-" + nic, append=append, extra=extra) as g:
        g.wait_for(r"net: eth0 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp\)", timeout=60)
        g.wait_prompt(timeout=30)
        g.echo_port = port
        g.nic = nic
        yield g


def echo_roundtrip(port, n=20000):
    blob = bytes(range(256)) * (n // 256)
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(blob)
        got = b""
        while len(got) < len(blob):
            chunk = s.recv(65536)
            assert chunk
            got += chunk
    assert got == blob


@needs_nic
def test_nic_cmdline_settings_applied(nic_guest):
    r = parse_ring(sh(nic_guest, "ethtool -g eth0"))
    assert (r["rx"], r["tx"], r["rx_max"], r["tx_max"], r["mini"]) == (512, 128, 4096, 4096, None)
    assert parse_coalesce(sh(nic_guest, "ethtool -c eth0"))["rx-usecs"] == 50
    # the refused one was reported and changed nothing
    assert re.search(r"eth0: ethtool -G eth0 rx 100: netlink error: .*\(setting ignored\)",
                     nic_guest.output)


@needs_nic
def test_nic_drvinfo_and_stats(nic_guest):
    info = dict(l.split(": ", 1) if ": " in l else (l.rstrip(":"), "")
                for l in sh(nic_guest, "ethtool -i eth0").splitlines())
    assert info["driver"] == nic_guest.nic
    assert re.fullmatch(r"0000:00:[0-9a-f]{2}\.[0-7]", info["bus-info"]), info
    assert info["supports-statistics"] == "yes"
    s0 = parse_ethtool_stats(sh(nic_guest, "ethtool -S eth0"))
    for name in ("rx_packets", "tx_packets", "rx_missed_errors", "rx_no_buffer_count",
                 "rx_crc_errors", "rx_csum_offload_good", "tx_csum_offload"):
        assert name in s0, name
    out = sh(nic_guest, "ping -c 3 -i 0.2 10.0.2.2")
    assert parse_ping(out)["stats"].groups()[:2] == ("3", "3"), out
    s1 = parse_ethtool_stats(sh(nic_guest, "ethtool -S eth0"))
    assert s1["rx_packets"] >= s0["rx_packets"] + 3
    assert s1["tx_packets"] >= s0["tx_packets"] + 3
    sysfs = int(sh(nic_guest, "cat /sys/class/net/eth0/statistics/rx_packets"))
    assert sysfs >= s1["rx_packets"]


@needs_nic
def test_nic_rings_live_and_refused(nic_guest):
    g = nic_guest
    assert sh(g, "ethtool -G eth0 rx 64 tx 64") == ""
    assert parse_ring(sh(g, "ethtool -g eth0"))["rx"] == 64
    echo_roundtrip(g.echo_port)                 # traffic flows over the new rings
    for bad, why in (("rx 8192", "requested ring size exceeds maximum"),
                     ("rx 100", "ring size not supported by the device"),
                     ("tx 0", "ring size must not be zero")):
        assert sh(g, "ethtool -G eth0 " + bad) == \
            "netlink error: %s\nnetlink error: Invalid argument\n" % why
        r = parse_ring(sh(g, "ethtool -g eth0"))
        assert (r["rx"], r["tx"]) == (64, 64), bad
    assert sh(g, "ethtool -G eth0 rx 1024 tx 256") == ""
    echo_roundtrip(g.echo_port)


@needs_nic
def test_nic_coalesce_live_and_refused(nic_guest):
    g = nic_guest
    assert sh(g, "ethtool -C eth0 rx-usecs 100") == ""
    c = parse_coalesce(sh(g, "ethtool -c eth0"))
    assert c["rx-usecs"] == 100 and c["tx-usecs"] is None
    assert sh(g, "ethtool -C eth0 tx-frames 8") == \
        "netlink error: unsupported parameter\nnetlink error: Operation not supported\n"
    assert sh(g, "ethtool -C eth0 rx-usecs 99999").endswith(
        "netlink error: Invalid argument\n")
    assert parse_coalesce(sh(g, "ethtool -c eth0"))["rx-usecs"] == 100


@needs_nic
def test_nic_checksum_offload_switch(nic_guest):
    g = nic_guest
    f = parse_features(sh(g, "ethtool -k eth0"))
    assert f["tx-checksumming"][1] is False
    if not RX_CSUM[g.nic]:
        # 82540EM: no receive verdicts the driver trusts; fixed off, and
        # asking for it is refused and changes nothing
        assert f["rx-checksumming"] == (False, True)
        assert sh(g, "ethtool -K eth0 rx on") == "Could not change any device features\n"
        assert parse_features(sh(g, "ethtool -k eth0"))["rx-checksumming"] == (False, True)
    else:
        assert f["rx-checksumming"] == (True, False)
    # TX offload on: the NIC fills IPv4 and TCP checksums, traffic still flows
    assert sh(g, "ethtool -K eth0 tx on") == ""
    before = parse_ethtool_stats(sh(g, "ethtool -S eth0"))
    echo_roundtrip(g.echo_port)
    after = parse_ethtool_stats(sh(g, "ethtool -S eth0"))
    assert after["tx_csum_offload"] > before["tx_csum_offload"]
    # RX verdicts ignored: software checks again, the counter stands still
    if RX_CSUM[g.nic]:
        assert after["rx_csum_offload_good"] > before["rx_csum_offload_good"]
        assert sh(g, "ethtool -K eth0 rx off tx off") == ""
        assert parse_features(sh(g, "ethtool -k eth0"))["rx-checksumming"] == (False, False)
    else:
        assert after["rx_csum_offload_good"] == before["rx_csum_offload_good"] == 0
        assert sh(g, "ethtool -K eth0 tx off") == ""
    before = parse_ethtool_stats(sh(g, "ethtool -S eth0"))
    echo_roundtrip(g.echo_port)
    after = parse_ethtool_stats(sh(g, "ethtool -S eth0"))
    assert after["rx_csum_offload_good"] == before["rx_csum_offload_good"]
    assert after["tx_csum_offload"] == before["tx_csum_offload"]
    if RX_CSUM[g.nic]:
        assert sh(g, "ethtool -K eth0 rx on") == ""
