"""The agent's memory (issue 18): per routine its level, ceiling and evidence
(`agent_routines`), every action (`agent_actions`) and suggestion (`agent_suggestions`), every
piece of feedback (`agent_outcomes`), and its settings (`agent_settings`: the off switch,
opt-outs). The tables and their queries belong to the agent (hearthmind/agent/store.py); the
recorder runs the migrations, so they live here. A frozen copy of the tables at this revision.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.Float(precision=53)


def upgrade() -> None:
    op.create_table(
        "agent_routines",
        sa.Column("routine_id", sa.String, primary_key=True),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("value", sa.String, nullable=False),
        sa.Column("part_of_day", sa.String(16), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("ceiling", sa.String(16), nullable=False),
        sa.Column("pinned", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String),
        sa.Column("safety", sa.String),
        sa.Column("people", sa.Text, nullable=False),
        sa.Column("habit", sa.Text),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("created_ts", _TS, nullable=False),
        sa.Column("updated_ts", _TS, nullable=False),
    )
    op.create_table(
        "agent_actions",
        sa.Column("action_id", sa.String, primary_key=True),
        sa.Column("routine_id", sa.String, nullable=False),
        sa.Column("person", sa.String),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("service", sa.String, nullable=False),
        sa.Column("service_data", sa.Text, nullable=False),
        sa.Column("target", sa.String, nullable=False),
        sa.Column("previous", sa.String),
        sa.Column("context_id", sa.String, nullable=False),
        sa.Column("parent_id", sa.String),
        sa.Column("suggestion_id", sa.String),
        sa.Column("probability", sa.Float),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("time_ts", _TS, nullable=False),
        sa.Column("closed_ts", _TS),
    )
    op.create_index("ix_agent_actions_time", "agent_actions", ["time_ts"])
    op.create_table(
        "agent_suggestions",
        sa.Column("suggestion_id", sa.String, primary_key=True),
        sa.Column("routine_id", sa.String, nullable=False),
        sa.Column("person", sa.String),
        sa.Column("entity_id", sa.String, nullable=False),
        sa.Column("service", sa.String, nullable=False),
        sa.Column("service_data", sa.Text, nullable=False),
        sa.Column("target", sa.String, nullable=False),
        sa.Column("context_id", sa.String, nullable=False),
        sa.Column("parent_id", sa.String),
        sa.Column("probability", sa.Float),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("answered_by", sa.String),
        sa.Column("created_ts", _TS, nullable=False),
        sa.Column("expires_ts", _TS, nullable=False),
        sa.Column("closed_ts", _TS),
    )
    op.create_index("ix_agent_suggestions_time", "agent_suggestions", ["created_ts"])
    op.create_table(
        "agent_outcomes",
        sa.Column("outcome_id", sa.Integer, primary_key=True),
        sa.Column("routine_id", sa.String, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("action_id", sa.String),
        sa.Column("suggestion_id", sa.String),
        sa.Column("detail", sa.Text),
        sa.Column("time_ts", _TS, nullable=False),
    )
    op.create_index("ix_agent_outcomes_routine_time", "agent_outcomes", ["routine_id", "time_ts"])
    op.create_table(
        "agent_settings",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("agent_settings")
    op.drop_index("ix_agent_outcomes_routine_time", "agent_outcomes")
    op.drop_table("agent_outcomes")
    op.drop_index("ix_agent_suggestions_time", "agent_suggestions")
    op.drop_table("agent_suggestions")
    op.drop_index("ix_agent_actions_time", "agent_actions")
    op.drop_table("agent_actions")
    op.drop_table("agent_routines")
