"""Drive headless Chromium over the DevTools protocol (``--remote-debugging-pipe``: JSON messages
ended by NUL on file descriptors 3 and 4), with no Python dependency: open a page, record every
network request and every console message, error and exception, take a full-page screenshot and
print it to PDF."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_browser() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    console: list[str] = field(default_factory=list)  # "level: text" of every message
    errors: list[str] = field(default_factory=list)  # console errors and exceptions
    screenshot: bytes = b""
    pdf: bytes = b""


class _Pipe:
    def __init__(self, browser: str, profile: str) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():  # the browser reads commands on fd 3 and writes replies on fd 4
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        args = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            args,
            preexec_fn=fds,
            pass_fds=(3, 4),  # (kept open in the child after preexec_fn made them)
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read(self, deadline: float) -> dict | None:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_child], [], [], left)[0]:
                return None
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed its DevTools pipe")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, timeout=30.0) -> dict:
        want = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._read(deadline)
            if msg is None:
                raise TimeoutError(f"no reply to {method}")
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if any(e.get("method") == name for e in self.events):
            return True
        while (msg := self._read(deadline)) is not None:
            self.events.append(msg)
            if msg.get("method") == name:
                return True
        return False

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (msg := self._read(deadline)) is not None:
            self.events.append(msg)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_child)
        os.close(self.from_child)


def visit(url: str, browser: str, width: int = 1100) -> PageVisit:
    """Open ``url``, let it settle, and return what it requested and logged, a full-page
    screenshot (PNG) and a PDF print."""
    with tempfile.TemporaryDirectory() as profile:
        pipe = _Pipe(browser, profile)
        try:
            target = next(
                t["targetId"]
                for t in pipe.call("Target.getTargets")["targetInfos"]
                if t["type"] == "page"
            )
            session = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            for domain in ("Page", "Network", "Runtime", "Log"):
                pipe.call(f"{domain}.enable", session=session)
            pipe.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            pipe.call("Page.navigate", {"url": url}, session=session)
            if not pipe.wait_event("Page.loadEventFired", 30):
                raise TimeoutError(f"{url} did not finish loading")
            pipe.drain(0.5)
            size = pipe.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
            height = min(int(size["height"]) + 1, 16000)
            pipe.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            shot = pipe.call("Page.captureScreenshot", {"format": "png"}, session=session)
            pdf = pipe.call("Page.printToPDF", {"printBackground": True}, session=session)
            pipe.drain(0.3)
        finally:
            pipe.close()
    out = PageVisit(screenshot=base64.b64decode(shot["data"]), pdf=base64.b64decode(pdf["data"]))
    for e in pipe.events:
        p = e.get("params", {})
        m = e.get("method")
        if m == "Network.requestWillBeSent":
            out.requests.append(p["request"]["url"])
        elif m == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
            out.console.append(f"{p['type']}: {text}")
            if p["type"] in ("error", "assert"):
                out.errors.append(text)
        elif m == "Runtime.exceptionThrown":
            out.errors.append(p["exceptionDetails"].get("text", "exception"))
        elif m == "Log.entryAdded":
            entry = p["entry"]
            out.console.append(f"{entry['level']}: {entry['text']} ({entry.get('url', '')})")
            if entry["level"] == "error":
                out.errors.append(f"{entry['text']} ({entry.get('url', '')})")
        elif m == "Network.loadingFailed":
            out.errors.append(f"failed to load: {p.get('errorText')}")
    return out


def save(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path
