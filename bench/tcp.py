"""BENCH_ONLY=tcp: TCP both ways with barenet's offloads on and off, next
to the Linux guest (its offloads as its drivers set them: on).

Per round and per NIC model (in its default interrupt mode), back to back
in one network namespace each: barenet with its offloads on (`ethtool -K
eth0 tx on tso on gro on rx on`), barenet with them off (`tx off tso off
gro off rx off`; what each really is afterwards is read back from `ethtool
-k`), then Linux.  Each cell runs the host's stock iperf 2:

  to guest     iperf -c GUEST -t T          (the host sends)
  from guest   iperf -c GUEST -t T -R       (the guest sends on the
                                              host's connection: barenet's
                                              lwiperf patch 0042, Linux's
                                              iperf -s)

and beside each figure what tells where the time goes: the guest's CPU
busy share over the run (/proc/stat before and after), the QEMU process's
host CPU (cores, /proc/PID/stat), the guest's TCP segment counts
(/proc/net/snmp: InSegs, OutSegs, RetransSegs) and, for barenet, the NIC
and GRO counters of `ethtool -S` (TSO sends and segments, GRO merges).
UDP echo (1400 B and 64 B, 8 in flight) is measured in each cell too, to
show that the offload state does not cost UDP.

The host is shared: `uptime`'s load averages are recorded before each
cell.  BENCH_TCP_ROUNDS (default 2) rounds; BENCH_MODELS as make bench;
BENCH_TCP_SECONDS (default 5) per iperf run.  BENCH_TCP_BEFORE=ELF: that
barenet image (an older build, say) is measured too, offloads on, in the
same rounds right before this tree's, for a before/after back to back.
Writes bench/results/tcp/<date>-<time>.{json,md}."""
import datetime
import json
import os
import statistics
import time

import run
import benchlib
import harness
import netns
from netparse import parse_ethtool_stats, without_klog

ROUNDS = int(os.environ.get("BENCH_TCP_ROUNDS", "2"))
SECONDS = int(os.environ.get("BENCH_TCP_SECONDS", "5"))
UDP_CELLS = [(1400, 8), (64, 8)]
OFFLOADS = {"on": "tx on tso on gro on rx on", "off": "tx off tso off gro off rx off"}
FEATURES = ("tx-checksumming", "tcp-segmentation-offload", "generic-receive-offload",
            "rx-checksumming")
ETHTOOL_KEYS = ("tx_tso_sends", "tx_tso_segments", "tx_tso_descs", "tx_tso_dropped",
                "tx_csum_offload", "rx_gro_skbs", "rx_gro_packets", "tx_packets", "rx_packets")
OUT = os.path.join(run.ROOT, "bench", "results", "tcp")


def tcp_snmp(text):
    """The Tcp: counters of /proc/net/snmp as a dict."""
    rows = [line.split() for line in text.splitlines() if line.startswith("Tcp:")]
    if len(rows) < 2:
        return {}
    return {k: int(v) for k, v in zip(rows[0][1:], rows[1][1:]) if v.lstrip("-").isdigit()}


def features(text):
    """ethtool -k: {name: "on"/"off"} of FEATURES."""
    out = {}
    for line in text.splitlines():
        name, _, rest = line.strip().partition(":")
        if name in FEATURES:
            out[name] = rest.split()[0] if rest.split() else "?"
    return out


def iperf(net, reverse):
    """Mbit/s of one `iperf -c` (-R: the guest sends); the client's report."""
    cmd = ["iperf", "-c", run.GUEST, "-t", str(SECONDS), "-y", "C"] + (["-R"] if reverse else [])
    r = net.run(cmd, timeout=SECONDS + 90)
    for line in r.stdout.splitlines():
        f = line.split(",")
        if len(f) >= 9 and f[7].isdigit():
            return int(f[8]) / 1e6
    return None


class Snap:
    """What is read from the guest before and after one iperf run."""

    def __init__(self, bg):
        self.kind = bg.kind
        self.stat = benchlib.parse_stat_cpu(bg.cat("/proc/stat"))
        self.tcp = tcp_snmp(bg.cat("/proc/net/snmp"))
        self.irqs = benchlib.nic_irqs(bg.cat("/proc/interrupts"))
        self.ethtool = {}
        if bg.kind == "barenet":
            self.ethtool = parse_ethtool_stats(without_klog(bg.cmd("ethtool -S eth0")))
        self.qemu = benchlib.proc_cpu_seconds(bg.g.proc.pid)
        self.t = time.monotonic()


def delta(a, b, wall):
    busy, _, _ = benchlib.cpu_busy(a.stat, b.stat)
    d = {"guest_busy": round(busy, 3),
         "qemu_cores": round((b.qemu - a.qemu) / wall, 3),
         "wall_s": round(wall, 2),
         "nic_irqs_per_s": round((b.irqs - a.irqs) / wall)}
    for k in ("InSegs", "OutSegs", "RetransSegs"):
        if k in a.tcp and k in b.tcp:
            d[k] = b.tcp[k] - a.tcp[k]
    for k in ETHTOOL_KEYS:
        if k in a.ethtool and k in b.ethtool:
            d[k] = b.ethtool[k] - a.ethtool[k]
    return d


