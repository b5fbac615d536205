"""The hub's log, as Home Assistant keeps one: a rotating file in the configuration directory
(`hearthmind.log`, as HA's `home-assistant.log`), levels per component from the `logger:`
section (`default:`, `logs: {component: level}`), times in the home's time zone. Each start
moves the last run's log to `logs/hearthmind-<when it ended>.log` (the last few kept, as HA
keeps `home-assistant.log.1`), so the run before a problem can still be read.

The terminal shows warnings and errors (`-v`: info, `-vv`: debug); the file keeps what the
`logger:` section asks (info by default, so there is something to read after a problem)."""

from __future__ import annotations

import logging
import logging.handlers
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .config import register_section

LOG_FILE = "hearthmind.log"
PAST_RUNS_DIR = "logs"
PAST_RUNS_KEPT = 5
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3

Level = Literal["critical", "fatal", "error", "warning", "warn", "info", "debug", "notset"]


class LoggerConfig(BaseModel):
    """The `logger:` section, in Home Assistant's words."""

    model_config = ConfigDict(extra="forbid")

    default: Level = "info"
    logs: dict[str, Level] = Field(default_factory=dict)


register_section("logger", LoggerConfig, unused_ha_keys=("filters",))


class HomeTimeFormatter(logging.Formatter):
    """HA's line shape, the time in the home's zone (the one every person-read time uses)."""

    def __init__(self, zone: tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s (%(threadName)s) [%(name)s] %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        when = datetime.fromtimestamp(record.created, self.zone)
        return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{int(record.msecs):03d}"


def _level(name: str) -> int:
    return logging.getLevelNamesMapping()[
        {"warn": "WARNING", "fatal": "CRITICAL"}.get(name, name.upper())
    ]


def configure_logging(
    config_dir: Path,
    section: LoggerConfig,
    zone: tzinfo,
    verbose: int = 0,
    aliases: Mapping[str, str] | None = None,
) -> Path:
    """Send the hub's logs to `<config_dir>/hearthmind.log` (rotated) and the terminal; a
    component's level may name it short (`mqtt`) when `aliases` maps it to its module."""
    path = config_dir / LOG_FILE
    config_dir.mkdir(parents=True, exist_ok=True)
    keep_last_run(path, zone)
    formatter = HomeTimeFormatter(zone)
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    file_handler.setFormatter(formatter)
    terminal = logging.StreamHandler()
    terminal.setFormatter(formatter)
    terminal.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(file_handler)
    root.addHandler(terminal)
    default = _level(section.default)
    if verbose:
        default = min(default, terminal.level)
    root.setLevel(default)
    for name, level in section.logs.items():
        logger = (aliases or {}).get(name, name)
        logging.getLogger(logger).setLevel(_level(level))
    # libraries that log every request or frame at info stay quiet unless asked for
    for noisy in (
        "uvicorn",
        "uvicorn.error",
        "uvicorn.access",
        "websockets",
        "amqtt",
        "transitions",
        "alembic",
    ):
        if noisy not in section.logs:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def keep_last_run(path: Path, zone: tzinfo) -> Path | None:
    """Move the last run's log beside the others in `logs/`, named by when it ended (in the
    home's zone); keep the newest few."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if st.st_size == 0:
        return None
    past = path.parent / PAST_RUNS_DIR
    past.mkdir(exist_ok=True)
    ended = datetime.fromtimestamp(st.st_mtime, zone).strftime("%Y-%m-%dT%H-%M-%S")
    target = past / f"{path.stem}-{ended}.log"
    path.replace(target)
    for old in sorted(past.glob(f"{path.stem}-*.log"))[:-PAST_RUNS_KEPT]:
        old.unlink(missing_ok=True)
    return target
