"""Alembic environment: migrations always run on a connection the recorder hands over."""

from __future__ import annotations

from alembic import context

from hearthmind.recorder.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run the recorder's migrations with hearthmind.recorder.migrate.upgrade(engine)"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