def cell(net, bg):
    """Both directions and the UDP cells on the booted guest bg."""
    res = {}
    for key, reverse in (("to_guest", False), ("from_guest", True)):
        a = Snap(bg)
        mbps = iperf(net, reverse)
        # the end of the run: the guest's side has closed (lwiperf's
        # sender stops on its own clock)
        time.sleep(0.5)
        b = Snap(bg)
        res[key] = {"mbps": mbps, **delta(a, b, b.t - a.t)}
    for size, n in UDP_CELLS:
        res["udp_%d_%d" % (size, n)] = round(run.udp_echo(net, size, n, run.UDP_SECONDS)[0])
    return res


BEFORE = os.environ.get("BENCH_TCP_BEFORE")
# the rows of a model, in this order
CELLS = ["barenet before, offloads on", "barenet offloads on", "barenet offloads off", "linux"]


def measure(kind, model, mode, offloads=None, kernel=benchlib.KERNEL):
    """One boot of kind on model; offloads "on"/"off" (barenet) or None."""
    with netns.TestNet() as net:
        run.pin_neighbour(net)
        tag = "-" + offloads if offloads else ""
        if kernel != benchlib.KERNEL:
            tag += "-before"
        bg = run.BenchGuest(net, kind, model, mode, kernel=kernel,
                            name="bench-tcp-%s-%s%s" % (kind, model, tag))
        bg.wait_ready(180)
        if not run.wait_udp_echo(net, 60):
            raise RuntimeError("%s on %s: no UDP echo; log %s" % (kind, model, bg.g.logpath))
        out = {"load_before": [round(x, 2) for x in os.getloadavg()]}
        if kind == "barenet":
            out["build"] = benchlib.image_build(bg.g.output)
            # one feature at a time: a model without one (no RX checksum
            # check) refuses only that one
            words = OFFLOADS[offloads].split()
            for i in range(0, len(words), 2):
                bg.cmd("ethtool -K eth0 %s %s" % (words[i], words[i + 1]))
            out["features"] = features(without_klog(bg.cmd("ethtool -k eth0")))
        out.update(cell(net, bg))
        out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    log("%s %s%s: %s" % (kind, model, " offloads " + offloads if offloads else "",
                         json.dumps(out)))
    return out


def log(msg):
    run.log("tcp: " + msg)


def fmt(v):
    return "—" if v is None else "{:,.0f}".format(v)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def medians(doc):
    """Per model and guest: the median over the rounds of each direction,
    and the ratio of barenet's median to Linux's."""
    md = "Medians over the %d round%s:\n\n" % (len(doc["rounds"]),
                                              "" if len(doc["rounds"]) == 1 else "s")
    md += "| model | guest | to guest Mbit/s | from guest Mbit/s | ratio to Linux (to / from) |\n"
    md += "|---|---|---:|---:|---:|\n"
    models = []
    for r in doc["rounds"]:
        models += [m for m in r["models"] if m not in models]
    for model in models:
        med = {}
        for name in CELLS:
            cs = [r["models"][model][name] for r in doc["rounds"]
                  if name in r["models"].get(model, {})]
            if cs:
                med[name] = {d: median([c[d]["mbps"] for c in cs])
                             for d in ("to_guest", "from_guest")}
        lx = med.get("linux")
        for name, m in med.items():
            rt = ""
            if name != "linux" and lx:
                rt = " / ".join("%.2f" % (m[d] / lx[d]) if m[d] and lx[d] else "—"
                                for d in ("to_guest", "from_guest"))
            md += "| %s | %s | %s | %s | %s |\n" % (model, name, fmt(m["to_guest"]),
                                                   fmt(m["from_guest"]), rt)
    return md


