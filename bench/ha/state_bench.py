"""State-change workloads on a real Home Assistant 2024.3.3 (runs inside HA's venv).

Driven the same way as bench/core.py drives Hearthmind:
* 1,000 entities ``sensor.bench_0000`` .. ``sensor.bench_0999`` created up front;
* 100 ``async_track_state_change_event`` listeners, listener k tracks entities
  10k .. 10k+9 and counts the events it receives;
* change n sets entity ``n % 1000`` to the state ``str(n + 1)`` (always a real change,
  no attributes) with ``hass.states.async_set``.

Modes (one JSON object on stdout):
* ``burst``: N changes as fast as possible, yielding to the loop every 1,000; the clock
  stops when HA's loop is idle and, with ``--recorder``, when the recorder has committed
  everything (``Recorder.async_block_till_done``: a SynchronizeTask queued behind every
  change, which commits first). The rows in ``states`` are then counted to prove it.
* ``paced``: changes at a steady RATE/s for SECONDS (ticks of 10 ms), recorder on; the
  recorder's queue is checked at every tick. The step passes when the producer kept pace
  (never more than 1 s behind), the queue in the second half never held more than 2 s of
  changes, and the recorder committed the last change within 2 s after it was made.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boot import log, peak_rss_mb, start_hass
from homeassistant.components.recorder import get_instance
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event

ENTITIES = 1_000
LISTENERS = 100
PER_LISTENER = ENTITIES // LISTENERS
YIELD_EVERY = 1_000
TICK_S = 0.010


class Workload:
    """The entities, listeners and change generator shared by both modes."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self.entity_ids = [f"sensor.bench_{i:04d}" for i in range(ENTITIES)]
        self.heard = 0
        self.n = 0
        for entity_id in self.entity_ids:
            hass.states.async_set(entity_id, "0")
        for k in range(LISTENERS):
            tracked = self.entity_ids[k * PER_LISTENER : (k + 1) * PER_LISTENER]
            async_track_state_change_event(hass, tracked, self._on_change)

    @callback
    def _on_change(self, _event: Event) -> None:
        self.heard += 1

    def change(self) -> None:
        n = self.n
        self.hass.states.async_set(self.entity_ids[n % ENTITIES], str(n + 1))
        self.n = n + 1


async def committed(hass: HomeAssistant, recorder: bool) -> None:
    """Return once the loop is idle and (with the recorder) everything is committed."""
    await hass.async_block_till_done()
    if recorder:
        await get_instance(hass).async_block_till_done()


def count_state_rows(config_dir: str) -> int:
    db = sqlite3.connect(f"file:{config_dir}/home-assistant_v2.db?mode=ro", uri=True)
    try:
        return int(db.execute("select count(*) from states").fetchone()[0])
    finally:
        db.close()


async def burst(
    hass: HomeAssistant, work: Workload, changes: int, recorder: bool
) -> dict[str, Any]:
    cpu_start = time.process_time()
    start = time.perf_counter()
    for _ in range(changes // YIELD_EVERY):
        for _ in range(YIELD_EVERY):
            work.change()
        await asyncio.sleep(0)
    for _ in range(changes % YIELD_EVERY):
        work.change()
    queued = time.perf_counter()
    backlog = get_instance(hass).backlog if recorder else 0
    await committed(hass, recorder)
    done = time.perf_counter()
    elapsed = done - start
    cpu = time.process_time() - cpu_start
    return {
        "changes": changes,
        # CPU seconds of all HA's threads per wall second: well under 1 on an idle
        # 2-core machine means other processes took HA's CPU
        "cpu_share": cpu / elapsed,
        # changes per CPU second: steadier than per_s when the machine is shared
        "per_cpu_s": changes / cpu,
        "seconds": elapsed,
        "per_s": changes / elapsed,
        "queued_per_s": changes / (queued - start),
        "recorder_backlog_after_burst": backlog,
        "listener_events": work.heard,
    }


async def paced(hass: HomeAssistant, work: Workload, rate: float, seconds: float) -> dict[str, Any]:
    recorder = get_instance(hass)
    total = int(rate * seconds)
    cpu_start = time.process_time()
    samples: list[int] = []  # recorder queue once a second, for the record
    max_backlog = 0  # largest queue seen at any tick in the second half
    max_lag = 0.0
    start = time.perf_counter()
    next_sample = start + 1.0
    sent = 0
    while sent < total:
        now = time.perf_counter()
        due = min(total, int((now - start) * rate))
        max_lag = max(max_lag, (due - sent) / rate)
        while sent < due:
            work.change()
            sent += 1
            if sent % YIELD_EVERY == 0:
                await asyncio.sleep(0)
        if now - start >= seconds / 2:
            max_backlog = max(max_backlog, recorder.backlog)
        if now >= next_sample:
            samples.append(recorder.backlog)
            next_sample += 1.0
        await asyncio.sleep(max(0.0, start + (sent + rate * TICK_S) / rate - time.perf_counter()))
    last_change = time.perf_counter()
    await committed(hass, True)
    drain = time.perf_counter() - last_change
    cpu_share = (time.process_time() - cpu_start) / (time.perf_counter() - start)
    passed = max_lag <= 1.0 and max_backlog <= 2 * rate and drain <= 2.0
    return {
        "rate": rate,
        "seconds": seconds,
        "changes": total,
        "producer_max_lag_s": max_lag,
        "max_backlog_second_half": max_backlog,
        "drain_s": drain,
        "passed": passed,
        "cpu_share": cpu_share,
        "backlog_samples": samples,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ha-bench-") as config_dir:
        config: dict[str, Any] = {"recorder": {}} if args.recorder else {}
        hass = await start_hass(config_dir, config)
        try:
            work = Workload(hass)
            await committed(hass, args.recorder)
            rows_before = count_state_rows(config_dir) if args.recorder else 0
            log(f"{args.mode}: HA up, {len(hass.states.async_all())} states")
            if args.mode == "burst":
                out = await burst(hass, work, args.changes, args.recorder)
            else:
                out = await paced(hass, work, args.rate, args.seconds)
            if args.recorder:
                out["state_rows_committed"] = count_state_rows(config_dir) - rows_before
            out["peak_rss_mb"] = peak_rss_mb()
            out["recorder"] = args.recorder
        finally:
            await asyncio.wait_for(hass.async_stop(), 120)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["burst", "paced"])
    parser.add_argument("--recorder", action="store_true")
    parser.add_argument("--changes", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=1_000.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    if args.mode == "paced":
        args.recorder = True
    print(json.dumps(asyncio.run(main_async(args))), flush=True)


if __name__ == "__main__":
    main()
