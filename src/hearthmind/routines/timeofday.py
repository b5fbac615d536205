"""Time-of-day helpers: hour slots, weekdays, circular statistics of clock times.

Times here are *wall-clock* epochs: seconds as if the residents' local clock were UTC, so
`t % DAY` is the time on their clock, through summer time too. Logs that give local times are
read that way; recorders and Home Assistant store true UTC, turned into wall-clock time with
`to_wall_clock` (and back with `from_wall_clock`)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

DAY = 86400.0
SLOT_HOURS = 3  # the SmartThings data's 3-hour slots; also the Markov context


def _offset(t: float, zone: tzinfo) -> float:
    delta = datetime.fromtimestamp(t, zone).utcoffset()
    return 0.0 if delta is None else delta.total_seconds()


def to_wall_clock(t: float, zone: tzinfo | None) -> float:
    """A UTC epoch as the residents' clock shows it (an epoch read as if local were UTC)."""
    return t if zone is None else t + _offset(t, zone)


def from_wall_clock(wall: float, zone: tzinfo | None) -> float:
    """Back to the UTC epoch (an hour that summer time skips or repeats maps to one of its
    candidates; it is a prediction's time, not a record)."""
    if zone is None:
        return wall
    guess = wall - _offset(wall, zone)
    return wall - _offset(guess, zone)


SPARSE_SHARE = 0.01  # of the median day's events: below it, a day holds stray events only


def lived_days(events_per_day: Mapping[int, int]) -> list[int]:
    """The days of living in the home, in order. A day holding only a stray event or two (under
    1 % of the median day) is the tail of something that began before, not a day lived: in
    van Kasteren's house B, doors left open when the recording stopped on 5 August close on
    15-17 August. When fewer than two days would be left, every day counts."""
    days = sorted(events_per_day)
    if not days:
        return []
    floor = SPARSE_SHARE * statistics.median(events_per_day.values())
    lived = [d for d in days if events_per_day[d] >= floor]
    return lived if len(lived) >= 2 else days


def seconds_of_day(t: float) -> float:
    return t % DAY


def hour_of_day(t: float) -> float:
    return (t % DAY) / 3600.0


def hour_slot(t: float) -> int:
    return int(hour_of_day(t) // SLOT_HOURS)


def weekday(t: float) -> int:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return int((t // DAY + 3) % 7)


def is_weekend(t: float) -> bool:
    return weekday(t) >= 5


def day_index(t: float, start: float = 0.0) -> int:
    """The day `t` falls in, for days that begin `start` seconds after midnight."""
    return int((t - start) // DAY)


NIGHT_HOURS = (20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7, 8)


def quietest_hour(times: Iterable[float], hours: Sequence[int] = NIGHT_HOURS) -> int:
    """The hour (of `hours`, by default the night's) in the middle of the three quietest hours:
    where a home's day turns over while people sleep. Midnight is a poor boundary for "the
    first time each day": going to bed at 00:30 would count as the next day's first. Only the
    night is searched, as a home left empty all working day is quiet at noon too. No data:
    midnight."""
    counts = [0] * 24
    for t in times:
        counts[int(hour_of_day(t)) % 24] += 1
    return min(hours, key=lambda h: (counts[h - 1] + counts[h] + counts[(h + 1) % 24], h % 24))


def home_day_start(times: Iterable[float]) -> float:
    """Seconds after midnight where a home's days begin: its quietest night hour."""
    return quietest_hour(times) * 3600.0


@dataclass(frozen=True, slots=True)
class CircularSummary:
    """Circular mean time of day (seconds), resultant length R in [0, 1] (1 = always the same
    minute) and the circular standard deviation in seconds."""

    mean: float
    resultant: float
    std: float
    n: int


def circular_summary(seconds: Sequence[float]) -> CircularSummary:
    if not seconds:
        return CircularSummary(0.0, 0.0, DAY / 2, 0)
    s = c = 0.0
    for x in seconds:
        a = 2 * math.pi * x / DAY
        s += math.sin(a)
        c += math.cos(a)
    n = len(seconds)
    # identical times can round to a resultant a hair above 1; its log would be positive
    r = min(1.0, math.hypot(s, c) / n)
    mean = (math.atan2(s, c) % (2 * math.pi)) * DAY / (2 * math.pi)
    std = math.sqrt(-2 * math.log(r)) * DAY / (2 * math.pi) if r > 1e-12 else DAY / 2
    return CircularSummary(mean, r, min(std, DAY / 2), n)


def circular_distance(a: float, b: float) -> float:
    """Smallest distance in seconds between two clock times."""
    d = abs(a - b) % DAY
    return min(d, DAY - d)


def circular_quantile_window(
    seconds: Sequence[float], mean: float, share: float
) -> tuple[float, float]:
    """The clock-time window centred on `mean` holding `share` of the points (as offsets)."""
    offsets = sorted(((x - mean + DAY / 2) % DAY) - DAY / 2 for x in seconds)
    if not offsets:
        return mean, mean
    cut = (1 - share) / 2
    lo = offsets[int(cut * (len(offsets) - 1))]
    hi = offsets[round((1 - cut) * (len(offsets) - 1))]
    return (mean + lo) % DAY, (mean + hi) % DAY


def clock_text(seconds: float) -> str:
    m = round(seconds / 60) % (24 * 60)
    return f"{m // 60:02d}:{m % 60:02d}"
