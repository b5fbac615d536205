"""Importers of real home logs into observations, with format detection by folder content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

from ..observations import HomeLog, on_wall_clock
from .casas import find_casas_file, load_casas
from .common import LogFormatError, find_file
from .homeassistant import is_homeassistant_db, load_homeassistant
from .kasteren import find_kasteren_file, load_kasteren
from .ordonez import load_ordonez
from .placelab import load_placelab
from .smartthings import SmartThingsSplit, is_smartthings_folder, load_smartthings_split

__all__ = [
    "LogFormatError",
    "SmartThingsSplit",
    "detect_format",
    "is_smartthings_folder",
    "load_casas",
    "load_home",
    "load_homeassistant",
    "load_kasteren",
    "load_ordonez",
    "load_placelab",
    "load_smartthings_split",
]

Loader = Callable[[Path, str | None], HomeLog]


def detect_format(path: Path) -> str:
    """Names the log format of a folder (or a Home Assistant database file)."""
    if path.is_file():
        if is_homeassistant_db(path):
            return "homeassistant"
        return "casas"
    if not path.is_dir():
        raise LogFormatError(f"{path}: no such file or folder")
    if find_kasteren_file(path, "Sense"):
        return "kasteren"
    if any(p.name.endswith(("_Sensors.txt", "_Sensors.txt.xz")) for p in path.iterdir()):
        return "ordonez"
    if find_file(path, "activities_data.csv") and find_file(path, "sensors.csv"):
        return "placelab"
    if is_smartthings_folder(path):
        return "smartthings"
    if find_casas_file(path):
        return "casas"
    dbs = [p for p in path.iterdir() if is_homeassistant_db(p)]
    if len(dbs) == 1:
        return "homeassistant"
    raise LogFormatError(
        f"{path}: unknown log format (expected CASAS 'data', kasterenSenseData.txt, *_Sensors.txt, "
        "activities_data.csv + sensors.csv, SmartThings jsonl, or a Home Assistant database)"
    )


def load_home(path: Path, name: str | None = None, *, zone: tzinfo | None = None) -> HomeLog:
    """A home log on its residents' wall clock: logs of local times (CASAS, van Kasteren, ...)
    as they are; a Home Assistant database, which keeps UTC, moved to `zone` (None: UTC)."""
    fmt = detect_format(path)
    if fmt == "smartthings":
        raise LogFormatError(
            f"{path}: SmartThings sequences are not a continuous home log; use --smartthings"
        )
    if fmt == "homeassistant" and path.is_dir():
        path = next(p for p in path.iterdir() if is_homeassistant_db(p))
    loaders: dict[str, Loader] = {
        "casas": load_casas,
        "kasteren": load_kasteren,
        "ordonez": load_ordonez,
        "placelab": load_placelab,
        "homeassistant": load_homeassistant,
    }
    log = loaders[fmt](path, name or (path.name if path.is_dir() else path.stem))
    return on_wall_clock(log, zone) if fmt == "homeassistant" else log
