"""BENCH_ONLY=iperf3 (and a part of make bench): iperf3 3.20 as barenet's
application (make iperf3: built unmodified from Debian's orig tarball),
measured by the host's stock iperf3 client both ways, next to the Linux
guest running the very same program (the same static musl binary,
build/release/apps/iperf3/iperf3.elf, added to the Linux guest's initramfs as a
second cpio archive: the kernel unpacks both).

Per round and per NIC model (its default interrupt mode), back to back,
each in its own network namespace and boot:

  to guest     iperf3 -c GUEST -t T -J        (the host sends)
  from guest   iperf3 -c GUEST -t T -J -R     (the guest sends)

The figure is the receiver's (end.sum_received.bits_per_second), with the
sender's retransmissions where the sender is the host (Linux's TCP_INFO).
The host is shared: `uptime`'s load averages are recorded before each cell.
BENCH_IPERF3_ROUNDS (default 2), BENCH_IPERF3_SECONDS (default 5),
BENCH_MODELS (default e1000 here).  Writes bench/results/iperf3/
<date>-<time>.{json,md}."""
import datetime
import gzip
import io
import json
import os
import subprocess
import time

import run                      # first: it puts tests/qemu on the path
import benchlib
import harness
import netns

ROUNDS = int(os.environ.get("BENCH_IPERF3_ROUNDS", "2"))
SECONDS = int(os.environ.get("BENCH_IPERF3_SECONDS", "5"))
OUT = os.path.join(run.ROOT, "bench", "results", "iperf3")
BUILD = os.path.join(run.ROOT, "build")
# the release flavour, as every image make bench boots (make iperf3
# FLAVOUR=release builds it in build/release)
KERNEL = os.path.join(BUILD, "release", "apps", "iperf3", "barenet.elf")
PROGRAM = os.path.join(BUILD, "release", "apps", "iperf3", "iperf3.elf")
INITRD = os.path.join(BUILD, "bench", "iperf3", "initrd.cpio.gz")


def log(msg):
    print("bench-iperf3: " + msg, flush=True)


def build():
    """make iperf3; then the Linux guest's initramfs with the program too."""
    r = subprocess.run(["make", "-s", "-j2", "iperf3", "FLAVOUR=release"], cwd=run.ROOT, capture_output=True,
                       text=True, timeout=1800)
    if r.returncode:
        raise SystemExit("bench: make iperf3 FLAVOUR=release failed:\n" + r.stdout + r.stderr)
    os.makedirs(os.path.dirname(INITRD), exist_ok=True)
    # newc cpio of /usr/bin/iperf3 (the directories exist in the first)
    with open(PROGRAM, "rb") as f:
        data = f.read()
    cpio = io.BytesIO()

    def entry(name, mode, body):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            0, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0, len(name_b), 0))
        cpio.write(hdr.encode() + name_b)
        cpio.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
        cpio.write(body)
        cpio.write(b"\0" * ((4 - len(body) % 4) % 4))
    entry("usr/bin/iperf3", 0o100755, data)
    entry("TRAILER!!!", 0, b"")
    with open(os.path.join(run.LINUX_DIR, "initrd.cpio.gz"), "rb") as f:
        base = f.read()
    with open(INITRD + ".part", "wb") as f:
        f.write(base)
        f.write(gzip.compress(cpio.getvalue()))
    os.replace(INITRD + ".part", INITRD)


def linux_guest(net, model, mode):
    """The bench's Linux guest (run.BenchGuest's), with INITRD."""
    bg = run.BenchGuest.__new__(run.BenchGuest)
    args, why = benchlib.linux_mode_args(model, mode)
    if args is None:
        raise ValueError(why)
    append = "console=ttyS0 quiet loglevel=3 panic=-1 bn_ip=%s/%d bn_nic=%s" % (
        run.GUEST, netns.PREFIXLEN4, model) + args
    bg.kind, bg.net, bg._marks = "linux", net, 0
    bg.g = net.guest("bench-iperf3-linux-" + model, nic=model, mac=run.MAC, mem=run.MEM,
                     debug_exit=False, kernel=os.path.join(run.LINUX_DIR, "vmlinuz"),
                     append=append, extra=["-initrd", INITRD])
    bg.start = bg.g.start_time
    return bg


