"""Kernel threads and the scheduler (kernel/sched.c, kernel/kthread.c):
selftest=sched runs threads on every CPU (wait/wake ping-pong across CPUs
with wait_event_timeout, msleep, a wait that times out, two threads that
never sleep sharing CPU 0 through tick preemption, detached threads that
free their task and stack themselves, also with an interrupt right after
their own drop, which does not make the reaper come back), and `ps aux` lists
the kernel threads ([ksoftirqd/N], [kworker/N:0], [kpktgend_0], the
console shell's [shell/ttyS0]) in procps' layout."""
import re

import pytest

from harness import EXIT_OK, Guest, boot

PS_HEADER = "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND"
PS_ROW = re.compile(r"^root +(\d+) +(\d+\.\d) +0\.0 +0 +0 \? +([RSZ]) +(\d\d:\d\d) +(\d+:\d\d) "
                    r"\[(.+)\]$")


@pytest.mark.parametrize("smp", [1, 2, 4])
def test_threads_wait_wake_sleep_and_preempt(kernel, smp):
    code, out = boot("sched-%d" % smp, smp=smp, append="exit=ready selftest=sched", timeout=120)
    assert code == EXIT_OK, out
    assert "Kernel panic" not in out and "EXCEPTION" not in out, out
    assert "selftest sched: passed" in out, out
    assert ("sched: test: %d CPUs, 200 wait/wake round trips each, no timeout" % smp) in out, out
    slept = re.findall(r"sched: test: msleep\(100\) on CPU(\d+) took (\d+) ms", out)
    assert [int(c) for c, _ in slept] == list(range(smp)), out
    # a tick is 10 ms: msleep(100) sleeps 100..130 ms, more on a loaded host
    assert all(100 <= int(ms) < 1000 for _, ms in slept), out
    m = re.search(r"sched: test: spinners on CPU0: b started (-?\d+) ms before a ended", out)
    # without preemption b would start only after a's 300 ms of spinning
    assert m and int(m.group(1)) >= 50, out
    # wake_up takes a plain sleeper off the queue (autoremove): sk_wake's
    # empty-queue check then skips the wake-ups of later datagrams
    assert "sched: test: a woken sleeper left the wait queue" in out, out
    assert "sched: test: detached threads freed themselves" in out, out
    # the idle thread in its idle loop runs only when nothing else can: a
    # thread spinning alone on an AP is not switched to idle and back on
    # each tick (30 times in 300 ms before; the selftest fails at 10)
    m = re.search(r"sched: test: a lone spinner on CPU(\d+) was preempted (\d+) times in 300 ms", out)
    if smp >= 2:
        assert m and int(m.group(1)) == smp - 1 and int(m.group(2)) < 10, out
        print("sched-%d: lone spinner preempted %s times in 300 ms" % (smp, m.group(2)))
    # kthread_exit's order: an interrupt right after a detached thread's
    # own drop does not let the reaper find it still on its CPU
    assert "sched: test: exit race: 20 threads ended with an interrupt after their drop, " \
        "reaper requeued 0 times" in out, out
    # a wait begun while CPU 0's tick is late (interrupts off there) lasts
    # its whole time: before jiffies_now() it ended on the catching-up tick
    m = re.search(r"sched: test: a 30 ms wait begun 40 ms into a late tick took (\d+) ms", out)
    assert (m is not None) == (smp >= 2), out
    assert m is None or int(m.group(1)) >= 20, out


def ps(g):
    out = g.shell("ps aux")
    lines = out.splitlines()
    assert lines[0] == PS_HEADER, out
    rows = []
    for line in lines[1:]:
        m = PS_ROW.match(line)
        assert m, line
        rows.append(m.groups())
    return rows


@pytest.mark.parametrize("smp", [1, 2])
def test_ps_lists_the_kernel_threads(kernel, smp):
    """ksoftirqd/N and kworker/N:0 per CPU, kpktgend_0, and the console
    shell's thread, which runs ps (R); the others sleep (S)."""
    with Guest("sched-ps-%d" % smp, smp=smp) as g:
        g.wait_prompt(60)
        rows = ps(g)
    names = [r[5] for r in rows]
    assert names == (["ksoftirqd/%d" % c for c in range(smp)] +
                     ["kworker/%d:0" % c for c in range(smp)] +
                     ["kpktgend_0", "shell/ttyS0"]), rows
    pids = [int(r[0]) for r in rows]
    assert pids == sorted(pids) and pids[0] >= 1, rows
    # the shell runs ps (R); the others wait for work (S), or were just
    # woken for some (R: ksoftirqd/0 with a softirq pending from the
    # console's interrupt, seen in a fresh-clone make test)
    assert all(r[2] == "R" if r[5] == "shell/ttyS0" else r[2] in ("S", "R") for r in rows), rows
    assert sum(r[2] == "S" for r in rows) >= len(rows) - 2, rows


