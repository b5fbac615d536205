"""The agent's memory: migration 0004 adds its tables to a recorded database (data intact, and
back down), 0005 who refused a routine (rows saved before it keep theirs), and what the agent
stores comes back after a restart, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import inspect

from hearthmind.agent.records import routine_row
from hearthmind.agent.store import (
    ActionRecord,
    AgentStore,
    Outcome,
    SuggestionRecord,
    load,
    recorded_outcomes,
    routines,
)
from hearthmind.agent.units import Evidence, RoutineUnit
from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.recorder import (
    SCHEMA_VERSION,
    Recorder,
    create_recorder_engine,
    state_history,
    upgrade,
)
from hearthmind.recorder.migrate import downgrade

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
AGENT_TABLES = {
    "agent_routines",
    "agent_actions",
    "agent_suggestions",
    "agent_outcomes",
    "agent_settings",
}


def _tables(url: str) -> set[str]:
    engine = create_recorder_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


async def test_migration_0004_adds_the_agents_tables_to_a_recorded_database(db_url: str) -> None:
    engine = create_recorder_engine(db_url)
    assert upgrade(engine, "0003") == "0003"
    engine.dispose()
    hub = Hub(clock=SimulatedClock(T0), seed=1)
    rec = Recorder(hub, db_url)
    await rec.async_start()  # 0003 -> head
    await hub.async_start()
    hub.states.async_set("light.kitchen", "on", {}, hub.context(Origin.PHYSICAL, "ana"))
    await hub.async_stop()
    assert _tables(db_url) >= AGENT_TABLES
    engine = create_recorder_engine(db_url)
    assert downgrade(engine, "0003") == "0003"
    assert not AGENT_TABLES & set(inspect(engine).get_table_names())
    assert [r.state for r in state_history(engine, "light.kitchen")] == ["on"]
    assert upgrade(engine) == SCHEMA_VERSION
    engine.dispose()


def test_migration_0005_adds_who_refused_and_keeps_the_routines_saved_before(db_url: str) -> None:
    engine = create_recorder_engine(db_url)
    assert upgrade(engine, "0004") == "0004"
    saved = _unit()
    row = {k: v for k, v in routine_row(saved).items() if k != "refused_by"}
    with engine.begin() as conn:  # a routine saved by a hub at 0004
        conn.execute(routines.insert().values(**{k: row[k] for k in row}))
    assert upgrade(engine) == "0005"
    loaded = load(engine, since=0.0).routines[saved.routine_id]
    assert loaded == saved and loaded.refused_by == set()  # nobody refused it then
    assert downgrade(engine, "0004") == "0004"
    columns = {c["name"] for c in inspect(engine).get_columns("agent_routines")}
    assert "refused_by" not in columns and "evidence" in columns
    assert upgrade(engine) == "0005"
    engine.dispose()


def _unit() -> RoutineUnit:
    return RoutineUnit(
        "light.kitchen:on@morning",
        "light.kitchen",
        "on",
        "morning",
        level="act",
        ceiling="act",
        people=Counter({"ana": 12, "ben": 2}),
        habit="weekdays 06:35-06:50: Kitchen light on (12 of 14 days)",
        evidence=Evidence(Counter({"came_true": 6, "not_true": 1}), [True] * 6, 6, 0),
        created=T0.timestamp(),
        updated=T0.timestamp(),
    )


async def test_what_the_agent_stores_comes_back(db_url: str) -> None:
    hub = Hub(clock=SimulatedClock(T0), seed=2)
    rec = Recorder(hub, db_url)
    await rec.async_start()
    await hub.async_start()
    store = AgentStore(hub, rec)
    unit = _unit()
    now = T0.timestamp()
    action = ActionRecord(
        "a1", unit.routine_id, "ana", "light.kitchen", "light.turn_on", {}, "on", "off",
        "ctx1", "run1", None, 0.9, "I turned on the Kitchen light", "done", now,
    )  # fmt: skip
    suggestion = SuggestionRecord(
        "s1", unit.routine_id, "ana", "light.kitchen", "light.turn_on", {"brightness": 100},
        "on", "ctx2", "run2", 0.7, "Turn on the Kitchen light?", "open", now, now + 600,
    )  # fmt: skip
    store.save_routine(unit)
    store.save_action(action)
    store.save_suggestion(suggestion)
    store.add_outcome(Outcome(unit.routine_id, "came_true", now))
    store.save_setting("enabled", False)
    # a later change of the same rows replaces them (an upsert), in a later burst
    await store.async_close()
    unit.level = "observe"
    unit.evidence.record("revert", 20)
    unit.refused_by = {"ben"}
    action.status = "reverted"
    store.save_routine(unit)
    store.save_action(action)
    store.add_outcome(Outcome(unit.routine_id, "revert", now + 60, action_id="a1"))
    await store.async_close()
    await hub.async_stop()
    assert store.writes == 2 and store.failures == 0

    loaded = load(rec.engine, since=now - 1)
    back = loaded.routines[unit.routine_id]
    assert back == unit
    assert back.person == "ana" and back.evidence.reverts == 1 and back.evidence.streak == 0
    assert back.refused_by == {"ben"}
    assert [a.status for a in loaded.actions] == ["reverted"]
    assert loaded.suggestions[0].service_data == {"brightness": 100}
    assert loaded.suggestions[0].expires == now + 600
    assert loaded.settings == {"enabled": False}
    assert [o.kind for o in recorded_outcomes(rec.engine, unit.routine_id)] == [
        "revert",
        "came_true",
    ]
    rec.engine.dispose()


async def test_without_a_recorder_the_store_keeps_nothing_and_fails_nothing() -> None:
    hub = Hub(clock=SimulatedClock(T0), seed=3)
    store = AgentStore(hub, None)
    store.save_routine(_unit())
    await store.async_close()
    assert not store.persistent and store.writes == 0
    assert (await store.async_load(0.0)).routines == {}
