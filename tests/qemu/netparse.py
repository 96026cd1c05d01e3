"""Parsers for the network views and commands, written the way the Linux
tools read them, shared by the QEMU tests."""
import os
import re
import socket

from harness import BUILD

SYMS = os.path.join(BUILD, "barenet.sym")


def driver_linked():
    """True when the kernel links the e1000 driver (kmain probes NICs)."""
    try:
        with open(SYMS) as f:
            return re.search(r" e1000_driver_init$", f.read(), re.M) is not None
    except OSError:
        return False


KLOG_LINE = re.compile(r"\[ *\d+\.\d{6}\] [^\n]*\n")


def without_klog(text):
    """Shell output without the kernel's log lines, wherever the console
    put them: at a line's start, or in the middle of one the command was
    printing (the rest of that line follows the log line)."""
    return KLOG_LINE.sub("", text)


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def parse_snmp(text):
    """/proc/net/snmp and /proc/net/netstat as net-tools' netstat -s
    (statistics.c) and procps pair them: a line of names, then a line of
    values with the same "Proto:" prefix; the counts must agree."""
    lines = text.splitlines()
    assert len(lines) % 2 == 0, text
    out = {}
    for head, vals in zip(lines[0::2], lines[1::2]):
        hp, hnames = head.split(":", 1)
        vp, vvals = vals.split(":", 1)
        assert hp == vp, (head, vals)
        names, values = hnames.split(), vvals.split()
        assert len(names) == len(values), (head, vals)
        assert hp not in out, "duplicate section %s" % hp
        out[hp] = dict(zip(names, (int(v) for v in values)))
    return out


def softnet_totals(text):
    """/proc/net/softnet_stat summed over its rows (one per CPU): processed,
    dropped, time_squeeze"""
    tot = {"processed": 0, "dropped": 0, "time_squeeze": 0}
    for line in text.splitlines():
        cols = [int(c, 16) for c in line.split()]
        if len(cols) >= 3:
            tot["processed"] += cols[0]
            tot["dropped"] += cols[1]
            tot["time_squeeze"] += cols[2]
    return tot


def softnet_rows(text):
    """/proc/net/softnet_stat: one list of its hex columns as numbers per
    CPU (0 processed, 1 dropped, 2 time_squeeze, 9 received_rps, 10
    flow_limit_count)."""
    return [[int(c, 16) for c in line.split()] for line in text.splitlines() if line.strip()]


PS_ROW = re.compile(r"^\S+\s+(\d+)\s+\S+\s+\S+\s+\d+\s+\d+\s+\S+\s+(\S+)\s+\S+\s+(\d+):(\d+)"
                    r"\s+\[([^\]]+)\]$", re.M)


def parse_ps(text):
    """ps aux (procps' layout, a kernel thread's command in brackets): per
    row a dict of pid, stat, time_s (TIME in seconds) and name."""
    return [{"pid": int(pid), "stat": stat, "time_s": int(m) * 60 + int(sec), "name": name}
            for pid, stat, m, sec, name in PS_ROW.findall(text)]


def parse_ethtool_stats(text):
    """ethtool -S: "NIC statistics:" then one "     name: value" a line."""
    lines = text.splitlines()
    assert lines[0] == "NIC statistics:", text
    out = {}
    for line in lines[1:]:
        m = re.fullmatch(r"     ([A-Za-z0-9_.-]+): (\d+)", line)
        assert m, line
        out[m.group(1)] = int(m.group(2))
    return out


def hex_addr(word):
    """A /proc/net/{tcp,udp} address: the in-memory (network order) word
    printed as a little-endian number, as ss's legacy parser decodes it."""
    return socket.inet_ntoa(int(word, 16).to_bytes(4, "little"))


TCP_STATES = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
              6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN",
              11: "CLOSING"}


