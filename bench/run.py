"""make bench: barenet and a Linux guest on the same emulated NIC.

For each NIC model and interrupt mode, both guests boot in the same QEMU
(same binary, machine, -m, accelerator, NIC model with the same MAC) inside
a network namespace of this run's own with a tap (tests/qemu/netns.py), and
the same host tools measure them from the namespace:

  boot_to_ping   QEMU start to the first ICMP echo reply (raw socket, one
                 request every 10 ms from before QEMU starts; the guest's
                 MAC is a static neighbour, so no ARP wait on the host side)
  rtt p50/p99    `ping -i 0.01`, the per-reply times
  udp echo       our own client (udp_echo below): N requests in flight, a
                 new one sent for each reply, for a fixed time; replies/s
  tcp            iperf 2 -r: host->guest, then the guest connects back
                 (guest->host); lwiperf only answers a tradeoff test that
                 way (no -R), so the Linux guest gets the same -r
  irq/frame      a UDP flood to discard (udp/9): NIC hard IRQs
                 (/proc/interrupts, eth0 rows) / eth0 rx_packets
  min -m         bisection over MEM_STEPS; "serves" = first ping, a UDP
                 echo and a 1 s iperf -c all answered
  image size     barenet: the stripped ELF; Linux: vmlinuz + initrd
  load sweep     paced UDP to discard at LOAD_STEPS pps; per step, from
                 guest counter deltas over the step: NIC interrupts/s,
                 frames received/s (eth0 rx_packets), CPU busy
                 (/proc/stat); barenet NAPI on and napi=off, Linux (NAPI)
                 for reference; gnuplot PNG

Interrupt modes: every mode barenet offers on a model (benchlib.MODEL_MODES:
e1000 INTx; e1000e and igb MSI-X, MSI, INTx), barenet told with irqmode=,
Linux with pci=nomsi or e1000e's IntMode= where it can be told
(benchlib.linux_mode_args; otherwise its cells are n/a with the reason).
The mode each guest really used is read back (/proc/interrupts; MSI vs
MSI-X from Linux's msi_irqs in sysfs and barenet's probe line).  The
expensive cells (UDP echo matrix, iperf, -m search, image size) run once
per model, in its default mode (the first of MODEL_MODES); the cells an
interrupt mode changes (first ping, RTT, IRQs per frame, the load sweep,
napi=off) run in every mode.

The socket API (measure_sock): in the default mode, barenet with 1 and
with 2 CPUs boots once more with tests/apps/sockbench.c as its application
(built by `make app-kernel`, tests/qemu/apps.py) and the same UDP echo
client measures the kernel's callback echo (udp/7) and the application's
recvfrom/sendto loop (udp/7007) back to back, cell by cell, alternating
BENCH_SOCK_ROUNDS times (default 3; 1 with BENCH_QUICK) and keeping each
side's median; TCP: lwiperf's
tradeoff test, then `iperf -c` to the application's sink and its source
writing to the host's `iperf -s`.  Each cell: callback, socket, ratio.

Environment: BENCH_MODELS (default "e1000 e1000e igb"), BENCH_MODES
(default: every mode of each model; a subset of msix msi intx, or
"default": each model's default mode only), BENCH_BEFORE=ELF (an older
barenet image measured with 1 CPU right before this build on each model,
the full cells, in the same mode as this build's beside it: the run's first
mode, the model's default unless BENCH_MODES says otherwise; the "now
against before" table names it; then BENCH_BEFORE_ROUNDS - 1, default 2,
light boots of each image, alternating, whose medians with the full boot's
give that table's RTT and UDP echo 1 and 8 in flight rows), BENCH_QUICK=1
(short counts), BENCH_OUT (default bench/results), BARENET_ACCEL,
BENCH_ONLY=sock (only the socket API cells: no Linux guest, no idle,
mode or load cells), BENCH_ONLY=scaling (only the scaling table,
bench/scaling.py: igb and e1000 with 1, 2 and 4 vCPUs, RSS vs RPS vs one
CPU; a full run ends with it unless BENCH_SCALING=0), BENCH_ONLY=tcp (bench/tcp.py: only TCP both
ways with barenet's offloads on and off next to Linux, with where the time
goes).
Writes <date>-<model>.{md,json}, <date>-<model>-<mode>-load.{dat,png} and
latest.md (the summary of the models of this run).
Needs root (namespaces, tap, raw ICMP socket)."""
import datetime
import json
import os
import platform
import re
import select
import socket
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import apps  # noqa: E402
import harness  # noqa: E402
import netns  # noqa: E402
import netobs  # noqa: E402
import benchlib  # noqa: E402
import scaling  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
# BENCH_ONLY=sock: only the socket API cells (measure_sock), in each
# model's default mode, barenet with 1 and 2 CPUs; no Linux guest
SOCK_ONLY = os.environ.get("BENCH_ONLY") == "sock"
SCALING_ONLY = os.environ.get("BENCH_ONLY") == "scaling"
LINUX_DIR = os.path.join(ROOT, "build", "bench", "linux")
GUEST = netns.GUEST4
MAC = harness.DEFAULT_MAC
MEM = 256                       # MiB, both guests, for everything but the -m search
MEM_STEPS = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]
ECHO_PORT, DISCARD_PORT, IPERF_PORT = 7, 9, 5001
# the socket API's counterparts (tests/apps/sockbench.c)
SOCK_APP = "tests/apps/sockbench.c"
# BENCH_BEFORE=ELF: an older barenet image measured (1 CPU, full cells,
# the run's first mode: the one this build's full cells are measured in)
# right before this build on each model, for the "now against before"
# table (benchlib.before_table, which names the mode)
BEFORE = os.environ.get("BENCH_BEFORE")
# BENCH_BEFORE_ROUNDS: boots of each image for the before table's light
# cells (benchlib.ROUND_KEYS), the full one included: after the full
# before and now boots, BEFORE_ROUNDS - 1 light boots of each, alternating
BEFORE_ROUNDS = int(os.environ.get("BENCH_BEFORE_ROUNDS", "3"))
SOCK_UDP_PORT, SOCK_SINK_PORT, SOCK_SOURCE_PORT = 7007, 5002, 5003

