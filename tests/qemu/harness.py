"""QEMU harness for barenet's integration tests.

Every guest runs with a timeout and is killed by the PID of the QEMU process
this harness started, never by name.  The serial console is captured to a
log file under build/test-logs/ and kept for post-mortems.

Typing into the guest: QEMU's stdin is a pipe that feeds the serial console
(`-serial stdio`), so send() types bytes at the guest's COM1 and shell()
runs one command of the kernel's shell and returns what it printed.

Accelerator: BARENET_ACCEL=kvm|tcg|auto (default auto), decided by
tools/qemu-accel.sh (the same rule as `make run ACCEL=`): auto picks KVM only
when the CPU advertises hardware virtualisation (vmx/svm in /proc/cpuinfo)
and /dev/kvm opens; the nested software KVM of some CI hosts has neither flag
and is ~20x slower than TCG there.
"""
import codecs
import fcntl
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
# the checked image (LOCK_DEBUG=1 KMALLOC_DEBUG=1, make checked), which the
# tests boot; the release image (make, make run, make bench) is
# RELEASE_KERNEL (the Makefile: FLAVOUR)
KERNEL = os.path.join(BUILD, "barenet.elf")
RELEASE_BUILD = os.path.join(BUILD, "release")
RELEASE_KERNEL = os.path.join(RELEASE_BUILD, "barenet.elf")
ISO = os.path.join(BUILD, "barenet.iso")
LOGDIR = os.path.join(BUILD, "test-logs")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# kernel exit statuses (kernel/power.h); isa-debug-exit maps s -> 2s+1
# the first line of every boot: version, and the tree the image was built
# from (tools/gen-build-id.sh); group "build" is that tree, group "flavour"
# the image's flavour (kernel/version.h: release, checked or custom)
BANNER_RE = re.compile(r"^\[ *\d+\.\d{6}\] barenet \d+\.\d+\.\d+ "
                       r"\(x86-64, (?P<build>git [0-9a-f]{12}(?:-dirty)?|unknown)"
                       r"(?:, (?P<flavour>release|checked|custom))?\) booting$", re.M)

EXIT_OK = 1
EXIT_FAIL = 3
EXIT_PANIC = 255
# lines for the end-of-run summary (conftest.py prints them)
REPORT = []


def report(line):
    """Record a measurement for the summary pytest prints at the end."""
    REPORT.append(line)


# CPUs of a guest whose test does not say (-smp): 2, as make run boots;
# BARENET_TEST_SMP=N runs the suite on N.  conftest.py runs a subset again
# with 1 and with 4 (SMP_MATRIX).
DEFAULT_SMP = int(os.environ.get("BARENET_TEST_SMP", "2"))

# kernel options added to every barenet guest's command line, e.g.
# BARENET_TEST_APPEND=irqaffinity=1 runs the suite with the NIC's
# interrupts (and so its NAPI and NET_RX) on CPU 1
EXTRA_APPEND = os.environ.get("BARENET_TEST_APPEND", "").strip()

# the guest MAC the tests use by default (QEMU's prefix 52:54:00, as make run)
DEFAULT_MAC = "52:54:00:12:34:56"

# QEMU exits 0 on its own (triple fault with -no-reboot, or a plain quit):
# never a success for a test.


ACCEL_SCRIPT = os.path.join(ROOT, "tools", "qemu-accel.sh")


