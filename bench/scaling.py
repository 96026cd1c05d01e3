"""make bench's scaling table: receive work spread over vCPUs.

barenet on igb and on e1000, with 1, 2 and 4 vCPUs under QEMU's
multi-threaded TCG (-accel tcg,thread=multi), each way of spreading the
receive work against 1-CPU barenet in the same run:

  one CPU   one queue, no steering: every frame on CPU 0 (igb
            e1000.queues=1), the other vCPUs idle
  RSS       igb only: one RSS queue and MSI-X vector per vCPU
            (e1000.queues=N), UDP hashed by its ports (ethtool -N eth0
            rx-flow-hash udp4 sdfn); e1000 has one queue
  RPS       one queue; /sys/class/net/eth0/queues/rx-0/rps_cpus naming
            every vCPU, so CPU 0's poll hands each flow to a CPU by its hash
            (the software one, over addresses and ports: with one queue the
            NIC computes none)

Per boot, two cells, 64 flows each (64 host sockets, source ports
FLOW_PORT..+63, in the run's own namespace):

  UDP echo   the kernel's echo (udp/7), one request in flight per flow, a
             new one per reply, SECONDS long: replies/s
  flood      datagrams of 18 bytes to discard (udp/9), round robin over
             the 64 flows, paced to BENCH_SCALING_RATE (0: as fast as the sender
             goes), SECONDS long: frames the guest received per
             second (eth0 rx_packets delta / flood time), and where they
             were processed (softnet_stat's processed column per CPU)

The flood's sender: build/host/udpflood (bench/udpflood.c: one connected
socket per flow, sendmmsg, a burst of 4 per flow per round), run in the
namespace, paced to BENCH_SCALING_RATE (600k datagrams/s: see RATE);
BENCH_SCALING_SENDER=python: the earlier Python loop of sendto (one socket
per flow too, unpaced), which alone filled one of the 2 host cores.
Either way the table gives the sender's own CPU (host cores, and
microseconds per datagram sent): what it leaves QEMU.

Where the time goes, beside each flood: the CPU the QEMU process took
(/proc/<pid>/task/*/stat, per thread: the vCPU threads "CPU n/TCG", and
the rest -- the main loop, which runs the NIC model and the tap under the
BQL), the flood sender's rate, and the host's load average.  The host
limit: QEMU's vCPU threads, its main loop and the sender share the host's
cores (os.cpu_count()), with whatever else runs there.

Writes <out>/<date>-scaling.{md,json}.  BENCH_QUICK=1: shorter cells."""
import collections
import json
import os
import re
import select
import socket
import struct
import time

import benchlib
import harness
import netns
from netparse import parse_ethtool_stats, without_klog

QUICK = os.environ.get("BENCH_QUICK") == "1"
# BENCH_SCALING_STEERING="rss": only those ways of spreading besides the
# 1-CPU references (one, rss, rps; default all; rss1: igb with 1 vCPU and
# the RSS queues of each vCPU count, what RSS costs without a second vCPU)
STEERING = tuple(os.environ.get("BENCH_SCALING_STEERING", "one rss rps").split())
# BENCH_SCALING_CPUS="1 2": only those vCPU counts (1 always: the reference)
CPUS = tuple(sorted({1} | {int(x) for x in os.environ.get("BENCH_SCALING_CPUS", "1 2 4").split()}))
# BENCH_BEFORE=ELF: every boot twice, back to back, that older image first,
# and a before/after table per model
BEFORE = os.environ.get("BENCH_BEFORE")
FLOWS = 64
FLOW_PORT = 42000
SECONDS = 2.0 if QUICK else 3.0
ACCEL = "tcg,thread=multi"
ECHO_PORT, DISCARD_PORT = 7, 9
GUEST = netns.GUEST4
MAC = harness.DEFAULT_MAC
# the interrupt mode each model is measured in: its best
MODE = {"igb": "msix", "e1000": "intx"}
TARGET = 1.3            # igb, 2 vCPUs, RSS: frames/s over 1 vCPU's
# the flood's sender: "c" (build/host/udpflood) or "python" (flood_flows)
SENDER = os.environ.get("BENCH_SCALING_SENDER", "c")
if SENDER not in ("c", "python"):
    raise SystemExit("bench: BENCH_SCALING_SENDER: c or python, not %r" % SENDER)
# BENCH_SCALING_RATE: datagrams/s the C sender paces itself to (0: as fast
# as it goes).  Unpaced, any sender takes a whole host core whatever it
# costs per datagram (the tap drops what QEMU does not take, the send
# never blocks); paced at twice what the release image received with
# 1 vCPU on this host (igb, quiet host: 250-285k/s) it took 0.55-0.6 of
# one, and leaves QEMU the rest.  A cell whose frames received come near
# the rate is marked in the table: there the sender, not the guest, set it.
RATE = float(os.environ.get("BENCH_SCALING_RATE", "600000"))
UDPFLOOD = os.path.join(harness.BUILD, "host", "udpflood")
# BENCH_SCALING_PROFILE=1: during each flood, every vCPU's RIP sampled
# through the QEMU monitor (bench/profile.py's reading: each sample stops
# the vCPUs, so the flood runs slower while sampled), the functions with
# their share of the samples per boot in the page
PROFILE = os.environ.get("BENCH_SCALING_PROFILE") == "1"
PROFILE_TOP = 12


