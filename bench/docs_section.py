"""docs/BENCHMARKS.md's sections between markers: a bench's section replaces what stands
between its `<!-- name:start -->` and `<!-- name:end -->` (the markers are part of the
section), or is added at the end when the file has none yet."""

from __future__ import annotations

from pathlib import Path


def write_marked(path: Path, start: str, end: str, section: str) -> None:
    text = path.read_text(encoding="utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
