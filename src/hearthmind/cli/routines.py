"""CLI commands: `hearthmind routines` (what was learned, readable), `hearthmind predict`
(what comes next, and why: cli/predict.py, registered here), `hearthmind eval` (the
evaluation harness) and `hearthmind import-log` (a real log into the recorder)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console, warn_unused

if TYPE_CHECKING:
    from hearthmind.routines.observations import HomeLog
    from hearthmind.routines.readable import Routine

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Recorder database: a SQLite path or a URL (default: the configuration's)."
    ),
]


def _db_url(config: Path, db: str | None) -> str:
    from hearthmind.core import load_config
    from hearthmind.recorder import config_db_url

    loaded = load_config(config_dir(config))
    warn_unused(loaded, "recorder")
    return config_db_url(loaded, db)


LogOption = Annotated[
    Path | None,
    typer.Option("--log", help="Read an imported home log folder instead of a database."),
]


TimeZoneOption = Annotated[
    str | None,
    typer.Option(
        "--time-zone",
        help="The residents' time zone, for histories kept in UTC (the recorder, a Home "
        "Assistant database); default: configuration.yaml's hearthmind: time_zone.",
    ),
]


def _zone(config: Path, name: str | None) -> ZoneInfo:
    from zoneinfo import ZoneInfoNotFoundError

    from hearthmind.core import ConfigError, load_config

    try:
        name = name or load_config(config_dir(config), create=False).core.time_zone
        return ZoneInfo(name)
    except ConfigError as err:
        err_console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from err
    except (ZoneInfoNotFoundError, ValueError) as err:
        err_console.print(f"[red]unknown time zone {name!r}[/red] (e.g. Europe/Amsterdam)")
        raise typer.Exit(2) from err


def _zone_configured(config: Path) -> bool:
    """Whether configuration.yaml names the home's time zone (not the default)."""
    from hearthmind.core import ConfigError, load_config

    try:
        raw = load_config(config_dir(config), create=False).raw
    except ConfigError:
        return False
    return any(
        isinstance(raw.get(k), dict) and "time_zone" in raw[k]
        for k in ("homeassistant", "hearthmind")
    )


def _read_history(
    config: Path, db: str | None, log: Path | None, time_zone: str | None
) -> HomeLog | None:
    """The history from a log folder or the recorder, on the residents' wall clock (logs of
    local times as they are; the recorder's and Home Assistant's UTC times moved to
    `time_zone`); a clear error (exit 1) when it cannot be read, None (after saying so) when
    it is empty."""
    from hearthmind.routines.importers import LogFormatError, load_home
    from hearthmind.routines.observations import on_wall_clock
    from hearthmind.routines.recorder_bridge import read_observations

    zone = _zone(config, time_zone)
    if db is not None and time_zone is None and not _zone_configured(config):
        # a simulated home's database: its residents' zone, as its ground truth names it
        # (the README's `sim` then `routines`), rather than the default UTC
        from hearthmind.routines.evaluation.simulated import home_time_zone, intentions_file

        # only a simulated home has ground truth beside it; any other database keeps the zone
        named = home_time_zone(Path(db)) if intentions_file(Path(db)).is_file() else None
        if isinstance(named, ZoneInfo):
            zone = named
    try:
        if log is not None:
            home = load_home(log, zone=zone)
        else:
            home = on_wall_clock(read_observations(_db_url(config, db)), zone)
    except (LogFormatError, OSError, ValueError) as err:
        err_console.print(f"[red]cannot read history:[/red] {err}")
        raise typer.Exit(1) from err
    except Exception as err:  # a database that cannot be opened (SQLAlchemy errors)
        err_console.print(f"[red]cannot read the database:[/red] {err}")
        raise typer.Exit(1) from err
    if home.report.total_skipped or home.report.reordered or home.report.repaired:
        err_console.print(f"[yellow]{home.report.summary()}[/yellow]")
    if not home.observations:
        console.print("No history yet: nothing recorded from people or sensors.")
        return None
    return home


def _friendly_names(config: Path, db: str | None) -> dict[str, str]:
    """Entity id -> friendly name, from the last recorded attributes (empty if unreadable)."""
    from hearthmind.recorder import latest_states

    try:
        rows = latest_states(_db_url(config, db))
    except Exception:  # names are a nicety: the ids' own words stand in
        return {}
    return {
        r["entity_id"]: str(r["attributes"]["friendly_name"])
        for r in rows
        if r["attributes"].get("friendly_name")
    }


def agent_id(routine: Routine) -> str | None:
    """The agent's id of a mined routine (agent/units.py: entity:value@part-of-day), which
    `hearthmind routines propose` takes; None for an activity or a non-device item."""
    from hearthmind.agent.units import part_of_day, routine_centre, routine_id

    entity, _, value = routine.item.rpartition(":")
    if not entity or entity.startswith("activity."):
        return None
    return routine_id(entity, value, part_of_day(routine_centre(routine)))