def render(doc):
    md = "# TCP both ways, offloads on and off, barenet vs Linux (%s)\n\n" % doc["meta"]["date"]
    md += benchlib.header(doc["meta"])
    md += "- command: `%s`\n" % doc["command"]
    if doc.get("before"):
        md += "- barenet before: %s (%s)\n" % (doc["before"], doc["meta"].get("before_build"))
    md += "- each cell: `iperf -c GUEST -t %d` (to the guest) and `iperf -c GUEST -t %d -R` " \
          "(from the guest), the host's iperf 2 client's figure; UDP echo %.1f s\n" % (
              SECONDS, SECONDS, run.UDP_SECONDS)
    md += "- host load (uptime's 1/5/15 min averages) before each cell is in the rows: the " \
          "host is shared with other work, every figure is a loaded one; barenet and Linux " \
          "ran back to back per model and round\n\n"
    md += "| round | model | guest | load 1 min | to guest Mbit/s | from guest Mbit/s | " \
          "ratio to Linux (to / from) | UDP 1400 B x8 req/s | UDP 64 B x8 req/s |\n"
    md += "|---:|---|---|---:|---:|---:|---:|---:|---:|\n"
    for rnd in doc["rounds"]:
        for model, cells in rnd["models"].items():
            lx = cells.get("linux", {})
            for name in CELLS:
                c = cells.get(name)
                if not c:
                    continue
                rt = ""
                if name != "linux" and lx:
                    rt = "%s / %s" % tuple(
                        "%.2f" % (c[d]["mbps"] / lx[d]["mbps"])
                        if c[d]["mbps"] and lx[d]["mbps"] else "—"
                        for d in ("to_guest", "from_guest"))
                md += "| %d | %s | %s | %.1f | %s | %s | %s | %s | %s |\n" % (
                    rnd["round"], model, name, c["load_before"][0], fmt(c["to_guest"]["mbps"]),
                    fmt(c["from_guest"]["mbps"]), rt, fmt(c.get("udp_1400_8")),
                    fmt(c.get("udp_64_8")))
    md += "\n" + medians(doc)
    md += "\n## Where the time goes\n\nPer run: guest CPU busy (/proc/stat), QEMU's host " \
          "CPU in cores (TCG: one vCPU thread plus QEMU's I/O thread; the NIC's TX and RX " \
          "emulation runs in the vCPU thread), Mbit/s per QEMU core (what a loaded " \
          "host's scheduling changes least), the guest's TCP " \
          "segments in and out (/proc/net/snmp; lwIP counts no pure ACK in OutSegs), NIC " \
          "interrupts per second (/proc/interrupts, eth0 rows) and, for barenet, TSO sends and segments " \
          "and GRO merges (ethtool -S).\n\n"
    md += "| round | model | guest | direction | Mbit/s | guest busy | QEMU cores | Mbit per " \
          "QEMU CPU s | NIC IRQs/s | InSegs | OutSegs | Retrans | TSO sends | TSO segs | GRO skbs | " \
          "GRO segs |\n"
    md += "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for rnd in doc["rounds"]:
        for model, cells in rnd["models"].items():
            for name in (n for n in CELLS if n in cells):
                c = cells[name]
                for d in ("to_guest", "from_guest"):
                    x = c[d]
                    md += "| %d | %s | %s | %s | %s | %.0f %% | %.2f | %s | %s | %s | %s | %s " \
                          "| %s | %s | %s | %s |\n" % (
                              rnd["round"], model, name, d.replace("_", " "), fmt(x["mbps"]),
                              100 * x["guest_busy"], x["qemu_cores"],
                              fmt(x["mbps"] / x["qemu_cores"]
                                  if x["mbps"] and x["qemu_cores"] else None),
                              fmt(x.get("nic_irqs_per_s")),
                              *(fmt(x.get(k)) for k in ("InSegs", "OutSegs", "RetransSegs",
                                                        "tx_tso_sends", "tx_tso_segments",
                                                        "rx_gro_skbs", "rx_gro_packets")))
    return md


def main():
    models = os.environ.get("BENCH_MODELS", "e1000 e1000e igb").split()
    ok, why = netns.available()
    if not ok:
        raise SystemExit("bench: " + why)
    now = datetime.datetime.utcnow()
    meta = run.machine_meta()
    meta.update({"date": now.strftime("%Y-%m-%d %H:%M UTC"), "accel": harness.choose_accel(),
                 "model": ", ".join(models),
                 "mode": ", ".join("%s %s" % (m, benchlib.MODE_NAMES[benchlib.MODEL_MODES[m][0]])
                                   for m in models)})
    doc = {"meta": meta, "rounds": [], "seconds": SECONDS, "before": BEFORE,
           "command": "%sBENCH_ONLY=tcp BENCH_MODELS=\"%s\" BENCH_TCP_ROUNDS=%d make bench"
                      % ("BENCH_TCP_BEFORE=%s " % BEFORE if BEFORE else "", " ".join(models),
                         ROUNDS)}
    t0 = time.monotonic()
    for rnd in range(1, ROUNDS + 1):
        r = {"round": rnd, "models": {}}
        for model in models:
            mode = benchlib.MODEL_MODES[model][0]
            cells = {}
            if BEFORE:
                cells[CELLS[0]] = measure("barenet", model, mode, "on", kernel=BEFORE)
            for off in ("on", "off"):
                cells["barenet offloads " + off] = measure("barenet", model, mode, off)
            cells["linux"] = measure("linux", model, mode)
            r["models"][model] = cells
        doc["rounds"].append(r)
    builds = {c["build"] for r in doc["rounds"] for cs in r["models"].values()
              for n, c in cs.items() if "build" in c and n != CELLS[0]}
    before = {c["build"] for r in doc["rounds"] for cs in r["models"].values()
              for n, c in cs.items() if "build" in c and n == CELLS[0]}
    if before:
        meta["before_build"] = ", ".join(sorted(before))
    meta["barenet"] = ", ".join(sorted(builds))
    benchlib.write_run(OUT, now, doc, render, t0)


if __name__ == "__main__":
    main()
