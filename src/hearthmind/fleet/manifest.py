"""The run's manifest: one JSON line per space finished (fitted, or reported corrupt or
failed), appended and synced as results arrive, so a run stopped at any point resumes with
the spaces not yet done and never fits a done space twice."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.jsonl"


class Manifest:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / MANIFEST_FILE

    def entries(self) -> list[dict[str, Any]]:
        """Every line in order; a torn last line (a run killed while writing) is left out."""
        if not self.path.is_file():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and "space" in entry:
                out.append(entry)
        return out

    def latest(self) -> dict[str, dict[str, Any]]:
        """Each space's last entry."""
        return {e["space"]: e for e in self.entries()}

    def done(self) -> set[str]:
        """Spaces fitted: a resumed run leaves them alone (corrupt and failed ones are tried
        again, and reported again if they still fail)."""
        return {s for s, e in self.latest().items() if e.get("status") == "ok"}

    def append(self, entries: Iterable[dict[str, Any]], run: str) -> None:
        lines = "".join(json.dumps({**e, "run": run}, sort_keys=True) + "\n" for e in entries)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(lines)
            f.flush()
            os.fsync(f.fileno())