def routines(
    ctx: typer.Context,
    config: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
    log: LogOption = None,
    time_zone: TimeZoneOption = None,
    min_confidence: Annotated[
        float, typer.Option(help="Only routines seen on at least this share of days.")
    ] = 0.5,
    min_support: Annotated[
        int, typer.Option(help="Only routines seen on at least this many days.")
    ] = 3,
    limit: Annotated[int, typer.Option(help="Show at most this many routines.")] = 30,
) -> None:
    """List the routines learned from history: when, after what, on how many days, and the
    routine's id (for `hearthmind routines propose ROUTINE_ID`)."""
    from hearthmind.routines.readable import RoutineMiner

    if ctx.invoked_subcommand is not None:
        return  # a subcommand (propose) reads the history itself

    home = _read_history(config, db, log, time_zone)
    if home is None:
        return
    miner = RoutineMiner(min_confidence=min_confidence, min_support=min_support)
    found = miner.mine_log(home)
    # days as the miner counts them: turning over at the home's quietest night hour
    days = miner.days or home.days
    if not found:
        console.print(
            f"No routine yet in {days} days of history (need {min_support}+ days at {min_confidence:.0%})."
        )
        return
    turnover = f" (days start at {miner.day_start / 3600:02.0f}:00)" if miner.day_start else ""
    shown = found[:limit]
    more = f", the {len(shown)} surest shown (--limit for more)" if len(shown) < len(found) else ""
    console.print(
        f"[bold]{len(found)} routines[/bold] from {days} days of {home.name}{turnover}{more}:"
    )
    names = _friendly_names(config, db) if log is None else {}
    for r in shown:
        rid = agent_id(r)
        console.print(
            f"  {r.text(names)}  [dim]{f'id {rid}, ' if rid else ''}on {r.confidence:.0%} of "
            f"days, times within ±{r.spread_minutes:.0f} min[/dim]",
            highlight=False,
        )


def evaluate(
    config: ConfigDir = DEFAULT_CONFIG,
    smartthings: Annotated[
        Path | None,
        typer.Option(
            "--smartthings",
            help="SmartThings-format folder (train/valid/test .jsonl.xz + dictionary.json).",
        ),
    ] = None,
    home: Annotated[
        list[Path] | None,
        typer.Option("--home", help="A home log folder (any supported format); repeatable."),
    ] = None,
    sim_db: Annotated[
        list[Path] | None,
        typer.Option(
            "--sim-db", help="A simulated home's database (ground truth beside it); repeatable."
        ),
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the figures as JSON.")
    ] = None,
    docs: Annotated[
        Path | None,
        typer.Option("--docs", help="Write ROUTINES.md, plots and the BENCHMARKS.md section here."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", envvar="HEARTHMIND_DATA", help="Default data folder (../shared/data)."
        ),
    ] = None,
    valid: Annotated[
        bool,
        typer.Option(
            "--valid",
            help="Score a split inside the training data, never the test split (to choose settings).",
        ),
    ] = False,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone",
            help="The residents' time zone: for a Home Assistant database (default: "
            "configuration.yaml's hearthmind: time_zone) and a simulated home (default: the "
            "zone its ground truth names).",
        ),
    ] = None,
) -> None:
    """Run every model on the same splits and print one table, models side by side."""
    from hearthmind.routines.evaluation.harness import (
        default_data_dir,
        default_home_dirs,
        run_evaluation,
    )

    zone = _zone(config, time_zone)
    homes = list(home or [])
    if smartthings is None and not homes and not sim_db:
        base = data or default_data_dir()
        smartthings = base / "smartthings-fr"
        homes = default_home_dirs(base)
        if not smartthings.is_dir() and not homes:
            err_console.print(
                f"[red]no data:[/red] nothing at {base}; give --smartthings/--home or set HEARTHMIND_DATA"
            )
            raise typer.Exit(1)
    figures = run_evaluation(
        smartthings if smartthings and smartthings.is_dir() else None,
        homes,
        json_path=json_path,
        docs_dir=docs,
        simulated=list(sim_db or []),
        console=console,
        validation=valid,
        home_zone=zone,
        sim_zone=zone if time_zone else None,  # else each simulated home's own
    )
    if figures["problems"] and not (
        figures["smartthings"] or figures["homes"] or figures.get("simulated")
    ):
        raise typer.Exit(1)


def import_log(
    folder: Annotated[
        Path,
        typer.Argument(
            help="A home log folder (CASAS, van Kasteren, Ordóñez, PlaceLab) or a Home Assistant database."
        ),
    ],
    config: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
    time_zone: TimeZoneOption = None,
) -> None:
    """Import a real home log into the recorder (sensor readings as origin sensor, a person's
    device actions as physical). Its local times are taken to be in `--time-zone` and stored
    in UTC, as the recorder stores everything."""
    from hearthmind.routines.importers import LogFormatError, detect_format, load_home
    from hearthmind.routines.observations import from_wall_clock_log
    from hearthmind.routines.recorder_bridge import async_write_log

    zone = _zone(config, time_zone)
    try:
        home = load_home(folder)
        if detect_format(folder) != "homeassistant":  # Home Assistant's times are UTC already
            home = from_wall_clock_log(home, zone)
    except (LogFormatError, OSError) as err:
        err_console.print(f"[red]cannot import:[/red] {err}")
        raise typer.Exit(1) from err
    url = _db_url(config, db)
    written = asyncio.run(async_write_log(home, url))
    console.print(
        f"{written} observations of {home.name} written to {url}; {home.report.summary()}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    from .propose import propose

    group = typer.Typer(
        name="routines",
        help="The routines learned from history; `propose` pins one as an automation.",
    )
    group.callback(invoke_without_command=True)(routines)
    group.command("propose")(propose)
    app.add_typer(group)
    from .predict import predict  # its own module; it reads the history as routines does

    app.command("predict")(predict)
    app.command("eval")(evaluate)
    app.command("import-log")(import_log)
