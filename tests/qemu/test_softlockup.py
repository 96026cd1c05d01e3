"""The soft-lockup watchdog (kernel/softlockup.c): a CPU that stops coming
back to its softirq loop while its tick runs is reported from the tick,
with the registers and backtrace of the code the tick interrupted, and the
kernel carries on (or panics with softlockup_panic=1).  `selftest=softlockup`
spins with interrupts on in softlockup_selftest_spin(); the report must
name it, at the address nm gives it in build/barenet.sym.  Each CPU's tick
runs the watchdog: `selftest=lockup_ap` spins in a thread on the last CPU
with preemption off, and that CPU reports it."""
import re
import time

import apps
from harness import EXIT_FAIL, EXIT_OK, EXIT_PANIC, Guest, boot
from test_exceptions import TS, call_trace, syms  # noqa: F401 (fixture)

SPIN = "softlockup_selftest_spin"
THRESH = 2
# Linux's line: the CPU, the seconds, the interrupted thread's comm:pid
REPORT_RE = re.compile(TS + r"BUG: soft lockup - CPU#(\d+) stuck for (\d+)s! \[(.*)\]$", re.M)
# a report anywhere in a line, for the tests that must see none: with the
# shell on, the console may print it right after a prompt
ANY_REPORT_RE = re.compile(r"BUG: soft lockup - CPU#\d+ stuck for \d+s! \[.*\]")


def check_report(out, syms, cpu=0, task="swapper/0:0",  # noqa: F811 (the fixture's value)
                 callers=("selftest_run_requested", "kmain")):
    found = [m for m in REPORT_RE.finditer(out) if m.group(1) == str(cpu)]
    assert found, out[-3000:]
    m = found[0]
    assert int(m.group(2)) >= THRESH, m.group(0)
    assert re.fullmatch(task, m.group(3)), m.group(0)
    after = out[m.end():]
    r = re.search(TS + r"RIP: 0x([0-9a-f]{16}) ([\w.]+)\+0x[0-9a-f]+/0x[0-9a-f]+$", after, re.M)
    assert r and r.group(2) == SPIN, after[:2000]
    rip = int(r.group(1), 16)
    assert syms.contains(SPIN, rip), "RIP %#x outside %s %s" % (rip, SPIN, syms.range_of(SPIN))
    trace = call_trace(after)
    names = [e[1] for e in trace]
    assert names[0] == SPIN and trace[0][0] == rip, trace
    # the walk from the interrupted RBP reaches the selftest runner and
    # kmain (CPU 0's boot context), or the thread's function and the
    # kthread trampoline
    assert all(c in names for c in callers), names
    for addr, name, _, off, _ in trace:
        assert syms.contains(name, addr), (name, hex(addr))
    return int(m.group(2))


def test_softlockup_reported_and_running(kernel, syms):  # noqa: F811
    """selftest=lockup (softlockup's other name; the other boots use that
    one) on CPU 0, then selftest=lockup_ap on CPU 1 (2 CPUs): each CPU's
    own tick reports its spin (before, only CPU 0's tick ran the
    watchdog, and an AP's lockup went unreported)."""
    code, out = boot("softlockup", smp=2,
                     append="exit=ready softlockup_thresh=%d selftest=lockup,lockup_ap" % THRESH,
                     timeout=90)
    stuck = check_report(out, syms)
    assert re.search(TS + r"---\[ end soft lockup \]---$", out, re.M), out[-2000:]
    # it carried on: the spin saw the report and the test passed
    assert "softlockup: test: reported, still running" in out, out[-2000:]
    assert re.search(TS + r"selftest lockup: passed$", out, re.M), out[-2000:]
    assert stuck < 10 * THRESH, stuck
    # the thread on CPU 1, by its name and pid, spinning where nm says
    stuck = check_report(out, syms, cpu=1, task=r"lockup_test:\d+",
                         callers=("lockup_ap_thread", "kthread_trampoline"))
    assert "softlockup: test: CPU1 reported, still running" in out, out[-2000:]
    assert re.search(TS + r"selftest lockup_ap: passed$", out, re.M), out[-2000:]
    assert stuck < 10 * THRESH, stuck
    # one report per spin, none about CPU 0 while it waited for the thread
    # (its boot context halts in schedule_timeout, idle_halt: progress)
    assert [m.group(1) for m in REPORT_RE.finditer(out)] == ["0", "1"], out[-3000:]
    assert "Kernel panic" not in out
    assert code == EXIT_OK, (code, out[-2000:])


def test_preemptible_kernel_spin_is_no_soft_lockup(kernel):
    """selftest=lockup_preempt: a kernel thread alone on CPU 1 spins with
    interrupts and preemption on for two thresholds.  The tick could preempt
    it, as Linux's watchdog thread would: no report (before, CPU 1 was
    reported after one threshold)."""
    code, out = boot("softlockup-preempt", smp=2,
                     append="exit=ready softlockup_thresh=%d selftest=lockup_preempt" % THRESH,
                     timeout=60)
    assert "softlockup: test: CPU1 spinning %d s with interrupts and preemption on" % (2 * THRESH) \
        in out, out[-2000:]
    assert "softlockup: test: CPU1 not reported" in out, out[-2000:]
    assert re.search(TS + r"selftest lockup_preempt: passed$", out, re.M), out[-2000:]
    assert not ANY_REPORT_RE.search(out), out[-3000:]
    assert code == EXIT_OK, (code, out[-2000:])


