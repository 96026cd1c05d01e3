"""Frame journey timing: with trace.sample=N, one frame in N carries a
record of TSC stamps at each stage; `trace` prints per-stage latency
percentiles (ns since the previous stage the frame reached), `trace csv`
and GET /trace.csv the raw records, and tools/journey-plot.sh draws them.

Over loopback the stages reached are tx_app (udpsend), tx_xmit (lwIP's loop
output), rx_ip, rx_l4 and rx_app (the discard service); the device stages
(tx_queue, tx_tail, tx_done, rx_irq, rx_napi, rx_driver, rx_skb, rx_netif)
need a NIC: absent over loopback, and present (in order) for UDP echoes
through each NIC model in a test namespace (test_nic_driver_stages)."""
import os
import re
import subprocess

import pytest

from harness import BUILD, EXIT_OK, ROOT, Guest, boot, report

LOOP_STAGES = ["tx_xmit", "rx_ip", "rx_l4", "rx_app"]
DEVICE_STAGES = ["tx_queue", "tx_tail", "tx_done", "rx_irq", "rx_napi", "rx_driver", "rx_skb",
                 "rx_netif"]
PLOT = os.path.join(ROOT, "tools", "journey-plot.sh")


def parse_trace(out):
    m = re.search(r"frames (\d+), sampled (\d+), completed (\d+), no slot (\d+); (\d+) records "
                  r"kept \((\d+) rx, (\d+) tx, (\d+) loop\)", out)
    assert m, out
    head = dict(zip(["frames", "sampled", "completed", "no_slot", "kept", "rx", "tx", "loop"],
                    map(int, m.groups())))
    rows = {}
    for line in out.splitlines():
        r = re.match(r"^(\w+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+)$", line)
        if r:
            rows[r.group(1)] = tuple(map(int, r.groups()[1:]))
    return head, rows


def udpsend(g, n, port=9):
    out = g.shell("udpsend 127.0.0.1 %d %d" % (port, n), timeout=120)
    assert re.search(r"udpsend: %d sent, 0 failed" % n, out), out


@pytest.fixture
def guest(kernel):
    with Guest("journey", append="trace.sample=1") as g:
        g.wait_prompt(30)
        yield g
        g.send("poweroff\r")
        assert g.wait_exit(30) == EXIT_OK


def test_percentiles_per_stage(guest):
    g = guest
    n = 200
    udpsend(g, n)
    head, rows = parse_trace(g.shell("trace"))
    assert head["frames"] == head["sampled"] == head["completed"] == head["loop"] == n
    assert head["no_slot"] == 0
    for st in LOOP_STAGES + ["total"]:
        count, p50, p90, p99, mx = rows[st]
        assert count == n, st
        assert 0 <= p50 <= p90 <= p99 <= mx, (st, rows[st])
    assert rows["total"][0] > 0 and rows["total"][1] >= rows["rx_ip"][1]
    for st in DEVICE_STAGES + ["tx_app"]:     # tx_app is a first stage: no latency row
        assert st not in rows, st
    report("journey (loopback UDP, %d frames): " % n + ", ".join(
        "%s p50 %d ns p99 %d ns" % (st, rows[st][1], rows[st][3]) for st in LOOP_STAGES + ["total"]))


