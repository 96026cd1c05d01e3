"""Memory management: RAM accounting, the mmtest self-check, and the faults
that the final page tables must produce (NULL, boot stack guard page)."""
import os
import re

import pytest

from harness import BUILD, EXIT_OK, EXIT_PANIC, boot

MM_LINE = re.compile(r"^\[ *\d+\.\d+\] mm: ram total (\d+) KiB, free (\d+) KiB$", re.M)
MMTEST_OK = re.compile(r"mmtest: ok \((\d+) KiB free, (\d+) blocks allocated above 4 GiB, "
                       r"(\d+) probes of RAM above 4 GiB\)")

# q35 keeps at most 2 GiB of RAM below 4 GiB once -m reaches 2.75 GiB, pc 3 GiB
# (3.5 GiB with gigabyte alignment off); what is left goes above 4 GiB.
CASES = [("q35", 128), ("q35", 512), ("q35", 3072), ("q35", 5120), ("pc", 512)]


@pytest.mark.parametrize("machine,mem", CASES, ids=["%s-%dM" % c for c in CASES])
def test_ram_total_and_mmtest(kernel, machine, mem):
    code, out = boot("mm-%s-%d" % (machine, mem), append="exit=ready mmtest",
                     mem=mem, machine=machine, timeout=120)
    m = MM_LINE.search(out)
    assert m, out
    total, free = int(m.group(1)), int(m.group(2))
    want = mem * 1024
    assert abs(total - want) <= want // 100, "total %d KiB for -m %d" % (total, mem)
    # free: all of it but the first MiB, the kernel image, firmware holes,
    # page tables and the allocator's state (1 byte per page)
    assert total - 4096 - total // 4096 <= free < total, out
    assert "mmtest: FAIL" not in out, out
    ok = MMTEST_OK.search(out)
    assert ok, out
    if mem > 2048:
        # RAM above 4 GiB must have been handed out and touched
        assert int(ok.group(2)) > 0 and int(ok.group(3)) > 0, out
    else:
        assert int(ok.group(2)) == 0 and int(ok.group(3)) == 0, out
    assert "barenet: ready" in out
    assert code == EXIT_OK, out


def symbol(name):
    with open(os.path.join(BUILD, "barenet.sym")) as f:
        for line in f:
            addr, _, sym = line.split()
            if sym == name:
                return int(addr, 16)
    raise KeyError(name)


def fault_report(out):
    exc = re.search(r"EXCEPTION: (#\w+) ", out)
    cr2 = re.search(r"CR2: 0x([0-9a-f]+) ", out)
    return (exc.group(1) if exc else None), (int(cr2.group(1), 16) if cr2 else None)


# The kernel reports EXIT_FAIL itself when the access did NOT fault.
def test_null_dereference_faults(kernel):
    code, out = boot("mm-fault-nullderef", append="exit=ready panic=exit mmtest=nullderef",
                     timeout=60)
    assert "mmtest: reading address 0 (must fault)" in out, out
    assert "mmtest: FAIL" not in out and "barenet: ready" not in out, out
    assert fault_report(out) == ("#PF", 0), out
    assert "error code: 0x0 [not-present read supervisor]" in out, out
    assert code == EXIT_PANIC, out


def test_stack_overflow_hits_guard_page(kernel):
    code, out = boot("mm-fault-stackoverflow",
                     append="exit=ready panic=exit mmtest=stackoverflow", timeout=60)
    assert "mmtest: overflowing the boot stack (must fault)" in out, out
    assert "mmtest: FAIL" not in out and "barenet: ready" not in out, out
    exc, cr2 = fault_report(out)
    # the #PF cannot push its frame on the overflowed stack: a #DF on its
    # IST stack reports it, with CR2 still naming the guard page
    assert exc in ("#DF", "#PF"), out
    guard = symbol("boot_stack_guard")
    assert cr2 is not None and guard <= cr2 < guard + 4096, \
        "CR2 %r outside the guard page %#x\n%s" % (cr2, guard, out)
    assert symbol("boot_stack_bottom") == guard + 4096
    assert code == EXIT_PANIC, out


def test_mmtest_bad_value_refused(kernel):
    code, out = boot("mm-bad-value", append="exit=ready mmtest=banana")
    assert "cmdline: bad value 'banana' for 'mmtest'" in out, out
    assert "mmtest: ok" not in out
    assert code == EXIT_OK, out


def test_selftest_mm_after_boot(kernel):
    code, out = boot("mm-selftest", append="exit=ready selftest=mm", mem=3072, timeout=120)
    assert "selftest mm: passed" in out, out
    m = re.search(r"mm: selftest: (\d+) KiB free, (\d+) blocks allocated above 4 GiB", out)
    assert m and int(m.group(2)) > 0, out
    assert code == EXIT_OK, out


def test_gigabyte_pages_when_cpuid_has_them(kernel):
    code, out = boot("mm-1g-pages", append="exit=ready mmtest", mem=5120, timeout=120,
                     extra=["-cpu", "qemu64,+pdpe1gb"])
    assert "mm: direct map with 1 GiB pages" in out, out
    assert MMTEST_OK.search(out), out
    assert code == EXIT_OK, out
    code, out = boot("mm-2m-pages", append="exit=ready", extra=["-cpu", "qemu64,-pdpe1gb"])
    assert "mm: direct map with 2 MiB pages" in out, out
    assert code == EXIT_OK, out
