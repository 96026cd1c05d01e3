"""Connection storms (issue 4): repeated rounds of connection-per-request
HTTP load must not collapse the request rate, as TIME_WAIT build-up made
Unikraft's lwIP port fall from 5,303 to 193 requests/s over repeated wrk
runs.

Each NIC model boots in a namespace of the test's own (netns.TestNet), the
guest at 10.0.2.15.  Debian's wrk, inside the namespace, runs ROUNDS rounds
of ROUND_S seconds against the status page (GET /status) with a few connections
and `Connection: close`: the guest answers each request and closes first,
so every request leaves one TIME_WAIT PCB on the guest's side.  Then a
plain connect/close storm to the TCP echo service (port 7; the client
closes first there, so the guest passes through LAST_ACK, not TIME_WAIT).

After each round the guest's own views give: the TIME_WAIT connections
(/proc/net/tcp state 06), lwIP's TCP PCB pool (barenet_lwip_memp_used and
_errors_total in /proc/barenet/metrics), the configured limit (Tcp MaxConn
in /proc/net/snmp, MEMP_NUM_TCP_PCB), the resets lwIP sent (OutRsts) and
the connections its services saw aborted or reset.

Asserted, with bounds that hold on a loaded host (this is not a speed
test): no failed request, socket error or non-200 answer; no PCB
allocation failure; the last round's rate at least half the first's
(the collapse was 27x); TIME_WAIT never above the limit; and, once the
traffic stops, the pool back where it started within TIME_WAIT's length
(2 * TCP_MSL, read from lwipopts.h) plus a margin for lwIP's 500 ms timer.
BARENET_QUICK=1 (make test) runs fewer, shorter rounds and leaves out the
drain (a minute of waiting per model, which kept make test over its 15
minutes); a plain run checks it on every model.
"""
import errno
import json
import os
import re
import time

import pytest

import netns
from harness import EXIT_OK, ROOT, report
from netobs import parse_metrics
from netparse import parse_snmp, parse_sockets

NICS = ["e1000", "e1000e", "igb"]
QUICK = os.environ.get("BARENET_QUICK") == "1"
GUEST = netns.GUEST4
APPEND = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
ROUNDS = 3 if QUICK else 5
# make test's rounds: ~7,000 requests in 2 s fill the 256 PCBs with
# TIME_WAIT within the first 0.1 s, as 3 s did (the test holds the
# machine ALONE: each second here is a second of make test)
ROUND_S = 2 if QUICK else 5
CONNS = 4                       # wrk -c: a few concurrent connections
ECHO_PORT = 7
ECHO_MAX = 20000                # connect/close storm: at most this many...
ECHO_S = 2 if QUICK else 5      # ...or this many seconds
REUSE_N = 20                    # GETs from one client port, back to back
REUSE_CLIENT_PORT = 61000           # above Linux's ephemeral ports: no storm socket holds it
REUSE_TIMEOUT_S = 5             # a SYN meeting TIME_WAIT used to wait 60 s
TCP_LINE_WIDTH = 149            # /proc/net/tcp's padded lines
TIME_WAIT = 6                   # Linux's TCP_TIME_WAIT, the st column
USER_HZ = 100                   # the clock_t of /proc/net/tcp's tm->when
SLOW_TIMER_S = 0.5              # lwIP's TCP_SLOW_INTERVAL: TIME_WAIT ends on a tick
DRAIN_MARGIN_S = 15             # timer ticks, shell round trips, a loaded host
LWIPOPTS = os.path.join(ROOT, "net", "lwip", "include", "lwipopts.h")


def tcp_msl_ms():
    """TCP_MSL as lwipopts.h sets it (lwIP's own default is 60000)."""
    with open(LWIPOPTS) as f:
        m = re.search(r"^#define\s+TCP_MSL\s+(\d+)UL?\b", f.read(), re.M)
    return int(m.group(1)) if m else 60000


# -- the guest's side ------------------------------------------------------
def snapshot(g):
    """The guest's TCP state: TIME_WAIT count and their longest remaining
    time, the TCP_PCB pool, the limit, resets and the services' counts."""
    _, socks = parse_sockets(g.view("cat /proc/net/tcp"), TCP_LINE_WIDTH)
    tw = [s for s in socks if s["st"] == TIME_WAIT]
    metrics = parse_metrics(g.view("cat /proc/barenet/metrics"))
    tcp = parse_snmp(g.view("cat /proc/net/snmp"))["Tcp"]

    def series(family, key, value):
        for labels, v in metrics["barenet_" + family][2]:
            if labels.get(key) == value:
                return int(v)
        raise AssertionError("%s{%s=%r} missing" % (family, key, value))

    return {
        "time_wait": len(tw),
        "tw_when_max": max((s["when"] for s in tw), default=0),
        "pcb_used": series("lwip_memp_used", "pool", "TCP_PCB"),
        "pcb_errors": series("lwip_memp_errors_total", "pool", "TCP_PCB"),
        "max_conn": tcp["MaxConn"],
        "tw_reused": int(metrics["barenet_tcp_timewait_reused_total"][2][0][1]),
        "out_rsts": tcp["OutRsts"],
        "attempt_fails": tcp["AttemptFails"],
        "http_accepted": series("service_tcp_accepted_total", "service", "http"),
        "http_aborted": series("service_tcp_aborted_total", "service", "http"),
        "echo_accepted": series("service_tcp_accepted_total", "service", "echo"),
        "echo_aborted": series("service_tcp_aborted_total", "service", "echo"),
    }


