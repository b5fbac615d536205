"""Which spaces a fleet has: one recorder database per space (a SQLite file, or a PostgreSQL
URL through the recorder's own engine support), named by a space id."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")  # also a file name for artefacts


class SourceError(ValueError):
    """A fleet listing that cannot be used: names the file, line and reason."""


@dataclass(frozen=True, slots=True)
class Source:
    """One space's recorder: `url` as the recorder takes it (a SQLite path or any URL);
    `zone` the residents' time zone name (None: the database's ground truth says it, or UTC)."""

    space: str
    url: str
    zone: str | None = None


def discover(paths: Iterable[Path], zone: str | None = None) -> list[Source]:
    """Spaces from folders of `*.db` files (the space is the file's stem), single `.db` files,
    and listing files with one `space url [zone]` per line (`#` starts a comment), sorted by
    space. A space listed twice is an error, not a silent pick."""
    found: dict[str, Source] = {}
    for path in paths:
        if path.is_dir():
            sources = [Source(p.stem, str(p), zone) for p in sorted(path.glob("*.db"))]
        elif path.suffix == ".db":
            sources = [Source(path.stem, str(path), zone)]
        elif path.is_file():
            sources = list(_listed(path, zone))
        else:
            raise SourceError(f"{path}: no such folder, database or listing")
        for source in sources:
            if not SPACE_ID.match(source.space):
                raise SourceError(f"{path}: {source.space!r} is not a usable space id")
            if source.space in found:
                raise SourceError(f"{path}: space {source.space!r} is listed twice")
            found[source.space] = source
    return [found[s] for s in sorted(found)]


def _listed(path: Path, zone: str | None) -> Iterable[Source]:
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) not in (2, 3):
            raise SourceError(f"{path}:{n}: expected 'space url [zone]', got {raw!r}")
        yield Source(parts[0], parts[1], parts[2] if len(parts) == 3 else zone)
