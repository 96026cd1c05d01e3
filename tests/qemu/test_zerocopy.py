"""Zero copy both ways, shown by the driver's own counters (ethtool -S eth0
in the guest shell) around real traffic, for each NIC model (e1000,
e1000e, igb) on the test namespace's tap (netns.TestNet, as test_journey):

  - a ping flood: echo requests received in their DMA buffers, replies
    built by lwIP in the request's own buffer (its headers rewritten in
    place, lwIP patch 0068) and sent from it;
  - TCP: iperf to the guest (lwiperf, 4 flows), and a bulk transfer
    through the TCP echo service (segments both ways; a TSO send is a
    header piece and payload pieces: scatter-gather);
  - UDP echo: lwIP writes the reply's headers in front of the received
    payload, in the RX DMA buffer, so the TX side takes one descriptor
    per reply and the RX buffer comes back to the pool only when the TX
    descriptor is done.

Then, for that traffic: no RX frame copied (the refill pool never ran dry),
no TX frame linearised (TSO sends, on by default, never are), zero-copy
counters up by at least the frames exchanged (a TSO send counts its
segments), more TX segments than frames (scatter-gather was used), the
counters adding up (rx_packets = rx_zc_frames + rx_copied_frames; the
frames queued = tx_packets + the change in tx_ring_inflight, also at
reads while iperf runs), and,
once traffic stops, every buffer back in the pool (rx_pool_lent 0,
rx_pool_free at its starting level)."""
import os
import select
import time

import pytest

from harness import report
from netobs import rx_pool_settled
from netparse import parse_ethtool_stats
from test_journey import GUEST, NICS, ECHO_PORT, counts, driver_missing, run_ping, udp_echo, iperf_bps
from test_napi_ratio import RatioGuest

COUNTERS = ("rx_packets", "tx_packets", "rx_zc_frames", "rx_copied_frames", "rx_alloc_failed",
            "rx_pool_size", "rx_pool_free", "rx_pool_lent", "tx_zc_frames", "tx_linearized",
            "tx_sg_segments", "rx_dropped", "tx_tso_sends", "tx_tso_segments", "tx_ring_inflight")


def ethtool_stats(g):
    """ethtool -S eth0 as a dict; the counters named above must be in it."""
    found = parse_ethtool_stats(g.view("ethtool -S eth0"))
    missing = [c for c in COUNTERS if c not in found]
    assert not missing, "ethtool -S eth0 lacks %s: %s" % (missing, found)
    return found


def tx_unaccounted(a, b):
    """Frames queued between reads a and b (a TSO send: its segments)
    less the frames sent (tx_packets) and the change in those queued and
    not yet cleaned (tx_ring_inflight): 0 when the TX counters add up."""
    d = {k: b[k] - a[k] for k in COUNTERS}
    return (d["tx_zc_frames"] + d["tx_linearized"] + d["tx_tso_segments"] - d["tx_tso_sends"] -
            d["tx_packets"] - d["tx_ring_inflight"])


def settled(g, timeout=15):
    """The counters once no buffer is out with the stack any more."""
    return rx_pool_settled(lambda: ethtool_stats(g), timeout)


def tcp_bulk_echo(j, nbytes, chunk=16384, timeout=60):
    """nbytes of random data through the TCP echo service, read back and
    compared; returns the bytes echoed."""
    data = os.urandom(nbytes)
    s = j.sock()
    s.settimeout(timeout)
    s.connect((GUEST, ECHO_PORT))
    s.setblocking(False)
    sent, back = 0, bytearray()
    t0 = time.monotonic()
    try:
        while len(back) < nbytes:
            assert time.monotonic() - t0 < timeout, "TCP echo: %d of %d back" % (len(back), nbytes)
            want_w = [s] if sent < nbytes else []
            r, w, _ = select.select([s], want_w, [], 1.0)
            if w:
                try:
                    sent += s.send(data[sent:sent + chunk])
                except BlockingIOError:
                    pass
            if r:
                piece = s.recv(65536)
                assert piece, "echo connection closed after %d bytes" % len(back)
                back += piece
    finally:
        s.close()
    assert bytes(back) == data, "TCP echo data corrupted"
    return len(back)