PINGS = 100 if QUICK else 1000
UDP_SECONDS = 1.5 if QUICK else 3.0
# the socket API's UDP cells: callback and socket alternate this many times
# in one boot, each side's median kept (the host's load drifts within a
# boot; single runs of one tree differ by more than 0.1: docs/BENCHMARKS.md)
SOCK_ROUNDS = 1 if QUICK else int(os.environ.get("BENCH_SOCK_ROUNDS", "3"))
IPERF_SECONDS = 2 if QUICK else 5
FLOOD_FRAMES = 5000 if QUICK else 20000
LOAD_STEPS = [500, 2000, 8000, 20000] if QUICK else [500, 1000, 2000, 5000, 10000, 20000, 40000]
LOAD_SECONDS = 1.5 if QUICK else 2.0


def log(msg):
    print("bench: " + msg, flush=True)


# -- the two guests --------------------------------------------------------------
class BenchGuest:
    """One guest (kind barenet or linux) in net, on a NIC of model in an
    interrupt mode, with its shell reachable over the serial console
    (cmd())."""

    def __init__(self, net, kind, model, mode, mem=MEM, extra="", name=None, smp=1,
                 kernel=benchlib.KERNEL):
        self.kind, self.net = kind, net
        name = name or "bench-%s-%s-%s%s" % (kind, model, mode, "" if smp == 1 else "-%dcpu" % smp)
        if kind == "barenet":
            append = "ip=%s/%d,%s irqmode=%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4, mode)
            self.g = net.guest(name, nic=model, mac=MAC, mem=mem, smp=smp, kernel=kernel,
                               append=(append + " " + extra).strip())
        else:
            args, why = benchlib.linux_mode_args(model, mode)
            if args is None:
                raise ValueError(why)
            append = "console=ttyS0 quiet loglevel=3 panic=-1 bn_ip=%s/%d bn_nic=%s" % (
                GUEST, netns.PREFIXLEN4, model) + args
            self.g = net.guest(name, nic=model, mac=MAC, mem=mem, debug_exit=False, smp=smp,
                               kernel=os.path.join(LINUX_DIR, "vmlinuz"),
                               append=(append + " " + extra).strip(),
                               extra=["-initrd", os.path.join(LINUX_DIR, "initrd.cpio.gz")])
        self.start = self.g.start_time
        self._marks = 0

    def wait_ready(self, timeout):
        if self.kind == "barenet":
            self.g.wait_for(r"barenet: ready in", timeout)
            self.g.wait_prompt(timeout)
        else:
            self.g.wait_for(r"bench-linux: ready", timeout)

    def cmd(self, line, timeout=30):
        """Run a shell command on the serial console; its output."""
        if self.kind == "barenet":
            return self.g.shell(line, timeout)
        self._marks += 1
        n = self._marks
        start = len(self.g.output)
        # markers printed before and after; the quotes keep the typed line
        # (which the tty echoes, and may echo in pieces) from matching them
        self.g.send('echo "@@beg"-%d; %s; echo "@@end"-%d\n' % (n, line, n))
        beg = self.g.wait_for(r"^@@beg-%d\n" % n, timeout, start).end()
        end = self.g.wait_for(r"^@@end-%d$" % n, timeout, beg)
        return self.g.output[beg:end.start()]

    def cat(self, path):
        return self.cmd("cat " + path)

    def irq_mode(self):
        """(mode, evidence): the interrupt mode the guest really runs eth0
        in (benchlib.irq_mode_readback)."""
        interrupts = self.cat("/proc/interrupts")
        if self.kind == "barenet":
            kind = benchlib.barenet_irq_kind(self.cmd("dmesg")) or \
                benchlib.barenet_irq_kind(self.g.output)
            kinds = [kind] if kind in ("msi", "msix") else []
        else:
            kinds = benchlib.msi_kinds(self.cmd(
                'for f in /sys/class/net/eth0/device/msi_irqs/*; do '
                '[ -f "$f" ] && echo "${f##*/} $(cat "$f")"; done'))
        return benchlib.irq_mode_readback(interrupts, kinds)


# -- host side tools, inside the namespace ---------------------------------------
def first_ping(net, bg, timeout):
    """Seconds from QEMU's start to the first echo reply from the guest
    (requests every 10 ms, the guest's output pumped meanwhile)."""
    with net.entered():
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setblocking(False)
    ident, seq = os.getpid() & 0xffff, 0
    deadline = bg.start + timeout
    next_send = 0.0
    try:
        while time.monotonic() < deadline:
            now = time.monotonic()
            if now >= next_send:
                seq = (seq + 1) & 0xffff
                try:
                    s.sendto(netobs.icmp_echo_request(ident, seq, b"bench"), (GUEST, 0))
                except OSError:
                    pass        # tap not up yet (QEMU has not opened it)
                next_send = now + 0.01
            r, _, _ = select.select([s, bg.g.proc.stdout], [], [], 0.005)
            if bg.g.proc.stdout in r:
                bg.g._pump(0)
            if s in r:
                data, addr = s.recvfrom(2048)
                if addr[0] == GUEST and netobs.icmp_echo_reply_id(data) == ident:
                    return time.monotonic() - bg.start
            if bg.g.proc.poll() is not None:
                return None
    finally:
        s.close()
    return None


def wait_udp_echo(net, timeout=30, port=ECHO_PORT):
    """True once the guest's UDP echo answers (benchlib.wait_udp_echo)."""
    return benchlib.wait_udp_echo(net, GUEST, port, timeout)


def ping_rtts(net, n):
    r = net.run(["ping", "-i", "0.01", "-c", str(n), "-W", "2", GUEST], timeout=n * 0.05 + 60)
    rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", r.stdout)]
    return rtts, n - len(rtts)


