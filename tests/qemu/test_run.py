"""make run / make debug: the developer's entry points boot the kernel.

Each run goes through the harness (timeout, kill by process group).  The
host forwards use free ports picked here, so a test never collides with a
`make run` someone has open on 8080."""
import os
import re
import signal
import socket
import subprocess

import pytest

import netns
from harness import BANNER_RE, Guest, ROOT

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
    assert "run: dashboard: http://127.0.0.1:%d/ in a browser" % tcp in out, out
    # make run boots the release image (build/release/, the Makefile: FLAVOUR)
    assert BANNER_RE.search(out).group("flavour") == "release", out
    assert "cmdline: 'exit=ready'" in out, out
    assert "run: kernel powered off: ok" in out, out
    # make run boots 2 CPUs unless CPUS= says otherwise
    assert "smp: Brought up 2 CPUs" in out, out
    assert code == 0, out


def test_make_run_cpus():
    for args, want in [((), "-smp 2"), (("CPUS=4",), "-smp 4"), (("CPUS=1",), "-smp 1"),
                       (("SMP=3",), "-smp 3")]:
        r = dry_run(*args)
        assert r.returncode == 0, r.stderr
        assert want in r.stdout.splitlines()[-1], (args, r.stdout)


def test_make_run_command_line():
    r = dry_run("NIC=igb", "MEM=512", "SMP=2", "APPEND=loglevel=8 exit=ready", "ACCEL=tcg")
    assert r.returncode == 0, r.stderr
    qemu = r.stdout.splitlines()[-1]
    for want in ["-machine q35", "-m 512", "-smp 2", "-serial mon:stdio", "-display none",
                 "-accel tcg", r"-device igb\,netdev=net0",
                 r"hostfwd=tcp:127.0.0.1:8080-:80\,hostfwd=tcp:127.0.0.1:5001-:5001"
                 r"\,hostfwd=tcp:127.0.0.1:7777-:7\,hostfwd=udp:127.0.0.1:7777-:7",
                 "-kernel build/release/barenet.elf", r"-append loglevel=8\ exit=ready"]:
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
    ("NET=bridge", "NET must be user or tap, not 'bridge'"),
    ("NETNS=a/b", "NETNS must be a plain name ([A-Za-z0-9_.-]), not 'a/b'"),
])
def test_make_run_refuses_bad_settings(var, msg):
    r = dry_run(var)
    assert r.returncode != 0
    assert msg in r.stderr, r.stderr


def test_make_debug_stops_at_kmain_under_gdb(kernel):
    (port,) = free_ports(1)
    # make debug boots the release image, as make run
    sym = open(os.path.join(ROOT, "build", "release", "barenet.sym")).read()
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


def test_make_run_net_tap_command_line():
    r = dry_run("NET=tap", "NIC=e1000e", "ACCEL=tcg")
    assert r.returncode == 0, r.stderr
    qemu = r.stdout.splitlines()[-1]
    assert qemu.startswith("ip netns exec barenet-run qemu-system-x86_64 "), qemu
    for want in [r"-netdev tap\,id=net0\,ifname=tap0\,script=no\,downscript=no",
                 r"-device e1000e\,netdev=net0\,mac=52:54:00:12:34:56",
                 r"-append ip=10.0.2.15/24\,10.0.2.2 "]:
        assert want in qemu + " ", (want, qemu)
    assert "hostfwd" not in qemu, qemu
    for want in ["network namespace barenet-run: tap0 10.0.2.2/24 fd00:10:0:2::2/64; the guest is 10.0.2.15",
                 "run: dashboard: http://10.0.2.15/ in a browser inside the namespace",
                 "sudo ip netns exec barenet-run curl http://10.0.2.15/status",
                 "sudo ip netns exec barenet-run ping 10.0.2.15",
                 "sudo ip netns exec barenet-run ping -6 fe80::5054:ff:fe12:3456%tap0",
                 "sudo ip netns exec barenet-run iperf -c 10.0.2.15",
                 "sudo ip netns exec barenet-run nc -u 10.0.2.15 7"]:
        assert want in r.stdout, (want, r.stdout)
    # an ip= of the user's wins; the hints follow it
    r = dry_run("NET=tap", "NETNS=mine", "APPEND=loglevel=8 ip=10.0.2.99/24")
    qemu = r.stdout.splitlines()[-1]
    assert qemu.startswith("ip netns exec mine qemu-system-x86_64 "), qemu
    assert r"-append loglevel=8\ ip=10.0.2.99/24" in qemu and "10.0.2.15" not in qemu, qemu
    assert "ip netns exec mine curl http://10.0.2.99/status" in r.stdout, r.stdout
    # NET=user (the default) stays as it was
    assert "ip netns" not in dry_run().stdout


@pytest.fixture
def run_netns():
    """A namespace name for make run NET=tap that the stale sweep knows
    (bn-test-<pid>-...); deleted afterwards if make run left it."""
    netns.require()
    name = "%s%d-run" % (netns.PREFIX, os.getpid())
    yield name
    if name in netns.list_namespaces():
        subprocess.run(["ip", "netns", "del", name])


def test_make_run_net_tap_boots_and_removes_its_namespace(kernel, run_netns):
    cmd = MAKE + ["run"] + make_vars(NET="tap", NETNS=run_netns, APPEND="exit=ready")
    with Guest("make-run-tap", command=cmd) as g:
        code = g.wait_exit(60)
        out = g.output
    assert "run: network namespace %s: tap0 10.0.2.2/24" % run_netns in out, out
    assert "cmdline: 'ip=10.0.2.15/24,10.0.2.2 exit=ready'" in out, out
    assert re.search(r"\(driver: \S+\)", out), out
    assert "run: kernel powered off: ok" in out, out
    assert "run: namespace %s removed" % run_netns in out, out
    assert code == 0, out
    assert run_netns not in netns.list_namespaces()


def test_make_run_net_tap_runs_qemu_in_the_namespace_and_cleans_up_on_term(kernel, run_netns):
    cmd = MAKE + ["run"] + make_vars(NET="tap", NETNS=run_netns, APPEND="")
    with Guest("make-run-tap-term", command=cmd) as g:
        g.wait_for(r"barenet: ready in", 60)
        pids = netns.pids_in(run_netns)
        comms = [open("/proc/%d/comm" % p).read().strip() for p in pids]
        assert comms == ["qemu-system-x86"], comms
        tap = subprocess.run(["ip", "netns", "exec", run_netns, "ip", "-o", "link", "show", "tap0"],
                             capture_output=True, text=True, timeout=10).stdout
        assert "LOWER_UP" in tap, tap
        # a TERM to the whole run (make, the script, QEMU: the group the
        # harness made) ends QEMU and the script's trap removes the namespace
        os.killpg(g.proc.pid, signal.SIGTERM)
        g.wait_exit(30)
        out = g.output
    assert "run: namespace %s removed" % run_netns in out, out
    assert run_netns not in netns.list_namespaces()
    for p in pids:
        assert not os.path.exists("/proc/%d" % p) or \
            open("/proc/%d/comm" % p).read().strip() != "qemu-system-x86"


def test_make_run_net_tap_refuses_an_existing_namespace(kernel, run_netns):
    subprocess.run(["ip", "netns", "add", run_netns], check=True)
    r = subprocess.run(MAKE + ["run"] + make_vars(NET="tap", NETNS=run_netns, APPEND="exit=ready"),
                       cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode != 0
    assert "namespace %s exists" % run_netns in r.stderr, r.stderr
    assert "booting" not in r.stdout
    # not ours to remove: it is still there
    assert run_netns in netns.list_namespaces()
