"""Boot through QEMU -kernel (multiboot1) and check the basics."""
import re
import subprocess

from harness import BANNER_RE, EXIT_OK, ROOT, boot


def test_banner_ready_and_exit_status(kernel):
    code, out = boot("boot-basic")
    m = BANNER_RE.search(out)
    assert m, out
    # the banner names the commit the image was built from (the kernel
    # fixture has just run make, so it is HEAD's)
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode == 0:
        assert m.group("build") in ("git " + head.stdout.strip(),
                                    "git " + head.stdout.strip() + "-dirty"), m.group(0)
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
    assert m.group(1) == "2.1.3"
    assert code == EXIT_OK