# -- the host's side ---------------------------------------------------------
def wrk_round(net, seconds):
    """One wrk run; its requests, rate and every error it counts."""
    r = net.run(["wrk", "-t1", "-c%d" % CONNS, "-d%ds" % seconds, "--timeout", "5s",
                 "-H", "Connection: close", "http://%s/" % GUEST], timeout=seconds + 60)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    m = re.search(r"^\s*(\d+) requests in ([\d.]+)(m?s)", out, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    assert m and rate, out
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": int(m.group(1)), "rate": float(rate.group(1)),
        "socket_errors": [int(x) for x in sock.groups()] if sock else [0, 0, 0, 0],
        "non2xx": int(non2xx.group(1)) if non2xx else 0, "out": out,
    }


# runs inside the namespace: connect, close, as fast as one thread can
ECHO_STORM = r"""
import json, socket, sys, time
host, port, limit, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
ok, failed, errors = 0, 0, {}
t0 = time.monotonic()
while ok + failed < limit and time.monotonic() - t0 < seconds:
    s = socket.socket()
    s.settimeout(5)
    try:
        s.connect((host, port))
        ok += 1
    except OSError as e:
        failed += 1
        errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
    finally:
        s.close()
print(json.dumps({"ok": ok, "failed": failed, "errors": errors,
                  "seconds": time.monotonic() - t0}))
"""


def port_reuse(net, n):
    """n GETs of /status one after another from REUSE_CLIENT_PORT, each
    one's 4-tuple still in TIME_WAIT on the guest: [ok, seconds, error]."""
    out = []
    for _ in range(n):
        # our own previous socket on the port may still wait for the
        # guest's last ACK (LAST_ACK): until it is gone connect() fails at
        # once with EADDRNOTAVAIL, before sending anything
        deadline = time.monotonic() + 2
        while True:
            t = time.monotonic()
            try:
                data = net.http_get(GUEST, "/status", REUSE_TIMEOUT_S, sport=REUSE_CLIENT_PORT,
                                    reuse=True)
                out.append([data.startswith(b"HTTP/1.0 200 "), time.monotonic() - t, ""])
            except OSError as e:
                if e.errno == errno.EADDRNOTAVAIL and time.monotonic() < deadline:
                    time.sleep(0.01)
                    continue
                out.append([False, time.monotonic() - t, repr(e)])
            break
    return out


def echo_storm(net, seconds):
    r = net.python(ECHO_STORM, GUEST, ECHO_PORT, ECHO_MAX, seconds, timeout=seconds + 60)
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["rate"] = res["ok"] / res["seconds"]
    return res


