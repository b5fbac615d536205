"""`hearthmind states`: the last recorded state of each entity, read from the database (works
whether or not a hub is running: the recorder's SQLite is in WAL mode)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from hearthmind.core import Hub, load_config

from .common import (
    DEFAULT_CONFIG,
    EXIT_UNAVAILABLE,
    ConfigDir,
    config_dir,
    console,
    fail,
    user_errors,
)

# The command line starts fast: the hub's packages load inside the command that needs them.


def _db_url(cfg: Path, db: str | None) -> str:
    from hearthmind.recorder import recorder_db_url

    return recorder_db_url(Hub(load_config(cfg, create=False)), db)


def latest_states(url: str, domain: str | None = None) -> list[dict[str, Any]]:
    """The last recorded state of each entity (read-only; the hub may be running)."""
    from sqlalchemy import func, select

    from hearthmind.recorder import open_engine
    from hearthmind.recorder.schema import state_attributes, states

    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            raise FileNotFoundError(
                2, "no database yet (run `hearthmind demo` or `sim`)", str(path)
            )
    engine = open_engine(url)
    last = select(func.max(states.c.state_id)).group_by(states.c.entity_id)
    if domain:
        last = last.where(states.c.entity_id.like(f"{domain}.%"))
    query = (
        select(
            states.c.entity_id,
            states.c.state,
            states.c.last_updated_ts,
            states.c.origin,
            states.c.user_id,
            state_attributes.c.shared_attrs,
        )
        .select_from(states.outerjoin(state_attributes))
        .where(states.c.state_id.in_(last.scalar_subquery()))
        .order_by(states.c.entity_id)
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    return [
        {
            "entity_id": r.entity_id,
            "state": r.state,
            "last_updated_ts": r.last_updated_ts,
            "origin": r.origin,
            "user_id": r.user_id,
            "attributes": json.loads(r.shared_attrs) if r.shared_attrs else {},
        }
        for r in rows
        if r.state is not None
    ]


def states_command(
    config: ConfigDir = DEFAULT_CONFIG,
    domain: Annotated[str | None, typer.Option("--domain", help="Only this domain.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL.")] = None,
) -> None:
    """Print the last recorded state of every entity (from the database)."""
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError

    cfg = config_dir(config)
    with user_errors():
        url = _db_url(cfg, db)
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise fail(
                f"no database yet at {url.removeprefix('sqlite:///')} (run `hearthmind demo` "
                "or `hearthmind sim` first)",
                EXIT_UNAVAILABLE,
            )
        try:
            rows = latest_states(url, domain)
        except (SQLAlchemyError, sqlite3.Error) as err:
            raise fail(f"cannot read {url}: {str(err).splitlines()[0]}", EXIT_UNAVAILABLE) from err
    table = Table(title=f"{len(rows)} entities ({url})")
    for column in ("entity", "state", "last updated", "origin", "user"):
        table.add_column(column, overflow="fold")  # never cut an entity id short
    for row in rows:
        when = datetime.fromtimestamp(row["last_updated_ts"]).astimezone()
        table.add_row(
            row["entity_id"],
            row["state"],
            when.strftime("%Y-%m-%d %H:%M:%S %Z"),
            row["origin"],
            row["user_id"] or "",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("states")(states_command)