def udp_echo(net, size, inflight, seconds, port=ECHO_PORT):
    """Replies/s with inflight requests outstanding: one new request per
    reply; requests unanswered for 200 ms are counted lost and replaced."""
    s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    s.connect((GUEST, port))
    pad = b"x" * max(0, size - 8)
    outstanding = {}
    seq = got = lost = 0

    def send():
        nonlocal seq
        seq += 1
        try:
            s.send(struct.pack("!Q", seq) + pad)
        except (BlockingIOError, ConnectionRefusedError):
            pass
        outstanding[seq] = time.monotonic()
    try:
        for _ in range(inflight):
            send()
        t0 = time.monotonic()
        end = t0 + seconds
        while True:
            now = time.monotonic()
            if now >= end:
                break
            r, _, _ = select.select([s], [], [], 0.02)
            if r:
                while True:
                    try:
                        data = s.recv(4096)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
                    k = struct.unpack("!Q", data[:8])[0]
                    if outstanding.pop(k, None) is not None:
                        got += 1
                        send()
            now = time.monotonic()
            for k in [k for k, t in outstanding.items() if now - t > 0.2]:
                del outstanding[k]
                lost += 1
                send()
        elapsed = time.monotonic() - t0
    finally:
        s.close()
    return got / elapsed, lost


# measurements that failed: each is said at the end, written to
# latest.md, and makes `make bench` exit 1 after everything else ran
FAILED = []


def iperf_both(net, seconds):
    """(host->guest, guest->host) Mbit/s from one `iperf -c -r -y C`; a
    client that does not finish counts in FAILED, with what it reported."""
    cmd = ["iperf", "-c", GUEST, "-t", str(seconds), "-r", "-y", "C"]
    try:
        out = net.run(cmd, timeout=2 * seconds + 90).stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout or ""
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        FAILED.append("%s: timed out after %d s (iperf 2's -r: the guest's connect-back never "
                      "finished); got: %s" % (" ".join(cmd), e.timeout, out.strip() or "nothing"))
        log(FAILED[-1])
    fwd = rev = None
    for line in out.splitlines():
        f = line.split(",")
        if len(f) < 9:
            continue
        # iperf 2 CSV: time, sender addr, port, receiver addr, port, ...
        if f[3] == GUEST:
            fwd = int(f[8]) / 1e6
        elif f[1] == GUEST:
            rev = int(f[8]) / 1e6
    return fwd, rev


def iperf_to_sink(net, seconds):
    """Mbit/s host->guest from `iperf -c` to the socket application's TCP
    sink: the client's own figure, as iperf_both's host->guest."""
    r = net.run(["iperf", "-c", GUEST, "-p", str(SOCK_SINK_PORT), "-t", str(seconds), "-y", "C"],
                timeout=seconds + 90)
    for line in r.stdout.splitlines():
        f = line.split(",")
        if len(f) >= 9 and f[3] == GUEST:
            return int(f[8]) / 1e6
    return None


def source_to_iperf(net, seconds):
    """Mbit/s guest->host: the socket application's TCP source connects to
    an `iperf -s` on the host and writes for seconds (asked over its
    control port), the listener's figure, as iperf_both's guest->host (the
    tradeoff test's listener is the same iperf server code)."""
    srv = net.popen(["stdbuf", "-oL", "iperf", "-s", "-p", str(IPERF_PORT), "-y", "C"])
    try:
        time.sleep(0.5)         # the listener is up
        c = net.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(seconds + 60)
        try:
            c.connect((GUEST, SOCK_SOURCE_PORT))
            c.sendall(b"%d %g\n" % (IPERF_PORT, seconds))
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = c.recv(100)
                if not chunk:
                    break
                answer += chunk
        finally:
            c.close()
        if not answer.startswith(b"sent "):
            return None
        # iperf's report line comes when the guest's connection has closed
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r, _, _ = select.select([srv.stdout], [], [], 0.5)
            if not r:
                continue
            f = srv.stdout.readline().strip().split(",")
            if len(f) >= 9 and f[1] == GUEST:
                return int(f[8]) / 1e6
        return None
    finally:
        srv.kill()
        srv.wait()


def udp_flood(net, port, n=None, pps=None, seconds=None):
    """Datagrams of 18 bytes to port: n as fast as possible (bounded by
    seconds), or paced at pps for seconds.  Returns (sent, elapsed)."""
    s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    sent = 0
    t0 = time.monotonic()
    limit = seconds or 30
    try:
        while True:
            el = time.monotonic() - t0
            if el >= limit or (n is not None and sent >= n):
                break
            target = n if pps is None else int(pps * el) + 1
            if sent >= target:
                time.sleep(0.0005)
                continue
            try:
                s.sendto(b"flood %11d" % sent, (GUEST, port))
                sent += 1
            except (BlockingIOError, OSError):
                time.sleep(0.0005)
    finally:
        s.close()
    return sent, time.monotonic() - t0


def counters(bg):
    """(NIC hard interrupts, eth0 rx_packets) of the guest now."""
    return (benchlib.nic_irqs(bg.cat("/proc/interrupts")),
            benchlib.net_dev(bg.cat("/proc/net/dev"))[0])


def load_sweep(net, bg):
    """Per LOAD_STEPS step: (offered pps, sent pps, NIC irqs/s, CPU busy %,
    rx frames/s, flood s, /proc/stat window s).  The rates are guest
    counter deltas over the step divided by the flood's own duration: the
    counters are read before the flood and 0.2 s after it (frames still in
    the ring get counted; the NIC is quiet while the shell reads them).
    /proc/stat is read right before and right after the flood so the busy
    share is not diluted by the idle reading time."""
    points = []
    for pps in LOAD_STEPS:
        irq0, rx0 = counters(bg)
        st0 = benchlib.parse_stat_cpu(bg.cat("/proc/stat"))
        t0 = time.monotonic()
        sent, el = udp_flood(net, DISCARD_PORT, pps=pps, seconds=LOAD_SECONDS)
        st1 = benchlib.parse_stat_cpu(bg.cat("/proc/stat"))
        window = time.monotonic() - t0
        time.sleep(0.2)
        irq1, rx1 = counters(bg)
        busy, _, _ = benchlib.cpu_busy(st0, st1)
        points.append((pps, sent / el, (irq1 - irq0) / el, 100.0 * busy, (rx1 - rx0) / el,
                       el, window))
    return points


