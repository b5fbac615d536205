"""The `hearthmind` command (typer + rich). Every command takes `-c/--config DIR`, the
configuration directory, as Home Assistant's `hass -c` does.

Each group of commands lives in its own module with a `register(app)` function. The command
line starts fast: each command imports the hub's heavier packages (the bootstrap with every
component, the recorder, the learner, voice) inside itself, when it runs."""

from __future__ import annotations

import typer

from . import (
    agent,
    automations,
    backup,
    call,
    checkconfig,
    connect,
    fleet,
    hub,
    recorder,
    routines,
    sim,
    spaces,
    states,
    voice,
    why,
)

app = typer.Typer(
    name="hearthmind",
    help="Hearthmind: a local-first, self-driving AI hub for homes and other spaces.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print Hearthmind's version."""
    from hearthmind import __version__

    typer.echo(__version__)


COMMAND_MODULES = (sim, hub, states, call, recorder, why, connect, checkconfig, automations)
for module in (*COMMAND_MODULES, routines, voice, agent, backup, spaces, fleet):
    module.register(app)


def main() -> None:
    app()