def log(msg):
    print("bench: scaling: " + msg, flush=True)


def configs(model):
    """(label, vCPUs, steering, kernel command line extra) in run order:
    the 1-CPU reference first and again last."""
    base = ("1 CPU (reference)", 1, "one", "e1000.queues=1" if model == "igb" else "")
    out = [base]
    for n in CPUS[1:]:
        one = "e1000.queues=1" if model == "igb" else ""
        out.append(("%d vCPUs, one CPU" % n, n, "one", one))
        if model == "igb":
            out.append(("1 vCPU, %d RSS queues" % n, 1, "rss1", "e1000.queues=%d" % n))
            out.append(("%d vCPUs, RSS" % n, n, "rss", "e1000.queues=%d" % n))
        out.append(("%d vCPUs, RPS" % n, n, "rps", one))
    out = [out[0]] + [c for c in out[1:] if c[2] in STEERING]
    out.append(("1 CPU (reference, again)",) + base[1:])
    return out


def flow_sockets(net):
    socks = []
    for i in range(FLOWS):
        s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((netns.HOST4, FLOW_PORT + i))
        s.setblocking(False)
        socks.append(s)
    return socks


def echo_flows(net, seconds):
    """Replies/s of the guest's UDP echo with one request in flight on each
    of FLOWS flows; a request unanswered for 200 ms is counted lost and
    replaced.  Returns (replies/s, lost)."""
    socks = flow_sockets(net)
    seq = [0] * FLOWS
    sent_at = [0.0] * FLOWS
    got = lost = 0
    by_fd = {s.fileno(): i for i, s in enumerate(socks)}

    def send(i):
        seq[i] += 1
        sent_at[i] = time.monotonic()
        try:
            socks[i].sendto(struct.pack("!Q", seq[i]), (GUEST, ECHO_PORT))
        except (BlockingIOError, ConnectionRefusedError):
            pass
    try:
        for i in range(FLOWS):
            send(i)
        t0 = time.monotonic()
        end = t0 + seconds
        while time.monotonic() < end:
            r, _, _ = select.select(socks, [], [], 0.02)
            for s in r:
                i = by_fd[s.fileno()]
                while True:
                    try:
                        data = s.recv(64)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
                    if len(data) >= 8 and struct.unpack("!Q", data[:8])[0] == seq[i]:
                        got += 1
                        send(i)
            now = time.monotonic()
            for i in range(FLOWS):
                if now - sent_at[i] > 0.2:
                    lost += 1
                    send(i)
        return got / (time.monotonic() - t0), lost
    finally:
        for s in socks:
            s.close()


def flood_flows(net, seconds):
    """Datagrams round robin over FLOWS flows to discard, as fast as the
    sender goes, for seconds, from this thread (Python's sendto).  Returns
    (sent, elapsed, the sender's CPU seconds)."""
    socks = flow_sockets(net)
    sent = i = 0
    t0, cpu0 = time.monotonic(), time.thread_time()
    try:
        while True:
            if sent % 256 == 0 and time.monotonic() - t0 >= seconds:
                break
            try:
                socks[i].sendto(b"flood %11d" % sent, (GUEST, DISCARD_PORT))
                sent += 1
            except (BlockingIOError, OSError):
                time.sleep(0.0002)
            i = (i + 1) % FLOWS
        return sent, time.monotonic() - t0, time.thread_time() - cpu0
    finally:
        for s in socks:
            s.close()


def flood_c(net, seconds, during=None):
    """The same flood from build/host/udpflood (sendmmsg) in the
    namespace, to the guest's discard port only, bounded by seconds; with
    during, that is called while it runs.  Returns (sent, elapsed, the
    sender's CPU seconds, by its getrusage)."""
    if not os.access(UDPFLOOD, os.X_OK):
        raise RuntimeError("%s missing: make" % UDPFLOOD)
    cmd = [UDPFLOOD, "--dst", GUEST, "--src", netns.HOST4, "--port", str(DISCARD_PORT),
           "--sport", str(FLOW_PORT), "--flows", str(FLOWS), "--seconds", str(seconds),
           "--rate", "%.0f" % RATE]
    p = net.popen(cmd)
    if during:
        during()
    out, err = p.communicate(timeout=seconds + 30)
    f = out.split()
    if p.returncode != 0 or len(f) != 8 or f[0] != "sent":
        raise RuntimeError("udpflood: rc %s: %s %s" % (p.returncode, out, err))
    return int(f[1]), float(f[5]), float(f[7])


def sample_rips(path, cpus, seconds, gap=0.005):
    """{vCPU: [RIP, ...]} read through the QEMU monitor socket at path
    for seconds (`cpu N`, then `info registers`, for each vCPU in turn)"""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)

    def cmd(line):
        s.sendall(line.encode() + b"\n")
        buf = b""
        while b"(qemu)" not in buf:
            buf += s.recv(65536)
        return buf
    rips = {c: [] for c in range(cpus)}
    try:
        buf = b""
        while b"(qemu)" not in buf:
            buf += s.recv(4096)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for c in range(cpus):
                if cpus > 1:
                    cmd("cpu %d" % c)
                m = re.search(rb"RIP=([0-9a-f]+)", cmd("info registers"))
                if m:
                    rips[c].append(int(m.group(1), 16))
            time.sleep(gap)
    finally:
        s.close()
    return rips


