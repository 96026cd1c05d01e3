"""UDP echo (udp/7) cost per request of barenet images, back to back, on
e1000 (MODEL=) in its default mode with 1 CPU: replies/s and requests per QEMU
CPU-second (user+system time of the QEMU process, all its threads:
benchlib.proc_cpu_seconds; less moved by the host's load than replies/s)
for 64 B and 1400 B with 8 in flight, then the guest's RIP sampled
(bench/profile.py's reading, with the same caveats) during 64 B x8, named
by each image's own symbols.

  python3 bench/udpcost.py LABEL=ELF [LABEL=ELF...]     (root; SECS=4 SAMP=6 MODEL=e1000)

SAMP=0 skips the sampling; GUEST_CMD= a guest shell command run after
boot (e.g. 'ethtool -C eth0 rx-usecs 0'); MODEL names the NIC model; INF= the requests
in flight (8; with 32 the guest stays busy and the cost per request
varies less with the host's load).  PORTS=7,7007 measures each of those
UDP echo ports in the same boot, one after the other (default 7, the
callback echo; 7007 is the socket API's, an image built with
`make app-kernel APP=tests/apps/sockbench.c`, e.g.
build/release/apps/sockbench/barenet.elf); each line names its port.
Each cost line also gives the guest's hard interrupts and context
switches per request (/proc/stat's intr and ctxt over the same window),
and the next line eth0's interrupts (that found work), irqs_not_ours
(empty messages: QEMU's igb/e1000e throttle timer, e1000_irq.c) and
napi_polls per request (ethtool -S over the same window).

Counts that the host's load does not move (both over a 64 B x8 window, 2 s
by default, COUNT_SECS=):
  MMIO=1  the device and interrupt controller register accesses per
          request, from QEMU's memory_region_ops_read/write trace events
          (switched on through the monitor, written to a file): under TCG
          each is an exit into QEMU's device model, and a TX tail write
          runs the device's whole transmit path;
  INSN=1  the guest instructions per request by function, from QEMU's
          `-d in_asm,exec,nochain` log (each translation block's size
          times its executions), less the same window's background with
          no traffic (tick, timers).  The log slows the guest to a few
          hundred requests/s (tens on a loaded host), so per-millisecond
          work (ident_next's random step) weighs more than at full speed,
          and a guest slowed past the TX watchdog's 500 ms resets its
          ring inside the window (dma_free_coherent and the console on
          top: discard such a count).  INSN_TOP= the functions listed
          (30).  With it, the blocks per request that end in an
          instruction after which TCG leaves its translated code for
          its main loop (TB_EXITS: sti twice, for its interrupt shadow;
          popfq, iretq, syscall, wrmsr, hlt once); EXITS_TOP=N lists
          the N functions whose blocks end in the most of them.
          Also the blocks per request that end in a `ret`, an indirect
          call or an indirect jmp (LOOKUPS: under TCG each such end
          looks its successor up by address, helper_lookup_tb_ptr,
          where a direct jump or call chains to it): the total by kind,
          and with RETS_TOP=N the N functions whose blocks end in the
          most of them, by kind.  Blocks in the user half (an
          application image's, e.g. musl's recvfrom/sendto) are named
          "(application)".

e.g. `bench/udpcost.py now=build/release/barenet.elf before=/path/to/old.elf`
(build/release: the release image, make bench's; build/barenet.elf is the
checked one the tests boot).  Each boot's line names its image's tree and
flavour (its banner)."""
import collections
import os
import re
import sys
import threading
import time

import run
import benchlib  # noqa: E402  (after run: tests/qemu on the path)
import netns  # noqa: E402
import profile  # noqa: E402

# MODEL=e1000e|igb: another NIC model (its default mode)
MODEL = os.environ.get("MODEL", "e1000")
INFLIGHT = int(os.environ.get("INF", "8"))
# a guest shell command run once after boot, before any count
GUEST_CMD = os.environ.get("GUEST_CMD", "")
PORTS = [int(p) for p in os.environ.get("PORTS", str(run.ECHO_PORT)).split(",")]
# the e1000 family's registers the MMIO lines name (8254x/82574/82576
# offsets; igb's EICR/EIMS/EIMC/EICS are its own)
REG_NAMES = {0x00c0: "ICR", 0x00c4: "ITR", 0x00c8: "ICS", 0x00d0: "IMS", 0x00d8: "IMC",
             0x2818: "RDT", 0x3818: "TDT", 0xc018: "RDT(igb)", 0xe018: "TDT(igb)",
             0x1520: "EICS", 0x1524: "EIMS", 0x1528: "EIMC", 0x1580: "EICR",
             0x1680: "EITR0"}


