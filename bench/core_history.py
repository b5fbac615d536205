"""History reads for bench/core.py: the same 30 days in Hearthmind and Home Assistant 2024.3.3,
read through each system's REST history API (`GET /api/history/period/<start>`), and the
bare-sqlite3 ceiling of our write path.

History: change n sets `sensor.bench_<n % 1000>` to str(n + 1) at END - 30 days + n * 30 days
/ N (N = 10,000,000 in the full run, 200,000 with --quick); END is when the fill starts.
* Ours is filled through the real recorded write path: a hub whose clock is set to each
  change's time, `hub.states.async_set` with a new Context per change, the Recorder (queue,
  batches, its per-entity index kept in bulk), with backpressure.
* Home Assistant's is written straight into its own database by bench/ha/history_bench.py
  (its recorder would need over an hour for 10 million), in its own shape.
Then each system serves its database over HTTP on 127.0.0.1 (a token in the Authorization
header) and the bench (one keep-alive HTTP connection, in this process) times three reads,
from sending the request to the last byte of the answer, after one untimed warm-up of each:
* `one_day`: sensor.bench_0007, the last 24 hours;
* `ten_week`: sensor.bench_0100 .. 0109, the last 7 days;
* `start_states`: all 1,000 entities over one minute in the middle of day 15, so that the
  state in force at its start must be found for every entity.
Every answer is checked against the history written (entities, number of states, values),
for both systems. Each figure is the median of 3 timed runs, with its range.

`sqlite_ceiling_per_s`: the burst's rows (same values, a new context id each) written by a
bare sqlite3 script into a database with our schema (made by our Alembic migrations), WAL
and synchronous=NORMAL as the recorder, one transaction per 5,000 rows with multi-row
INSERTs, and the per-entity index brought up to date every 50,000 rows as our writer does:
what SQLite alone allows, without Python objects, a hub or a queue.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

ENTITIES = 1_000
DAYS = 30
DAY = 86_400.0
FULL_CHANGES = 10_000_000
QUICK_CHANGES = 200_000
RUNS = 3
READS = ("one_day", "ten_week", "start_states")


def entity_ids() -> list[str]:
    return [f"sensor.bench_{i:04d}" for i in range(ENTITIES)]


def summary(values: list[float], digits: int = 1) -> dict[str, Any]:
    """Median of the runs, with their range and every run."""
    return {
        "median": round(statistics.median(values), digits),
        "range": [round(min(values), digits), round(max(values), digits)],
        "runs": [round(v, digits) for v in values],
    }


# -- the history and its expected reads ------------------------------------------------------


class History:
    """Where each change lies in time, and what a read of it must return."""

    def __init__(self, changes: int, end: float) -> None:
        self.changes = changes
        self.end = end
        self.start = end - DAYS * DAY
        self.step = DAYS * DAY / changes

    def ts(self, i: int) -> float:
        return self.start + i * self.step  # the same formula as both fills

    def between(self, k: int, a: float, b: float) -> list[str]:
        """Entity k's states in force from a to b: the one at a, then its changes."""
        out: list[str] = []
        j = 0
        i = k
        last = None
        while i < self.changes and self.ts(i) < b:
            if self.ts(i) < a:
                last = str(i + 1)
            else:
                out.append(str(i + 1))
            j += 1
            i = k + j * ENTITIES
        return ([last] if last is not None else []) + out

    def at(self, n: float) -> float:
        """A time half a step after change n: never equal to a change's time."""
        return self.ts(int(n)) + self.step / 2

    def reads(self) -> dict[str, tuple[list[int], float, float]]:
        ids_end = self.at(self.changes - 1)
        per_day = self.changes / DAYS
        mid = self.at(per_day * 14.5)
        return {
            "one_day": ([7], ids_end - DAY, ids_end),
            "ten_week": (list(range(100, 110)), ids_end - 7 * DAY, ids_end),
            "start_states": (list(range(ENTITIES)), mid, mid + 60.0),
        }


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_path(entities: list[int], a: float, b: float) -> str:
    ids = ",".join(f"sensor.bench_{k:04d}" for k in entities)
    return f"/api/history/period/{quote(_iso(a))}?filter_entity_id={ids}&end_time={quote(_iso(b))}"


def check_answer(history: History, what: str, answer: Any) -> int:
    """The answer holds exactly the written states of each entity; returns states read."""
    entities, a, b = history.reads()[what]
    if not isinstance(answer, list) or len(answer) != len(entities):
        raise RuntimeError(f"{what}: {len(answer)} entities in the answer, {len(entities)} asked")
    by_entity = {items[0]["entity_id"]: [s["state"] for s in items] for items in answer if items}
    n = 0
    for k in entities:
        want = history.between(k, a, b)
        got = by_entity.get(f"sensor.bench_{k:04d}")
        if got != want:
            raise RuntimeError(
                f"{what}: sensor.bench_{k:04d} read {got!r:.200}, wrote {want!r:.200}"
            )
        n += len(got)
    return n