def profile_of(rips, kernel):
    """{vCPU: [(function, share), ...]} of the top PROFILE_TOP functions of
    each vCPU's samples, named by the image's symbols"""
    import profile as guest_profile     # bench/profile.py (imports run)
    addrs, names = guest_profile.elf_symbols(kernel)
    out = {}
    for c, rs in rips.items():
        counts = collections.Counter(guest_profile.name_of(addrs, names, r) for r in rs)
        out[str(c)] = {"samples": len(rs), "top": [
            (name, n / len(rs)) for name, n in counts.most_common(PROFILE_TOP)]}
    return out


def qemu_threads(pid):
    """{thread name: CPU seconds} of the QEMU process (vCPU threads are
    "CPU n/TCG"; the others summed as "other": the main loop with the NIC
    model and the tap, RCU, workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                raw = f.read()
        except OSError:
            continue
        name = raw[raw.index("(") + 1:raw.rindex(")")]
        f = raw.rsplit(")", 1)[1].split()
        sec = (int(f[11]) + int(f[12])) / tick
        key = name if name.startswith("CPU ") else "other"
        out[key] = out.get(key, 0.0) + sec
    return out


LOCK_METRICS = ("net_core_lock_total", "net_core_lock_contended_total",
                "net_core_lock_wait_ns_total", "net_core_lock_held_ns_total")


def core_lock(g):
    """(takes, contended takes, ns waited, ns held) of the lwIP core lock: the one
    lock every received frame's protocol work runs under
    (net/lwip/core_lock.c), from /proc/barenet/metrics"""
    vals = {}
    for line in g.shell("cat /proc/barenet/metrics", 30).splitlines():
        f = line.split()
        if len(f) == 2 and f[0].startswith("barenet_net_core_lock"):
            vals[f[0][len("barenet_"):]] = int(f[1])
    return tuple(vals.get(k, 0) for k in LOCK_METRICS)


def ipis(g):
    """(inter-processor interrupts, the NIC's interrupts) so far:
    /proc/interrupts' CAL (function call: RPS's kick to the target CPU)
    and RES (reschedule) rows, and the eth0 rows (each MSI-X vector or the
    INTx line), summed over the CPUs"""
    total = nic = 0
    text = g.shell("cat /proc/interrupts", 30)
    ncpu = len(text.splitlines()[0].split())
    for line in text.splitlines():
        f = line.split()
        if f and f[0] in ("CAL:", "RES:"):
            total += sum(int(x) for x in f[1:] if x.isdigit())
        elif f and re.search(r"\beth0(-TxRx-\d+)?$", line):
            nic += sum(int(x) for x in f[1:1 + ncpu])
    return total, nic


def stat_cpus(text):
    """{"cpuN": (busy ticks, idle ticks, softirq ticks)} from a /proc/stat
    (Linux's order: user nice system idle iowait irq softirq ...; the
    guest's and the host's alike), "cpu" for the sum"""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if f and f[0].startswith("cpu"):
            v = [int(x) for x in f[1:]]
            idle = v[3] + (v[4] if len(v) > 4 else 0)
            out[f[0]] = (sum(v) - idle, idle, v[6] if len(v) > 6 else 0)
    return out


def host_stat():
    with open("/proc/stat") as f:
        return stat_cpus(f.read())


def stat_delta(a, b, cpus):
    """per CPU of cpus ("cpu0", ...): (busy, halted, softirq) shares of
    the ticks between two stat_cpus readings"""
    out = []
    for c in cpus:
        d = [y - x for x, y in zip(a[c], b[c])]
        total = max(d[0] + d[1], 1)
        out.append((d[0] / total, d[1] / total, d[2] / total))
    return out


def ethtool_stats(g):
    """{counter: value} of the guest's ethtool -S eth0"""
    return parse_ethtool_stats(without_klog(g.shell("ethtool -S eth0", 30)).strip("\n"))


def softnet_processed(text):
    """Per CPU, softnet_stat's first column (frames processed)."""
    return [int(line.split()[0], 16) for line in text.splitlines() if line.strip()]


