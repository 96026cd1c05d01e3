"""PCI: enumeration listing, BAR sizes, capabilities, bridges, config
mechanisms, and the interrupt self-test (pcitest=irq) for the Intel NICs.

Expected values come from QEMU's device models (hw/net/e1000.c,
hw/net/e1000e.c, hw/net/igb.c), not from the kernel's output.
"""
import re

import pytest

from harness import EXIT_OK, boot

INTEL = 0x8086
KiB = 1024

# model -> (device id, {bar: (kind, size)}, capabilities that must be listed)
#   e1000.c:  BAR0 PNPMMIO_SIZE 0x20000 memory, BAR1 IOPORT_SIZE 0x40 I/O; no MSI
#   e1000e.c: BAR0 E1000E_MMIO_SIZE 128 KiB, BAR1 E1000E_FLASH_SIZE 128 KiB,
#             BAR2 E1000E_IO_SIZE 32 I/O, BAR3 E1000E_MSIX_SIZE 16 KiB (32-bit);
#             msix_init(..., 0xA0), msi_init(0xD0), PCIe at 0xE0, PM at 0xC8
#   igb.c:    the same sizes, BAR3 PCI_BASE_ADDRESS_MEM_TYPE_64; PCIe 0xa0,
#             MSI-X 0x70, MSI 0x50, PM 0x40
MODELS = {
    "e1000": (0x100E, {0: ("mem32", 0x20000), 1: ("io", 0x40)}, {}),
    "e1000e": (0x10D3, {0: ("mem32", 128 * KiB), 1: ("mem32", 128 * KiB),
                        2: ("io", 32), 3: ("mem32", 16 * KiB)},
               {"msi": 0xD0, "msix": 0xA0, "pcie": 0xE0, "pm": 0xC8}),
    "igb": (0x10C9, {0: ("mem32", 128 * KiB), 1: ("mem32", 128 * KiB),
                     2: ("io", 32), 3: ("mem64", 16 * KiB)},
            {"msi": 0x50, "msix": 0x70, "pcie": 0xA0, "pm": 0x40}),
}
# the interrupt modes each model offers
MODES = {"e1000": ["intx"], "e1000e": ["msix", "msi", "intx"], "igb": ["msix", "msi", "intx"]}

LINE = re.compile(r"^\[[ \d.]+\] pci: (?P<bdf>[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) "
                  r"\[(?P<cls>[0-9a-f]{4})\] (?P<ven>[0-9a-f]{4}):(?P<dev>[0-9a-f]{4}) "
                  r"(?P<text>.*) \(driver: (?P<drv>[\w-]+)\)$", re.M)
BAR = re.compile(r"^\[[ \d.]+\] pci:   bar(\d) (io|mem32|mem64) at (0x[0-9a-f]+) size (0x[0-9a-f]+)")
CAPS = re.compile(r"^\[[ \d.]+\] pci:   caps:(.*)$")


def nic_args(models, machine="q35", first_slot=2):
    args = []
    for i, m in enumerate(models):
        args += ["-device", "%s,netdev=n%d,romfile=,addr=%#x" % (m, i, first_slot + i),
                 "-netdev", "user,id=n%d" % i]
    return args


def parse_listing(out):
    """{bdf: {ven, dev, cls, text, drv, bars: {i: (kind, base, size)}, caps: {name: off}}}"""
    devs = {}
    cur = None
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            cur = {"ven": int(m["ven"], 16), "dev": int(m["dev"], 16), "cls": int(m["cls"], 16),
                   "text": m["text"], "drv": m["drv"], "bars": {}, "caps": {}}
            devs[m["bdf"]] = cur
            continue
        m = BAR.match(line)
        if m and cur is not None:
            cur["bars"][int(m[1])] = (m[2], int(m[3], 16), int(m[4], 16))
            continue
        m = CAPS.match(line)
        if m and cur is not None:
            for item in m[1].split():
                name, off = item.split("@")
                cur["caps"][name] = int(off, 16)
    return devs


def check_model(dev, model):
    device_id, bars, caps = MODELS[model]
    assert dev["ven"] == INTEL and dev["dev"] == device_id, dev
    assert dev["cls"] == 0x0200, dev            # network, Ethernet
    assert dev["text"].startswith("Ethernet controller: Intel"), dev
    got = {i: (kind, size) for i, (kind, base, size) in dev["bars"].items()}
    assert got == bars, (model, got)
    for i, (kind, base, size) in dev["bars"].items():
        assert base and base % size == 0, (model, i, hex(base), hex(size))  # naturally aligned
    for name, off in caps.items():
        assert dev["caps"].get(name) == off, (model, name, dev["caps"])
    if not caps:
        assert "msi" not in dev["caps"] and "msix" not in dev["caps"], dev["caps"]


