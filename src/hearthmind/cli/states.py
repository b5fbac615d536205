"""`hearthmind states`: the last recorded state of each entity, read from the database (works
whether or not a hub is running: the recorder's SQLite is in WAL mode)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Annotated

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


def states_command(
    config: ConfigDir = DEFAULT_CONFIG,
    domain: Annotated[str | None, typer.Option("--domain", help="Only this domain.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL.")] = None,
) -> None:
    """Print the last recorded state of every entity (from the database)."""
    from rich.table import Table
    from sqlalchemy.exc import SQLAlchemyError

    from hearthmind.recorder import latest_states

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
