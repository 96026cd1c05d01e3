"""Boot through QEMU -kernel (multiboot1) and check the basics."""
import re
import subprocess

from harness import BANNER_RE, EXIT_OK, ROOT, boot


def test_banner_ready_and_exit_status(kernel):
    code, out = boot("boot-basic")
    m = BANNER_RE.search(out)
    assert m, out
    # the banner names a commit whose kernel sources are the ones built:
    # unless -dirty, they must not differ from the work tree's (they do when
    # the image is stale: run make)
    build = m.group("build")
    if build.startswith("git ") and not build.endswith("-dirty"):
        r = subprocess.run(["git", "-C", ROOT, "diff", "--quiet", build[4:], "--",
                            "boot", "kernel", "drivers", "net", "lib", "fs", "linker.ld"],
                           capture_output=True, text=True)
        assert r.returncode == 0, ("the image's sources differ from the tree's (stale image?)",
                                   m.group(0), r.stderr)
    assert re.search(r"barenet: ready in \d+\.\d{3} ms", out), out
    assert code == EXIT_OK, out


def test_unknown_cmdline_key_reported(kernel):
    code, out = boot("boot-unknown-key", append="exit=ready nosuchkey=3")
    assert "cmdline: unknown option 'nosuchkey'" in out
    assert code == EXIT_OK


def test_bad_cmdline_value_reported(kernel):
    code, out = boot("boot-bad-value", append="exit=ready loglevel=banana")
    assert "cmdline: bad value 'banana' for 'loglevel'" in out
    assert code == EXIT_OK


def test_lwip_initialised(kernel):
    code, out = boot("boot-lwip")
    m = re.search(r"lwip: (\d+\.\d+\.\d+) initialised", out)
    assert m, out
    assert m.group(1) == "2.2.1"
    assert code == EXIT_OK
