"""The socket API's UDP echo against the callback echo, before/after: one
boot per image given, the same cells as make bench's measure_sock.

  bench/sockab.py SMP REPS BUILD_DIR[:CMDLINE]...

Each BUILD_DIR is a tree's build directory holding apps/sockbench/barenet.elf
(`make app-kernel APP=tests/apps/sockbench.c FLAVOUR=release` makes
build/release/apps/sockbench/barenet.elf, the image make bench boots; a
BUILD_DIR of build/ has the checked one); each boot prints its image's tree
and flavour.  A BUILD_DIR may carry more of the guest's command line after a
colon (build/release:net.core.busy_read=50 boots that image with busy
polling; the same directory with and without compares the two in one
run).  Per image: igb in its default
mode with SMP CPUs; REPS rounds of every SOCK_UDP cell (or only CELL=64_1
etc.), each the callback echo (udp/7) then the application's (udp/7007),
2 s each, back to back.  ETH="weight 0 1" runs `ethtool -X eth0 ETH` first:
with 2 CPUs every flow then arrives on queue 1 (CPU 1) while the
application runs on CPU 0 (kernel/app/thread.c), the cross-CPU case, which
otherwise depends on the random RSS key and the client's port.  Prints each
round's callback/socket=ratio and the median ratio per image, then per
round the QEMU process's CPU milliseconds, the guest's hard interrupts
(/proc/stat) and the frames busy polling took (/proc/net/netstat's
BusyPollRxPackets) per 1000 replies of each side (the CPU time is less moved by
the host's load than the rates).  Root (a
network namespace).  Give the images alternately (A B A B) on a loaded
host.

MODEL=e1000|e1000e|igb picks the model (default igb; each in make bench's
default mode).  PROF=SECONDS: after the rounds, the guest's RIP sampled
(bench/profile.py's reading, its caveats) for that long during 64 B x8 of
each echo, named by the image's symbols, top functions printed per image
and side, with the samples per reply (a sample lands about every 3 ms of
wall time, so samples per reply compares the sides' cost loosely).

TRACE=N: after the rounds, per side a 2 s 64 B x8 echo with the journey
sampling 1 frame in N (`trace sample N`, records read from GET
/trace.csv), and where a request and its reply spend their time in the
guest, mean and median in microseconds over the sampled frames:
  rx irq->read   a request from the interrupt that began its poll to the
                 application's read (socket; the callback's rx_app)
  rx queued      queued to the socket to read by the application
  tx app->tail   a reply from its send to its TX tail write (a tail left
                 for later: deferred tails, net/core/xmit.h)."""
import collections
import os
import statistics
import sys
import threading
import time

import run
import benchlib  # noqa: E402  (after run: tests/qemu on the path)
import netns  # noqa: E402
import profile  # noqa: E402


def guest_intr(bg):
    """The guest's interrupt count (/proc/stat's intr line)."""
    for line in bg.cmd("cat /proc/stat").splitlines():
        if line.startswith("intr "):
            return int(line.split()[1])
    return 0


def busy_packets(bg):
    """Frames busy polling took so far (TcpExt BusyPollRxPackets)."""
    lines = [ln.split() for ln in bg.cmd("cat /proc/net/netstat").splitlines()
             if ln.startswith("TcpExt:")]
    if len(lines) >= 2 and "BusyPollRxPackets" in lines[0]:
        return int(lines[1][lines[0].index("BusyPollRxPackets")])
    return 0


def costed(bg, net, size, n, port):
    """Replies/s of a 2 s echo to port, and (QEMU CPU ms, guest hard
    interrupts, frames taken by busy polling) per 1000 replies."""
    pid = bg.g.proc.pid
    b0 = busy_packets(bg)
    i0, c0, t0 = guest_intr(bg), benchlib.proc_cpu_seconds(pid), time.monotonic()
    rate = run.udp_echo(net, size, n, 2.0, port=port)[0]
    c1, t1 = benchlib.proc_cpu_seconds(pid), time.monotonic()
    i1 = guest_intr(bg)
    b1 = busy_packets(bg)
    k = rate * (t1 - t0) / 1000.0
    return rate, tuple((v / k if k else 0.0) for v in ((c1 - c0) * 1000.0, i1 - i0, b1 - b0))


def sampled(bg, net, elf, port, secs):
    """The RIP shares and samples per reply during 64 B x8 to port."""
    addrs, names = profile.elf_symbols(elf)
    res = {}
    th = threading.Thread(target=lambda: res.setdefault("r", run.udp_echo(net, 64, 8, secs + 1,
                                                                          port=port)))
    th.start()
    time.sleep(0.5)
    rips = profile.monitor_rips(bg.g.monitor_path, secs)
    th.join()
    cnt = collections.Counter(profile.name_of(addrs, names, r) for r in rips)
    rate = res["r"][0]
    lines = ["  port %d: %d samples, %.0f req/s while sampled, %.4f samples per reply"
             % (port, len(rips), rate, len(rips) / (rate * secs) if rate else 0.0)]
    for nm, k in cnt.most_common(int(os.environ.get("TOP", "30"))):
        lines.append("    %5.1f%% %s" % (100.0 * k / max(1, len(rips)), nm))
    return "\n".join(lines)


