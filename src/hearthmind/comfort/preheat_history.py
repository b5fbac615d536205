"""What pre-heating learns from the recorder's history: each room's hourly rows for its RC
model (thermal.fit_rc), and when someone is usually home and up, per hour and kind of day.

Rows: the indoor temperature at each hour's start (the room's temperature sensor, or the
thermostat's ``current_temperature``), the outdoor temperature then, and the heat in the hour
as the share of it the thermostat said ``hvac_action: heating`` times the heater's rated
output. Missing readings are NaN; the fit drops those rows.

Occupancy, as the benchmark does (bench/energy_preheat.py, ``occupied_share``): an hour of a
day is *up* when a person is home (``person.*``) and an activity sensor (motion) is on in
it; per work day / weekend and hour, the share of such days it was up. The routines' own
predictions (the agent's ``predictions()``) are the next actions within minutes, not a day's
plan, so they do not say when the house must be warm hours ahead; the recorded hours do.

Functions here are synchronous (run them in an executor): they read the recorder's engine
through its public ``state_histories``."""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any, Literal

import numpy as np
from sqlalchemy import Engine

from hearthmind.recorder import StateRow, state_histories
from hearthmind.routines.timeofday import DAY, to_wall_clock

from .hub_io import float_or_none
from .lp import Array

HOUR = 3600.0
DayKind = Literal["work day", "weekend"]
AWAY = frozenset({"not_home", "away", "unavailable", "unknown"})


