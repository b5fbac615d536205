"""Initial schema: events and states, attributes stored as JSON on each state row.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

TS = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("event_id", sa.Integer, primary_key=True),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("event_data", sa.Text, nullable=False),
        sa.Column("time_fired_ts", TS, nullable=False),
        sa.Column("context_id", sa.String, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String),
        sa.Column("parent_id", sa.String),
    )
    op.create_index("ix_events_time_fired_ts", "events", ["time_fired_ts"])
    op.create_index("ix_events_origin_time", "events", ["origin", "time_fired_ts"])
    op.create_index("ix_events_user_time", "events", ["user_id", "time_fired_ts"])
    op.create_table(
        "states",
        sa.Column("state_id", sa.Integer, primary_key=True),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("state", sa.String),
        sa.Column("attributes", sa.Text),
        sa.Column("last_changed_ts", TS, nullable=False),
        sa.Column("last_updated_ts", TS, nullable=False),
        sa.Column("context_id", sa.String, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String),
        sa.Column("parent_id", sa.String),
    )
    op.create_index("ix_states_entity_time", "states", ["entity_id", "last_updated_ts"])
    op.create_index("ix_states_last_updated_ts", "states", ["last_updated_ts"])


def downgrade() -> None:
    op.drop_table("states")
    op.drop_table("events")
