"""`hearthmind why ENTITY`: who or what made an entity's last changes, from the recorded Context
chain: a person (at the device, by voice, in an app), an automation and its trigger, the
agent's routine, or the device on its own. The same query and words as
`GET /api/hearthmind/why/{entity_id}` (recorder/causes.py, recorder/why.py), read from the
configuration directory's database as `hearthmind history` reads it (SQLite's WAL lets a
running hub keep writing meanwhile)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, fail
from .recorder import DbOption, _engine, _run, parse_when


def why(
    entity_id: Annotated[str, typer.Argument(help="Entity id, e.g. light.kitchen")],
    last: Annotated[
        int, typer.Option("--last", min=1, max=50, help="Explain the last N changes.")
    ] = 1,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The change in force at this time: a date/time (the home's time zone unless "
            "it names one) or a duration back from now (30m, 2h, 1d).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    cfg: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
) -> None:
    """Explain an entity's last change (or the last N, or the one in force at a time): when,
    what, and who or what caused it, back to the first cause."""
    from hearthmind.core import ConfigError, RealClock, load_config, valid_entity_id
    from hearthmind.recorder import (
        ChangeCauses,
        change_causes,
        describe_url,
        people_names,
        why_answer,
    )

    entity_id = entity_id.strip().lower()
    if not valid_entity_id(entity_id):
        raise fail(f"{entity_id!r} is not an entity id (domain.name, e.g. light.kitchen)")
    try:
        zone = load_config(config_dir(cfg), create=False).zone
    except ConfigError as err:
        raise fail(str(err)) from err
    when = parse_when(at, RealClock().now().astimezone(zone)) if at else None
    at_ts = when.timestamp() if when else None
    engine = _engine(cfg, db)
    where = describe_url(str(engine.url))

    def read() -> tuple[list[ChangeCauses], dict[str, str]]:
        found = change_causes(engine, entity_id, at=at_ts, last=last)
        return found, people_names(engine) if found else {}

    found, names = _run(engine, read)
    if not found and at_ts is None:
        raise fail(f"unknown entity {entity_id}: nothing of it is recorded in {where}")
    answer = why_answer(entity_id, found, zone=zone, names=names, at=at_ts)
    if as_json:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    if not answer["changes"]:
        console.print(answer["sentence"], markup=False, highlight=False)
        return
    for change in answer["changes"]:
        console.print(change["sentence"], markup=False, highlight=False, soft_wrap=True)
        if last == 1:  # the chain, from this change back to its first cause
            for n, link in enumerate(change["chain"]):
                who = link["person"] or link["user_id"]
                what = "; ".join(link["what"]) or f"not recorded (context {link['context_id']})"
                by = f" ({link['origin']}" + (f" by {who})" if who else ")")
                step = "  this change: " if n == 0 else "  <- "
                line = step + what + (by if link["what"] else "")
                console.print(line, style="dim", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command()(why)
