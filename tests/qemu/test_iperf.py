"""The host's stock iperf 2 client against barenet's iperf service
(net/services/iperf.c: lwIP's lwiperf with barenet's patch 0042), both
directions, in the test namespace.

  - iperf -c GUEST -R: the reverse test of iperf 2.1: the guest sends on the
    connection the host opened (lwiperf served nothing before patch 0042:
    the client measured 0 bytes);
  - -r: the tradeoff test: the host sends, then the guest connects back to
    the host's listener (-L) and sends;
  - -d: the dual test: both at once.

Each direction must have carried data at a non-zero rate by the client's
own report (-y C), and the guest's log must report the session it served."""
import re
import socket

import pytest

import harness
from test_journey import driver_missing
from test_offload import GUEST4, OffloadGuest

NICS = ["e1000", "e1000e", "igb"]
SECONDS = 2


def csv_rows(out):
    """iperf -y C lines: (bytes, bits per second) of each report.  The
    columns: time, source, port, destination, port, id, interval,
    bytes, bits/s."""
    rows = []
    for line in out.splitlines():
        f = line.split(",")
        if len(f) >= 9 and f[7].isdigit():
            rows.append((f[1], int(f[7]), int(f[8])))
    return rows


@pytest.mark.parametrize("nic", NICS)
def test_stock_iperf_both_ways(testnet, kernel, nic, tmp_path):
    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)
    og = OffloadGuest(testnet, nic, str(tmp_path / ("iperf-%s.pcap" % nic)))
    g = og.g
    out = {}

    # -R: the guest sends on the host's connection
    r = og.net.run(["iperf", "-c", GUEST4, "-R", "-t", str(SECONDS), "-y", "C"], timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = csv_rows(r.stdout)
    assert rows, r.stdout + r.stderr
    out["R"] = rows
    # the client's report: what it received from the guest
    assert all(b > 100000 and bps > 0 for _, b, bps in rows), rows
    g.wait_for(r"iperf: client done: \d+ bytes", timeout=30)
    sent = int(re.findall(r"iperf: client done: (\d+) bytes", g.output)[-1])
    assert sent >= rows[0][1]

    # -r and -d: the guest connects back to the host's listener and sends
    for opt, port in (("-r", 48001), ("-d", 48002)):
        r = og.net.run(["iperf", "-c", GUEST4, opt, "-t", str(SECONDS), "-y", "C",
                        "-L", str(port)], timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        rows = csv_rows(r.stdout)
        out[opt] = rows
        # one report per direction: from the host (source the host's
        # address) and from the guest (source the guest's)
        by_src = {src: (b, bps) for src, b, bps in rows}
        assert GUEST4 in by_src and len(by_src) == 2, rows
        assert all(b > 100000 and bps > 0 for b, bps in by_src.values()), rows
    harness.report("iperf %s: %s" % (nic, out))
    # the session served after all this is still answered
    with og.net.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect((GUEST4, 5001))
