"""The Home Assistant recorder importer on a database Home Assistant 2024.3.3 itself wrote.

tests/routines/data/ha-2024.3.3.sqlite was produced by tests/routines/make_ha_db.py, run with
HA 2024.3.3's interpreter (see that script). With $HA_PYTHON set to such an interpreter (e.g.
bench/.ha-venv/bin/python), the test regenerates the file with Home Assistant first (about
10-30 s), so it checks what HA writes today rather than the committed copy."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from hearthmind.routines.importers import (
    LogFormatError,
    detect_format,
    load_home,
    load_homeassistant,
)
from hearthmind.routines.observations import Kind

HERE = Path(__file__).parent
COMMITTED = HERE / "data" / "ha-2024.3.3.sqlite"
COMMITTED_PG = HERE / "data" / "ha-2024.3.3.postgresql.sql"  # pg_dump of HA's PostgreSQL
HA_PYTHON = Path(
    os.environ.get("HA_PYTHON", HERE.parents[1] / "bench" / ".ha-venv" / "bin" / "python")
)


@pytest.fixture(scope="module")
def ha_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("ha") / "home-assistant_v2.sqlite"
    if HA_PYTHON.is_file():
        subprocess.run(
            [str(HA_PYTHON), str(HERE / "make_ha_db.py"), str(target)],
            check=True,
            timeout=240,
            capture_output=True,
        )
    else:
        shutil.copy(COMMITTED, target)
    return target


def test_the_database_is_home_assistants(ha_db: Path) -> None:
    with sqlite3.connect(ha_db) as conn:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        assert {"states", "states_meta", "events", "event_types", "schema_changes"} <= tables
        assert (
            conn.execute("select max(schema_version) from schema_changes").fetchone()[0] == 42
        )  # HA 2024.3


@pytest.fixture(scope="module")
def ha_pg_url(request: pytest.FixtureRequest) -> str:
    """The same history in PostgreSQL: written by HA 2024.3.3 itself when its interpreter has
    psycopg2, else the committed pg_dump of what it wrote, loaded into the test server."""
    server = request.getfixturevalue("postgres_server")
    url = str(server.create_database())
    name = url.rsplit("/", 1)[1]
    can_write = HA_PYTHON.is_file() and (
        subprocess.run([str(HA_PYTHON), "-c", "import psycopg2"], capture_output=True).returncode
        == 0
    )
    if can_write:
        subprocess.run(
            [
                str(HA_PYTHON),
                str(HERE / "make_ha_db.py"),
                f"postgresql://postgres@127.0.0.1:{server.port}/{name}",
            ],
            check=True,
            timeout=240,
            capture_output=True,
        )
        return url
    import psycopg

    # psql meta-commands (\restrict of newer pg_dump) are not SQL
    script = "\n".join(
        line for line in COMMITTED_PG.read_text().splitlines() if not line.startswith("\\")
    )
    with psycopg.connect(
        f"host=127.0.0.1 port={server.port} user=postgres dbname={name}", autocommit=True
    ) as conn:
        conn.execute(script.encode())
    return url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_people_automations_and_sensors_are_told_apart(
    backend: str, request: pytest.FixtureRequest
) -> None:
    source = request.getfixturevalue("ha_db" if backend == "sqlite" else "ha_pg_url")
    log = load_homeassistant(source)
    got = [(o.item, o.kind, o.origin, o.user_id) for o in log.observations]
    assert got == [
        # the porch's first state as HA starts; its "on" came from an automation run by HA's
        # start trigger: no parent, no user, only the events table tells (a skip below)
        ("input_boolean.porch:off", Kind.ACTION, "physical", None),
        ("binary_sensor.hall_motion:on", Kind.SENSOR, "sensor", None),
        ("light.kitchen:on", Kind.ACTION, "app", "9f3c2a7b5e1d4c6a8b0e2f4a6c8e0a1b"),
        ("binary_sensor.hall_motion:off", Kind.SENSOR, "sensor", None),
        ("light.kitchen:off", Kind.ACTION, "physical", None),
        ("binary_sensor.hall_motion:on", Kind.SENSOR, "sensor", None),
        ("light.hallway:on", Kind.ACTION, "physical", None),
        # the thermostat's first report has a plain context, as a change at the device would;
        # its room-temperature report (same state, same set-point) is no event; a person's new
        # set-point is, with the set-point (the committed file before this read it as nothing)
        ("climate.living_room:heat@19", Kind.ACTION, "physical", None),
        ("climate.living_room:heat@21", Kind.ACTION, "app", "9f3c2a7b5e1d4c6a8b0e2f4a6c8e0a1b"),
        ("climate.living_room:off", Kind.ACTION, "app", "9f3c2a7b5e1d4c6a8b0e2f4a6c8e0a1b"),
    ]
    assert log.report.skipped == {
        "automation change": 2,
        "numeric reading": 1,
        "unavailable state": 1,
        "other domain": 1,  # the automation entity itself
    }
    times = [o.time for o in log.observations]
    assert times == sorted(times)


def test_detected_by_folder_and_bad_databases(ha_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ha"
    folder.mkdir()
    shutil.copy(ha_db, folder / "home-assistant_v2.db")
    assert detect_format(folder) == "homeassistant"
    assert len(load_home(folder).observations) == 10
    not_ha = tmp_path / "other.sqlite"
    sqlite3.connect(not_ha).execute("create table x (a int)").connection.commit()
    with pytest.raises(LogFormatError, match="not a Home Assistant recorder database"):
        load_homeassistant(not_ha)
    with pytest.raises(LogFormatError, match="no such database"):
        load_homeassistant(tmp_path / "missing.db")


def test_a_home_assistant_history_is_read_on_the_residents_clock(ha_db: Path) -> None:
    """HA keeps UTC; `load_home(zone=...)` (and so `hearthmind eval --home`, `predict --log`)
    moves it to the residents' clock. Logs of local times are not moved."""
    from zoneinfo import ZoneInfo

    from hearthmind.routines.timeofday import to_wall_clock

    zone = ZoneInfo("America/New_York")
    utc = load_home(ha_db).observations
    local = load_home(ha_db, zone=zone).observations
    assert [o.item for o in local] == [o.item for o in utc]
    assert [o.time for o in local] == [to_wall_clock(o.time, zone) for o in utc]
    assert all(u.time - w.time in (4 * 3600, 5 * 3600) for u, w in zip(utc, local, strict=True))


