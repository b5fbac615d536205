"""Reading the recorded history: an entity's states, state changes and events by origin or
person, retention (purge) and CSV export. All functions take an `Engine` (or a path/URL via
`open_engine`) and run synchronously: call them from an executor on the event loop."""

from __future__ import annotations

import csv
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import IO, Any

import orjson
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Float,
    ScalarSelect,
    Select,
    String,
    bindparam,
    cast,
    delete,
    exists,
    func,
    select,
    union_all,
)

from .engine import create_recorder_engine
from .schema import ENTITY_INDEX_MARK, recorder_marks, state_attributes, states, states_entity_index
from .schema import events as events_table

TimeLike = datetime | float | None


def _ts(when: TimeLike) -> float | None:
    if when is None or isinstance(when, float | int):
        return when
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: history times must be timezone-aware")
    return when.timestamp()


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@dataclass(frozen=True, slots=True)
class StateRow:
    """One recorded state change. Times are epoch seconds; `last_updated` etc. give datetimes."""

    state_id: int
    entity_id: str
    state: str | None  # None: the entity was removed
    attributes: dict[str, Any]
    last_changed_ts: float
    last_updated_ts: float
    context_id: str
    origin: str
    user_id: str | None
    parent_id: str | None

    @property
    def last_updated(self) -> datetime:
        return _dt(self.last_updated_ts)

    @property
    def last_changed(self) -> datetime:
        return _dt(self.last_changed_ts)

    @property
    def domain(self) -> str:
        return self.entity_id.partition(".")[0]


@dataclass(frozen=True, slots=True)
class EventRow:
    event_id: int
    event_type: str
    data: dict[str, Any]
    time_fired_ts: float
    context_id: str
    origin: str
    user_id: str | None
    parent_id: str | None

    @property
    def time_fired(self) -> datetime:
        return _dt(self.time_fired_ts)


def open_engine(db: str | Engine) -> Engine:
    """An engine for a URL or a SQLite path (for tools that run without a hub)."""
    return db if isinstance(db, Engine) else create_recorder_engine(db)


_STATE_COLUMNS = (
    states.c.state_id,
    states.c.entity_id,
    states.c.state,
    state_attributes.c.shared_attrs,
    states.c.last_changed_ts,
    states.c.last_updated_ts,
    states.c.context_id,
    states.c.origin,
    states.c.user_id,
    states.c.parent_id,
)


def _state_select(*, unordered_time: bool = False) -> Select[Any]:
    """`unordered_time`: the times as `last_updated_ts + 0`, which no index can order, so that
    SQLite reads a union's tail by state_id and sorts it, not the whole time index in order."""
    columns: tuple[Any, ...] = _STATE_COLUMNS
    if unordered_time:
        updated = (states.c.last_updated_ts + 0).label("last_updated_ts")
        columns = (*_STATE_COLUMNS[:5], updated, *_STATE_COLUMNS[6:])
    return select(*columns).select_from(
        states.outerjoin(
            state_attributes, states.c.attributes_id == state_attributes.c.attributes_id
        )
    )


def _state_row(row: Any) -> StateRow:
    attrs = orjson.loads(row[3]) if row[3] else {}
    return StateRow(row[0], row[1], row[2], attrs, *row[4:])


def _event_select() -> Select[Any]:
    t = events_table
    return select(
        t.c.event_id,
        t.c.event_type,
        t.c.event_data,
        t.c.time_fired_ts,
        t.c.context_id,
        t.c.origin,
        t.c.user_id,
        t.c.parent_id,
    )


def _event_row(row: Any) -> EventRow:
    return EventRow(row[0], row[1], orjson.loads(row[2]) if row[2] else {}, *row[3:])


