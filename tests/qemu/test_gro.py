"""GRO in the NAPI poll (net/core/gro.c), per NIC model.

The host sends TCP streams to the guest's echo service over IPv4 and IPv6
on the test namespace's tap; the guest receives them MSS-sized (the host
kernel segments what it writes to a tap without vnet headers).  With GRO
on (the default, as Linux's) the poll merges the in-order segments, and
lwIP's own segment counter (/proc/net/snmp Tcp InSegs, one per tcp_input
call) grows by fewer than the wire segments the data needed at least:
lwIP took merged segments.  Every byte comes back through the echo, so the
merged chains carried the stream intact.  With ethtool -K eth0 gro off,
nothing merges and lwIP counts at least a segment per MSS of data, as
before.  ethtool -k shows generic-receive-offload as it is set."""
import socket
import time

import pytest

import harness
from netparse import parse_snmp
from test_ethtool import parse_features
from test_journey import driver_missing
from test_offload import GUEST4, GUEST6, MSS, OffloadGuest, sh, stats

NICS = ["e1000", "e1000e", "igb"]
GRO_BYTES = 300000
PORTS = {"on": 46000, "off": 47000}
GRO_STATS = ("rx_gro_skbs", "rx_gro_packets", "rx_gro_bytes", "rx_gro_flush_poll",
             "rx_gro_flush_mismatch", "rx_gro_flush_full", "rx_gro_flush_push",
             "rx_gro_csum_bad")


def tcp_insegs(g):
    return parse_snmp(sh(g, "cat /proc/net/snmp"))["Tcp"]["InSegs"]


@pytest.mark.parametrize("nic", NICS)
def test_gro_merges_what_lwip_receives(testnet, kernel, nic, tmp_path):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    og = OffloadGuest(testnet, nic, str(tmp_path / ("gro-%s.pcap" % nic)))
    g = og.g
    assert parse_features(sh(g, "ethtool -k eth0"))["generic-receive-offload"] == (True, False)

    out = {}
    for name in ("on", "off"):
        if name == "off":
            assert sh(g, "ethtool -K eth0 gro off") == ""
            feats = parse_features(sh(g, "ethtool -k eth0"))
            assert feats["generic-receive-offload"] == (False, False)
        base = PORTS[name]
        before, segs0 = stats(g), tcp_insegs(g)
        og.tcp_echo(socket.AF_INET, GUEST4, base, GRO_BYTES)
        og.tcp_echo(socket.AF_INET6, GUEST6, base + 1, GRO_BYTES)
        time.sleep(0.5)
        after, segs1 = stats(g), tcp_insegs(g)
        out[name] = {k: after[k] - before[k] for k in GRO_STATS + ("rx_packets",)}
        out[name]["insegs"] = segs1 - segs0
    harness.report("gro %s: %s" % (nic, out))
    on, off = out["on"], out["off"]
    # the data alone needs this many wire segments (each direction's
    # handshake, ACKs and FINs come on top)
    least = GRO_BYTES // MSS[4] + GRO_BYTES // MSS[6]
    assert on["rx_gro_skbs"] > 0 and on["rx_gro_packets"] >= 2 * on["rx_gro_skbs"]
    assert on["rx_gro_bytes"] > GRO_BYTES // 4
    assert on["rx_gro_csum_bad"] == 0
    # lwIP ran tcp_input fewer times than there were data segments: each
    # merged skb saved it (segments - 1) calls
    assert on["insegs"] < least, on
    assert on["insegs"] <= on["rx_packets"] - (on["rx_gro_packets"] - on["rx_gro_skbs"])
    # a merged skb goes up at the poll's end or when a frame ends it
    assert on["rx_gro_flush_poll"] + on["rx_gro_flush_mismatch"] + on["rx_gro_flush_full"] + \
        on["rx_gro_flush_push"] == on["rx_gro_skbs"]
    # off: the old behaviour, one tcp_input per wire segment
    assert all(off[k] == 0 for k in GRO_STATS), off
    assert off["insegs"] >= least
