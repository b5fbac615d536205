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


def test_people_automations_and_sensors_are_told_apart(ha_db: Path) -> None:
    log = load_homeassistant(ha_db)
    got = [(o.item, o.kind, o.origin, o.user_id) for o in log.observations]
    assert got == [
        ("binary_sensor.hall_motion:on", Kind.SENSOR, "sensor", None),
        ("light.kitchen:on", Kind.ACTION, "app", "9f3c2a7b5e1d4c6a8b0e2f4a6c8e0a1b"),
        ("binary_sensor.hall_motion:off", Kind.SENSOR, "sensor", None),
        ("light.kitchen:off", Kind.ACTION, "physical", None),
        ("binary_sensor.hall_motion:on", Kind.SENSOR, "sensor", None),
        ("light.hallway:on", Kind.ACTION, "physical", None),
    ]
    assert log.report.skipped == {
        "automation change": 1,
        "numeric reading": 1,
        "unavailable state": 1,
    }
    times = [o.time for o in log.observations]
    assert times == sorted(times)


def test_detected_by_folder_and_bad_databases(ha_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ha"
    folder.mkdir()
    shutil.copy(ha_db, folder / "home-assistant_v2.db")
    assert detect_format(folder) == "homeassistant"
    assert len(load_home(folder).observations) == 6
    not_ha = tmp_path / "other.sqlite"
    sqlite3.connect(not_ha).execute("create table x (a int)").connection.commit()
    with pytest.raises(LogFormatError, match="not a Home Assistant recorder database"):
        load_homeassistant(not_ha)
    with pytest.raises(LogFormatError, match="no such database"):
        load_homeassistant(tmp_path / "missing.db")


def test_committed_file_reads_the_same() -> None:
    assert COMMITTED.is_file(), "run tests/routines/make_ha_db.py with HA 2024.3.3 to create it"
    assert len(load_homeassistant(COMMITTED).observations) == 6
