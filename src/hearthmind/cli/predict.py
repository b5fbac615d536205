"""`hearthmind predict`: what the hub expects people to do next, when, and why: the folder's
running hub's own predictions when one answers, else learned here from the recorded history
(or a log folder). Only guesses worth showing (routines/showing.py): nothing already so,
nothing under `routines: min_probability`, devices by their friendly names, and the count
shown against the count considered."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console
from .routines import (
    DbOption,
    LogOption,
    TimeZoneOption,
    _friendly_names,
    _read_history,
)


def predict(
    config: ConfigDir = DEFAULT_CONFIG,
    db: DbOption = None,
    log: LogOption = None,
    time_zone: TimeZoneOption = None,
    model: Annotated[
        str, typer.Option(help="The model to learn with (as in `hearthmind eval`).")
    ] = "boosted_ranker",
    top: Annotated[int, typer.Option(min=1, max=50, help="How many guesses to show.")] = 5,
    actions: Annotated[
        bool,
        typer.Option(
            "--actions/--all",
            help="Only what people do to devices (what the agent could do for them), or every "
            "next event, sensors included.",
        ),
    ] = True,
    min_probability: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Leave out guesses under this (default: routines: min_probability, 0.1).",
        ),
    ] = None,
) -> None:
    """What the hub expects next: the running hub's own predictions when one runs from the
    folder, else learned here from the end of the history (--db/--log: always learned here).
    Each guess worth showing with its probability, when, and why; nothing already so."""
    from rich.table import Table

    from hearthmind.routines.observations import Kind
    from hearthmind.routines.predictor import likely_actions
    from hearthmind.routines.readable import describe_item
    from hearthmind.routines.registry import make_model, model_names
    from hearthmind.routines.showing import evidence_text, friendly_item, worth_showing

    if model not in model_names():
        known = ", ".join(model_names())
        err_console.print(f"[red]no model named {model!r}[/red] (models: {known})")
        raise typer.Exit(2)
    if db is None and log is None:
        if _predict_from_running_hub(config, top):
            return
        err_console.print(
            f"[dim]no running hub for {config_dir(config)} (or it learns no routines): "
            "learning from its database here[/dim]"
        )
    threshold = min_probability if min_probability is not None else _min_probability(config)
    learner = make_model(model)
    home = _read_history(config, db, log, time_zone)
    if home is None:
        return
    history = home.observations
    with console.status(f"learning from {len(history):,} events with {learner.name}"):
        try:
            learner.fit([history])
        except ValueError as err:
            err_console.print(f"[red]cannot learn from this history:[/red] {err}")
            raise typer.Exit(1) from err
    now = history[-1].time
    acted = {o.item for o in history if o.kind is Kind.ACTION}
    if actions and not acted:
        console.print("No person's device action in this history: showing every next event.")
        actions = False
    recent = history[-30:]
    wide = max(4 * top, 20)  # room for what the filter leaves out
    guesses = (
        likely_actions(learner, now, recent, acted, wide)
        if actions
        else learner.predict(now, recent, k=wide)
    )
    current: dict[str, str] = {}  # each entity's last value in the history: what is so now
    for obs in history:
        entity, _, value = obs.item.rpartition(":")
        current[entity] = value
    shown = worth_showing(guesses, current.get, threshold, top)
    names = _friendly_names(config, db) if log is None else {}
    # the history is on the residents' wall clock: its times print as they are
    when = datetime.fromtimestamp(now, UTC).strftime("%a %Y-%m-%d %H:%M")
    table = Table(
        title=f"Next, after {describe_item(history[-1].item)} ({when}), by {learner.name}"
    )
    for column in ("", "what", "probability", "around"):
        table.add_column(column, justify="right" if column == "probability" else "left")
    for n, guess in enumerate(shown.kept, start=1):
        around = (
            datetime.fromtimestamp(guess.expected_time, UTC).strftime("%H:%M")
            if guess.expected_time is not None
            else "—"
        )
        what = friendly_item(guess.item, names)
        table.add_row(str(n), what, f"{guess.probability:.0%}", around)
    console.print(table)
    console.print(shown.summary(threshold), highlight=False)
    for n, guess in enumerate(shown.kept, start=1):
        why = evidence_text(learner.explain(guess))
        console.print(
            f"{n}. {friendly_item(guess.item, names)}, {guess.probability:.0%}: {why}",
            highlight=False,
        )


def _min_probability(config: Path) -> float:
    from hearthmind.core import ConfigError, load_config
    from hearthmind.routines.component import RoutinesConfig

    try:
        return (
            load_config(config_dir(config), create=False)
            .section("routines", RoutinesConfig)
            .min_probability
        )
    except ConfigError as err:
        err_console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from err


def _predict_from_running_hub(config: Path, top: int) -> bool:
    """Print the running hub's predictions; False when no hub answers or it learns none."""
    import urllib.error

    from rich.table import Table

    from .hubclient import HubRequestError, find_running_hub

    try:
        hub = find_running_hub(config_dir(config))
        if hub is None:
            return False
        body = hub.get(f"/api/hearthmind/predictions?k={top}")
    except HubRequestError as err:
        if err.status != 404:
            err_console.print(f"[yellow]the running hub: {err}[/yellow]")
        return False
    except (urllib.error.URLError, OSError) as err:
        err_console.print(f"[yellow]the running hub did not answer ({err})[/yellow]")
        return False
    if body.get("model") is None:
        console.print(
            f"The running hub at {hub.url} has not learned yet ({body.get('history', 0)} "
            "events so far).",
            highlight=False,
        )
        return True
    table = Table(title=f"Next, by the running hub at {hub.url} ({body['model']})")
    for column in ("", "what", "probability", "around"):
        table.add_column(column, justify="right" if column == "probability" else "left")
    for n, guess in enumerate(body["predictions"], start=1):
        expected = guess.get("expected_time")
        around = datetime.fromisoformat(expected).strftime("%H:%M") if expected else "—"
        table.add_row(str(n), guess["name"], f"{guess['probability']:.0%}", around)
    console.print(table)
    console.print(body.get("summary", ""), highlight=False)
    for n, guess in enumerate(body["predictions"], start=1):
        console.print(
            f"{n}. {guess['name']}, {guess['probability']:.0%}: {guess['evidence']}",
            highlight=False,
        )
    return True
