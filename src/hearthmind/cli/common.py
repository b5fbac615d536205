"""Options shared by every command, and how a command fails: one clear line naming the problem
and an exit code (2: bad input, 1: nothing to talk to), never a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hearthmind.core import HearthmindError, HubConfig
from hearthmind.core.config import DEFAULT_CONFIG_DIR

console = Console()
err_console = Console(stderr=True)

ConfigDir = Annotated[
    Path,
    typer.Option(
        "-c",
        "--config",
        help="Configuration directory (configuration.yaml, database, tokens).",
        envvar="HEARTHMIND_CONFIG",
    ),
]
DEFAULT_CONFIG = DEFAULT_CONFIG_DIR


def config_dir(path: Path) -> Path:
    return path.expanduser()


def warn_unused(config: HubConfig, *sections: str) -> None:
    """Say which keys of `sections` nothing reads (a misspelt `db_uri:` would otherwise
    quietly give the default database), with file and line, as `run` and `check-config` do."""
    from hearthmind.core.sections import unused_parts

    for warning in unused_parts(config):
        if warning.message.split(":")[0].split(".")[0] in sections:
            err_console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


EXIT_USER_ERROR = 2  # bad input: config, home, entity, service data
EXIT_UNAVAILABLE = 1  # nothing to talk to (no database yet, no API answering)


def fail(message: str, code: int = EXIT_USER_ERROR) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one line and an exit code."""
    try:
        yield
    except HearthmindError as err:
        raise fail(str(err)) from err
    except OSError as err:
        raise fail(f"{err.strerror or err}: {err.filename or ''}".rstrip(": ")) from err
