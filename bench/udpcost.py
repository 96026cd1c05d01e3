"""UDP echo (udp/7) cost per request of barenet images, back to back, on
e1000 (MODEL=) in its default mode with 1 CPU: replies/s and requests per QEMU
CPU-second (user+system time of the QEMU process, all its threads:
benchlib.proc_cpu_seconds; less moved by the host's load than replies/s)
for 64 B and 1400 B with 8 in flight, then the guest's RIP sampled
(bench/profile.py's reading, with the same caveats) during 64 B x8, named
by each image's own symbols.

  python3 bench/udpcost.py LABEL=ELF [LABEL=ELF...]     (root; SECS=4 SAMP=6 MODEL=e1000)

SAMP=0 skips the sampling; MODEL names the NIC model.

e.g. `bench/udpcost.py now=build/release/barenet.elf before=/path/to/old.elf`
(build/release: the release image, make bench's; build/barenet.elf is the
checked one the tests boot).  Each boot's line names its image's tree and
flavour (its banner)."""
import collections
import os
import sys
import threading
import time

import run
import benchlib  # noqa: E402  (after run: tests/qemu on the path)
import netns  # noqa: E402
import profile  # noqa: E402

# MODEL=e1000e|igb: another NIC model (its default mode)
MODEL = os.environ.get("MODEL", "e1000")


def one(label, elf, secs, samp):
    """One boot of elf: the two cost lines, then the RIP shares."""
    addrs, names = profile.elf_symbols(elf)
    with netns.TestNet() as net:
        run.pin_neighbour(net)
        bg = run.BenchGuest(net, "barenet", MODEL, benchlib.MODEL_MODES[MODEL][0], kernel=elf,
                            name="udpcost-" + label)
        bg.wait_ready(180)
        print("%s: %s, %s" % (label, elf, benchlib.image_build(bg.g.output)), flush=True)
        if not run.wait_udp_echo(net, 60):
            sys.exit("udpcost: no UDP echo from %s; log %s" % (elf, bg.g.logpath))
        run.udp_echo(net, 64, 8, 1.0)
        pid = bg.g.proc.pid
        for size in (64, 1400):
            l0 = os.getloadavg()[0]
            c0, t0 = benchlib.proc_cpu_seconds(pid), time.monotonic()
            rate, lost = run.udp_echo(net, size, 8, secs)
            c1, t1 = benchlib.proc_cpu_seconds(pid), time.monotonic()
            n = rate * (t1 - t0)
            print("%s %dB x8: %.0f req/s lost %d, QEMU cpu %.2f s/%.2f s, %.0f req per QEMU "
                  "cpu-s, load %.1f" % (label, size, rate, lost, c1 - c0, t1 - t0,
                                         n / (c1 - c0) if c1 > c0 else 0.0, l0), flush=True)
        if samp <= 0:
            return
        res = {}
        th = threading.Thread(target=lambda: res.setdefault("r", run.udp_echo(net, 64, 8, samp + 1)))
        th.start()
        time.sleep(0.5)
        rips = profile.monitor_rips(bg.g.monitor_path, samp)
        th.join()
    cnt = collections.Counter(profile.name_of(addrs, names, r) for r in rips)
    print("%s samples %d (rate while sampled %.0f)" % (label, len(rips), res["r"][0]))
    for nm, k in cnt.most_common(25):
        print("  %5.1f%% %s" % (100.0 * k / len(rips), nm))
    sys.stdout.flush()


def main():
    if len(sys.argv) < 2 or any("=" not in a for a in sys.argv[1:]):
        sys.exit(__doc__)
    secs = float(os.environ.get("SECS", "4"))
    samp = float(os.environ.get("SAMP", "6"))
    for arg in sys.argv[1:]:
        label, elf = arg.split("=", 1)
        elf = os.path.abspath(elf)      # QEMU runs from another directory
        one(label, elf, secs, samp)


if __name__ == "__main__":
    main()