def irq_per_frame(net, bg):
    irq0, rx0 = counters(bg)
    udp_flood(net, DISCARD_PORT, n=FLOOD_FRAMES, seconds=20)
    time.sleep(1)
    irq1, rx1 = counters(bg)
    frames = rx1 - rx0
    return ((irq1 - irq0) / frames if frames else None), irq1 - irq0, frames


# -- per guest -------------------------------------------------------------------
def pin_neighbour(net):
    net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "dev", netns.TAP,
             "nud", "permanent"], check=True)


def boot_measured(net, kind, model, mode, smp, kernel, name, cell):
    """Boot kind in net (measure()'s guest) and fill cell with its first
    ping, the build it names and the interrupt mode read back, once it
    answers the UDP echo; raises RuntimeError when it does not.  Returns
    the BenchGuest."""
    pin_neighbour(net)
    bg = BenchGuest(net, kind, model, mode, smp=smp, kernel=kernel, name=name)
    cell["boot_to_ping_s"] = first_ping(net, bg, 120)
    if cell["boot_to_ping_s"] is None:
        raise RuntimeError("%s on %s %s: no ping answered in 120 s; log %s"
                           % (kind, model, mode, bg.g.logpath))
    bg.wait_ready(120)
    if kind == "barenet":
        # what was measured: the tree the image was built from, as it
        # says at boot (not the work tree's state while the bench runs)
        cell["build"] = benchlib.image_build(bg.g.output)
    if not wait_udp_echo(net):
        raise RuntimeError("%s on %s %s: no UDP echo; log %s" % (kind, model, mode, bg.g.logpath))
    cell["mode"], cell["evidence"] = bg.irq_mode()
    return bg


def rtt_cells(net, cell):
    """PINGS pings at 10 ms: RTT p50 and p99 and the lost into cell."""
    rtts, lost = ping_rtts(net, PINGS)
    cell["rtt_p50_ms"] = benchlib.percentile(rtts, 50)
    cell["rtt_p99_ms"] = benchlib.percentile(rtts, 99)
    cell["pings"], cell["pings_lost"] = PINGS, lost


def udp_cells(net, sizes, inflight, res, extra):
    """The UDP echo, UDP_SECONDS per (size, in flight) cell: replies/s into
    res, lost requests into extra."""
    for size in sizes:
        for n in inflight:
            rate, lost = udp_echo(net, size, n, UDP_SECONDS)
            res["udp_%d_%d" % (size, n)] = rate
            extra["udp_%d_%d_lost" % (size, n)] = lost


def measure(kind, model, mode, full, smp=1, kernel=benchlib.KERNEL, napi_off=True, name=None):
    """One boot of kind on model in mode with smp CPUs: the per-mode cell
    (first ping, the mode read back, RTT, IRQs per frame, load sweep; for
    barenet, when napi_off, a second boot with napi=off) and, when full,
    the expensive results (UDP echo matrix, iperf).  kernel: the barenet
    image (BENCH_BEFORE's for the before column).  Returns (results, cell,
    extra)."""
    res, cell, extra = {}, {"cpus": smp}, {}
    with netns.TestNet() as net:
        bg = boot_measured(net, kind, model, mode, smp, kernel, name, cell)
        if kind == "linux" and cell["mode"] != mode:
            # the driver says why it fell back (e1000e: "MSI interrupt
            # test failed, using legacy interrupt.")
            said = bg.cmd("dmesg | grep -i -E 'interrupt test failed|falling back|legacy interr'")
            cell["driver_said"] = " ".join(line.split("] ", 1)[-1].strip()
                                           for line in said.strip().splitlines())
        rtt_cells(net, cell)
        if full:
            udp_cells(net, (64, 1400), (1, 8, 64), res, extra)
            res["tcp_to_guest_mbps"], res["tcp_from_guest_mbps"] = iperf_both(net, IPERF_SECONDS)
        ratio, irqs, frames = irq_per_frame(net, bg)
        cell["irq_per_rx_frame"] = ratio
        cell["flood"] = {"irqs": irqs, "frames": frames, "sent": FLOOD_FRAMES}
        cell["load"] = load_sweep(net, bg)
    if kind == "barenet" and napi_off:
        with netns.TestNet() as net:
            pin_neighbour(net)
            bg = BenchGuest(net, kind, model, mode, extra="napi=off", smp=smp,
                            name="bench-barenet-%s-%s-napioff%s" % (
                                model, mode, "" if smp == 1 else "-%dcpu" % smp))
            bg.wait_ready(120)
            if wait_udp_echo(net):
                m, ev = bg.irq_mode()
                r, irqs, frames = irq_per_frame(net, bg)
                cell["napi_off"] = {"irq_per_rx_frame": r, "irqs": irqs, "frames": frames,
                                    "mode": m, "evidence": ev, "load": load_sweep(net, bg)}
    for key in ("boot_to_ping_s", "rtt_p50_ms", "rtt_p99_ms", "irq_per_rx_frame"):
        res[key] = cell[key]
    log("%s %s %s, %d CPU%s: ran in %s (%s); %s" % (
        kind, model, mode, smp, "" if smp == 1 else "s", cell["mode"], cell["evidence"],
        json.dumps(res)))
    return res, cell, extra


def measure_light(model, mode, kernel, name):
    """One barenet boot (1 CPU) with only benchlib.ROUND_KEYS' cells: ping
    RTT p50/p99 and the UDP echo of 64 and 1400 B at 1 and 8 in flight, as
    measure() takes them.  Returns (results, cell)."""
    res, cell = {}, {"cpus": 1}
    with netns.TestNet() as net:
        boot_measured(net, "barenet", model, mode, 1, kernel, name, cell)
        rtt_cells(net, cell)
        udp_cells(net, (64, 1400), (1, 8), res, cell)
    res["rtt_p50_ms"], res["rtt_p99_ms"] = cell["rtt_p50_ms"], cell["rtt_p99_ms"]
    return res, cell


