"""`hearthmind agent ...`: the running hub's agent, through its API (cli/hubclient.py finds
the hub of the configuration folder and a token it accepts, or `--url` / `--token`):

    hearthmind agent                      on or off, policy, routines by level
    hearthmind agent list [--level act]   routines with level, person, evidence, sentence
    hearthmind agent suggestions [--all]  what it is asking
    hearthmind agent actions              what it did (the last day)
    hearthmind agent answer ID yes        answer a suggestion: yes, no, not_now, never
    hearthmind agent undo [ACTION_ID]     undo an action (the last one without an id)
    hearthmind agent level ROUTINE act    set a routine's level: off, observe, suggest, act
    hearthmind agent forbid ROUTINE       never again
    hearthmind agent off | on             the off switch (switch.hearthmind_agent)
    hearthmind agent opt-out [--back]     a person opts out (--person, default the token's)"""

from __future__ import annotations

import json
import urllib.parse
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .common import (
    DEFAULT_CONFIG,
    EXIT_UNAVAILABLE,
    ConfigDir,
    config_dir,
    console,
    fail,
)

agent_app = typer.Typer(
    help="The agent that acts on learned routines: list, suggestions, answer, undo, level, off/on.",
    invoke_without_command=True,
    no_args_is_help=False,
)

Url = Annotated[str | None, typer.Option("--url", help="The hub's API (default: the folder's).")]
Token = Annotated[
    str | None, typer.Option("--token", envvar="HEARTHMIND_TOKEN", help="An API token.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]
BASE = "/api/hearthmind/agent"


def _ask(
    cfg: Path, url: str | None, token: str | None, method: str, path: str, body: Any = None
) -> Any:
    from .hubclient import HubRequestError, find_running_hub, no_hub_message

    folder = config_dir(cfg)
    try:
        hub = find_running_hub(folder, url, token)
        if hub is None:
            raise fail(no_hub_message(folder, url), EXIT_UNAVAILABLE)
        return hub.request(method, BASE + path, body)
    except HubRequestError as err:
        raise fail(str(err)) from err


def _clock(cfg: Path, ts: float) -> str:
    """A time as the home's clock shows it (its time zone)."""
    from hearthmind.core import ConfigError, load_config

    try:
        zone = load_config(config_dir(cfg), create=False).zone
    except ConfigError:
        zone = None
    return datetime.fromtimestamp(ts, zone).strftime("%H:%M")


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _say(answer: Any, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
    elif isinstance(answer, dict) and "message" in answer:
        console.print(str(answer["message"]), markup=False, highlight=False, soft_wrap=True)
    else:
        console.print(answer, highlight=False)


@agent_app.callback()
def status(
    ctx: typer.Context,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """The agent on the running hub: on or off, its policy, its routines by level."""
    if ctx.invoked_subcommand is not None:
        return
    answer = _ask(cfg, url, token, "GET", "")
    if as_json:
        _say(answer, True)
        return
    levels = ", ".join(f"{n} {level}" for level, n in answer["levels"].items())
    console.print(
        f"agent {'on' if answer['enabled'] else 'OFF'} ({answer['policy']} policy, model "
        f"{answer['model'] or 'not fitted yet'}): {answer['routines']} routines ({levels}), "
        f"{answer['open_suggestions']} open suggestions"
        + (f"; opted out: {', '.join(answer['opted_out'])}" if answer["opted_out"] else ""),
        highlight=False,
    )


@agent_app.command("list")
def list_routines(
    level: Annotated[
        str | None, typer.Option("--level", help="Only routines at this level.")
    ] = None,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Every routine the agent knows: its level, whose it is, its evidence, what it is."""
    found = _ask(cfg, url, token, "GET", "/routines")
    if level is not None:
        found = [r for r in found if r["level"] == level]
    if as_json:
        _say(found, True)
        return
    table = Table(title=f"{len(found)} routines")
    table.add_column("routine", no_wrap=True)  # an id to copy, whole
    for name in ("level", "person", "evidence", "habit"):
        table.add_column(name)
    for r in found:
        ev = r["evidence"]
        rate = "-" if ev["hit_rate"] is None else f"{ev['hit_rate']:.0%} of {ev['recent']}"
        evidence = f"{rate}, streak {ev['streak']}" + (
            f", {ev['reverts']} undone" if ev["reverts"] else ""
        )
        lvl = r["level"] + (
            f" (≤{r['ceiling']})" if r["ceiling"] not in ("act", r["level"]) else ""
        )
        if r.get("refused_by"):  # their own "never": not around them
            lvl += ", not for " + ", ".join(r["refused_by"])
        table.add_row(r["routine_id"], lvl, r["person"] or "-", evidence, r["sentence"])
    console.print(table)


@agent_app.command()
def suggestions(
    everything: Annotated[
        bool, typer.Option("--all", help="The last day's, answered too.")
    ] = False,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """What the agent is asking (answer with `hearthmind agent answer ID yes`)."""
    found = _ask(cfg, url, token, "GET", "/suggestions" + ("?all=1" if everything else ""))
    if as_json:
        _say(found, True)
        return
    if not found:
        console.print("no open suggestions", highlight=False)
    for s in found:
        until = _clock(cfg, s["expires"])
        console.print(
            f"{s['suggestion_id']} [{s['status']}, until {until}] for {s['person'] or 'anyone'}: "
            f"{s['explanation']}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@agent_app.command()
def actions(
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 20,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """What the agent did (the last day), newest first."""
    found = _ask(cfg, url, token, "GET", f"/actions?limit={limit}")
    if as_json:
        _say(found, True)
        return
    if not found:
        console.print("the agent has done nothing today", highlight=False)
    for a in found:
        at = _clock(cfg, a["time"])
        console.print(
            f"{at} {a['action_id']} [{a['status']}] {a['explanation']}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@agent_app.command()
def answer(
    suggestion_id: Annotated[str, typer.Argument(help="The suggestion's id.")],
    reply: Annotated[str, typer.Argument(metavar="ANSWER", help="yes, no, not_now or never")],
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Answer a suggestion."""
    reply = reply.strip().lower().replace(" ", "_").replace("-", "_")
    if reply not in ("yes", "no", "not_now", "never"):
        raise fail(f"answer yes, no, not_now or never, not {reply!r}")
    path = f"/suggestions/{_quote(suggestion_id)}/answer"
    _say(_ask(cfg, url, token, "POST", path, {"answer": reply}), as_json)


@agent_app.command()
def undo(
    action_id: Annotated[
        str | None, typer.Argument(help="The action's id (default: the last action).")
    ] = None,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Undo an action: the device goes back, and the routine learns it was not wanted."""
    path = "/undo" if action_id is None else f"/actions/{_quote(action_id)}/undo"
    _say(_ask(cfg, url, token, "POST", path), as_json)


@agent_app.command()
def level(
    routine_id: Annotated[str, typer.Argument(help="The routine (see `hearthmind agent list`).")],
    new_level: Annotated[str, typer.Argument(metavar="LEVEL", help="off, observe, suggest, act")],
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Set a routine's level: it is then the most the agent does for it."""
    new_level = new_level.strip().lower()
    if new_level not in ("off", "observe", "suggest", "act"):
        raise fail(f"a level is off, observe, suggest or act, not {new_level!r}")
    path = f"/routines/{_quote(routine_id)}/level"
    answer = _ask(cfg, url, token, "POST", path, {"level": new_level})
    if as_json:
        _say(answer, True)
    else:
        console.print(f"{answer['routine_id']}: {answer['level']}", highlight=False)


@agent_app.command()
def forbid(
    routine_id: Annotated[str, typer.Argument(help="The routine (see `hearthmind agent list`).")],
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
) -> None:
    """Never do this routine again (it stays listed, at level off)."""
    answer = _ask(cfg, url, token, "POST", f"/routines/{_quote(routine_id)}/forbid")
    console.print(f"{answer['routine_id']}: off, for good", highlight=False)


@agent_app.command()
def off(cfg: ConfigDir = DEFAULT_CONFIG, url: Url = None, token: Token = None) -> None:
    """Switch the whole agent off (switch.hearthmind_agent)."""
    _ask(cfg, url, token, "POST", "/off")
    console.print("agent off: it does nothing until `hearthmind agent on`", highlight=False)


@agent_app.command()
def on(cfg: ConfigDir = DEFAULT_CONFIG, url: Url = None, token: Token = None) -> None:
    """Switch the agent back on."""
    _ask(cfg, url, token, "POST", "/on")
    console.print("agent on", highlight=False)


@agent_app.command("opt-out")
def opt_out(
    person: Annotated[
        str | None, typer.Option("--person", help="Who (default: the token's user).")
    ] = None,
    back: Annotated[bool, typer.Option("--back", help="Opt back in.")] = False,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
) -> None:
    """A person opts out: the agent does and asks nothing for them."""
    body: dict[str, Any] = {"opted_out": not back}
    if person is not None:
        body["person"] = person
    answer = _ask(cfg, url, token, "POST", "/opt_out", body)
    state = "opted out" if answer["opted_out"] else "opted back in"
    console.print(f"{answer['person']}: {state}", highlight=False)


def register(app: typer.Typer) -> None:
    """Adds `hearthmind agent ...` to the `hearthmind` app."""
    app.add_typer(agent_app, name="agent")
