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
  load sweep     paced UDP to discard at LOAD_STEPS pps; interrupts/s and
                 CPU busy (/proc/stat) per step; barenet NAPI on and
                 napi=off, Linux (NAPI) for reference; gnuplot PNG

Environment: BENCH_MODELS (default "e1000 e1000e igb"), BENCH_MODES
(default "auto"; barenet's irqmode= values auto|msix|msi|intx), BENCH_QUICK=1
(short counts), BENCH_OUT (default bench/results), BARENET_ACCEL.
Needs root (namespaces, tap, raw ICMP socket)."""
import datetime
import json
import os
import platform
import re
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import harness  # noqa: E402
import netns  # noqa: E402
import benchlib  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
LINUX_DIR = os.path.join(ROOT, "build", "bench", "linux")
GUEST = netns.GUEST4
MAC = harness.DEFAULT_MAC
MEM = 256                       # MiB, both guests, for everything but the -m search
MEM_STEPS = [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256]
ECHO_PORT, DISCARD_PORT, IPERF_PORT = 7, 9, 5001

PINGS = 100 if QUICK else 1000
UDP_SECONDS = 1.5 if QUICK else 3.0
IPERF_SECONDS = 2 if QUICK else 5
FLOOD_FRAMES = 5000 if QUICK else 20000
LOAD_STEPS = [500, 2000, 8000, 20000] if QUICK else [500, 1000, 2000, 5000, 10000, 20000, 40000]
LOAD_SECONDS = 1.5 if QUICK else 2.0


def log(msg):
    print("bench: " + msg, flush=True)


# -- the two guests --------------------------------------------------------------
class BenchGuest:
    """One guest (kind barenet or linux) in net, on a NIC of model, with its
    shell reachable over the serial console (cmd())."""

    def __init__(self, net, kind, model, mode, mem=MEM, extra="", name=None):
        self.kind, self.net = kind, net
        name = name or "bench-%s-%s-%s" % (kind, model, mode)
        if kind == "barenet":
            append = "ip=%s/%d,%s" % (GUEST, netns.PREFIXLEN4, netns.HOST4)
            if mode != "auto":
                append += " irqmode=" + mode
            self.g = net.guest(name, nic=model, mac=MAC, mem=mem,
                               append=(append + " " + extra).strip())
        else:
            append = "console=ttyS0 quiet loglevel=3 panic=-1 bn_ip=%s/%d bn_nic=%s" % (
                GUEST, netns.PREFIXLEN4, model)
            append += linux_mode_args(model, mode)
            self.g = net.guest(name, nic=model, mac=MAC, mem=mem, debug_exit=False,
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


def linux_mode_args(model, mode):
    """The Linux guest's switches for an interrupt mode, where it has one."""
    if mode == "intx":
        return " pci=nomsi"
    if mode == "msi" and model == "e1000e":
        return " bn_modopt=IntMode=1"
    return ""


def irq_chips(text):
    """The chip/type column of the eth0 rows of /proc/interrupts, to say
    which interrupt mode a guest really used."""
    chips = set()
    lines = text.strip("\n").splitlines()
    ncpu = len(lines[0].split())
    for line in lines[1:]:
        label, _, rest = line.partition(":")
        f = rest.split()
        if label.strip().isdigit() and any(x == "eth0" or x.startswith("eth0-") for x in f[ncpu:]):
            chips.add(f[ncpu] if len(f) > ncpu else "?")
    return "/".join(sorted(chips)) or "?"


# -- host side tools, inside the namespace ---------------------------------------
def icmp_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


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
                hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
                pkt = struct.pack("!BBHHH", 8, 0, icmp_checksum(hdr + b"bench"), ident, seq) + b"bench"
                try:
                    s.sendto(pkt, (GUEST, 0))
                except OSError:
                    pass        # tap not up yet (QEMU has not opened it)
                next_send = now + 0.01
            r, _, _ = select.select([s, bg.g.proc.stdout], [], [], 0.005)
            if bg.g.proc.stdout in r:
                bg.g._pump(0)
            if s in r:
                data, addr = s.recvfrom(2048)
                ihl = (data[0] & 0xf) * 4
                typ, _, _, rid, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
                if addr[0] == GUEST and typ == 0 and rid == ident:
                    return time.monotonic() - bg.start
            if bg.g.proc.poll() is not None:
                return None
    finally:
        s.close()
    return None


def wait_udp_echo(net, timeout=30):
    """True once the guest's UDP echo answers (lwIP routes UDP only after it
    has seen the carrier; inetd starts late in the Linux init)."""
    s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.2)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            s.sendto(b"probe", (GUEST, ECHO_PORT))
            try:
                if s.recvfrom(2048)[0] == b"probe":
                    return True
            except socket.timeout:
                pass
        return False
    finally:
        s.close()


