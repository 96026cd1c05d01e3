"""The serial console shell: what a person at `make run` types.

Keys are typed through QEMU's stdin (the harness's send()/shell()), so every
byte goes through the UART's receive interrupt, the ring and the line
editor, and the command that ran is judged by what it printed."""
import re

import pytest

from harness import DEFAULT_SMP, EXIT_OK, Guest, report
from test_run import MAKE, make_vars

LEFT, RIGHT, UP, DOWN = "\x1b[D", "\x1b[C", "\x1b[A", "\x1b[B"
HOME, END, HOME_VT, END_VT, DELETE = "\x1b[H", "\x1b[F", "\x1b[1~", "\x1b[4~", "\x1b[3~"
BACKSPACE, CTRL_C, CTRL_U, CTRL_W, TAB = "\x7f", "\x03", "\x15", "\x17", "\t"

COMMANDS = {"help", "history", "echo", "cat", "ls", "dmesg", "uptime", "free", "sysctl",
            "reboot", "poweroff", "irqbalance"}


@pytest.fixture(scope="module")
def guest(kernel):
    with Guest("shell", append="") as g:
        g.wait_prompt(30)
        yield g


def cancel(g, mark):
    """^C the line being typed; wait for the fresh prompt after it"""
    g.send(CTRL_C)
    g.wait_prompt(10, g.wait_for(r"\^C\n", 10, mark).end())


def status(g):
    """the exit status of the last command, as the shell reports it"""
    return int(g.shell("echo $?").strip())


def test_help_lists_every_command_with_one_line(guest):
    out = guest.shell("help")
    rows = [re.match(r"^  (\S+) +(\S.*)$", line) for line in out.splitlines()]
    assert all(rows), out
    names = [r.group(1) for r in rows]
    assert COMMANDS <= set(names), out
    assert names == sorted(names), out
    assert guest.shell("help sysctl").startswith("sysctl - show or set tunables"), out


@pytest.mark.parametrize("keys,want", [
    ("echoo" + BACKSPACE + " hello", "hello"),                       # Backspace
    ("echo x\x08y", "y"),                                            # ^H
    ("rubbish here" + CTRL_U + "echo fresh", "fresh"),              # ^U
    ("echo one two" + CTRL_W + "three", "one three"),                # ^W
    ("echo one two   " + CTRL_W + CTRL_W + "four", "four"),          # ^W over blanks
    ("echo wrld" + LEFT * 3 + "o", "world"),                         # Left, insert
    ("echo ab" + LEFT * 2 + RIGHT + "X", "aXb"),                     # Right
    ("cho home" + HOME + "e", "home"),                               # Home (CSI H)
    ("cho vt" + HOME_VT + "e", "vt"),                                # Home (CSI 1 ~)
    ("echo ed" + HOME + END + "ge", "edge"),                         # End (CSI F)
    ("echo en" + HOME + END_VT + "d", "end"),                        # End (CSI 4 ~)
    ("echo dxel" + LEFT * 3 + DELETE, "del"),                        # Delete
    ("echo \x1b[5~page", "page"),                                    # unknown key ignored
])
def test_line_editing_runs_the_edited_line(guest, keys, want):
    assert guest.shell(keys) == want + "\n"


def test_ctrl_c_abandons_the_line(guest):
    mark = len(guest.output)
    guest.send("echo never" + CTRL_C)
    guest.wait_prompt(10, mark)
    assert "^C" in guest.output[mark:]
    assert status(guest) == 130
    # nothing of the abandoned line ran
    assert "\nnever\n" not in guest.output[mark:]
    assert guest.shell("echo after") == "after\n"


def test_history_recall_with_up_and_down(guest):
    guest.shell("echo first")
    guest.shell("echo second")
    assert guest.shell(UP + UP) == "first\n"
    # the recalled line ran and is now the most recent one
    assert guest.shell(UP) == "first\n"
    # newest first: echo first, echo second, echo first
    assert guest.shell(UP + UP + UP + DOWN) == "second\n"
    # Down past the newest entry gives back what was being typed
    assert guest.shell("echo typed" + UP + DOWN) == "typed\n"
    # a recalled line can be edited
    assert guest.shell(UP + BACKSPACE * 5 + "edited") == "edited\n"


def test_history_keeps_at_least_32_lines(guest):
    for i in range(40):
        assert guest.shell("echo line%02d" % i) == "line%02d\n" % i
    # the 35th most recent line
    assert guest.shell(UP * 35) == "line05\n"
    lines = guest.shell("history").splitlines()
    numbered = [re.match(r"^ *(\d+)  (.*)$", l) for l in lines]
    assert all(numbered), lines
    texts = [m.group(2) for m in numbered]
    # oldest first, ending with the recalled line and `history` itself
    assert texts[-42:] == ["echo line%02d" % i for i in range(40)] + \
        ["echo line05", "history"], texts
    nums = [int(m.group(1)) for m in numbered]
    assert nums == list(range(nums[0], nums[0] + len(nums))), nums


def test_tab_completes_command_names(guest):
    assert guest.shell("ech" + TAB + "tabbed") == "tabbed\n"
    out = guest.shell("sysc" + TAB + "net.core.dev_weight")
    assert out == "net.core.dev_weight = 64\n"
    # ambiguous and no longer common prefix: the candidates are listed
    mark = len(guest.output)
    guest.send("h" + TAB)
    guest.wait_for(r"help  history", 10, mark)
    cancel(guest, mark)