def test_csv_and_plot(guest, tmp_path):
    g = guest
    udpsend(g, 60)
    csv = g.shell("trace csv")
    assert csv == g.view("cat /proc/barenet/trace.csv")
    lines = csv.strip().split("\n")
    header = lines[0].split(",")
    assert header[:3] == ["id", "kind", "len"] and "rx_app" in header
    recs = [dict(zip(header, l.split(","))) for l in lines[1:]]
    assert len(recs) == 60 and all(r["kind"] == "loop" and r["len"] == "60" for r in recs)
    for r in recs:
        stamps = [int(r[st]) for st in ["tx_app"] + LOOP_STAGES]
        assert stamps == sorted(stamps), r      # the stages in the order a frame meets them
        assert all(r[st] == "" for st in DEVICE_STAGES)
    path = tmp_path / "trace.csv"
    path.write_text(csv)
    png = os.path.join(BUILD, "test-logs", "journey.png")
    out = subprocess.run([PLOT, str(path), png], check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=60).stdout
    assert "journey-plot: " + png in out
    with open(png, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    # an empty trace is refused, not drawn
    empty = tmp_path / "empty.csv"
    empty.write_text(lines[0] + "\n")
    assert subprocess.run([PLOT, str(empty), str(tmp_path / "e.png")],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0


def test_sampling_rate_and_off(guest):
    g = guest
    assert g.shell("trace sample 4") == "" and g.shell("trace reset") == ""
    udpsend(g, 100)
    head, rows = parse_trace(g.shell("trace"))
    assert "sampling 1 frame in 4" in g.shell("trace")
    assert head["frames"] == 100 and head["sampled"] == head["kept"] == 25
    assert rows["rx_app"][0] == 25
    # off: nothing sampled, nothing counted
    g.shell("trace sample 0")
    udpsend(g, 50)
    head2, _ = parse_trace(g.shell("trace"))
    assert head2["frames"] == 100 and head2["kept"] == 25
    assert "trace: off" in g.shell("trace")
    for bad in ["-1", "1000001", "x", ""]:
        out = g.shell("trace sample %s" % bad)
        assert out.startswith("trace: "), out
        assert g.shell("echo $?") == "1\n"


def test_http_request_journey(guest):
    """TCP: the HTTP service's receive callback is the application stage"""
    g = guest
    g.shell("trace reset")
    assert g.shell("httpget -n 5 /proc/version").startswith("httpget: 5 requests")
    head, rows = parse_trace(g.shell("trace"))
    assert head["loop"] > 0 and rows["rx_l4"][0] > 0 and rows["rx_app"][0] >= 5


@pytest.mark.parametrize("opt", ["trace.sample=-1", "trace.sample=1000001", "trace.sample=often",
                                 "trace.sample="])
def test_cmdline_is_validated(kernel, opt):
    code, log = boot("journey-opt", append="exit=ready " + opt)
    assert code == EXIT_OK and re.search(r"cmdline: .*trace\.sample", log), log[-1500:]


# -- through a NIC: the driver's stages ---------------------------------------
NIC_RX_STAGES = ["rx_irq", "rx_napi", "rx_driver", "rx_skb", "rx_netif", "rx_ip", "rx_l4", "rx_app"]
NIC_TX_STAGES = ["tx_app", "tx_queue", "tx_xmit", "tx_tail", "tx_done"]


def eth0_stat(g, name):
    """ethtool -S eth0's counter name."""
    m = re.search(r"^\s*%s: (\d+)$" % name, g.view("ethtool -S eth0"), re.M)
    assert m, "no " + name
    return int(m.group(1))


def tail_batched(g):
    """ethtool -S eth0's tx_tail_batched: frames whose TX tail a poll wrote
    once for its batch (an rx_handler's NETDEV_TX_MORE only)."""
    return eth0_stat(g, "tx_tail_batched")


@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_nic_driver_stages(testnet, kernel, nic):
    """UDP echoes from the namespace to a guest with trace.sample=1: each
    request is an rx record that went through the driver (hard IRQ, NAPI
    poll, descriptor), each reply a tx record through the TX tail and the
    completion the driver saw."""
    import socket
    import netns
    from test_journey import APPEND, GUEST, Journey, driver_missing

    why = driver_missing(testnet, nic)
    if why:
        pytest.skip(why)

    class TracedGuest(Journey):
        def __init__(self):
            self.net, self.nic = testnet, nic
            self.g = testnet.guest("journey-trace-" + nic, nic=nic, append=APPEND + " trace.sample=1")
            self.g.wait_for(r"barenet: ready in", timeout=60)
            self.g.wait_prompt(30)
            self.udp_probes = self.wait_reachable()

    j = TracedGuest()
    g = j.g
    g.shell("trace reset")
    batched0, reaped0 = tail_batched(g), eth0_stat(g, "tx_done_reaped")
    n = 50
    with j.sock(socket.SOCK_DGRAM) as u:
        u.settimeout(2)
        for i in range(n):
            u.sendto(b"journey %d" % i, (GUEST, 7))
            assert u.recvfrom(2048)[0] == b"journey %d" % i
    # A reply's record completes when the driver cleans its descriptor, at
    # the start of a later poll: one poll may have taken many requests and
    # sent their replies since the last cleaning.  Another echo makes the
    # next poll (its answer proves the guest took it); more rounds when the
    # still running poll took that one too (bounded: ten).
    for _ in range(10):
        with j.sock(socket.SOCK_DGRAM) as u:
            u.settimeout(2)
            u.sendto(b"flush", (GUEST, 7))
            assert u.recvfrom(2048)[0] == b"flush"
        csv = g.shell("trace csv")
        lines = csv.strip().split("\n")
        header = lines[0].split(",")
        recs = [dict(zip(header, l.split(","))) for l in lines[1:]]
        rx = [r for r in recs if r["kind"] == "rx"]
        tx = [r for r in recs if r["kind"] == "tx"]
        echo_rx = [r for r in rx if r["rx_app"]]
        if len([r for r in tx if r["tx_done"]]) >= n:
            break
    assert len(echo_rx) >= n, csv[-3000:]
    for r in echo_rx:
        # every stage reached: rx_irq too when a poll no interrupt of the
        # frame's own started took it (one NAPI run may take many echoes:
        # each reply brings the next request while the poll runs)
        assert all(r[st] for st in NIC_RX_STAGES), r
        stamps = [int(r[st]) for st in NIC_RX_STAGES]
        assert stamps == sorted(stamps), r       # in the order a frame meets them
    runs = len({r["rx_irq"] for r in echo_rx})
    done = [r for r in tx if r["tx_done"]]
    assert len(done) >= n, csv[-3000:]
    for r in done:
        stamps = [int(r[st]) for st in NIC_TX_STAGES]
        assert all(stamps) and stamps == sorted(stamps), r
    # each reply wrote its own tail from the poll that took its request
    # (e1000_start_xmit, as in Linux): none waited for the poll's end,
    # which holds the first reply back until the whole batch is done
    batched = tail_batched(g) - batched0
    assert batched == 0, batched
    # the replies a poll sent were reaped before it unmasked (e1000_poll_reap_tx):
    # their TX-done raised no interrupt of its own; on the e1000 (one queue;
    # the others run two RSS queues here, whose TX-done rides their vector)
    if nic == "e1000":
        reaped = eth0_stat(g, "tx_done_reaped") - reaped0
        assert reaped >= runs // 2, (reaped, runs)
    head, rows = parse_trace(g.shell("trace"))
    report("journey %s (UDP echo, %d, in %d NAPI runs): %s" % (nic, n, runs, ", ".join(
        "%s p50 %d ns" % (st, rows[st][1]) for st in ["rx_napi", "rx_driver", "rx_skb", "tx_tail", "tx_done"]
        if st in rows)))
    j.poweroff()