def _names(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _index_mark() -> ScalarSelect[Any]:
    """The highest state_id in states_entity_index: rows above it are read from `states`."""
    marks = recorder_marks
    return select(marks.c.value).where(marks.c.name == ENTITY_INDEX_MARK).scalar_subquery()


def _filtered_states(
    *,
    entity_ids: str | Iterable[str] | None = None,
    domain: str | None = None,
    origin: str | Iterable[str] | None = None,
    user_id: str | Iterable[str] | None = None,
    start: TimeLike = None,
    end: TimeLike = None,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement (built once per combination of filters, then cached) and its values."""
    params: dict[str, Any] = {
        "ids": _names(entity_ids),
        "domain": None if domain is None else f"{domain}.%",
        "origins": _names(origin),
        "users": _names(user_id),
        "start": _ts(start),
        "end": _ts(end),
    }
    shape = tuple(key for key, value in params.items() if value is not None)
    return _filtered_statement(shape), {key: params[key] for key in shape}


@cache
def _filtered_statement(shape: tuple[str, ...]) -> Select[Any]:
    conditions: list[Any] = []
    if "domain" in shape:
        conditions.append(states.c.entity_id.like(bindparam("domain")))
    if "origins" in shape:
        conditions.append(states.c.origin.in_(bindparam("origins", expanding=True)))
    if "users" in shape:
        conditions.append(states.c.user_id.in_(bindparam("users", expanding=True)))

    def in_range(time_column: Any) -> list[Any]:
        out = []
        if "start" in shape:
            out.append(time_column >= bindparam("start"))
        if "end" in shape:
            out.append(time_column < bindparam("end"))
        return out

    if "ids" not in shape:
        query = _state_select().where(*conditions, *in_range(states.c.last_updated_ts))
        return query.order_by(states.c.last_updated_ts, states.c.state_id)
    # A few entities: their rows from the per-entity index (entity, time) up to its mark, and
    # the newest rows above the mark from `states` by state_id (a short tail: `+ 0` keeps the
    # database off the time index there). One statement: one snapshot of the mark.
    by_entity = states_entity_index
    ids: Any = bindparam("ids", expanding=True)
    indexed = (
        _state_select()
        .join(by_entity, by_entity.c.state_id == states.c.state_id)
        .where(by_entity.c.entity_id.in_(ids), *in_range(by_entity.c.last_updated_ts))
        .where(*conditions)
    )
    newest = _state_select(unordered_time=True).where(
        states.c.state_id > _index_mark(),
        states.c.entity_id.in_(ids),
        *in_range(states.c.last_updated_ts + 0),
        *conditions,
    )
    both = union_all(indexed, newest).subquery()
    return select(both).order_by(both.c.last_updated_ts, both.c.state_id)


@cache
def _states_before_statement(dialect: str) -> Select[Any]:
    by_entity = states_entity_index
    # The entities as rows of one JSON parameter, so the statement is built and compiled once
    # (a VALUES list of a thousand rows took SQLAlchemy ~25 ms to compile on every request).
    ids_json = bindparam("ids_json", type_=String)
    if dialect == "sqlite":
        source = func.json_each(ids_json)
    else:
        source = func.json_array_elements_text(cast(ids_json, JSON))
    entities = source.table_valued("value").alias("wanted")
    ts = bindparam("ts", type_=Float)
    last_indexed = (
        select(by_entity.c.state_id)
        .where(by_entity.c.entity_id == entities.c.value, by_entity.c.last_updated_ts < ts)
        .order_by(by_entity.c.last_updated_ts.desc(), by_entity.c.state_id.desc())
        .limit(1)
        .correlate(entities)
        .scalar_subquery()
    )
    newest = select(states.c.state_id).where(
        states.c.state_id > _index_mark(),
        states.c.entity_id.in_(bindparam("ids", expanding=True)),
        states.c.last_updated_ts + 0 < ts,
    )
    candidates = union_all(select(last_indexed).select_from(entities), newest)
    return _state_select().where(states.c.state_id.in_(candidates))


def _states_before(conn: Connection, entity_ids: Iterable[str], ts: float) -> dict[str, Any]:
    """The last row (raw, in `_STATE_COLUMNS` order) of each entity before `ts`: for each
    entity one backward step in the per-entity index (entity_id, last_updated_ts), plus the
    rows above the index's mark (newer than its last bulk update), all in one statement;
    the newest wins."""
    wanted = sorted(set(entity_ids))
    if not wanted:
        return {}
    query = _states_before_statement(conn.dialect.name)
    params = {"ids_json": orjson.dumps(wanted).decode(), "ids": wanted, "ts": ts}
    found: dict[str, Any] = {}
    for row in conn.execute(query, params).all():
        best = found.get(row[1])
        if best is None or (row[5], row[0]) > (best[5], best[0]):
            found[row[1]] = row
    return found


def state_history_rows(
    engine: Engine,
    entity_ids: Iterable[str] | None,
    start: TimeLike = None,
    end: TimeLike = None,
    *,
    include_start_state: bool = False,
) -> dict[str, list[Any]]:
    """`state_histories` as raw rows (state_id, entity_id, state, shared_attrs JSON text,
    last_changed_ts, last_updated_ts, context_id, origin, user_id, parent_id), for readers
    that turn rows into something else themselves (the REST API): no StateRow per row."""
    ids = None if entity_ids is None else list(dict.fromkeys(entity_ids))
    with engine.connect() as conn:
        in_range: dict[str, list[Any]] = {}
        query, params = _filtered_states(entity_ids=ids, start=start, end=end)
        for row in conn.execute(query, params).all():  # fetchall: not a fetch per row
            in_range.setdefault(row[1], []).append(row)
        wanted = ids if ids is not None else list(in_range)
        before: dict[str, Any] = {}
        start_ts = _ts(start)
        if include_start_state and start_ts is not None and wanted:
            before = _states_before(conn, wanted, start_ts)
    out: dict[str, list[Any]] = {}
    for entity_id in wanted:
        rows = ([before[entity_id]] if entity_id in before else []) + in_range.get(entity_id, [])
        if rows:
            out[entity_id] = rows
    return out


def state_histories(
    engine: Engine,
    entity_ids: Iterable[str] | None,
    start: TimeLike = None,
    end: TimeLike = None,
    *,
    include_start_state: bool = False,
) -> dict[str, list[StateRow]]:
    """The states of each entity updated in [start, end), oldest first, keyed by entity in
    first-change order. `entity_ids=None`: every entity with a change in the range. With
    `include_start_state`, each entity's state in force at `start` comes first (if any)."""
    found = state_history_rows(
        engine, entity_ids, start, end, include_start_state=include_start_state
    )
    return {k: [_state_row(row) for row in rows] for k, rows in found.items()}


def state_history(
    engine: Engine,
    entity_id: str,
    start: TimeLike = None,
    end: TimeLike = None,
    *,
    include_start_state: bool = False,
) -> list[StateRow]:
    """The states of `entity_id` updated in [start, end), oldest first. With
    `include_start_state`, the state in force at `start` comes first (if there was one)."""
    found = state_histories(
        engine, [entity_id], start, end, include_start_state=include_start_state
    )
    return found.get(entity_id, [])


def iter_state_changes(
    engine: Engine,
    *,
    entity_ids: str | Iterable[str] | None = None,
    domain: str | None = None,
    origin: str | Iterable[str] | None = None,
    user_id: str | Iterable[str] | None = None,
    start: TimeLike = None,
    end: TimeLike = None,
    chunk: int = 10_000,
) -> Iterator[StateRow]:
    """State changes in time order, filtered; streams (bounded memory) for long histories.

    Learning reads human actions as `origin=("physical", "voice", "app")`."""
    query, params = _filtered_states(
        entity_ids=entity_ids, domain=domain, origin=origin, user_id=user_id, start=start, end=end
    )
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk).execute(query, params)
        for row in result:
            yield _state_row(row)


def state_changes(engine: Engine, **filters: Any) -> list[StateRow]:
    """`iter_state_changes` as a list."""
    return list(iter_state_changes(engine, **filters))


def events(
    engine: Engine,
    *,
    origin: str | Iterable[str] | None = None,
    user_id: str | Iterable[str] | None = None,
    event_type: str | Iterable[str] | None = None,
    start: TimeLike = None,
    end: TimeLike = None,
    limit: int | None = None,
) -> list[EventRow]:
    """Recorded events other than state changes (those are `states` rows), oldest first."""
    t = events_table
    query = _event_select()
    if (origins := _names(origin)) is not None:
        query = query.where(t.c.origin.in_(origins))
    if (users := _names(user_id)) is not None:
        query = query.where(t.c.user_id.in_(users))
    if (types := _names(event_type)) is not None:
        query = query.where(t.c.event_type.in_(types))
    if (start_ts := _ts(start)) is not None:
        query = query.where(t.c.time_fired_ts >= start_ts)
    if (end_ts := _ts(end)) is not None:
        query = query.where(t.c.time_fired_ts < end_ts)
    query = query.order_by(t.c.time_fired_ts, t.c.event_id)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [_event_row(r) for r in conn.execute(query)]


@dataclass(frozen=True, slots=True)
class PurgeResult:
    states: int
    events: int
    attributes: int


def purge_connection(conn: Connection, older_than: TimeLike) -> PurgeResult:
    """Delete states and events older than `older_than`, then attribute sets no state uses."""
    cutoff = _ts(older_than)
    if cutoff is None:
        raise ValueError("purge needs a time")
    n_states = conn.execute(delete(states).where(states.c.last_updated_ts < cutoff)).rowcount
    by_entity = states_entity_index
    conn.execute(delete(by_entity).where(by_entity.c.last_updated_ts < cutoff))
    n_events = conn.execute(
        delete(events_table).where(events_table.c.time_fired_ts < cutoff)
    ).rowcount
    used = exists().where(states.c.attributes_id == state_attributes.c.attributes_id)
    n_attrs = conn.execute(delete(state_attributes).where(~used)).rowcount
    return PurgeResult(n_states, n_events, n_attrs)


def purge(engine: Engine, older_than: TimeLike) -> PurgeResult:
    """Retention for a database no hub is writing to (a running hub: `Recorder.async_purge`)."""
    with engine.begin() as conn:
        return purge_connection(conn, older_than)


CSV_COLUMNS = (
    "time",
    "kind",
    "entity_id",
    "event_type",
    "state",
    "attributes",
    "context_id",
    "origin",
    "user_id",
    "parent_id",
)


def _csv_rows(engine: Engine, start: TimeLike, end: TimeLike) -> Iterator[tuple[Any, ...]]:
    def state_rows() -> Iterator[tuple[Any, ...]]:
        for s in iter_state_changes(engine, start=start, end=end):
            attrs = orjson.dumps(s.attributes).decode() if s.attributes else ""
            yield (s.last_updated_ts, 0, "state", s.entity_id, "", s.state, attrs, s.context_id,
                   s.origin, s.user_id, s.parent_id)  # fmt: skip

    def event_rows() -> Iterator[tuple[Any, ...]]:
        for e in events(engine, start=start, end=end):
            data = orjson.dumps(e.data).decode() if e.data else ""
            yield (e.time_fired_ts, 1, "event", "", e.event_type, "", data, e.context_id,
                   e.origin, e.user_id, e.parent_id)  # fmt: skip

    yield from heapq.merge(state_rows(), event_rows(), key=lambda r: (r[0], r[1]))


def export_csv(engine: Engine, file: IO[str], start: TimeLike = None, end: TimeLike = None) -> int:
    """Write states and events in [start, end) as CSV (time order, ISO times); returns rows."""
    writer = csv.writer(file)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for row in _csv_rows(engine, start, end):
        writer.writerow((_dt(row[0]).isoformat(), *row[2:]))
        n += 1
    return n
