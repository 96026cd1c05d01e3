"""Building and booting applications for the tests (kernel/app/, make APP=).

app_kernel(src) builds `make app-kernel APP=src` (the kernel objects of
build/ shared, one image per application under build/apps/<name>/) once
per test session, serialised across pytest-xdist workers by a lock file,
and returns the image's path."""
import fcntl
import os
import subprocess

import harness

LOCK = os.path.join(harness.BUILD, "apps.lock")
_built = {}


def app_kernel(src, cflags="", name=None, flavour="checked"):
    """The kernel image whose application is src (a path relative to the
    tree: a .c file or a directory), named name (default: src's), of the
    checked flavour (build/) or the release one (build/release/, make
    bench's: the Makefile's FLAVOUR)."""
    key = (src, cflags, name, flavour)
    if key in _built:
        return _built[key]
    args = ["APP_NAME=" + name] if name else []
    build = harness.BUILD
    if flavour == "release":
        args.append("FLAVOUR=release")
        build = harness.RELEASE_BUILD
    name = name or os.path.splitext(os.path.basename(src.rstrip("/")))[0]
    os.makedirs(harness.BUILD, exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = subprocess.run(["make", "-s", "-j2", "app-kernel", "APP=" + src, "APP_CFLAGS=" + cflags] + args,
                           cwd=harness.ROOT, capture_output=True, text=True, timeout=900)
    if r.returncode:
        raise RuntimeError("make app-kernel APP=%s failed:\n%s%s" % (src, r.stdout, r.stderr))
    path = os.path.join(build, "apps", name, "barenet.elf")
    _built[key] = path
    return path
