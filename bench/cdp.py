"""A small Chrome DevTools Protocol client for Debian's `chromium`, headless: launch, open a
page, evaluate JavaScript, wait for a condition with a bound, take screenshots, read the JS
heap. Used by bench/dashboard.py and the dashboard's browser tests (tests/api), so neither needs
Playwright's own browser download: this is what Playwright does underneath, for the few calls
these need."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

import websockets

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page (a flat CDP session over the browser's socket)."""

    # more command-line switches for every browser started (a bench's diagnostic runs, e.g.
    # `--js-flags=...`, the same for both dashboards)
    extra_args: ClassVar[list[str]] = []

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        # Chromium's helper processes may still write into the profile after the browser
        # exits: its removal is retried in close(), and never fails the caller
        self.profile = tempfile.TemporaryDirectory(
            prefix="hm-chromium-", ignore_cleanup_errors=True
        )
        self.ws: Any = None
        self.ids = itertools.count(1)
        self.waiting: dict[int, asyncio.Future[Any]] = {}
        self.session = ""
        self.console: list[str] = []
        self.reader: asyncio.Task[None] | None = None

    async def start(self, width: int = 1280, height: int = 900) -> Browser:
        assert CHROMIUM is not None, "no chromium binary (apt-get install chromium)"
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",  # tests and benches run as root in a container
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--enable-precise-memory-info",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile.name}",
                *Browser.extra_args,
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise CdpError("chromium did not open its DevTools port")
            await asyncio.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self.ws = await websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=2**28)
        self.reader = asyncio.create_task(self._read())
        target = await self.send("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, browser=True
        )
        self.session = attached["sessionId"]
        for domain in ("Page.enable", "Runtime.enable"):
            await self.send(domain)
        await self.viewport(width, height)
        return self

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            fut = self.waiting.pop(msg.get("id", -1), None)
            if fut is not None and not fut.done():
                if "error" in msg:
                    fut.set_exception(CdpError(str(msg["error"])))
                else:
                    fut.set_result(msg.get("result", {}))
            elif msg.get("method") == "Runtime.consoleAPICalled":
                args = msg["params"].get("args", [])
                self.console.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in args)
                )
            elif msg.get("method") == "Runtime.exceptionThrown":
                details = msg["params"]["exceptionDetails"]
                self.console.append(f"exception: {details.get('exception', details)}")

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, browser: bool = False
    ) -> Any:
        msg_id = next(self.ids)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = fut
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params or {}}
        if not browser:
            msg["sessionId"] = self.session
        await self.ws.send(json.dumps(msg))
        return await asyncio.wait_for(fut, 120)

    async def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", {"url": url})

    async def js(self, expression: str) -> Any:
        """The value of an expression (awaited if a promise), or CdpError with the page's error."""
        answer = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in answer:
            raise CdpError(f"{expression[:80]}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    async def wait_for(self, expression: str, timeout: float = 20.0, what: str = "") -> Any:
        """Poll until the expression is truthy; its value. Bounded: a CdpError says what."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = await self.js(expression)
            except CdpError:
                value = None  # the page may be navigating
            if value:
                return value
            if time.monotonic() > deadline:
                tail = "; ".join(self.console[-5:])
                raise CdpError(
                    f"timed out waiting for {what or expression[:100]} (console: {tail})"
                )
            await asyncio.sleep(0.05)

    async def screenshot(self, path: Path) -> None:
        shot = await self.send(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": False}
        )
        path.write_bytes(base64.b64decode(shot["data"]))

    async def heap_mb(self) -> float:
        """JS heap in use after a full garbage collection, in MB."""
        await self.send("HeapProfiler.collectGarbage")
        usage = await self.send("Runtime.getHeapUsage")
        return float(usage["usedSize"]) / 1e6

    async def close(self) -> None:
        try:
            if self.ws is not None:
                await self.ws.close()
        finally:
            if self.reader is not None:
                self.reader.cancel()
            if self.proc is not None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            for _ in range(50):  # bounded: until the helpers have let go of the profile
                shutil.rmtree(self.profile.name, ignore_errors=True)
                if not Path(self.profile.name).exists():
                    break
                time.sleep(0.1)
            self.profile.cleanup()