def measure(model, label, n, steer, extra, kernel=None):
    """One boot (of kernel, default this build's release image): the echo and flood cells
    and where the flood's time went."""
    cell = {"label": label, "cpus": n, "steering": steer, "load_before": os.getloadavg()[0],
            "before": bool(kernel)}
    kw = {"kernel": kernel or benchlib.KERNEL}
    append = "ip=%s/%d,%s irqmode=%s %s" % (GUEST, netns.PREFIXLEN4, netns.HOST4, MODE[model],
                                            extra)
    with netns.TestNet() as net:
        net.run(["ip", "neigh", "replace", GUEST, "lladdr", MAC, "dev", netns.TAP,
                 "nud", "permanent"], check=True)
        g = net.guest("bench-scaling-%s-%d-%s" % (model, n, steer), nic=model, mac=MAC,
                      smp=n, accel=ACCEL, append=append.strip(),
                      # thread names ("CPU 0/TCG" ...) for qemu_threads
                      extra=["-name", "scaling,debug-threads=on"], **kw)
        g.wait_for(r"barenet: ready in", 120)
        g.wait_prompt(120)
        cell["build"] = benchlib.image_build(g.output)
        if not benchlib.wait_udp_echo(net, GUEST, ECHO_PORT):
            raise RuntimeError("scaling %s %s: no UDP echo; log %s" % (model, label, g.logpath))
        if steer in ("rss", "rss1"):
            out = g.shell("ethtool -N eth0 rx-flow-hash udp4 sdfn", 30).strip()
            if out:
                raise RuntimeError("ethtool -N: " + out)
        if steer == "rps":
            out = g.shell("echo %x > /sys/class/net/eth0/queues/rx-0/rps_cpus"
                          % ((1 << n) - 1), 30).strip()
            if out:
                raise RuntimeError("rps_cpus: " + out)
        cell["queues"] = len([line for line in g.shell("cat /proc/interrupts", 30).splitlines()
                              if "eth0-TxRx-" in line]) or 1
        et0 = ethtool_stats(g)
        cell["echo_per_s"], cell["echo_lost"] = echo_flows(net, SECONDS)
        et1 = ethtool_stats(g)
        # the echo's replies whose TX tail a poll wrote once for its batch
        # (tx_tail_batched, e1000_tx_flush_batch): each tail write is an
        # exit that runs the NIC model's whole transmit path
        cell["echo_tx"] = {k: et1.get(k, 0) - et0.get(k, 0)
                           for k in ("tx_packets", "tx_tail_batched")}
        rx0 = benchlib.net_dev(g.shell("cat /proc/net/dev", 30))[0]
        sn0 = softnet_processed(g.shell("cat /proc/net/softnet_stat", 30))
        lk0 = core_lock(g)
        ip0 = ipis(g)
        gs0 = stat_cpus(g.shell("cat /proc/stat", 30))
        hs0 = host_stat()
        th0, c0 = qemu_threads(g.proc.pid), time.monotonic()
        rips = {}
        if PROFILE and SENDER == "c":
            def during():
                time.sleep(0.3)
                rips.update(sample_rips(g.monitor_path, n, SECONDS - 0.6))
            sent, el, cell["sender_cpu_s"] = flood_c(net, SECONDS, during)
        else:
            sent, el, cell["sender_cpu_s"] = (flood_c if SENDER == "c" else flood_flows)(
                net, SECONDS)
        cell["sender"] = SENDER
        th1, c1 = qemu_threads(g.proc.pid), time.monotonic()
        hs1 = host_stat()
        gs1 = stat_cpus(g.shell("cat /proc/stat", 30))
        # the guest's CPUs over the flood (and the one cat before and after
        # it): the share halted (idle_halt) and in softirq; the host's
        # cores: how many were busy, with this run's QEMU and sender and
        # everything else
        cell["guest_cpu"] = stat_delta(gs0, gs1, ["cpu%d" % i for i in range(n)])
        hb = [y - x for x, y in zip(hs0["cpu"], hs1["cpu"])]
        cell["host_busy_cores"] = round(
            (os.cpu_count() or 1) * hb[0] / max(hb[0] + hb[1], 1), 3)
        time.sleep(0.3)
        rx1 = benchlib.net_dev(g.shell("cat /proc/net/dev", 30))[0]
        sn1 = softnet_processed(g.shell("cat /proc/net/softnet_stat", 30))
        lk1 = core_lock(g)
        ip1 = ipis(g)
        cell["ipis"], cell["nic_irqs"] = ip1[0] - ip0[0], ip1[1] - ip0[1]
        cell["core_lock"] = {"takes": lk1[0] - lk0[0], "contended": lk1[1] - lk0[1],
                             "wait_s": (lk1[2] - lk0[2]) / 1e9, "flood_s": el,
                             "held_s": (lk1[3] - lk0[3]) / 1e9}
        cell["flood_sent_per_s"] = sent / el
        cell["rx_per_s"] = (rx1 - rx0) / el
        cell["processed_per_cpu"] = [b - a for a, b in zip(sn0, sn1)]
        wall = c1 - c0
        cell["qemu_cores"] = {k: round((th1.get(k, 0) - th0.get(k, 0)) / wall, 3)
                              for k in sorted(th1)}
        cell["load_after"] = os.getloadavg()[0]
        if rips:
            cell["profile"] = profile_of(rips, kernel or benchlib.KERNEL)
        g.send("poweroff\r")
        g.wait_exit(30)
    log("%s %s: echo %.0f/s, flood %.0f frames/s of %.0f sent/s (%s sender, %s), processed "
        "per CPU %s, QEMU cores %s, load %.2f" % (
            model, label, cell["echo_per_s"], cell["rx_per_s"], cell["flood_sent_per_s"],
            SENDER, fmt_sender(cell), cell["processed_per_cpu"], cell["qemu_cores"],
            cell["load_before"]))
    return cell



