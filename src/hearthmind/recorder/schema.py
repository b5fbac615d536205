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

SCHEMA_VERSION = "0002"  # the Alembic revision these tables correspond to

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
