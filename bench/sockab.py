"""The socket API's UDP echo against the callback echo, before/after: one
boot per image given, the same cells as make bench's measure_sock.

  bench/sockab.py SMP REPS BUILD_DIR...

Each BUILD_DIR is a tree's build directory holding apps/sockbench/barenet.elf
(`make app-kernel APP=tests/apps/sockbench.c FLAVOUR=release` makes
build/release/apps/sockbench/barenet.elf, the image make bench boots; a
BUILD_DIR of build/ has the checked one); each boot prints its image's tree
and flavour.  Per image: igb in its default
mode with SMP CPUs; REPS rounds of every SOCK_UDP cell (or only CELL=64_1
etc.), each the callback echo (udp/7) then the application's (udp/7007),
2 s each, back to back.  ETH="weight 0 1" runs `ethtool -X eth0 ETH` first:
with 2 CPUs every flow then arrives on queue 1 (CPU 1) while the
application runs on CPU 0 (kernel/app/thread.c), the cross-CPU case, which
otherwise depends on the random RSS key and the client's port.  Prints each
round's callback/socket=ratio and the median ratio per image.  Root (a
network namespace).  Give the images alternately (A B A B) on a loaded
host."""
import os
import statistics
import sys

import run
import benchlib  # noqa: E402  (after run: tests/qemu on the path)
import netns  # noqa: E402


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    smp, reps, builds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    cells = [c for c in benchlib.SOCK_UDP if os.environ.get("CELL", "") in ("", "%d_%d" % c)]
    eth = os.environ.get("ETH")
    mode = benchlib.MODEL_MODES["igb"][0]
    out = {}
    for i, build in enumerate(builds):
        # absolute: QEMU does not run in the caller's directory
        elf = os.path.abspath(os.path.join(build, "apps", "sockbench", "barenet.elf"))
        with netns.TestNet() as net:
            bg = run.sock_guest(net, "igb", mode, smp, elf, "sockab-%d" % i)
            print("%s: %s" % (elf, benchlib.image_build(bg.g.output)), flush=True)
            if eth:
                bg.cmd("ethtool -X eth0 " + eth)
            for _ in range(reps):
                for size, n in cells:
                    cb = run.udp_echo(net, size, n, 2.0)[0]
                    so = run.udp_echo(net, size, n, 2.0, port=run.SOCK_UDP_PORT)[0]
                    out.setdefault((size, n), {}).setdefault(build, []).append((cb, so))
    for (size, n), per in out.items():
        for build, rounds in per.items():
            print("udp %d B %d in flight %s: %s median ratio %.2f" % (
                size, n, build, " ".join("%d/%d=%.2f" % (c, s, s / c if c else 0) for c, s in rounds),
                statistics.median(s / c for c, s in rounds if c)))


if __name__ == "__main__":
    main()
