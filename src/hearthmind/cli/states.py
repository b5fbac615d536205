"""`hearthmind states`: every entity's state. From the folder's running hub when one answers
(its API: the states as they are now); else the last recorded state of each entity, read from
the database (the recorder's SQLite is in WAL mode), and it says which. Times are shown in
the home's time zone."""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo
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
    err_console,
    fail,
    user_errors,
    warn_unused,
)

# The command line starts fast: the hub's packages load inside the command that needs them.


def _db_url(cfg: Path, db: str | None) -> str:
    from hearthmind.recorder import recorder_db_url

    loaded = load_config(cfg, create=False)
    warn_unused(loaded, "recorder")
    return recorder_db_url(Hub(loaded), db)


def states_command(
    config: ConfigDir = DEFAULT_CONFIG,
    domain: Annotated[str | None, typer.Option("--domain", help="Only this domain.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Database file or URL.")] = None,
) -> None:
    """Print every entity's state: the running hub's, else the last recorded (--db: always
    the database's)."""
    from sqlalchemy.exc import SQLAlchemyError

    from hearthmind.recorder import latest_states

    cfg = config_dir(config)
    with user_errors():
        loaded = load_config(cfg, create=False)
        zone = loaded.zone
    if db is None:
        rows = _from_running_hub(cfg, domain)
        if rows is not None:
            _print_table(rows, f"{len(rows)} entities, now (the running hub)", zone)
            return
        err_console.print(
            f"[dim]no running hub for {cfg}: the last recorded states from its database[/dim]",
            highlight=False,
        )
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
    _print_table(rows, f"{len(rows)} entities ({url})", zone)


def _from_running_hub(cfg: Path, domain: str | None) -> list[dict[str, Any]] | None:
    """The running hub's states as the database's rows are shaped, or None if none answers."""
    import urllib.error

    from .hubclient import HubRequestError, find_running_hub

    try:
        hub = find_running_hub(cfg)
        if hub is None:
            return None
        states = hub.get("/api/states")
    except (HubRequestError, urllib.error.URLError, OSError) as err:
        err_console.print(f"[yellow]the running hub did not answer ({err})[/yellow]")
        return None
    rows = []
    for state in sorted(states, key=lambda s: s["entity_id"]):
        if domain and not state["entity_id"].startswith(f"{domain}."):
            continue
        context = state.get("context") or {}
        rows.append(
            {
                "entity_id": state["entity_id"],
                "state": state["state"],
                "last_updated_ts": datetime.fromisoformat(state["last_updated"]).timestamp(),
                "origin": context.get("origin") or "",
                "user_id": context.get("user_id"),
            }
        )
    return rows


def _print_table(rows: list[dict[str, Any]], title: str, zone: tzinfo) -> None:
    from rich.table import Table

    table = Table(title=title)
    for column in ("entity", "state", "last updated", "origin", "user"):
        table.add_column(column, overflow="fold")  # never cut an entity id short
    for row in rows:
        when = datetime.fromtimestamp(row["last_updated_ts"], zone)
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
