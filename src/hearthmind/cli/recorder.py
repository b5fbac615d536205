"""CLI commands over the recorded history: `history`, `export` (CSV) and `purge`.

They read the database directly (a running hub may keep writing: SQLite's WAL lets readers
and the writer work at once): the recorder's rows carry who caused each change, which Home
Assistant's history shape has no room for. With a hub running from the folder, "now" is the
hub's clock (a demo's runs faster than the wall's), asked through its API. Times are read and
shown in the home's time zone. `--db` overrides the database of the configuration directory."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console, warn_unused

if TYPE_CHECKING:
    from sqlalchemy import Engine

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite path, relative to the current directory (default: the config directory's).",
    ),
]
SinceOption = Annotated[
    str,
    typer.Option("--since", help="Start: a duration back from now (30m, 12h, 7d, 2w) or a date."),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="End (same forms as --since); default: now.")
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def parse_when(text: str, now: datetime) -> datetime:
    """`30m`, `12h`, `7d`, `2w` back from `now`, or an ISO date/time (in `now`'s zone, the
    home's, if it names none)."""
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise _fail(
            f"cannot read the time {text!r}: use 30m, 12h, 7d, 2w or a date like 2026-01-05"
        ) from err
    return when if when.tzinfo is not None else when.replace(tzinfo=now.tzinfo)


def _home_zone(cfg: Path) -> tzinfo:
    from hearthmind.core import ConfigError, load_config

    try:
        return load_config(config_dir(cfg), create=False).zone
    except ConfigError as err:
        raise _fail(str(err)) from err


def _now(cfg: Path) -> tuple[datetime, str]:
    """Now in the home's zone: the running hub's clock if one answers (and where it came from)."""
    import urllib.error

    from hearthmind.core import RealClock

    from .hubclient import HubRequestError, find_running_hub

    zone = _home_zone(cfg)
    try:
        hub = find_running_hub(config_dir(cfg))
        if hub is not None:
            said = hub.get("/api/hearthmind/health").get("now")
            if isinstance(said, str):
                return datetime.fromisoformat(said).astimezone(zone), f"the hub at {hub.url}"
    except (HubRequestError, urllib.error.URLError, OSError, ValueError, AttributeError):
        pass
    return RealClock().now().astimezone(zone), "no running hub: this machine's clock"


def _engine(cfg: Path, db: str | None) -> Engine:
    from hearthmind.core import ConfigError, load_config
    from hearthmind.recorder import config_db_url, missing_sqlite_file, open_engine

    try:
        loaded = load_config(config_dir(cfg), create=False)
        warn_unused(loaded, "recorder")
        url = config_db_url(loaded, db)
    except ConfigError as err:
        raise _fail(str(err)) from err
    missing = missing_sqlite_file(url)
    if missing is not None:
        raise _fail(f"no database at {missing} (run `hearthmind demo` or `hearthmind sim`)")
    return open_engine(url)


def _run(engine: Engine, action: Any) -> Any:
    """Run a query; database errors become one clear line."""
    from sqlalchemy.exc import SQLAlchemyError

    from hearthmind.recorder import classify, describe_url

    try:
        return action()
    except SQLAlchemyError as err:
        _, what = classify(err)
        raise _fail(f"{describe_url(str(engine.url))}: {what}") from err
    finally:
        engine.dispose()


def history(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. light.kitchen")],
    since: SinceOption = "1d",
    until: UntilOption = None,
    limit: Annotated[int, typer.Option(help="Show at most the last N changes.")] = 200,
    cfg: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
) -> None:
    """Show an entity's recorded states: when, what, and who or what caused each change."""
    from hearthmind.recorder import state_history

    now, clock = _now(cfg)
    start, end = parse_when(since, now), parse_when(until, now) if until else None
    engine = _engine(cfg, db)
    rows = _run(
        engine,
        lambda: state_history(engine, entity_id, start, end, include_start_state=True),
    )
    zone = now.tzinfo
    if not rows:
        console.print(
            f"no recorded states of {entity_id} since {start:%Y-%m-%d %H:%M %Z} (now: {clock})"
        )
        return
    table = Table(title=f"{entity_id} since {start:%Y-%m-%d %H:%M %Z} (now: {clock})")
    for column in (f"time ({start:%Z})", "state", "origin", "user", "attributes"):
        table.add_column(column)
    for row in rows[-limit:]:
        attrs = ", ".join(f"{k}={v}" for k, v in row.attributes.items())
        table.add_row(
            f"{row.last_updated.astimezone(zone):%Y-%m-%d %H:%M:%S}",
            "(removed)" if row.state is None else row.state,
            row.origin,
            row.user_id or "",
            attrs if len(attrs) <= 60 else attrs[:57] + "...",
        )
    console.print(table)


def export(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="CSV file (default: standard output).")
    ] = None,
    since: SinceOption = "36500d",
    until: UntilOption = None,
    cfg: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
) -> None:
    """Export recorded states and events as CSV, in time order, with who caused each."""
    from hearthmind.recorder import export_csv

    now, _ = _now(cfg)
    start, end = parse_when(since, now), parse_when(until, now) if until else None
    engine = _engine(cfg, db)
    if output is None:
        _run(engine, lambda: export_csv(engine, sys.stdout, start, end))
        return
    with output.open("w", newline="", encoding="utf-8") as file:
        n = _run(engine, lambda: export_csv(engine, file, start, end))
    err_console.print(f"wrote {n} rows to {output}")


def purge(
    keep_days: Annotated[float, typer.Option("--keep-days", min=0, help="Days to keep.")],
    cfg: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
) -> None:
    """Delete history older than N days (run it while no hub writes to this database)."""
    from hearthmind.recorder import purge as purge_history

    cutoff = _now(cfg)[0] - timedelta(days=keep_days)
    engine = _engine(cfg, db)
    result = _run(engine, lambda: purge_history(engine, cutoff))
    console.print(
        f"purged {result.states} states, {result.events} events and {result.attributes} "
        f"unused attribute sets older than {cutoff:%Y-%m-%d %H:%M %Z}"
    )


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command()(history)
    app.command()(export)
    app.command()(purge)
