"""CPU exceptions, panic and the irq API, driven by the in-kernel self-tests
(cmdline selftest=...).  Addresses in the kernel's reports are checked
against build/barenet.sym (nm -n of the image), not against the kernel's own
symbolization."""
import bisect
import os
import re

import pytest

from harness import BUILD, EXIT_OK, EXIT_PANIC, Guest, boot

SYMFILE = os.path.join(BUILD, "barenet.sym")
UNMAPPED = 0xffff900000000000     # kernel/selftest.c SELFTEST_UNMAPPED_ADDR
TS = r"^\[ *\d+\.\d{6}\] "          # printk timestamp


class Symbols:
    """nm -n output: symbol -> [start, end), end = the next higher address."""

    def __init__(self, path):
        self.rows = []
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:
                    self.rows.append((int(parts[0], 16), parts[1], parts[2]))
        self.addrs = sorted({a for a, _, _ in self.rows})

    def range_of(self, name):
        for addr, typ, sym in self.rows:
            if sym == name and typ in "Tt":
                i = bisect.bisect_right(self.addrs, addr)
                return addr, self.addrs[i]
        raise KeyError(name)

    def contains(self, name, addr):
        lo, hi = self.range_of(name)
        return lo <= addr < hi


@pytest.fixture(scope="module")
def syms(kernel):
    return Symbols(SYMFILE)


def call_trace(out):
    """[(address, name or None, guessed)] of the first Call Trace."""
    m = re.search(TS + r"Call Trace:\n((?:" + TS[1:] + r" \[<.*\n)+)", out, re.M)
    assert m, "no Call Trace in:\n" + out
    entries = []
    for line in m.group(1).splitlines():
        e = re.search(r" \[<([0-9a-f]{16})>\] (\? )?([\w.]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)$", line)
        assert e, "unparsable trace line %r" % line
        entries.append((int(e.group(1), 16), e.group(3), bool(e.group(2)),
                        int(e.group(4), 16), int(e.group(5), 16)))
    return entries


# selftest, exception line, expected error code line
CRASHES = [
    ("ud2", "#UD invalid opcode", r"error code: none"),
    ("de", "#DE divide error", r"error code: none"),
    ("pf", "#PF page fault", r"error code: 0x0 \[not-present read supervisor\]"),
    # a user address: only the exception table's copies are fixed up
    ("pf_user", "#PF page fault", r"error code: 0x0 \[not-present read supervisor\]"),
    ("gp", "#GP general protection", r"error code: 0x0$"),
]


@pytest.mark.parametrize("test,name,errline", CRASHES, ids=[c[0] for c in CRASHES])
def test_exception_report_and_panic(kernel, syms, test, name, errline):
    code, out = boot("exc-" + test, append="exit=ready panic=exit selftest=" + test,
                     timeout=20)
    assert re.search(TS + re.escape("EXCEPTION: " + name) + "$", out, re.M), out
    assert re.search(TS + errline, out, re.M), out
    fn = "selftest_" + test

    # RIP: inside the test's own function according to nm, and the kernel's
    # symbolization agrees with nm
    m = re.search(TS + r"RIP: 0x([0-9a-f]{16}) ([\w.]+)\+0x([0-9a-f]+)/0x([0-9a-f]+)$", out, re.M)
    assert m, out
    rip = int(m.group(1), 16)
    assert syms.contains(fn, rip), "RIP %#x outside %s %s" % (rip, fn, syms.range_of(fn))
    lo, hi = syms.range_of(fn)
    assert m.group(2) == fn and int(m.group(3), 16) == rip - lo and int(m.group(4), 16) == hi - lo

    if test == "pf":
        cr2 = re.search(TS + r"CR2: 0x([0-9a-f]{16}) \(the faulting address\)", out, re.M)
        assert cr2 and int(cr2.group(1), 16) == UNMAPPED, out

    # the panic, then the trace: the test function first, kmain further out;
    # every entry's symbol is the nm symbol around its address
    assert re.search(TS + r"Kernel panic: fatal exception " + re.escape(name), out, re.M), out
    trace = call_trace(out)
    names = [e[1] for e in trace]
    assert names[0] == fn and trace[0][0] == rip, trace
    assert "kmain" in names[1:], trace
    for addr, sym, _, off, size in trace:
        lo, hi = syms.range_of(sym)
        where = addr if addr == rip else addr - 1     # return addresses: the call
        assert lo <= where < hi and off == addr - lo and size == hi - lo, (sym, hex(addr))
    assert code == EXIT_PANIC, out


