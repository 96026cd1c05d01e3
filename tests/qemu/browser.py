"""Headless Chromium (Debian's chromium) driven over the DevTools protocol
on a pipe (--remote-debugging-pipe: fd 3 carries commands in, fd 4 the
answers out, each a JSON message ending in a NUL byte), with only the
standard library: no websocket, no driver binary.

    with Browser(tmp_path) as b:
        b.open("http://127.0.0.1:8080/")
        b.evaluate("document.title")
        b.screenshot("page.png")

Nothing leaves the machine: every request that is not to loopback goes to
a proxy on a closed port of 127.0.0.1, and the background services
(updates, sync, metrics) are off.  The browser is killed by its PID."""
import base64
import fcntl
import itertools
import json
import os
import shutil
import signal
import subprocess
import threading
import time

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--no-default-browser-check", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-domain-reliability", "--no-pings",
         "--disable-client-side-phishing-detection", "--metrics-recording-only",
         "--proxy-server=http://127.0.0.1:9", "--hide-scrollbars", "--mute-audio"]


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, workdir, width=1280, height=900, log=None):
        """workdir: the profile goes there; log: chromium's output (default
        workdir/chromium.log)"""
        self.workdir = str(workdir)
        self.logpath = log or os.path.join(self.workdir, "chromium.log")
        self.width, self.height = width, height
        self.proc = None
        self.session = None
        self.exceptions = []            # Runtime.exceptionThrown texts
        self.console = []               # console messages, "type: text"
        self._ids = itertools.count(1)
        self._answers = {}
        self._cv = threading.Condition()
        self._closed = False

    # --- process and pipe ---------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        if not CHROMIUM:
            raise BrowserError("chromium is not installed (make deps installs it)")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        profile = os.path.join(self.workdir, "chromium-profile")
        os.makedirs(profile, exist_ok=True)

        def fds():
            # out of the way of 3 and 4 first: either end may be one of them
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(
            [CHROMIUM] + FLAGS + ["--remote-debugging-pipe", "--user-data-dir=" + profile,
                                  "--window-size=%d,%d" % (self.width, self.height), "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=fds, close_fds=False, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        threading.Thread(target=self._reader, daemon=True).start()
        target = self.call("Target.createTarget", {"url": "about:blank"}, timeout=60)["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Runtime.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False}, session=True)

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)
        for fd in (getattr(self, "_to_chrome", None),):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._to_chrome = None
        if getattr(self, "log", None):
            self.log.close()

    def _reader(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self._dispatch(json.loads(raw))
        with self._cv:
            self._closed = True
            self._cv.notify_all()
        os.close(self._from_chrome)

    def _dispatch(self, msg):
        if "id" in msg:
            with self._cv:
                self._answers[msg["id"]] = msg
                self._cv.notify_all()
        elif msg.get("method") == "Runtime.exceptionThrown":
            d = msg["params"]["exceptionDetails"]
            self.exceptions.append(d.get("exception", {}).get("description") or d.get("text"))
        elif msg.get("method") == "Runtime.consoleAPICalled":
            p = msg["params"]
            self.console.append("%s: %s" % (p["type"], " ".join(
                str(a.get("value", a.get("description", ""))) for a in p["args"])))

    def call(self, method, params=None, session=False, timeout=30):
        """one DevTools command; its result, or BrowserError"""
        mid = next(self._ids)
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cv:
            while mid not in self._answers:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError("%s: no answer (%s)" % (
                        method, "browser gone" if self._closed else "timeout"))
                self._cv.wait(left)
            ans = self._answers.pop(mid)
        if "error" in ans:
            raise BrowserError("%s: %s" % (method, ans["error"]))
        return ans["result"]

    # --- the page -------------------------------------------------------------
    def open(self, url, timeout=60):
        self.call("Page.navigate", {"url": url}, session=True, timeout=timeout)
        self.wait_for("document.readyState === 'complete'", timeout)

    def evaluate(self, expr):
        """the value of a JavaScript expression in the page (JSON-able)"""
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True},
                      session=True)
        if "exceptionDetails" in r:
            raise BrowserError("%s: %s" % (expr, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def wait_for(self, expr, timeout, interval=0.5):
        """poll expr until it is truthy; its value, or BrowserError"""
        deadline = time.monotonic() + timeout
        while True:
            v = self.evaluate(expr)
            if v:
                return v
            if time.monotonic() > deadline:
                raise BrowserError("timed out waiting for %s" % expr)
            time.sleep(interval)

    def screenshot(self, path, full_page=True):
        """a PNG of the page (all of it with full_page) into path"""
        if full_page:
            h = int(self.evaluate("document.documentElement.scrollHeight"))
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": self.width, "height": max(h, self.height),
                       "deviceScaleFactor": 1, "mobile": False}, session=True)
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True,
                         timeout=60)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        if full_page:
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                       "mobile": False}, session=True)
