"""Home Assistant's recorder database (schema 30+ as written by HA 2023.x-2024.x): `states`
joined to `states_meta` for entity ids, times in `last_updated_ts`, and the context columns
that tell who caused a change.

How a state change's origin is decided (HA has no origin column of its own):
- a `context_user_id` (binary or text column) -> a person through the UI/app (`app`);
- a `context_parent_id` and no user -> an automation or script reacting to something (skipped
  as a learning target: the hub learns from people, not from automations);
- neither, on a device domain (light, switch, cover, ...) -> a person at the device
  (`physical`); on a sensor domain -> `sensor`.
Numeric sensor readings and unavailable/unknown states are counted as skips."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..observations import (
    HomeLog,
    ImportReport,
    Kind,
    Observation,
    is_number,
    learned_value,
    sort_observations,
)
from .common import LogFormatError

ACTION_DOMAINS = frozenset(
    {
        "light",
        "switch",
        "cover",
        "fan",
        "climate",
        "media_player",
        "lock",
        "scene",
        "script",
        "input_boolean",
        "input_select",
        "vacuum",
        "water_heater",
        "humidifier",
        "valve",
        "siren",
        "alarm_control_panel",
    }
)
SENSOR_DOMAINS = frozenset({"binary_sensor", "sensor", "device_tracker", "person", "sun", "event"})
_IGNORED_STATES = frozenset({"unavailable", "unknown", ""})


def db_url(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    if "://" in text:
        return text
    if not Path(text).is_file():
        raise LogFormatError(f"{text}: no such database file")
    return f"sqlite:///{Path(text).resolve()}"


def _hex(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return raw.hex() if raw else None
    return str(value) or None


def load_homeassistant(path_or_url: str | Path, name: str | None = None) -> HomeLog:
    url = db_url(path_or_url)
    report = ImportReport(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            if "states" not in tables:
                raise LogFormatError(
                    f"{url}: no 'states' table; not a Home Assistant recorder database"
                )
            columns = {c["name"] for c in sa.inspect(conn).get_columns("states")}
            rows = conn.execute(sa.text(_states_query(tables, columns))).mappings().all()
            automated = _automation_contexts(conn, tables)
    except sa.exc.DBAPIError as err:
        raise LogFormatError(f"{url}: cannot read the database: {err.orig}") from err
    finally:
        engine.dispose()
    observations = []
    previous: dict[str, str] = {}  # per entity, the last learned value
    for row in rows:
        report.lines += 1
        entity_id = row["entity_id"]
        state = row["state"]
        when = _epoch(row["t"])
        if not entity_id or "." not in entity_id or when is None:
            report.skip("malformed row", f"state row without entity id or time: {dict(row)}")
            continue
        if state is None or state in _IGNORED_STATES:
            report.skip("unavailable state", f"{entity_id} -> {state!r}")
            continue
        domain = entity_id.split(".", 1)[0]
        # a thermostat's set-point is part of what a person chose (see learned_value); other
        # domains learn the state alone, so their attributes are not even parsed
        if domain == "climate":
            state = learned_value(entity_id, state, _attributes(row["attrs"]))
        if previous.get(entity_id) == state:
            continue  # attribute-only update (a room temperature report): no new event
        previous[entity_id] = state
        user_id = _id_of(row, "user")
        parent_id = _id_of(row, "parent")
        context_id = _id_of(row, "context")
        if domain in ACTION_DOMAINS:
            if user_id is not None:
                obs = Observation(when, f"{entity_id}:{state}", Kind.ACTION, user_id, "app")
            elif parent_id is not None or context_id in automated:
                # an automation's change: its context has a parent (what triggered it), or,
                # for time and start triggers (no parent), it is the context of the run's
                # automation_triggered / script_started event
                report.skip("automation change", f"{entity_id} -> {state} by an automation")
                continue
            else:
                obs = Observation(when, f"{entity_id}:{state}", Kind.ACTION, None, "physical")
        elif domain in SENSOR_DOMAINS:
            if is_number(state):
                report.skip("numeric reading", f"{entity_id} = {state}")
                continue
            obs = Observation(when, f"{entity_id}:{state}", Kind.SENSOR)
        else:
            report.skip(
                "other domain", f"{entity_id}: domain {domain} is neither a device nor a sensor"
            )
            continue
        observations.append(obs)
    if not observations:
        raise LogFormatError(f"{url}: no usable state changes ({report.summary()})")
    return HomeLog(
        name or Path(url.rsplit("/", 1)[-1]).stem,
        sort_observations(observations, report),
        [],
        report,
    )


def _states_query(tables: set[str], columns: set[str]) -> str:
    if "states_meta" in tables and "metadata_id" in columns:
        entity = "m.entity_id"
        join = "LEFT JOIN states_meta m ON m.metadata_id = s.metadata_id"
    else:  # schemas before 2023.4 kept entity_id on the row
        entity, join = "s.entity_id", ""
    time = "s.last_updated_ts" if "last_updated_ts" in columns else "s.last_updated"
    ids = ", ".join(
        _id_columns("s", columns, column, name)
        for column, name in (
            ("context_user_id", "user"),
            ("context_parent_id", "parent"),
            ("context_id", "context"),
        )
    )
    # attributes: shared rows since 2022.4, a column on the row before (kept, mostly empty)
    attrs = "s.attributes" if "attributes" in columns else "NULL"
    if "state_attributes" in tables and "attributes_id" in columns:
        join += " LEFT JOIN state_attributes a ON a.attributes_id = s.attributes_id"
        attrs = f"COALESCE(a.shared_attrs, {attrs})"
    return (
        f"SELECT {entity} AS entity_id, s.state AS state, {time} AS t, {ids}, "
        f"{attrs} AS attrs FROM states s {join} "
        f"ORDER BY {time}, s.state_id"
    )


AUTOMATION_EVENTS = ("automation_triggered", "script_started")


def _automation_contexts(conn: sa.Connection, tables: set[str]) -> set[str | None]:
    """Context ids of automation and script runs, from the `events` table. A run started by
    a time or start trigger has a context without a parent or a user, like a switch pressed
    at the wall; only its event tells the change was the automation's."""
    if "events" not in tables:
        return set()
    columns = {c["name"] for c in sa.inspect(conn).get_columns("events")}
    ids = _id_columns("e", columns, "context_id", "ctx")
    if "event_types" in tables and "event_type_id" in columns:  # since 2023.4
        source = "events e JOIN event_types t ON t.event_type_id = e.event_type_id"
        kind = "t.event_type"
    elif "event_type" in columns:
        source, kind = "events e", "e.event_type"
    else:
        return set()
    wanted = ", ".join(f"'{name}'" for name in AUTOMATION_EVENTS)
    query = f"SELECT {ids} FROM {source} WHERE {kind} IN ({wanted})"
    found = {_id_of(r, "ctx") for r in conn.execute(sa.text(query)).mappings()}
    found.discard(None)
    return found


def _id_columns(table: str, columns: set[str], column: str, name: str) -> str:
    """A context id's two columns, binary (since 2023.4) and text (before), selected apart
    as `<name>_bin` and `<name>_text`: a COALESCE of bytea and varchar is an error in
    PostgreSQL, so `_id_of` takes the first found in Python."""

    def pick(c: str) -> str:
        return f"{table}.{c}" if c in columns else "NULL"

    return f"{pick(column + '_bin')} AS {name}_bin, {pick(column)} AS {name}_text"


def _id_of(row: sa.RowMapping, name: str) -> str | None:
    return _hex(row[f"{name}_bin"]) or _hex(row[f"{name}_text"])


def _epoch(value: Any) -> float | None:
    """Epoch seconds from `last_updated_ts`, or from the UTC datetime (or its text) of schemas
    before 2023.3; None when unreadable (the row is then a counted skip)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return None


def _attributes(text: Any) -> dict[str, Any] | None:
    """HA's attributes JSON; None when absent or unreadable (the state alone is learned)."""
    if not text:
        return None
    try:
        found = json.loads(text)
    except (TypeError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def is_homeassistant_db(path: Path) -> bool:
    return path.is_file() and path.suffix in (".db", ".sqlite", ".sqlite3")
