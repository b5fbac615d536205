"""Turning a batch of hub events into rows and committing them in one transaction.

Runs in the recorder's writer thread only; nothing here touches the event loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from sqlalchemy import Connection

from hearthmind.core import EVENT_STATE_CHANGED, Event, Origin, State

from .schema import ENTITY_INDEX_MARK
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
        self._p = _placeholder(paramstyle)
        self._dialect = dialect
        self._chunk_rows = 1024  # 9 columns: 9,216 parameters, under SQLite's 32,766
        self._sql_cache: dict[tuple[str, int], str] = {}
        self._find_attributes = (
            "SELECT attributes_id, shared_attrs FROM state_attributes WHERE hash IN ({})"
        )
        self._insert_attributes = (
            "INSERT INTO state_attributes (hash, shared_attrs) VALUES {} "
            "RETURNING attributes_id, shared_attrs"
        )
        self._attribute_ids: dict[str, int] = {}
        self._cache_size = attributes_cache_size
        self._problems: list[tuple[str, str]] = []
        self._encoder = JsonEncoder(self._junk)
        # states_entity_index is brought up to date in bulk once this many rows wait (and by
        # the recorder when idle): see schema.states_entity_index
        self.index_every = 50_000
        self.unindexed: int | None = None  # states rows above the mark; None: not known yet

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
        known = self._attribute_ids
        unknown: list[int] = []  # positions (in `states_flat`) of attribute sets not known yet
        encode = self._encoder.encode
        origin_text = _ORIGIN_TEXT
        # State rows go into one flat list of values (9 per row): multi-row INSERTs bind
        # slices of it directly, with no per-row tuple to build and flatten again.
        states_flat: list[Any] = []
        add_state = states_flat.extend
        event_rows: list[tuple[Any, ...]] = []
        for item in batch:
            if type(item) is State:
                attrs = item.attributes
                attributes_id: int | str | None = None
                if attrs:
                    unrecorded = item.unrecorded
                    shared = encode(
                        {k: v for k, v in attrs.items() if k not in unrecorded}
                        if unrecorded
                        else dict(attrs),
                        item.entity_id,
                    )
                    attributes_id = known.get(shared)
                    if attributes_id is None:  # resolved for the whole batch below
                        attributes_id = shared
                        unknown.append(len(states_flat) + 2)
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
            states_flat = [text(v) if isinstance(v, str) else v for v in states_flat]
            event_rows = [_storable(row) for row in event_rows]
        new_ids: dict[str, int] = {}
        # Statements go to the driver's own cursor, inside the transaction SQLAlchemy began:
        # SQLAlchemy's per-statement machinery (result metadata, events) costs tens of
        # microseconds of Python each, all of it holding the GIL that the event loop needs.
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if unknown:
                # first-seen order (not a set's hash order): the same history, the same ids
                new_ids = self._attribute_ids_for(
                    cursor, dict.fromkeys(states_flat[i] for i in unknown)
                )
                for i in unknown:
                    states_flat[i] = new_ids[states_flat[i]]
            if states_flat:
                self._insert_flat(cursor, "states", STATE_COLUMNS, states_flat)
            if event_rows:
                flat_events = list(chain.from_iterable(event_rows))
                self._insert_flat(cursor, "events", EVENT_COLUMNS, flat_events)
            n_states = len(states_flat) // len(STATE_COLUMNS)
            waiting = None if self.unindexed is None else self.unindexed + n_states
            if waiting is None or waiting >= self.index_every:
                self._index_entities(cursor)
                waiting = 0
        finally:
            cursor.close()
        conn.commit()
        self.unindexed = waiting
        if new_ids:
            self._remember(new_ids)
        return BatchResult(n_states, len(event_rows), self._problems)

    def index_entities(self, conn: Connection) -> int:
        """Bring states_entity_index up to date in its own transaction; returns rows added."""
        if not conn.in_transaction():
            conn.begin()
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            added = self._index_entities(cursor)
        finally:
            cursor.close()
        conn.commit()
        self.unindexed = 0
        return added

    def _index_entities(self, cursor: Any) -> int:
        """Copy the states rows above the mark into states_entity_index sorted by entity (so
        each entity's new entries land together in its B-tree) and move the mark."""
        p = self._p
        found = cursor.execute(
            f"SELECT value FROM recorder_marks WHERE name = {p}", (ENTITY_INDEX_MARK,)
        ).fetchone()
        if found is None:
            cursor.execute(
                f"INSERT INTO recorder_marks (name, value) VALUES ({p}, 0)", (ENTITY_INDEX_MARK,)
            )
        mark = int(found[0]) if found is not None else 0
        top = int(cursor.execute("SELECT max(state_id) FROM states").fetchone()[0] or 0)
        if top <= mark:
            return 0
        cursor.execute(
            "INSERT INTO states_entity_index (entity_id, last_updated_ts, state_id) "
            "SELECT entity_id, last_updated_ts, state_id FROM states "
            f"WHERE state_id > {p} AND state_id <= {p} "
            "ORDER BY entity_id, last_updated_ts, state_id",
            (mark, top),
        )
        cursor.execute(
            f"UPDATE recorder_marks SET value = {p} WHERE name = {p}", (top, ENTITY_INDEX_MARK)
        )
        return top - mark

    def _insert_flat(
        self, cursor: Any, table: str, columns: tuple[str, ...], flat: list[Any]
    ) -> None:
        width = len(columns)
        if self._dialect == "postgresql":
            self._copy(cursor, table, columns, zip(*[iter(flat)] * width, strict=True))
            return
        # SQLite: multi-row INSERTs bind a whole chunk in one statement, so the writer thread
        # releases the GIL once per chunk instead of once per row (executemany), which keeps
        # it from convoying behind the busy event loop thread.
        start, total = 0, len(flat) // width
        while start < total:
            size = self._chunk_rows
            while size > total - start:
                size //= 2  # powers of two: few distinct statements, all cached compiled
            sql = self._values_sql(table, columns, size)
            cursor.execute(sql, flat[start * width : (start + size) * width])
            start += size

    def _values_sql(self, table: str, columns: tuple[str, ...], n: int) -> str:
        key = (table, n)
        sql = self._sql_cache.get(key)
        if sql is None:
            one = f"({', '.join([self._p] * len(columns))})"
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * n)}"
            self._sql_cache[key] = sql
        return sql

    def _copy(self, cursor: Any, table: str, columns: tuple[str, ...], rows: Iterable[Any]) -> None:
        # PostgreSQL: COPY is several times faster than INSERT for bulk rows.
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def _attribute_ids_for(self, cursor: Any, shared: dict[str, None]) -> dict[str, int]:
        """Ids of attribute sets (JSON texts), inserting the new ones: a few statements per
        batch, however many new sets it brings."""
        found: dict[str, int] = {}
        hash_of = {json_text: attributes_hash(json_text) for json_text in shared}
        hashes = list(dict.fromkeys(hash_of.values()))
        for start in range(0, len(hashes), 500):
            some_hashes = hashes[start : start + 500]
            sql = self._find_attributes.format(", ".join([self._p] * len(some_hashes)))
            for attributes_id, json_text in cursor.execute(sql, some_hashes).fetchall():
                if json_text in shared:  # equal hashes, different texts: not this one
                    found[json_text] = int(attributes_id)
        missing = [json_text for json_text in shared if json_text not in found]
        for start in range(0, len(missing), 500):
            some_texts = missing[start : start + 500]
            values = ", ".join([f"({self._p}, {self._p})"] * len(some_texts))
            params = tuple(chain.from_iterable((hash_of[t], t) for t in some_texts))
            sql = self._insert_attributes.format(values)
            for attributes_id, json_text in cursor.execute(sql, params).fetchall():
                found[json_text] = int(attributes_id)
        return found

    def _remember(self, new_ids: dict[str, int]) -> None:
        ids = self._attribute_ids
        ids.update(new_ids)
        if len(ids) > self._cache_size:  # drop the oldest quarter (dicts keep insertion order)
            for key in list(islice(ids, len(ids) - self._cache_size * 3 // 4)):
                del ids[key]


Job = Callable[[Connection], Any]
