"""Where a barenet guest spends its time during one iperf run: the guest's
RIP sampled through QEMU's human monitor (`info registers`, the harness's
monitor socket) while the host's iperf 2 runs against it, each sample
named by the symbols of the image it boots (build/release/barenet.sym).

  bench/profile.py MODEL to|from [SECONDS] [ETHTOOL-K-WORDS...]

e.g. `bench/profile.py igb from 4` (the guest sends: `iperf -c -R`) or
`bench/profile.py e1000 to 4 gro off`.  Root (a network namespace, as make
bench).  Prints iperf's CSV line, the sample count and the functions with
their share of the samples.

A reading, not a measurement: each sample stops the vCPU (run_on_cpu), so
the stream is slower while sampled, and a sample lands where TCG next
leaves its translated code, which favours the instructions that end a
translation block (an MMIO access such as a tail write, `popf`/`sti`
re-enabling interrupts, `hlt`): their functions are over-counted against
straight-line code.  Compare shares before and after a change, and
confirm a change with bench/tcp.py (BENCH_ONLY=tcp)."""
import bisect
import collections
import os
import re
import socket
import subprocess
import sys
import time

import run
import netns

# the symbols of the image BenchGuest boots (run.benchlib.KERNEL)
SYM = os.path.splitext(run.benchlib.KERNEL)[0] + ".sym"


def parse_symbols(lines):
    """(sorted addresses, names) of the text symbols in nm -n's lines."""
    syms = []
    for line in lines:
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def symbols(path=SYM):
    """(sorted addresses, names) of the text symbols of nm -n output in path."""
    with open(path) as f:
        return parse_symbols(f)


def elf_symbols(elf):
    """(sorted addresses, names) of the text symbols of the image elf."""
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    return parse_symbols(out.splitlines())


def name_of(addrs, names, rip):
    i = bisect.bisect_right(addrs, rip) - 1
    return names[i] if i >= 0 else hex(rip)


def monitor_rips(path, seconds, gap=0.003):
    """Guest RIPs read through the monitor socket at path for seconds."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    buf = b""
    while b"(qemu)" not in buf:
        buf += s.recv(4096)
    rips = []
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            s.sendall(b"info registers\n")
            buf = b""
            while b"(qemu)" not in buf:
                buf += s.recv(65536)
            m = re.search(rb"RIP=([0-9a-f]+)", buf)
            if m:
                rips.append(int(m.group(1), 16))
            time.sleep(gap)
    finally:
        s.close()
    return rips


def main():
    if len(sys.argv) < 3 or sys.argv[2] not in ("to", "from"):
        sys.exit(__doc__)
    model, direction = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0
    words = sys.argv[4:]
    addrs, names = symbols()
    mode = run.benchlib.MODEL_MODES[model][0]
    with netns.TestNet() as net:
        run.pin_neighbour(net)
        bg = run.BenchGuest(net, "barenet", model, mode, name="profile-" + model)
        bg.wait_ready(180)
        if not run.wait_udp_echo(net, 60):
            sys.exit("profile: no UDP echo from the guest; log " + bg.g.logpath)
        for i in range(0, len(words) - 1, 2):
            bg.cmd("ethtool -K eth0 %s %s" % (words[i], words[i + 1]))
        cmd = ["iperf", "-c", run.GUEST, "-t", str(int(seconds) + 2), "-y", "C"]
        p = net.popen(cmd + (["-R"] if direction == "from" else []))
        time.sleep(1)           # past the connection's start
        rips = monitor_rips(bg.g.monitor_path, seconds)
        out = p.communicate(timeout=seconds + 60)[0]
    print(out.strip() if isinstance(out, str) else out.decode().strip())
    counts = collections.Counter(name_of(addrs, names, r) for r in rips)
    print("samples %d" % len(rips))
    for name, n in counts.most_common(40):
        print("%5.1f%% %s" % (100.0 * n / len(rips), name))


if __name__ == "__main__":
    main()
