"""Per-entity history index kept in bulk: table `states_entity_index` (entity_id,
last_updated_ts, state_id), WITHOUT ROWID on SQLite, and `recorder_marks` (the highest
state_id it holds). The writer copies new states into it sorted by entity every 50,000 rows
and when idle, instead of a live (entity_id, last_updated_ts) index on `states`, which cost a
random B-tree insert per row (revision 0002 dropped it for that). Reading one entity's day
out of 10 million rows no longer scans the day's rows of every entity.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "states_entity_index",
        sa.Column("entity_id", sa.String, primary_key=True),
        sa.Column("last_updated_ts", sa.Float(precision=53), primary_key=True),
        sa.Column("state_id", sa.Integer, primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "recorder_marks",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO states_entity_index (entity_id, last_updated_ts, state_id) "
            "SELECT entity_id, last_updated_ts, state_id FROM states "
            "ORDER BY entity_id, last_updated_ts, state_id"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO recorder_marks (name, value) "
            "SELECT 'entity_index', coalesce(max(state_id), 0) FROM states"
        )
    )


def downgrade() -> None:
    op.drop_table("recorder_marks")
    op.drop_table("states_entity_index")