def client(net, bg, reverse):
    """One iperf3 -c run: (Mbit/s received, retransmissions or None)."""
    cmd = ["iperf3", "-c", run.GUEST, "-t", str(SECONDS), "-J"] + (["-R"] if reverse else [])
    p = net.popen(cmd)
    deadline = time.monotonic() + SECONDS + 60
    while p.poll() is None and time.monotonic() < deadline:
        bg.g.watch(0.5)         # keep the guest's console drained
    if p.poll() is None:
        p.kill()
    out, _ = p.communicate(timeout=30)
    try:
        rep = json.loads(out)
    except ValueError:
        return None, None
    if "error" in rep:
        log("iperf3: %s" % rep["error"])
        return None, None
    end = rep["end"]
    retr = end.get("sum_sent", {}).get("retransmits") if not reverse else None
    return round(end["sum_received"]["bits_per_second"] / 1e6, 1), retr


def measure(kind, model, mode):
    with netns.TestNet() as net:
        run.pin_neighbour(net)
        if kind == "barenet":
            bg = run.BenchGuest(net, "barenet", model, mode, kernel=KERNEL, extra="-- -s",
                                name="bench-iperf3-barenet-" + model)
            bg.g.wait_for(r"Server listening on 5201", 180)
        else:
            bg = linux_guest(net, model, mode)
            bg.wait_ready(180)
            bg.cmd("iperf3 -s -D")
        time.sleep(0.5)
        out = {"load_before": [round(x, 2) for x in os.getloadavg()]}
        if kind == "barenet":
            out["build"] = harness.BANNER_RE.search(bg.g.output).group("build")
        for key, reverse in (("to_guest", False), ("from_guest", True)):
            mbps, retr = client(net, bg, reverse)
            out[key] = {"mbps": mbps}
            if retr is not None:
                out[key]["host_retransmits"] = retr
            time.sleep(1)
        out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    log("%s %s: %s" % (kind, model, json.dumps(out)))
    return out


def render(doc):
    m = doc["meta"]
    md = "# iperf3 3.20: barenet's application against the Linux guest\n\n"
    md += "%s, %s; host CPU %s; QEMU %s (%s); barenet %s\n\n" % (
        m["date"], m["model"], m.get("machine", "?"), m.get("qemu", "?"), m["accel"], m.get("barenet", "?"))
    md += "Command: `%s`. Host client: %s. Each figure is the receiver's Mbit/s of one " \
          "`iperf3 -c GUEST -t %d` (to guest) or `-R` (from guest); both guests run the same " \
          "static iperf3 3.20 (musl) as `iperf3 -s`. The host is shared with other work: " \
          "the load averages are `uptime`'s before each cell.\n\n" % (
              doc["command"], doc["client"], doc["seconds"])
    md += "| round | model | guest | to guest Mbit/s | from guest Mbit/s | host retransmits | load before |\n"
    md += "|---|---|---|---|---|---|---|\n"
    for r in doc["rounds"]:
        for model, cells in r["models"].items():
            for kind, c in cells.items():
                md += "| %d | %s | %s | %s | %s | %s | %s |\n" % (
                    r["round"], model, kind, c["to_guest"]["mbps"], c["from_guest"]["mbps"],
                    c["to_guest"].get("host_retransmits", "-"),
                    " ".join("%.2f" % x for x in c["load_before"]))
    return md


def main():
    models = os.environ.get("BENCH_IPERF3_MODELS", os.environ.get("BENCH_MODELS", "e1000")).split()
    ok, why = netns.available()
    if not ok:
        raise SystemExit("bench: " + why)
    if not os.path.exists(os.path.join(run.LINUX_DIR, "versions.txt")):
        raise SystemExit("bench: no Linux guest in %s (tools/bench-linux.sh builds it)" % run.LINUX_DIR)
    build()
    now = datetime.datetime.utcnow()
    meta = run.machine_meta()
    meta.update({"date": now.strftime("%Y-%m-%d %H:%M UTC"), "accel": harness.choose_accel(),
                 "model": ", ".join(models)})
    client_version = subprocess.run(["iperf3", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0]
    doc = {"meta": meta, "rounds": [], "seconds": SECONDS, "client": client_version,
           "command": "BENCH_ONLY=iperf3 BENCH_MODELS=\"%s\" BENCH_IPERF3_ROUNDS=%d make bench"
                      % (" ".join(models), ROUNDS)}
    t0 = time.monotonic()
    for rnd in range(1, ROUNDS + 1):
        r = {"round": rnd, "models": {}}
        for model in models:
            mode = benchlib.MODEL_MODES[model][0]
            r["models"][model] = {"barenet": measure("barenet", model, mode),
                                  "linux": measure("linux", model, mode)}
        doc["rounds"].append(r)
    meta["barenet"] = ", ".join(sorted({c["barenet"]["build"] for r in doc["rounds"]
                                        for c in r["models"].values()}))
    benchlib.write_run(OUT, now, doc, render, t0)


if __name__ == "__main__":
    main()
