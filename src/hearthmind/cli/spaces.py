"""`hearthmind spaces ...` and `hearthmind profile ...`: the running hub's spaces and the
profiles of the people whose home it is, through its API (cli/hubclient.py finds the hub of
the configuration folder and a token it accepts, or `--url` / `--token`):

    hearthmind spaces                          spaces by kind, their areas, who stays where
    hearthmind spaces applications             profiles applied here, explained
    hearthmind spaces undo ACTION_ID           put back what an application replaced
    hearthmind profile show PERSON             the whole profile: values, where learned, how sure
    hearthmind profile export PERSON [-o F]    the profile as JSON (a file, or the screen)
    hearthmind profile set PERSON KEY VALUE [--context travel] [--activity evening]
    hearthmind profile share PERSON KIND [CATEGORY ...]   what a kind of space may have
    hearthmind profile delete PERSON --yes     here and in every hub it went to"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .common import DEFAULT_CONFIG, EXIT_UNAVAILABLE, ConfigDir, config_dir, console, fail

spaces_app = typer.Typer(
    help="Spaces (home, car, hotel room, office) and who stays where.",
    invoke_without_command=True,
    no_args_is_help=False,
)
profile_app = typer.Typer(
    help="A person's portable profile: show, export, set, share, delete.", no_args_is_help=True
)

Url = Annotated[str | None, typer.Option("--url", help="The hub's API (default: the folder's).")]
Token = Annotated[
    str | None, typer.Option("--token", envvar="HEARTHMIND_TOKEN", help="An API token.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")]


def _ask(
    cfg: Path, url: str | None, token: str | None, method: str, path: str, body: Any = None
) -> Any:
    from .hubclient import HubRequestError, find_running_hub, no_hub_message

    folder = config_dir(cfg)
    try:
        hub = find_running_hub(folder, url, token)
        if hub is None:
            raise fail(no_hub_message(folder, url), EXIT_UNAVAILABLE)
        return hub.request(method, "/api/hearthmind" + path, body)
    except HubRequestError as err:
        raise fail(str(err)) from err


def _q(text: str) -> str:
    return urllib.parse.quote(text, safe="")


@spaces_app.callback()
def spaces_list(
    ctx: typer.Context,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Spaces by kind, their areas, and who stays in each."""
    if ctx.invoked_subcommand is not None:
        return
    answer = _ask(cfg, url, token, "GET", "/spaces")
    if as_json:
        console.print_json(json.dumps(answer))
        return
    table = Table("space", "kind", "area", "stay")
    for space in answer:
        for area in space["areas"]:
            stay = area["stay"]
            who = (
                ""
                if stay is None
                else f"{stay['person']} ({'here' if stay['present'] else 'expected'})"
            )
            table.add_row(space["name"], space["kind"], area["name"], who)
    console.print(table)


@spaces_app.command()
def applications(
    cfg: ConfigDir = DEFAULT_CONFIG, url: Url = None, token: Token = None, as_json: AsJson = False
) -> None:
    """Profiles applied in this hub's spaces, newest first, with their explanations."""
    answer = _ask(cfg, url, token, "GET", "/spaces/applications")
    if as_json:
        console.print_json(json.dumps(answer))
        return
    for app in answer:
        console.print(
            f"[bold]{app['action_id']}[/] {app['status']} ({app['taken_share']:.0%} taken): "
            f"{app['explanation']}"
        )


@spaces_app.command()
def undo(
    action_id: str, cfg: ConfigDir = DEFAULT_CONFIG, url: Url = None, token: Token = None
) -> None:
    """Put back what an application of a profile replaced."""
    answer = _ask(cfg, url, token, "POST", f"/spaces/applications/{_q(action_id)}/undo")
    console.print(f"undone: {answer['explanation']}")


@profile_app.command()
def show(
    person: str,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """A person's profile: each value, where it was learned and how sure; what is shared."""
    answer = _ask(cfg, url, token, "GET", f"/profiles/{_q(person)}")
    if as_json:
        console.print_json(json.dumps(answer))
        return
    table = Table("context", "activity", "preference", "value", "learned", "sure")
    for ctx, acts in answer["preferences"].items():
        for act, keys in acts.items():
            for key, value in keys.items():
                table.add_row(
                    ctx,
                    act,
                    key,
                    str(value["value"]),
                    value["source"],
                    f"{value['confidence']:.2f}",
                )
    console.print(table)
    for kind, cats in answer["consent"].items():
        console.print(f"shared with {kind}: {', '.join(cats) or 'nothing'}")
    for peer in answer.get("shared_with", []):
        console.print(f"given to hub {peer['peer']} ({peer['kind']})")


@profile_app.command()
def export(
    person: str,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="A file.")] = None,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
) -> None:
    """The whole profile as JSON."""
    answer = _ask(cfg, url, token, "GET", f"/profiles/{_q(person)}/export")
    text = json.dumps(answer, indent=1, ensure_ascii=False)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


@profile_app.command("set")
def set_value(
    person: str,
    key: str,
    value: str,
    context: Annotated[str, typer.Option("--context", help="home, travel or work")] = "home",
    activity: Annotated[str, typer.Option("--activity", help="day, evening or sleep")] = "day",
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
) -> None:
    """Set a preference yourself (kept over what the hub learns)."""
    number: Any
    try:
        number = float(value)
    except ValueError:
        number = value
    body = {"context": context, "activity": activity, "key": key, "value": number}
    _ask(cfg, url, token, "POST", f"/profiles/{_q(person)}", body)
    console.print(f"{person}: {key} = {value} ({context}, {activity})")


@profile_app.command()
def share(
    person: str,
    kind: str,
    categories: Annotated[
        list[str] | None, typer.Argument(help="comfort light media language")
    ] = None,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
) -> None:
    """What a kind of space (home, vehicle, hotel_room, office) may have; none: nothing."""
    body = {"kind": kind, "categories": list(categories or [])}
    _ask(cfg, url, token, "POST", f"/profiles/{_q(person)}", body)
    console.print(f"{person} shares with {kind}: {', '.join(categories or []) or 'nothing'}")


@profile_app.command()
def delete(
    person: str,
    yes: Annotated[bool, typer.Option("--yes", help="Really delete.")] = False,
    cfg: ConfigDir = DEFAULT_CONFIG,
    url: Url = None,
    token: Token = None,
) -> None:
    """Delete a profile here and in every hub it was given to."""
    if not yes:
        raise fail(f"this deletes {person}'s profile everywhere it went: add --yes")
    answer = _ask(cfg, url, token, "DELETE", f"/profiles/{_q(person)}")
    console.print(f"deleted {person}; reached: {', '.join(answer['reached']) or 'no other hub'}")
    if answer["pending"]:
        console.print(f"not reached yet (kept to send again): {', '.join(answer['pending'])}")


def register(app: typer.Typer) -> None:
    """Adds `hearthmind spaces ...` and `hearthmind profile ...`."""
    app.add_typer(spaces_app, name="spaces")
    app.add_typer(profile_app, name="profile")