def reference(cells):
    """The 1-CPU figures the others are compared with: the mean of the two
    reference boots (first and last of the run) of this build."""
    refs = [c for c in cells if c["cpus"] == 1 and c["steering"] == "one" and
            not c.get("before")]
    return {k: sum(c[k] for c in refs) / len(refs) for k in ("echo_per_s", "rx_per_s")}


def fmt_sender(c):
    """the sender's host cores and CPU microseconds per datagram sent"""
    if "sender_cpu_s" not in c:
        return "n/a"
    el = c["core_lock"]["flood_s"]
    sent = c["flood_sent_per_s"] * el
    return "%.2f, %.2f" % (c["sender_cpu_s"] / el, 1e6 * c["sender_cpu_s"] / max(sent, 1))


def fmt_cores(q):
    """QEMU's cores in all, then each vCPU thread's, then the rest"""
    each = [v for k, v in sorted(q.items()) if k.startswith("CPU ")]
    return "%.2f (vCPUs %s, other %.2f)" % (sum(each) + q.get("other", 0),
                                           " + ".join("%.2f" % v for v in each), q.get("other", 0))


def sender_name(doc):
    """the run's flood sender, in words (runs before udpflood: Python)"""
    sender = doc.get("sender", "python")
    if sender == "python":
        return "one Python loop of sendto() as fast as it goes"
    rate = doc.get("rate", 0)
    return "build/host/udpflood (C, sendmmsg, bench/udpflood.c) %s" % (
        "paced to %s datagrams/s" % benchlib.fmt(rate) if rate else "as fast as it goes")


# cores the rest of the host may take while the 1-vCPU reference boots
# still count as having it to themselves (this harness's own shell reads)
REST_IDLE = 0.15


def host_split(c, cores):
    """Where the host's cores went during a flood cell, in cores (CPU
    seconds per second): QEMU's vCPU threads, QEMU's main loop with its
    other threads (the NIC model and the tap under the BQL), the flood
    sender, the rest of the host (what its /proc/stat counted busy beyond
    those three: other work, this harness), and idle; with QEMU's host CPU
    per frame received (us: vCPU threads, main loop).  rest and idle are
    None for runs without the host's /proc/stat (before 2026-12-07
    rsscale)."""
    q = c["qemu_cores"]
    vcpu = sum(v for k, v in q.items() if k.startswith("CPU "))
    main = q.get("other", 0.0)
    el = c["core_lock"]["flood_s"] if c.get("core_lock") else SECONDS
    sender = c["sender_cpu_s"] / el if "sender_cpu_s" in c else None
    busy = c.get("host_busy_cores")
    rx = max(c["rx_per_s"], 1e-9)
    return {"vcpu": vcpu, "main": main, "sender": sender,
            "rest": None if busy is None or sender is None else max(busy - vcpu - main - sender,
                                                                   0.0),
            "idle": None if busy is None else max(cores - busy, 0.0),
            "us_vcpu": 1e6 * vcpu / rx, "us_main": 1e6 * main / rx,
            "us_qemu": 1e6 * (vcpu + main) / rx}


def bound(cells, cores, target=TARGET, load_start=0.0):
    """The most frames/s any vCPU count can receive on this host, from the
    run's own 1-CPU reference boots (the note9 analysis): a frame costs
    QEMU the reference's host CPU (us_qemu), the paced sender keeps its
    cores whatever the guest takes, so QEMU can have at most the host's
    cores less the sender's ("idle host"), or less the sender's and the
    rest of the host's as this run found them ("this run").  Returns None
    without reference boots, else a dict: the reference's split (means of
    the boots), its frames/s, both bounds in frames/s and x 1 CPU, and the
    host cores the target ratio needs at that cost (QEMU + sender).  The
    idle-host ratio only where the 1-vCPU boots had the host to themselves
    (the rest of it under REST_IDLE cores, or for runs without the host's
    /proc/stat a load_start under 1.5)."""
    refs = [c for c in cells if c["cpus"] == 1 and c["steering"] == "one" and
            not c.get("before") and "sender_cpu_s" in c]
    if not refs:
        return None     # none, or runs before the sender's CPU was taken
    splits = [host_split(c, cores) for c in refs]

    def mean(k):
        vals = [sp[k] for sp in splits if sp[k] is not None]
        return sum(vals) / len(vals) if vals else None
    out = {k: mean(k) for k in splits[0]}
    rx = sum(c["rx_per_s"] for c in refs) / len(refs)
    cost = out["us_qemu"] / 1e6         # QEMU CPU-seconds per frame
    # the 1-vCPU figure is what 1 vCPU receives alone only if nothing else
    # took a share of the host's cores (the host's /proc/stat; runs
    # without it: the page's own idle-host rule, the load at the start)
    alone = out["rest"] <= REST_IDLE if out["rest"] is not None else load_start < 1.5
    out.update({"rx": rx, "cores": cores, "boots": len(refs), "target": target,
                "alone": alone,
                "busy": out["vcpu"] + out["main"] + out["sender"] + (out["rest"] or 0.0),
                "max_idle": max(cores - out["sender"], 0.0) / cost if cost else None,
                "max_here": (max(cores - out["sender"] - (out["rest"] or 0.0), 0.0) / cost
                             if cost else None),
                "needs": target * rx * cost + out["sender"]})
    for k in ("idle", "here"):
        out["x_" + k] = out["max_" + k] / rx if out["max_" + k] is not None and rx else None
    if not alone:
        out["x_idle"] = None    # over a 1-vCPU figure the load held down: no ratio
    if out["rest"] is None:
        out["x_here"] = None
    return out