@pytest.mark.parametrize("model,machine", [("e1000", "q35"), ("e1000e", "q35"),
                                           ("igb", "q35"), ("e1000", "pc")])
def test_listing_bars_caps(kernel, model, machine):
    code, out = boot("pci-list-%s-%s" % (model, machine), machine=machine,
                     extra=nic_args([model]))
    assert code == EXIT_OK, out
    devs = parse_listing(out)
    assert "0000:00:02.0" in devs, out
    check_model(devs["0000:00:02.0"], model)
    host = devs["0000:00:00.0"]
    assert (host["ven"], host["dev"], host["cls"]) == \
        ((INTEL, 0x29C0, 0x0600) if machine == "q35" else (INTEL, 0x1237, 0x0600)), host
    # the chipset's multi-function devices: ICH9 LPC/SATA/SMBus at 1f.0/2/3,
    # PIIX3 ISA/IDE and PIIX4 ACPI at 01.0/1/3
    fns = ["0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3"] if machine == "q35" else \
        ["0000:00:01.0", "0000:00:01.1", "0000:00:01.3"]
    for f in fns:
        assert f in devs, (f, sorted(devs))
    m = re.search(r"pci: (\d+) functions \(config via (\w+)\)", out)
    assert m and int(m[1]) == len(devs), out


def test_two_nics(kernel):
    code, out = boot("pci-two-nics", extra=nic_args(["e1000", "igb"]))
    assert code == EXIT_OK, out
    devs = parse_listing(out)
    check_model(devs["0000:00:02.0"], "e1000")
    check_model(devs["0000:00:03.0"], "igb")


@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_behind_bridge(kernel, machine):
    """A NIC behind a bridge is found on the bridge's secondary bus."""
    if machine == "q35":
        bridge = ["-device", "pcie-root-port,id=rp1,bus=pcie.0,addr=0x4,chassis=1"]
        nic = ["-device", "e1000e,netdev=n0,romfile=,bus=rp1,addr=0x0"]
        model = "e1000e"
    else:
        bridge = ["-device", "pci-bridge,id=br1,bus=pci.0,addr=0x4,chassis_nr=1"]
        nic = ["-device", "e1000,netdev=n0,romfile=,bus=br1,addr=0x5"]
        model = "e1000"
    code, out = boot("pci-bridge-" + machine, machine=machine,
                     extra=bridge + nic + ["-netdev", "user,id=n0"])
    assert code == EXIT_OK, out
    devs = parse_listing(out)
    br = devs["0000:00:04.0"]
    assert br["cls"] == 0x0604, br
    m = re.search(r"pci:   bridge to bus ([0-9a-f]{2})", out)
    assert m, out
    bdf = "0000:%s:%s.0" % (m[1], "00" if machine == "q35" else "05")
    assert int(m[1], 16) >= 1 and bdf in devs, (bdf, sorted(devs))
    check_model(devs[bdf], model)


def test_bad_pci_option(kernel):
    code, out = boot("pci-bad-option", append="exit=ready pci=banana")
    assert "cmdline: bad value 'banana' for 'pci'" in out, out
    assert code == EXIT_OK


def test_legacy_forced(kernel):
    code, out = boot("pci-legacy", append="exit=ready pci=legacy", extra=nic_args(["e1000"]))
    assert code == EXIT_OK, out
    assert "pci: config access via legacy 0xcf8/0xcfc (pci=legacy)" in out, out
    check_model(parse_listing(out)["0000:00:02.0"], "e1000")


# ---- config mechanisms -------------------------------------------------

def test_ecam_and_legacy_same_listing(kernel):
    extra = nic_args(["e1000e", "igb"])
    code_e, out_e = boot("pci-ecam", extra=extra)
    code_l, out_l = boot("pci-ecam-legacy", append="exit=ready pci=legacy", extra=extra)
    assert code_e == EXIT_OK and code_l == EXIT_OK, (out_e, out_l)
    assert re.search(r"pci: ECAM segment 0000 buses 00-ff at 0xb0000000", out_e), out_e
    assert "config via ecam" in out_e and "config via legacy" in out_l
    list_e, list_l = parse_listing(out_e), parse_listing(out_l)
    assert len(list_e) >= 6 and list_e == list_l


def test_config_selftest(kernel):
    """Every function's 256 bytes read the same through ECAM and 0xcf8."""
    code, out = boot("pci-config-selftest", append="pcitest=config",
                     extra=nic_args(["e1000", "e1000e", "igb"]))
    m = re.search(r"pcitest: config: (\d+) functions, 256 bytes each: "
                  r"ecam and legacy identical \(0 mismatches\)", out)
    assert m and int(m[1]) >= 7, out
    assert code == EXIT_OK, out


# ---- interrupts --------------------------------------------------------

RECEIVED = r"pcitest: %s 8086:%04x mode %s: irq received \(count (\d+)\)"


