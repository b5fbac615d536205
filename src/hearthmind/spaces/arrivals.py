"""When a person usually arrives in an area: a routine read from their past arrivals, so a
space can get ready before they come even when nothing announces them (no booking, no ETA).

Arrivals are grouped by day class (weekdays, weekends) and by time of day (arrivals less than
`GAP` apart are one habit); a habit seen on at least `MIN_DAYS` of the last `HISTORY_DAYS`
days, spread no wider than `MAX_SPREAD`, predicts its median time on the next day of its class.
Nothing is predicted from fewer arrivals: a hotel room or a hot desk seen once has no routine."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

DAY = 86400.0
GAP = 45 * 60.0
MIN_DAYS = 3
HISTORY_DAYS = 21
MAX_SPREAD = 60 * 60.0

# how long before an arrival each kind of space starts getting ready (its devices' pace: a
# car's cabin warms in minutes, a home in an hour or more)
LEAD_MINUTES = {"home": 90.0, "vehicle": 15.0, "hotel_room": 60.0, "office": 30.0,
                "data_hall": 30.0}  # fmt: skip


def _weekend(ts: float) -> bool:
    return datetime.fromtimestamp(ts, UTC).weekday() >= 5


class ArrivalRoutine:
    """Past arrivals of one person in one area."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def add(self, ts: float) -> None:
        self.times.append(ts)
        cutoff = ts - HISTORY_DAYS * DAY
        self.times = [t for t in self.times if t >= cutoff]

    def next_after(self, after: float) -> float | None:
        """The next usual arrival after `after` (within two days), or None."""
        best: float | None = None
        for offset in (0, 1, 2):
            day = (after // DAY + offset) * DAY
            weekend = _weekend(day)
            tods = sorted(t % DAY for t in self.times if _weekend(t) == weekend)
            for cluster in _clusters(tods):
                if len(cluster) < MIN_DAYS or cluster[-1] - cluster[0] > MAX_SPREAD:
                    continue
                at = day + statistics.median(cluster)
                if at > after + 60 and (best is None or at < best):
                    best = at
            if best is not None:
                return best
        return best


def _clusters(tods: list[float]) -> list[list[float]]:
    out: list[list[float]] = []
    for tod in tods:
        if out and tod - out[-1][-1] <= GAP:
            out[-1].append(tod)
        else:
            out.append([tod])
    return out