def ping_rtts(net, n):
    r = net.run(["ping", "-i", "0.01", "-c", str(n), "-W", "2", GUEST], timeout=n * 0.05 + 60)
    rtts = [float(x) for x in re.findall(r"time=([\d.]+) ms", r.stdout)]
    return rtts, n - len(rtts)


def udp_echo(net, size, inflight, seconds):
    """Replies/s with inflight requests outstanding: one new request per
    reply; requests unanswered for 200 ms are counted lost and replaced."""
    s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    s.connect((GUEST, ECHO_PORT))
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


def iperf_both(net, seconds):
    """(host->guest, guest->host) Mbit/s from one `iperf -c -r -y C`."""
    r = net.run(["iperf", "-c", GUEST, "-t", str(seconds), "-r", "-y", "C"],
                timeout=2 * seconds + 90)
    fwd = rev = None
    for line in r.stdout.splitlines():
        f = line.split(",")
        if len(f) < 9:
            continue
        # iperf 2 CSV: time, sender addr, port, receiver addr, port, ...
        if f[3] == GUEST:
            fwd = int(f[8]) / 1e6
        elif f[1] == GUEST:
            rev = int(f[8]) / 1e6
    return fwd, rev


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


def sample(bg):
    return (benchlib.nic_irqs(bg.cat("/proc/interrupts")),
            benchlib.net_dev(bg.cat("/proc/net/dev"))[0],
            benchlib.parse_stat_cpu(bg.cat("/proc/stat")),
            time.monotonic())


def load_sweep(net, bg):
    """[(offered pps, sent pps, irqs/s, cpu busy %, rx frames/s)]"""
    points = []
    for pps in LOAD_STEPS:
        irq0, rx0, st0, t0 = sample(bg)
        sent, el = udp_flood(net, DISCARD_PORT, pps=pps, seconds=LOAD_SECONDS)
        time.sleep(0.2)
        irq1, rx1, st1, t1 = sample(bg)
        busy, _, _ = benchlib.cpu_busy(st0, st1)
        dt = t1 - t0
        points.append((pps, sent / el, (irq1 - irq0) / dt, 100.0 * busy, (rx1 - rx0) / dt))
    return points


def irq_per_frame(net, bg):
    irq0, rx0, _, _ = sample(bg)
    udp_flood(net, DISCARD_PORT, n=FLOOD_FRAMES, seconds=20)
    time.sleep(1)
    irq1, rx1, _, _ = sample(bg)
    frames = rx1 - rx0
    return ((irq1 - irq0) / frames if frames else None), irq1 - irq0, frames


# -- per guest -------------------------------------------------------------------
def measure(kind, model, mode):
    """Everything but the -m search, from one boot; plus the load sweep."""
    res, extra = {}, {}
    with netns.TestNet() as net:
        net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "dev", netns.TAP,
                 "nud", "permanent"], check=True)
        bg = BenchGuest(net, kind, model, mode)
        res["boot_to_ping_s"] = first_ping(net, bg, 120)
        if res["boot_to_ping_s"] is None:
            raise RuntimeError("%s on %s: no ping answered in 120 s; log %s"
                               % (kind, model, bg.g.logpath))
        bg.wait_ready(120)
        if not wait_udp_echo(net):
            raise RuntimeError("%s on %s: no UDP echo; log %s" % (kind, model, bg.g.logpath))
        extra["irq_chip"] = irq_chips(bg.cat("/proc/interrupts"))
        rtts, lost = ping_rtts(net, PINGS)
        res["rtt_p50_ms"] = benchlib.percentile(rtts, 50)
        res["rtt_p99_ms"] = benchlib.percentile(rtts, 99)
        extra["pings"], extra["pings_lost"] = PINGS, lost
        for size in (64, 1400):
            for n in (1, 8, 64):
                rate, lost = udp_echo(net, size, n, UDP_SECONDS)
                res["udp_%d_%d" % (size, n)] = rate
                extra["udp_%d_%d_lost" % (size, n)] = lost
        res["tcp_to_guest_mbps"], res["tcp_from_guest_mbps"] = iperf_both(net, IPERF_SECONDS)
        ratio, irqs, frames = irq_per_frame(net, bg)
        res["irq_per_rx_frame"] = ratio
        extra["flood"] = {"irqs": irqs, "frames": frames, "sent": FLOOD_FRAMES}
        extra["load"] = load_sweep(net, bg)
        log("%s %s: %s" % (kind, model, json.dumps(res)))
    if kind == "barenet":
        with netns.TestNet() as net:
            net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "dev", netns.TAP,
                     "nud", "permanent"], check=True)
            bg = BenchGuest(net, kind, model, mode, extra="napi=off",
                            name="bench-barenet-%s-%s-napioff" % (model, mode))
            bg.wait_ready(120)
            if wait_udp_echo(net):
                r, irqs, frames = irq_per_frame(net, bg)
                extra["napi_off"] = {"irq_per_rx_frame": r, "irqs": irqs, "frames": frames,
                                     "load": load_sweep(net, bg)}
    return res, extra