def render_split(model, cells, cores, load_start=0.0):
    """The page's "where the host's time goes" table for a model, and the
    bound the 1-CPU reference boots imply (bound()), in words"""
    md = "### %s: where the host's %d cores went during each flood\n\n" % (model, cores)
    md += "| boot | QEMU vCPU threads | QEMU main loop, other threads | flood sender | " \
          "rest of the host | idle | QEMU host CPU per frame, us (vCPU threads + main loop) " \
          "| echo replies sent with their poll's one TX tail write |\n"
    md += "|---|---|---|---|---|---|---|---|\n"

    def fmt(v):
        return "n/a" if v is None else "%.2f" % v
    for c in cells:
        sp = host_split(c, cores)
        tx = c.get("echo_tx")
        batched = ("%.0f%% of %d" % (100.0 * tx["tx_tail_batched"] / tx["tx_packets"],
                                     tx["tx_packets"]) if tx and tx["tx_packets"] else "n/a")
        md += "| %s | %.2f | %.2f | %s | %s | %s | %.2f (%.2f + %.2f) | %s |\n" % (
            c["label"] + (" [BENCH_BEFORE]" if c.get("before") else ""), sp["vcpu"],
            sp["main"], fmt(sp["sender"]), fmt(sp["rest"]), fmt(sp["idle"]), sp["us_qemu"],
            sp["us_vcpu"], sp["us_main"], batched)
    b = bound(cells, cores, load_start=load_start)
    if not b or b["max_idle"] is None:
        return md + "\n"
    md += "\nThe bound, computed from this run's 1-CPU reference boots (%d): at 1 vCPU QEMU took " \
          "%.2f of the host's %d cores (vCPU thread %.2f, main loop %.2f), the sender %.2f, " \
          "the rest of the host %s, idle %s. A frame cost QEMU %.2f us of host CPU (%s " \
          "frames/s received). The sender is paced: it keeps its share whatever the guest " \
          "takes. So at that cost per frame no number of vCPUs can receive more than " \
          "(%d - %.2f) / %.2f us = **%s frames/s** on an otherwise idle host" % (
              b["boots"], b["vcpu"] + b["main"], cores, b["vcpu"], b["main"], b["sender"],
              fmt(b["rest"]), fmt(b["idle"]), b["us_qemu"], benchlib.fmt(b["rx"]), cores,
              b["sender"], b["us_qemu"], benchlib.fmt(b["max_idle"]))
    if b["x_idle"] is not None:
        md += ", **%.2fx** of 1 vCPU's" % b["x_idle"]
    else:
        md += " (no ratio: the rest of the host held the 1-vCPU boots down, so their figure " \
              "is not what 1 vCPU receives alone)"
    if b["x_here"] is not None and not b["alone"]:
        md += "; with the rest of the host as busy as in this run, (%d - %.2f - %.2f) / %.2f " \
              "us = %s frames/s, %.2fx" % (cores, b["sender"], b["rest"], b["us_qemu"],
                                         benchlib.fmt(b["max_here"]), b["x_here"])
    md += ". %.1fx of these 1-vCPU boots would need %.2f host cores at that cost (QEMU %.2f " \
          "+ the sender %.2f), against %d; a second vCPU adds to the cost per frame (the " \
          "2-vCPU rows above).\n\n" % (b["target"], b["needs"], b["needs"] - b["sender"],
                                        b["sender"], cores)
    return md


