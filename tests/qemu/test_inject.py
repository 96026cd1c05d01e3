"""bn-inject against a guest on QEMU's -netdev dgram (injectlib.py): a
bounded UDP echo flood whose replies match the guest's counters exactly,
and each malformed kind alone, with the counter each must move (and only
those), the guest alive afterwards, and the receive path reconciled.

No namespace or root is needed: the link is UDP on 127.0.0.1 between QEMU
and the injector, nothing else."""
import os

import pytest

import injectlib
from harness import report
from injectlib import EXPECT, FRAG_KINDS, MALFORMED, WATCH, InjectGuest, add_sent, counters, delta, expected

QUICK = os.environ.get("BARENET_QUICK") == "1"
NICS = ["e1000", "e1000e"]
FLOOD = 5000 if QUICK else 20000
PER_KIND = 50


@pytest.fixture
def guest(request, kernel):
    if not os.path.exists(injectlib.INJECT):
        pytest.fail("build/tools/bn-inject missing: run make first")
    nic = request.param
    g = InjectGuest("inject-%s" % request.node.name, nic=nic)
    request.addfinalizer(g.close)
    g.wait_reachable()
    return g


def test_help_and_bad_arguments():
    import subprocess
    r = subprocess.run([injectlib.INJECT, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "malformed" in r.stdout and "--dgram" in r.stdout
    for args, words in ((["flood"], "transport"),
                        (["flood", "--iface", "lo", "--dst-mac", "x"], "MAC"),
                        (["malformed", "--iface", "lo", "--dst-mac", injectlib.MAC, "--dst-ip",
                          "10.0.2.15", "--kind", "bogus"], "bogus"),
                        (["flood", "--iface", "lo", "--dst-mac", injectlib.MAC, "--dst-ip",
                          "10.0.2.15", "--size", "10:20"], "60..1514"),
                        (["flood", "--iface", "lo", "--dst-mac", injectlib.MAC, "--dst-ip",
                          "10.0.2.15", "--pps", "fast"], "--pps"),
                        (["sideways"], "unknown mode")):
        r = subprocess.run([injectlib.INJECT] + args, capture_output=True, text=True)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert words in r.stderr, (args, r.stderr)
        assert r.stdout == "", args


@pytest.mark.parametrize("guest", NICS, indirect=True)
def test_udp_echo_flood(guest):
    """FLOOD datagrams to udp/7 (sizes 60..1514, 16 flows, at most 64
    outstanding): each echo the guest counted came back, and the guest
    counted exactly what was sent."""
    before = counters(guest.g)
    s = guest.inject("flood", "--count", FLOOD, "--size", "60:1514", "--flows", 16, "--window", 64)
    d = delta(before, counters(guest.g))
    report("inject flood %s: %d frames in %.2f s (%.0f pps), %d echoes back" % (
        guest.g.name, s["sent_total"], s["send_s"], s["rate_pps"], s["received"]["udp-echo"]))
    assert s["sent"]["udp-echo"] == FLOOD and s["send_errors"] == 0
    assert d["Udp.InDatagrams"] == FLOOD, d["Udp.InDatagrams"]
    assert s["received"]["udp-echo"] == d["Udp.OutDatagrams"] == FLOOD, s
    assert d["eth.rx_packets"] == s["sent_total"], (d["eth.rx_packets"], s)
    assert d["Ip.InReceives"] == FLOOD
    assert s["window_lost"] == 0


@pytest.mark.parametrize("guest", NICS, indirect=True)
def test_each_malformed_kind(guest):
    """Each malformed kind alone, PER_KIND frames: the counters EXPECT names
    move by exactly that, the others in WATCH not at all; after all of them
    (and lwIP's reassembly timeout) the pools are back where they were, the
    receive path reconciles and the guest still answers."""
    start = counters(guest.g)
    total = {}
    for kind in MALFORMED:
        before = counters(guest.g)
        s = guest.inject("malformed", "--kind", kind, "--mix", 100, "--count", PER_KIND,
                         "--seed", 6)
        d = delta(before, counters(guest.g))
        add_sent(total, s)
        assert s["send_errors"] == 0, s
        want = expected(s["sent"])
        got = {k: d.get(k, 0) for k in WATCH if not k.startswith("rx.")}
        got.update({"rx." + k: v for k, v in s["received"].items() if v})
        for k in list(want):
            if k.startswith("rx.") and k not in got:
                got[k] = 0
        mism = {k: (got.get(k, 0), want.get(k, 0)) for k in set(got) | set(want)
                if got.get(k, 0) != want.get(k, 0)
                and not (k.startswith("rx.") and k not in want)
                and not (kind in FRAG_KINDS and k == "rx.icmp-time-exceeded")}
        assert not mism, "%s: counter (got, expected): %s" % (kind, mism)
    end = guest.quiesce()
    d = delta(start, end)
    frags = sum(total.get(k, 0) for k in FRAG_KINDS)
    assert d["Ip.ReasmFails"] + d["lwip.ip_frag.drop"] == frags, (d["Ip.ReasmFails"], frags)
    bad = injectlib.reconcile(d, {k: v for k, v in total.items() if not k.startswith("rx.")},
                              {k: v for k, v in total.items() if k.startswith("rx.")})
    assert not bad, bad
    assert injectlib.pools(end) == injectlib.pools(start), (injectlib.pools(start), injectlib.pools(end))
    pong = guest.alive()
    assert pong["received"]["icmp-echo-reply"] == 10, pong
