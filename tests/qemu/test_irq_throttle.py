"""The interrupt throttle the driver sets is the one the device uses: on
the 82574 (QEMU e1000e) in MSI-X mode that is the vector's EITR, not ITR
(ITR throttles only MSI and INTx; Linux's e1000e_write_itr likewise writes
EITR per vector with MSI-X).  Written to ITR, `ethtool -C eth0 rx-usecs N`
changed nothing: the vector kept QEMU's reset value, 500 x 256 ns.

No register dump in the guest shows the device's side, so the evidence is
QEMU's own trace of the register writes (-trace e1000e_irq_eitr_set and
e1000e_irq_itr_set, a log file per boot): after the guest's
`ethtool -C eth0 rx-usecs 1000`, the register of the mode (EITR[0] with
MSI-X, ITR with MSI) must have been written with 1000 us in 256 ns units,
and `ethtool -c` must read 1000 back."""
import os
import re
import subprocess

import pytest

from harness import LOGDIR, Guest
from netparse import driver_linked, free_port

USECS = 1000
UNITS = USECS * 1000 // 256     # ITR/EITR interval unit: 256 ns (82574 10.2.4)
EVENTS = ("e1000e_irq_eitr_set", "e1000e_irq_itr_set")


def qemu_traces(events):
    """True when this QEMU was built with a trace backend that logs."""
    out = subprocess.run(["qemu-system-x86_64", "-trace", "help"], capture_output=True,
                         text=True, timeout=30).stdout
    return all(e in out.split() for e in events)


@pytest.mark.parametrize("mode,register", [("msix", r"EITR\[0\]"), ("msi", r"ITR")])
def test_e1000e_throttle_register_follows_mode(kernel, mode, register):
    if not driver_linked():
        pytest.skip("no NIC driver linked into the kernel yet")
    if not qemu_traces(EVENTS):
        pytest.skip("this QEMU cannot trace %s" % ", ".join(EVENTS))
    os.makedirs(LOGDIR, exist_ok=True)
    trace = os.path.join(LOGDIR, "irq-throttle-%s.trace" % mode)
    if os.path.exists(trace):
        os.unlink(trace)
    port = free_port()
    extra = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:7" % port,
             "-device", "e1000e,netdev=n0,mac=52:54:00:12:34:56,romfile=",
             "-D", trace] + [a for e in EVENTS for a in ("-trace", "enable=" + e)]
    with Guest("irq-throttle-" + mode, append="irqmode=" + mode, extra=extra) as g:
        m = g.wait_for(r"eth0: 82574L at \S+, MAC \S+, irq (\w+) vector", timeout=60)
        assert m.group(1) == mode, "asked for %s, driver got %s" % (mode, m.group(1))
        g.wait_prompt(timeout=60)
        out = g.shell("ethtool -C eth0 rx-usecs %d" % USECS)
        assert "error" not in out.lower(), out
        out = g.shell("ethtool -c eth0")
        assert re.search(r"^rx-usecs:\s+%d$" % USECS, out, re.M), out
    with open(trace) as f:
        log = f.read()
    writes = re.findall(r"e1000e_irq_(e?itr)_set (\w+(?:\[\d+\])?) = (\d+)", log)
    assert writes, "no throttle register write traced (%s)" % trace
    want = re.compile(r"%s$" % register)
    assert any(want.match(reg) and int(v) == UNITS for _, reg, v in writes), \
        "%s never written with %d (%d us); writes traced: %s" % (register, UNITS, USECS, writes)
