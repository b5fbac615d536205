"""The dashboard in headless Chromium (Debian's `chromium`, driven over the DevTools protocol by
bench/cdp.py) against a hub with 1,000 entities and 10 million recorded changes:

* `home_interactive_ms`: from navigation start to the home view interactive (every entity's row
  and control in place, live updates subscribed): the app's `home-interactive` mark, on a page
  load with the token already in the browser's storage (the static files in the browser's
  cache, as on a second visit); the median of 5 loads.
* `history_7d_ms`: one sensor's last 7 days of its 30 (about 2,330 recorded states): from the
  route change to the frame after uPlot drew it (request, JSON, parse, draw); the median of 5
  different sensors, each answer's number of points checked against what was written.
* `update_p99_ms`: the hub (another process) sets one of the 1,000 sensors every 10 ms (100
  changes/s) to its own wall-clock time in ms; a MutationObserver in the page takes
  `Date.now()` when a row's text shows that value: p99 of that delay over the run (the rows are
  updated once per animation frame, so this includes waiting for the next frame).
* `heap_growth_mb`: the JS heap in use after a forced full GC (CDP `HeapProfiler.collectGarbage`,
  `Runtime.getHeapUsage`) at the end of the live updates, minus the lowest such reading from
  their start on (one before them, one every minute during them, the last): what the page holds
  on to once it has settled, to 0.1 MB. The lowest, not the first: Home Assistant's page lets go
  over the minutes after its load of memory no forced GC frees at once, and a shrinking heap
  says nothing about leaks under live updates. The run is 10 minutes (1 with `--quick`). Update
  delays are kept in a typed array allocated before the first reading. Both dashboards alike: a
  fresh load of the home view, then a warm-up of 60 s of updates at the same rate (6 s with
  `--quick`), not counted, then GC + the first reading; GC + a reading every minute; after the
  run, GC + the last reading. A second GC and reading right after the first and the last is
  kept as a diagnostic.

The database is filled once by bench/core_history.py's fill (our real recorder write path: 1,000
`sensor.bench_NNNN` entities, 30 days, change n at END - 30 days + n * 30 days / N) into
bench/out/dashboard/ and reused by later runs (its END is kept beside it). The serving hub
places the 1,000 sensors in 20 areas of 50.

Home Assistant 2024.3.3's frontend in the same run (bench/dashboard_ha.py says how each of its
figures is taken): HA's venv (bench/core_ha.py) gets the frontend package of that release, its
database the same history (bench/ha/history_bench.py fill, once), its auto-generated dashboard
the same 1,000 sensors in 20 areas. If HA's side fails, its values are null and
`homeassistant_reason` says why.

    .venv/bin/python bench/dashboard.py [--quick] [--no-ha] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for p in (str(REPO), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

from cdp import Browser  # noqa: E402

ENTITIES = 1_000
AREAS = 20
HEAP_EVERY_S = 60.0  # a heap reading this often during the live run
FULL_CHANGES = 10_000_000
QUICK_CHANGES = 200_000
DAY = 86_400.0
OUT = BENCH / "out" / "dashboard"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- the database -----------------------------------------------------------------------------


def database(changes: int) -> tuple[Path, float, dict[str, Any]]:
    """The filled database for `changes`, its END, and how its fill went (built if missing)."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"history-{changes}.db"
    meta_path = OUT / f"history-{changes}.json"
    if db.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        return db, float(meta["end"]), meta
    for stale in OUT.glob(f"history-{changes}.db*"):
        stale.unlink()
    end = time.time()
    log(f"filling {changes:,} changes through our recorder into {db} (once; kept for later runs)")
    out = subprocess.run(
        [
            sys.executable,
            str(BENCH / "core_history.py"),
            "--worker",
            "fill",
            str(db),
            str(changes),
            repr(end),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"fill failed: {out.stderr.strip()[-2000:]}")
    meta = {"end": end, **json.loads(out.stdout.strip().splitlines()[-1])}
    meta_path.write_text(json.dumps(meta))
    return db, end, meta


def ha_database(changes: int, end: float) -> tuple[Path, dict[str, Any]]:
    """HA's database with the same history (bench/ha/history_bench.py fill), once."""
    from dashboard_ha import HA_PYTHON

    folder = OUT / f"ha-{changes}"
    meta_path = OUT / f"ha-{changes}.json"
    if meta_path.exists() and json.loads(meta_path.read_text()).get("end") == end:
        return folder, json.loads(meta_path.read_text())
    if folder.exists():
        for f in folder.glob("home-assistant_v2.db*"):
            f.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    log(f"filling {changes:,} changes into Home Assistant's database (once)")
    args = [str(HA_PYTHON), str(BENCH / "ha" / "history_bench.py"), "fill", str(folder)]
    out = subprocess.run(
        [*args, "--changes", str(changes), "--end", repr(end)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"HA's fill failed: {out.stderr.strip()[-1000:]}")
    meta = {"end": end, **json.loads(out.stdout.strip().splitlines()[-1])}
    meta_path.write_text(json.dumps(meta))
    return folder, meta


# -- the hub (a worker process) ----------------------------------------------------------------


async def serve(db_path: str, config_dir: str) -> None:
    """A hub on the filled database with the 1,000 sensors in 20 areas; on stdin
    `drive RATE SECONDS` sets random sensors to the wall-clock ms at RATE per second."""
    import random

    from hearthmind.api import async_serve
    from hearthmind.api.config import ApiConfig
    from hearthmind.api.tokens import TokenStore
    from hearthmind.bootstrap import tune_runtime
    from hearthmind.core import Hub, Origin, RealClock, load_config
    from hearthmind.core.registry import Area
    from hearthmind.recorder import Recorder

    tune_runtime()  # as `hearthmind run` does: the loop waits at most 1 ms for the writer
    hub = Hub(load_config(Path(config_dir)), RealClock(), seed=1)
    rec = Recorder(hub, f"sqlite:///{db_path}")
    await rec.async_start()
    server = await async_serve(hub, ApiConfig(port=0))
    await hub.async_start()
    per_area = ENTITIES // AREAS
    for a in range(AREAS):
        hub.registries.add_area(Area(f"room_{a:02d}", f"Room {a + 1}"))
    for i in range(ENTITIES):
        entity_id = f"sensor.bench_{i:04d}"
        hub.registries.set_entity_area(entity_id, f"room_{i // per_area:02d}")
        hub.states.async_set(
            entity_id, str(i), {"friendly_name": f"Bench sensor {i}"}, hub.context(Origin.SENSOR)
        )
    token = TokenStore(Path(config_dir)).create("bench", hub.clock.now(), replace=True)
    print(f"READY {server.port} {token}", flush=True)
    loop = asyncio.get_running_loop()
    rng = random.Random(1)
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        words = line.split()
        if not words or words[0] == "quit":
            break
        rate, seconds = float(words[1]), float(words[2])
        began = loop.time()
        n = 0
        total = int(rate * seconds)
        while n < total:
            # on a schedule, not after a fixed sleep: a late change does not push the rest back
            due = began + n / rate
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            entity_id = f"sensor.bench_{rng.randrange(ENTITIES):04d}"
            hub.states.async_set(
                entity_id,
                f"{time.time() * 1000:.1f}",
                {"friendly_name": entity_id},
                hub.context(Origin.SENSOR),
            )
            n += 1
        print(f"DONE {n}", flush=True)
    await hub.async_stop()


class Served:
    def __init__(self, db: Path, config_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", "serve", str(db), str(config_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            raise RuntimeError(f"the hub did not start: {line}")
        self.port, self.token = int(line[1]), line[2]

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
            self.proc.wait(60)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


# -- the browser's figures ---------------------------------------------------------------------

OBSERVER = """
(() => {
  const lat = new Float64Array(200000);
  let n = 0;
  const obs = new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records) {
      const t = Number(r.target.textContent);
      if (t > 1e12 && n < lat.length) lat[n++] = now - t;
    }
  });
  document.querySelectorAll('#page-home .ent .st').forEach(
    (e) => obs.observe(e, {childList: true, characterData: true, subtree: true}));
  window.__bench = {lat, count: () => n, reset: () => { n = 0; }};
  return true;
})()
"""


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


async def measure(port: int, token: str, end: float, changes: int, live_s: float) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/"
    b = await Browser().start(1280, 900)
    try:
        await b.goto(url)
        await b.wait_for("!!document.getElementById('token')", 30, "the login form")
        await b.js(f"localStorage.setItem('hearthmind.token', {json.dumps(token)})")
        ready = "window.hearthmind && window.hearthmind.timings.home_interactive_ms"
        loads = []
        for _ in range(6):
            await b.goto(url)
            loads.append(float(await b.wait_for(ready, 60, "the home view")))
        rows = await b.js("document.querySelectorAll('#page-home .ent').length")
        if rows != ENTITIES:
            raise RuntimeError(f"the home view shows {rows} rows, not {ENTITIES}")
        loads = loads[1:]  # the first load fills the browser's cache
        log(f"home interactive: {[round(x) for x in loads]} ms")

        per_entity = changes / ENTITIES
        draws, points, parts = [], [], []
        for k in (7, 107, 207, 307, 407):
            entity_id = f"sensor.bench_{k:04d}"
            await b.js("location.hash = '#/home'")
            await b.js("window.hearthmind.timings.history_ms = 0")
            query = urlencode({"e": entity_id, "start": _iso(end - 7 * DAY), "end": _iso(end)})
            await b.js(f"location.hash = {json.dumps('#/history?' + query)}")
            draws.append(
                float(await b.wait_for("window.hearthmind.timings.history_ms", 60, "the graph"))
            )
            parts.append(
                await b.js(
                    "[window.hearthmind.timings.history_fetch_ms, window.hearthmind.timings.history_draw_ms]"
                )
            )
            n = int(
                await b.js(f"window.hearthmind.lastChart.series[{json.dumps(entity_id)}].length")
            )
            expected = per_entity * 7 / 30
            if not 0.95 * expected <= n <= 1.05 * expected + 2:
                raise RuntimeError(
                    f"{entity_id}: the graph drew {n} points, about {expected:.0f} written"
                )
            points.append(n)
        log(
            f"7-day history: {[round(x) for x in draws]} ms ({points} points; fetch, draw: {parts})"
        )

        # the live run starts on a freshly loaded home view, as Home Assistant's does
        # (dashboard_ha.measure_ha): both pages then get the same warm-up before the first heap
        # reading, and neither carries the history pages' leftovers into it
        await b.goto(url)
        await b.wait_for(ready, 60, "the home view")
        await b.js(OBSERVER)
        return {"loads": loads, "draws": draws, "points": points, "parts": parts, "browser": b}
    except BaseException:
        await b.close()
        raise


async def live(served: Served, b: Browser, seconds: float) -> dict[str, Any]:
    """Live updates at 100 changes/s for `seconds`: delays, and the heap before, every minute
    during, and after them."""
    # warm-up, not counted: JIT, the first frames, and what a page frees once it has settled
    # after loading (Home Assistant's heap shrank by 12 MB over 10 minutes from a reading taken
    # at once: a baseline of the load's leftovers, not of the live updates)
    served.command(f"drive 100 {min(60.0, seconds / 10)}")
    await served.wait_done()
    await asyncio.sleep(0.5)
    await b.js("window.__bench.reset()")
    # each reading right after a forced full GC (cdp.heap_mb); a second GC and reading at once
    # after it shows whether one GC had settled the heap (a diagnostic, not the figure)
    heap_before = await b.heap_mb()
    heap_before_again = await b.heap_mb()
    served.command(f"drive 100 {seconds}")
    # a reading every minute of the run: growth is counted from the lowest (the page settled),
    # so memory a page lets go of minutes after its load is not taken for the opposite of a
    # leak; each forced GC pauses the page alike in both dashboards
    during: list[float] = []
    driving = asyncio.ensure_future(served.wait_done())
    while not (await asyncio.wait({driving}, timeout=HEAP_EVERY_S))[0]:
        during.append(await b.heap_mb())
    done = driving.result()
    await asyncio.sleep(0.5)  # the last frame
    lat = await b.js("Array.from(window.__bench.lat.subarray(0, window.__bench.count()))")
    heap_after = await b.heap_mb()
    heap_after_again = await b.heap_mb()
    sent = int(done.split()[1])
    return {
        "warm_up_seconds": min(60.0, seconds / 10),
        "sent": sent,
        "seen": len(lat),
        "delays": lat,
        "heap_before_mb": heap_before,
        "heap_after_mb": heap_after,
        "heap_during_mb": [round(x, 3) for x in during],
        "heap_lowest_mb": min([heap_before, *during, heap_after]),
        "heap_before_second_gc_mb": heap_before_again,
        "heap_after_second_gc_mb": heap_after_again,
    }


def figures(
    loads: list[float], draws: list[float], delays: list[float], lv: dict[str, Any]
) -> dict[str, float]:
    return {
        "home_interactive_ms": round(statistics.median(loads), 1),
        "history_7d_ms": round(statistics.median(draws), 1),
        "update_p99_ms": round(pct(delays, 0.99), 1),
        # to 0.1 MB: repeated readings of a settled page differ by a few hundredths
        "heap_growth_mb": round(lv["heap_after_mb"] - lv["heap_lowest_mb"], 1),
    }


async def home_assistant(
    end: float, changes: int, live_s: float
) -> tuple[dict[str, float], dict[str, Any]]:
    """The same four figures for Home Assistant 2024.3.3's frontend (bench/dashboard_ha.py)."""
    from core_history import free_port
    from dashboard_ha import HA_PYTHON, ensure_frontend, run_ha

    if not HA_PYTHON.exists():
        raise RuntimeError("no bench/.ha-venv: run bench/core.py once to install HA 2024.3.3")
    ensure_frontend()
    folder, fill = ha_database(changes, end)
    log("Home Assistant's frontend: home, history, live updates")
    load = os.getloadavg()[0]
    m = await run_ha(folder, free_port(), end, changes, _iso, live, live_s)
    lv = m.pop("live")
    delays = lv.pop("delays")
    if lv["seen"] < 0.9 * lv["sent"]:
        raise RuntimeError(f"HA's page showed {lv['seen']} of {lv['sent']} changes")
    details = {
        "fill": fill,
        "home_interactive_runs_ms": [round(x, 1) for x in m["loads"]],
        "history_7d_runs_ms": [round(x, 1) for x in m["draws"]],
        "history_points": m["points"],
        "update_p50_ms": round(pct(delays, 0.5), 1),
        "update_max_ms": round(max(delays), 1),
        **lv,
        "load_average": round(load, 2),
    }
    log(f"HA: {figures(m['loads'], m['draws'], delays, lv)}")
    return figures(m["loads"], m["draws"], delays, lv), details


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    changes = QUICK_CHANGES if args.quick else FULL_CHANGES
    live_s = 60.0 if args.quick else 600.0
    began = time.time()
    db, end, fill = database(changes)
    config_dir = OUT / f"config-{changes}"
    config_dir.mkdir(exist_ok=True)
    log("starting the hub")
    served = Served(db, config_dir)
    load = os.getloadavg()[0]
    try:
        m = await measure(served.port, served.token, end, changes, live_s)
        b: Browser = m.pop("browser")
        try:
            log(f"live updates: 100 changes/s for {live_s:.0f} s")
            lv = await live(served, b, live_s)
        finally:
            await b.close()
    finally:
        served.stop()
    delays = lv.pop("delays")
    # a sensor set twice within one frame shows only its last value: a few are never seen
    if lv["seen"] < 0.9 * lv["sent"]:
        raise RuntimeError(f"the page showed {lv['seen']} of {lv['sent']} changes")
    ours = figures(m["loads"], m["draws"], delays, lv)
    theirs: dict[str, Any] = {k: None for k in ours}
    ha_details: dict[str, Any] = {}
    reason = None
    if args.no_ha:
        reason = "not measured: --no-ha"
    else:
        try:
            theirs, ha_details = await home_assistant(end, changes, live_s)
        except Exception as err:  # HA's side may fail: ours stands, with why
            reason = f"not measured: {type(err).__name__}: {err}"[:600]
            log(reason)
    return {
        "hearthmind": ours,
        "homeassistant": theirs,
        **({"homeassistant_reason": reason} if reason else {}),
        "homeassistant_details": ha_details,
        "details": {
            "changes": changes,
            "entities": ENTITIES,
            "live_seconds": live_s,
            "fill": fill,
            "home_interactive_runs_ms": [round(x, 1) for x in m["loads"]],
            "history_7d_runs_ms": [round(x, 1) for x in m["draws"]],
            "history_points": m["points"],
            "history_fetch_draw_ms": [[round(x, 1) for x in p] for p in m["parts"]],
            "update_p50_ms": round(pct(delays, 0.5), 1),
            "update_max_ms": round(max(delays), 1),
            **lv,
            "load_average": round(load, 2),
            "load_average_end": round(os.getloadavg()[0], 2),
            "js_flags": args.js_flags,
            "seconds": round(time.time() - began, 1),
            "command": " ".join([".venv/bin/python", "bench/dashboard.py", *sys.argv[1:]]),
        },
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        asyncio.run(serve(sys.argv[3], sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 changes, 1 minute live")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--no-ha", action="store_true", help="ours only")
    parser.add_argument(
        "--js-flags",
        help="V8 flags for both browsers (a diagnostic run, e.g. --js-flags=--no-flush-bytecode)",
    )
    args = parser.parse_args()
    if args.js_flags:
        Browser.extra_args = [f"--js-flags={args.js_flags}"]
    result = asyncio.run(run(args))
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text)
    print(
        json.dumps(
            {
                "hearthmind": result["hearthmind"],
                "details": {k: v for k, v in result["details"].items() if k != "fill"},
            }
        )
    )


if __name__ == "__main__":
    main()
