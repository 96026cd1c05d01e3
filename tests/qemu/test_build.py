"""Build checks: a clean build with a toolchain prefix, the boot headers
where the loaders look for them, and the symbol map."""
import os
import re
import shutil
import struct
import subprocess
import time

import fcntl

import pytest

import apps
from conftest import newer_source
from harness import EXIT_OK, KERNEL, ROOT, boot, report

CROSS = "x86_64-linux-gnu-"      # Debian's own prefixed gcc: proves CROSS_COMPILE is honoured
SYM = os.path.join(ROOT, "build", "barenet.sym")

# Multiboot Specification 0.6.96 3.1.1 and 2.0 3.1.1
MB1_MAGIC, MB1_ALIGN, MB1_WINDOW = 0x1BADB002, 4, 8192
MB2_MAGIC, MB2_ALIGN, MB2_WINDOW = 0xE85250D6, 8, 32768
MB2_HTAG_END, MB2_HTAG_ENTRY = 0, 3
PT_LOAD = 1


def find_mb1(data):
    for off in range(0, min(len(data), MB1_WINDOW) - 12 + 1, MB1_ALIGN):
        magic, flags, csum = struct.unpack_from("<III", data, off)
        if magic == MB1_MAGIC and (magic + flags + csum) & 0xFFFFFFFF == 0:
            return off
    return None


def find_mb2(data):
    """(offset, {tag type: tag body}) of the first valid multiboot2 header."""
    for off in range(0, min(len(data), MB2_WINDOW) - 16 + 1, MB2_ALIGN):
        magic, arch, length, csum = struct.unpack_from("<IIII", data, off)
        if magic != MB2_MAGIC or (magic + arch + length + csum) & 0xFFFFFFFF:
            continue
        tags, p = {}, off + 16
        while p < off + length:
            ttype, _flags, size = struct.unpack_from("<HHI", data, p)
            tags[ttype] = data[p + 8:p + size]
            if ttype == MB2_HTAG_END:
                break
            p += (size + 7) & ~7
        return off, tags
    return None, None


def elf_entry_and_loads(data):
    assert data[:4] == b"\x7fELF" and data[4] == 2, "not an ELF64"
    entry, phoff = struct.unpack_from("<QQ", data, 24)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    loads = []
    for i in range(phnum):
        ptype, _f, _off, vaddr, paddr, _fsz, memsz = struct.unpack_from("<IIQQQQQ", data, phoff + i * phentsize)
        if ptype == PT_LOAD:
            loads.append((vaddr, paddr, memsz))
    return entry, loads


def check_kernel_image(path):
    with open(path, "rb") as f:
        data = f.read()
    mb1 = find_mb1(data)
    assert mb1 is not None, "multiboot1 header not in the first %d bytes" % MB1_WINDOW
    mb2, tags = find_mb2(data)
    assert mb2 is not None, "multiboot2 header not in the first %d bytes" % MB2_WINDOW
    assert MB2_HTAG_END in tags, "multiboot2 header has no end tag"
    # GRUB's ELF64 loader resolves e_entry in a PT_LOAD's *virtual* range,
    # then jumps to the entry address tag's physical address: both must agree
    entry, loads = elf_entry_and_loads(data)
    seg = [(v, p) for v, p, m in loads if v <= entry < v + m]
    assert seg, "ELF entry %#x is in no PT_LOAD (GRUB: entry point isn't in a segment)" % entry
    assert MB2_HTAG_ENTRY in tags, "no multiboot2 entry address tag"
    (tag_entry,) = struct.unpack_from("<I", tags[MB2_HTAG_ENTRY], 0)
    assert tag_entry == entry - seg[0][0] + seg[0][1], "entry tag %#x != physical ELF entry" % tag_entry


def prefixed_tools(out):
    """The tools of the compile, link, nm and objcopy commands in make's
    output (V=1); host programs (build/host/: the injector) use HOSTCC, as
    in Linux, and are left out."""
    return [l.split()[0] for l in out.splitlines()
            if re.match(r"^\S*(gcc|ld|nm|objcopy)\s", l) and "/host/" not in l]


