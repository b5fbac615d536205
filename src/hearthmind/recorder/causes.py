"""The recorded causes of an entity's changes: its last changes (or those in force at a time),
each with the chain of Contexts behind it, the change's own first, then its parent (the
trigger of an automation's run, the routine run of an agent action) and so on up to a first
cause. Each link carries what was recorded in that Context: the events (call_service,
automation_triggered, agent_action, ...) and other entities' changes (the motion sensor whose
change triggered a rule). `why.py` words it.

No index on context_id: one would cost every write a random B-tree insert (see schema.py).
The lookups go through the time indexes instead. A Context id is a ULID whose first 48 bits
are the hub clock's milliseconds when the Context was made, and everything recorded in it
happened after that: a link's rows lie between its id's time and its child's time, a
window of milliseconds to minutes, not the whole history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Float, Select, bindparam, select, union_all

from .history import (
    EventRow,
    StateRow,
    _event_row,
    _event_select,
    _index_mark,
    _state_row,
    _state_select,
)
from .schema import events as events_table
from .schema import states, states_entity_index

MAX_DEPTH = 8  # links followed up a chain (a rule triggered by a rule triggered by ...)
MAX_ROWS = 20  # events and states kept per link: enough to say what happened in it
SLACK = 1.0  # seconds: clock rounding between a Context's id and its rows' times
FALLBACK_WINDOW = 86_400.0  # a parent whose id tells no time: look back a day before its child
LONGEST_WINDOW = 7 * 86_400.0  # an automation delayed for days is as far as a chain reaches
FOREVER = 1e15  # "up to now": a time no row has (infinity is not a value every database binds)

_CROCKFORD = {c: i for i, c in enumerate("0123456789ABCDEFGHJKMNPQRSTVWXYZ")}


def context_time(context_id: str) -> float | None:
    """The epoch seconds a ULID-shaped Context id was made at (ours and Home Assistant's);
    None for any other id (imported logs may carry their own)."""
    if len(context_id) != 26:
        return None
    value = 0
    for char in context_id.upper():
        digit = _CROCKFORD.get(char)
        if digit is None:
            return None
        value = value * 32 + digit
    return (value >> 80) / 1000.0


@dataclass(frozen=True, slots=True)
class CauseLink:
    """One Context of a chain and what was recorded in it. `origin` is "unknown" for a parent
    that left no row (the agent's routine run is a Context that only its children carry)."""

    context_id: str
    origin: str
    user_id: str | None
    parent_id: str | None
    events: tuple[EventRow, ...] = ()
    states: tuple[StateRow, ...] = ()

    @property
    def recorded(self) -> bool:
        return bool(self.events or self.states)

    def event(self, event_type: str) -> EventRow | None:
        return next((e for e in self.events if e.event_type == event_type), None)


@dataclass(frozen=True, slots=True)
class ChangeCauses:
    """A recorded change of an entity, the state before it (None: the first one recorded) and
    its chain of causes, the change's own Context first."""

    change: StateRow
    previous: StateRow | None
    chain: tuple[CauseLink, ...]


def _last_rows_statement() -> Select[Any]:
    """The last rows of one entity up to a time, newest first: a backward walk of the
    per-entity index plus the rows above its mark (as history.py reads them)."""
    by_entity = states_entity_index
    up_to: Any = bindparam("up_to", type_=Float)
    indexed = (
        select(by_entity.c.state_id)
        .where(
            by_entity.c.entity_id == bindparam("entity_id"), by_entity.c.last_updated_ts <= up_to
        )
        .order_by(by_entity.c.last_updated_ts.desc(), by_entity.c.state_id.desc())
        .limit(bindparam("n"))
    )
    newest = select(states.c.state_id).where(
        states.c.state_id > _index_mark(),
        states.c.entity_id == bindparam("entity_id"),
        states.c.last_updated_ts + 0 <= up_to,
    )
    wanted = union_all(indexed.subquery().select(), newest)
    return (
        _state_select()
        .where(states.c.state_id.in_(wanted))
        .order_by(states.c.last_updated_ts.desc(), states.c.state_id.desc())
        .limit(bindparam("n"))
    )


def _window(context_id: str, child_time: float) -> tuple[float, float]:
    """Where the rows of `context_id`, a cause of something recorded at `child_time`, lie."""
    made = context_time(context_id)
    if made is None or made > child_time + SLACK:
        # not a ULID, or one made on another clock (an id from the wall clock in a
        # simulated home): the day before the child
        return child_time - FALLBACK_WINDOW, child_time + SLACK
    return max(made - SLACK, child_time - LONGEST_WINDOW), child_time + SLACK


def _link_rows(
    conn: Any, context_id: str, start: float, end: float
) -> tuple[tuple[EventRow, ...], tuple[StateRow, ...]]:
    t = events_table
    found_events = conn.execute(
        _event_select()
        .where(t.c.time_fired_ts >= start, t.c.time_fired_ts <= end, t.c.context_id == context_id)
        .order_by(t.c.time_fired_ts, t.c.event_id)
        .limit(MAX_ROWS)
    ).all()
    found_states = conn.execute(
        _state_select()
        .where(
            states.c.last_updated_ts >= start,
            states.c.last_updated_ts <= end,
            states.c.context_id == context_id,
        )
        .order_by(states.c.last_updated_ts, states.c.state_id)
        .limit(MAX_ROWS)
    ).all()
    return (
        tuple(_event_row(r) for r in found_events),
        tuple(_state_row(r) for r in found_states),
    )


def _chain(conn: Any, change: StateRow) -> tuple[CauseLink, ...]:
    start, end = _window(change.context_id, change.last_updated_ts)
    own_events, _ = _link_rows(conn, change.context_id, start, end)
    chain = [
        CauseLink(
            change.context_id,
            change.origin,
            change.user_id,
            change.parent_id,
            own_events,
            (change,),
        )
    ]
    seen = {change.context_id}
    child_time = change.last_updated_ts
    parent_id = change.parent_id
    while parent_id is not None and parent_id not in seen and len(chain) < MAX_DEPTH:
        seen.add(parent_id)
        start, end = _window(parent_id, child_time)
        found_events, found_states = _link_rows(conn, parent_id, start, end)
        rows: list[Any] = [*found_events, *found_states]
        if not rows:
            chain.append(CauseLink(parent_id, "unknown", None, None))
            break
        first = min(rows, key=_row_time)
        chain.append(
            CauseLink(
                parent_id, first.origin, first.user_id, first.parent_id, found_events, found_states
            )
        )
        child_time = _row_time(first)
        parent_id = first.parent_id
    return tuple(chain)


def _row_time(row: EventRow | StateRow) -> float:
    return row.time_fired_ts if isinstance(row, EventRow) else row.last_updated_ts


def change_causes(
    engine: Engine, entity_id: str, *, at: float | None = None, last: int = 1
) -> list[ChangeCauses]:
    """The entity's last `last` recorded changes up to `at` (epoch seconds; default: now),
    newest first, each with its chain of causes. Empty when nothing of it was recorded."""
    # a time given back as ISO text is rounded to the microsecond: one more keeps its change
    up_to = FOREVER if at is None else at + 1e-6
    params = {"entity_id": entity_id, "up_to": up_to, "n": last + 1}
    with engine.connect() as conn:
        rows = [_state_row(r) for r in conn.execute(_last_rows_statement(), params).all()]
        out = []
        for i, row in enumerate(rows[:last]):
            previous = rows[i + 1] if i + 1 < len(rows) else None
            out.append(ChangeCauses(row, previous, _chain(conn, row)))
    return out


def people_names(engine: Engine) -> dict[str, str]:
    """user id -> name, from the last recorded state of each `person.*` entity (whose
    attributes carry both, see Hub.add_person): who a recorded user id is."""
    by_entity = states_entity_index
    people = (
        select(by_entity.c.entity_id)
        .where(by_entity.c.entity_id >= "person.", by_entity.c.entity_id < "person/")
        .distinct()
    )
    newest_people = select(states.c.entity_id).where(
        states.c.state_id > _index_mark(),
        states.c.entity_id >= "person.",
        states.c.entity_id < "person/",
    )
    names: dict[str, str] = {}
    with engine.connect() as conn:
        ids = {r[0] for r in conn.execute(union_all(people, newest_people)).all()}
        statement = _last_rows_statement()
        for entity_id in sorted(ids):
            for row in conn.execute(statement, {"entity_id": entity_id, "up_to": FOREVER, "n": 1}):
                attributes = _state_row(row).attributes
                user_id = attributes.get("user_id") or entity_id.partition(".")[2]
                name = attributes.get("friendly_name")
                if isinstance(name, str) and name:
                    names[str(user_id)] = name
    return names