def guest_counts(bg):
    """(hard interrupts, context switches) so far (/proc/stat)."""
    intr = ctxt = 0
    for line in bg.cmd("cat /proc/stat").splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] == "intr":
            intr = int(f[1])
        elif len(f) >= 2 and f[0] == "ctxt":
            ctxt = int(f[1])
    return intr, ctxt


NIC_COUNTERS = ("interrupts", "irqs_not_ours", "napi_polls")


def nic_counts(bg):
    """The driver's interrupts (with work), empty interrupts and NAPI polls
    so far (ethtool -S eth0; zeros where a counter is missing)."""
    got = dict.fromkeys(NIC_COUNTERS, 0)
    for line in bg.cmd("ethtool -S eth0").splitlines():
        f = line.replace(":", " ").split()
        if len(f) == 2 and f[0] in got and f[1].isdigit():
            got[f[0]] = int(f[1])
    return got


def one(label, elf, secs, samp):
    """One boot of elf: per port the two cost lines (and MMIO=/INSN=
    counts), then the RIP shares of the last port."""
    addrs, names = profile.elf_symbols(elf)
    with netns.TestNet() as net:
        run.pin_neighbour(net)
        bg = run.BenchGuest(net, "barenet", MODEL, benchlib.MODEL_MODES[MODEL][0], kernel=elf,
                            name="udpcost-" + label)
        bg.wait_ready(180)
        print("%s: %s, %s" % (label, elf, benchlib.image_build(bg.g.output)), flush=True)
        if GUEST_CMD:
            print("%s: %s: %s" % (label, GUEST_CMD, bg.cmd(GUEST_CMD).strip()), flush=True)
        for port in PORTS:
            plabel = label if PORTS == [run.ECHO_PORT] else "%s:%d" % (label, port)
            if not run.wait_udp_echo(net, 60, port=port):
                sys.exit("udpcost: no UDP echo on port %d from %s; log %s"
                         % (port, elf, bg.g.logpath))
            run.udp_echo(net, 64, INFLIGHT, 1.0, port=port)
            pid = bg.g.proc.pid
            for size in (64, 1400):
                l0 = os.getloadavg()[0]
                i0, x0 = guest_counts(bg)
                s0 = nic_counts(bg)
                c0, t0 = benchlib.proc_cpu_seconds(pid), time.monotonic()
                rate, lost = run.udp_echo(net, size, INFLIGHT, secs, port=port)
                c1, t1 = benchlib.proc_cpu_seconds(pid), time.monotonic()
                i1, x1 = guest_counts(bg)
                s1 = nic_counts(bg)
                n = rate * (t1 - t0)
                print("%s %dB x%d: %.0f req/s lost %d, QEMU cpu %.2f s/%.2f s, %.0f req per "
                      "QEMU cpu-s, load %.1f; per request: %.3f guest interrupts, %.3f context "
                      "switches" % (plabel, size, INFLIGHT, rate, lost, c1 - c0, t1 - t0,
                                    n / (c1 - c0) if c1 > c0 else 0.0, l0,
                                    (i1 - i0) / n if n else 0.0, (x1 - x0) / n if n else 0.0),
                      flush=True)
                print("%s %dB x%d eth0 per request: %s" % (
                    plabel, size, INFLIGHT, ", ".join(
                        "%.3f %s" % ((s1[k] - s0[k]) / n if n else 0.0, k) for k in NIC_COUNTERS)),
                      flush=True)
            if os.environ.get("MMIO") == "1":
                mmio_counts(plabel, bg.g, net, port)
            if os.environ.get("INSN") == "1":
                insn_counts(plabel, bg.g, net, addrs, names, port)
        if samp <= 0:
            return
        res = {}
        th = threading.Thread(target=lambda: res.setdefault("r", run.udp_echo(
            net, 64, 8, samp + 1, port=PORTS[-1])))
        th.start()
        time.sleep(0.5)
        rips = profile.monitor_rips(bg.g.monitor_path, samp)
        th.join()
    cnt = collections.Counter(profile.name_of(addrs, names, r) for r in rips)
    print("%s samples %d (rate while sampled %.0f)" % (label, len(rips), res["r"][0]))
    for nm, k in cnt.most_common(25):
        print("  %5.1f%% %s" % (100.0 * k / len(rips), nm))
    sys.stdout.flush()


