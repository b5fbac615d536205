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


async def test_a_device_reporting_attributes_is_not_an_event(tmp_path: Path) -> None:
    """A thermostat in "heat" reports its room temperature every few minutes: the same state
    with new attributes, no event to learn. A person raising its set-point (same state too) is
    an action, learned with the set-point they chose; a repeated motion reading (same
    attributes) is still an event."""
    from datetime import UTC, datetime, timedelta

    from hearthmind.core import Hub, Origin, SimulatedClock
    from hearthmind.recorder import Recorder

    clock = SimulatedClock(datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    hub = Hub(clock=clock, seed=0)
    recorder = Recorder(hub, f"sqlite:///{tmp_path / 'h.db'}")
    await recorder.async_start()
    await hub.async_start()
    sensor, person = hub.context(Origin.SENSOR), hub.context(Origin.PHYSICAL, "ana")
    steps = [
        ("climate.lounge", "heat", {"temperature": 19.0, "current_temperature": 18.0}, sensor),
        ("climate.lounge", "heat", {"temperature": 19.0, "current_temperature": 18.5}, sensor),
        ("climate.lounge", "heat", {"temperature": 21.0, "current_temperature": 18.5}, person),
        ("climate.lounge", "heat", {"temperature": 21.0, "current_temperature": 19.5}, sensor),
        ("binary_sensor.hall", "on", {}, sensor),
        ("binary_sensor.hall", "on", {}, sensor),
        ("climate.lounge", "off", {"temperature": 21.0, "current_temperature": 19.5}, person),
    ]
    for n, (entity_id, state, attributes, context) in enumerate(steps):
        await clock.async_run_until(clock.now() + timedelta(minutes=5 * (n + 1)))
        hub.states.async_set(entity_id, state, attributes, context, force_update=True)
    await recorder.async_flush()
    await hub.async_stop()
    back = read_observations(tmp_path / "h.db")
    assert [(o.item, o.kind) for o in back.observations] == [
        ("climate.lounge:heat@19", Kind.SENSOR),
        ("climate.lounge:heat@21", Kind.ACTION),  # the new set-point
        ("binary_sensor.hall:on", Kind.SENSOR),
        ("binary_sensor.hall:on", Kind.SENSOR),
        ("climate.lounge:off", Kind.ACTION),
    ]
    assert back.report.skipped["attribute update"] == 2