def serves(kind, model, mode, mem):
    """True when the guest boots with -m mem and answers a ping, a UDP echo
    and a 1 s iperf -c."""
    with netns.TestNet() as net:
        net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "dev", netns.TAP,
                 "nud", "permanent"], check=True)
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


def image_sizes():
    tmp = os.path.join(ROOT, "build", "bench", "barenet.stripped")
    subprocess.run(["objcopy", "--strip-all", harness.KERNEL, tmp], check=True)
    bn = os.path.getsize(tmp)
    lx = os.path.getsize(os.path.join(LINUX_DIR, "vmlinuz")) + \
        os.path.getsize(os.path.join(LINUX_DIR, "initrd.cpio.gz"))
    return bn, lx


# -- output ------------------------------------------------------------------------
def machine_meta():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    with open(os.path.join(LINUX_DIR, "versions.txt")) as f:
        linux = ", ".join("%s %s" % tuple(line.split()) for line in f if line.strip())
    rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    return {"machine": cpu, "cores": os.cpu_count(), "qemu": qemu, "linux": linux,
            "barenet": "git " + rev, "host": platform.platform()}


def plot(out_base, model, mode, series):
    """interrupts/s and CPU busy vs offered pps, one line per series."""
    dat = out_base + "-load.dat"
    with open(dat, "w") as f:
        for name, points in series:
            f.write("# %s: offered_pps sent_pps irqs_per_s cpu_busy_pct rx_per_s\n" % name)
            for p in points:
                f.write("%d %.1f %.1f %.2f %.1f\n" % p)
            f.write("\n\n")
    png = out_base + "-load.png"
    plots_irq = ", ".join("'%s' index %d using 1:3 with linespoints title '%s'"
                          % (dat, i, name) for i, (name, _) in enumerate(series))
    plots_cpu = ", ".join("'%s' index %d using 1:4 with linespoints title '%s'"
                          % (dat, i, name) for i, (name, _) in enumerate(series))
    script = """set terminal pngcairo size 1000,800 noenhanced
set output '%s'
set multiplot layout 2,1 title '%s, %s interrupts, %s: UDP to discard, offered load'
set logscale x
set grid
set key top left
set xlabel 'offered load (datagrams/s, 18 B payload)'
set ylabel 'NIC hard interrupts/s'
plot %s
set ylabel 'guest CPU busy (%%, /proc/stat)'
set yrange [0:105]
plot %s
unset multiplot
""" % (png, model, mode, harness.choose_accel().upper(), plots_irq, plots_cpu)
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode != 0:
        # pngcairo is in gnuplot-x11/-qt; gnuplot-nox has the gd "png" terminal
        r = subprocess.run(["gnuplot"], input=script.replace("pngcairo", "png"), text=True,
                           capture_output=True)
    if r.returncode != 0:
        log("gnuplot failed: " + r.stderr.strip())
        return None
    return png