def render(doc):
    meta = doc["meta"]
    md = "# barenet receive scaling: vCPUs, RSS, RPS (%s)\n\n" % meta["date"]
    md += "- host: %s, %d cores; %s; -accel %s\n" % (meta["machine"], meta["cores"], meta["qemu"],
                                                     meta["accel"])
    md += "- barenet %s; command: `%s`\n" % (meta["barenet"], meta["command"])
    first = float(str(meta["load_start"]).split()[0])
    if first < 1.5:
        # what the run itself puts on the host (a QEMU, a sender) and nothing else
        md += "- host otherwise idle: load average %s at the start of the run, %s at its end " \
              "(this run's own QEMU and flood sender on the %d cores)\n" % (
                  meta["load_start"], meta["load_end"], meta["cores"])
    else:
        md += "- **loaded host**: load average %s at the start of the run, %s at its end " \
              "(other work shares the %d cores)\n" % (meta["load_start"], meta["load_end"],
                                                       meta["cores"])
    md += "- per boot: UDP echo (udp/7) with %d flows, one request in flight each, %.0f s; then a " \
          "%d-flow flood to discard (udp/9), %.0f s, from %s\n" % (
              FLOWS, doc["seconds"], FLOWS, doc["seconds"], sender_name(doc))
    md += "- x 1 CPU: against the mean of the two 1-CPU reference boots of this run (first and " \
          "last)\n"
    md += "- host limit: QEMU's vCPU threads, its main loop (the NIC model and the tap, under " \
          "the BQL) and the flood sender share %d host cores; \"QEMU cores\" is the CPU the QEMU " \
          "process took during the flood (cores = CPU seconds per second); \"frames per QEMU " \
          "CPU-second\" divides the frames received by it, the cost of a frame whatever share " \
          "of the host QEMU got; the lwIP lock column: the share of the core lock's takes " \
          "during the flood that found it held by another vCPU, and the vCPU-seconds per second " \
          "spent waiting for it and holding it (every frame's IP/UDP work runs under that one " \
          "lock, so held per s bounds what more CPUs can add: at 1.0 the lock is never free; " \
          "net/lwip/core_lock.c); IPIs, NIC interrupts per frame: /proc/interrupts' CAL and RES " \
          "rows, and its eth0 rows, over the flood, per frame received (each interrupt may " \
          "wake a halted vCPU: a host thread wake-up); guest CPUs: each vCPU's share of the " \
          "flood halted (idle) and in softirq, from the guest's /proc/stat; host cores busy: " \
          "from the host's /proc/stat over the flood, everything on the host included\n\n" % \
          meta["cores"]
    for model in doc["models"]:
        cells = doc["cells"][model]
        ref = reference(cells)
        md += "## %s (%s)\n\n" % (model, benchlib.MODE_NAMES[MODE[model]])
        md += "| boot | queues | echo replies/s | x 1 CPU | frames received/s | x 1 CPU | " \
              "frames processed per guest CPU | flood sent/s | sender: host cores, CPU us per " \
              "datagram | QEMU cores | frames per QEMU " \
              "CPU-second | lwIP lock: contended takes, CPU-s waited per s, held per s | " \
              "IPIs, NIC interrupts per frame | guest CPUs: halted %, softirq % | " \
              "host cores busy | host load |\n"
        md += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for c in cells:
            cores = sum(c["qemu_cores"].values())
            lk = c.get("core_lock")
            frames = c["rx_per_s"] * (lk["flood_s"] if lk else SECONDS)
            lock = "%.1f%%, %.2f" % (100.0 * lk["contended"] / max(lk["takes"], 1),
                                     lk["wait_s"] / lk["flood_s"]) if lk else "n/a"
            if lk and "held_s" in lk:
                lock += ", %.2f" % (lk["held_s"] / lk["flood_s"])
            ipi = "%.3f" % (c["ipis"] / frames) if "ipis" in c and frames else "n/a"
            if "nic_irqs" in c and frames:
                ipi += ", %.3f" % (c["nic_irqs"] / frames)
            gcpu = " / ".join("%.0f, %.0f" % (100 * h, 100 * sq) for _, h, sq in
                              c["guest_cpu"]) if "guest_cpu" in c else "n/a"
            hbusy = ("%.2f of %d" % (c["host_busy_cores"], doc["meta"]["cores"])
                     if "host_busy_cores" in c else "n/a")
            md += "| %s | %d | %s | %.2f | %s | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s " \
                  "| %.2f |\n" % (
                c["label"] + (" [BENCH_BEFORE]" if c.get("before") else ""), c["queues"],
                benchlib.fmt(c["echo_per_s"]),
                c["echo_per_s"] / ref["echo_per_s"], benchlib.fmt(c["rx_per_s"]),
                c["rx_per_s"] / ref["rx_per_s"], " / ".join(str(x) for x in c["processed_per_cpu"]),
                benchlib.fmt(c["flood_sent_per_s"]) + (
                    " (**sender-bound**)" if c["rx_per_s"] > 0.9 * c["flood_sent_per_s"] else ""),
                fmt_sender(c), fmt_cores(c["qemu_cores"]),
                benchlib.fmt(c["rx_per_s"] / cores) if cores else "n/a", lock, ipi, gcpu, hbusy,
                c["load_before"])
        md += "\n"
        if model == "igb":
            rss2 = [c for c in cells if c["cpus"] == 2 and c["steering"] == "rss" and
                    not c.get("before")]
            if rss2:
                r = rss2[0]["rx_per_s"] / ref["rx_per_s"]

                def per_cpu_s(c):
                    return c["rx_per_s"] / max(sum(c["qemu_cores"].values()), 1e-9)
                refs = [per_cpu_s(c) for c in cells if c["cpus"] == 1 and
                        c["steering"] == "one" and not c.get("before")]
                e = per_cpu_s(rss2[0]) / (sum(refs) / len(refs))
                b = bound(cells, meta["cores"], load_start=first)
                md += "Target (issue 14): igb with 2 vCPUs (RSS) receives at least %.1fx the " \
                      "frames/s of 1 vCPU: %.2fx (%s on that ratio); per QEMU CPU-second %.2fx " \
                      "of 1 vCPU's. On a loaded host the first ratio follows the host CPU QEMU " \
                      "got, the second what a frame costs.%s\n\n" % (
                          TARGET, r, "met" if r >= TARGET else "not met", e,
                          " The most this host allows at 1 vCPU's cost per frame (below): "
                          "%.2fx." % b["x_idle"] if b and b["x_idle"] is not None else "")
        md += render_split(model, cells, meta["cores"], first)
        if any(c.get("before") for c in cells):
            md += before_after(model, cells)
    md += render_profiles(doc)
    md += doc.get("analysis", "")
    return md