def parse_sockets(text, width):
    """/proc/net/tcp or udp as ss's legacy proc parser (misc/ss.c
    proc_parse_inet_addr/tcp_show_line): skip the header, then per line
    "sl: local rem st tx:rx tr:when retrnsmt uid timeout inode ..."."""
    lines = text.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert all(len(l) == width for l in lines), [len(l) for l in lines]
    socks = []
    for line in lines[1:]:
        f = line.split()
        local, rem = f[1].split(":"), f[2].split(":")
        tx, rx = f[4].split(":")
        tr, when = f[5].split(":")
        socks.append({
            "sl": int(f[0].rstrip(":")), "local": (hex_addr(local[0]), int(local[1], 16)),
            "remote": (hex_addr(rem[0]), int(rem[1], 16)), "st": int(f[3], 16),
            "state": TCP_STATES[int(f[3], 16)], "tx_queue": int(tx, 16),
            "rx_queue": int(rx, 16), "timer": int(tr, 16), "when": int(when, 16),
            "retrnsmt": int(f[6], 16), "uid": int(f[7]), "timeout": int(f[8]),
            "inode": int(f[9]), "rest": f[10:]})
    return lines[0], socks


ARP_HEADER = "IP address       HW type     Flags       HW address            Mask     Device"


def parse_arp(text):
    """/proc/net/arp as net-tools' arp and procps read it: whitespace
    fields under the fixed header."""
    lines = text.splitlines()
    assert lines[0] == ARP_HEADER, lines[0]
    out = []
    for line in lines[1:]:
        ip, hwtype, flags, mac, mask, dev = line.split()
        assert line == "%-16s 0x%-10x0x%-10x%-17s     %-8s %s" % (
            ip, int(hwtype, 16), int(flags, 16), mac, mask, dev), line
        out.append({"ip": ip, "hwtype": int(hwtype, 16), "flags": int(flags, 16), "mac": mac,
                    "mask": mask, "dev": dev})
    return out


PING_REPLY = re.compile(r"^(\d+) bytes from (\S+): icmp_seq=(\d+) ttl=(\d+) "
                        r"time=(\d+(?:\.\d+)?) ms$")
PING_STATS = re.compile(r"^(\d+) packets transmitted, (\d+) received(?:, \+(\d+) duplicates)?, "
                        r"(\d+)% packet loss, time (\d+)ms$")
PING_RTT = re.compile(r"^rtt min/avg/max/mdev = (\d+\.\d{3})/(\d+\.\d{3})/(\d+\.\d{3})/"
                      r"(\d+\.\d{3}) ms$")


def parse_ping(text):
    """iputils ping's output: the PING line, replies, the statistics."""
    lines = text.splitlines()
    replies = [PING_REPLY.match(l) for l in lines]
    replies = [m for m in replies if m]
    stats = [PING_STATS.match(l) for l in lines]
    stats = [m for m in stats if m]
    rtt = [PING_RTT.match(l) for l in lines]
    rtt = [m for m in rtt if m]
    return {"head": lines[0], "replies": replies, "stats": stats[0] if stats else None,
            "rtt": rtt[0] if rtt else None, "lines": lines}


IRQBAL_DEBUG = re.compile(r"^IRQ (\d+) \((\S*)\): (\d+) interrupts since the last run on CPU "
                          r"(\d+), (cannot move|idle, stays|stays|moves)$", re.M)
IRQBAL_MOVED = re.compile(r"^IRQ (\d+) \((\S*)\): CPU (\d+) -> CPU (\d+), (\d+) interrupts "
                          r"since the last run \(smp_affinity ([0-9a-f]+)\)$", re.M)
IRQBAL_SUMMARY = re.compile(r"^irqbalance: moved (\d+) of (\d+) movable vectors"
                            r"( \(balanced within an eighth already\))?; interrupts since the "
                            r"last run: (.*?)(?:; after the moves: (.*))?$", re.M)


def parse_irqbalance(text):
    """irqbalance --oneshot [--debug]: {"vectors": --debug's rows in its
    order, each {irq, name, load, cpu, movable, state}; "moved": {irq:
    (name, from, to, load, mask)}; "summary": the last line's match or
    None}.  Every line must be one of those, the "load now" line or the
    one-CPU line."""
    vecs, moved = [], {}
    for line in text.splitlines():
        m = IRQBAL_DEBUG.fullmatch(line)
        if m:
            vecs.append({"irq": int(m.group(1)), "name": m.group(2), "load": int(m.group(3)),
                         "cpu": int(m.group(4)), "movable": m.group(5) != "cannot move",
                         "state": m.group(5)})
            continue
        m = IRQBAL_MOVED.fullmatch(line)
        if m:
            moved[int(m.group(1))] = (m.group(2), int(m.group(3)), int(m.group(4)),
                                      int(m.group(5)), int(m.group(6), 16))
            continue
        assert IRQBAL_SUMMARY.fullmatch(line) or line.startswith("load now: ") or \
            re.fullmatch(r"irqbalance: interrupts can go to one CPU only \(CPU \d+\): "
                         r"nothing to balance", line), line
    return {"vectors": vecs, "moved": moved, "summary": IRQBAL_SUMMARY.search(text)}


