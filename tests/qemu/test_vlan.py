"""802.1Q VLAN sub-interfaces (net/lwip/vlan.c), per NIC model.

The test namespace gets a VLAN of its own beside the untagged tap0: the
host's kernel may lack 8021q, so tests/qemu/vlanrelay.py tags and untags
in user space between the guest's tap and one tap per id (tapv100 with
10.100.0.1/24); the guest makes eth0.100 with iproute2's commands and
10.100.0.2/24.  Then, at the same time, the host pings 10.100.0.2 and
echoes TCP through the tagged sub-interface while a TCP echo runs untagged
over eth0: both must come back whole, and each interface's counters
(/proc/net/dev, ip -s link) must show its own traffic.  A frame tagged
with an id the guest did not configure (200, tapv200) is dropped and counted
in eth0's rx_nohandler; ids outside 1..4094 get iproute2's errors; after
ip link del the sub-interface and its traffic are gone."""
import os
import re
import socket
import threading

import pytest

import harness
import netns
from netparse import without_klog
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


@pytest.mark.parametrize("nic", NICS)
def test_vlan_beside_untagged(testnet, kernel, nic):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    net = testnet
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
    g = harness.Guest("vlan-" + nic, prefix=net.prefix, nic=nic, mac=harness.DEFAULT_MAC,
                      netdev="tap,id=n0,ifname=%s,script=no,downscript=no,vnet_hdr=off" % GUEST_TAP,
                      append=APPEND)
    net.guests.append(g)
    g.wait_for(r"barenet: ready in", timeout=90)
    g.wait_prompt(30)

    # iproute2's errors for ids it or the kernel refuse
    assert sh(g, "ip link add link eth0 name eth0.9 type vlan id 4095") == \
        "Error: 8021q: Invalid VLAN id.\n"
    assert status(g) == 2
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
    before = proc_dev(g)

    # both ways reachable first (neighbours resolved on each side)
    for addr in (netns.GUEST4, GUEST_V):
        r = net.run(["ping", "-c", "1", "-W", "5", addr], timeout=30)
        assert r.returncode == 0, (addr, r.stdout)
    before = proc_dev(g)

    # tagged ping and TCP while untagged TCP runs on eth0
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
    assert " 0% packet loss" in ping.stdout, ping.stdout
    after = proc_dev(g)
    d = {k: (after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in ("eth0", "eth0.100")}
    harness.report("vlan %s: /proc/net/dev deltas %s" % (nic, d))
    # the sub-interface saw its ping and TCP (20 echo requests and at
    # least BYTES of data in segments), eth0 all of it plus the untagged
    assert d["eth0.100"][0] >= 20 + BYTES // 1460 and d["eth0.100"][1] >= 20 + BYTES // 1460
    assert d["eth0"][0] >= d["eth0.100"][0] + BYTES // 1460
    assert re.search(r"^\d+: eth0\.100@eth0:.*\n.*\n\s+RX:", sh(g, "ip -s link"), re.M)

    # an id the guest has not: dropped, counted in rx_nohandler
    nh0 = int(sh(g, "cat /sys/class/net/eth0/statistics/rx_nohandler"))
    ping = net.run(["ping", "-c", "3", "-i", "0.5", "-W", "1", "10.200.0.2"], timeout=30)
    assert ping.returncode != 0
    nh1 = int(sh(g, "cat /sys/class/net/eth0/statistics/rx_nohandler"))
    # the pings' ARP requests (one a second), tagged 200, reached the
    # guest and went nowhere
    assert nh1 - nh0 >= 1, (nh0, nh1)

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
