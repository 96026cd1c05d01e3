#!/usr/bin/python3
"""The lab grader's QEMU stage (make grade LAB_QEMU=1): the graded tree's
kernel on QEMU's emulated 82540EM (TCG), through tests/qemu/harness.py.

The tree's kernel is built (make -C tree all), booted with user networking
(QEMU's own slirp: the traffic never leaves this QEMU process) and a static
address, and the guest's shell pings slirp's gateway 10.0.2.2: PINGS echo
requests, more than a ring of 64 each way, so both rings wrap.  Evidence
when it fails: the guest's `ethtool -S eth0` counters, the device's own
ring registers (TDH/TDT/RDH/RDT read through the QEMU monitor's xp from
BAR0; ICR is not read, reading it would clear it) and QEMU's e1000 trace
events (e1000_receiver_overrun: no free RX descriptor; e1000x_rx_*).
"""
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))

PINGS = 100
REGS = {"TDH": 0x3810, "TDT": 0x3818, "TDLEN": 0x3808, "RDH": 0x2810, "RDT": 0x2818,
        "RDLEN": 0x2808, "TCTL": 0x0400, "RCTL": 0x0100, "IMS": 0x00D0}


def device_regs(g):
    """{name: value} of the NIC's ring registers, read by QEMU (MMIO)"""
    pci = g.monitor("info pci")
    m = re.search(r"Ethernet controller: PCI device 8086:100e.*?BAR0: 32 bit memory at "
                  r"(0x[0-9a-f]+)", pci, re.S)
    if not m:
        return {}
    bar = int(m.group(1), 16)
    out = {}
    for name, off in REGS.items():
        r = re.search(r":\s*(0x[0-9a-f]+)", g.monitor("xp /1wx 0x%x" % (bar + off)))
        if r:
            out[name] = int(r.group(1), 16)
    return out


def diagnose(regs, trace, stats):
    """(bug id, message) lines from what the device and the guest say"""
    out = []
    tlen = regs.get("TDLEN", 0) // 16
    rlen = regs.get("RDLEN", 0) // 16
    if regs and not tlen:
        out.append(("tx-not-configured", "TDLEN is 0 in the device: the transmit ring was never "
                    "set up (e1000_tx_configure)"))
    if tlen and regs.get("TDT", 0) >= tlen:
        out.append(("tdt-range", "the device's TDT is %d, but its ring has %d descriptors: TDT "
                    "is an index%s" % (regs["TDT"], tlen, " (%d x 16: a byte offset?)" %
                                       (regs["TDT"] // 16) if regs["TDT"] % 16 == 0 else "")))
    if rlen and regs.get("RDT", 0) >= rlen:
        out.append(("rdt-range", "the device's RDT is %d, but its ring has %d descriptors" %
                    (regs["RDT"], rlen)))
    if "e1000_receiver_overrun" in trace:
        out.append(("rx-ring-full", "QEMU's e1000 found no free receive descriptor "
                    "(e1000_receiver_overrun: RDH caught RDT): RDT did not move on as frames "
                    "were taken (e1000_clean_rx)"))
    return out


def grade(tree, points):
    stage = {"id": "qemu", "points": points, "passed": False, "bugs": [], "lines": [],
             "title": "QEMU 82540EM: %d pings to the gateway" % PINGS}
    say = stage["lines"].append
    # the checked image (build/barenet.elf): a student's lock misuse is reported
    b = subprocess.run(["make", "-C", tree, "-j2", "checked"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    if b.returncode:
        say("  FAIL: the tree's kernel does not build:")
        stage["lines"] += ["  " + line for line in b.stdout.splitlines()[-25:]]
        return stage
    import harness
    name = "lab-" + os.path.basename(tree.rstrip("/"))
    trace = os.path.join(harness.LOGDIR, name + ".trace")
    os.makedirs(harness.LOGDIR, exist_ok=True)
    if os.path.exists(trace):
        os.unlink(trace)
    extra = ["-trace", "e1000_receiver_overrun", "-trace", "e1000x_rx_*", "-D", trace]
    with harness.Guest(name, kernel=os.path.join(tree, "build", "barenet.elf"), nic="e1000",
                       append="ip=10.0.2.15/24,10.0.2.2 e1000.ring=64", extra=extra) as g:
        try:
            g.wait_prompt(timeout=90)
            # the device's registers sampled while the pings run (the
            # driver's TX watchdog may reset the ring before the end)
            mark = len(g.output)
            g.send("ping -c %d -i 0.02 -W 3 10.0.2.2\r" % PINGS)
            samples = []
            deadline = time.monotonic() + 120
            while not re.search(r"packets transmitted", g.output[mark:]):
                if time.monotonic() > deadline:
                    raise TimeoutError("ping did not finish")
                samples.append(device_regs(g))
                g.watch(0.3)
            g.wait_prompt(timeout=30, start=mark)
            out = g.output[mark:]
            stats = g.shell("ethtool -S eth0", timeout=30)
            samples.append(device_regs(g))
        except Exception as e:          # a hang: say so, with the console's end
            say("  FAIL: the guest did not answer in time (%s); its console ends:" %
                type(e).__name__)
            stage["lines"] += ["  |   " + line for line in g.output.splitlines()[-12:]]
            return stage
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    sent, got = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    with open(trace, errors="replace") if os.path.exists(trace) else open(os.devnull) as fh:
        tr = fh.read()
    say("  the guest sent %d echo requests, %d replies came back (log: %s)" % (sent, got,
        g.logpath))
    d = re.search(r"\+(\d+) duplicates", out)
    dups = int(d.group(1)) if d else 0
    counters = dict((k, int(v)) for k, v in re.findall(r"^\s*(\w+): (\d+)", stats, re.M))
    drv, dev = counters.get("tx_packets", 0), counters.get("tx_good_packets", 0)
    if dups:
        say("  FAIL: %d duplicate replies: the device sent echo requests more than once" % dups)
    stage["passed"] = sent == PINGS and got >= PINGS - 2 and not dups
    if not stage["passed"]:
        if dev > 2 * drv + 10:
            stage["bugs"].append("tx-resent")
            say("  LIKELY BUG [tx-resent]: the device sent %d frames (tx_good_packets) for the "
                "driver's %d (tx_packets): it goes round the ring sending old descriptors again, "
                "as QEMU's e1000 does when TDT lies beyond the ring (a byte offset?) or DD/length "
                "are left in reused descriptors" % (dev, drv))
        found = []
        for regs in samples:
            for bug, msg in diagnose(regs, tr, stats):
                if bug not in found:
                    found.append(bug)
                    say("  LIKELY BUG [%s]: %s" % (bug, msg))
                    say("  |   device registers then: " +
                        " ".join("%s=%d" % kv for kv in sorted(regs.items())))
        stage["bugs"] += found
        regs = samples[-1] if samples else {}
        say("  |   device registers at the end: " +
            " ".join("%s=%d" % kv for kv in sorted(regs.items())))
        for line in stats.splitlines():
            if re.search(r"(tx|rx)_(packets|dropped|busy|length_errors)\b", line):
                say("  |   " + line.strip())
        for line in [t for t in tr.splitlines() if "overrun" in t or "disabled" in t][:5]:
            say("  |   qemu trace: " + line)
    return stage