def before_rounds(model, mode, first, modes, rounds=None):
    """BENCH_BEFORE_ROUNDS - 1 more light boots (measure_light) of each
    image after the full ones, alternating BENCH_BEFORE's and this build's
    (before, now, before, now, ...), in mode.  first: {"before": results,
    "now": results} of the full boots; modes: {"before": mode, "now": mode}
    they read back (a light boot that reads back another is left out and
    said).  Returns {"before": {key: [values]}, "now": ...}
    (benchlib.collect_rounds), the full boot's value first."""
    rounds = BEFORE_ROUNDS if rounds is None else rounds
    boots = {which: [first[which]] for which in ("before", "now")}
    for i in range(1, rounds):
        for which, kernel in (("before", BEFORE), ("now", benchlib.KERNEL)):
            t0 = time.monotonic()
            try:
                res, cell = measure_light(model, mode, kernel,
                                          "bench-%s-%s-%s-round%d" % (which, model, mode, i + 1))
            except RuntimeError as e:
                FAILED.append("%s round %d of %s: %s" % (model, i + 1, which, e))
                log(FAILED[-1])
                continue
            if cell["mode"] != modes[which]:
                log("%s round %d of %s: ran in %s, its full boot in %s: left out"
                    % (model, i + 1, which, cell["mode"], modes[which]))
                continue
            boots[which].append(res)
            log("%s %s round %d of %s (light, %.0f s): %s" % (
                model, mode, i + 1, which, time.monotonic() - t0, json.dumps(res)))
    return {which: benchlib.collect_rounds(boots[which]) for which in boots}


def app_kernel():
    """The barenet image with tests/apps/sockbench.c as its application,
    built by `make app-kernel` (tests/qemu/apps.py)."""
    return apps.app_kernel(SOCK_APP, flavour="release")


def sock_guest(net, model, mode, smp, kernel, name, extra=""):
    """A sockbench image (tests/apps/sockbench.c) booted in net (extra:
    more of its command line), its neighbour pinned, once both UDP echoes
    (the callback's udp/7 and the application's) answer."""
    pin_neighbour(net)
    bg = BenchGuest(net, "barenet", model, mode, smp=smp, kernel=kernel, name=name, extra=extra)
    bg.wait_ready(120)
    bg.g.wait_for(r"sockbench: udp echo", 60)
    if not (wait_udp_echo(net) and wait_udp_echo(net, port=SOCK_UDP_PORT)):
        raise RuntimeError("sockbench %s on %s %s: no UDP echo; log %s"
                           % (kernel, model, mode, bg.g.logpath))
    return bg


def measure_sock(model, mode, smp):
    """The socket API against the callback services in one barenet boot
    (the image of app_kernel()): per SOCK_UDP cell, the kernel's UDP echo
    (udp/7, lwIP callback) and then the application's (recvfrom/sendto),
    back to back with the same client and seconds; then TCP both ways,
    lwiperf's tradeoff test (iperf_both) and the application's sink and
    source (iperf_to_sink, source_to_iperf).  Returns
    {key: {"callback": x, "socket": y}} and the losses."""
    res, lost = {}, {}
    with netns.TestNet() as net:
        bg = sock_guest(net, model, mode, smp, app_kernel(),
                        "bench-sock-%s-%s-%dcpu" % (model, mode, smp))
        for size, n in benchlib.SOCK_UDP:
            key = "udp_%d_%d" % (size, n)
            rounds = {"callback": [], "socket": []}
            for _ in range(SOCK_ROUNDS):
                for side, port in (("callback", ECHO_PORT), ("socket", SOCK_UDP_PORT)):
                    x, dropped = udp_echo(net, size, n, UDP_SECONDS, port=port)
                    rounds[side].append(x)
                    lk = "%s_%s" % (key, side)
                    lost[lk] = lost.get(lk, 0) + dropped
            res[key] = {side: statistics.median(v) for side, v in rounds.items()}
            res[key]["rounds"] = rounds
        fwd, rev = iperf_both(net, IPERF_SECONDS)
        res["tcp_to_guest_mbps"] = {"callback": fwd, "socket": iperf_to_sink(net, IPERF_SECONDS)}
        res["tcp_from_guest_mbps"] = {"callback": rev,
                                      "socket": source_to_iperf(net, IPERF_SECONDS)}
        res["build"] = benchlib.image_build(bg.g.output)
    log("socket API %s %s, %d CPU%s: %s" % (model, mode, smp, "" if smp == 1 else "s",
                                           json.dumps(res)))
    return res, lost


def serves(kind, model, mode, mem):
    """True when the guest boots with -m mem and answers a ping, a UDP echo
    and a 1 s iperf -c."""
    with netns.TestNet() as net:
        pin_neighbour(net)
        bg = BenchGuest(net, kind, model, mode, mem=mem,
                        extra="panic=exit" if kind == "barenet" else "",
                        name="bench-mem-%s-%s-%d" % (kind, model, mem))
        if first_ping(net, bg, 20 if kind == "barenet" else 90) is None:
            return False
        if not wait_udp_echo(net, 30):
            return False
        r = net.run(["iperf", "-c", GUEST, "-t", "1", "-y", "C"], timeout=40)
        return r.returncode == 0 and any(line.count(",") >= 8 and int(line.split(",")[8]) > 0
                                         for line in r.stdout.splitlines())


def min_mem(kind, model, mode):
    """Smallest MEM_STEPS entry that serves, by bisection (assumes more
    memory never hurts); None if even the largest does not."""
    lo, hi = -1, len(MEM_STEPS) - 1     # MEM_STEPS[hi] serves (checked first)
    if not serves(kind, model, mode, MEM_STEPS[hi]):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if serves(kind, model, mode, MEM_STEPS[mid]):
            hi = mid
        else:
            lo = mid
    return MEM_STEPS[hi]


def stripped_size(elf):
    """The size of elf stripped (objcopy --strip-all), in bytes."""
    tmp = os.path.join(ROOT, "build", "bench", "barenet.stripped")
    os.makedirs(os.path.dirname(tmp), exist_ok=True)
    subprocess.run(["objcopy", "--strip-all", elf, tmp], check=True)
    return os.path.getsize(tmp)