def irq_boot(name, models, append, machine="q35", first_slot=2, extra=()):
    return boot(name, append=append + " pcitest=irq", machine=machine,
                extra=nic_args(models, machine, first_slot) + list(extra))


@pytest.mark.parametrize("model,mode", [(m, x) for m in MODES for x in MODES[m]])
def test_irq_mode_delivers(kernel, model, mode):
    code, out = irq_boot("pci-irq-%s-%s" % (model, mode), [model], "irqmode=" + mode)
    m = re.search(RECEIVED % ("0000:00:02.0", MODELS[model][0], mode), out)
    assert m and int(m[1]) >= 3, out
    if mode == "msix":
        for what in ("entry mask", "function mask"):
            assert "mode msix: %s held the message pending, unmask delivered it" % what in out, out
    assert "FAIL" not in out and "not supported" not in out, out
    assert "pcitest: 1 NIC tested, 0 failed" in out, out
    assert code == EXIT_OK, out


@pytest.mark.parametrize("model,best", [("e1000", "intx"), ("e1000e", "msix"), ("igb", "msix")])
def test_irq_default_is_best(kernel, model, best):
    code, out = irq_boot("pci-irq-best-" + model, [model], "")
    assert re.search(RECEIVED % ("0000:00:02.0", MODELS[model][0], best), out), out
    assert code == EXIT_OK, out


def test_irqmode_refused_falls_back(kernel):
    code, out = irq_boot("pci-irq-refused", ["e1000"], "irqmode=msix")
    assert "pci: 0000:00:02.0: irqmode=msix not supported (device offers: intx), using intx" \
        in out, out
    assert re.search(RECEIVED % ("0000:00:02.0", 0x100E, "intx"), out), out
    assert code == EXIT_OK, out


def test_irqmode_bad_value(kernel):
    code, out = boot("pci-irqmode-bad", append="exit=ready irqmode=msi-x")
    assert "cmdline: bad value 'msi-x' for 'irqmode'" in out, out
    assert code == EXIT_OK


def test_irq_e1000_on_pc(kernel):
    """pc: PIIX3 routes PIRQs only to ISA IRQs; the line firmware chose."""
    code, out = irq_boot("pci-irq-pc", ["e1000"], "", machine="pc")
    m = re.search(r"mode intx: vector 0x[0-9a-f]+ \(ISA IRQ (\d+), level", out)
    assert m and int(m[1]) in (5, 9, 10, 11), out    # SeaBIOS's PCI IRQs
    assert re.search(RECEIVED % ("0000:00:02.0", 0x100E, "intx"), out), out
    assert code == EXIT_OK, out


def test_irq_shared_intx_line(kernel):
    """q35 wires slots 2 and 6 INTA to the same PIRQ (G): one vector, two
    handlers, each interrupt claimed by its own device only."""
    extra = ["-device", "e1000,netdev=n1,romfile=,addr=0x6", "-netdev", "user,id=n1"]
    code, out = irq_boot("pci-irq-shared", ["e1000"], "", extra=extra)
    vecs = re.findall(r"pcitest: (\S+) 8086:100e mode intx: vector (0x[0-9a-f]+) \(GSI (\d+)", out)
    assert len(vecs) == 2 and vecs[0][1] == vecs[1][1], out
    # hw/isa/lpc_ich9.c: slots 0..24 INTA -> PIRQ (slot % 4) + 4 -> GSI 16 + PIRQ
    assert [int(g) for _, _, g in vecs] == [16 + (2 % 4) + 4, 16 + (6 % 4) + 4], vecs
    for bdf in ("0000:00:02.0", "0000:00:06.0"):
        m = re.search(RECEIVED % (bdf, 0x100E, "intx"), out)
        assert m and int(m[1]) == 3, out
    assert "pcitest: 2 NICs tested, 0 failed" in out, out
    assert code == EXIT_OK, out


def test_irq_two_nics(kernel):
    code, out = irq_boot("pci-irq-two", ["e1000", "igb"], "")
    assert re.search(RECEIVED % ("0000:00:02.0", 0x100E, "intx"), out), out
    assert re.search(RECEIVED % ("0000:00:03.0", 0x10C9, "msix"), out), out
    assert code == EXIT_OK, out


@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_irq_intx_through_8259(kernel, machine):
    code, out = irq_boot("pci-irq-8259-" + machine, ["e1000"], "pic=8259", machine=machine)
    m = re.search(r"pcitest: 0000:00:02.0 8086:100e mode intx: vector (0x[0-9a-f]+) "
                  r"\(ISA IRQ (\d+)", out)
    assert m and int(m[1], 16) == 0x20 + int(m[2]), out     # the 8259's vector for it
    assert re.search(RECEIVED % ("0000:00:02.0", 0x100E, "intx"), out), out
    assert code == EXIT_OK, out
