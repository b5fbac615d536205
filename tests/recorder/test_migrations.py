"""Schema versions: a database saved at revision 0001 is upgraded to the head, data intact."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, text

from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.recorder import (
    SCHEMA_VERSION,
    Recorder,
    create_recorder_engine,
    current_revision,
    events,
    state_history,
    upgrade,
)
from hearthmind.recorder.migrate import downgrade

SAVED_0001 = Path(__file__).with_name("data") / "schema_0001.sql"
T0 = datetime.fromtimestamp(1767225600.0, UTC)


def _restore_saved_0001(db_url: str) -> None:
    """SQLite: the saved dump as it is. PostgreSQL: revision 0001's tables, then the dump's
    rows (its INSERT statements are plain SQL)."""
    dump = SAVED_0001.read_text(encoding="utf-8")
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        conn.executescript(dump)
        conn.close()
        return
    engine = create_recorder_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        for line in dump.splitlines():
            if line.startswith("INSERT INTO") and "alembic_version" not in line:
                conn.exec_driver_sql(line.replace("%", "%%"))
        for table, key in (("states", "state_id"), ("events", "event_id")):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                    f"(SELECT max({key}) FROM {table}))"
                )
            )
    engine.dispose()


def _index_matches_states(conn: Connection) -> bool:
    index = conn.exec_driver_sql(
        "SELECT entity_id, last_updated_ts, state_id FROM states_entity_index ORDER BY state_id"
    ).all()
    rows = conn.exec_driver_sql(
        "SELECT entity_id, last_updated_ts, state_id FROM states ORDER BY state_id"
    ).all()
    mark = conn.exec_driver_sql(
        "SELECT value FROM recorder_marks WHERE name = 'entity_index'"
    ).scalar_one()
    return len(rows) > 0 and index == rows and mark == rows[-1][2]


async def test_upgrade_saved_database(db_url: str) -> None:
    _restore_saved_0001(db_url)
    hub = Hub(clock=SimulatedClock(T0.replace(hour=12)), seed=1)
    rec = Recorder(hub, db_url)
    await rec.async_start()  # migrates to the head
    assert current_revision(rec.engine) == SCHEMA_VERSION == "0005"

    kitchen = state_history(rec.engine, "light.kitchen")
    assert [(r.state, r.attributes, r.origin, r.user_id) for r in kitchen] == [
        ("on", {"brightness": 200, "friendly_name": "Kitchen"}, "physical", "mina"),
        ("off", {"brightness": 0, "friendly_name": "Kitchen"}, "automation", None),
        ("on", {"brightness": 200, "friendly_name": "Kitchen"}, "voice", "jo"),
    ]
    assert kitchen[1].parent_id == kitchen[0].context_id
    temp = state_history(rec.engine, "sensor.temp")
    assert [(r.state, r.attributes) for r in temp] == [
        ("21.5", {"unit_of_measurement": "°C"}),
        ("21.5", {"unit_of_measurement": "°C"}),
        (None, {}),
    ]
    assert state_history(rec.engine, "person.mina")[0].attributes == {}
    assert [e.event_type for e in events(rec.engine, user_id="jo")] == ["call_service"]
    with rec.engine.connect() as conn:
        # three distinct non-empty attribute sets, each stored once
        assert conn.exec_driver_sql("SELECT count(*) FROM state_attributes").scalar_one() == 3
        # 0003: every saved state is in the per-entity index, and the mark says so
        assert _index_matches_states(conn)

    # the upgraded database takes new history, sharing the attribute rows it already has
    await hub.async_start()
    hub.states.async_set(
        "light.kitchen",
        "on",
        {"brightness": 200, "friendly_name": "Kitchen"},
        hub.context(Origin.PHYSICAL, "mina"),
    )
    await hub.async_stop()
    assert len(state_history(rec.engine, "light.kitchen")) == 4
    with rec.engine.connect() as conn:  # stopping brought the index up to date
        assert _index_matches_states(conn)
    with rec.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM state_attributes").scalar_one() == 3


async def test_downgrade_and_upgrade_again(sqlite_url: str) -> None:
    _restore_saved_0001(sqlite_url)
    engine = create_recorder_engine(sqlite_url)
    assert upgrade(engine) == SCHEMA_VERSION
    assert downgrade(engine, "0002") == "0002"
    with engine.connect() as conn:
        tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert "states_entity_index" not in tables and "recorder_marks" not in tables
    assert upgrade(engine) == SCHEMA_VERSION
    with engine.connect() as conn:
        assert _index_matches_states(conn)
    assert downgrade(engine, "0001") == "0001"
    with engine.connect() as conn:
        attrs = conn.exec_driver_sql("SELECT attributes FROM states WHERE state_id = 3").scalar()
    assert attrs == '{"unit_of_measurement":"°C"}'
    assert upgrade(engine) == SCHEMA_VERSION
    assert state_history(engine, "sensor.temp")[0].attributes == {"unit_of_measurement": "°C"}
    engine.dispose()