def image_sizes():
    bn = stripped_size(benchlib.KERNEL)
    lx = os.path.getsize(os.path.join(LINUX_DIR, "vmlinuz")) + \
        os.path.getsize(os.path.join(LINUX_DIR, "initrd.cpio.gz"))
    return bn, lx


IDLE_SECONDS = 5.0 if QUICK else 20.0


def idle_host_cpu(smp):
    """Host CPU (cores: CPU seconds of the QEMU process per second) an idle
    barenet guest with smp CPUs and no NIC takes, at the shell prompt over
    IDLE_SECONDS: an idle vCPU halts (kernel/idle.c), so a 2-CPU guest
    should cost about what a 1-CPU one does."""
    with harness.Guest("bench-idle-%dcpu" % smp, smp=smp, kernel=benchlib.KERNEL) as g:
        g.wait_prompt(120)
        g.watch(1.0)            # the boot's tail settles
        c0, t0 = benchlib.proc_cpu_seconds(g.proc.pid), time.monotonic()
        g.watch(IDLE_SECONDS)
        c1, t1 = benchlib.proc_cpu_seconds(g.proc.pid), time.monotonic()
        return round((c1 - c0) / (t1 - t0), 4)


# -- output ------------------------------------------------------------------------
def machine_meta():
    cpu, qemu = benchlib.machine()
    linux = "not run (BENCH_ONLY=sock)"
    if not SOCK_ONLY:
        with open(os.path.join(LINUX_DIR, "versions.txt")) as f:
            linux = ", ".join("%s %s" % tuple(line.split()) for line in f if line.strip())
    return {"machine": cpu, "cores": os.cpu_count(), "qemu": qemu, "linux": linux,
            "host": platform.platform()}


def plot(out_base, title, series):
    """Four panels against offered load, one line per series: NIC hard
    interrupts/s, frames the guest received/s, guest CPU busy, interrupts
    per received frame.  Writes <out_base>-load.{dat,png}; the png's path."""
    dat = out_base + "-load.dat"
    with open(dat, "w") as f:
        for name, points in series:
            f.write("# %s: offered_pps sent_pps irqs_per_s cpu_busy_pct rx_frames_per_s "
                    "flood_s stat_window_s\n" % name)
            for p in points:
                f.write("%d %.1f %.1f %.2f %.1f %.3f %.3f\n" % tuple(p))
            f.write("\n\n")
    png = out_base + "-load.png"

    def plots(using, extra=""):
        # thinner lines for later series: one drawn over another stays visible
        return ", ".join("'%s' index %d using %s with linespoints lw %.1f title '%s'"
                         % (dat, i, using, 3.0 - i, name)
                         for i, (name, _) in enumerate(series)) + extra
    script = """set terminal pngcairo size 1300,950 noenhanced font ',10'
set output '%(png)s'
set multiplot layout 2,2 title "%(title)s\\nUDP datagrams (18 B payload) to discard, %(secs)s s per offered rate; each point: guest counter delta over the step / step time"
set logscale x
set grid
set key top left
set xrange [%(xmin)s:%(xmax)s]
set xlabel 'offered load (datagrams/s, log scale)'
set ylabel 'NIC hard interrupts/s (/proc/interrupts)'
plot %(irq)s
set logscale y
set ylabel 'frames received/s (eth0 rx_packets, log scale)'
plot %(rx)s
unset logscale y
set ylabel 'guest CPU busy (percent, /proc/stat)'
set yrange [0:105]
plot %(cpu)s
set yrange [*:4]
set logscale y
set ylabel 'hard interrupts per received frame (log scale)'
plot %(ipf)s
unset multiplot
""" % {"png": png, "title": title, "secs": LOAD_SECONDS,
       "xmin": LOAD_STEPS[0] * 0.8, "xmax": LOAD_STEPS[-1] * 1.25,
       "irq": plots("1:3"),
       "rx": plots("1:5", ", x with lines dt 2 lc 'gray' title 'received = offered'"),
       "cpu": plots("1:4"), "ipf": plots("1:($5 > 0 ? $3/$5 : 1/0)")}
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        # pngcairo is in gnuplot-x11/-qt; gnuplot-nox has the gd "png" terminal
        r = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png").replace(
            " font ',10'", ""), text=True, capture_output=True)
    if r.returncode != 0:
        log("gnuplot failed: " + r.stderr.strip())
        return None
    return png


def render(doc):
    """The markdown page of one model from its .json."""
    meta, results = doc["meta"], doc["results"]
    c = doc["counts"]
    full = benchlib.MODE_NAMES[doc["full_mode"]]
    md = "# barenet vs Linux: %s, %s\n\n" % (meta["model"], meta["accel"].upper())
    md += benchlib.header(meta)
    md += "- counts: %d pings at 10 ms; UDP echo %.1f s per cell; iperf -t %d -r; flood %d " \
          "datagrams; load steps %s datagrams/s, %.1f s each%s\n" % (
              c["pings"], c["udp_seconds"], c["iperf_seconds"], c["flood"],
              ", ".join(str(x) for x in c["load_steps"]), c["load_seconds"],
              " (BENCH_QUICK)" if doc.get("quick") else "")
    md += "- every cell of this table in %s (the model's default mode, both guests); the " \
          "cells an interrupt mode changes are measured per mode in the next table\n\n" % full
    idle = meta.get("idle_host_cpu")
    if idle:
        md += "- idle host CPU use (cores) of a barenet guest at its prompt, %.0f s: 1 CPU %s, " \
              "2 CPUs %s\n" % (c.get("idle_seconds", IDLE_SECONDS), benchlib.fmt(idle.get("1")),
                              benchlib.fmt(idle.get("2")))
    md += "\n" if idle else ""
    sock = benchlib.sock_table(results)
    if sock:
        sock = "\n## The socket API against the callback services\n\nOne barenet boot per CPU " \
               "count with tests/apps/sockbench.c as its application (`make app-kernel`): per " \
               "UDP cell the kernel's echo (udp/7, answered in lwIP's callback) and then the " \
               "application's (udp/7007, a recvfrom/sendto loop), the same client and seconds, " \
               "alternating %d times, each side's median; " \
               "TCP: lwiperf's tradeoff test as above, then `iperf -c` to the application's " \
               "read loop and the application's write loop to the host's `iperf -s`.\n\n" \
               % doc.get("sock_rounds", 1) + sock
    if doc.get("only") == "sock":
        return md + sock
    md += benchlib.table(results)
    md += benchlib.before_table([doc])
    md += sock
    md += "\n## Per interrupt mode\n\nThe mode asked of both guests (barenet `irqmode=`; Linux " \
          "`pci=nomsi`, or e1000e's `IntMode=`) and the one each ran in, read back from the " \
          "guest: the chip column of eth0's rows in /proc/interrupts, x the number of rows; " \
          "PCI-MSI is MSI or MSI-X in both, told apart by Linux's msi_irqs in sysfs and " \
          "barenet's probe line.\n\n"
    md += benchlib.mode_table(meta["model"], doc["modes"])
    for mode in benchlib.MODEL_MODES[meta["model"]]:
        png = (doc.get("png") or {}).get(mode)
        if png:
            md += "\n### Load sweep, %s\n\n![load, %s](%s)\n" % (
                benchlib.MODE_NAMES[mode], benchlib.MODE_NAMES[mode], png)
    return md


