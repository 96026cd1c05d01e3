"""The dashboard at http://<guest>/: the HTML page, its script and uPlot's
files served from the image byte for byte, /api/stats.json and
/api/views; the page rendered in headless Chromium while UDP echo traffic
runs through the forward, checked from the page (samples taken, every
chart fed and moving, the rates of what we sent > 0, a link for every
view, no script error) with a screenshot kept in build/test-logs/; and
/metrics scraped by a real Prometheus server whose rate() of the received
frames is > 0 after the traffic.

One guest (e1000, QEMU user networking, forwards on 127.0.0.1 only) for
the module; trace.sample=3 so that the journey has records (an odd N:
the sampler takes every Nth frame, and UDP echo alternates received and
sent frames, so an even N would sample only one kind).  Chromium and
Prometheus are started by this test and killed by their PIDs."""
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import pytest

import harness

from browser import Browser, CHROMIUM
from harness import BUILD, EXIT_OK, LOGDIR, ROOT, Guest, report
from netobs import MAC, free_port, parse_metrics

UPLOT = os.path.join(BUILD, "deps", "uplot-1.6.32")
WWW = os.path.join(ROOT, "net", "services", "www")
PROMETHEUS = shutil.which("prometheus")
# a bounded load: BURST datagrams every PACE_S (at most 3,200/s), at most
# LOAD_MAX in one call
LOAD_MAX = 60000
BURST = 32
PACE_S = 0.01


@pytest.fixture(scope="module")
def dash(kernel):
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    fwd = "hostfwd=tcp:127.0.0.1:%d-:80,hostfwd=udp:127.0.0.1:%d-:7" % (http_port, udp_port)
    extra = ["-netdev", "user,id=n0," + fwd,
             "-device", "e1000,netdev=n0,mac=%s,romfile=" % MAC]
    with Guest("dashboard", append="trace.sample=3", extra=extra) as g:
        g.wait_for(r"net: eth0 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp\)\n", timeout=60)
        g.wait_prompt(30)
        g.http_port, g.udp_port = http_port, udp_port
        yield g
        g.send("poweroff\r")
        assert g.wait_exit(30) == EXIT_OK


