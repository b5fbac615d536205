"""Count tables learned from history, shared by the baselines and the ranker: item priors
(overall and per hour slot), first- and second-order transitions (also per hour slot), and the
typical delay of each transition (for expected times), and, through the entity-state
timeline (`routines/timeline.py`), how long each entity's stays in each value last."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence

from ..observations import Episode, Observation
from ..timeline import RECENT_SAMPLE, EntityTimeline, RecentSample
from ..timeofday import hour_slot

__all__ = [
    "ACTIVE_FOR",
    "CONTEXT_WINDOW",
    "RECENT_SAMPLE",
    "CountTable",
    "RecentSample",
    "SequenceStats",
    "active_entities",
    "pace_bucket",
]

CONTEXT_WINDOW = 30  # observations the "active entities" context is read from
ACTIVE_FOR = 3600.0  # an entity switched on longer ago than this no longer counts as active


def pace_bucket(seconds: float) -> int:
    """How fast events come: <2 s, <8 s, <30 s, <2 min, <10 min, <1 h, longer."""
    for n, limit in enumerate((2.0, 8.0, 30.0, 120.0, 600.0, 3600.0)):
        if seconds < limit:
            return n
    return 6


def active_entities(window: Iterable[Observation], now: float) -> tuple[str, ...]:
    """Entities open in the timeline of `window` (the last CONTEXT_WINDOW observations: the
    scope of this context key), opened less than ACTIVE_FOR ago, without the entity of the
    window's last observation (it is the context's own item)."""
    return EntityTimeline.of(window).open_entities(now, ACTIVE_FOR)


class CountTable:
    """Counts of the next item per context key, with totals kept up to date."""

    __slots__ = ("counts", "totals")

    def __init__(self) -> None:
        self.counts: defaultdict[object, Counter[str]] = defaultdict(Counter)
        self.totals: Counter[object] = Counter()

    def add(self, key: object, item: str, n: int = 1) -> None:
        self.counts[key][item] += n
        self.totals[key] += n

    def share(self, key: object, item: str) -> float:
        total = self.totals.get(key, 0)
        return self.counts[key][item] / total if total else 0.0

    def total(self, key: object) -> int:
        return self.totals.get(key, 0)

    def get(self, key: object) -> Counter[str] | None:
        return self.counts.get(key)

    def of(self, key: object) -> Counter[str]:
        """The counts for `key` (an empty Counter, not stored, when unseen)."""
        found = self.counts.get(key)
        return found if found is not None else Counter()

    def top(self, key: object, n: int) -> list[str]:
        found = self.counts.get(key)
        return [item for item, _ in found.most_common(n)] if found else []


class SequenceStats:
    """All count tables in one pass; `observe(previous2, previous, current)` updates online."""

    def __init__(self) -> None:
        self.prior = CountTable()  # key None
        self.by_slot = CountTable()  # key hour slot
        self.first = CountTable()  # key previous item
        self.first_slot = CountTable()  # key (previous item, slot of current)
        self.second = CountTable()  # key (previous2, previous)
        self.first_pace = CountTable()  # key (previous, pace bucket of previous2 -> previous)
        self.first_active = CountTable()  # key (previous, other entities active just now)
        self._window: deque[Observation] = deque(maxlen=CONTEXT_WINDOW)
        # delays and stays: the most recent ones per key (habits drift; the first weeks say
        # less about today than the last ones)
        self._gaps: defaultdict[tuple[str, str], RecentSample] = defaultdict(RecentSample)
        self._gaps_into: defaultdict[str, RecentSample] = defaultdict(RecentSample)
        self.repeats = 0
        self.transitions = 0
        # each entity's state and how long it stays in each (e.g. a door open, a lamp on):
        # the recent stays per (entity, value), across episodes
        self.timeline = EntityTimeline(stays=True)

    def fit(self, history: Sequence[Episode]) -> SequenceStats:
        for episode in history:
            for i, obs in enumerate(episode):
                prev = episode[i - 1] if i >= 1 else None
                prev2 = episode[i - 2] if i >= 2 else None
                self.observe(prev2, prev, obs)
        return self

    def observe(
        self, prev2: Observation | None, prev: Observation | None, obs: Observation
    ) -> None:
        item = obs.item
        slot = hour_slot(obs.time)
        if prev is None:
            self.timeline.new_episode()  # another user, or another log
        self.timeline.add(obs)
        self.prior.add(None, item)
        self.by_slot.add(slot, item)
        if prev is None:
            self._window.clear()  # a new episode
            self._window.append(obs)
            return
        self._observe_transition(prev2, prev, obs, item, slot)
        self._window.append(obs)

    def _observe_transition(
        self, prev2: Observation | None, prev: Observation, obs: Observation, item: str, slot: int
    ) -> None:
        self.first.add(prev.item, item)
        self.first_slot.add((prev.item, slot), item)
        self.transitions += 1
        self.repeats += prev.item == item
        self._gaps[(prev.item, item)].add(obs.time - prev.time)
        self._gaps_into[item].add(obs.time - prev.time)
        if prev2 is not None:
            self.second.add((prev2.item, prev.item), item)
            self.first_pace.add((prev.item, pace_bucket(prev.time - prev2.time)), item)
        self.first_active.add((prev.item, active_entities(self._window, prev.time)), item)

    @property
    def repeat_rate(self) -> float:
        return self.repeats / self.transitions if self.transitions else 0.0

    def typical_gap(self, previous: str | None, item: str) -> float | None:
        """Median seconds from `previous` to `item` (falls back to any predecessor)."""
        if previous is not None:
            gaps = self._gaps.get((previous, item))
            if gaps:
                return gaps.median()
        into = self._gaps_into.get(item)
        return into.median() if into else None

    def typical_duration(self, entity: str, value: str) -> float | None:
        """Median seconds the entity stays in `value` before changing."""
        return self.timeline.typical_stay(entity, value)

    def hazard(
        self, entity: str, value: str, elapsed: float, soon: float = 10.0, later: float = 120.0
    ) -> tuple[float, float, float]:
        """How the entity's stay in `value` ends (see EntityTimeline.hazard)."""
        return self.timeline.hazard(entity, value, elapsed, soon, later)

    def expected_time(self, now: float, recent: Sequence[Observation], item: str) -> float | None:
        if not recent:
            return None
        gap = self.typical_gap(recent[-1].item, item)
        if gap is None:
            return None
        return max(now, recent[-1].time + gap)