def test_committed_file_reads_the_same() -> None:
    assert COMMITTED.is_file(), "run tests/routines/make_ha_db.py with HA 2024.3.3 to create it"
    assert len(load_homeassistant(COMMITTED).observations) == 10


def test_an_older_schema_is_read_too(tmp_path: Path) -> None:
    # Before 2023.3/2023.4 a state row carried its entity id, a datetime, text context ids and
    # its attributes JSON itself; a home that never upgraded still has such a database.
    db = tmp_path / "home-assistant_v2.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "create table states (state_id integer primary key, entity_id text, state text, "
            "attributes text, last_updated datetime, context_user_id text, "
            "context_parent_id text, context_id text)"
        )
        conn.execute(
            "create table events (event_id integer primary key, event_type text, context_id text)"
        )
        conn.execute(
            "insert into events (event_type, context_id) values ('automation_triggered', 'ctx9')"
        )
        rows = [
            ("light.kitchen", "on", "{}", "2022-11-02 06:30:00.000000", "a1b2", None),
            ("climate.hall", "heat", '{"temperature": 20.2}', "2022-11-02 06:31:00", "a1b2", None),
            (
                "climate.hall",
                "heat",
                '{"temperature": 20.2, "current_temperature": 19}',
                "2022-11-02 06:41:00",
                None,
                None,
            ),
            ("switch.fan", "on", "{}", "2022-11-02 06:32:00", None, "c3d4"),
            ("light.kitchen", "off", "{}", "not a time", None, None),
            # an automation run by a time trigger: told by its event only
            ("light.porch", "on", "{}", "2022-11-02 06:33:00", None, None, "ctx9"),
        ]
        conn.executemany(
            "insert into states (entity_id, state, attributes, last_updated, context_user_id, "
            "context_parent_id, context_id) values (?, ?, ?, ?, ?, ?, ?)",
            [(*r, None)[:7] for r in rows],
        )
    log = load_homeassistant(db)
    assert [(o.item, o.user_id) for o in log.observations] == [
        ("light.kitchen:on", "a1b2"),
        ("climate.hall:heat@20", "a1b2"),
    ]
    assert log.observations[0].time == 1667370600.0  # 2022-11-02 06:30 UTC
    assert log.report.skipped == {"automation change": 2, "malformed row": 1}