def test_tab_completes_view_paths_for_cat(guest):
    out = guest.shell("cat /proc/inter" + TAB)
    assert out.splitlines()[0].split() == ["CPU%d" % c for c in range(DEFAULT_SMP)], out
    out = guest.shell("cat /pr" + TAB + "ne" + TAB + "softn" + TAB)
    # one row per CPU
    assert re.fullmatch(r"(([0-9a-f]{8} ){12}[0-9a-f]{8}\n){%d}" % DEFAULT_SMP, out), out
    mark = len(guest.output)
    guest.send("cat /proc/s" + TAB)
    try:
        guest.wait_for(r"softirqs  stat  sys/", 10, mark)
    finally:
        cancel(guest, mark)     # the next tests need an empty line either way


@pytest.mark.parametrize("line,message,code", [
    ("frobnicate", "frobnicate: command not found (try help)", 127),
    ("cat /proc/nope", "cat: /proc/nope: No such file or directory", 1),
    ("cat /proc", "cat: /proc: Is a directory", 1),
    ("cat", "cat: usage: cat PATH... (try ls /proc)", 1),
    ("ls /nope", "ls: cannot access '/nope': No such file or directory", 1),
    ("uptime now", "uptime: takes no arguments", 1),
    ("help nothing", "help: no command nothing", 1),
    ("sysctl -q", "sysctl: unknown option -q (use -a or -w)", 1),
    ("sysctl", "sysctl: usage: sysctl -a | sysctl name... | sysctl -w name=value...", 1),
    ("echo 'open", "barenet: unterminated quote", 1),
    ("x " * 17, "barenet: too many words (at most 16)", 1),
])
def test_errors_are_one_clear_line_and_a_status(guest, line, message, code):
    assert guest.shell(line) == message + "\n"
    assert status(guest) == code


def test_a_long_line_is_cut_not_overrun(guest):
    out = guest.shell("echo " + "y" * 400)
    # the line holds 255 bytes: "echo " and 250 y
    assert out == "y" * 250 + "\n"
    assert guest.shell("echo still") == "still\n"


def test_input_arrives_by_interrupt(guest):
    def irq4():
        m = re.search(r"^  4: +(\d+)(?: +\d+)* +IO-APIC +4-edge +ttyS0$",
                      guest.shell("cat /proc/interrupts"), re.M)
        assert m, guest.output[-2000:]
        return int(m.group(1))
    # Typed a byte at a time, each after the echo of the one before: then
    # each byte is alone in the UART's FIFO when it comes, and only its own
    # interrupt (trigger level 1) can have brought it in.  (A line typed at
    # once may be drained 16 bytes per interrupt when the host is loaded:
    # 4 interrupts for 67 bytes failed a ">= 10" here.)
    line = "echo " + "z" * 20
    before = irq4()
    for ch in line:
        mark = len(guest.output)
        guest.send(ch)
        guest.wait_for(re.escape(ch), timeout=10, start=mark)
    guest.send("\r")
    guest.wait_prompt(10, mark + 1)
    after = irq4()
    report("shell: IRQ 4 taken %d times for %d bytes typed one by one (and %d at once)"
           % (after - before, len(line), 1 + 21))
    assert after - before >= len(line)
    assert "polling COM1" not in guest.output


def test_polled_fallback_when_the_interrupt_never_comes(kernel):
    with Guest("shell-poll", append="serial_irq=off") as g:
        g.wait_prompt(30)
        # the first key finds no interrupt; the warning comes mid-line
        mark = len(g.output)
        g.send("\r")
        g.wait_for(r"serial: no receive interrupt on IRQ 4 within 50 ms of data: "
                   r"polling COM1", 10, mark)
        g.wait_prompt(10, mark)
        assert g.shell("echo polled") == "polled\n"
        out = g.view("cat /proc/interrupts")
        m = re.search(r"^  4: +(\d+)(?: +\d+)* +IO-APIC +4-edge +ttyS0$", out, re.M)
        assert m and int(m.group(1)) == 0, out
        assert g.shell("echo " + "p" * 100) == "p" * 100 + "\n"


def test_shell_off(kernel):
    with Guest("shell-off", append="shell=off") as g:
        g.wait_for(r"barenet: ready in", 30)
        g.send("echo should-not-run\r")
        assert g.watch(1.5)
        assert "barenet# " not in g.output
        assert "should-not-run\n" not in g.output


def test_shell_option_is_validated(kernel):
    with Guest("shell-bad", append="shell=maybe") as g:
        g.wait_prompt(30)
        assert "cmdline: bad value 'maybe' for 'shell'" in g.output


def test_exit_ready_still_powers_off_without_a_prompt(kernel):
    with Guest("shell-exit-ready", append="exit=ready") as g:
        code = g.wait_exit(30)
    assert code == EXIT_OK, g.output
    assert "barenet# " not in g.output


def test_poweroff(kernel):
    with Guest("shell-poweroff", append="") as g:
        g.wait_prompt(30)
        g.send("poweroff\r")
        code = g.wait_exit(30)
    assert code == EXIT_OK, g.output
    assert "power: off (exit status 0)" in g.output


def test_reboot(kernel):
    # -no-reboot: QEMU exits with 0 when the guest resets
    with Guest("shell-reboot", append="") as g:
        g.wait_prompt(30)
        g.send("reboot\r")
        code = g.wait_exit(30)
    assert "power: restart" in g.output
    assert code == 0, g.output


def test_make_run_lands_in_the_shell(kernel):
    cmd = MAKE + ["run"] + make_vars(APPEND="", HOSTFWD="")
    with Guest("make-run-shell", command=cmd) as g:
        g.wait_for(r"barenet: ready in", 60)
        g.wait_prompt(30)
        assert g.shell("echo from-make-run") == "from-make-run\n"
        g.send("poweroff\r")
        code = g.wait_exit(30)
    assert "run: kernel powered off: ok" in g.output, g.output
    assert code == 0
