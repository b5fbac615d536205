"""What the learning core works on: plain observations, independent of the recorder's tables.

An `Observation` is one thing that happened at one time: a person acting on a device
(`action`), a sensor reading (`sensor`), or the start of a labelled activity (`activity`).
Importers and the recorder adapter both produce these, so models never wait on storage."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    ACTION = "action"  # a person acted on a device (learned from, predicted)
    SENSOR = "sensor"  # a sensor reported something (context, and next-event prediction)
    ACTIVITY = "activity"  # an annotated activity started (ground truth of home logs)


def is_number(value: Any) -> bool:
    """A numeric reading (a temperature, a set-point): context, or an attribute, never a
    state to learn as an event."""
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


SETPOINT_STEP = 0.5  # degrees: set-points closer than this are the same choice


def learned_value(entity_id: str, state: str, attributes: Mapping[str, Any] | None) -> str:
    """What a person chose, as the learner sees it: the state, except for a thermostat that
    heats or cools to a set-point, where the set-point is the choice ("heat@20.5"). With the
    mode alone the hub would learn *when* someone sets the thermostat, never *what* they
    want, and a new set-point in the same mode would not be an event at all."""
    if not entity_id.startswith("climate.") or state == "off" or not attributes:
        return state
    target = attributes.get("temperature")
    if isinstance(target, bool) or not isinstance(target, int | float):
        return state
    return f"{state}@{round(target / SETPOINT_STEP) * SETPOINT_STEP:g}"


def is_attribute_report(
    before: tuple[str | None, Mapping[str, Any]] | None,
    value: str | None,
    attributes: Mapping[str, Any],
    by_person: bool,
) -> bool:
    """A device reporting new attributes with the same learned value as `before` (its last
    value and attributes), e.g. a thermostat's room temperature: not an event to learn. A
    repeated reading (motion ON twice, same attributes) and a person's change are events.
    The recorder reader and the live learner both ask this, so they learn the same stream."""
    return not by_person and before is not None and before[0] == value and before[1] != attributes


def state_of(entity_id: str, value: str) -> tuple[str, dict[str, Any]]:
    """The inverse of `learned_value`: the state and attributes to write for a learned value
    ("heat@20.5" -> "heat", {"temperature": 20.5})."""
    if entity_id.startswith("climate.") and "@" in value:
        mode, _, setpoint = value.partition("@")
        try:
            return mode, {"temperature": float(setpoint)}
        except ValueError:
            pass
    return value, {}


@dataclass(frozen=True, slots=True)
class Observation:
    """`time` is epoch seconds. Logs that only give local wall time are read as if it were UTC,
    so hour-of-day features see the residents' own clock."""

    time: float
    item: str  # "entity_id:state", e.g. "light.kitchen:on" or "binary_sensor.bedroom:on"
    kind: Kind = Kind.SENSOR
    user_id: str | None = None
    origin: str = "sensor"  # core.Origin value: physical, voice, app, sensor, ...

    @property
    def entity_id(self) -> str:
        return self.item.rsplit(":", 1)[0]

    @property
    def value(self) -> str:
        return self.item.rsplit(":", 1)[1] if ":" in self.item else ""

    @property
    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.time, UTC)


Episode = Sequence[Observation]
"""One uninterrupted stretch of history. A home log is one long episode; SmartThings gives
many short ones (10 controls each)."""


@dataclass(frozen=True, slots=True)
class ActivitySpan:
    start: float
    end: float
    label: str


@dataclass
class ImportReport:
    """What an importer read and what it skipped, by reason. Skips are counted, never silent."""

    source: str
    lines: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    reordered: int = 0  # observations that arrived out of time order and were sorted back
    repaired: int = 0  # values read after stripping stray characters (kept, not skipped)

    def skip(self, reason: str, message: str) -> None:
        self.skipped[reason] += 1
        if len(self.messages) < 50:  # keep the first few readable; counts keep the rest
            self.messages.append(message)

    def repair(self, message: str) -> None:
        self.repaired += 1
        if len(self.messages) < 50:
            self.messages.append(message)

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        parts = [f"{self.source}: {self.lines} lines read"]
        if self.skipped:
            parts.append(
                "skipped " + ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
            )
        if self.repaired:
            parts.append(f"{self.repaired} values repaired")
        if self.reordered:
            parts.append(f"{self.reordered} out of time order (sorted)")
        return "; ".join(parts)


@dataclass
class HomeLog:
    """An imported home: observations in time order, optional activity labels."""

    name: str
    observations: list[Observation]
    activities: list[ActivitySpan] = field(default_factory=list)
    report: ImportReport = field(default_factory=lambda: ImportReport("?"))

    def activity_observations(self) -> list[Observation]:
        """Each activity instance as an observation at its start, for next-activity prediction."""
        return [
            Observation(a.start, f"activity.{a.label}:start", Kind.ACTIVITY, origin="physical")
            for a in self.activities
        ]

    @property
    def days(self) -> int:
        return len({int(o.time // 86400) for o in self.observations})


def on_wall_clock(log: HomeLog, zone: tzinfo | None) -> HomeLog:
    """A log of true UTC times (a recorder, Home Assistant) on the residents' wall clock, so
    habits keep their hour through summer time and routines read as their clock shows."""
    from .timeofday import to_wall_clock

    return _retimed(log, zone, to_wall_clock)


def from_wall_clock_log(log: HomeLog, zone: tzinfo | None) -> HomeLog:
    """The inverse: a log of local times (CASAS, van Kasteren, ...) in UTC, for a recorder."""
    from .timeofday import from_wall_clock

    return _retimed(log, zone, from_wall_clock)


def _retimed(
    log: HomeLog, zone: tzinfo | None, shift: Callable[[float, tzinfo | None], float]
) -> HomeLog:
    if zone is None:
        return log
    observations = [
        Observation(shift(o.time, zone), o.item, o.kind, o.user_id, o.origin)
        for o in log.observations
    ]
    spans = [
        ActivitySpan(shift(a.start, zone), shift(a.end, zone), a.label) for a in log.activities
    ]
    return HomeLog(log.name, observations, spans, log.report)


def sort_observations(
    observations: Iterable[Observation], report: ImportReport
) -> list[Observation]:
    """Sorts by time (stable), counting how many arrived out of order."""
    obs = list(observations)
    out_of_order = sum(1 for a, b in itertools.pairwise(obs) if b.time < a.time)
    if out_of_order:
        report.reordered += out_of_order
        report.messages.append(f"{out_of_order} observations out of time order; sorted by time")
    obs.sort(key=lambda o: o.time)
    return obs


def slug(text: str) -> str:
    """A Home Assistant object id from a free-text sensor name: 'Hall-Toilet door' ->
    'hall_toilet_door'."""
    out = []
    for ch in text.strip().lower():
        out.append(ch if ch.isalnum() else "_")
    s = "".join(out)
    while "__" in s:
        s = s.replace("__", "_")
    return s.strip("_") or "unnamed"
