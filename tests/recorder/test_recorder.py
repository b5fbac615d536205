"""The recorder on SQLite and PostgreSQL: what it records, queries, retention, CSV, backpressure."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from typing import cast

import pytest
from sqlalchemy import func, select

from hearthmind.bootstrap import SetupOptions
from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.core.config import load_config
from hearthmind.recorder import (
    Recorder,
    async_setup,
    events,
    export_csv,
    get_recorder,
    state_changes,
    state_histories,
    state_history,
)
from hearthmind.recorder.schema import state_attributes, states

from .conftest import START


async def test_records_every_change_with_its_context(hub: Hub, recorder: Recorder) -> None:
    clock = cast(SimulatedClock, hub.clock)
    mina = hub.context(Origin.PHYSICAL, "mina")
    hub.states.async_set("light.kitchen", "on", {"brightness": 200}, mina)
    await clock.async_advance(timedelta(minutes=5))
    auto = hub.context(Origin.AUTOMATION, parent=mina)
    hub.states.async_set("light.kitchen", "off", {"brightness": 0}, auto)
    await clock.async_advance(timedelta(minutes=5))
    hub.states.async_set(
        "sensor.temp", "21.5", {"unit_of_measurement": "°C"}, hub.context("sensor")
    )
    hub.bus.async_fire("doorbell", {"button": 1}, hub.context(Origin.PHYSICAL, "jo"))
    hub.states.async_remove("sensor.temp", hub.context(Origin.AUTOMATION))
    await recorder.async_flush()
    assert recorder.committed_states == 4
    assert recorder.committed_events == 2  # hub_start, doorbell

    kitchen = state_history(recorder.engine, "light.kitchen", START, START + timedelta(hours=1))
    assert [(r.state, r.attributes, r.origin, r.user_id) for r in kitchen] == [
        ("on", {"brightness": 200}, "physical", "mina"),
        ("off", {"brightness": 0}, "automation", None),
    ]
    assert kitchen[1].parent_id == kitchen[0].context_id == mina.id
    assert kitchen[1].last_updated == START + timedelta(minutes=5)
    temp = state_history(recorder.engine, "sensor.temp")
    assert [r.state for r in temp] == ["21.5", None]  # removal ends the history
    assert temp[0].attributes == {"unit_of_measurement": "°C"}

    human = state_changes(recorder.engine, origin=["physical", "voice", "app"])
    assert [(r.entity_id, r.state) for r in human] == [("light.kitchen", "on")]
    assert [e.event_type for e in events(recorder.engine, user_id="jo")] == ["doorbell"]
    doorbell = events(recorder.engine, origin="physical")[0]
    assert doorbell.data == {"button": 1}
    assert doorbell.time_fired == START + timedelta(minutes=10)


async def test_histories_of_many_entities_at_once(hub: Hub, recorder: Recorder) -> None:
    """Several entities in one call: each gets its own start state, found in the window that
    holds it (an hour, ten days, forty days back), and its changes in the range."""
    clock = cast(SimulatedClock, hub.clock)
    sensor = hub.context(Origin.SENSOR)
    hub.states.async_set("sensor.rare", "old", None, sensor)  # day 0
    await clock.async_advance(timedelta(days=30))
    hub.states.async_set("switch.weekly", "on", None, sensor)  # day 30
    await clock.async_advance(timedelta(days=10))
    hub.states.async_set("light.busy", "off", None, sensor)  # day 40, an hour before start
    await clock.async_advance(timedelta(hours=1))
    start = clock.now()
    for value in ("on", "off", "on"):
        await clock.async_advance(timedelta(minutes=10))
        hub.states.async_set("light.busy", value, None, sensor)
    hub.states.async_remove("switch.weekly", sensor)
    await recorder.async_flush()
    end = clock.now() + timedelta(minutes=1)

    ids = ["light.busy", "switch.weekly", "sensor.rare", "sensor.never"]
    found = state_histories(recorder.engine, ids, start, end, include_start_state=True)
    assert {k: [r.state for r in v] for k, v in found.items()} == {
        "light.busy": ["off", "on", "off", "on"],
        "switch.weekly": ["on", None],
        "sensor.rare": ["old"],
    }
    # the same as one entity at a time
    for entity_id in ids:
        one = state_history(recorder.engine, entity_id, start, end, include_start_state=True)
        assert one == found.get(entity_id, [])
    # no ids: the entities that changed in the range, without start states unless asked
    changed = state_histories(recorder.engine, None, start, end)
    assert sorted(changed) == ["light.busy", "switch.weekly"]
    assert [r.state for r in changed["light.busy"]] == ["on", "off", "on"]


async def test_history_window_and_state_at_start(hub: Hub, recorder: Recorder) -> None:
    clock = cast(SimulatedClock, hub.clock)
    for i in range(6):
        hub.states.async_set("sensor.count", str(i), None, hub.context(Origin.SENSOR))
        await clock.async_advance(timedelta(hours=1))
    await recorder.async_flush()
    start, end = START + timedelta(hours=2, minutes=30), START + timedelta(hours=4, minutes=30)
    assert [r.state for r in state_history(recorder.engine, "sensor.count", start, end)] == [
        "3",
        "4",
    ]
    with_start = state_history(
        recorder.engine, "sensor.count", start, end, include_start_state=True
    )
    assert [r.state for r in with_start] == ["2", "3", "4"]
    later = START + timedelta(days=40)  # found by a wider look back
    assert [
        r.state
        for r in state_history(recorder.engine, "sensor.count", later, include_start_state=True)
    ] == ["5"]
    assert state_history(recorder.engine, "sensor.never", later, include_start_state=True) == []


async def test_identical_attributes_are_stored_once(hub: Hub, recorder: Recorder) -> None:
    ctx = hub.context(Origin.SENSOR)
    for i in range(300):
        hub.states.async_set(f"sensor.l{i % 30}", str(i), {"mode": i % 3}, ctx)
    await recorder.async_flush()
    with recorder.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(states)).scalar_one() == 300
        assert conn.execute(select(func.count()).select_from(state_attributes)).scalar_one() == 3


async def test_stop_commits_everything_queued(hub: Hub, db_url: str) -> None:
    rec = Recorder(hub, db_url)
    await rec.async_start()
    await hub.async_start()
    for i in range(5000):
        hub.states.async_set(f"sensor.s{i % 10}", str(i), {"i": i % 7}, hub.context("sensor"))
    await hub.async_stop()  # the recorder's stop hook flushes
    assert rec.committed_states == 5000
    assert rec.committed_events == 2  # hub_start, hub_stop
    assert "recorder" not in hub.data
    rows = state_changes(rec.engine)
    assert [int(r.state or -1) for r in rows] == list(range(5000))


async def test_purge_keeps_recent_history(hub: Hub, recorder: Recorder) -> None:
    clock = cast(SimulatedClock, hub.clock)
    for day in range(5):
        hub.states.async_set("sensor.day", str(day), {"day": day}, hub.context(Origin.SENSOR))
        hub.bus.async_fire("tick", {"day": day}, hub.context(Origin.AUTOMATION))
        await clock.async_advance(timedelta(days=1))
    result = await recorder.async_purge(keep_days=2.5)
    assert (result.states, result.events, result.attributes) == (3, 4, 3)  # + hub_start
    assert [r.state for r in state_history(recorder.engine, "sensor.day")] == ["3", "4"]
    # attribute ids cached before the purge must not be reused for deleted rows
    hub.states.async_set("sensor.day", "0", {"day": 0}, hub.context(Origin.SENSOR))
    await recorder.async_flush()
    assert state_history(recorder.engine, "sensor.day")[-1].attributes == {"day": 0}


async def test_export_csv_in_time_order(hub: Hub, recorder: Recorder) -> None:
    clock = cast(SimulatedClock, hub.clock)
    hub.states.async_set("light.hall", "on", {"b": 1}, hub.context(Origin.VOICE, "mina"))
    await clock.async_advance(timedelta(seconds=10))
    hub.bus.async_fire("scene", {"name": "evening"}, hub.context(Origin.APP, "jo"))
    await clock.async_advance(timedelta(seconds=10))
    hub.states.async_set("light.hall", "off", None, hub.context(Origin.AGENT))
    await recorder.async_flush()
    out = io.StringIO()
    n = export_csv(recorder.engine, out, START, START + timedelta(seconds=30))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert n == 4
    assert [(r["kind"], r["entity_id"] or r["event_type"], r["origin"]) for r in rows] == [
        ("state", "light.hall", "voice"),
        ("event", "hub_start", "automation"),
        ("event", "scene", "app"),
        ("state", "light.hall", "agent"),
    ]
    assert rows[0]["time"] == "2026-03-02T06:00:00+00:00"
    assert rows[0]["user_id"] == "mina" and rows[0]["attributes"] == '{"b":1}'


async def test_backpressure_bounds_the_queue(hub: Hub, sqlite_url: str) -> None:
    rec = Recorder(hub, sqlite_url, max_batch=500, high_water=2000, low_water=500)
    await rec.async_start()
    peak = 0
    for i in range(30_000):
        hub.states.async_set(f"sensor.s{i % 100}", str(i), None, hub.context("sensor"))
        if i % 100 == 0:
            peak = max(peak, rec.backlog)
            await rec.async_throttle()
    await rec.async_flush()
    assert rec.committed_states == 30_000
    assert peak <= 2000 + 100
    await rec.async_stop()


async def test_setup_from_configuration(tmp_path: pytest.TempPathFactory) -> None:
    config_dir = tmp_path / "conf"  # type: ignore[operator]
    config_dir.mkdir()
    (config_dir / "configuration.yaml").write_text("recorder:\n  db_url: history.sqlite\n")
    hub = Hub(load_config(config_dir), SimulatedClock(START))
    await async_setup(hub, SetupOptions(record=False))
    assert get_recorder(hub) is None
    await async_setup(hub, SetupOptions())
    rec = get_recorder(hub)
    assert rec is not None and rec.db_url == f"sqlite:///{config_dir / 'history.sqlite'}"
    await hub.async_start()
    await hub.async_stop()
    assert (config_dir / "history.sqlite").exists()
    assert [e.event_type for e in events(rec.engine)] == ["hub_start", "hub_stop"]


async def test_daily_purge_from_configuration(tmp_path: pytest.TempPathFactory) -> None:
    config_dir = tmp_path / "conf"  # type: ignore[operator]
    config_dir.mkdir()
    (config_dir / "configuration.yaml").write_text("recorder:\n  purge_keep_days: 1\n")
    hub = Hub(load_config(config_dir), SimulatedClock(START))
    await async_setup(hub, SetupOptions())
    rec = get_recorder(hub)
    assert rec is not None
    await hub.async_start()
    clock = cast(SimulatedClock, hub.clock)
    for day in range(4):
        hub.states.async_set("sensor.day", str(day), None, hub.context(Origin.SENSOR))
        await clock.async_advance(timedelta(days=1))
    for _ in range(200):  # the purge runs in the writer thread
        await rec.async_flush()
        if len(state_history(rec.engine, "sensor.day")) == 1:
            break
        await asyncio.sleep(0.02)
    assert [r.state for r in state_history(rec.engine, "sensor.day")] == ["3"]
    await hub.async_stop()


async def test_unrecorded_attributes_are_left_out(hub: Hub, recorder: Recorder) -> None:
    """As Home Assistant's `_unrecorded_attributes`: bookkeeping that changes on every update
    (an automation's last_triggered) is not stored, so the attribute set stays shared."""
    clock = cast(SimulatedClock, hub.clock)
    keep_out = frozenset({"last_triggered", "current"})
    for run in range(3):
        hub.states.async_set(
            "automation.wake_up",
            "on",
            {"friendly_name": "Wake up", "last_triggered": f"run {run}", "current": run},
            hub.context(Origin.AUTOMATION),
            unrecorded=keep_out,
        )
        await clock.async_advance(timedelta(minutes=1))
    await recorder.async_flush()
    rows = state_history(recorder.engine, "automation.wake_up")
    assert [r.attributes for r in rows] == [{"friendly_name": "Wake up"}] * 3
    with recorder.engine.connect() as conn:
        ids = conn.execute(
            select(states.c.attributes_id).where(states.c.entity_id == "automation.wake_up")
        ).all()
    assert len({row[0] for row in ids}) == 1  # one shared attribute row
    # the hub's own state still has everything
    live = hub.states.get("automation.wake_up")
    assert live is not None and live.attributes["last_triggered"] == "run 2"
