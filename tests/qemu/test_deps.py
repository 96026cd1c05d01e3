"""tools/deps.sh: the checks, the non-root path (prints the exact commands,
installs nothing, exits non-zero) and the message when the archive cannot
be reached.  Nothing here leaves the machine: the unreachable archive is a
closed port on 127.0.0.1."""
import os
import re
import subprocess

import pytest

from harness import ROOT

DEPS = os.path.join(ROOT, "tools", "deps.sh")
CLEAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def codename():
    with open("/etc/os-release") as f:
        return re.search(r"^VERSION_CODENAME=(\S+)", f.read(), re.M).group(1)


def run(args, env=None, as_nobody=False, timeout=120):
    base = ["env", "-i", "PATH=" + CLEAN_PATH] + ["%s=%s" % kv for kv in (env or {}).items()]
    cmd = base + [DEPS] + list(args)
    if as_nobody:
        if os.geteuid() != 0:
            pass        # already not root
        else:
            as_user = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
            # a work tree under a private directory (mktemp -d makes 0700
            # ones) cannot be run by another user at all: nothing to test
            if subprocess.run(as_user + ["test", "-x", DEPS]).returncode != 0:
                pytest.skip("nobody cannot reach %s (a parent directory is private)" % DEPS)
            cmd = as_user + cmd
    return subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def test_everything_present_here():
    r = run(["--check"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "deps: all dependencies present" in r.stdout


def test_check_names_the_missing_package():
    r = run(["--check"], {"DEPS_PRETEND_MISSING": "curl gnuplot-nox"})
    assert r.returncode == 1
    assert "deps: missing: curl (HTTP client)" in r.stdout, r.stdout
    assert "deps: missing: gnuplot-nox (plots)" in r.stdout, r.stdout
    assert "tshark" not in r.stdout


def test_not_root_prints_exact_commands_and_fails():
    r = run([], {"DEPS_PRETEND_MISSING": "tshark iputils-ping qemu-system-x86"}, as_nobody=True)
    err = r.stderr
    assert r.returncode == 1, r.stdout + err
    assert "deps: missing: tshark (packet capture)" in err, err
    assert "deps: missing: qemu-system-x86 >= 8" in err, err
    assert "not root, so nothing was installed" in err, err
    lines = [l.strip() for l in err.splitlines()]
    assert "sudo %s" % DEPS in lines, err
    assert "sudo apt-get update" in lines, err
    assert "sudo apt-get install --no-install-recommends iputils-ping tshark" in lines, err
    assert any(l.startswith("sudo apt-get install --no-install-recommends -t %s-backports "
                            "qemu-system-x86 qemu-utils" % codename()) for l in lines), err
    # and nothing was attempted
    assert "apt-get update (private" not in r.stdout + err


def test_not_root_with_nothing_missing_succeeds():
    r = run([], as_nobody=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "deps: all dependencies present" in r.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="the install path runs only as root")
def test_unreachable_archive_names_the_packages(tmp_path):
    env = {"DEPS_DIR": str(tmp_path), "DEPS_MIRROR": "http://127.0.0.1:9/debian",
           "DEPS_PRETEND_MISSING": "tshark"}
    r = run([], env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("deps: error: apt-get update failed: no network, or http://127.0.0.1:9/debian "
            "unreachable; could not fetch: tshark") in r.stderr, r.stderr