def render_profiles(doc):
    """BENCH_SCALING_PROFILE's samples: per boot and vCPU, the functions
    with their share"""
    md = ""
    for model in doc["models"]:
        for c in doc["cells"][model]:
            if "profile" not in c:
                continue
            md += "### %s %s%s: where each vCPU was when sampled during the flood\n\n" % (
                model, c["label"], " [BENCH_BEFORE]" if c.get("before") else "")
            for cpu, p in sorted(c["profile"].items()):
                md += "- CPU %s (%d samples): %s\n" % (cpu, p["samples"], ", ".join(
                    "%s %.0f%%" % (name, 100 * share) for name, share in p["top"]))
            md += "\n"
    return md


def per_frame(c):
    """(frames per QEMU CPU-second, lwIP lock takes per frame, IPIs per
    frame) of a flood cell"""
    cores = sum(c["qemu_cores"].values())
    frames = c["rx_per_s"] * c["core_lock"]["flood_s"]
    return (c["rx_per_s"] / cores if cores else 0.0, c["core_lock"]["takes"] / max(frames, 1),
            c["ipis"] / max(frames, 1))


def before_after(model, cells):
    """BENCH_BEFORE's boots against this build's, pair by pair (each pair
    back to back, the older image first)"""
    md = "### %s: BENCH_BEFORE's image (%s) against this build, back to back\n\n" % (
        model, ", ".join(sorted({c["build"] for c in cells if c.get("before")})))
    md += "| boot | frames received/s before, after | frames per QEMU CPU-second before, " \
          "after | after / before | lwIP lock takes per frame before, after | IPIs per frame " \
          "before, after | host load before, after |\n|---|---|---|---|---|---|---|\n"
    for b, a in zip(cells, cells[1:]):
        if not b.get("before") or a.get("before") or a["label"] != b["label"]:
            continue
        pb, pa = per_frame(b), per_frame(a)
        md += "| %s | %s, %s | %s, %s | %.2f | %.3f, %.3f | %.3f, %.3f | %.2f, %.2f |\n" % (
            a["label"], benchlib.fmt(b["rx_per_s"]), benchlib.fmt(a["rx_per_s"]),
            benchlib.fmt(pb[0]), benchlib.fmt(pa[0]), pa[0] / pb[0] if pb[0] else 0.0,
            pb[1], pa[1], pb[2], pa[2], b["load_before"], a["load_before"])
    return md + "\n"


def rerender(path):
    """bench/scaling.py's page again from its .json (python3 -c ... or
    after a change to render)"""
    with open(path) as f:
        doc = json.load(f)
    with open(path[:-len(".json")] + ".md", "w") as f:
        f.write(render(doc))


def run(out_root, date, models=("igb", "e1000")):
    """Every model's boots in configs() order; writes the page and .json
    under out_root/scaling; returns the page's path."""
    out_dir = os.path.join(out_root, "scaling")
    os.makedirs(out_dir, exist_ok=True)
    cpu, qemu = benchlib.machine()
    meta = {"date": date, "machine": cpu, "cores": os.cpu_count(), "qemu": qemu,
            "accel": ACCEL, "load_start": "%.2f %.2f %.2f" % os.getloadavg(),
            "command": "BENCH_ONLY=scaling make bench" + (" BENCH_QUICK=1" if QUICK else "") +
            "".join(" %s=%s" % (k, os.environ[k]) for k in (
                "BENCH_MODELS", "BENCH_SCALING_CPUS", "BENCH_SCALING_SENDER",
                "BENCH_SCALING_RATE", "BENCH_SCALING_PROFILE", "BENCH_SCALING_STEERING")
                if os.environ.get(k))}
    doc = {"meta": meta, "models": list(models), "cells": {}, "seconds": SECONDS,
           "flows": FLOWS, "quick": QUICK, "sender": SENDER, "rate": RATE}
    if BEFORE and not os.path.isfile(BEFORE):
        raise SystemExit("bench: BENCH_BEFORE: no such image %r" % BEFORE)
    if BEFORE:
        meta["command"] += " BENCH_BEFORE=%s" % BEFORE
    for model in models:
        doc["cells"][model] = []
        for c in configs(model):
            if BEFORE:
                doc["cells"][model].append(measure(model, *c, kernel=BEFORE))
            doc["cells"][model].append(measure(model, *c))
    meta["load_end"] = "%.2f %.2f %.2f" % os.getloadavg()
    meta["barenet"] = ", ".join(sorted({c["build"] for cs in doc["cells"].values() for c in cs}))
    base = os.path.join(out_dir, "%s-scaling" % date)
    benchlib.write_doc(base, doc, render)
    return base + ".md"