def test_softlockup_panic(kernel, syms):  # noqa: F811
    code, out = boot("softlockup-panic",
                     append="exit=ready panic=exit softlockup_panic=1 softlockup_thresh=%d "
                     "selftest=softlockup" % THRESH, timeout=60)
    check_report(out, syms)
    assert re.search(TS + r"Kernel panic: softlockup: hung tasks$", out, re.M), out[-3000:]
    # panic's own trace starts at the spinning function too
    panic_at = out.index("Kernel panic: softlockup")
    assert call_trace(out[panic_at:])[0][1] == SPIN
    assert "selftest softlockup: passed" not in out
    assert code == EXIT_PANIC, (code, out[-2000:])


def test_softlockup_off(kernel):
    code, out = boot("softlockup-off", append="exit=ready softlockup_thresh=0 selftest=softlockup",
                     timeout=30)
    assert "softlockup: test: the watchdog is off (softlockup_thresh=0)" in out, out[-2000:]
    assert not REPORT_RE.search(out)
    assert code == EXIT_FAIL, code


def test_no_report_while_idle_or_busy(kernel):
    """The idle loop and the shell's wait loops are progress: with a 1 s
    threshold an idle guest, and one running a command that waits (watch,
    which serves softirqs while it waits), report nothing."""
    with Guest("softlockup-idle", append="softlockup_thresh=1") as g:
        g.wait_for(r"barenet: ready in", timeout=60)
        g.wait_prompt(30)
        assert g.watch(4)
        mark = len(g.output)
        g.send("watch -n 0.5 cat /proc/uptime\r")
        assert g.watch(3)
        g.send("\x03")
        g.wait_prompt(10, mark)
        assert g.output.count("Every 0.5s: cat /proc/uptime", mark) >= 3, g.output[mark:]
        assert g.watch(1)
        assert not ANY_REPORT_RE.search(g.output), g.output[-3000:]
        assert "Kernel panic" not in g.output


def test_threshold_in_seconds_with_the_pit(kernel):
    """The threshold counts jiffies the tick moved, not tick interrupts: the
    PIT cannot tick at 10 Hz and interrupts twice per jiffy (hz=10), yet the
    report comes THRESH seconds after the spin began, by the printk clock."""
    code, out = boot("softlockup-pit", append="exit=ready pic=8259 hz=10 softlockup_thresh=%d "
                     "selftest=softlockup" % THRESH, timeout=60)
    assert re.search(TS + r"tick: 10 Hz from the PIT on IRQ 0 \(20 Hz, 2 per tick\)$", out, re.M), out
    start = re.search(r"^\[ *(\d+\.\d{6})\] softlockup: test: spinning", out, re.M)
    rep = re.search(r"^\[ *(\d+\.\d{6})\] BUG: soft lockup - CPU#0 stuck for (\d+)s!", out, re.M)
    assert start and rep, out[-2000:]
    waited = float(rep.group(1)) - float(start.group(1))
    assert THRESH - 0.2 <= waited < 3 * THRESH, waited
    assert int(rep.group(2)) == THRESH, rep.group(0)
    assert code == EXIT_OK, code


SPIN_APP = "tests/apps/spin.c"
# the application's spin: several thresholds long
SPIN_S = 4 * THRESH
# the shell's commands during the spin, each answered within
SHELL_ANSWER_S = 5


def cpu_idle(g, cpu):
    """cpuN's idle jiffies (the fourth field of its /proc/stat line)."""
    m = re.search(r"^cpu%d (\d+) (\d+) (\d+) (\d+)" % cpu, g.view("cat /proc/stat"), re.M)
    assert m, g.output[-2000:]
    return int(m.group(4))


def test_user_spin_is_no_soft_lockup(kernel):
    """An application spinning in user mode without system calls, alone on
    CPU 1 for SPIN_S (4 thresholds): no soft-lockup report, as on Linux,
    whose watchdog thread preempts user code (only kernel code that cannot
    be preempted is stuck).  Before: CPU 1 neither switched threads nor
    halted, and its tick reported "stuck for 2s! [spin:N]" every threshold.
    Meanwhile the shell on CPU 0 answers, and CPU 1 is busy (its idle time
    does not grow): the spin really had the CPU to itself."""
    with Guest("softlockup-user-spin", kernel=apps.app_kernel(SPIN_APP), smp=2,
               append="softlockup_thresh=%d -- 1 %d" % (THRESH, SPIN_S)) as g:
        g.wait_for(r"barenet: ready in", timeout=90)
        g.wait_prompt(30)
        start = g.wait_for(r"^(?:barenet# )?spin: on CPU 1, spinning", timeout=60)
        idle0, t0 = cpu_idle(g, 1), time.monotonic()
        answered = 0
        while time.monotonic() - t0 < SPIN_S - THRESH:
            t = time.monotonic()
            g.shell("cat /proc/uptime", timeout=SHELL_ANSWER_S)
            answered += 1
            time.sleep(max(0, 0.5 - (time.monotonic() - t)))
        idle1, t1 = cpu_idle(g, 1), time.monotonic()
        done = g.wait_for(r"^(?:barenet# )?spin: done after ([\d.]+) s$", timeout=SPIN_S * 3, start=start.end())
        g.shell("cat /proc/uptime", timeout=SHELL_ANSWER_S)
        out = g.output
    assert float(done.group(1)) >= SPIN_S - 0.5, done.group(0)
    assert answered >= SPIN_S - THRESH, answered
    # idle jiffies are USER_HZ (100) ticks: under a tenth of the time idle
    assert idle1 - idle0 < 10 * (t1 - t0), (idle0, idle1, t1 - t0)
    assert not ANY_REPORT_RE.search(out), out[-3000:]
    assert "Kernel panic" not in out
