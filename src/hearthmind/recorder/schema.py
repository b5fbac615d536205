"""The recorder's tables at the newest schema version (the Alembic head).

Changes to these tables need a migration in `migrations/versions/` in the same commit."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# the Alembic head (0004 added the agent's tables, 0005 who refused a routine: agent/store.py)
SCHEMA_VERSION = "0005"

metadata = MetaData()

# Epoch seconds in double precision: sortable, cheap to write, microsecond resolution.
Timestamp = Float(precision=53)

events = Table(
    "events",
    metadata,
    Column("event_id", Integer, primary_key=True),
    Column("event_type", String, nullable=False),
    Column("event_data", Text, nullable=False),
    Column("time_fired_ts", Timestamp, nullable=False),
    Column("context_id", String, nullable=False),
    Column("origin", String(16), nullable=False),
    Column("user_id", String),
    Column("parent_id", String),
    Index("ix_events_time_fired_ts", "time_fired_ts"),
    Index("ix_events_origin_time", "origin", "time_fired_ts"),
    Index("ix_events_user_time", "user_id", "time_fired_ts"),
)

state_attributes = Table(
    "state_attributes",
    metadata,
    Column("attributes_id", Integer, primary_key=True),
    Column("hash", BigInteger, nullable=False),
    Column("shared_attrs", Text, nullable=False),
    Index("ix_state_attributes_hash", "hash"),
)

states = Table(
    "states",
    metadata,
    Column("state_id", Integer, primary_key=True),
    Column("entity_id", String, nullable=False),
    Column("state", String),  # NULL: the entity was removed
    Column(
        "attributes_id",
        Integer,
        ForeignKey("state_attributes.attributes_id", name="fk_states_attributes_id"),
    ),
    Column("last_changed_ts", Timestamp, nullable=False),
    Column("last_updated_ts", Timestamp, nullable=False),
    Column("context_id", String, nullable=False),
    Column("origin", String(16), nullable=False),
    Column("user_id", String),
    Column("parent_id", String),
    Index("ix_states_last_updated_ts", "last_updated_ts"),
)

# Each entity's history in (entity_id, time) order, for reads of a few entities over a range
# and for the state in force at a time. Kept by the writer in bulk, not per insert: it copies
# the states rows above the mark `entity_index` (table `recorder_marks`) sorted by entity
# every 50,000 rows and when the writer is idle (see writer.BatchWriter.index_entities), so
# each entity's new entries land together. A live (entity_id, last_updated_ts) index costs a
# random B-tree insert per row (in bare sqlite3, 2.2 -> 17.4 us per row; in bulk 4.2 us).
# Readers add the few rows above the mark from `states` itself (history.py).
states_entity_index = Table(
    "states_entity_index",
    metadata,
    Column("entity_id", String, primary_key=True),
    Column("last_updated_ts", Timestamp, primary_key=True),
    Column("state_id", Integer, primary_key=True),
    sqlite_with_rowid=False,
)

# Bookkeeping of the writer: `entity_index` is the highest state_id in states_entity_index.
recorder_marks = Table(
    "recorder_marks",
    metadata,
    Column("name", String, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

ENTITY_INDEX_MARK = "entity_index"