def journey_means(csv):
    """{name: (mean us, median us, count)} of the journey's intervals in a
    GET /trace.csv body (ns since boot per stage; empty: not reached)."""
    lines = csv.strip().splitlines()
    head = lines[0].split(",")
    spans = {"rx irq->read": ("rx_irq", "rx_read"), "rx irq->app": ("rx_irq", "rx_app"),
             "rx queued": ("rx_sockq", "rx_read"), "tx app->tail": ("tx_app", "tx_tail"),
             "tx xmit->tail": ("tx_xmit", "tx_tail")}
    vals = {k: [] for k in spans}
    for ln in lines[1:]:
        r = dict(zip(head, ln.split(",")))
        for k, (a, b) in spans.items():
            if r.get(a) and r.get(b):
                vals[k].append((int(r[b]) - int(r[a])) / 1000.0)
    return {k: (statistics.mean(v), statistics.median(v), len(v)) for k, v in vals.items() if v}


def traced(bg, net, port, n):
    """The journey's means for a 2 s 64 B x8 echo to port, 1 frame in n."""
    bg.cmd("trace reset")
    bg.cmd("trace sample %d" % n)
    rate = run.udp_echo(net, 64, 8, 2.0, port=port)[0]
    bg.cmd("trace sample 0")
    body = net.http_get(run.GUEST, "/trace.csv", timeout=30).split(b"\r\n\r\n", 1)[-1]
    m = journey_means(body.decode(errors="replace"))
    return "  port %d (%.0f req/s while sampled): %s" % (port, rate, "; ".join(
        "%s %.1f/%.1f us (%d)" % (k, a, b, c) for k, (a, b, c) in m.items()))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    smp, reps, builds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    cells = [c for c in benchlib.SOCK_UDP if os.environ.get("CELL", "") in ("", "%d_%d" % c)]
    eth = os.environ.get("ETH")
    model = os.environ.get("MODEL", "igb")
    mode = benchlib.MODEL_MODES[model][0]
    prof = float(os.environ.get("PROF", "0"))
    trace = int(os.environ.get("TRACE", "0"))
    out, costs, profs, traces = {}, {}, [], []
    for i, build in enumerate(builds):
        bdir, _, extra = build.partition(":")
        # absolute: QEMU does not run in the caller's directory
        elf = os.path.abspath(os.path.join(bdir, "apps", "sockbench", "barenet.elf"))
        with netns.TestNet() as net:
            bg = run.sock_guest(net, model, mode, smp, elf, "sockab-%d" % i, extra=extra)
            print("%s: %s" % (elf, benchlib.image_build(bg.g.output)), flush=True)
            if eth:
                bg.cmd("ethtool -X eth0 " + eth)
            for _ in range(reps):
                for size, n in cells:
                    cb, cbc = costed(bg, net, size, n, run.ECHO_PORT)
                    so, soc = costed(bg, net, size, n, run.SOCK_UDP_PORT)
                    out.setdefault((size, n), {}).setdefault(build, []).append((cb, so))
                    costs.setdefault((size, n), {}).setdefault(build, []).append((cbc, soc))
            if trace:
                traces.append("%s (%s), journey means/medians:\n%s\n%s" % (
                    build, model, traced(bg, net, run.ECHO_PORT, trace),
                    traced(bg, net, run.SOCK_UDP_PORT, trace)))
            if prof:
                profs.append("%s (%s):\n%s\n%s" % (build, model, sampled(
                    bg, net, elf, run.ECHO_PORT, prof), sampled(bg, net, elf, run.SOCK_UDP_PORT, prof)))
    for (size, n), per in out.items():
        for build, rounds in per.items():
            print("udp %d B %d in flight %s: %s median ratio %.2f" % (
                size, n, build, " ".join("%d/%d=%.2f" % (c, s, s / c if c else 0) for c, s in rounds),
                statistics.median(s / c for c, s in rounds if c)))
    for (size, n), per in costs.items():
        for build, rounds in per.items():
            print("udp %d B %d in flight %s: QEMU CPU ms / guest interrupts / busy-polled "
                  "frames per 1000 replies, callback | socket: %s" % (size, n, build, " ".join(
                      "%.0f/%.0f/%.0f|%.0f/%.0f/%.0f" % (c + s) for c, s in rounds)))
    print("load average at the end: %.1f %.1f %.1f" % os.getloadavg())
    for p in traces + profs:
        print(p)


if __name__ == "__main__":
    main()
