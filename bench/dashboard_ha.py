"""Home Assistant 2024.3.3's own frontend in the same headless Chromium, for bench/dashboard.py:
the same 1,000 sensors in 20 areas, the same history (written by bench/ha/history_bench.py into
HA's database), HA's auto-generated dashboard (`/lovelace/0`) and its history page.

How each figure is taken, next to ours:
* home interactive: from navigation start until all 1,000 sensor rows
  (`hui-sensor-entity-row`, found through the shadow roots) are in the page, polled every
  50 ms by a script installed before HA's own (so up to 50 ms late); the median of 5 loads
  after one that fills the cache. The token is given as HA's frontend keeps it after a login
  (`hassTokens` in localStorage), so no login page is timed.
* 7-day history: HA's router is sent to `/history?entity_id=...&start_date=...&end_date=...`
  (`history.pushState` + its `location-changed` event, as its own links do); from then until
  the frame after its chart (`ha-chart-base`, Chart.js) holds the entity's points.
* update delay: MutationObservers on every sensor row's shadow root; the displayed number
  (HA formats it with thousands separators) is the hub's wall-clock ms, as in ours.
* heap growth: the same CDP readings after a forced GC.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from cdp import Browser

BENCH = Path(__file__).resolve().parent
HA_PYTHON = BENCH / ".ha-venv" / "bin" / "python"
# the frontend of HA 2024.3.3 and what its dependencies (person -> image_upload) import
FRONTEND_PACKAGES = ("home-assistant-frontend==20240307.0", "Pillow==10.2.0")

# helpers the measurements share, installed in the page before HA's own scripts
HELPERS = """
window.__deep = (root, test, out) => { for (const el of root.querySelectorAll('*')) {
  if (test(el)) out.push(el); if (el.shadowRoot) window.__deep(el.shadowRoot, test, out); } return out; };
window.__sensorRows = () => window.__deep(document, (e) => e.tagName === 'HUI-SENSOR-ENTITY-ROW', []);
window.__chartPoints = () => { const c = window.__deep(document, (e) => e.tagName === 'HA-CHART-BASE', [])[0];
  const d = c && c.chart && c.chart.data && c.chart.data.datasets;
  return d && d.length && d[0].data.length > 1 ? d[0].data.length : 0; };
window.__haRows = 0;
const __t = setInterval(() => {
  const n = window.__sensorRows().length;
  window.__haRows = n;
  if (n >= 1000) { window.__haReady = performance.now(); clearInterval(__t); }
}, 50);
"""

OBSERVER = """
(() => {
  const lat = new Float64Array(200000);
  let n = 0;
  const obs = new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records) {
      const t = Number((r.target.textContent || '').replace(/[^0-9.]/g, ''));
      if (t > 1e12 && t < 1e13 && n < lat.length) lat[n++] = now - t;
    }
  });
  const rows = window.__sensorRows();
  for (const r of rows) obs.observe(r.shadowRoot, {childList: true, characterData: true, subtree: true});
  window.__bench = {lat, count: () => n, reset: () => { n = 0; }};
  return rows.length;
})()
"""

# the frame after HA's chart first holds the entity's points: [time, points]
CHART_DRAWN = """
new Promise((resolve) => { const step = () => { const n = window.__chartPoints();
  if (n) requestAnimationFrame(() => resolve([performance.now(), n])); else requestAnimationFrame(step); };
  step(); })
"""


def ensure_frontend() -> None:
    """HA's venv (bench/core_ha.py) has HA's core; its frontend is one more package."""
    check = subprocess.run(
        [str(HA_PYTHON), "-c", "import hass_frontend, PIL"], capture_output=True, check=False
    )
    if check.returncode != 0:
        subprocess.run(
            [
                str(HA_PYTHON),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                *FRONTEND_PACKAGES,
            ],
            check=True,
            timeout=1800,
        )


class HaServed:
    def __init__(self, config_dir: Path, port: int) -> None:
        self.proc = subprocess.Popen(
            [
                str(HA_PYTHON),
                str(BENCH / "ha" / "dashboard_ha.py"),
                "serve",
                str(config_dir),
                "--port",
                str(port),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(config_dir / "bench-ha.log").open("w"),  # HA's own complaints, kept
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"Home Assistant did not start: {line}")
        self.port, self.token = port, line[1]

    def command(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    async def wait_done(self) -> str:
        assert self.proc.stdout is not None
        out = await asyncio.get_running_loop().run_in_executor(None, self.proc.stdout.readline)
        return out.strip()

    def stop(self) -> None:
        try:
            self.command("quit")
            self.proc.wait(120)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


async def measure_ha(served: HaServed, end: float, changes: int, iso: Any) -> dict[str, Any]:
    url = f"http://127.0.0.1:{served.port}"
    b = await Browser().start(1280, 900)
    try:
        # a same-origin page that does not redirect (HA's app sends a tokenless visitor to
        # its login page), to put the token where HA's frontend keeps it
        await b.goto(url + "/manifest.json")
        await b.wait_for("document.readyState === 'complete'", 30)
        tokens = {
            "access_token": served.token,
            "token_type": "Bearer",
            "expires_in": 86400,
            "hassUrl": url,
            "clientId": url + "/",
            "expires": int(time.time() * 1000) + 86_400_000,
            "refresh_token": "",
        }
        await b.js(f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})")
        await b.send("Page.addScriptToEvaluateOnNewDocument", {"source": HELPERS})
        loads = []
        for _ in range(6):
            await b.goto(url + "/lovelace/0")
            loads.append(float(await b.wait_for("window.__haReady", 120, "HA's dashboard")))
        loads = loads[1:]
        draws, points = [], []
        per_entity = changes / 1000
        for k in (7, 107, 207, 307, 407):
            entity_id = f"sensor.bench_{k:04d}"
            await b.js(
                "history.pushState(null, '', '/lovelace/0');"
                "window.dispatchEvent(new CustomEvent('location-changed'))"
            )
            query = urlencode(
                {"entity_id": entity_id, "start_date": iso(end - 7 * 86400), "end_date": iso(end)}
            )
            began = await b.js(
                "(() => { const t = performance.now();"
                f"history.pushState(null, '', {json.dumps('/history?' + query)});"
                "window.dispatchEvent(new CustomEvent('location-changed')); return t; })()"
            )
            done = await b.js(CHART_DRAWN)
            draws.append(float(done[0]) - float(began))
            points.append(int(done[1]))
            expected = per_entity * 7 / 30
            if not 0.9 * expected <= points[-1] <= 1.1 * expected + 2:
                raise RuntimeError(
                    f"HA drew {points[-1]} points for {entity_id}, ~{expected:.0f} written"
                )
        await b.goto(url + "/lovelace/0")
        await b.wait_for("window.__haReady", 120, "HA's dashboard")
        rows = await b.js(OBSERVER)
        if rows < 1000:
            raise RuntimeError(f"HA's dashboard shows {rows} sensor rows")
        return {"loads": loads, "draws": draws, "points": points, "browser": b}
    except BaseException:
        await b.close()
        raise


async def run_ha(
    db_dir: Path, port: int, end: float, changes: int, iso: Any, live: Any, live_s: float
) -> dict[str, Any]:
    """HA's figures: measure_ha, then live updates with bench/dashboard.py's `live`."""
    served = HaServed(db_dir, port)
    try:
        m = await measure_ha(served, end, changes, iso)
        b: Browser = m.pop("browser")
        try:
            m["live"] = await live(served, b, live_s)
        finally:
            await b.close()
    finally:
        served.stop()
    return m
