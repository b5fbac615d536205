"""Tiny fleets for the fleet tests: a few homes of a plain daily routine written into real
SQLite recorder databases by the hub's own writer, and Ray in local mode with 2 CPUs, started
and shut down here (nothing left running)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearthmind.routines.observations import HomeLog, Kind, Observation
from hearthmind.routines.recorder_bridge import async_write_log

DAY = 86400.0
START = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday

# (time of day in hours, item, kind): a home's day, jittered per home and day
ROUTINE = [
    (6.5, "binary_sensor.bedroom_motion:on", Kind.SENSOR),
    (6.6, "light.bedroom:on", Kind.ACTION),
    (6.9, "binary_sensor.kitchen_motion:on", Kind.SENSOR),
    (7.0, "light.kitchen:on", Kind.ACTION),
    (7.1, "switch.coffee_machine:on", Kind.ACTION),
    (7.5, "light.kitchen:off", Kind.ACTION),
    (7.6, "light.bedroom:off", Kind.ACTION),
    (18.0, "binary_sensor.front_door:on", Kind.SENSOR),
    (18.1, "light.living_room:on", Kind.ACTION),
    (22.5, "light.living_room:off", Kind.ACTION),
]


def home_log(name: str, days: int, seed: int) -> HomeLog:
    rng = random.Random(seed)
    observations = []
    for day in range(days):
        for hour, item, kind in ROUTINE:
            if kind is Kind.ACTION and rng.random() < 0.1:
                continue  # people skip things now and then
            t = START + day * DAY + hour * 3600 + rng.uniform(-600, 600)
            origin = "physical" if kind is Kind.ACTION else "sensor"
            observations.append(Observation(t, item, kind, "ana", origin))
    observations.sort(key=lambda o: o.time)
    return HomeLog(name, observations)


async def write_home(path: Path, days: int, seed: int) -> Path:
    await async_write_log(home_log(path.stem, days, seed), str(path))
    return path


@pytest.fixture
async def tiny_fleet(tmp_path: Path) -> Path:
    """Five homes of 8 days and one damaged database."""
    folder = tmp_path / "homes"
    folder.mkdir()
    for n in range(5):
        await write_home(folder / f"home-{n}.db", 8, seed=n)
    (folder / "broken.db").write_bytes(b"this is not a SQLite database" * 100)
    return folder


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=80 * 1024 * 1024,
             log_to_driver=False)  # fmt: skip
    try:
        yield
    finally:
        ray.shutdown()
