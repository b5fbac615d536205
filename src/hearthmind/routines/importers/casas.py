"""CASAS event logs: `date time sensor [room] value [activity ...]`, one event per line.

Two labellings are common: the AL sample labels every event with the activity in progress
(runs of the same label become activity spans), the larger testbeds mark `Activity begin` /
`Activity end`. Both are read."""

from __future__ import annotations

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
from .common import LogFormatError, iso_epoch, read_lines

_BINARY = {"ON": "on", "OFF": "off", "OPEN": "on", "CLOSE": "off", "PRESENT": "on", "ABSENT": "off"}


def find_casas_file(folder: Path) -> Path | None:
    for name in ("data", "data.xz", "data.txt", "data.txt.xz", "annotated", "annotated.xz"):
        if (folder / name).is_file():
            return folder / name
    return None


def load_casas(folder: Path, name: str | None = None) -> HomeLog:
    path = find_casas_file(folder) if folder.is_dir() else folder
    if path is None:
        raise LogFormatError(f"{folder}: no CASAS 'data' file")
    report = ImportReport(str(path))
    # (time, sensor, AL's second name or None, state, label words), read in one pass; the
    # entity names need the whole file (see _entity_names)
    events: list[tuple[float, str, str | None, str, list[str]]] = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        report.lines += 1
        parts = line.split()
        if len(parts) < 4:
            report.skip(
                "malformed line",
                f"{path.name}:{number}: expected 'date time sensor value', got {line[:80]!r}",
            )
            continue
        try:
            when = iso_epoch(parts[0], parts[1])
        except ValueError:
            report.skip(
                "malformed line", f"{path.name}:{number}: bad date/time {parts[0]} {parts[1]!r}"
            )
            continue
        sensor = parts[2]
        # AL's files add a second sensor name: `date time sensor name2 value label`.
        second = parts[3] if len(parts) >= 5 and _is_value(parts[4]) else None
        rest = parts[4:] if second is not None else parts[3:]
        value, label_parts = rest[0], rest[1:]
        state = _BINARY.get(value.upper())
        if state is None and (repaired := _repaired(value)) is not None:
            report.repair(f"{path.name}:{number}: {sensor} value {value!r} read as {repaired}")
            state = _BINARY[repaired]
        if state is None:
            try:
                float(value)
            except ValueError:
                report.skip(
                    "unknown value", f"{path.name}:{number}: unknown value {value!r} of {sensor}"
                )
                continue
            # Numeric readings (temperature, light level) are context, not discrete events.
            report.skip("numeric reading", f"{path.name}:{number}: numeric {sensor}={value}")
            continue
        events.append((when, sensor, second, state, label_parts))
    names = _entity_names(events)
    observations: list[Observation] = []
    labels: list[tuple[float, str | None]] = []  # per-event label (AL style)
    spans: list[ActivitySpan] = []
    open_spans: dict[str, float] = {}
    for when, sensor, second, state, label_parts in events:
        entity = f"binary_sensor.{names[(sensor, second)]}"
        observations.append(Observation(when, f"{entity}:{state}", Kind.SENSOR))
        if label_parts and label_parts[-1].lower() in ("begin", "end"):
            activity = "_".join(label_parts[:-1])
            if label_parts[-1].lower() == "begin":
                open_spans[activity] = when
            elif activity in open_spans:
                spans.append(ActivitySpan(open_spans.pop(activity), when, activity))
        elif label_parts:
            labels.append((when, "_".join(label_parts)))
    if not observations:
        raise LogFormatError(f"{path}: no readable CASAS events ({report.summary()})")
    if labels:
        spans.extend(_runs(sorted(labels)))
    spans.sort(key=lambda s: s.start)
    return HomeLog(name or folder.name, sort_observations(observations, report), spans, report)


def _entity_names(
    events: list[tuple[float, str, str | None, str, list[str]]],
) -> dict[tuple[str, str | None], str]:
    """Entity name of each (sensor, second name) pair. AL's README says the name appears
    twice, but its sample maps several physical sensors to one room-level first name: a door
    contact (`OutsideDoor FrontDoor OPEN`) and a motion sensor (`OutsideDoor Entry ON`), a
    light (`Kitchen KitchenLight`) and the room's motion sensor (`Kitchen Kitchen`). Merged,
    one entity would flip between two devices' states. So a first name used with more than
    one second name keeps the second one too (`outsidedoor_frontdoor`); otherwise the name
    stays as short as the file allows."""
    seconds: dict[str, set[str | None]] = {}
    for _, sensor, second, _, _ in events:
        seconds.setdefault(sensor, set()).add(second)
    names: dict[tuple[str, str | None], str] = {}
    for sensor, found in seconds.items():
        for second in found:
            if len(found) == 1 or second is None or second == sensor:
                names[(sensor, second)] = slug(sensor)
            else:
                names[(sensor, second)] = f"{slug(sensor)}_{slug(second)}"
    return names


def _repaired(value: str) -> str | None:
    """A binary value with stray characters (Aruba, 13 December 2010: motion sensors sent
    `ONc`, `OFF5cc`, `OFcF` for about ten hours): its capital letters, when they spell a known
    value. Counted in the report's `repaired`, so it is never silent."""
    letters = "".join(ch for ch in value if "A" <= ch <= "Z")
    return letters if letters != value and letters in _BINARY else None


def _is_value(text: str) -> bool:
    if text.upper() in _BINARY or _repaired(text) is not None:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def _runs(labels: list[tuple[float, str | None]]) -> list[ActivitySpan]:
    """Consecutive events with the same label form one activity instance."""
    spans: list[ActivitySpan] = []
    start, current, last = labels[0][0], labels[0][1], labels[0][0]
    for when, label in labels[1:]:
        if label != current:
            if current is not None:
                spans.append(ActivitySpan(start, last, current))
            start, current = when, label
        last = when
    if current is not None:
        spans.append(ActivitySpan(start, last, current))
    return spans