def test_breakpoint_resumes(kernel, syms):
    code, out = boot("exc-bp", append="exit=ready selftest=bp", timeout=20)
    m = re.search(TS + r"EXCEPTION: #BP breakpoint at RIP 0x([0-9a-f]{16}) selftest_bp\+", out, re.M)
    assert m, out
    assert syms.contains("selftest_bp", int(m.group(1), 16))
    assert re.search(TS + r"selftest bp: resumed$", out, re.M), out
    assert "Kernel panic" not in out
    assert code == EXIT_OK, out


def test_double_fault_on_ist_stack(kernel):
    # a push on an unmapped stack: only the IST switch lets #DF report it
    code, out = boot("exc-df", append="exit=ready panic=exit selftest=df", timeout=20)
    assert re.search(TS + r"EXCEPTION: #DF double fault$", out, re.M), out
    m = re.search(TS + r"RSP: 0x([0-9a-f]{16})", out, re.M)
    assert m and int(m.group(1), 16) == UNMAPPED, out
    assert "kmain" in [e[1] for e in call_trace(out)]
    assert code == EXIT_PANIC, out


def test_nmi_and_irq_api(kernel):
    code, out = boot("exc-nmi-irq", append="exit=ready selftest=nmi,irq", timeout=20)
    m = re.search(r"selftest nmi: handled on the NMI IST stack \(frame (0x[0-9a-f]+) in "
                  r"(0x[0-9a-f]+)-(0x[0-9a-f]+)\)", out)
    assert m, out
    frame, lo, hi = (int(x, 16) for x in m.groups())
    assert lo <= frame < hi and hi - lo == 16384, out
    # 5 on 0xdf and one for the 8259's spurious IRQ 15 (vector 0x2f), which
    # is an ERR count, not an unclaimed interrupt (no report for it)
    assert re.search(TS + r"selftest irq: vector 0xdf taken 5 times, 6 EOIs$", out, re.M), out
    assert "vector 0x2f" not in out, out
    # unclaimed interrupts are reported once per cause, not once per interrupt
    assert len(re.findall(r"unexpected interrupt on vector 0xdf", out)) == 1, out
    assert len(re.findall(r"spurious interrupt \(vector 0xff\)", out)) == 1, out
    assert re.search(TS + r"selftest irq: passed$", out, re.M), out
    assert code == EXIT_OK, out


def test_nested_panic_stops(kernel):
    code, out = boot("exc-nested", append="exit=ready panic=exit selftest=nested", timeout=20)
    assert len(re.findall(r"Kernel panic: nested panic, stopping: #PF page fault", out)) == 1, out
    assert code == EXIT_PANIC, out


def test_panic_halt_keeps_running(kernel):
    with Guest("exc-halt", append="panic=halt selftest=ud2") as g:
        g.wait_for(TS + r"Kernel panic: fatal exception #UD", timeout=20)
        g.wait_for(TS + r"---\[ end Kernel panic", timeout=5)
        with pytest.raises(TimeoutError):
            g.wait_exit(timeout=2)
        assert "power: off" not in g.output


def test_panic_default_is_halt(kernel):
    with Guest("exc-halt-default", append="selftest=ud2") as g:
        g.wait_for(TS + r"---\[ end Kernel panic", timeout=20)
        with pytest.raises(TimeoutError):
            g.wait_exit(timeout=1)


def test_bad_panic_value_refused(kernel):
    code, out = boot("exc-bad-panic", append="exit=ready panic=reboot")
    assert "cmdline: bad value 'reboot' for 'panic'" in out, out
    assert code == EXIT_OK, out


def test_unknown_selftest_refused(kernel):
    code, out = boot("exc-bad-selftest", append="exit=ready selftest=bp,nosuch")
    assert "selftest: unknown test 'nosuch'" in out, out
    m = re.search(r"selftest: known tests:((?: \w+)+)$", out, re.M)
    assert m and {"ud2", "de", "pf", "gp", "bp"} <= set(m.group(1).split()), out
    # the whole value is refused: bp does not run either
    assert "selftest bp: running" not in out
    assert code == EXIT_OK, out