def render(doc):
    """The markdown page of one model/mode from its .json."""
    meta, results, extras = doc["meta"], doc["results"], doc["extra"]
    c = doc.get("counts", {"pings": PINGS, "udp_seconds": UDP_SECONDS,
                           "iperf_seconds": IPERF_SECONDS, "flood": FLOOD_FRAMES})
    md = "# barenet vs Linux: %s, %s interrupts, %s\n\n" % (
        meta["model"], meta["mode"], meta["accel"].upper())
    md += benchlib.header(meta)
    md += "- interrupt rows in /proc/interrupts: barenet %s; Linux %s\n" % (
        meta["irq_chip"].get("barenet"), meta["irq_chip"].get("linux"))
    md += "- counts: %d pings at 10 ms; UDP echo %.1f s per cell; iperf -t %d -r; flood %d datagrams%s\n\n" % (
        c["pings"], c["udp_seconds"], c["iperf_seconds"], c["flood"],
        " (BENCH_QUICK)" if doc.get("quick") else "")
    md += benchlib.table(results)
    off = extras["barenet"].get("napi_off")
    if off:
        md += "\nbarenet with napi=off: %s hard IRQs per received frame (%d / %d).\n" % (
            benchlib.fmt(off["irq_per_rx_frame"]), off["irqs"], off["frames"])
    png = doc["png"] if "png" in doc else "%s-%s-%s-load.png" % (
        meta["date"], meta["model"], meta["mode"])
    if png:
        md += "\n![load](%s)\n" % png
    return md


def run_one(model, mode, out_dir, date):
    t0 = time.monotonic()
    meta = machine_meta()
    meta.update({"date": date, "accel": harness.choose_accel(), "model": model, "mode": mode})
    results, extras = {}, {}
    bn_size, lx_size = image_sizes()
    for kind in ("barenet", "linux"):
        log("%s %s %s: measuring" % (model, mode, kind))
        res, extra = measure(kind, model, mode)
        log("%s %s %s: -m search" % (model, mode, kind))
        res["min_mem_mib"] = min_mem(kind, model, mode)
        res["image_bytes"] = bn_size if kind == "barenet" else lx_size
        results[kind], extras[kind] = res, extra
    meta["irq_chip"] = {k: extras[k].get("irq_chip") for k in extras}
    meta["duration_s"] = round(time.monotonic() - t0)
    base = os.path.join(out_dir, "%s-%s-%s" % (date, model, mode))
    series = [("barenet NAPI", extras["barenet"]["load"])]
    if "napi_off" in extras["barenet"]:
        series.append(("barenet napi=off", extras["barenet"]["napi_off"]["load"]))
    series.append(("Linux (NAPI)", extras["linux"]["load"]))
    png = plot(base, model, mode, series)
    doc = {"meta": meta, "results": results, "extra": extras, "quick": QUICK,
           "counts": {"pings": PINGS, "udp_seconds": UDP_SECONDS,
                      "iperf_seconds": IPERF_SECONDS, "flood": FLOOD_FRAMES},
           "png": os.path.basename(png) if png else None}
    with open(base + ".json", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    md = render(doc)
    with open(base + ".md", "w") as f:
        f.write(md)
    print(md, flush=True)
    return base


def main():
    if sys.argv[1:2] == ["--render"]:
        # bench/run.py --render FILE.json...: rewrite the .md beside each
        for path in sys.argv[2:]:
            with open(path) as f:
                md = render(json.load(f))
            with open(path[:-len(".json")] + ".md", "w") as f:
                f.write(md)
            print(md)
        return
    ok, why = netns.available()
    if not ok:
        sys.exit("bench: " + why)
    if not os.path.exists(os.path.join(LINUX_DIR, "versions.txt")):
        sys.exit("bench: no Linux guest in %s (tools/bench-linux.sh builds it)" % LINUX_DIR)
    models = os.environ.get("BENCH_MODELS", "e1000 e1000e igb").split()
    modes = os.environ.get("BENCH_MODES", "auto").split()
    for m in models:
        if m not in ("e1000", "e1000e", "igb"):
            sys.exit("bench: BENCH_MODELS: unknown NIC model %r" % m)
    for m in modes:
        if m not in ("auto", "msix", "msi", "intx"):
            sys.exit("bench: BENCH_MODES: unknown interrupt mode %r" % m)
    out_dir = os.environ.get("BENCH_OUT", os.path.join(ROOT, "bench", "results"))
    os.makedirs(out_dir, exist_ok=True)
    date = datetime.date.today().isoformat()
    t0 = time.monotonic()
    for model in models:
        for mode in modes:
            run_one(model, mode, out_dir, date)
    log("done in %.0f s (%s)" % (time.monotonic() - t0, ", ".join(models)))


if __name__ == "__main__":
    main()
