"""Who said "never" to a routine (issue 18): `agent_routines.refused_by`, a JSON list of user
ids. A person's "never" is theirs: the agent no longer asks them, nor acts on the routine
while they are in the entity's room, but goes on for the others in the home (a routine all
of whose people refused is forbidden outright, as before). Rows saved before it read as
nobody refused.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agent_routines") as batch:
        batch.add_column(sa.Column("refused_by", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent_routines") as batch:
        batch.drop_column("refused_by")