def irqbalance_plan(vecs, cpus):
    """lib/irqbalance.h's rule written again: the vectors that can move and
    took interrupts, heaviest first (equal loads by IRQ number), each onto
    the CPU of cpus with the least planned load (a tie keeps its CPU, else
    the lowest); the rest stay and weigh on their CPU.  Kept only when the
    busiest CPU's load falls by more than an eighth, or a vector leaves a
    CPU outside cpus.  Returns (moves {irq: cpu}, kept, now, plan), now and
    plan as {cpu: load}."""
    order = sorted(vecs, key=lambda v: (-v["load"], v["irq"]))
    now = {c: 0 for c in cpus}
    plan = dict(now)
    for v in order:
        if v["cpu"] in now:
            now[v["cpu"]] += v["load"]
            if not (v["movable"] and v["load"]):
                plan[v["cpu"]] += v["load"]
    if len(cpus) < 2:
        return {}, False, now, now
    target, outside = {}, False
    for v in order:
        if not (v["movable"] and v["load"]):
            continue
        best = v["cpu"]
        if best not in plan:
            outside, best = True, min(cpus)
        for c in sorted(cpus):
            if plan[c] < plan[best]:
                best = c
        target[v["irq"]] = best
        plan[best] += v["load"]
    if not outside and 8 * max(plan.values()) >= 7 * max(now.values()):
        return {}, False, now, now
    cpu_of = {v["irq"]: v["cpu"] for v in vecs}
    return {i: c for i, c in target.items() if c != cpu_of[i]}, True, now, plan


def format_cpu_loads(loads):
    """irqbalance's "CPU0 12, CPU1 7" of {cpu: load}"""
    return ", ".join("CPU%d %d" % (c, loads[c]) for c in sorted(loads))


def check_irqbalance(text, cpus):
    """`irqbalance --oneshot --debug`'s output against irqbalance_plan over
    the loads it printed: the order (heaviest first), each vector's state,
    exactly the predicted moves (each from its CPU, with its load and a
    one-CPU mask), and the per-CPU sums of its summary.  Returns the parse
    and the plan's moves."""
    p = parse_irqbalance(text)
    vecs = p["vectors"]
    assert vecs, text
    assert vecs == sorted(vecs, key=lambda v: (-v["load"], v["irq"])), text
    moves, kept, now, plan = irqbalance_plan(vecs, cpus)
    by_irq = {v["irq"]: v for v in vecs}
    for v in vecs:
        want = ("cannot move" if not v["movable"] else "idle, stays" if not v["load"]
                else "moves" if v["irq"] in moves else "stays")
        assert v["state"] == want, (v, text)
    assert {i: m[2] for i, m in p["moved"].items()} == moves, (moves, text)
    for i, (name, frm, to, load, mask) in p["moved"].items():
        v = by_irq[i]
        assert (name, frm, load, mask) == (v["name"], v["cpu"], v["load"], 1 << to), text
    assert "load now: %s; planned: %s" % (format_cpu_loads(now), format_cpu_loads(plan)) \
        in text.splitlines(), (now, plan, text)
    s = p["summary"]
    if len(cpus) < 2:
        assert s is None and text.endswith(": nothing to balance"), text
        return p, moves
    assert s, text
    assert int(s.group(1)) == len(moves), text
    assert int(s.group(2)) == sum(v["movable"] for v in vecs), text
    assert bool(s.group(3)) == (not kept), (kept, text)
    assert s.group(4) == format_cpu_loads(now), (now, text)
    assert s.group(5) == (format_cpu_loads(plan) if kept else None), (plan, text)
    return p, moves
