"""An imported log goes into a real recorder database with the right origins and comes back as
the same observations; a simulated home's database is read the same way."""

from __future__ import annotations

from pathlib import Path

from hearthmind.routines.observations import HomeLog, ImportReport, Kind, Observation
from hearthmind.routines.recorder_bridge import async_write_log, read_observations

from .synthetic import observations


async def test_write_then_read_back_with_origins(tmp_path: Path) -> None:
    obs = observations(3)
    extra = [
        Observation(obs[-1].time + 5, "sensor.kitchen_temperature:21.5", Kind.SENSOR),
        Observation(obs[-1].time + 6, "Not An Entity:on", Kind.SENSOR),
    ]
    log = HomeLog("synthetic", [*obs, *extra], [], ImportReport("test"))
    db = tmp_path / "home.db"
    written = await async_write_log(log, f"sqlite:///{db}")
    assert written == len(obs) + 1  # the invalid entity id is a counted skip
    assert log.report.skipped["invalid entity id"] == 1
    back = read_observations(db)
    assert back.report.skipped["numeric reading"] == 1
    assert [(o.item, o.kind, o.origin) for o in back.observations] == [
        (o.item, o.kind, o.origin) for o in obs
    ]
    assert all(abs(a.time - b.time) < 1e-3 for a, b in zip(back.observations, obs, strict=True))
    light = next(o for o in back.observations if o.item == "light.kitchen:on")
    assert light.kind is Kind.ACTION and light.origin == "physical" and light.user_id == "ana"
    motion = next(o for o in back.observations if o.entity_id == "binary_sensor.bedroom_motion")
    assert motion.kind is Kind.SENSOR and motion.origin == "sensor"


async def test_repeated_readings_are_kept(tmp_path: Path) -> None:
    t = 1_700_000_000.0
    obs = [
        Observation(t, "binary_sensor.hall:on"),
        Observation(t + 10, "binary_sensor.hall:on"),
        Observation(t + 20, "binary_sensor.hall:off"),
    ]
    log = HomeLog("h", obs, [], ImportReport("test"))
    await async_write_log(log, f"sqlite:///{tmp_path / 'h.db'}")
    assert [o.item for o in read_observations(tmp_path / "h.db").observations] == [
        o.item for o in obs
    ]
