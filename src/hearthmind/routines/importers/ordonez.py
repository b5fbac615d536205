"""Ordóñez et al. (UCI ADL binary sensors): `Start End Location Type Place` intervals and
`Start End Activity` labels, separated by runs of tabs."""

from __future__ import annotations

import re
from pathlib import Path

from ..observations import ActivitySpan, HomeLog, ImportReport, slug, sort_observations
from .common import LogFormatError, naive_epoch, read_lines
from .intervals import interval_events

_STAMP = r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"
_ROW = re.compile(rf"^\s*{_STAMP}\s+{_STAMP}\s+(.+?)\s*$")
_FMT = "%Y-%m-%d %H:%M:%S"


def _rows(path: Path, report: ImportReport) -> list[tuple[float, float, list[str], str]]:
    out = []
    for number, line in read_lines(path):
        if not line.strip() or line.startswith(("Start", "---")):
            continue
        report.lines += 1
        match = _ROW.match(line)
        if match is None:
            report.skip("malformed line", f"{path.name}:{number}: cannot read {line[:80]!r}")
            continue
        try:
            start, end = naive_epoch(match.group(1), _FMT), naive_epoch(match.group(2), _FMT)
        except ValueError:
            report.skip("malformed line", f"{path.name}:{number}: bad date in {line[:80]!r}")
            continue
        out.append((start, end, match.group(3).split(), f"{path.name}:{number}"))
    return out


def _find(folder: Path, suffix: str) -> Path | None:
    found = sorted(p for p in folder.iterdir() if re.search(rf"_{suffix}\.txt(\.xz)?$", p.name))
    return found[0] if found else None


def load_ordonez(folder: Path, name: str | None = None) -> HomeLog:
    sensors = _find(folder, "Sensors")
    if sensors is None:
        raise LogFormatError(f"{folder}: no *_Sensors.txt file")
    report = ImportReport(str(sensors))
    observations = []
    for start, end, fields, where in _rows(sensors, report):
        if len(fields) != 3:
            report.skip("malformed line", f"{where}: expected 'Location Type Place', got {fields}")
            continue
        location, _type, place = fields
        entity = f"binary_sensor.{slug(place)}_{slug(location)}"
        observations += interval_events(start, end, entity, report, where)
    spans = []
    adls = _find(folder, "ADLs")
    if adls is not None:
        for start, end, fields, where in _rows(adls, report):
            if len(fields) != 1:
                report.skip("malformed line", f"{where}: expected one activity name, got {fields}")
                continue
            spans.append(ActivitySpan(start, end, slug(fields[0])))
    if not observations:
        raise LogFormatError(f"{sensors}: no readable sensor intervals ({report.summary()})")
    spans.sort(key=lambda s: s.start)
    return HomeLog(name or folder.name, sort_observations(observations, report), spans, report)
