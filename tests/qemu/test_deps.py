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


def test_attack_tools_checked():
    """The hostile-traffic tests' tools (test_hostile_tools.py) are checked
    and installed like the others: thc-ipv6, hping3, nmap."""
    r = run(["--check"], {"DEPS_PRETEND_MISSING": "thc-ipv6 hping3 nmap"})
    assert r.returncode == 1
    for line in ("deps: missing: thc-ipv6 (IPv6 attacks: atk6-fragmentation6, atk6-implementation6)",
                 "deps: missing: hping3 (SYN and fragment floods)",
                 "deps: missing: nmap (port scans)"):
        assert line in r.stdout, r.stdout


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


def _lwip_orig():
    with open(DEPS) as f:
        text = f.read()
    version = re.search(r"^LWIP_VERSION=(\S+)", text, re.M).group(1)
    name = "lwip_%s+dfsg1.orig.tar.xz" % version
    return version, os.path.join(ROOT, "build", "deps", name)


@pytest.mark.skipif(os.geteuid() != 0, reason="the install path runs only as root")
def test_lwip_patches_applied_and_stamped(tmp_path):
    """The patch set is applied after the sha256 check; the stamp follows
    the set (an edited patch re-unpacks); a patch that does not apply
    stops the script with its name.  Offline: the orig tarball is linked
    from build/deps into a private DEPS_DIR, and the other sources too."""
    version, orig = _lwip_orig()
    if not os.path.exists(orig):
        pytest.skip("no %s (make deps)" % orig)
    deps = tmp_path / "deps"
    deps.mkdir()
    os.symlink(orig, deps / os.path.basename(orig))
    # the other sources (microsocks, iperf3, uPlot) as build/deps has them:
    # found present, not fetched again (an apt-get update and three
    # downloads, 35 s of this test, and the network)
    top_deps = os.path.join(ROOT, "build", "deps")
    for name in os.listdir(top_deps):
        if not name.startswith("lwip") and os.path.isfile(os.path.join(top_deps, name, ".verified")):
            os.symlink(os.path.join(top_deps, name), deps / name)
    patches = tmp_path / "patches"
    patches.mkdir()
    (patches / "0001-mark.patch").write_text(
        "A test patch: adds one line to lwIP's README.\n\n"
        "--- a/README\n+++ b/README\n@@ -1,1 +1,2 @@\n+barenet-test-mark\n"
        + " " + open(os.path.join(ROOT, "build", "deps", "lwip-" + version, "README"),
                     errors="replace").readline())
    env = {"DEPS_DIR": str(deps), "DEPS_LWIP_PATCHES": str(patches)}
    r = run([], env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "deps: patching lwIP: 0001-mark.patch" in r.stdout, r.stdout
    top = deps / ("lwip-" + version)
    assert (top / "README").read_text(errors="replace").startswith("barenet-test-mark\n")
    stamp = (top / ".verified").read_text()
    # unchanged set: nothing is redone
    r = run([], env)
    assert r.returncode == 0 and "patching" not in r.stdout, r.stdout + r.stderr
    # a patch that does not apply: loud, named, non-zero
    (patches / "0002-broken.patch").write_text(
        "Does not apply.\n\n--- a/README\n+++ b/README\n@@ -1,1 +1,1 @@\n-no such line\n+x\n")
    r = run([], env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "lwIP patch 0002-broken.patch does not apply" in r.stderr, r.stderr
    # the set changed: the stamp (if any tree is left) no longer matches
    os.unlink(patches / "0002-broken.patch")
    r = run([], env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (top / ".verified").read_text() == stamp


def _pin(var):
    with open(DEPS) as f:
        return re.search(r"^%s=(\S+)" % var, f.read(), re.M).group(1)


def _orig_deps_dir(tmp_path):
    """A private DEPS_DIR whose lwIP and uPlot are build/deps' (linked),
    with an apt stamp that says the lists are fresh: nothing is fetched
    unless a tarball is missing, and then only from the loopback mirror."""
    version, _ = _lwip_orig()
    deps = tmp_path / "deps"
    (deps / "apt").mkdir(parents=True)
    (deps / "apt" / ".updated").touch()
    for d in ("lwip-" + version, "uplot-" + _pin("UPLOT_VERSION")):
        src = os.path.join(ROOT, "build", "deps", d)
        if not os.path.exists(os.path.join(src, ".verified")):
            pytest.skip("no %s (make deps)" % src)
        os.symlink(src, deps / d)
    return deps


ORIGS = {  # package: (its tarball, the unpacked directory, a file in it)
    "microsocks": ("microsocks_%s.orig.tar.gz", "microsocks-%s", "sockssrv.c"),
    "iperf3": ("iperf3_%s.orig.tar.gz", "iperf-%s", "src/iperf_api.c"),
}


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="the install path runs only as root")
def test_orig_tarballs_verified_unpacked_once_and_a_wrong_one_refused(tmp_path):
    """microsocks' and iperf3's orig tarballs (fetch_verified_orig): the
    pinned ones are unpacked and stamped, a second run does nothing; a
    tarball of the right name and layout whose sha256 is not the pin is
    refused and not unpacked; a missing one is fetched (apt-get source,
    then for iperf3 the pool) and the failure named.  Offline: the
    tarballs are build/deps', the mirror a closed port on 127.0.0.1."""
    deps = _orig_deps_dir(tmp_path)
    env = {"DEPS_DIR": str(deps), "DEPS_MIRROR": "http://127.0.0.1:9/debian"}
    names = {}
    for pkg, (orig, top, marker) in ORIGS.items():
        version = _pin(pkg.upper() + "_VERSION")
        names[pkg] = (orig % version, top % version, marker, version)
        src = os.path.join(ROOT, "build", "deps", orig % version)
        if not os.path.exists(src):
            pytest.skip("no %s (make deps)" % src)
        os.symlink(src, deps / (orig % version))
    r = run([], env)
    assert r.returncode == 0, r.stdout + r.stderr
    for pkg, (orig, top, marker, version) in names.items():
        assert "deps: %s %s unpacked into %s (sha256 verified)" % (pkg, version, deps / top) in r.stdout, r.stdout
        assert (deps / top / marker).exists() and (deps / top / ".verified").exists()
    r = run([], env)
    assert r.returncode == 0 and "unpacked" not in r.stdout, r.stdout + r.stderr
    assert "deps: all dependencies present" in r.stdout

    for pkg, (orig, top, marker, version) in names.items():
        # the right name and layout, other bytes: only the sha256 tells
        fake = tmp_path / "fake"
        (fake / top / os.path.dirname(marker)).mkdir(parents=True, exist_ok=True)
        (fake / top / marker).write_text("not the pinned source\n")
        (deps / orig).unlink()
        subprocess.run(["tar", "-C", str(fake), "-czf", str(deps / orig), top], check=True)
        subprocess.run(["rm", "-rf", str(deps / top)], check=True)
        r = run([], env)
        assert r.returncode == 1, r.stdout + r.stderr
        assert ("deps: error: %s sha256 mismatch (want %s); refusing to use it"
                % (orig, _pin(pkg.upper() + "_SHA256"))) in r.stderr, r.stderr
        assert not (deps / top).exists()
        # missing: apt-get source from the (closed) mirror, then the pool
        (deps / orig).unlink()
        r = run([], env)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "deps: apt-get source --download-only %s/" % pkg in r.stdout, r.stdout
        if pkg == "microsocks":
            assert "deps: error: could not download Debian source package 'microsocks'" in r.stderr, r.stderr
        else:
            assert ("deps: error: could not fetch http://127.0.0.1:9/debian/pool/main/i/iperf3/%s" % orig
                    in r.stderr), r.stderr
        os.symlink(os.path.join(ROOT, "build", "deps", orig), deps / orig)
        r = run([], env)
        assert r.returncode == 0, r.stdout + r.stderr
