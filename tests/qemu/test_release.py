"""The two image flavours (Makefile: FLAVOUR).

Every other QEMU test boots the checked image (build/barenet.elf:
LOCK_DEBUG=1 KMALLOC_DEBUG=1); make, make run and make bench build and
boot the release one (build/release/barenet.elf: both 0).  Here make test
boots the release image once, so it cannot rot unseen: it boots, answers
a ping and a UDP echo, says it is the release flavour, and reports its
lock checks off.  The build side: each build directory records its flags,
so LOCK_DEBUG= rebuilds it."""
import os
import re
import socket
import subprocess

from harness import BANNER_RE, RELEASE_KERNEL, ROOT
import netns

BOOT_TIMEOUT_S = 60
UDP_ECHO = 7


def udp_echo(net, payload, tries=5):
    for _ in range(tries):
        s = net.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.settimeout(1.0)
            s.sendto(payload, (netns.GUEST4, UDP_ECHO))
            if s.recvfrom(2048)[0] == payload:
                return True
        except OSError:
            pass
        finally:
            s.close()
    return False


def test_release_image_boots_and_serves(testnet):
    assert os.path.exists(RELEASE_KERNEL), "%s missing: make release" % RELEASE_KERNEL
    g = testnet.guest("release-smoke", kernel=RELEASE_KERNEL, smp=1,
                      append="ip=%s/%d,%s" % (netns.GUEST4, netns.PREFIXLEN4, netns.HOST4))
    g.wait_for(r"barenet: ready", timeout=BOOT_TIMEOUT_S)
    g.wait_prompt(timeout=BOOT_TIMEOUT_S)
    m = BANNER_RE.search(g.output)
    assert m and m.group("flavour") == "release", g.output[:2000]
    r = testnet.run(["ping", "-4", "-n", "-c", "3", "-i", "0.2", "-W", "2", netns.GUEST4],
                    timeout=20)
    assert r.returncode == 0, r.stdout + r.stderr
    assert udp_echo(testnet, b"release-smoke"), "no UDP echo (log %s)" % g.logpath
    assert g.shell("cat /proc/lock_debug") == "checks: off (built with LOCK_DEBUG=0)\n"
    assert re.search(r"#1 SMP release (git [0-9a-f]{12}(-dirty)?|unknown)\n$",
                     g.shell("cat /proc/version")), g.output[-2000:]
    assert "Kernel panic" not in g.output and "BUG:" not in g.output, g.output[-3000:]


def test_build_dir_follows_its_flags(tmp_path):
    """A build directory records the flags it was built with: the same
    target again is up to date, another LOCK_DEBUG rebuilds it (one
    object here, in a directory of its own, to keep it short)."""
    build = str(tmp_path / "b")
    obj = os.path.join(build, "obj", "lib", "parse_num.o")

    def make(*args):
        r = subprocess.run(["make", "--no-print-directory", "V=1", "BUILD=" + build, obj] + list(args),
                           cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        return [l for l in r.stdout.splitlines() if "lib/parse_num.c" in l]

    # make -n in a directory not built yet: what it would do, and no stamp
    r = subprocess.run(["make", "-n", "--no-print-directory", "BUILD=" + build, obj],
                       cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "lib/parse_num.c" in r.stdout, r.stdout + r.stderr
    assert not os.path.exists(os.path.join(build, "gen", "kflags"))
    first = make("LOCK_DEBUG=0")
    assert len(first) == 1 and "-DLOCK_DEBUG=0" in first[0], first
    assert make("LOCK_DEBUG=0") == []
    again = make("LOCK_DEBUG=1")
    assert len(again) == 1 and "-DLOCK_DEBUG=1" in again[0], again
    again = make("LOCK_DEBUG=1", "KMALLOC_DEBUG=0")
    assert len(again) == 1 and "-DKMALLOC_DEBUG=0" in again[0], again
    assert make("LOCK_DEBUG=1", "KMALLOC_DEBUG=0") == []
    # make -n shows the rebuild a flag change means, and writes nothing
    r = subprocess.run(["make", "-n", "--no-print-directory", "BUILD=" + build, obj, "LOCK_DEBUG=0"],
                       cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert "lib/parse_num.c" in r.stdout, r.stdout + r.stderr
    assert make("LOCK_DEBUG=1", "KMALLOC_DEBUG=0") == []