@pytest.mark.parametrize("nic", NICS)
def test_zero_copy_both_ways(testnet, kernel, nic):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    j = RatioGuest(testnet, nic, "zerocopy-" + nic)
    s0 = settled(j.g)
    assert s0["rx_pool_lent"] == 0, s0
    assert 0 < s0["rx_pool_free"] < s0["rx_pool_size"], s0

    pings = counts(5000, 1000)
    run_ping(j, ["-f", GUEST], pings, deadline=60 + pings // 100)
    # iperf in 4 flows (RSS spreads them over the igb's queues, and the
    # ACKs go out on each queue's CPU's TX queue), the counters read while
    # it runs: the frames queued = tx_packets + the change in
    # tx_ring_inflight at every read, not only once traffic stops
    t = counts(5, 2)
    p = j.net.popen(["iperf", "-c", GUEST, "-t", str(t), "-P", "4", "-y", "C"])
    mid = []
    stop = time.monotonic() + t - 0.5
    while time.monotonic() < stop and len(mid) < 4 and p.poll() is None:
        mid.append(ethtool_stats(j.g))
    out, err = p.communicate(timeout=t + 60)
    assert p.returncode == 0 and iperf_bps(out), out + err
    assert mid, "no ethtool -S read while iperf ran"
    for m in mid:
        assert tx_unaccounted(s0, m) == 0, ({k: m[k] - s0[k] for k in COUNTERS}, s0["tx_ring_inflight"],
                                            m["tx_ring_inflight"], len(mid))
    bulk = tcp_bulk_echo(j, counts(4 << 20, 1 << 20))
    udps = counts(20000, 4000)
    su = settled(j.g)
    got, lost, _ = udp_echo(j, udps)
    assert lost == 0, "%d of %d UDP echoes lost" % (lost, udps)

    s1 = settled(j.g)
    d = {k: s1[k] - s0[k] for k in COUNTERS}
    du = {k: s1[k] - su[k] for k in COUNTERS}
    report("zerocopy %s: rx_zc %d rx_copied %d tx_zc %d tx_linearized %d tx_sg_segments %d; "
           "pool %d/%d free, %d lent" % (nic, d["rx_zc_frames"], d["rx_copied_frames"],
                                        d["tx_zc_frames"], d["tx_linearized"],
                                        d["tx_sg_segments"], s1["rx_pool_free"],
                                        s1["rx_pool_size"], s1["rx_pool_lent"]))
    # no copies for this traffic, on either side
    assert d["rx_copied_frames"] == 0, d
    assert d["rx_alloc_failed"] == 0, d
    assert d["tx_linearized"] == 0, d
    # every ping, UDP echo and TCP segment went up and out in place
    assert d["rx_zc_frames"] >= pings + udps + bulk // 1460, d
    # (a TSO send is one frame queued and tx_tso_segments / sends on the wire)
    tso_extra = d["tx_tso_segments"] - d["tx_tso_sends"]
    assert d["tx_zc_frames"] + tso_extra >= pings + udps + bulk // 1460, d
    # UDP replies are one piece each, their headers written in the
    # request's RX buffer (a header pbuf chained in front made two); the
    # few other frames of the window (a late ACK) are one piece too
    assert du["tx_zc_frames"] >= udps, du
    assert du["tx_sg_segments"] - du["tx_zc_frames"] < udps // 10, du
    # TSO sends are a header piece and payload pieces: scatter-gather
    if d["tx_tso_sends"]:
        assert d["tx_sg_segments"] > d["tx_zc_frames"], d
    # the counters add up: each frame received is zero copy or copied;
    # each frame queued completes.  Queued frames count at ndo_start_xmit,
    # sent ones when the driver cleans their descriptor at a later poll, so
    # over the window the queued ones are the sent ones plus the change in
    # the frames still in the rings (tx_ring_inflight: every TX queue's,
    # each read with its counters under its queue's TX lock): exact,
    # though the replies of the reachability probes may still be in a
    # ring at s0 (3 to 5 in past runs) and at s1
    assert d["rx_packets"] == d["rx_zc_frames"] + d["rx_copied_frames"], d
    assert (d["tx_zc_frames"] + d["tx_linearized"] + tso_extra ==
            d["tx_packets"] + d["tx_ring_inflight"]), (d, s0["tx_ring_inflight"], s1["tx_ring_inflight"])
    # nothing leaked: every buffer back in the pool
    assert s1["rx_pool_lent"] == 0, s1
    assert s1["rx_pool_free"] == s0["rx_pool_free"], (s0, s1)
    assert s1["rx_pool_size"] == s0["rx_pool_size"], (s0, s1)
    j.poweroff()