def run_model(model, modes, out_dir, date, idle):
    """Both guests on model in each of modes (the first gets the full
    cells), barenet with 1 and with 2 CPUs; idle: idle_host_cpu()'s
    figures, for the page; writes the page and its .json; returns
    (document, base path)."""
    t0 = time.monotonic()
    meta = machine_meta()
    meta.update({"date": date, "accel": harness.choose_accel(), "model": model,
                 "mode": ", ".join(benchlib.MODE_NAMES[m] for m in modes)})
    full_mode = modes[0]
    results, extras = {"barenet": {}, benchlib.BN2: {}, "linux": {}}, {}
    before_runs = None
    cells = {m: {} for m in modes}
    bn_size, lx_size = (None, None) if SOCK_ONLY else image_sizes()
    if BEFORE and not SOCK_ONLY:
        # an older barenet image, 1 CPU, the full cells only, right
        # before this build's and in the mode of this build's full cells
        # (full_mode: BENCH_MODES's first, else the model's default), the
        # column it sits beside: issue 13's "the 1-CPU figures may not
        # fall more than 10% below" measured on this host
        log("%s %s barenet before (%s, 1 CPU): measuring (full)" % (model, full_mode, BEFORE))
        res, cell, extra = measure("barenet", model, full_mode, True, 1, kernel=BEFORE,
                                   napi_off=False,
                                   name="bench-before-%s-%s" % (model, full_mode))
        res["image_bytes"] = stripped_size(BEFORE)
        results[benchlib.BEFORE], extras[benchlib.BEFORE] = res, extra
        meta["before"] = "%s (build %s)" % (BEFORE, cell.get("build", "unknown"))
        # the mode it ran in (an older image may fall back): before_table
        # compares it with this build's
        meta["before_mode"] = cell.get("mode")
    # barenet with 1 CPU, then with 2 (the same cells, back to back), then
    # Linux (1 CPU); results[benchlib.BN2] holds the 2-CPU barenet
    for key, kind, smp in (("barenet", "barenet", 1), (benchlib.BN2, "barenet", 2),
                           ("linux", "linux", 1)):
        if SOCK_ONLY:
            if kind == "barenet":
                log("%s %s barenet (%d CPU): socket API" % (model, full_mode, smp))
                sock, lost = measure_sock(model, full_mode, smp)
                results[key], extras[key] = {"sock": sock}, {"sock_lost": lost}
            continue
        for mode in modes:
            if kind == "linux":
                args, why = benchlib.linux_mode_args(model, mode)
                if args is None:
                    log("%s %s linux: n/a: %s" % (model, mode, why))
                    cells[mode][key] = {"na": why}
                    continue
            log("%s %s %s (%d CPU): measuring%s" % (model, mode, kind, smp,
                                                   " (full)" if mode == full_mode else ""))
            res, cells[mode][key], extra = measure(kind, model, mode, mode == full_mode, smp)
            if mode != full_mode:
                continue
            if BEFORE and key == "barenet":
                # right after the full boots of both images: the light
                # cells again, alternating, for the medians of the table
                before_runs = before_rounds(model, mode, {
                    "before": results[benchlib.BEFORE], "now": res}, {
                    "before": meta.get("before_mode"), "now": cells[mode][key].get("mode")})
            if smp == 1:
                log("%s %s %s: -m search" % (model, mode, kind))
                res["min_mem_mib"] = min_mem(kind, model, mode)
            else:
                # the memory a guest needs does not depend on its CPUs
                # beyond their stacks: searched with 1 CPU only
                res["min_mem_mib"] = "not searched"
            res["image_bytes"] = bn_size if kind == "barenet" else lx_size
            if kind == "barenet":
                log("%s %s barenet (%d CPU): socket API" % (model, mode, smp))
                res["sock"], extra["sock_lost"] = measure_sock(model, mode, smp)
            results[key], extras[key] = res, extra
    meta["idle_host_cpu"] = idle
    meta["duration_s"] = round(time.monotonic() - t0)
    # what was measured: the build the barenet guest named at boot
    builds = {c["barenet"]["build"] for c in cells.values() if "build" in c.get("barenet", {})}
    builds |= {r["sock"]["build"] for r in results.values() if "build" in r.get("sock", {})}
    meta["barenet"] = ", ".join(sorted(builds)) or "unknown"
    base = os.path.join(out_dir, "%s-%s" % (date, model))
    pngs = {}
    for mode in modes:
        if "barenet" not in cells[mode]:
            continue            # BENCH_ONLY=sock: no load sweep
        bn, lx = cells[mode]["barenet"], cells[mode]["linux"]
        series = [("barenet NAPI", bn["load"])]
        if "load" in cells[mode].get(benchlib.BN2, {}):
            series.append(("barenet NAPI, 2 CPUs", cells[mode][benchlib.BN2]["load"]))
        if "napi_off" in bn:
            series.append(("barenet napi=off", bn["napi_off"]["load"]))
        if "load" in lx:
            series.append(("Linux (NAPI)", lx["load"]))
        title = "%s, %s asked: barenet ran in %s, Linux %s; %s" % (
            model, benchlib.MODE_NAMES[mode], benchlib.MODE_NAMES.get(bn.get("mode"), "?"),
            "n/a" if "na" in lx else benchlib.MODE_NAMES.get(lx.get("mode"), "?"),
            meta["accel"].upper())
        png = plot("%s-%s" % (base, mode), title, series)
        pngs[mode] = os.path.basename(png) if png else None
    doc = {"meta": meta, "results": results, "extra": extras, "modes": cells,
           "full_mode": full_mode, "quick": QUICK, "sock_rounds": SOCK_ROUNDS, "png": pngs,
           "only": "sock" if SOCK_ONLY else None, "before_rounds": before_runs,
           "counts": {"pings": PINGS, "udp_seconds": UDP_SECONDS,
                      "iperf_seconds": IPERF_SECONDS, "flood": FLOOD_FRAMES,
                      "load_steps": LOAD_STEPS, "load_seconds": LOAD_SECONDS,
                      "idle_seconds": IDLE_SECONDS}}
    benchlib.write_doc(base, doc, render)
    return doc, base


