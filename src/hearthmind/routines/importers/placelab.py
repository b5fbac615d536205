"""MIT PlaceLab (Munguia Tapia 2003): `sensors.csv` names each object sensor; every labelled
activity instance in `activities_data.csv` is a block of 5 lines (label/date/start/end, sensor
ids, object names, activation times, deactivation times). Only events inside labelled
activities exist in this data set. Activities overlap (music while on the phone), and an
activation inside two of them is listed in both blocks: it happened once, so it is one event
(the repeats are counted skips)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..observations import (
    ActivitySpan,
    HomeLog,
    ImportReport,
    Kind,
    Observation,
    slug,
    sort_observations,
)
from .common import LogFormatError, find_file, read_lines

_HEADER = re.compile(
    r"^([^,]+),(\d{1,2})/(\d{1,2})/(\d{4}),(\d{1,2}:\d{1,2}:\d{1,2}),(\d{1,2}:\d{1,2}:\d{1,2})\s*$"
)
# Objects a person switches on themselves: these are actions to learn and predict.
_DEVICE_WORDS = (
    "light switch",
    "lamp",
    "burner",
    "microwave",
    "toaster",
    "coffee",
    "tv",
    "stereo",
    "oven",
    "dishwasher",
    "washing machine",
    "dryer",
    "radio",
    "fan",
)


def _clock(day: datetime, text: str) -> datetime:
    h, m, s = (int(x) for x in text.split(":"))
    return day + timedelta(hours=h, minutes=m, seconds=s)


def load_placelab(folder: Path, name: str | None = None) -> HomeLog:
    sensors_path = find_file(folder, "sensors.csv")
    data_path = find_file(folder, "activities_data.csv")
    if sensors_path is None or data_path is None:
        raise LogFormatError(f"{folder}: needs sensors.csv and activities_data.csv")
    report = ImportReport(str(data_path))
    objects: dict[str, tuple[str, str]] = {}
    for number, line in read_lines(sensors_path):
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 3 or not fields[0].isdigit():
            if line.strip() and number > 1:
                report.skip("malformed line", f"{sensors_path.name}:{number}: {line[:80]!r}")
            continue
        objects[fields[0]] = (fields[1], fields[2])
    # 15 kitchen cabinets are 15 sensors: a name shared by several keeps their ids apart
    shared = Counter(objects.values())
    lines = [line for _, line in read_lines(data_path)]
    observations: list[Observation] = []
    spans: list[ActivitySpan] = []
    activations: set[tuple[str, float]] = set()  # (sensor id, on time): each one once
    i = 0
    while i < len(lines):
        header = _HEADER.match(lines[i].strip())
        if header is None:
            if lines[i].strip():
                report.lines += 1
                report.skip(
                    "malformed line",
                    f"{data_path.name}:{i + 1}: not an activity header: {lines[i][:60]!r}",
                )
            i += 1
            continue
        block = lines[i + 1 : i + 5]
        where = f"{data_path.name}:{i + 1}"
        report.lines += 1
        i += 5
        label, month, dom, year, start_text, end_text = header.groups()
        try:
            day = datetime(int(year), int(month), int(dom), tzinfo=UTC)
            start, end = _clock(day, start_text), _clock(day, end_text)
        except ValueError:
            report.skip(
                "malformed line",
                f"{where}: bad date or time in header: {month}/{dom}/{year} "
                f"{start_text}-{end_text}; the activity and its activations skipped",
            )
            continue
        if end < start:
            end += timedelta(days=1)
        spans.append(ActivitySpan(start.timestamp(), end.timestamp(), slug(label)))
        if len(block) < 4:
            report.skip("malformed line", f"{where}: activity block has fewer than 5 lines")
            continue
        ids, _names, ons, offs = ([f.strip() for f in row.split(",")] for row in block)
        if not (len(ids) == len(ons) == len(offs)):
            report.skip(
                "malformed line", f"{where}: sensor, activation and deactivation counts differ"
            )
            continue
        for sensor_id, on_text, off_text in zip(ids, ons, offs, strict=True):
            if not sensor_id:
                continue
            obj = objects.get(sensor_id)
            if obj is None:
                report.skip(
                    "unknown sensor", f"{where}: sensor id {sensor_id} is not in sensors.csv"
                )
                continue
            try:
                on, off = _clock(day, on_text), _clock(day, off_text)
            except ValueError:
                report.skip("malformed line", f"{where}: bad time {on_text!r}/{off_text!r}")
                continue
            # Times before the activity's start belong to the next day (the block spans midnight).
            if on < start - timedelta(hours=1):
                on += timedelta(days=1)
            if off < on:
                off += timedelta(days=1)
            if (sensor_id, on.timestamp()) in activations:
                report.skip(
                    "repeated activation",
                    f"{where}: {obj[1]} at {on:%H:%M:%S}, listed under an earlier activity too",
                )
                continue
            activations.add((sensor_id, on.timestamp()))
            location, thing = obj
            is_device = any(word in thing.lower() for word in _DEVICE_WORDS)
            domain, kind, origin = (
                ("switch", Kind.ACTION, "physical")
                if is_device
                else ("binary_sensor", Kind.SENSOR, "sensor")
            )
            entity = f"{domain}.{slug(location)}_{slug(thing)}"
            if shared[obj] > 1:
                entity += f"_{sensor_id}"
            observations.append(Observation(on.timestamp(), f"{entity}:on", kind, origin=origin))
            observations.append(Observation(off.timestamp(), f"{entity}:off", kind, origin=origin))
    if not observations:
        raise LogFormatError(f"{data_path}: no readable sensor activations ({report.summary()})")
    spans.sort(key=lambda s: s.start)
    return HomeLog(name or folder.name, sort_observations(observations, report), spans, report)