def wait_reachable(net, timeout=30):
    """The link may come up after `ready` (igb), and lwIP routes TCP only
    once it knows the carrier: wait until the echo service answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = net.run(["nc", "-z", "-w", "1", GUEST, str(ECHO_PORT)], timeout=10)
        if r.returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("echo port not reachable in %d s" % timeout)


def settle(g, before, key, want, timeout=10):
    """Re-read the guest until snapshot[key] - before[key] == want (the
    last connections' FINs may still be in flight); the last snapshot."""
    deadline = time.monotonic() + timeout
    while True:
        snap = snapshot(g)
        if snap[key] - before[key] == want or time.monotonic() > deadline:
            return snap
        time.sleep(0.5)


def line(name, x):
    return ("storm %s: %-6s %6d req %8.1f/s  errors %d  TIME_WAIT %3d  TCP_PCB %3d/%d "
            "err %d  OutRsts +%d AttemptFails +%d"
            % (x["nic"], name, x["requests"], x["rate"], x["errors"], x["time_wait"],
               x["pcb_used"], x["max_conn"], x["pcb_errors"], x["rsts"], x["fails"]))


# make test runs e1000's (it holds the host alone for ~14 s); e1000e's runs
# in make test-full, and igb's too (conftest.py: TEST_FULL_ONLY)
STORM_NICS = [pytest.param(n, marks=pytest.mark.slow) if n == "e1000e" else n for n in NICS]


@pytest.mark.parametrize("nic", STORM_NICS)
def test_connection_storm(testnet, kernel, nic):
    net = testnet
    g = net.guest("storm-" + nic, nic=nic, append=APPEND)
    g.wait_for(r"barenet: ready in", timeout=60)
    g.wait_prompt(30)
    wait_reachable(net)
    msl_s = tcp_msl_ms() / 1000.0
    start = snapshot(g)
    limit = start["max_conn"]
    assert limit > CONNS, start

    rows = []
    prev = start
    for n in range(ROUNDS):
        w = wrk_round(net, ROUND_S)
        snap = snapshot(g)
        rows.append(dict(snap, nic=nic, requests=w["requests"], rate=w["rate"],
                         errors=sum(w["socket_errors"]) + w["non2xx"],
                         rsts=snap["out_rsts"] - prev["out_rsts"],
                         fails=snap["attempt_fails"] - prev["attempt_fails"], wrk=w))
        report(line("wrk %d" % (n + 1), rows[-1]))
        prev = snap
    e = echo_storm(net, ECHO_S)
    snap = settle(g, prev, "echo_accepted", e["ok"])
    echo = dict(snap, nic=nic, requests=e["ok"], rate=e["rate"], errors=e["failed"],
                rsts=snap["out_rsts"] - prev["out_rsts"],
                fails=snap["attempt_fails"] - prev["attempt_fails"])
    report(line("echo", echo))
    # a client port that comes round while the guest holds its previous
    # connection in TIME_WAIT (RFC 1122 4.2.2.13: the new SYN reopens it)
    reuse = port_reuse(net, REUSE_N)
    last_traffic = time.monotonic()
    after_reuse = snapshot(g)
    report("storm %s: port reuse %d GETs from port %d: %d ok, slowest %.3f s, "
           "TIME_WAIT reopened %d" % (nic, REUSE_N, REUSE_CLIENT_PORT,
                                      sum(1 for x in reuse if x[0]),
                                      max(x[1] for x in reuse),
                                      after_reuse["tw_reused"] - echo["tw_reused"]))

    for x in rows:
        w = x["wrk"]
        assert x["requests"] > 0, w["out"]
        assert x["errors"] == 0, w["out"]
        assert x["pcb_errors"] == 0, x
        # no reset either way: the service saw none (tcp_err), lwIP sent
        # none.  (lwIP counts every orderly close among EstabResets, so
        # that counter says nothing here.)
        assert x["http_aborted"] == start["http_aborted"], x
        assert x["rsts"] == 0 and x["fails"] == 0, x
        assert x["time_wait"] <= limit and x["pcb_used"] <= limit, x
        # a TIME_WAIT entry never has more than 2 * MSL left
        assert x["tw_when_max"] <= 2 * msl_s * USER_HZ, x
    # one connection per request: the pool filled with TIME_WAIT and was
    # recycled, far more requests than PCBs
    assert sum(x["requests"] for x in rows) > limit, rows
    assert rows[-1]["rate"] >= rows[0]["rate"] / 2, [x["rate"] for x in rows]
    assert echo["errors"] == 0, e
    assert echo["echo_accepted"] - prev["echo_accepted"] == e["ok"], (e, echo)
    assert echo["echo_aborted"] == start["echo_aborted"], echo
    assert echo["rsts"] == 0 and echo["fails"] == 0, echo
    assert echo["pcb_errors"] == 0, echo

    assert all(ok for ok, _, _ in reuse), reuse
    # the first GET may or may not meet an old TIME_WAIT; each later one does
    assert after_reuse["tw_reused"] - echo["tw_reused"] >= REUSE_N - 1, after_reuse
    assert after_reuse["out_rsts"] == echo["out_rsts"], after_reuse
    assert after_reuse["http_aborted"] == start["http_aborted"], after_reuse

    if not QUICK:
        # TIME_WAIT lasts 2 * MSL from the last ACK; the pool drains then
        deadline = last_traffic + 2 * msl_s + DRAIN_MARGIN_S
        while True:
            snap = snapshot(g)
            if snap["time_wait"] == 0 and snap["pcb_used"] == start["pcb_used"]:
                break
            assert time.monotonic() < deadline, (
                "not drained %.0f s after the traffic (2*MSL %.0f s): %s"
                % (time.monotonic() - last_traffic, 2 * msl_s, snap))
            time.sleep(5)
        drained = time.monotonic() - last_traffic
        report("storm %s: drained to %d TCP_PCB (start %d) %.0f s after the traffic "
               "(2*MSL = %.0f s)" % (nic, snap["pcb_used"], start["pcb_used"], drained,
                                     2 * msl_s))
        assert snap["pcb_errors"] == 0, snap

    g.send("poweroff\r")
    assert g.wait_exit(30) == EXIT_OK, g.output[-3000:]