def write_summary(out_dir, docs, bases):
    """latest.md in out_dir: benchlib.summary of docs, linking their pages."""
    md = benchlib.summary(docs, [os.path.basename(b) + ".md" for b in bases])
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write(md)
    print(md, flush=True)


def main():
    if sys.argv[1:2] == ["--render"]:
        # bench/run.py --render FILE.json...: rewrite the .md beside each
        # and latest.md beside the first, from them
        docs, bases = [], []
        for path in sys.argv[2:]:
            with open(path) as f:
                docs.append(json.load(f))
            bases.append(path[:-len(".json")])
            with open(bases[-1] + ".md", "w") as f:
                f.write(render(docs[-1]))
        write_summary(os.path.dirname(os.path.abspath(sys.argv[2])), docs, bases)
        return
    if os.environ.get("BENCH_ONLY") == "tcp":
        import tcp              # bench/tcp.py: TCP both ways, offloads on/off
        tcp.main()
        return
    if os.environ.get("BENCH_ONLY") == "iperf3":
        import iperf3           # bench/iperf3.py: iperf3 as the application
        iperf3.main()
        return
    if SCALING_ONLY:
        # the scaling table alone: no Linux guest; BENCH_MODELS narrows it
        ok, why = netns.available()
        if not ok:
            sys.exit("bench: " + why)
        want = os.environ.get("BENCH_MODELS", "igb e1000").split()
        bad = [m for m in want if m not in scaling.MODE]
        if bad:
            sys.exit("bench: BENCH_ONLY=scaling: models igb and e1000 only, not %s" % bad)
        out_dir = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench", "results"))
        scaling.run(out_dir, datetime.date.today().isoformat(), want)
        return
    models = os.environ.get("BENCH_MODELS", "e1000 e1000e igb").split()
    modes = os.environ.get("BENCH_MODES", "").split() or None
    for m in models:
        if m not in benchlib.MODEL_MODES:
            sys.exit("bench: BENCH_MODELS: unknown NIC model %r (e1000 e1000e igb)" % m)
    if BEFORE and not os.path.isfile(BEFORE):
        sys.exit("bench: BENCH_BEFORE: no such image %r" % BEFORE)
    if BEFORE_ROUNDS < 1:
        sys.exit("bench: BENCH_BEFORE_ROUNDS: at least 1 (the full boot), not %d" % BEFORE_ROUNDS)
    for m in [] if modes == ["default"] else modes or []:
        if m not in benchlib.MODES:
            sys.exit("bench: BENCH_MODES: unknown interrupt mode %r (msix msi intx)" % m)
    cells, notes = benchlib.bench_cells(models, modes)
    for n in notes:
        log(n)
    if not cells:
        sys.exit("bench: no model offers the modes asked for")
    ok, why = netns.available()
    if not ok:
        sys.exit("bench: " + why)
    if not SOCK_ONLY and not os.path.exists(os.path.join(LINUX_DIR, "versions.txt")):
        sys.exit("bench: no Linux guest in %s (tools/bench-linux.sh builds it)" % LINUX_DIR)
    out_dir = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench", "results"))
    os.makedirs(out_dir, exist_ok=True)
    date = datetime.date.today().isoformat()
    t0 = time.monotonic()
    idle = None
    if not SOCK_ONLY:
        idle = {str(n): idle_host_cpu(n) for n in (1, 2)}
        log("idle host CPU use of a barenet guest: %s" % ", ".join(
            "%s CPU%s %.3f" % (n, "" if n == "1" else "s", v) for n, v in idle.items()))
    docs, bases = [], []
    for model in models:
        mm = [mode for m, mode in cells if m == model]
        if mm:
            doc, base = run_model(model, mm, out_dir, date, idle)
            docs.append(doc)
            bases.append(base)
    write_summary(out_dir, docs, bases)
    if not SOCK_ONLY and os.environ.get("BENCH_SCALING", "1") != "0":
        scaling.run(out_dir, date)
    if not SOCK_ONLY and os.environ.get("BENCH_IPERF3", "1") != "0":
        import iperf3           # bench/iperf3.py: results in bench/results/iperf3
        iperf3.main()
    log("done in %.0f s (%s)" % (time.monotonic() - t0, ", ".join("%s %s" % c for c in cells)))
    if FAILED:
        with open(os.path.join(out_dir, "latest.md"), "a") as f:
            f.write("\n**Measurements that failed in this run** (n/a above):\n\n" +
                    "".join("- %s\n" % x for x in FAILED))
        sys.exit("bench: %d measurement(s) failed:\n%s" % (len(FAILED), "\n".join(FAILED)))


if __name__ == "__main__":
    main()
