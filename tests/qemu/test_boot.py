"""Boot through QEMU -kernel (multiboot1) and check the basics."""
import re

from harness import EXIT_OK, boot


def test_banner_ready_and_exit_status(kernel):
    code, out = boot("boot-basic")
    assert re.search(r"^\[ *\d+\.\d{6}\] barenet \d+\.\d+\.\d+ \(x86-64\) booting$", out, re.M), out
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
