"""The agent's memory in the recorder's database, so a restart forgets nothing: each
routine's level and evidence, every action and suggestion, every piece of feedback, and the
off switch and opt-outs. The tables are created by the recorder's migration 0004
(recorder/migrations/versions/0004_agent.py, and 0005 added who refused a routine); their
shape and every query on them are here.

Writes go through the recorder's writer thread (`Recorder.async_run_job`), after everything
queued before them, so the agent never blocks the event loop on the database; what changed
is gathered on the loop and written in one transaction per burst. Without a recorder the
agent keeps it all in memory."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from .records import (
    ActionRecord,
    Loaded,
    Outcome,
    SuggestionRecord,
    _json,
    action_from_row,
    action_row,
    routine_row,
    suggestion_from_row,
    suggestion_row,
    unit_from_row,
)
from .units import RoutineUnit

if TYPE_CHECKING:
    from hearthmind.core import Hub
    from hearthmind.recorder import Recorder

_LOGGER = logging.getLogger(__name__)

__all__ = [
    "ActionRecord",
    "AgentStore",
    "Loaded",
    "Outcome",
    "SuggestionRecord",
    "load",
    "metadata",
    "recorded_outcomes",
]

metadata = MetaData()
Timestamp = Float(precision=53)

routines = Table(
    "agent_routines",
    metadata,
    Column("routine_id", String, primary_key=True),
    Column("entity_id", String, nullable=False),
    Column("value", String, nullable=False),
    Column("part_of_day", String(16), nullable=False),
    Column("level", String(16), nullable=False),
    Column("ceiling", String(16), nullable=False),
    Column("pinned", Integer, nullable=False),
    Column("set_by", String),
    Column("safety", String),
    Column("people", Text, nullable=False),  # JSON {user_id: count}
    Column("habit", Text),
    Column("evidence", Text, nullable=False),  # JSON, Evidence.as_dict
    Column("created_ts", Timestamp, nullable=False),
    Column("updated_ts", Timestamp, nullable=False),
    Column("refused_by", Text),  # JSON [user_id]: who said "never" (0005; NULL: nobody)
)

actions = Table(
    "agent_actions",
    metadata,
    Column("action_id", String, primary_key=True),
    Column("routine_id", String, nullable=False),
    Column("person", String),
    Column("entity_id", String, nullable=False),
    Column("service", String, nullable=False),
    Column("service_data", Text, nullable=False),
    Column("target", String, nullable=False),  # the learned value it set
    Column("previous", String),  # the learned value before (what undo restores)
    Column("context_id", String, nullable=False),
    Column("parent_id", String),  # the routine run
    Column("suggestion_id", String),
    Column("probability", Float),
    Column("explanation", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("time_ts", Timestamp, nullable=False),
    Column("closed_ts", Timestamp),
    Index("ix_agent_actions_time", "time_ts"),
)

suggestions = Table(
    "agent_suggestions",
    metadata,
    Column("suggestion_id", String, primary_key=True),
    Column("routine_id", String, nullable=False),
    Column("person", String),
    Column("entity_id", String, nullable=False),
    Column("service", String, nullable=False),
    Column("service_data", Text, nullable=False),
    Column("target", String, nullable=False),
    Column("context_id", String, nullable=False),
    Column("parent_id", String),
    Column("probability", Float),
    Column("explanation", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("answered_by", String),
    Column("created_ts", Timestamp, nullable=False),
    Column("expires_ts", Timestamp, nullable=False),
    Column("closed_ts", Timestamp),
    Index("ix_agent_suggestions_time", "created_ts"),
)

outcomes = Table(
    "agent_outcomes",
    metadata,
    Column("outcome_id", Integer, primary_key=True),
    Column("routine_id", String, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("action_id", String),
    Column("suggestion_id", String),
    Column("detail", Text),
    Column("time_ts", Timestamp, nullable=False),
    Index("ix_agent_outcomes_routine_time", "routine_id", "time_ts"),
)

settings = Table(
    "agent_settings",
    metadata,
    Column("name", String, primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)


def load(engine: Engine, since: float) -> Loaded:
    """Every routine and setting; the actions and suggestions since `since` (epoch s)."""
    out = Loaded()
    with engine.connect() as conn:
        for row in conn.execute(select(routines)).mappings():
            unit = unit_from_row(row)
            out.routines[unit.routine_id] = unit
        query = select(actions).where(actions.c.time_ts >= since).order_by(actions.c.time_ts)
        out.actions = [action_from_row(r) for r in conn.execute(query).mappings()]
        query = (
            select(suggestions)
            .where(suggestions.c.created_ts >= since)
            .order_by(suggestions.c.created_ts)
        )
        out.suggestions = [suggestion_from_row(r) for r in conn.execute(query).mappings()]
        for row in conn.execute(select(settings)).mappings():
            out.settings[row["name"]] = orjson.loads(row["value"])
    return out


def recorded_outcomes(
    engine: Engine, routine_id: str | None = None, limit: int = 100
) -> list[Outcome]:
    """The latest feedback, newest first (of one routine, or all)."""
    query = select(outcomes).order_by(outcomes.c.time_ts.desc(), outcomes.c.outcome_id.desc())
    if routine_id is not None:
        query = query.where(outcomes.c.routine_id == routine_id)
    with engine.connect() as conn:
        return [
            Outcome(
                r["routine_id"],
                r["kind"],
                r["time_ts"],
                r["action_id"],
                r["suggestion_id"],
                r["detail"],
            )
            for r in conn.execute(query.limit(limit)).mappings()
        ]


def _upsert(conn: Connection, table: Table, key: str, row: dict[str, Any]) -> None:
    """Update the row with this key, or insert it (the same on SQLite and PostgreSQL)."""
    column = table.c[key]
    values = {k: v for k, v in row.items() if k != key}
    done = conn.execute(update(table).where(column == row[key]).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(table).values(**row))


@dataclass
class _Pending:
    routines: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    suggestions: dict[str, dict[str, Any]] = field(default_factory=dict)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(
            self.routines or self.actions or self.suggestions or self.outcomes or self.settings
        )


def write(conn: Connection, batch: _Pending) -> None:
    for row in batch.routines.values():
        _upsert(conn, routines, "routine_id", row)
    for row in batch.actions.values():
        _upsert(conn, actions, "action_id", row)
    for row in batch.suggestions.values():
        _upsert(conn, suggestions, "suggestion_id", row)
    if batch.outcomes:
        conn.execute(insert(outcomes), batch.outcomes)
    for name, value in batch.settings.items():
        _upsert(conn, settings, "name", {"name": name, "value": value})


class AgentStore:
    """Gathers what changed on the event loop and writes it in the recorder's writer thread,
    one transaction per burst (the first change schedules the write; the rest join it)."""

    def __init__(self, hub: Hub, recorder: Recorder | None) -> None:
        self.hub = hub
        self.recorder = recorder
        self._pending = _Pending()
        self._scheduled = False
        self._writing: asyncio.Task[None] | None = None
        self.writes = 0
        self.failures = 0

    @property
    def persistent(self) -> bool:
        return self.recorder is not None

    async def async_load(self, since: float) -> Loaded:
        if self.recorder is None:
            return Loaded()
        engine = self.recorder.engine
        return await asyncio.get_running_loop().run_in_executor(None, load, engine, since)

    def save_routine(self, unit: RoutineUnit) -> None:
        self._pending.routines[unit.routine_id] = routine_row(unit)
        self._schedule()

    def save_action(self, action: ActionRecord) -> None:
        self._pending.actions[action.action_id] = action_row(action)
        self._schedule()

    def save_suggestion(self, suggestion: SuggestionRecord) -> None:
        self._pending.suggestions[suggestion.suggestion_id] = suggestion_row(suggestion)
        self._schedule()

    def add_outcome(self, outcome: Outcome) -> None:
        self._pending.outcomes.append(
            {
                "routine_id": outcome.routine_id,
                "kind": outcome.kind,
                "action_id": outcome.action_id,
                "suggestion_id": outcome.suggestion_id,
                "detail": outcome.detail,
                "time_ts": outcome.time,
            }
        )
        self._schedule()

    def save_setting(self, name: str, value: Any) -> None:
        self._pending.settings[name] = _json(value)
        self._schedule()

    def _schedule(self) -> None:
        if self.recorder is None:
            self._pending = _Pending()  # memory only: nothing to write to
            return
        if self._scheduled:
            return
        self._scheduled = True
        asyncio.get_running_loop().call_soon(self._start_write)

    def _start_write(self) -> None:
        self._scheduled = False
        if not self._pending:
            return
        if self._writing is not None and not self._writing.done():
            # one write at a time: the next starts when this one is done
            self._scheduled = True
            self._writing.add_done_callback(lambda _: self._start_write())
            return
        self._writing = self.hub.async_create_task(self.async_flush(), name="agent-store")

    async def async_flush(self) -> None:
        """Write everything gathered so far (and wait for it)."""
        recorder = self.recorder
        if recorder is None or not self._pending:
            return
        batch, self._pending = self._pending, _Pending()
        try:
            await recorder.async_run_job(lambda conn: write(conn, batch))
        except Exception as err:
            # the database refuses (locked, full, stopped): keep the batch for the next try
            self.failures += 1
            self._merge_back(batch)
            self.hub.health.problem(
                "agent_store_errors",
                f"cannot store the agent's state: {err!r}",
                self.hub.clock.timestamp(),
            )
            _LOGGER.warning("agent: cannot store its state: %r", err)
            return
        self.writes += 1

    def _merge_back(self, batch: _Pending) -> None:
        newer = self._pending
        batch.routines.update(newer.routines)
        batch.actions.update(newer.actions)
        batch.suggestions.update(newer.suggestions)
        batch.outcomes.extend(newer.outcomes)
        batch.settings.update(newer.settings)
        self._pending = batch

    async def async_close(self) -> None:
        """Wait until everything gathered so far is written (at stop, and for readers that
        need it in the database): the write under way, then what is left, once."""
        while True:
            if self._writing is not None and not self._writing.done():
                await asyncio.gather(self._writing, return_exceptions=True)
                continue
            if not self._pending:
                return
            failures = self.failures
            await self.async_flush()
            if self.failures > failures:
                return  # the database refuses: kept in memory, counted; not retried here