def get(g, path, method="GET"):
    c = http.client.HTTPConnection("127.0.0.1", g.http_port, timeout=30)
    c.request(method, path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body


def udp_load(g, seconds, stop=None):
    """UDP echo through the forward for `seconds` (or until the event stop
    is set), paced: BURST datagrams every PACE_S (at most LOAD_MAX in all),
    each burst's echoes read back; returns (sent, echoed, elapsed seconds)"""
    sent = echoed = 0
    start = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        u.settimeout(0.2)
        while time.monotonic() < start + seconds and sent < LOAD_MAX and \
                not (stop and stop.is_set()):
            t = time.monotonic()
            for i in range(BURST):
                u.sendto(b"dashboard %d" % (sent + i), ("127.0.0.1", g.udp_port))
            sent += BURST
            try:
                for _ in range(BURST):
                    u.recvfrom(2048)
                    echoed += 1
            except socket.timeout:
                pass
            time.sleep(max(0.0, PACE_S - (time.monotonic() - t)))
    return sent, echoed, time.monotonic() - start


# --- the files, the API ------------------------------------------------------

@pytest.mark.parametrize("path,local,ctype", [
    ("/", os.path.join(WWW, "index.html"), "text/html; charset=utf-8"),
    ("/dashboard.js", os.path.join(WWW, "dashboard.js"), "text/javascript; charset=utf-8"),
    ("/uplot.min.js", os.path.join(UPLOT, "uPlot.iife.min.js"), "text/javascript; charset=utf-8"),
    ("/uplot.min.css", os.path.join(UPLOT, "uPlot.min.css"), "text/css; charset=utf-8"),
])
def test_static_files_byte_for_byte(dash, path, local, ctype):
    with open(local, "rb") as f:
        want = f.read()
    code, headers, body = get(dash, path)
    assert code == 200
    assert headers["content-type"] == ctype
    assert int(headers["content-length"]) == len(want) == len(body)
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(want).hexdigest()
    code, headers, body = get(dash, path, "HEAD")
    assert code == 200 and body == b"" and int(headers["content-length"]) == len(want)


def test_large_body_to_parallel_slow_readers(dash):
    """uPlot's ~50 KB, to 4 clients at once that read 4 KB at a time with
    pauses: every copy whole.  (The server writes as the send buffer allows
    and goes on from tcp_sent; 50 KB fits in TCP_SND_BUF, 64 x 1460, so
    here it goes out in one pass.)"""
    with open(os.path.join(UPLOT, "uPlot.iife.min.js"), "rb") as f:
        want = f.read()
    assert len(want) > 40000
    socks = []
    for _ in range(4):
        s = socket.create_connection(("127.0.0.1", dash.http_port), timeout=30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"GET /uplot.min.js HTTP/1.0\r\n\r\n")
        socks.append([s, b"", False])
    deadline = time.monotonic() + 60
    while not all(done for _, _, done in socks):
        assert time.monotonic() < deadline, [len(d) for _, d, _ in socks]
        for entry in socks:
            if entry[2]:
                continue
            chunk = entry[0].recv(4096)
            if chunk:
                entry[1] += chunk
            else:
                entry[2] = True
                entry[0].close()
        time.sleep(0.01)
    for _, data, _ in socks:
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200 OK"), head
        assert body == want, (len(body), len(want))
    # a rendered body of the same order (the journey ring full: 1024
    # records), whole
    udp_load(dash, 3)
    code, headers, body = get(dash, "/trace.csv")
    assert code == 200 and len(body) == int(headers["content-length"]) > 50000
    assert body.count(b"\n") == 1025, body.count(b"\n")


def test_stats_json(dash):
    code, headers, body = get(dash, "/api/stats.json")
    assert code == 200 and headers["content-type"] == "application/json"
    s = json.loads(body)
    # one entry per CPU the guest brought up (harness.DEFAULT_SMP: 2 since
    # issue 13; the test said 1 and failed make test after that merge)
    n = harness.DEFAULT_SMP
    assert s["v"] == 1 and s["cpus"] == n and list(s["cpu"]) == [str(i) for i in range(n)], s
    for cpu in s["cpu"].values():
        for key in ("nic_irqs", "net_rx_softirqs", "processed", "time_squeeze", "backlog_drops"):
            assert isinstance(cpu[key], int), key
    eth0 = s["dev"]["eth0"]
    for key in ("irqs", "napi_polls", "rx_packets", "tx_packets", "rx_dropped", "rx_missed",
                "tx_dropped", "rx_ring_size", "rx_ring_ready", "tx_ring_size", "tx_ring_used",
                "rx_pool_size", "rx_pool_free", "rx_pool_lent"):
        assert isinstance(eth0[key], int), key
    assert eth0["rx_ring_size"] == eth0["tx_ring_size"] == 256
    assert 0 <= eth0["rx_ring_ready"] < eth0["rx_ring_size"]
    assert eth0["rx_pool_free"] + eth0["rx_pool_lent"] <= eth0["rx_pool_size"]
    # the counters move with traffic: the NIC's interrupts and frames, NET_RX
    sent, echoed, _ = udp_load(dash, 2)
    assert echoed > 0
    s2 = json.loads(get(dash, "/api/stats.json")[2])
    assert s2["uptime_ns"] > s["uptime_ns"]
    assert s2["dev"]["eth0"]["rx_packets"] - eth0["rx_packets"] >= echoed
    assert s2["dev"]["eth0"]["tx_packets"] - eth0["tx_packets"] >= echoed

    def total(stats, key):
        return sum(cpu[key] for cpu in stats["cpu"].values())

    assert total(s2, "nic_irqs") > total(s, "nic_irqs")
    assert total(s2, "net_rx_softirqs") > total(s, "net_rx_softirqs")
    assert s2["dev"]["eth0"]["napi_polls"] > eth0["napi_polls"]
    # the NIC's vector is the only NIC vector: its count is the driver's
    assert s2["cpu"]["0"]["nic_irqs"] >= s2["dev"]["eth0"]["irqs"]
    # the journey: the stages of the trace table, and their total
    j = s2["journey"]
    assert j["sample"] == 3 and j["records"] > 0
    count = dict((st["name"], st["count"]) for st in j["stages"])
    assert list(count)[-1] == "total" and 0 < count["total"] <= j["records"]
    # both directions sampled: the driver's and the application's stages
    for name in ("rx_napi", "rx_driver", "rx_app", "tx_queue", "tx_tail", "tx_done"):
        assert count[name] > 0, (name, count)
    for st in j["stages"]:
        if st["count"]:
            assert st["p50_ns"] <= st["p90_ns"] <= st["p99_ns"] <= st["max_ns"], st


def test_views_index_lists_every_view_and_each_answers(dash):
    code, headers, body = get(dash, "/api/views")
    assert code == 200
    paths = body.decode().split("\n")[:-1]
    for want in ("/proc/interrupts", "/proc/softirqs", "/proc/net/softnet_stat",
                 "/proc/barenet/metrics", "/proc/barenet/stats.json",
                 "/sys/class/net/eth0/statistics/rx_packets", "/sys/class/net/lo/statistics/rx_packets"):
        assert want in paths, want
    assert len(paths) == len(set(paths))
    bad = [(p, c) for p in paths for c in [get(dash, p, "HEAD")[0]] if c != 200]
    assert not bad, bad


# --- the page in a browser ---------------------------------------------------

def chart_state(b):
    return b.evaluate("JSON.stringify(window.barenet)")


@pytest.mark.skipif(not CHROMIUM, reason="chromium not installed (Debian package chromium; "
                    "make deps installs it)")
def test_page_in_chromium(dash, tmp_path):
    shot = os.path.join(LOGDIR, "dashboard-e1000.png")
    if os.path.exists(shot):
        os.unlink(shot)
    views = get(dash, "/api/views")[2].decode().split("\n")[:-1]
    with Browser(tmp_path, width=1280, height=900,
                 log=os.path.join(LOGDIR, "dashboard-chromium.log")) as b:
        b.open("http://127.0.0.1:%d/" % dash.http_port)
        b.wait_for("window.barenet && window.barenet.samples >= 2", 60)
        sent, echoed, took = udp_load(dash, 12)
        assert echoed > 0
        rate = echoed / took
        b.wait_for("window.barenet.samples >= 8", 60)
        s1 = json.loads(chart_state(b))
        b.wait_for("window.barenet.samples >= %d" % (s1["samples"] + 2), 60)
        s2 = json.loads(chart_state(b))
        b.screenshot(shot)
        # every chart fed, its time axis moving on
        assert set(s2["charts"]) == {"irqs", "frames", "drops", "fill", "latency"}
        for cid, c in s2["charts"].items():
            assert c["points"] >= 5, (cid, c)
            assert c["xmax"] > s1["charts"][cid]["xmax"], (cid, c, s1["charts"][cid])
        # the rates of what we sent: datagrams in and echoes out, the NIC's
        # interrupts, NET_RX and NAPI polls
        m = s2["charts"]["irqs"]["max"]
        assert m["NIC interrupts cpu0"] > 0 and m["NET_RX softirqs cpu0"] > 0, m
        assert m["NAPI polls eth0"] > 0, m
        fr = s2["charts"]["frames"]["max"]
        assert fr["rx eth0"] >= rate / 3 and fr["tx eth0"] >= rate / 3, (fr, rate)
        assert s2["charts"]["latency"]["max"]["total p50"] > 0
        # each chart is a drawn canvas the size of its card
        sizes = b.evaluate("Array.from(document.querySelectorAll('.chart canvas'))"
                           ".map(c => [c.width, c.height])")
        assert len(sizes) == 6 and all(w >= 300 and h >= 100 for w, h in sizes), sizes
        assert int(b.evaluate("document.getElementById('journey-bars').dataset.stages")) >= 5
        # the DOM mirrors the state: data-samples, data-points
        assert int(b.evaluate("document.body.dataset.samples")) >= s2["samples"]
        assert int(b.evaluate("document.getElementById('chart-frames').dataset.points")) >= 5
        # a link for every view, and /metrics, /status
        links = b.evaluate("Array.from(document.querySelectorAll('#view-links a'))"
                           ".map(a => new URL(a.href).pathname)")
        assert sorted(links) == sorted(views)
        top = b.evaluate("Array.from(document.querySelectorAll('a')).map(a => new URL(a.href).pathname)")
        assert "/metrics" in top and "/status" in top
        assert b.exceptions == [], b.exceptions
        assert s2["errors"] == 0, s2
    with open(shot, "rb") as f:
        png = f.read()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20000
    report("dashboard: %d samples, rx %.0f/s at most while echoing %.0f/s; screenshot %s"
           % (s2["samples"], fr["rx eth0"], rate, os.path.relpath(shot, ROOT)))


# --- Prometheus ---------------------------------------------------------------

def prom_query(port, q):
    url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": q}))
    with urllib.request.urlopen(url, timeout=10) as r:
        ans = json.loads(r.read())
    assert ans["status"] == "success", ans
    return ans["data"]["result"]


@pytest.mark.skipif(not PROMETHEUS, reason="prometheus not installed (Debian package "
                    "prometheus; make deps installs it)")
def test_prometheus_scrapes_a_rate(dash):
    # /metrics parses as the exposition format first
    assert "barenet_net_dev_rx_packets_total" in parse_metrics(get(dash, "/metrics")[2].decode())
    work = tempfile.mkdtemp(prefix="barenet-prom-")
    port = free_port()
    conf = os.path.join(work, "prometheus.yml")
    with open(conf, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: barenet\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % dash.http_port)
    log = open(os.path.join(LOGDIR, "dashboard-prometheus.log"), "wb")
    # proxies from the environment must not carry a scrape elsewhere
    env = dict((k, v) for k, v in os.environ.items() if "proxy" not in k.lower())
    prom = subprocess.Popen([PROMETHEUS, "--config.file=" + conf,
                             "--storage.tsdb.path=" + os.path.join(work, "data"),
                             "--web.listen-address=127.0.0.1:%d" % port],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            env=env, start_new_session=True)
    stop, load = threading.Event(), []
    try:
        deadline = time.monotonic() + 90
        while True:
            assert prom.poll() is None, "prometheus exited: see build/test-logs/dashboard-prometheus.log"
            try:
                up = prom_query(port, 'up{job="barenet"}')
                if up and up[0]["value"][1] == "1":
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the target never came up"
            time.sleep(1)
        # the echo load runs until the rates are seen (a rate needs two
        # scrapes 1 s apart that saw it), at most LOAD_MAX datagrams
        loader = threading.Thread(target=lambda: load.append(udp_load(dash, 60, stop)),
                                  daemon=True)
        loader.start()
        q = 'rate(barenet_net_dev_rx_packets_total{dev="eth0"}[30s])'
        qi = 'sum(rate(barenet_interrupts_total{name="eth0"}[30s]))'
        deadline = time.monotonic() + 45
        while True:
            res, irq = prom_query(port, q), prom_query(port, qi)
            if res and float(res[0]["value"][1]) > 0 and irq and float(irq[0]["value"][1]) > 0:
                break
            assert time.monotonic() < deadline, (res, irq)
            time.sleep(0.5)
        stop.set()
        loader.join(30)
        sent, echoed, took = load[0]
        assert echoed > 0
        rx_rate = float(res[0]["value"][1])
        report("prometheus: rate(rx_packets eth0) %.1f/s, eth0 interrupts %.1f/s while echoing"
               " %.0f/s" % (rx_rate, float(irq[0]["value"][1]), echoed / took))
    finally:
        stop.set()
        try:
            os.kill(prom.pid, signal.SIGTERM)
            prom.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(prom.pid, signal.SIGKILL)
            prom.wait(10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