def test_prefixed_toolchain_names_every_tool(tmp_path):
    """What a clean build with CROSS_COMPILE would run (make -n): every
    compile, link, nm and objcopy goes through the prefixed tools.  The
    build itself, booted, is test_clean_build_with_prefixed_toolchain, in
    make test-full (it held both cores for 25-40 s of make test)."""
    r = subprocess.run(["make", "-n", "V=1", "BUILD=" + str(tmp_path / "build"),
                        "CROSS_COMPILE=" + CROSS, "all"], cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    tools = set(prefixed_tools(r.stdout))
    assert all(c.startswith(CROSS) for c in tools), sorted(tools)
    assert {CROSS + "gcc", CROSS + "nm"} <= tools, sorted(tools)


def test_clean_build_with_prefixed_toolchain(tmp_path):
    if not shutil.which(CROSS + "gcc"):
        pytest.fail("%sgcc missing (Debian package gcc-x86-64-linux-gnu)" % CROSS)
    build = str(tmp_path / "build")
    t0 = time.monotonic()
    r = subprocess.run(["make", "-j%d" % (os.cpu_count() or 2), "V=1", "BUILD=" + build,
                        "CROSS_COMPILE=" + CROSS, "all"], cwd=ROOT, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - t0
    report("clean build (CROSS_COMPILE=%s, -j%d): %.1f s" % (CROSS, os.cpu_count() or 2, elapsed))
    print("clean build: %.1f s" % elapsed)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    # every kernel compile, link and nm went through the prefixed tools;
    # host programs (build/host/: the injector) use HOSTCC, as in Linux
    cmds = prefixed_tools(r.stdout)
    assert cmds, r.stdout
    assert all(c.startswith(CROSS) for c in cmds), sorted(set(cmds))
    assert any(c == CROSS + "nm" for c in cmds), sorted(set(cmds))

    # make (all) builds the release image, in BUILD/release
    elf = os.path.join(build, "release", "barenet.elf")
    check_kernel_image(elf)
    sym = open(os.path.join(build, "release", "barenet.sym")).read()
    assert re.search(r"^[0-9a-f]{16} T kmain$", sym, re.M)

    code, out = boot("build-cross", kernel=elf)
    assert re.search(r"barenet: ready in \d+\.\d{3} ms", out), out
    assert code == EXIT_OK, out


def test_missing_prefixed_toolchain_fails(tmp_path):
    r = subprocess.run(["make", "BUILD=" + str(tmp_path / "b"), "CROSS_COMPILE=/nonexistent/bogus-", "all"],
                       cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "/nonexistent/bogus-gcc" in r.stdout + r.stderr, r.stdout + r.stderr


def clone_with_build(tree):
    """A clone of this tree at tree, its work tree's state (uncommitted
    changes and new files too) committed there, and a build directory that
    starts as a copy of build/'s objects and checked image (lwIP's sources
    shared): the sources are dated 2001, so make builds only what a test
    changes, not the whole kernel."""
    def git(*args):
        r = subprocess.run(["git", "-c", "user.name=barenet test", "-c", "user.email=test@barenet.invalid"]
                           + list(args), cwd=tree, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, (args, r.stdout, r.stderr)
        return r.stdout
    if subprocess.run(["git", "-C", ROOT, "rev-parse"], capture_output=True).returncode:
        pytest.skip("%s is not a git checkout: its build id is 'unknown'" % ROOT)
    r = subprocess.run(["git", "clone", "-q", ROOT, tree], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    listed = subprocess.run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    for f in filter(None, listed.split("\0")):
        src, dst = os.path.join(ROOT, f), os.path.join(tree, f)
        if os.path.exists(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
            shutil.copymode(src, dst)
        elif os.path.exists(dst):
            os.remove(dst)
    git("add", "-A")
    git("commit", "-q", "--allow-empty", "-m", "the work tree of " + ROOT)
    old = time.mktime((2001, 1, 1, 0, 0, 0, 0, 1, -1))
    for d, dirs, files in os.walk(tree):
        dirs[:] = [x for x in dirs if x != ".git"]
        for f in files:
            os.utime(os.path.join(d, f), (old, old))
    build = os.path.join(tree, "build")
    os.makedirs(build)
    # (apps.py's lock: no application build in this tree while we copy)
    with open(apps.LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for d in ("obj", "gen"):
            shutil.copytree(os.path.join(ROOT, "build", d), os.path.join(build, d), symlinks=True)
        shutil.copy2(KERNEL, os.path.join(build, "barenet.elf"))
    os.symlink(os.path.join(ROOT, "build", "deps"), os.path.join(build, "deps"))
    return git


def test_app_build_after_a_commit_keeps_the_checked_image_fresh(kernel, tmp_path):
    """The QEMU tests' freshness check (conftest.newer_source) after a
    developer's usual steps, in a clone (clone_with_build): a kernel source
    edited, the checked image built, the edit committed (a new build id,
    tools/gen-build-id.sh), then an application built as test_apps.py,
    test_sockapi.py and test_softlockup.py build theirs (make app-kernel).
    The checked image was built from the sources as they are, so it is
    still fresh: the app build must not rewrite build/gen/build_id.c (it
    did, the file became newer than the image and the kernel fixture
    refused to boot it until make checked).  The application's image names
    the new commit; a source edited after the link still makes the checked
    image stale."""
    tree = str(tmp_path / "tree")
    git = clone_with_build(tree)
    image = os.path.join(tree, "build", "barenet.elf")

    def make(*args):
        r = subprocess.run(["make", "-s", "-j2", "--no-print-directory"] + list(args), cwd=tree,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    def build_id(elf):
        m = re.search(rb"\0(git [0-9a-f]{12}(?:-dirty)?)\0", open(elf, "rb").read())
        assert m, elf
        return m.group(1).decode()

    src = os.path.join(tree, "kernel", "version_proc.c")
    t0 = time.monotonic()
    make("build/barenet.elf")
    assert newer_source(image, tree) is None
    with open(src, "a") as f:
        f.write("/* an edit */\n")
    assert newer_source(image, tree) == "kernel/version_proc.c"
    make("build/barenet.elf")
    assert newer_source(image, tree) is None
    before = build_id(image)
    assert before.endswith("-dirty"), before
    git("commit", "-q", "-am", "an edit")
    head = git("log", "-1", "--format=%h", "--abbrev=12").strip()

    make("app-kernel", "APP=examples/udp_server.c")
    assert newer_source(image, tree) is None
    assert build_id(image) == before
    assert build_id(os.path.join(tree, "build", "apps", "udp_server", "barenet.elf")) == "git " + head

    # the check's point: an edit after the link makes the image stale,
    # make checked's link makes it fresh again
    with open(src, "a") as f:
        f.write("/* another edit */\n")
    assert newer_source(image, tree) == "kernel/version_proc.c"
    make("build/barenet.elf")
    assert newer_source(image, tree) is None
    assert build_id(image) == "git %s-dirty" % head
    print("clone, 4 makes: %.1f s" % (time.monotonic() - t0))


def test_kernel_boot_headers(kernel):
    check_kernel_image(kernel)
    r = subprocess.run([os.path.join(ROOT, "tools", "check-image.sh"), kernel],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("magic,msg", [
    (struct.pack("<I", MB1_MAGIC), "multiboot1 header not in the first 8 KiB"),
    (struct.pack("<I", MB2_MAGIC), "multiboot2 header not in the first 32 KiB"),
])
def test_check_image_refuses_a_broken_image(kernel, tmp_path, magic, msg):
    with open(kernel, "rb") as f:
        data = bytearray(f.read())
    off = data.find(magic, 0, MB2_WINDOW)
    assert off >= 0
    data[off:off + 4] = b"\0\0\0\0"
    bad = tmp_path / "bad.elf"
    bad.write_bytes(bytes(data))
    r = subprocess.run([os.path.join(ROOT, "tools", "check-image.sh"), str(bad)],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert msg in r.stderr, r.stderr
    with pytest.raises(AssertionError):
        check_kernel_image(str(bad))


def test_symbol_map_lists_kmain(kernel):
    assert os.path.exists(SYM), "build/barenet.sym missing: run make"
    sym = open(SYM).read()
    m = re.search(r"^([0-9a-f]{16}) T kmain$", sym, re.M)
    assert m, "kmain not in build/barenet.sym"
    nm = subprocess.run(["nm", KERNEL], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^%s T kmain$" % m.group(1), nm, re.M), "barenet.sym is stale"
