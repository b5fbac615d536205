"""Reading the recorded history: an entity's states, state changes and events by origin or
person, retention (purge) and CSV export. All functions take an `Engine` (or a path/URL via
`open_engine`) and run synchronously: call them from an executor on the event loop."""

from __future__ import annotations

import csv
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from sqlalchemy import Connection, Engine, Select, delete, exists, func, select

from .engine import create_recorder_engine
from .schema import events as events_table
from .schema import state_attributes, states

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


def _state_select() -> Select[Any]:
    return select(*_STATE_COLUMNS).select_from(
        states.outerjoin(
            state_attributes, states.c.attributes_id == state_attributes.c.attributes_id
        )
    )


def _state_row(row: Any) -> StateRow:
    attrs = orjson.loads(row[3]) if row[3] else {}
    return StateRow(row[0], row[1], row[2], attrs, *row[4:])


def _names(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _filtered_states(
    *,
    entity_ids: str | Iterable[str] | None = None,
    domain: str | None = None,
    origin: str | Iterable[str] | None = None,
    user_id: str | Iterable[str] | None = None,
    start: TimeLike = None,
    end: TimeLike = None,
) -> Select[Any]:
    query = _state_select()
    if (ids := _names(entity_ids)) is not None:
        query = query.where(states.c.entity_id.in_(ids))
    if domain is not None:
        query = query.where(states.c.entity_id.like(f"{domain}.%"))
    if (origins := _names(origin)) is not None:
        query = query.where(states.c.origin.in_(origins))
    if (users := _names(user_id)) is not None:
        query = query.where(states.c.user_id.in_(users))
    if (start_ts := _ts(start)) is not None:
        query = query.where(states.c.last_updated_ts >= start_ts)
    if (end_ts := _ts(end)) is not None:
        query = query.where(states.c.last_updated_ts < end_ts)
    return query.order_by(states.c.last_updated_ts, states.c.state_id)


# How far back to look for the state in force at a time: growing windows, so the time index
# answers quickly for entities that change often, and only a never-seen entity scans it all.
_LOOKBACK_DAYS = (1.0, 7.0, 31.0, 366.0, None)


def _states_before(conn: Connection, entity_ids: Iterable[str], ts: float) -> dict[str, StateRow]:
    """The last row of each entity before `ts`, picked by the database (the newest row per
    entity within a look-back window, ranked in SQL): one query per window for all the
    entities at once; only the entities not found yet go on to the next, longer window."""
    missing = set(entity_ids)
    found: dict[str, StateRow] = {}
    for days in _LOOKBACK_DAYS:
        if not missing:
            break
        newest_first = (states.c.last_updated_ts.desc(), states.c.state_id.desc())
        ranked = select(
            states.c.state_id,
            func.row_number()
            .over(partition_by=states.c.entity_id, order_by=newest_first)
            .label("rank"),
        ).where(states.c.entity_id.in_(sorted(missing)), states.c.last_updated_ts < ts)
        if days is not None:
            ranked = ranked.where(states.c.last_updated_ts >= ts - days * 86_400)
        latest = ranked.subquery()
        query = (
            _state_select()
            .join(latest, states.c.state_id == latest.c.state_id)
            .where(latest.c.rank == 1)
        )
        for row in conn.execute(query):
            state_row = _state_row(row)
            found[state_row.entity_id] = state_row
            missing.discard(state_row.entity_id)
    return found


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
    ids = None if entity_ids is None else list(dict.fromkeys(entity_ids))
    with engine.connect() as conn:
        in_range: dict[str, list[StateRow]] = {}
        query = _filtered_states(entity_ids=ids, start=start, end=end)
        for row in conn.execute(query):
            state_row = _state_row(row)
            in_range.setdefault(state_row.entity_id, []).append(state_row)
        wanted = ids if ids is not None else list(in_range)
        before: dict[str, StateRow] = {}
        start_ts = _ts(start)
        if include_start_state and start_ts is not None and wanted:
            before = _states_before(conn, wanted, start_ts)
    out: dict[str, list[StateRow]] = {}
    for entity_id in wanted:
        rows = ([before[entity_id]] if entity_id in before else []) + in_range.get(entity_id, [])
        if rows:
            out[entity_id] = rows
    return out


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
    query = _filtered_states(
        entity_ids=entity_ids, domain=domain, origin=origin, user_id=user_id, start=start, end=end
    )
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk).execute(query)
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
    query = select(
        t.c.event_id,
        t.c.event_type,
        t.c.event_data,
        t.c.time_fired_ts,
        t.c.context_id,
        t.c.origin,
        t.c.user_id,
        t.c.parent_id,
    )
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
        return [
            EventRow(r[0], r[1], orjson.loads(r[2]) if r[2] else {}, *r[3:])
            for r in conn.execute(query)
        ]


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
