"""What each entity is doing, and since when: the one entity-state timeline of the routines.

A stream of observations (`entity:value`) is, per entity, a run of stays: a value held from
the moment it was first seen until the entity showed another one. `EntityTimeline` follows
that stream and answers, with one set of rules for every reader (the count tables in
`models/stats.py`, the ranker's features and memory, the readable routines):

- each entity's current value and since when (a repeated value is the same stay, not a new
  one);
- optionally, where each stay began in the stream, so the state of every entity is known at
  any earlier position however long ago it changed (`changes=True`, the ranker's memory);
- optionally, how long the recent stays of each (entity, value) lasted, for medians and
  hazards (`stays=True`, the count tables);
- what counts as open: `is_open`, one definition for all of them.

A timeline covers what it was handed: the whole stream, or a window of the last events
(`EntityTimeline.of(window)`); the scope is the caller's choice, stated where it is made."""

from __future__ import annotations

import bisect
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

from .observations import Observation

RECENT_SAMPLE = 300  # stays (and delays) kept per key, the most recent: enough for medians

# The values that open a stay which a later value closes: a light or switch on, a door or
# window open, someone home, a player playing, a lock unlocked. The sensor logs' motion and
# contact sensors report "on"/"open"; the other three are how Home Assistant names the same
# thing for people, media players and locks. One set for everything that asks "is it open?":
# the readable routines used only the first two, the models all five; the models' five are
# kept because every benchmark figure was measured with them (and no figure reads the
# readable routines, which only use it for logs with neither device actions nor activities).
OPEN_VALUES = frozenset({"on", "open", "home", "playing", "unlocked"})


def is_open(value: str) -> bool:
    """Whether `value` opens a stay that some later value closes (see OPEN_VALUES)."""
    return value in OPEN_VALUES


_SPLIT: dict[str, tuple[str, str]] = {}


def split_item(item: str) -> tuple[str, str]:
    """'light.kitchen:on' -> ('light.kitchen', 'on'), cached: items repeat endlessly."""
    found = _SPLIT.get(item)
    if found is None:
        entity, _, value = item.rpartition(":")
        found = _SPLIT[item] = (entity, value)
    return found


class RecentSample:
    """The last `size` values of a stream, kept in arrival order and in sorted order at once,
    so a median or a quantile is a lookup however often values arrive."""

    __slots__ = ("_arrived", "ordered")

    def __init__(self, size: int = RECENT_SAMPLE) -> None:
        self._arrived: deque[float] = deque(maxlen=size)
        self.ordered: list[float] = []

    def add(self, value: float) -> None:
        if len(self._arrived) == self._arrived.maxlen:
            oldest = self._arrived[0]
            del self.ordered[bisect.bisect_left(self.ordered, oldest)]
        self._arrived.append(value)
        bisect.insort(self.ordered, value)

    def __len__(self) -> int:
        return len(self.ordered)

    def median(self) -> float | None:
        ordered, n = self.ordered, len(self.ordered)
        if not n:
            return None
        half = n // 2
        return ordered[half] if n % 2 else (ordered[half - 1] + ordered[half]) / 2