TOP_ROW = re.compile(r"^ +(\d+) root +20 +0 +0 +0 +0 ([RSZ]) +(\d+\.\d) +0\.0 +(\d+):(\d\d)\.(\d\d) "
                     r"(\S+)$")


def test_top_batch_frame_and_loadavg(kernel):
    """top -b -n 1 (kernel/top.c) in procps' batch layout while pktgen
    sends as fast as it can through inj0: kpktgend_0 heads the list with
    most of a CPU over the frame's interval, the rows are ps's threads,
    the %Cpu(s) shares add up to about 100; /proc/loadavg has Linux's
    five fields."""
    with Guest("sched-top", smp=2, append="netinject=icmp:1") as g:
        g.wait_prompt(60)
        # inj0 exists once netinject='s thread has run; the thread is
        # gone a moment later (top's rows and ps's must be the same)
        g.wait_for(r"netinject: replies 1 .*\n", 60)
        for _ in range(50):
            if "netinject" not in [r[5] for r in ps(g)]:
                break
            g.watch(0.1)
        out = g.shell("pktgen dev inj0 dst 198.18.0.2 count 100000000 rate 0 start")
        assert "sending" in out, out
        top = g.shell("top -b -n 1")
        g.shell("pktgen stop")
        names = sorted(r[5] for r in ps(g))
        loadavg = g.shell("cat /proc/loadavg")
        assert g.shell("top").startswith("top: only batch mode here")
    lines = top.splitlines()
    assert re.match(r"^top - \d\d:\d\d:\d\d up \d+ min,  0 users,  load average: "
                    r"\d+\.\d\d, \d+\.\d\d, \d+\.\d\d$", lines[0]), top
    m = re.match(r"^Tasks: +(\d+) total, +(\d+) running, +(\d+) sleeping, +0 stopped, "
                 r"+(\d+) zombie$", lines[1])
    assert m, top
    cpu = re.match(r"^%Cpu\(s\): +(\S+) us, +(\S+) sy, +0\.0 ni, +(\S+) id, +0\.0 wa, +(\S+) hi, "
                   r"+(\S+) si, +0\.0 st$", lines[2])
    assert cpu and 98 <= sum(float(x) for x in cpu.groups()) <= 101, top
    assert re.match(r"^MiB Mem : +\d+\.\d total, +\d+\.\d free, +\d+\.\d used, +0\.0 "
                    r"buff/cache$", lines[3]), top
    assert lines[5] == "" and lines[6] == ("    PID USER      PR  NI    VIRT    RES    SHR S  %CPU"
                                           "  %MEM     TIME+ COMMAND"), top
    rows = [TOP_ROW.match(l) for l in lines[7:]]
    assert all(rows), top
    assert int(m.group(1)) == len(rows) and sorted(r.group(7) for r in rows) == names, (top, names)
    assert rows[0].group(7) == "kpktgend_0" and float(rows[0].group(3)) >= 20.0, top
    cpus = [float(r.group(3)) for r in rows]
    assert cpus == sorted(cpus, reverse=True), top
    la = re.match(r"^(\d+\.\d\d) (\d+\.\d\d) (\d+\.\d\d) (\d+)/(\d+) (\d+)$", loadavg.strip())
    assert la and int(la.group(5)) == len(names) and int(la.group(6)) == max(
        int(r.group(1)) for r in rows), loadavg


PS_ANY_ROW = re.compile(r"^root +\d+ +(\d+\.\d) +0\.0 +0 +0 \? +([RSZ]) +\d\d:\d\d +(\d+):(\d\d) "
                        r"\[(.+)\]$", re.M)


def test_watch_sleeps_between_rounds(kernel):
    """`watch` between its rounds sleeps in its session's thread instead of
    serving softirqs and halting there: over 3 s of `watch -n 1 ps aux`
    the console shell's thread, [shell/ttyS0], gathers almost no CPU time
    (it held the CPU through every halt before, most of its life)."""
    with Guest("sched-watch", smp=1) as g:
        g.wait_prompt(60)
        start = len(g.output)
        g.send("watch -n 1 ps aux\r")
        g.wait_for(r"(?s)(Every 1\.0s: ps aux\n.*?\[shell/ttyS0\]\n.*){4}", 30, start)
        g.send("\x03")
        g.wait_prompt(10, len(g.output))
        rounds = [m for m in PS_ANY_ROW.finditer(g.output, start) if m.group(5) == "shell/ttyS0"]
    assert len(rounds) >= 4, g.output[start:]
    pcpu, minutes, secs = float(rounds[-1].group(1)), int(rounds[-1].group(3)), int(rounds[-1].group(4))
    assert minutes * 60 + secs == 0 and pcpu < 20.0, rounds[-1].group(0)
