"""Core throughput: state changes through bus + state machine + recorder, against Home
Assistant 2024.3.3 on the same workloads (bench/core_ha.py), MQTT latency (bench/core_mqtt.py)
and history reads through each system's REST API (bench/core_history.py).

Workload (the same as bench/core_ha.py drives on Home Assistant): 1,000 entities
`sensor.bench_0000` ..; 100 listeners (`hub.states.async_track_entities`), listener k tracking
entities 10k..10k+9; change n sets entity n % 1000 to str(n + 1), each with a new Context
(Home Assistant's `async_set` makes one per call when none is given, as its driver calls it).

* `state_changes_per_s`: a burst of 200,000 changes, yielding to the event loop every 1,000
  (and waiting on the recorder's backpressure there when its queue is full); the clock
  stops when every change is committed to SQLite (`Recorder.async_flush()`). The median of
  `--runs` (3) runs, each in a fresh process and database, with `range` (min, max) and the
  1-minute load average at the start of each (`load_average`). The same once to PostgreSQL
  (a temporary server, as the tests start it): `postgres_state_changes_per_s`.
* `in_memory_per_s`: the same burst with recording off (median of 3, range, load).
* `sustained_per_s`: changes paced evenly (10 ms ticks) for 60 s, recorder on; a rate is
  sustained when the producer is never more than 1 s behind, the recorder's queue in the
  second half never holds more than 2 s of changes, and the last change is committed within
  2 s. Rates double from 8,000/s until one fails, then three bisections (one search).
* `peak_rss_mb`: peak resident memory of a fresh process with 1,000 entities after
  1,000,000 recorded changes (SQLite).
* `history_read_ms` (bench/core_history.py): three reads after 10 million changes over 30
  days, median of 3 with `range`; `ratio_history_read` = min over the reads of HA's time /
  ours (every read is at least that much faster than HA's).
* `sqlite_ceiling_per_s`: the burst's rows written by a bare sqlite3 script into our schema
  (bench/core_history.py); `recorded_share_of_ceiling` = our recorded rate / it.

Each workload runs in its own process. `--quick` (well under 300 s) runs shorter versions,
Hearthmind only, history on 200,000 changes. `--skip-mqtt` and `--skip-sustained` leave those
parts out (both sides). Writes docs/BENCHMARKS.md's "Core throughput" section
(bench/core_docs.py); a --quick run never replaces a full run's section.

    .venv/bin/python bench/core.py [--quick] [--json FILE] [--runs 3] [--skip-mqtt]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from runs import median_of_runs  # noqa: E402  (bench/ is the script folder)

ENTITIES = 1_000
LISTENERS = 100
BURST = 200_000
RSS_CHANGES = 1_000_000


def entity_ids() -> list[str]:
    return [f"sensor.bench_{i:04d}" for i in range(ENTITIES)]


# -- workers (each runs in its own process) ---------------------------------------------------


async def _hub_with_listeners(db_url: str | None) -> tuple[Any, Any, list[int]]:
    from hearthmind.core import Hub, RealClock
    from hearthmind.recorder import Recorder

    hub = Hub(clock=RealClock(), seed=1)
    rec = None
    if db_url:
        rec = Recorder(hub, db_url)
        await rec.async_start()
    await hub.async_start()
    ids = entity_ids()
    seen = [0]

    def listener(_event: Any) -> None:
        seen[0] += 1

    for k in range(LISTENERS):
        hub.states.async_track_entities(ids[10 * k : 10 * k + 10], listener)
    return hub, rec, seen


async def burst(db_url: str | None, n: int) -> dict[str, Any]:
    from hearthmind.core import Origin

    hub, rec, seen = await _hub_with_listeners(db_url)
    ids = entity_ids()
    new_context = hub.contexts.new
    sensor = Origin.SENSOR
    async_set = hub.states.async_set
    before = rec.committed_states if rec else 0
    start = time.perf_counter()
    for i in range(n):
        # a new Context per change, as Home Assistant's async_set makes one when none is given
        async_set(ids[i % ENTITIES], str(i + 1), None, new_context(sensor))
        if i % 1000 == 999:
            await asyncio.sleep(0)
            if rec is not None:
                await rec.async_throttle()
    queued = time.perf_counter() - start
    if rec is not None:
        await rec.async_flush()
    elapsed = time.perf_counter() - start
    committed = (rec.committed_states - before) if rec else 0
    if rec is not None and committed != n:
        raise SystemExit(f"only {committed} of {n} changes committed")
    await hub.async_stop()
    return {
        "changes": n,
        "seconds": elapsed,
        "per_s": n / elapsed,
        "queued_per_s": n / queued,
        "committed": committed,
        "listener_calls": seen[0],
        "commits": rec.commits if rec else 0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def paced(db_url: str, rate: float, seconds: float) -> dict[str, Any]:
    """Changes at `rate`/s for `seconds`, in 10 ms ticks; sustained or not (see module doc)."""
    from hearthmind.core import Origin

    hub, rec, _ = await _hub_with_listeners(db_url)
    ids = entity_ids()
    new_context = hub.contexts.new
    sensor = Origin.SENSOR
    async_set = hub.states.async_set
    loop = asyncio.get_running_loop()
    total = int(rate * seconds)
    produced = 0
    max_behind = 0.0
    max_backlog_s = 0.0
    start = loop.time()
    tick = 0
    while produced < total:
        tick += 1
        due = min(total, int(rate * 0.01 * tick))
        while produced < due:
            async_set(ids[produced % ENTITIES], str(produced + 1), None, new_context(sensor))
            produced += 1
        now = loop.time() - start
        max_behind = max(max_behind, now - tick * 0.01)
        if now > seconds / 2:
            max_backlog_s = max(max_backlog_s, rec.backlog / rate)
        await asyncio.sleep(max(0.0, start + (tick + 1) * 0.01 - loop.time()))
    end = loop.time()
    await rec.async_flush()
    drain = loop.time() - end
    committed = rec.committed_states
    await hub.async_stop()
    ok = max_behind <= 1.0 and max_backlog_s <= 2.0 and drain <= 2.0 and committed >= total
    return {
        "rate": rate,
        "seconds": seconds,
        "sustained": ok,
        "max_behind_s": round(max_behind, 3),
        "max_backlog_s": round(max_backlog_s, 3),
        "drain_s": round(drain, 3),
        "committed": committed,
    }


async def memory(db_url: str, n: int) -> dict[str, Any]:
    result = await burst(db_url, n)
    return {"changes": n, "peak_rss_mb": result["peak_rss_mb"], "per_s": result["per_s"]}


def worker(argv: list[str]) -> None:
    kind, db_url, *rest = argv
    url = None if db_url == "-" else db_url
    if kind == "burst":
        result = asyncio.run(burst(url, int(rest[0])))
    elif kind == "paced":
        assert url is not None
        result = asyncio.run(paced(url, float(rest[0]), float(rest[1])))
    elif kind == "memory":
        assert url is not None
        result = asyncio.run(memory(url, int(rest[0])))
    else:
        raise SystemExit(f"unknown worker {kind}")
    print(json.dumps(result))


def run_worker(*args: str, timeout: float = 900) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed: {out.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- the benchmark ----------------------------------------------------------------------------


def _sqlite_url(tmp: Path, name: str) -> str:
    return f"sqlite:///{tmp / name}"


def search_sustained(
    tmp: Path, seconds: float, start_rate: float, steps: int, max_tries: int = 12
) -> dict[str, Any]:
    """Double the rate until one fails, then bisect `steps` times; returns the best rate."""
    tried: list[dict[str, Any]] = []
    good, bad = 0.0, None
    rate = start_rate
    n = 0
    while bad is None:
        n += 1
        r = run_worker("paced", _sqlite_url(tmp, f"paced{n}.db"), str(rate), str(seconds))
        tried.append(r)
        if r["sustained"]:
            good, rate = rate, rate * 2
        else:
            bad = rate
        if rate > 1_000_000 or n >= max_tries:
            break
    for _ in range(steps if bad is not None else 0):
        assert bad is not None
        rate = round((good + bad) / 2, -2)
        if rate in (good, bad):
            break
        n += 1
        r = run_worker("paced", _sqlite_url(tmp, f"paced{n}.db"), str(rate), str(seconds))
        tried.append(r)
        if r["sustained"]:
            good = rate
        else:
            bad = rate
    return {"sustained_per_s": good, "tried": tried}


def _load(name: str) -> ModuleType | None:
    path = REPO / "bench" / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def postgres_burst(n: int) -> dict[str, Any]:
    from tests.fixtures.postgres import start_postgres

    try:
        server = start_postgres()
    except RuntimeError as err:
        return {"skipped": str(err)}
    try:
        return run_worker("burst", server.create_database(), str(n))
    finally:
        server.stop()
        import shutil

        shutil.rmtree(server.root, ignore_errors=True)


def median_run(args: list[str], runs: int) -> dict[str, Any]:
    """`runs` runs of one burst worker; the median run's figures, every run and the range,
    and the 1-minute load average at the start of each."""
    return median_of_runs(lambda: run_worker(*args), runs)


def run_hearthmind(
    quick: bool, step: Callable[[str], None], runs: int = 3, sustained_search: bool = True
) -> dict[str, Any]:
    burst_n = 50_000 if quick else BURST
    with tempfile.TemporaryDirectory(prefix="hearthmind-bench-") as tmp_name:
        tmp = Path(tmp_name)
        step(f"{runs} bursts of {burst_n:,} changes, recorded to SQLite")
        sqlite = median_run(["burst", _sqlite_url(tmp, "burst.db"), str(burst_n)], runs)
        step(f"{runs} bursts of {burst_n:,} changes, recording off")
        in_memory = median_run(["burst", "-", str(burst_n)], runs)
        if quick:
            pg: dict[str, Any] = {"skipped": "--quick"}
        else:
            step(f"burst of {burst_n:,} changes, recorded to PostgreSQL")
            pg = postgres_burst(burst_n)
        sustained: dict[str, Any] = {"sustained_per_s": None, "tried": []}
        if sustained_search:
            step("paced rates (sustained)")
            if quick:
                sustained = search_sustained(tmp, 2, start_rate=16_000, steps=0, max_tries=2)
            else:
                sustained = search_sustained(tmp, seconds=60, start_rate=8_000, steps=3)
        rss_n = 100_000 if quick else RSS_CHANGES
        step(f"peak RSS after {rss_n:,} recorded changes")
        mem = run_worker("memory", _sqlite_url(tmp, "memory.db"), str(rss_n))
    return {
        "state_changes_per_s": round(sqlite["per_s"]),
        "in_memory_per_s": round(in_memory["per_s"]),
        "sustained_per_s": sustained["sustained_per_s"],
        "peak_rss_mb": round(mem["peak_rss_mb"], 1),
        "postgres_state_changes_per_s": round(pg["per_s"]) if "per_s" in pg else None,
        "range": {"state_changes_per_s": sqlite["range"], "in_memory_per_s": in_memory["range"]},
        "load_average": {
            "state_changes_per_s": sqlite["load_averages"],
            "in_memory_per_s": in_memory["load_averages"],
        },
        "details": {
            "burst_changes": burst_n,
            "sqlite_burst": sqlite,
            "in_memory_burst": in_memory,
            "postgres_burst": pg,
            "sustained": sustained["tried"],
            "rss_changes": rss_n,
            "rss_run": mem,
        },
    }


SKIPPABLE = {
    "sustained": ("sustained_per_s",),
    "mqtt": ("mqtt_p50_ms", "mqtt_p99_ms", "mqtt_lost", "mqtt_max_rate"),
}


def keep_skipped(result: dict[str, Any], earlier: dict[str, Any], args: Any, name: str) -> None:
    """The figures this run skipped, from an earlier full run, and say so in the result."""
    kept: list[str] = []
    for part, keys in SKIPPABLE.items():
        if not getattr(args, f"skip_{part}"):
            continue
        for side in ("hearthmind", "homeassistant"):
            if side in result and side in earlier:
                for key in keys:
                    result[side][key] = earlier[side].get(key)
        kept += keys
    for ratio in ("ratio_sustained", "ratio_mqtt_rate"):
        if ratio in earlier and not result.get(ratio):
            result[ratio] = earlier[ratio]
    result["kept_from"] = {
        "file": name,
        "measured_at": earlier["hearthmind"].get("measured_at"),
        "figures": kept,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, Hearthmind only")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--docs-from", type=Path, help="only rewrite the docs section from a full run's JSON"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per headline figure")
    parser.add_argument("--skip-mqtt", action="store_true", help="no MQTT latency (either side)")
    parser.add_argument(
        "--skip-sustained", action="store_true", help="no paced-rate search (either side)"
    )
    parser.add_argument(
        "--keep-from",
        type=Path,
        help="with --skip-*: take the skipped figures from this earlier full run's JSON",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "bench"))
    from core_docs import write_docs  # type: ignore[import-not-found]
    from core_history import READS, history_figures, history_ranges, run_history, sqlite_ceiling  # type: ignore[import-not-found]

    if args.docs_from:
        write_docs(json.loads(args.docs_from.read_text()), ".venv/bin/python bench/core.py")
        return

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("Hearthmind", total=None)

        def step(what: str) -> None:
            progress.update(task, description=f"Hearthmind: {what}")
            console.log(what)

        load_before = os.getloadavg()[0]
        hm = run_hearthmind(args.quick, step, args.runs, not args.skip_sustained)
        result: dict[str, Any] = {"runs": args.runs, "hearthmind": hm}
        step("bare sqlite3 ceiling of the same rows")
        ceiling = sqlite_ceiling(hm["details"]["burst_changes"], args.runs)
        result["sqlite_ceiling_per_s"] = ceiling["median"]
        result["sqlite_ceiling"] = ceiling
        result["recorded_share_of_ceiling"] = round(
            hm["state_changes_per_s"] / ceiling["median"], 3
        )
        mqtt = None if args.skip_mqtt else _load("core_mqtt")
        if mqtt is not None:
            step("MQTT latency (bench/core_mqtt.py)")
            try:
                hm.update(mqtt.run_hearthmind_mqtt(args.quick))
            except Exception as err:  # a broken companion must not lose the core figures
                hm["mqtt_error"] = repr(err)
        history = run_history(args.quick, not args.quick, step, args.runs)
        result["history"] = history
        hm["history_read_ms"] = history_figures(history["hearthmind"])
        hm["range"]["history_read_ms"] = history_ranges(history["hearthmind"])
        hm["load_average"]["history_read_ms"] = history["hearthmind"]["load_average"]
        if not args.quick:
            ha_module = _load("core_ha")
            if ha_module is not None:
                progress.update(task, description="Home Assistant 2024.3.3 (bench/core_ha.py)")
                ha = ha_module.run_homeassistant(
                    False, args.runs, not args.skip_mqtt, not args.skip_sustained
                )
                ha["history_read_ms"] = history_figures(history["homeassistant"])
                ha["range"]["history_read_ms"] = history_ranges(history["homeassistant"])
                ha["load_average"]["history_read_ms"] = history["homeassistant"]["load_average"]
                result["homeassistant"] = ha
                for key, ratio in (
                    ("state_changes_per_s", "ratio_state_changes"),
                    ("in_memory_per_s", "ratio_in_memory"),
                    ("sustained_per_s", "ratio_sustained"),
                    ("mqtt_max_rate", "ratio_mqtt_rate"),
                ):
                    if hm.get(key) and ha.get(key):
                        result[ratio] = round(hm[key] / ha[key], 2)
                # the least favourable read for us: HA's time over ours, the smallest of the three
                per_read = {k: ha["history_read_ms"][k] / hm["history_read_ms"][k] for k in READS}
                result["ratio_history_read_each"] = {k: round(v, 2) for k, v in per_read.items()}
                result["ratio_history_read"] = round(min(per_read.values()), 2)
    if args.keep_from:
        keep_skipped(result, json.loads(args.keep_from.read_text()), args, str(args.keep_from))
    hm["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    hm["run_load_average"] = f"{load_before:.1f} at start, {os.getloadavg()[0]:.1f} at end"
    command = "bench/core.py" + (" --quick" if args.quick else "")
    if args.skip_mqtt or args.skip_sustained or args.runs != 3:
        command += f" --runs {args.runs}" if args.runs != 3 else ""
        command += " --skip-mqtt" if args.skip_mqtt else ""
        command += " --skip-sustained" if args.skip_sustained else ""
    if args.keep_from:
        command += f" --keep-from {args.keep_from}"
    if not write_docs(result, f".venv/bin/python {command}", quick=args.quick):
        console.print("docs/BENCHMARKS.md keeps the full run's figures (this was --quick)")
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
