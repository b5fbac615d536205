"""van Kasteren et al. 2008 (House A, B, C): tab-separated sensor and activity intervals with
a legend of ids in the file header.

Copies of the other houses come in two more shapes, both read here: a file without the
legend (ids only; the sensors are then named by id, `binary_sensor.sensor_25`) and the
transfer-learning repackaging's day splits, `houseB-ss-train.txt` + `houseB-ss-test.txt`
(sensor intervals) and `houseB-as-*.txt` (activities), without the `val` column, which are
read together as one log."""

from __future__ import annotations

import re
from pathlib import Path

from ..observations import ActivitySpan, HomeLog, ImportReport, slug, sort_observations
from .common import LogFormatError, find_file, naive_epoch, read_lines
from .intervals import interval_events

_LEGEND = re.compile(r"^\s*\[?\s*(\d+)\s*\]?\s*:?\s*'([^']+)'")
_ROW = re.compile(
    r"^(\d{1,2}-\w{3}-\d{4} \d{1,2}:\d{2}:\d{2})[\t,]+(\d{1,2}-\w{3}-\d{4} \d{1,2}:\d{2}:\d{2})[\t,]+(\d+)"
)
# the repackaged day splits: <house>-ss-<part>.txt (sensors), <house>-as-<part>.txt (activities)
_SPLIT_KIND = {"Sense": "ss", "Act": "as"}
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
    other houses' copies are often named (`houseB_SenseData.txt`, `kasterenSenseData_B.txt`,
    `houseB-ss-train.txt`), optionally .xz."""
    found = find_kasteren_files(folder, kind)
    return found[0] if found else None


def find_kasteren_files(folder: Path, kind: str) -> list[Path]:
    """The file(s) of one kind: the one named file, or else every part of a day split (its
    train and test parts hold different days of the same house)."""
    exact = find_file(folder, f"kasteren{kind}Data.txt")
    if exact is not None:
        return [exact]
    named = re.compile(rf"{kind}Data[^/]*\.txt(\.xz)?$", re.IGNORECASE)
    split = re.compile(rf"-{_SPLIT_KIND[kind]}-[^/]*\.txt(\.xz)?$", re.IGNORECASE)
    files = sorted(p for p in folder.iterdir() if p.is_file())
    found = [p for p in files if named.search(p.name)]
    if found:
        return found[:1]
    return [p for p in files if split.search(p.name)]


def _name(legend: dict[int, str], number: int, prefix: str) -> str | None:
    """A legend's name for an id; files without any legend name it by the id."""
    if not legend:
        return f"{prefix}_{number}"
    return legend.get(number)


def load_kasteren(folder: Path, name: str | None = None) -> HomeLog:
    senses = find_kasteren_files(folder, "Sense")
    if not senses:
        raise LogFormatError(
            f"{folder}: no kasterenSenseData.txt (or *SenseData*.txt, or *-ss-*.txt day splits)"
        )
    report = ImportReport(", ".join(str(p) for p in senses))
    legend, rows = _read_all(senses, report)
    observations = []
    seen: set[tuple[float, float, int]] = set()
    for start, end, sensor_id, where in rows:
        sensor = _name(legend, sensor_id, "sensor")
        if sensor is None:
            report.skip(
                "unknown sensor", f"{where}: sensor id {sensor_id} is not in the file's legend"
            )
            continue
        if (start, end, sensor_id) in seen:
            # the same interval listed twice (a copy's split parts overlap, or the file repeats
            # a line): the sensor fired once
            report.skip("repeated interval", f"{where}: sensor id {sensor_id} listed again")
            continue
        seen.add((start, end, sensor_id))
        observations += interval_events(start, end, f"binary_sensor.{slug(sensor)}", report, where)
    spans: list[ActivitySpan] = []
    acts = find_kasteren_files(folder, "Act")
    if acts:
        act_legend, act_rows = _read_all(acts, report)
        listed: set[tuple[float, float, int]] = set()
        for start, end, act_id, where in act_rows:
            label = _name(act_legend, act_id, "activity")
            if label is None:
                report.skip("unknown activity", f"{where}: activity id {act_id} not in the legend")
                continue
            if (start, end, act_id) not in listed:
                listed.add((start, end, act_id))
                spans.append(ActivitySpan(start, end, slug(label)))
    if not observations:
        raise LogFormatError(f"{senses[0]}: no readable sensor intervals ({report.summary()})")
    spans.sort(key=lambda s: s.start)
    return HomeLog(name or folder.name, sort_observations(observations, report), spans, report)


def _read_all(
    paths: list[Path], report: ImportReport
) -> tuple[dict[int, str], list[tuple[float, float, int, str]]]:
    legend: dict[int, str] = {}
    rows: list[tuple[float, float, int, str]] = []
    for path in paths:
        part_legend, part_rows = _read(path, report)
        legend.update(part_legend)
        rows += part_rows
    return legend, rows
