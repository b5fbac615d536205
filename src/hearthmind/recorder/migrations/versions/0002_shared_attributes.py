"""Shared attributes: identical attribute sets are stored once in `state_attributes` (keyed by
a hash of their JSON) and states point at them, as Home Assistant does. A home repeats the
same few attribute sets millions of times; this keeps the database and the writes small.

Drops the (entity_id, last_updated_ts) index: with a thousand entities each insert lands in a
random place of it, which cost more than half of the writer's time in the database. An
entity's history over a time range reads the time index and filters by entity.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 5000


def _hash(shared_attrs: str) -> int:
    # Frozen copy of hearthmind.recorder.serialize.attributes_hash at this revision.
    digest = hashlib.blake2b(shared_attrs.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def upgrade() -> None:
    op.create_table(
        "state_attributes",
        sa.Column("attributes_id", sa.Integer, primary_key=True),
        sa.Column("hash", sa.BigInteger, nullable=False),
        sa.Column("shared_attrs", sa.Text, nullable=False),
    )
    op.create_index("ix_state_attributes_hash", "state_attributes", ["hash"])
    op.drop_index("ix_states_entity_time", "states")
    with op.batch_alter_table("states") as batch:
        batch.add_column(sa.Column("attributes_id", sa.Integer))

    conn = op.get_bind()
    attrs_table = sa.table(
        "state_attributes",
        sa.column("attributes_id", sa.Integer),
        sa.column("hash", sa.BigInteger),
        sa.column("shared_attrs", sa.Text),
    )
    states = sa.table(
        "states",
        sa.column("state_id", sa.Integer),
        sa.column("attributes", sa.Text),
        sa.column("attributes_id", sa.Integer),
    )
    # Keyset pagination by primary key: linear in the number of states, bounded memory.
    ids: dict[str, int] = {}
    last_id = -1
    while True:
        rows = conn.execute(
            sa.select(states.c.state_id, states.c.attributes)
            .where(states.c.state_id > last_id)
            .order_by(states.c.state_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1][0]
        updates = []
        for state_id, shared in rows:
            if shared is None or shared == "{}":
                continue
            attributes_id = ids.get(shared)
            if attributes_id is None:
                attributes_id = conn.execute(
                    sa.insert(attrs_table)
                    .values(hash=_hash(shared), shared_attrs=shared)
                    .returning(attrs_table.c.attributes_id)
                ).scalar_one()
                ids[shared] = attributes_id
            updates.append({"sid": state_id, "aid": attributes_id})
        if updates:
            conn.execute(
                sa.update(states)
                .where(states.c.state_id == sa.bindparam("sid"))
                .values(attributes_id=sa.bindparam("aid")),
                updates,
            )

    with op.batch_alter_table("states") as batch:
        batch.drop_column("attributes")
        batch.create_foreign_key(
            "fk_states_attributes_id", "state_attributes", ["attributes_id"], ["attributes_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("states") as batch:
        batch.drop_constraint("fk_states_attributes_id", type_="foreignkey")
        batch.add_column(sa.Column("attributes", sa.Text))
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE states SET attributes = (SELECT shared_attrs FROM state_attributes a "
            "WHERE a.attributes_id = states.attributes_id)"
        )
    )
    with op.batch_alter_table("states") as batch:
        batch.drop_column("attributes_id")
    op.drop_table("state_attributes")
    op.create_index("ix_states_entity_time", "states", ["entity_id", "last_updated_ts"])
