"""`hearthmind check-config`: everything `run` would load from the folder, checked with the
errors `run` would stop on (file, line, reason), and what nothing reads (warnings), as Home
Assistant's `hass --script check_config`. Exit 1 on an error, 0 otherwise."""

from __future__ import annotations

import typer

from hearthmind.core import ConfigError, HearthmindError, HubConfig, load_config

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, err_console


def config_problems(config: HubConfig) -> tuple[list[str], list[str]]:
    """(errors, warnings) of a loaded configuration, as lines a person reads."""
    from hearthmind.automations import check_config_dir
    from hearthmind.bootstrap import config_warnings
    from hearthmind.core.sections import section_errors

    warnings = [str(w) for w in config_warnings(config)]  # imports every component first
    errors: list[str] = [str(err) for err in section_errors(config)]
    try:
        errors += [str(rejection) for rejection in check_config_dir(config.config_dir)]
    except ConfigError as err:
        errors.append(str(err))
    home = _simulated_home(config)
    if home is not None:
        from hearthmind.integrations.simulator import load_home

        try:
            load_home(home)
        except HearthmindError as err:
            errors.append(str(err))
    return errors, warnings


def _simulated_home(config: HubConfig) -> str | None:
    section = config.raw.get("simulator")
    home = section.get("home") if isinstance(section, dict) else None
    return home if isinstance(home, str) else None


def check_config(config: ConfigDir = DEFAULT_CONFIG) -> None:
    """Check configuration.yaml (and what it includes, secrets, automations) as `run` would
    load it: errors with file and line (exit 1), and every section or key nothing reads."""
    folder = config_dir(config)
    if not (folder / "configuration.yaml").is_file():
        err_console.print(f"[red]error:[/] no configuration.yaml in {folder}", highlight=False)
        raise typer.Exit(1)
    try:
        loaded = load_config(folder, create=False)
    except ConfigError as err:
        err_console.print(f"[red]error:[/] {err}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from err
    errors, warnings = config_problems(loaded)
    for warning in warnings:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    for error in errors:
        err_console.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
    summary = (
        f"{loaded.path}: {len(errors)} error{'s' * (len(errors) != 1)}, "
        f"{len(warnings)} warning{'s' * (len(warnings) != 1)}"
    )
    console.print(summary if errors else f"{summary}: valid", highlight=False)
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("check-config")(check_config)
