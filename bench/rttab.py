"""Ping RTT p50 and p99 of barenet images, one boot each in the order
given (alternate them: before=A now=B before2=A now2=B ...), as make bench
takes them (bench/run.py: boot_measured, then ping_rtts: 1000 pings 10 ms
apart from the test namespace), with 1 CPU in the model's default mode.
The p99 of 1000 pings is the tail's 10th reply, which moves from boot to
boot: compare medians over several boots.

  python3 bench/rttab.py MODEL LABEL=ELF [LABEL=ELF ...]     (root)"""
import os
import statistics
import sys

import run
import benchlib  # noqa: E402  (after run: tests/qemu on the path)
import netns  # noqa: E402


def main():
    if len(sys.argv) < 3 or any("=" not in a for a in sys.argv[2:]):
        sys.exit(__doc__)
    model = sys.argv[1]
    mode = benchlib.MODEL_MODES[model][0]
    seen = {}
    for arg in sys.argv[2:]:
        label, elf = arg.split("=", 1)
        with netns.TestNet() as net:
            cell = {"cpus": 1}
            run.boot_measured(net, "barenet", model, mode, 1, elf, "rttab-" + label, cell)
            rtts, lost = run.ping_rtts(net, run.PINGS)
        p50, p99 = benchlib.percentile(rtts, 50), benchlib.percentile(rtts, 99)
        print("%s %s: p50 %.3f ms p99 %.3f ms, %d lost, load %.1f"
              % (label, elf, p50, p99, lost, os.getloadavg()[0]), flush=True)
        seen.setdefault(label.rstrip("0123456789"), []).append((p50, p99))
    for name, v in seen.items():
        print("%s: %d boots, median p50 %.3f ms, median p99 %.3f ms"
              % (name, len(v), statistics.median(x for x, _ in v),
                 statistics.median(y for _, y in v)))


if __name__ == "__main__":
    main()
