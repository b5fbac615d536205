"""CLI commands: automations (checking rules before the hub loads them)."""

from __future__ import annotations

import typer

from hearthmind.core import ConfigError

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console

automations_app = typer.Typer(help="Automations: check rules without starting the hub.")


@automations_app.command("check")
def check(config: ConfigDir = DEFAULT_CONFIG) -> None:
    """List every rejected automation rule (file, line, reason); exit 1 if there is one."""
    from hearthmind.automations import check_config_dir

    try:
        rejections = check_config_dir(config_dir(config))
    except ConfigError as err:
        err_console.print(f"[red]configuration error:[/red] {err}")
        raise typer.Exit(1) from err
    if not rejections:
        console.print("all automation rules are valid")
        return
    for rejection in rejections:
        err_console.print(f"[red]rejected:[/red] {rejection}")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(automations_app, name="automations")