def choose_accel():
    """kvm or tcg, by the rule in tools/qemu-accel.sh (shared with make run)."""
    want = os.environ.get("BARENET_ACCEL", "auto")
    if want not in ("auto", "kvm", "tcg"):
        raise ValueError("BARENET_ACCEL must be auto, kvm or tcg, not %r" % want)
    return subprocess.run([ACCEL_SCRIPT, want], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()


def accel_args(accel):
    if accel == "kvm":
        return ["-accel", "kvm", "-cpu", "host"]
    # max would add features TCG emulates slowly; the default qemu64 CPU
    # lacks invariant TSC etc. but is enough.  "tcg,thread=multi" (the
    # scaling bench: MTTCG named, though it is x86's default) passes as is
    if accel.startswith("tcg,"):
        return ["-accel", accel]
    return ["-accel", "tcg"]


PRINTK_STAMP = re.compile(r"\[ *\d+\.\d{6}\] ")
PRINTK_LINE = re.compile(r"\[ *\d+\.\d{6}\] [^\n]*\n")
# the start of a stamp cut off where the output ends ("[   47", "[   47.2229")
PRINTK_STAMP_PART = re.compile(r"\[ *(\d+(\.\d{0,6}(\] ?)?)?)?")


class Guest:
    """One QEMU process.  Use as a context manager, or call kill().

    kernel/append: boot with -kernel; iso: boot a CD image; usb: boot a raw
    disk image from a USB stick (what `dd` of the ISO makes; writes go to a
    temporary snapshot).  command: run this argv instead (e.g. `make run`),
    in its own process group, so kill() ends it and the QEMU it started.

    nic: add one NIC of this model (e1000, e1000e, igb) with MAC mac on
    `-netdev <netdev>` (its id must be n0; default: user networking with no
    forwards).  prefix: argv put before QEMU's, e.g. ["ip", "netns", "exec",
    name] to run QEMU inside a network namespace (netns.TestNet.guest); the
    prefix must exec QEMU, so the PID this harness kills is QEMU's own.
    smp: QEMU's -smp (default DEFAULT_SMP: BARENET_TEST_SMP from the
    environment, else 2)."""

    def __init__(self, name, kernel=KERNEL, iso=None, usb=None, append="", mem=256,
                 smp=None, machine="q35", firmware="bios", extra=(), accel=None,
                 debug_exit=True, command=None, env=None, prefix=(), nic=None,
                 mac=DEFAULT_MAC, netdev="user,id=n0"):
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        if smp is None:
            smp = DEFAULT_SMP
        self.accel = accel or choose_accel()
        os.makedirs(LOGDIR, exist_ok=True)
        self.logpath = os.path.join(LOGDIR, self.name + ".log")
        self.tmp = tempfile.mkdtemp(prefix="barenet-qemu-")
        self.monitor_path = os.path.join(self.tmp, "monitor.sock")
        args = ["qemu-system-x86_64", "-nodefaults", "-no-reboot",
                "-machine", machine, "-m", str(mem), "-smp", str(smp),
                "-display", "none", "-serial", "stdio",
                "-monitor", "unix:%s,server=on,wait=off" % self.monitor_path]
        args += accel_args(self.accel)
        if debug_exit:
            args += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
        if firmware == "ovmf":
            vars_copy = os.path.join(self.tmp, "OVMF_VARS.fd")
            shutil.copy(OVMF_VARS, vars_copy)
            args += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                     "-drive", "if=pflash,format=raw,file=" + vars_copy]
        if iso:
            args += ["-cdrom", iso, "-boot", "d"]
        elif usb:
            args += ["-device", "qemu-xhci,id=xhci",
                     "-drive", "if=none,id=stick,format=raw,snapshot=on,file=" + usb,
                     "-device", "usb-storage,bus=xhci.0,drive=stick,bootindex=1"]
        else:
            args += ["-kernel", kernel]
            if EXTRA_APPEND and kernel == KERNEL:
                append = (append + " " + EXTRA_APPEND).strip()
            if append:
                args += ["-append", append]
        if nic:
            # romfile=: no iPXE option ROM (-kernel boots need none; saves ~0.1 s)
            args += ["-netdev", netdev,
                     "-device", "%s,netdev=n0,mac=%s,romfile=" % (nic, mac)]
        args += list(extra)
        args = list(prefix) + args
        if command:
            args = list(command)
        self.args = args
        self.group = bool(command)
        self.output = ""
        self._pending = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._log = self._open_log()
        self._log.write("# " + " ".join(args) + "\n")
        self._log.flush()
        # stdin is the serial console's input (send(), shell())
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, cwd=ROOT,
                                     env=env, start_new_session=self.group)
        self.start_time = time.monotonic()
        self.returncode = None

    def _open_log(self):
        """build/test-logs/<name>.log, held with a lock while this guest
        runs: under pytest-xdist another worker may run a guest of the same
        name (two tests of one module, one fixture), and that one then
        writes <name>.<worker>.log instead of both into one file."""
        me = os.environ.get("PYTEST_XDIST_WORKER", str(os.getpid()))
        n = 0
        while True:
            path = self.logpath if n == 0 else os.path.join(
                LOGDIR, "%s.%s%s.log" % (self.name, me, "" if n == 1 else "-%d" % n))
            f = open(path, "a")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.close()
                n += 1
                continue
            f.truncate(0)
            self.logpath = path
            return f

    # -- output ---------------------------------------------------------
    def _pump(self, timeout):
        """Read what QEMU printed within timeout seconds; False at EOF."""
        fd = self.proc.stdout.fileno()
        r, _, _ = select.select([fd], [], [], max(0.0, timeout))
        if not r:
            return True
        data = os.read(fd, 65536)
        if not data:
            text, self._pending = self._pending + self._decoder.decode(b"", True), ""
            self.output += text
            self._log.write(text)
            return False
        # a read may end between the \r and \n of a line end, or inside a
        # UTF-8 sequence: carry those over to the next read
        text = self._pending + self._decoder.decode(data)
        self._pending = ""
        if text.endswith("\r"):
            text, self._pending = text[:-1], "\r"
        text = text.replace("\r\n", "\n")
        self.output += text
        self._log.write(text)
        self._log.flush()
        return True

    def wait_for(self, pattern, timeout=30, start=0):
        """Wait until pattern (a regex) appears in the output at or after
        offset start; return the match.  Raises TimeoutError (with the log's
        tail) otherwise."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.output, start)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self._pump(min(left, 0.2)):
                m = rx.search(self.output, start)
                if m:
                    return m
                self.kill()
                raise TimeoutError("pattern %r not seen in %ss (log: %s)\n%s"
                                   % (pattern, timeout, self.logpath, self.output[-3000:]))

    def watch(self, seconds):
        """Collect output for seconds; True if QEMU is still running then."""
        deadline = time.monotonic() + seconds
        while self.proc.poll() is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            self._pump(min(left, 0.2))
        while self._pump(0) and select.select([self.proc.stdout], [], [], 0)[0]:
            pass
        return False

    def wait_exit(self, timeout=30):
        """Wait for QEMU to exit; return its exit code.  Kills it on timeout."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None or self._pump(0):
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise TimeoutError("QEMU still running after %ss (log: %s)\n%s"
                                   % (timeout, self.logpath, self.output[-3000:]))
            if not self._pump(min(left, 0.2)) and self.proc.poll() is not None:
                break
        self.returncode = self.proc.wait()
        self._log.write("\n# exit %d after %.2fs\n" % (self.returncode, time.monotonic() - self.start_time))
        self._log.flush()
        return self.returncode

    # -- the serial console's input ---------------------------------------
    PROMPT = "barenet# "

    def send(self, text):
        """Type text (str or bytes) at the guest's serial console."""
        data = text.encode() if isinstance(text, str) else bytes(text)
        self._log.write("# sent %r\n" % data)
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_prompt(self, timeout=30, start=0):
        """Wait for a shell prompt at the start of a line, after offset
        start; return the match."""
        return self.wait_for(r"^" + re.escape(self.PROMPT), timeout, start)

    def shell(self, line, timeout=30):
        """Type line and Enter at the shell; return what the command printed
        (between the end of the echoed line and the next prompt).  The line
        may hold editing keys (backspace, escapes): the echo is skipped as a
        whole, up to the newline the shell prints for Enter."""
        mark = len(self.output)
        self.send(line + "\r")
        # a kernel message may print before the echo or in the middle of
        # it (the console is shared): skip each line that ends in a whole
        # printk line (it starts with the "[seconds.micros] " stamp); the
        # rest of an interrupted echo follows on the next line.  The send
        # may also have come while a printk line was half printed: its
        # rest is skipped too.
        line_start = self.output.rfind("\n", 0, mark) + 1
        stamp = PRINTK_STAMP.search(self.output, line_start, mark)
        pos = stamp.start() if stamp else mark
        if not stamp:
            # the send came while the stamp itself was half printed (a
            # fresh make test saw "[   47" before the send and
            # ".222916] iperf: done ..." after it, and took that line for
            # the echo)
            cut = self.output.rfind("[", line_start, mark)
            if cut >= 0 and PRINTK_STAMP_PART.fullmatch(self.output, cut, mark):
                pos = cut
        while True:
            end_of_echo = self.wait_for(r"\n", timeout, pos).end()
            klog = PRINTK_LINE.search(self.output, pos, end_of_echo)
            if not klog or klog.end() != end_of_echo:
                break
            pos = end_of_echo
        prompt = self.wait_prompt(timeout, end_of_echo)
        return self.output[end_of_echo:prompt.start()]

    def cpu_wait(self):
        """Seconds QEMU's threads have spent waiting for a CPU so far (the
        run-queue wait, second field of /proc/<pid>/task/*/schedstat): how
        long a busy host kept this guest's vCPU or its timers from running.
        An emulated timer loses the edges that come while its interrupt is
        not taken, so at most this times the timer's rate are lost."""
        total = 0
        task = "/proc/%d/task" % self.proc.pid
        try:
            tids = os.listdir(task)
        except OSError:
            return 0.0
        for tid in tids:
            try:
                with open(os.path.join(task, tid, "schedstat")) as f:
                    total += int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                pass
        return total / 1e9

    def view(self, line, timeout=30):
        """shell(line) without the kernel's log lines that printed while the
        command's output did, wherever the console put them (a line's start
        or the middle of one): what a parser of a /proc view or of ethtool
        -S reads.  A BUG line (a spinlock held long on a descheduled vCPU)
        once landed inside `cat /proc/barenet/metrics` and broke its parse."""
        return PRINTK_LINE.sub("", self.shell(line, timeout))

    # -- control --------------------------------------------------------
    def monitor(self, command, timeout=5):
        """Send one human-monitor command; return its reply text."""
        import socket
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                s.connect(self.monitor_path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        buf = b""
        try:
            while b"(qemu)" not in buf:
                buf += s.recv(4096)
            s.sendall(command.encode() + b"\n")
            buf = b""
            while b"(qemu)" not in buf:
                buf += s.recv(4096)
        finally:
            s.close()
        return buf.decode("utf-8", "replace").split("(qemu)")[0]

    def kill(self):
        """Kill this QEMU (by its own PID) if it still runs; for a command,
        its process group, which this harness created (PGID = its PID)."""
        if self.group:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.returncode = self.proc.returncode

    def close(self):
        self.kill()
        try:
            while self._pump(0):
                if not select.select([self.proc.stdout], [], [], 0)[0]:
                    break
        except (OSError, ValueError):
            pass
        self.proc.stdout.close()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def boot(name, append="exit=ready", timeout=60, **kw):
    """Boot a guest to completion.  Returns (exit code, serial output)."""
    with Guest(name, append=append, **kw) as g:
        code = g.wait_exit(timeout)
        return code, g.output
