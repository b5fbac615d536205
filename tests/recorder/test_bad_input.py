"""Bad input: a locked database, a full database, junk attributes, strings no database takes.
Each is counted in hub.health with a message naming it; the hub keeps running and nothing
queued is lost."""

from __future__ import annotations

import asyncio
import math
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.recorder import Recorder, state_changes, state_history

from .conftest import START


async def _wait_for(predicate: Any, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _hold_write_lock(db_url: str) -> Any:
    """Another connection that holds the write lock until released."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn
    conn = psycopg.connect(db_url.replace("postgresql+psycopg", "postgresql"))
    conn.execute("LOCK TABLE states IN ACCESS EXCLUSIVE MODE")
    return conn


def _release(conn: Any) -> None:
    conn.rollback() if isinstance(conn, psycopg.Connection) else conn.execute("ROLLBACK")
    conn.close()


async def test_locked_database_is_retried_without_loss(hub: Hub, db_url: str) -> None:
    rec = Recorder(hub, db_url, busy_timeout=0.1, retry_delays=(0.05, 0.2))
    await rec.async_start()
    await hub.async_start()
    await rec.async_flush()
    lock = _hold_write_lock(db_url)
    try:
        for i in range(200):
            hub.states.async_set("sensor.locked", str(i), {"i": i}, hub.context(Origin.SENSOR))
        await _wait_for(lambda: hub.health["recorder_db_locked"] >= 2)
        # the hub keeps working while the database refuses writes
        hub.states.async_set("light.still_works", "on", None, hub.context(Origin.PHYSICAL))
        assert hub.states.require("light.still_works").state == "on"
        assert rec.committed_states == 0
        assert rec.failing is not None and "locked" in rec.failing
    finally:
        _release(lock)
    await rec.async_flush()
    assert rec.committed_states == 201 and rec.failing is None
    assert hub.health["recorder_recovered"] == 1
    message = next(p.message for p in hub.health.recent if p.counter == "recorder_db_locked")
    assert "database is locked by another connection" in message and "retrying" in message
    assert [r.state for r in state_history(rec.engine, "sensor.locked")] == [
        str(i) for i in range(200)
    ]
    await hub.async_stop()


async def test_full_database_is_retried_without_loss(hub: Hub, sqlite_url: str) -> None:
    rec = Recorder(hub, sqlite_url, retry_delays=(0.05, 0.2))
    limit = {"pages": 40}  # room for the schema and a few hundred rows, then "full"

    @event.listens_for(rec.engine, "connect")
    def _limit_size(dbapi_connection: Any, _record: Any) -> None:
        if limit["pages"]:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

    await rec.async_start()
    await hub.async_start()
    n = 3000
    for i in range(n):
        hub.states.async_set(f"sensor.s{i % 10}", f"{i:06d}" * 20, {"i": i}, hub.context("sensor"))
        if i % 500 == 0:
            await asyncio.sleep(0)
    await _wait_for(lambda: hub.health["recorder_db_full"] >= 1)
    assert rec.committed_states < n
    message = next(p.message for p in hub.health.recent if p.counter == "recorder_db_full")
    assert "database or disk is full" in message
    hub.states.async_set("light.still_works", "on", None, hub.context(Origin.PHYSICAL))
    limit["pages"] = 0  # space again: the writer reconnects after a failure, without a limit
    await rec.async_flush()
    assert rec.committed_states == n + 1
    values = [r.state for r in state_changes(rec.engine, domain="sensor")]
    assert values == [f"{i:06d}" * 20 for i in range(n)]
    await hub.async_stop()


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque thing>"


class BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


async def test_strings_no_database_takes(hub: Hub, recorder: Recorder) -> None:
    ctx = hub.context(Origin.PHYSICAL, "user\x00with nul")
    hub.states.async_set("sensor.weird", "lone \ud800 surrogate", {"k": "nul\x00"}, ctx)
    hub.states.async_set("sensor.weird", "fine", None, hub.context(Origin.SENSOR))
    hub.bus.async_fire("odd\ud800event", {"x": "\x00"}, hub.context(Origin.APP))
    await recorder.async_flush()
    rows = state_history(recorder.engine, "sensor.weird")
    assert [r.state for r in rows] == ["lone \\ud800 surrogate", "fine"]
    assert rows[0].user_id == "user\ufffdwith nul"
    assert recorder.committed_events == 2  # hub_start and the odd one
    assert hub.health["recorder_unrecordable"] == 0


async def test_non_json_attributes_are_stored_as_text(hub: Hub, recorder: Recorder) -> None:
    attrs = {
        "set": {1},
        "when": datetime(2026, 1, 1, tzinfo=UTC),
        "obj": Opaque(),
        "broken": BrokenRepr(),
        "big": 2**80,
        "nan": math.nan,
        3: "int key",
        "dec": Decimal("1.5"),
    }
    hub.states.async_set("sensor.junk", "1", attrs, hub.context(Origin.SENSOR))
    await recorder.async_flush()
    await asyncio.sleep(0)
    stored = state_history(recorder.engine, "sensor.junk")[0].attributes
    assert stored["set"] == [1] and stored["when"] == "2026-01-01T00:00:00+00:00"
    assert stored["obj"] == "<Opaque thing>" and stored["big"] == str(2**80)
    assert stored["broken"].startswith("<unrepresentable BrokenRepr")
    assert stored["nan"] is None and stored["3"] == "int key" and stored["dec"] == "Decimal('1.5')"
    assert hub.health["recorder_unserializable"] == 1
    assert any("sensor.junk" in p.message for p in hub.health.recent)


_json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.binary(max_size=8)
    | st.datetimes(timezones=st.just(UTC))
    | st.builds(Opaque)
    | st.builds(BrokenRepr)
    | st.decimals(allow_nan=False)
)
_junk = st.recursive(
    _json_leaf,
    lambda children: (
        st.lists(children, max_size=3)
        | st.frozensets(st.integers(), max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=3)
    ),
    max_leaves=8,
)
_attributes = st.dictionaries(st.text(max_size=8), _junk, max_size=4)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(st.tuples(st.text(max_size=20), _attributes), min_size=1, max_size=5))
def test_junk_attributes_never_stop_the_writer(
    shared_recorder: tuple[Hub, Recorder, asyncio.AbstractEventLoop],
    batch: list[tuple[str, dict[str, Any]]],
) -> None:
    hub, rec, loop = shared_recorder
    before = rec.committed_states

    async def record() -> None:
        for state, attrs in batch:
            hub.states.async_set(
                "sensor.fuzz", state, attrs, hub.context(Origin.SENSOR), force_update=True
            )
        await rec.async_flush()

    loop.run_until_complete(record())
    assert rec.committed_states == before + len(batch)
    assert rec.running and hub.health["recorder_unrecordable"] == 0
    last = state_history(rec.engine, "sensor.fuzz", start=START)[-1]
    assert isinstance(last.attributes, dict)


@pytest.fixture(scope="module")
def shared_recorder(
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    loop = asyncio.new_event_loop()
    hub = Hub(clock=SimulatedClock(START), seed=5)
    rec = Recorder(hub, f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    loop.run_until_complete(rec.async_start())
    yield hub, rec, loop
    loop.run_until_complete(rec.async_stop())
    loop.close()
