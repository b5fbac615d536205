"""Helpers shared by the log importers: opening (optionally xz-compressed) text files and
reading naive local timestamps."""

from __future__ import annotations

import lzma
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path


class LogFormatError(ValueError):
    """A log cannot be read at all (missing file, wrong format). Single bad lines are skipped
    and counted instead."""


def find_file(folder: Path, *names: str) -> Path | None:
    """The first of `names` (also tried with .xz) that exists in `folder`."""
    for name in names:
        for candidate in (folder / name, folder / f"{name}.xz"):
            if candidate.is_file():
                return candidate
    return None


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text without line ending); undecodable bytes are replaced, not fatal."""
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            yield number, line.rstrip("\r\n").rstrip("\r")


def naive_epoch(text: str, fmt: str) -> float:
    """Local wall time as if it were UTC (the logs carry no time zone)."""
    return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()


def iso_epoch(date_text: str, time_text: str) -> float:
    """'2011-06-15', '01:40:48.900973' -> epoch seconds (fraction optional)."""
    return datetime.fromisoformat(f"{date_text}T{time_text}").replace(tzinfo=UTC).timestamp()
