"""Memory management: RAM accounting, the mmtest self-check, and the faults
that the final page tables must produce (NULL, boot stack guard page)."""
import re

import pytest

from harness import EXIT_FAIL, EXIT_OK, boot

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


# Until the exception handlers land (branch cpu), a page fault here escalates
# to a triple fault: QEMU (-no-reboot) then exits 0 on its own.  The kernel
# itself reports EXIT_FAIL when the access did NOT fault.  Once #PF is
# reported by name, tighten these to the "EXCEPTION: #PF" line and EXIT_PANIC.
@pytest.mark.parametrize("what,announce", [
    ("nullderef", "mmtest: reading address 0 (must fault)"),
    ("stackoverflow", "mmtest: overflowing the boot stack (must fault)"),
])
def test_fault_is_taken(kernel, what, announce):
    code, out = boot("mm-fault-" + what, append="exit=ready mmtest=" + what, timeout=60)
    assert announce in out, out
    assert "mmtest: FAIL" not in out, out
    assert "barenet: ready" not in out, out
    assert code not in (EXIT_OK, EXIT_FAIL), "exit %d\n%s" % (code, out)


def test_mmtest_bad_value_refused(kernel):
    code, out = boot("mm-bad-value", append="exit=ready mmtest=banana")
    assert "cmdline: bad value 'banana' for 'mmtest'" in out, out
    assert "mmtest: ok" not in out
    assert code == EXIT_OK, out
