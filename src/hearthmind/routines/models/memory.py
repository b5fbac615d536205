"""The ranker's long memory of one stream: where each item occurred (positions and times), for
features beyond the recent window (how long since it last happened, how often in the last
day), and the stream's entity-state timeline (`routines/timeline.py`), so the state of every
entity (what is open, since when) is known at any position, however long ago it changed."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from ..observations import Observation
from ..timeline import EntityTimeline


class StreamMemory:
    __slots__ = ("positions", "timeline", "times")

    def __init__(self) -> None:
        self.positions: dict[str, list[int]] = {}
        self.times: dict[str, list[float]] = {}
        # the whole stream's timeline: asked about earlier positions while training
        self.timeline = EntityTimeline(changes=True)

    @property
    def length(self) -> int:
        """Observations remembered: the position of the next one."""
        return self.timeline.length

    def add(self, obs: Observation) -> None:
        self.positions.setdefault(obs.item, []).append(self.timeline.length)
        self.times.setdefault(obs.item, []).append(obs.time)
        self.timeline.add(obs)

    @classmethod
    def of(cls, episode: Sequence[Observation]) -> StreamMemory:
        memory = cls()
        for obs in episode:
            memory.add(obs)
        return memory

    def occurrences(self, item: str, before: int, now: float) -> tuple[float, float, float]:
        """(log seconds since it last occurred, occurrences in the last 24 h, today since
        04:00), counting only positions before `before`."""
        positions = self.positions.get(item)
        if not positions:
            return (-1.0, 0.0, 0.0)
        k = bisect.bisect_left(positions, before)
        if k == 0:
            return (-1.0, 0.0, 0.0)
        times = self.times[item]
        since = math.log1p(max(0.0, now - times[k - 1]))
        day = bisect.bisect_left(times, now - 86400.0, 0, k)
        morning = (now - 4 * 3600.0) // 86400.0 * 86400.0 + 4 * 3600.0
        today = bisect.bisect_left(times, morning, 0, k)
        return (since, float(k - day), float(k - today))