class Client:
    """One keep-alive HTTP connection to a server on 127.0.0.1, with a bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str) -> tuple[float, Any]:
        start = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        ms = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"GET {path[:120]}: {response.status} {body[:300]!r}")
        return ms, json.loads(body)

    def close(self) -> None:
        self.conn.close()


def time_reads(port: int, token: str, history: History, runs: int = RUNS) -> dict[str, Any]:
    client = Client(port, token)
    out: dict[str, Any] = {}
    try:
        for what, (entities, a, b) in history.reads().items():
            path = read_path(entities, a, b)
            _, answer = client.get(path)  # warm-up, and the check
            states = check_answer(history, what, answer)
            timings = []
            for _ in range(runs):
                ms, answer = client.get(path)
                timings.append(ms)
            check_answer(history, what, answer)
            out[what] = {**summary(timings), "states_read": states, "url_chars": len(path)}
    finally:
        client.close()
    return out


class Served:
    """A server process that prints `READY ...` and serves until its stdin closes."""

    def __init__(self, args: list[str], timeout: float = 600) -> None:
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            line = self.proc.stdout.readline()
            if line.startswith("READY "):
                self.words = line.split()[1:]
                return
            if not line or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{args[1]} did not start serving")

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(180)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def free_port() -> int:
    from tests.fixtures.mosquitto import free_port as port

    return int(port())


# -- Hearthmind --------------------------------------------------------------------------------


async def fill_ours(db_path: str, changes: int, end: float) -> dict[str, Any]:
    """The history through the hub and its Recorder, each change at its own time."""
    from hearthmind.core import Hub, Origin, SimulatedClock
    from hearthmind.recorder import Recorder

    history = History(changes, end)
    clock = SimulatedClock(datetime.fromtimestamp(history.start, UTC))
    hub = Hub(clock=clock, seed=1)
    rec = Recorder(hub, f"sqlite:///{db_path}")
    await rec.async_start()
    await hub.async_start()
    ids = entity_ids()
    new_context = hub.contexts.new
    sensor = Origin.SENSOR
    async_set = hub.states.async_set
    start, step = history.start, history.step
    began = time.perf_counter()
    for i in range(changes):
        clock._now = start + i * step  # the fill sets its own clock to each change
        async_set(ids[i % ENTITIES], str(i + 1), None, new_context(sensor))
        if i % 1000 == 999:
            await asyncio.sleep(0)
            await rec.async_throttle()
    await rec.async_flush()
    seconds = time.perf_counter() - began
    committed = rec.committed_states
    await hub.async_stop()
    if committed < changes:
        raise RuntimeError(f"only {committed} of {changes} changes committed")
    return {"changes": changes, "seconds": seconds, "per_s": changes / seconds}


async def serve_ours(db_path: str, config_dir: str) -> None:
    from hearthmind.api import async_serve
    from hearthmind.api.config import ApiConfig
    from hearthmind.api.tokens import TokenStore
    from hearthmind.core import Hub, RealClock, load_config
    from hearthmind.recorder import Recorder

    hub = Hub(load_config(Path(config_dir)), RealClock(), seed=1)
    rec = Recorder(hub, f"sqlite:///{db_path}")
    await rec.async_start()
    server = await async_serve(hub, ApiConfig(port=0))
    await hub.async_start()
    token = TokenStore(Path(config_dir)).create("bench", hub.clock.now(), replace=True)
    print(f"READY {server.port} {token}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await hub.async_stop()


def run_ours(changes: int, end: float, runs: int, step: Callable[[str], None]) -> dict[str, Any]:
    history = History(changes, end)
    with tempfile.TemporaryDirectory(prefix="hearthmind-history-") as tmp:
        db = str(Path(tmp) / "hearthmind.db")
        step(f"history: {changes:,} changes over 30 days through our recorder")
        filled = _worker("fill", db, str(changes), repr(end))
        load = os.getloadavg()[0]
        step("history: reads through our REST API")
        served = Served([sys.executable, __file__, "--worker", "serve", db, tmp])
        try:
            reads = time_reads(int(served.words[0]), served.words[1], history, runs)
        finally:
            served.stop()
        size = sum(f.stat().st_size for f in Path(tmp).glob("hearthmind.db*"))
    return {"fill": filled, "reads": reads, "load_average": round(load, 2), "db_bytes": size}


def _worker(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        capture_output=True,
        text=True,
        timeout=7200,
        cwd=REPO,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"worker {args[0]} failed: {out.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- Home Assistant ----------------------------------------------------------------------------


def run_ha(changes: int, end: float, runs: int, step: Callable[[str], None]) -> dict[str, Any]:
    from core_ha import HA_PYTHON, ensure_ha_venv  # type: ignore[import-not-found]

    ensure_ha_venv()
    history = History(changes, end)
    driver = str(BENCH / "ha" / "history_bench.py")
    with tempfile.TemporaryDirectory(prefix="ha-history-") as tmp:
        step(f"history: {changes:,} changes written into HA's own database (sqlite3)")
        args = [str(HA_PYTHON), driver, "fill", tmp, "--changes", str(changes), "--end", repr(end)]
        out = subprocess.run(args, stdout=subprocess.PIPE, text=True, timeout=7200, cwd=REPO)
        if out.returncode != 0:
            raise RuntimeError("HA's history fill failed")
        filled = json.loads(out.stdout.strip().splitlines()[-1])
        load = os.getloadavg()[0]
        step("history: reads through HA's REST API")
        port = free_port()
        served = Served([str(HA_PYTHON), driver, "serve", tmp, "--port", str(port)])
        try:
            reads = time_reads(port, served.words[0], history, runs)
        finally:
            served.stop()
        size = sum(f.stat().st_size for f in Path(tmp).glob("home-assistant_v2.db*"))
    return {"fill": filled, "reads": reads, "load_average": round(load, 2), "db_bytes": size}


# -- the bare sqlite3 ceiling ------------------------------------------------------------------


def sqlite_ceiling(changes: int, runs: int = RUNS) -> dict[str, Any]:
    """Rows per second a bare sqlite3 script writes into our schema (see the module doc)."""
    from hearthmind.core.context import ContextFactory, wall_millis
    from hearthmind.recorder import create_recorder_engine, upgrade

    ids = entity_ids()
    contexts = ContextFactory(wall_millis, seed=random.randrange(1 << 30))
    now = time.time()
    flat: list[Any] = []
    for i in range(changes):
        ts = now + i * 1e-5
        flat.extend((ids[i % ENTITIES], str(i + 1), None, ts, ts, contexts.new_id(), "sensor", None, None))  # fmt: skip
    columns = (
        "entity_id, state, attributes_id, last_changed_ts, last_updated_ts, context_id, "
        "origin, user_id, parent_id"
    )
    one = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
    sql = {n: f"INSERT INTO states ({columns}) VALUES {', '.join([one] * n)}" for n in (1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1)}  # fmt: skip
    index = (
        "INSERT INTO states_entity_index (entity_id, last_updated_ts, state_id) "
        "SELECT entity_id, last_updated_ts, state_id FROM states WHERE state_id > ? "
        "ORDER BY entity_id, last_updated_ts, state_id"
    )
    rates = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="hearthmind-ceiling-") as tmp:
            path = Path(tmp) / "ceiling.db"
            engine = create_recorder_engine(f"sqlite:///{path}")
            upgrade(engine)
            engine.dispose()
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            began = time.perf_counter()
            indexed = 0
            for start in range(0, changes, 5_000):
                rows = min(5_000, changes - start)
                db.execute("BEGIN")
                done = 0
                while done < rows:
                    size = 1024
                    while size > rows - done:
                        size //= 2
                    first = (start + done) * 9
                    db.execute(sql[size], flat[first : first + size * 9])
                    done += size
                if start + rows - indexed >= 50_000 or start + rows == changes:
                    db.execute(index, (indexed,))
                    indexed = start + rows
                db.execute("COMMIT")
            rates.append(changes / (time.perf_counter() - began))
            db.close()
    return {**summary(rates, 0), "changes": changes}


# -- bench/core.py's part ----------------------------------------------------------------------


def run_history(
    quick: bool, with_ha: bool, step: Callable[[str], None], runs: int = RUNS
) -> dict[str, Any]:
    changes = QUICK_CHANGES if quick else FULL_CHANGES
    end = float(int(time.time()))
    ours = run_ours(changes, end, runs, step)
    out: dict[str, Any] = {"changes": changes, "days": DAYS, "hearthmind": ours}
    if with_ha:
        out["homeassistant"] = run_ha(changes, end, runs, step)
    return out


def history_figures(part: dict[str, Any]) -> dict[str, float]:
    return {what: part["reads"][what]["median"] for what in READS}


def history_ranges(part: dict[str, Any]) -> dict[str, list[float]]:
    return {what: part["reads"][what]["range"] for what in READS}


def worker(argv: list[str]) -> None:
    kind, *rest = argv
    if kind == "fill":
        print(json.dumps(asyncio.run(fill_ours(rest[0], int(rest[1]), float(rest[2])))))
    elif kind == "serve":
        asyncio.run(serve_ours(rest[0], rest[1]))
    else:
        raise SystemExit(f"unknown worker {kind}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
        return
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=QUICK_CHANGES)
    parser.add_argument("--ha", action="store_true", help="also Home Assistant 2024.3.3")
    parser.add_argument("--ceiling", action="store_true", help="only the sqlite3 ceiling")
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))

    def step(what: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)

    if args.ceiling:
        print(json.dumps(sqlite_ceiling(args.changes), indent=2))
        return
    end = float(int(time.time()))
    out: dict[str, Any] = {"hearthmind": run_ours(args.changes, end, RUNS, step)}
    if args.ha:
        out["homeassistant"] = run_ha(args.changes, end, RUNS, step)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