def day_kind(wall: float) -> DayKind:
    """1970-01-01 was a Thursday: day 0 is weekday 3."""
    return "weekend" if (int(wall // DAY) + 3) % 7 >= 5 else "work day"


@dataclass(frozen=True)
class StepSeries:
    """A recorded entity as a step function of time: each value holds until the next."""

    times: list[float]
    values: list[Any]

    @classmethod
    def of(cls, rows: Iterable[tuple[float, Any]]) -> StepSeries:
        pairs = sorted(rows, key=lambda r: r[0])
        return cls([t for t, _ in pairs], [v for _, v in pairs])

    def at(self, t: float) -> Any:
        i = bisect.bisect_right(self.times, t) - 1
        return self.values[i] if i >= 0 else None

    def share_true(self, start: float, end: float) -> float:
        """The share of [start, end) the value was truthy (NaN before the first value)."""
        if not self.times or self.times[0] > start:
            return math.nan
        i = bisect.bisect_right(self.times, start) - 1
        on, t, value = 0.0, start, self.values[i]
        for j in range(i + 1, len(self.times)):
            if self.times[j] >= end:
                break
            if value:
                on += self.times[j] - t
            t, value = self.times[j], self.values[j]
        if value:
            on += end - t
        return on / (end - start)


def _number(value: Any) -> float:
    out = float_or_none(value)
    return math.nan if out is None else out


def _series(rows: Sequence[StateRow], read: Any) -> StepSeries:
    return StepSeries.of((r.last_updated_ts, read(r)) for r in rows if r.state is not None)


@dataclass(frozen=True)
class RoomRows:
    t_in: Array
    t_out: Array
    heat_kw: Array

    @property
    def usable(self) -> int:
        ok = np.isfinite(self.t_in[:-1]) & np.isfinite(self.t_in[1:]) & np.isfinite(self.t_out[:-1])
        return int((ok & np.isfinite(self.heat_kw[:-1])).sum())


def room_rows(
    engine: Engine,
    climate: str,
    temperature_sensor: str | None,
    outdoor: str,
    start: float,
    end: float,
    max_heat_kw: float,
) -> RoomRows:
    """The room's hourly rows from `start` (an hour's start) to `end`."""
    ids = [climate, outdoor] + ([temperature_sensor] if temperature_sensor else [])
    found = state_histories(engine, ids, start, end, include_start_state=True)
    thermostat = found.get(climate, [])
    if temperature_sensor:
        indoor = _series(found.get(temperature_sensor, []), lambda r: _number(r.state))
    else:
        indoor = _series(thermostat, lambda r: _number(r.attributes.get("current_temperature")))
    heating = _series(thermostat, lambda r: r.attributes.get("hvac_action") == "heating")
    outside = _series(found.get(outdoor, []), lambda r: _number(r.state))
    hours = max(0, int((end - start) // HOUR))
    starts = [start + k * HOUR for k in range(hours + 1)]
    t_in = np.array([_or_nan(indoor.at(t)) for t in starts])
    t_out = np.array([_or_nan(outside.at(t)) for t in starts])
    duty = np.array([heating.share_true(t, t + HOUR) for t in starts])
    return RoomRows(t_in, t_out, duty * max_heat_kw)


def _or_nan(value: Any) -> float:
    return math.nan if value is None else float(value)


@dataclass
class Occupancy:
    """Per kind of day and hour of the home's day: on how many of the days seen someone
    (and each person) was home and up, and the usual minute the first activity came in an
    hour that began an up stretch (06:40 in the 06:00 hour)."""

    days: dict[DayKind, int] = field(default_factory=lambda: {"work day": 0, "weekend": 0})
    up: dict[DayKind, list[int]] = field(default_factory=dict)
    by_person: dict[str, dict[DayKind, list[int]]] = field(default_factory=dict)
    onset_minutes: dict[DayKind, list[list[float]]] = field(default_factory=dict)

    def share(self, kind: DayKind, hour: int) -> float:
        days = self.days.get(kind, 0)
        return self.up[kind][hour] / days if days else 0.0

    def people(self, kind: DayKind, hour: int, threshold: float) -> list[str]:
        days = self.days.get(kind, 0)
        return sorted(
            p for p, up in self.by_person.items() if days and up[kind][hour] / days >= threshold
        )

    def onset_minute(self, kind: DayKind, hour: int) -> float:
        seen = self.onset_minutes.get(kind, [[] for _ in range(24)])[hour]
        return statistics.median(seen) if seen else 0.0


def _hours_on(series: StepSeries, is_on: Any, first: float, days: int) -> Array:
    """(days, 24) booleans: the value was on at some time in the hour (wall clock)."""
    marks = np.zeros(days * 24, dtype=bool)
    times, values = series.times, series.values
    for i, value in enumerate(values):
        if not is_on(value):
            continue
        a = times[i]
        b = times[i + 1] if i + 1 < len(times) else first + days * DAY
        lo, hi = (
            int((max(a, first) - first) // HOUR),
            int((min(b, first + days * DAY) - first - 1e-6) // HOUR),
        )
        if hi >= lo:
            marks[max(lo, 0) : hi + 1] = True
    return marks.reshape(days, 24)


def _first_on_minute(series: list[StepSeries], first: float, day: int, hour: int) -> float:
    start = first + day * DAY + hour * HOUR
    best = 60.0
    for s in series:
        if s.at(start) == "on":
            return 0.0
        i = bisect.bisect_left(s.times, start)
        while i < len(s.times) and s.times[i] < start + HOUR:
            if s.values[i] == "on":
                best = min(best, (s.times[i] - start) / 60.0)
                break
            i += 1
    return 0.0 if best >= 60.0 else best


def learn_occupancy(
    engine: Engine,
    presence: Sequence[str],
    activity: Sequence[str],
    start: float,
    end: float,
    zone: tzinfo | None,
) -> Occupancy:
    """The whole days of the home between `start` and `end` (epoch s)."""
    found = state_histories(engine, [*presence, *activity], start, end, include_start_state=True)
    # from the first day the recorder saw any of them: the days before are not empty days
    seen = [r.last_updated_ts for rows in found.values() for r in rows[:2]]
    start = max(start, min(seen, default=end))
    # on the home's wall clock (routines.timeofday), where a day is DAY long
    offset = to_wall_clock(start, zone) - start
    first = math.ceil(to_wall_clock(start, zone) / DAY) * DAY
    days = int((to_wall_clock(end, zone) - first) // DAY)
    out = Occupancy()
    if days <= 0:
        return out

    def wall(rows: Sequence[StateRow]) -> StepSeries:
        return StepSeries.of((r.last_updated_ts + offset, r.state) for r in rows)

    moving = [wall(found.get(a, [])) for a in activity]
    active = np.zeros((days, 24), dtype=bool)
    for s in moving:
        active |= _hours_on(s, lambda v: v == "on", first, days)
    if not activity:
        active[:] = True  # no motion sensors: home is taken as up
    homes = {
        p: _hours_on(wall(found.get(p, [])), lambda v: v is not None and v not in AWAY, first, days)
        for p in presence
    }
    someone = np.zeros((days, 24), dtype=bool)
    for home in homes.values():
        someone |= home
    if not presence:
        someone[:] = True
    up = someone & active
    kinds = [day_kind(first + d * DAY) for d in range(days)]
    for kind in ("work day", "weekend"):
        rows = [d for d in range(days) if kinds[d] == kind]
        out.days[kind] = len(rows)
        out.up[kind] = [int(up[rows, h].sum()) for h in range(24)]
        out.onset_minutes[kind] = [
            [
                _first_on_minute(moving, first, d, h)
                for d in rows
                if up[d, h] and (h == 0 or not up[d, h - 1])
            ]
            for h in range(24)
        ]
        for person, home in homes.items():
            mine = home & active
            out.by_person.setdefault(person, {})[kind] = [
                int(mine[rows, h].sum()) for h in range(24)
            ]
    return out
