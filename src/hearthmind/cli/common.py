"""Options shared by every command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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
