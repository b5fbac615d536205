"""`hearthmind routines propose ROUTINE_ID`: a learned routine as a Home Assistant automation a
person can pin (routines/proposal.py writes the rule). The routine is found as the agent names
it (agent/units.py: `entity:value@part-of-day`, e.g. `light.kitchen:on@morning`) among the
routines mined from the same history `hearthmind routines` reads; the YAML goes to standard
output, or is appended to an automations.yaml-style file with `--out`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, err_console, fail
from .routines import (
    DbOption,
    LogOption,
    TimeZoneOption,
    _friendly_names,
    _read_history,
    agent_id,
)

if TYPE_CHECKING:
    from hearthmind.routines.readable import Routine

_ID_FORMAT = "entity:value@part-of-day, e.g. light.kitchen:on@morning (see `hearthmind routines`)"


def routines_by_id(found: list[Routine]) -> dict[str, list[Routine]]:
    """Mined routines under the agent's routine ids (a weekday and a weekend form of one habit
    share an id); activities and other non-device items have none."""
    out: dict[str, list[Routine]] = {}
    for routine in found:
        rid = agent_id(routine)
        if rid is not None:
            out.setdefault(rid, []).append(routine)
    return out


def _sensitive(config: Path) -> list[str]:
    """The entities the configuration's agent: section marks sensitive (none if unreadable:
    the built-in safety classes still hold)."""
    from hearthmind.agent.config import AgentConfig
    from hearthmind.core import ConfigError, load_config

    try:
        return load_config(config_dir(config), create=False).section("agent", AgentConfig).sensitive
    except ConfigError:
        return []


def _append(out: Path, text: str, ids: list[str]) -> None:
    """Append to a YAML list of automations; a rule id already in it is refused (pinned
    twice, HA would load one and reject the other)."""
    import yaml

    existing = out.read_text(encoding="utf-8") if out.exists() else ""
    try:
        rules = yaml.safe_load(existing) if existing.strip() else []
    except yaml.YAMLError as err:
        raise fail(f"{out} is not valid YAML: {err}") from err
    if not isinstance(rules, list):
        raise fail(f"{out} is not a list of automations (an automations.yaml holds a list)")
    taken = {r.get("id") for r in rules if isinstance(r, dict)}
    for rule_id in ids:
        if rule_id in taken:
            raise fail(f"{out} already has an automation with id {rule_id!r}: pinned already")
    separator = "" if not existing or existing.endswith("\n") else "\n"
    with out.open("a", encoding="utf-8") as file:
        file.write(separator + text)


def propose(
    routine_id: Annotated[str, typer.Argument(help=f"The routine: {_ID_FORMAT}.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Append the automation to this file (e.g. automations.yaml)."),
    ] = None,
    config: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
    log: LogOption = None,
    time_zone: TimeZoneOption = None,
    min_confidence: Annotated[
        float, typer.Option(help="Routines seen on at least this share of days.")
    ] = 0.5,
    min_support: Annotated[int, typer.Option(help="Routines seen on at least this many days.")] = 3,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write it even for a lock, a garage door, an oven or anything the agent "
            "never does without a person's yes (the rule would not ask).",
        ),
    ] = False,
) -> None:
    """Write a Home Assistant automation (YAML) that does a learned routine: its trigger (the
    event that usually comes first, or the time), its days and window, the service call."""
    import yaml

    from hearthmind.agent.safety import safety_class
    from hearthmind.routines.proposal import ProposalError, automations_for
    from hearthmind.routines.readable import RoutineMiner

    entity, _, rest = routine_id.partition(":")
    if not entity or "@" not in rest:
        raise fail(f"{routine_id!r} is not a routine id: {_ID_FORMAT}")
    home = _read_history(config, db, log, time_zone)
    if home is None:
        raise typer.Exit(1)
    miner = RoutineMiner(min_confidence=min_confidence, min_support=min_support)
    by_id = routines_by_id(miner.mine_log(home))
    if routine_id not in by_id:
        known = ", ".join(sorted(by_id)) or "none yet"
        raise fail(f"no routine {routine_id!r} in this history (routines: {known})")
    unsafe = safety_class(entity, None, _sensitive(config))
    if unsafe is not None and not force:
        raise fail(
            f"{entity} is {unsafe}: the agent never acts on it without a person's yes, and a "
            "rule would not ask; --force writes it anyway"
        )
    names = _friendly_names(config, db) if log is None else {}
    try:
        rules = automations_for(
            by_id[routine_id], routine_id, day_start=miner.day_start, names=names
        )
    except ProposalError as err:
        raise fail(f"cannot make a rule of {routine_id}: {err}") from err
    text = yaml.safe_dump(rules, sort_keys=False, allow_unicode=True, width=100)
    if out is None:
        typer.echo(text, nl=False)
        return
    _append(out, text, [str(rule["id"]) for rule in rules])
    pinned = ", ".join(str(rule["id"]) for rule in rules)
    err_console.print(
        f"appended {len(rules)} automation(s) to {out}: {pinned} "
        "(the hub loads it at start, or now with the service automation.reload); so that the "
        f"agent leaves it to the rule: `hearthmind agent level {routine_id} off`",
        highlight=False,
    )
