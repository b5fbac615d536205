"""`hearthmind why ENTITY`: who or what made an entity's last changes, from the recorded Context
chain: a person (at the device, by voice, in an app), an automation and its trigger, the
agent's routine, or the device on its own.

The folder's running hub answers when one does (`GET /api/hearthmind/why/{entity_id}`: it
knows entities not recorded yet and writes its recorder's backlog first); otherwise, or with
`--db`, the database is read with the same query and words (recorder/causes.py,
recorder/why.py), as `hearthmind history` reads it."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import DEFAULT_CONFIG, ConfigDir, console, err_console, fail
from .recorder import DbOption, _engine, _home_zone, _now, _run, parse_when


def at_time(text: str, now: datetime) -> datetime:
    """`--at`: a time of day alone is its last passing (07:10 this morning, or yesterday's
    if it is not 07:10 yet); else a date/time or a duration back, as `history --since`."""
    try:
        clock = time.fromisoformat(text.strip())
    except ValueError:
        return parse_when(text, now)
    when = datetime.combine(now.date(), clock, tzinfo=clock.tzinfo or now.tzinfo)
    return when - timedelta(days=1) if when > now else when


def _from_running_hub(cfg: Path, entity_id: str, last: int, at_iso: str | None) -> Any:
    """The running hub's answer and where it came from; None when no hub answers. The hub's
    own refusals (an unknown entity, a bad time) are the answer."""
    import urllib.error
    from urllib.parse import quote, urlencode

    from .common import config_dir
    from .hubclient import HubRequestError, find_running_hub

    query = urlencode({"last": last} | ({"at": at_iso} if at_iso else {}))
    try:
        hub = find_running_hub(config_dir(cfg))
        if hub is None:
            return None
        return hub.get(f"/api/hearthmind/why/{quote(entity_id)}?{query}"), f"the hub at {hub.url}"
    except HubRequestError as err:
        if err.status in (400, 404):
            raise fail(str(err).removeprefix(f"HTTP {err.status}: ")) from err
        err_console.print(f"[yellow]the running hub: {err}; reading the database[/yellow]")
    except (urllib.error.URLError, OSError, ValueError) as err:
        err_console.print(f"[yellow]the running hub did not answer ({err})[/yellow]")
    return None


def _from_database(
    cfg: Path, db: str | None, entity_id: str, last: int, at_ts: float | None
) -> tuple[dict[str, Any], str]:
    from hearthmind.recorder import (
        ChangeCauses,
        change_causes,
        describe_url,
        people_names,
        why_answer,
    )

    engine = _engine(cfg, db)
    where = describe_url(str(engine.url))

    def read() -> tuple[list[ChangeCauses], dict[str, str]]:
        found = change_causes(engine, entity_id, at=at_ts, last=last)
        return found, people_names(engine) if found else {}

    found, names = _run(engine, read)
    if not found and at_ts is None:
        raise fail(f"unknown entity {entity_id}: nothing of it is recorded in {where}")
    answer = why_answer(entity_id, found, zone=_home_zone(cfg), names=names, at=at_ts)
    return answer, where


def why(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. light.kitchen")],
    last: Annotated[
        int, typer.Option("--last", min=1, max=50, help="Explain the last N changes.")
    ] = 1,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The change in force at this time: a time of day (07:10, its last passing), "
            "a date/time (the home's time zone unless it names one) or a duration back from "
            "now (30m, 2h, 1d).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    cfg: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
) -> None:
    """Explain an entity's last change (or the last N, or the one in force at a time): when,
    what, and who or what caused it, back to the first cause."""
    from hearthmind.core import valid_entity_id

    entity_id = entity_id.strip().lower()
    if not valid_entity_id(entity_id):
        raise fail(f"{entity_id!r} is not an entity id (domain.name, e.g. light.kitchen)")
    when = at_time(at, _now(cfg)[0]) if at else None  # "2h": back from the hub's now
    at_iso = when.isoformat() if when else None
    asked = None if db else _from_running_hub(cfg, entity_id, last, at_iso)
    answer, source = asked or _from_database(
        cfg, db, entity_id, last, when.timestamp() if when else None
    )
    if as_json:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    for change in answer["changes"] or [answer]:
        console.print(change["sentence"], markup=False, highlight=False, soft_wrap=True)
        if last == 1 and change["chain"]:  # the chain, from this change back to its first cause
            for n, link in enumerate(change["chain"]):
                who = link["person"] or link["user_id"]
                what = "; ".join(link["what"]) or f"not recorded (context {link['context_id']})"
                by = f" ({link['origin']}" + (f" by {who})" if who else ")")
                step = "  this change: " if n == 0 else "  <- "
                line = step + what + (by if link["what"] else "")
                console.print(line, style="dim", markup=False, highlight=False)
    console.print(f"(from {source})", style="dim", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command()(why)
