"""make run / make debug: the developer's entry points boot the kernel.

Each run goes through the harness (timeout, kill by process group).  The
host forwards use free ports picked here, so a test never collides with a
`make run` someone has open on 8080."""
import os
import re
import socket
import subprocess

import pytest

from harness import Guest, ROOT

MAKE = ["make", "--no-print-directory", "-s"]


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def make_vars(**kw):
    return ["%s=%s" % kv for kv in kw.items()]


def dry_run_target(target, *args):
    """make <target> with RUN_DRY=1: tools/qemu-run.sh prints the QEMU command
    line (shell-quoted) as its last line instead of running it."""
    env = dict(os.environ, RUN_DRY="1")
    return subprocess.run(MAKE + [target] + list(args), cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def dry_run(*args):
    return dry_run_target("run", *args)


@pytest.mark.parametrize("nic", ["e1000", "e1000e", "igb"])
def test_make_run_boots_with_each_nic(kernel, nic):
    tcp, udp = free_ports(2)
    fwd = "tcp:127.0.0.1:%d-:80 udp:127.0.0.1:%d-:7" % (tcp, udp)
    cmd = MAKE + ["run"] + make_vars(NIC=nic, APPEND="exit=ready", HOSTFWD=fwd)
    with Guest("make-run-" + nic, command=cmd) as g:
        code = g.wait_exit(60)
        out = g.output
    assert "run: quit with Ctrl-A X" in out, out
    assert re.search(r"NIC %s \(52:54:00:12:34:56\)" % nic, out), out
    assert "host forwards (host->guest): tcp:127.0.0.1:%d-:80 udp:127.0.0.1:%d-:7" % (tcp, udp) in out
    assert re.search(r"^\[ *\d+\.\d{6}\] barenet \d+\.\d+\.\d+ \(x86-64\) booting$", out, re.M), out
    assert "cmdline: 'exit=ready'" in out, out
    assert "run: kernel powered off: ok" in out, out
    assert code == 0, out


def test_make_run_command_line():
    r = dry_run("NIC=igb", "MEM=512", "SMP=2", "APPEND=loglevel=8 exit=ready", "ACCEL=tcg")
    assert r.returncode == 0, r.stderr
    qemu = r.stdout.splitlines()[-1]
    for want in ["-machine q35", "-m 512", "-smp 2", "-serial mon:stdio", "-display none",
                 "-accel tcg", r"-device igb\,netdev=net0",
                 r"hostfwd=tcp:127.0.0.1:8080-:80\,hostfwd=tcp:127.0.0.1:5001-:5001"
                 r"\,hostfwd=tcp:127.0.0.1:7777-:7\,hostfwd=udp:127.0.0.1:7777-:7",
                 "-kernel build/barenet.elf", r"-append loglevel=8\ exit=ready"]:
        assert want in qemu, (want, qemu)


def test_make_run_accel_follows_the_shared_rule():
    rule = subprocess.run([os.path.join(ROOT, "tools", "qemu-accel.sh"), "auto"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert rule in ("kvm", "tcg")
    env_free = {k: v for k, v in os.environ.items() if k != "BARENET_ACCEL"}
    r = subprocess.run(MAKE + ["run"], cwd=ROOT, env=dict(env_free, RUN_DRY="1"),
                       capture_output=True, text=True, timeout=60)
    assert ("-accel %s" % rule) in r.stdout.splitlines()[-1]
    # BARENET_ACCEL reaches make run too; ACCEL= overrides it
    r = subprocess.run(MAKE + ["run"], cwd=ROOT,
                       env=dict(env_free, RUN_DRY="1", BARENET_ACCEL="kvm"),
                       capture_output=True, text=True, timeout=60)
    assert "-accel kvm -cpu host" in r.stdout.splitlines()[-1]
    r = subprocess.run(MAKE + ["run", "ACCEL=tcg"], cwd=ROOT,
                       env=dict(env_free, RUN_DRY="1", BARENET_ACCEL="kvm"),
                       capture_output=True, text=True, timeout=60)
    assert "-accel tcg" in r.stdout.splitlines()[-1]


def test_make_run_iso_uefi_command_line(kernel, tmp_path):
    iso = str(tmp_path / "run.iso")
    r = dry_run_target("run-iso", "FW=uefi", "ISO_OUT=" + iso, "HOSTFWD=")
    assert r.returncode == 0, r.stdout + r.stderr
    qemu = r.stdout.splitlines()[-1]
    assert os.path.exists(iso)
    assert r"if=pflash\,format=raw\,readonly=on\,file=/usr/share/OVMF/OVMF_CODE_4M.fd" in qemu, qemu
    assert "-cdrom %s -boot d" % iso in qemu, qemu
    assert "-kernel" not in qemu and "hostfwd" not in qemu, qemu


@pytest.mark.parametrize("var,msg", [
    ("NIC=rtl8139", "NIC must be e1000, e1000e or igb, not 'rtl8139'"),
    ("ACCEL=hvf", "accelerator must be auto, kvm or tcg, not 'hvf'"),
])
def test_make_run_refuses_bad_settings(var, msg):
    r = dry_run(var)
    assert r.returncode != 0
    assert msg in r.stderr, r.stderr


def test_make_debug_stops_at_kmain_under_gdb(kernel):
    (port,) = free_ports(1)
    sym = open(os.path.join(ROOT, "build", "barenet.sym")).read()
    kmain = int(re.search(r"^([0-9a-f]+) T kmain$", sym, re.M).group(1), 16)
    cmd = MAKE + ["debug"] + make_vars(GDBPORT=port, HOSTFWD="", APPEND="exit=ready")
    with Guest("make-debug", command=cmd) as g:
        g.wait_for(r"stopped for gdb on 127\.0\.0\.1:%d" % port, 30)
        gdb = subprocess.run(
            ["gdb", "-q", "-batch", "-nx", "-iex", "set $gdbport=%d" % port,
             "-x", "tools/gdbinit", "-ex", "continue", "-ex", "printf \"pc=%#lx\\n\", $pc",
             "-ex", "continue"],
            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        code = g.wait_exit(30)
    out = gdb.stdout + gdb.stderr
    assert "Hardware assisted breakpoint 1 at %#x" % kmain in out, out
    assert "Breakpoint 1, kmain" in out, out
    assert "pc=%#x" % kmain in out, out
    # the kernel ran on to exit=ready after the breakpoint
    assert "barenet: ready in" in g.output, g.output
    assert code == 0, g.output
