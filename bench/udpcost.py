"""UDP echo (udp/7) cost per request of barenet images, back to back, on
e1000 in its default mode with 1 CPU: replies/s and requests per QEMU
CPU-second (utime+stime of all QEMU threads, /proc/PID/task/*/stat: less
moved by the host's load than replies/s) for 64 B and 1400 B with 8 in
flight, then the guest's RIP sampled (bench/profile.py's reading, with
the same caveats) during 64 B x8, named by each image's own symbols.

  python3 bench/udpcost.py LABEL=ELF [LABEL=ELF...]     (root; SECS=4 SAMP=6)

e.g. `bench/udpcost.py now=build/barenet.elf before=/path/to/old.elf`."""
import collections, os, subprocess, sys, threading, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run, netns, profile

def qemu_cpu(pid):
    tot = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            f = open("/proc/%d/task/%s/stat" % (pid, tid)).read().rsplit(")", 1)[1].split()
            tot += int(f[11]) + int(f[12])
        except OSError:
            pass
    return tot / os.sysconf("SC_CLK_TCK")

def syms(elf):
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True).stdout
    p = "/tmp/udpcost-%d.sym" % os.getpid()
    with open(p, "w") as f:
        f.write(out)
    try:
        return profile.symbols(p)
    finally:
        os.unlink(p)

def one(label, elf, secs, samp):
    addrs, names = syms(elf)
    with netns.TestNet() as net:
        run.pin_neighbour(net)
        bg = run.BenchGuest(net, "barenet", "e1000", "intx", kernel=elf, name="udpcost-" + label)
        bg.wait_ready(180)
        assert run.wait_udp_echo(net, 60)
        run.udp_echo(net, 64, 8, 1.0)
        pid = bg.g.proc.pid
        for size in (64, 1400):
            l0 = os.getloadavg()[0]
            c0 = qemu_cpu(pid); t0 = time.monotonic()
            rate, lost = run.udp_echo(net, size, 8, secs)
            c1 = qemu_cpu(pid); t1 = time.monotonic()
            n = rate * (t1 - t0)
            print("%s %dB x8: %.0f req/s lost %d, QEMU cpu %.2f s/%.2f s, %.0f req per QEMU cpu-s, load %.1f"
                  % (label, size, rate, lost, c1 - c0, t1 - t0, n / (c1 - c0), l0), flush=True)
        res = {}
        th = threading.Thread(target=lambda: res.setdefault("r", run.udp_echo(net, 64, 8, samp + 1)))
        th.start(); time.sleep(0.5)
        rips = profile.monitor_rips(bg.g.monitor_path, samp)
        th.join()
    cnt = collections.Counter(profile.name_of(addrs, names, r) for r in rips)
    print("%s samples %d (rate while sampled %.0f)" % (label, len(rips), res["r"][0]))
    for nm, k in cnt.most_common(25):
        print("  %5.1f%% %s" % (100.0 * k / len(rips), nm))
    sys.stdout.flush()

secs = float(os.environ.get("SECS", "4"))
samp = float(os.environ.get("SAMP", "6"))
for arg in sys.argv[1:]:
    label, elf = arg.split("=", 1)
    one(label, elf, secs, samp)
