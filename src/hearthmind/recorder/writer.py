"""Turning a batch of hub events into rows and committing them in one transaction.

Runs in the recorder's writer thread only; nothing here touches the event loop."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from sqlalchemy import Connection

from hearthmind.core import EVENT_STATE_CHANGED, Event, Origin, State

from .serialize import JsonEncoder, attributes_hash, text

_ORIGIN_TEXT: dict[Any, str] = {origin: origin.value for origin in Origin}

STATE_COLUMNS = (
    "entity_id",
    "state",
    "attributes_id",
    "last_changed_ts",
    "last_updated_ts",
    "context_id",
    "origin",
    "user_id",
    "parent_id",
)
EVENT_COLUMNS = (
    "event_type",
    "event_data",
    "time_fired_ts",
    "context_id",
    "origin",
    "user_id",
    "parent_id",
)


def _placeholder(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


def _origin(origin: Any) -> str:
    known = _ORIGIN_TEXT.get(origin)
    return known if known is not None else text(str(origin))


def _storable(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(text(v) if isinstance(v, str) else v for v in row)


@dataclass
class BatchResult:
    states: int = 0
    events: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


class BatchWriter:
    """Writes events as `states` / `events` rows; remembers attribute ids it has committed.

    Attributes are stored once per distinct JSON text (table `state_attributes`); the id cache
    is only updated after a commit, so a rolled-back batch cannot leave dangling ids in it."""

    def __init__(self, dialect: str, paramstyle: str, attributes_cache_size: int = 16_384) -> None:
        p = self._p = _placeholder(paramstyle)
        self._dialect = dialect
        self._chunk_rows = 500
        self._sql_cache: dict[tuple[str, int], str] = {}
        self._find_attributes = (
            f"SELECT attributes_id FROM state_attributes WHERE hash = {p} AND shared_attrs = {p}"
        )
        self._insert_attributes = (
            f"INSERT INTO state_attributes (hash, shared_attrs) VALUES ({p}, {p}) "
            "RETURNING attributes_id"
        )
        self._attribute_ids: dict[str, int] = {}
        self._cache_size = attributes_cache_size
        self._problems: list[tuple[str, str]] = []
        self._encoder = JsonEncoder(self._junk)

    def _junk(self, message: str) -> None:
        self._problems.append(("recorder_unserializable", message))

    def forget_attributes(self) -> None:
        """After a purge: cached ids may point at deleted rows."""
        self._attribute_ids.clear()

    def write(self, conn: Connection, batch: Sequence[Any], careful: bool = False) -> BatchResult:
        """Insert every `State` (a change) and `Event` of `batch` (others are skipped); commit.

        The fast path passes strings as they are; if the database refuses one (a lone
        surrogate, a NUL for PostgreSQL), the caller retries with `careful=True`, which makes
        every string storable first."""
        self._problems = []
        if not conn.in_transaction():
            conn.begin()
        new_ids: dict[str, int] = {}
        known = self._attribute_ids
        encode = self._encoder.encode
        origin_text = _ORIGIN_TEXT
        state_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        add_state = state_rows.append
        for item in batch:
            if type(item) is State:
                attrs = item.attributes
                attributes_id: int | None = None
                if attrs:
                    shared = encode(dict(attrs), item.entity_id)
                    attributes_id = known.get(shared) or new_ids.get(shared)
                    if attributes_id is None:
                        attributes_id = self._attributes_id(conn, shared)
                        new_ids[shared] = attributes_id
                ctx = item.context
                add_state(
                    (
                        item.entity_id,
                        item.state,
                        attributes_id,
                        item.last_changed,
                        item.last_updated,
                        ctx.id,
                        origin_text.get(ctx.origin) or _origin(ctx.origin),
                        ctx.user_id,
                        ctx.parent_id,
                    )
                )
            elif type(item) is Event:
                ctx = item.context
                if item.event_type == EVENT_STATE_CHANGED:
                    # Only removals come as events: a row without a state ends the history.
                    add_state(
                        (
                            item.data["entity_id"],
                            None,
                            None,
                            item.time_fired,
                            item.time_fired,
                            ctx.id,
                            origin_text.get(ctx.origin) or _origin(ctx.origin),
                            ctx.user_id,
                            ctx.parent_id,
                        )
                    )
                    continue
                event_rows.append(
                    (
                        item.event_type,
                        encode(dict(item.data), f"event {item.event_type}"),
                        item.time_fired,
                        ctx.id,
                        origin_text.get(ctx.origin) or _origin(ctx.origin),
                        ctx.user_id,
                        ctx.parent_id,
                    )
                )
        if careful:
            state_rows = [_storable(row) for row in state_rows]
            event_rows = [_storable(row) for row in event_rows]
        if state_rows:
            self._insert(conn, "states", STATE_COLUMNS, state_rows)
        if event_rows:
            self._insert(conn, "events", EVENT_COLUMNS, event_rows)
        conn.commit()
        if new_ids:
            self._remember(new_ids)
        return BatchResult(len(state_rows), len(event_rows), self._problems)

    def _insert(
        self, conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        if self._dialect == "postgresql":
            self._copy(conn, table, columns, rows)
            return
        # SQLite: multi-row INSERTs bind a whole chunk in one statement, so the writer thread
        # releases the GIL once per chunk instead of once per row (executemany), which keeps
        # it from convoying behind the busy event loop thread.
        chunk = self._chunk_rows
        full = len(rows) - len(rows) % chunk
        if full:
            sql = self._values_sql(table, columns, chunk)
            for start in range(0, full, chunk):
                conn.exec_driver_sql(sql, tuple(chain.from_iterable(rows[start : start + chunk])))
        if full < len(rows):
            conn.exec_driver_sql(self._values_sql(table, columns, 1), rows[full:])

    def _values_sql(self, table: str, columns: tuple[str, ...], n: int) -> str:
        key = (table, n)
        sql = self._sql_cache.get(key)
        if sql is None:
            one = f"({', '.join([self._p] * len(columns))})"
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * n)}"
            self._sql_cache[key] = sql
        return sql

    def _copy(
        self, conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
    ) -> None:
        # PostgreSQL: COPY is several times faster than INSERT for bulk rows.
        raw: Any = conn.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def _attributes_id(self, conn: Connection, shared: str) -> int:
        digest = attributes_hash(shared)
        found = conn.exec_driver_sql(self._find_attributes, (digest, shared)).first()
        if found is not None:
            return int(found[0])
        return int(conn.exec_driver_sql(self._insert_attributes, (digest, shared)).scalar_one())

    def _remember(self, new_ids: dict[str, int]) -> None:
        ids = self._attribute_ids
        ids.update(new_ids)
        if len(ids) > self._cache_size:  # drop the oldest quarter (dicts keep insertion order)
            for key in list(islice(ids, len(ids) - self._cache_size * 3 // 4)):
                del ids[key]


Job = Callable[[Connection], Any]