COUNT_SECS = float(os.environ.get("COUNT_SECS", "2"))
INSN_TOP = int(os.environ.get("INSN_TOP", "30"))
# with INSN=1: the exits per request by function, the EXITS_TOP most (0: none)
EXITS_TOP = int(os.environ.get("EXITS_TOP", "0"))
# with INSN=1: the TB lookups per request by function, the RETS_TOP most (0: none)
RETS_TOP = int(os.environ.get("RETS_TOP", "0"))
MR_LINE = re.compile(r"memory_region_ops_(read|write) .*?addr (0x[0-9a-f]+) .*?name '([^']*)'")
TB_RUN = re.compile(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
TB_INSN = re.compile(r"^0x([0-9a-f]+):")


def logged_window(g, log, what, traffic):
    """QEMU's log into log while traffic() runs (what: trace events or -d
    items); traffic's result."""
    if os.path.exists(log):
        os.unlink(log)
    g.monitor("logfile " + log)
    if what.startswith("trace:"):
        for ev in what[6:].split(","):
            g.monitor("trace-event %s on" % ev)
    else:
        g.monitor("log " + what)
    try:
        return traffic()
    finally:
        if what.startswith("trace:"):
            for ev in what[6:].split(","):
                g.monitor("trace-event %s off" % ev)
        else:
            g.monitor("log none")
        time.sleep(0.3)


def echo_window(net, port=run.ECHO_PORT):
    t0 = time.monotonic()
    rate, _ = run.udp_echo(net, 64, 8, COUNT_SECS, port=port)
    return rate * (time.monotonic() - t0), time.monotonic() - t0


def mmio_counts(label, g, net, port=run.ECHO_PORT):
    """Register accesses per request (MMIO=1)."""
    log = os.path.join(g.tmp, "mmio.log")
    n, _ = logged_window(g, log, "trace:memory_region_ops_write,memory_region_ops_read",
                         lambda: echo_window(net, port))
    cnt = collections.Counter()
    with open(log, errors="replace") as f:
        for line in f:
            m = MR_LINE.search(line)
            if m:
                cnt[(m.group(1), m.group(3), m.group(2))] += 1
    tot = collections.Counter()
    print("%s register accesses per request (%d requests):" % (label, n))
    for (rw, region, addr), k in sorted(cnt.items(), key=lambda x: -x[1]):
        tot[rw] += k
        if n and k / n >= 0.01:
            print("  %.3f %-5s %s %s %s" % (k / n, rw, region, addr,
                                            REG_NAMES.get(int(addr, 16) & 0x1ffff, "")
                                            if region.startswith(("e1000", "igb")) else ""))
    print("  %.3f writes, %.3f reads in all" % (tot["write"] / max(n, 1), tot["read"] / max(n, 1)))
    sys.stdout.flush()


# instructions after which QEMU's TCG leaves the translated code for its
# main loop (the block ends with an exit, no chaining to the next): sti
# twice (once more after the one instruction of its interrupt shadow),
# popf, iret, syscall/sysret, wrmsr, hlt
TB_EXITS = ("sti", "popfq", "iretq", "syscall", "sysretq", "wrmsr", "hlt")
# the end of the user half (kernel/uaccess.h USER_TOP): blocks below it are
# the application's, named "(application)"
USER_TOP = 0x0000800000000000


def tb_lookup(insn):
    """The kind of TB lookup a block's last instruction ("mnemonic
    operands") makes under TCG: "ret", "icall" (call through a register or
    memory), "ijmp" (jmp likewise), or None (a direct jump or call chains
    to its target; a conditional branch too).  AT&T operands mark an
    indirect target with '*'; Intel syntax with a register or a memory
    operand."""
    words = insn.split()
    while words and words[0] in ("rep", "repz", "bnd", "notrack"):
        words.pop(0)
    if not words:
        return None
    op, arg = words[0], " ".join(words[1:])
    if op in ("ret", "retq", "retn"):
        return "ret"
    if op in ("call", "callq", "jmp", "jmpq"):
        if arg.startswith("*") or not re.fullmatch(r"(0x)?[0-9a-f]+( <.*>)?", arg):
            return "icall" if op.startswith("call") else "ijmp"
    return None


def tb_log(path, sizes, last=None):
    """Executions per translation block start in a -d in_asm,exec log;
    sizes (block start -> instructions) filled from its in_asm parts, and
    last (block start -> its last instruction, "mnemonic operands") if
    given."""
    runs = collections.Counter()
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            m = TB_INSN.match(line)
            if m:
                if cur is None:
                    cur = int(m.group(1), 16)
                    sizes[cur] = 0
                sizes[cur] += 1
                if last is not None:
                    # "0x...:  bytes...  mnemonic operands": the first word
                    # that is not a byte
                    words = line.split()[1:]
                    while words and re.fullmatch(r"[0-9a-f]{2}", words[0]):
                        words.pop(0)
                    last[cur] = " ".join(words)
                continue
            cur = None
            m = TB_RUN.search(line)
            if m:
                runs[int(m.group(1), 16)] += 1
    return runs


def insn_counts(label, g, net, addrs, names, port=run.ECHO_PORT):
    """Guest instructions per request by function (INSN=1)."""
    log = os.path.join(g.tmp, "insn.log")
    n, secs = logged_window(g, log, "in_asm,exec,nochain", lambda: echo_window(net, port))
    logged_window(g, log + ".idle", "in_asm,exec,nochain", lambda: time.sleep(secs))
    sizes, last = {}, {}
    per_fn = collections.Counter()
    exits = collections.Counter()
    exits_fn = collections.Counter()
    looks = collections.Counter()
    looks_fn = collections.Counter()
    for path, sign in ((log, 1), (log + ".idle", -1)):
        for pc, k in tb_log(path, sizes, last).items():
            # the application's code (musl's system call wrappers) is in
            # the user half, where the image has no text symbols
            fn = profile.name_of(addrs, names, pc) if pc >= USER_TOP else "(application)"
            per_fn[fn] += sign * k * sizes.get(pc, 1)
            op = last.get(pc, "").split(" ", 1)[0]
            if op in TB_EXITS:
                exits[op] += sign * k
                exits_fn[(op, fn)] += sign * k
            kind = tb_lookup(last.get(pc, ""))
            if kind:
                looks[kind] += sign * k
                looks_fn[fn] += sign * k
                looks_fn[(kind, fn)] += sign * k
        os.unlink(path)
    tot = sum(per_fn.values())
    print("%s guest instructions per request: %.0f (%d requests, %.0f/s while logged)" % (
        label, tot / max(n, 1), n, n / secs))
    print("%s blocks ending in an exit from the translated code per request: %s" % (
        label, ", ".join("%s %.2f" % (op, k / max(n, 1)) for op, k in exits.most_common())))
    print("%s blocks ending in a TB lookup per request: %.2f (%s)" % (
        label, sum(looks.values()) / max(n, 1),
        ", ".join("%s %.2f" % (kd, looks[kd] / max(n, 1)) for kd in ("ret", "icall", "ijmp"))))
    for nm, k in per_fn.most_common(INSN_TOP):
        print("  %7.1f %s" % (k / max(n, 1), nm))
    if RETS_TOP:
        print("%s TB lookups per request by the function whose block ends in one "
              "(ret/icall/ijmp):" % label)
        top = [(nm, k) for nm, k in looks_fn.items() if isinstance(nm, str)]
        for nm, k in sorted(top, key=lambda x: -x[1])[:RETS_TOP]:
            print("  %7.2f %-32s %s" % (k / max(n, 1), nm, "/".join(
                "%.2f" % (looks_fn[(kd, nm)] / max(n, 1)) for kd in ("ret", "icall", "ijmp"))))
    if EXITS_TOP:
        print("%s exits per request by the function whose block ends in it:" % label)
        for (op, nm), k in exits_fn.most_common(EXITS_TOP):
            print("  %7.2f %-6s %s" % (k / max(n, 1), op, nm))
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
