"""van Kasteren et al. 2008 (House A, B, C): tab-separated sensor and activity intervals with
a legend of ids in the file header."""

from __future__ import annotations

import re
from pathlib import Path

from ..observations import ActivitySpan, HomeLog, ImportReport, slug, sort_observations
from .common import LogFormatError, find_file, naive_epoch, read_lines
from .intervals import interval_events

_LEGEND = re.compile(r"^\s*\[?\s*(\d+)\s*\]?\s*:?\s*'([^']+)'")
_ROW = re.compile(
    r"^(\d{1,2}-\w{3}-\d{4} \d{1,2}:\d{2}:\d{2})\t+(\d{1,2}-\w{3}-\d{4} \d{1,2}:\d{2}:\d{2})\t+(\d+)"
)
_FMT = "%d-%b-%Y %H:%M:%S"


def _read(
    path: Path, report: ImportReport
) -> tuple[dict[int, str], list[tuple[float, float, int, str]]]:
    legend: dict[int, str] = {}
    rows: list[tuple[float, float, int, str]] = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        row = _ROW.match(line)
        if row is None:
            entry = _LEGEND.match(line)
            if entry:
                legend[int(entry.group(1))] = entry.group(2).strip()
            elif line[:1].isdigit() and "-" in line[:12]:
                report.lines += 1
                report.skip("malformed line", f"{path.name}:{number}: cannot read {line[:80]!r}")
            continue  # header and footer text
        report.lines += 1
        try:
            start, end = naive_epoch(row.group(1), _FMT), naive_epoch(row.group(2), _FMT)
        except ValueError:
            report.skip("malformed line", f"{path.name}:{number}: bad date in {line[:80]!r}")
            continue
        rows.append((start, end, int(row.group(3)), f"{path.name}:{number}"))
    return legend, rows


def find_kasteren_file(folder: Path, kind: str) -> Path | None:
    """`kasterenSenseData.txt` / `kasterenActData.txt` (kind "Sense" / "Act"), also as the
    other houses' copies are often named (`houseB_SenseData.txt`, `kasterenSenseData_B.txt`),
    optionally .xz."""
    exact = find_file(folder, f"kasteren{kind}Data.txt")
    if exact is not None:
        return exact
    pattern = re.compile(rf"{kind}Data[^/]*\.txt(\.xz)?$", re.IGNORECASE)
    found = sorted(p for p in folder.iterdir() if p.is_file() and pattern.search(p.name))
    return found[0] if found else None


def load_kasteren(folder: Path, name: str | None = None) -> HomeLog:
    sense = find_kasteren_file(folder, "Sense")
    acts = find_kasteren_file(folder, "Act")
    if sense is None:
        raise LogFormatError(f"{folder}: no kasterenSenseData.txt (or *SenseData*.txt)")
    report = ImportReport(str(sense))
    legend, rows = _read(sense, report)
    observations = []
    for start, end, sensor_id, where in rows:
        sensor = legend.get(sensor_id)
        if sensor is None:
            report.skip(
                "unknown sensor", f"{where}: sensor id {sensor_id} is not in the file's legend"
            )
            continue
        observations += interval_events(start, end, f"binary_sensor.{slug(sensor)}", report, where)
    spans: list[ActivitySpan] = []
    if acts is not None:
        act_legend, act_rows = _read(acts, report)
        for start, end, act_id, where in act_rows:
            label = act_legend.get(act_id)
            if label is None:
                report.skip("unknown activity", f"{where}: activity id {act_id} not in the legend")
                continue
            spans.append(ActivitySpan(start, end, slug(label)))
    if not observations:
        raise LogFormatError(f"{sense}: no readable sensor intervals ({report.summary()})")
    spans.sort(key=lambda s: s.start)
    return HomeLog(name or folder.name, sort_observations(observations, report), spans, report)