class EntityTimeline:
    """Per entity: its value, since when, (optionally) where each of its stays began in the
    stream, and (optionally) how long its recent stays in each value lasted."""

    __slots__ = ("_changes", "_current", "_stays", "last_entity", "length")

    def __init__(self, *, changes: bool = False, stays: bool = False) -> None:
        # entity -> (value, since when): the stay under way
        self._current: dict[str, tuple[str, float]] = {}
        # entity -> (stream positions, values, times) of each stay's start; only for
        # timelines asked about the past (they cost a little on every change)
        self._changes: dict[str, tuple[list[int], list[str], list[float]]] | None = (
            {} if changes else None
        )
        # (entity, value) -> seconds its recent finished stays lasted
        self._stays: defaultdict[tuple[str, str], RecentSample] | None = (
            defaultdict(RecentSample) if stays else None
        )
        self.length = 0  # observations seen: the position of the next one
        self.last_entity = ""  # the entity of the latest observation

    @classmethod
    def of(cls, observations: Iterable[Observation], *, changes: bool = False) -> EntityTimeline:
        timeline = cls(changes=changes)
        if changes:
            for obs in observations:
                timeline.add(obs)
            return timeline
        # The ranker reads a timeline of its recent window at every moment it describes (some
        # hundred thousand while training): `add` without its bookkeeping, the same rule.
        current = timeline._current
        entity, n = "", 0
        for obs in observations:
            entity, value = split_item(obs.item)
            seen = current.get(entity)
            if seen is None or seen[0] != value:
                current[entity] = (value, obs.time)
            n += 1
        timeline.length, timeline.last_entity = n, entity
        return timeline

    def add(self, obs: Observation) -> None:
        entity, value = split_item(obs.item)
        current = self._current.get(entity)
        if current is None or current[0] != value:
            if current is not None and self._stays is not None:
                # the stay in the old value ended now (clocks that went back: zero)
                self._stays[(entity, current[0])].add(max(0.0, obs.time - current[1]))
            self._current[entity] = (value, obs.time)
            if self._changes is not None:
                found = self._changes.get(entity)
                if found is None:
                    found = self._changes[entity] = ([], [], [])
                found[0].append(self.length)
                found[1].append(value)
                found[2].append(obs.time)
        self.last_entity = entity
        self.length += 1

    def new_episode(self) -> None:
        """Another user or another log begins: no stay is under way any more, and none that
        was is finished (its length is unknown). The stays learned so far are kept: they are
        the habits."""
        self._current.clear()
        self.last_entity = ""

    # -- now ----------------------------------------------------------------------------------

    def state(self, entity: str) -> tuple[str, float] | None:
        """The entity's value and since when, or None when it was never seen."""
        return self._current.get(entity)

    @property
    def current(self) -> Mapping[str, tuple[str, float]]:
        """Every entity seen: its value and since when."""
        return self._current

    def open_entities(self, now: float, within: float) -> tuple[str, ...]:
        """Entities open (is_open) whose stay began at most `within` seconds before `now`,
        without the entity of the latest observation (it is the moment's own item), sorted."""
        return tuple(
            sorted(
                e
                for e, (v, t) in self._current.items()
                if v in OPEN_VALUES and now - t <= within and e != self.last_entity
            )
        )

    # -- the past (changes=True) -------------------------------------------------------------

    def states(self, before: int) -> dict[str, tuple[str, float]]:
        """Every entity's value and since when just before stream position `before`."""
        if self._changes is None:
            raise ValueError("this timeline keeps no changes: make it with changes=True")
        out: dict[str, tuple[str, float]] = {}
        for entity, (positions, values, times) in self._changes.items():
            k = bisect.bisect_left(positions, before)
            if k:
                out[entity] = (values[k - 1], times[k - 1])
        return out

    # -- stays (stays=True) --------------------------------------------------------------------

    def typical_stay(self, entity: str, value: str) -> float | None:
        """Median seconds the entity stays in `value` before changing."""
        spans = self._stays.get((entity, value)) if self._stays is not None else None
        return spans.median() if spans else None

    def hazard(
        self, entity: str, value: str, elapsed: float, soon: float = 10.0, later: float = 120.0
    ) -> tuple[float, float, float]:
        """How the entity's stay in `value` ends, from its recent stays, given it has lasted
        `elapsed` seconds: (share of stays that lasted longer, share of those that ended within
        `soon` more seconds, within `later` more seconds); -1 where too few stays say."""
        spans = self._stays.get((entity, value)) if self._stays is not None else None
        if not spans:
            return (-1.0, -1.0, -1.0)
        ordered = spans.ordered
        n = len(ordered)
        done = bisect.bisect_right(ordered, elapsed)
        alive = n - done
        if alive < 3:
            return (alive / n, -1.0, -1.0)
        ended_soon = bisect.bisect_right(ordered, elapsed + soon) - done
        ended_later = bisect.bisect_right(ordered, elapsed + later) - done
        return (alive / n, ended_soon / alive, ended_later / alive)
