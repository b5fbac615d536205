"""Count tables learned from history, shared by the baselines and the ranker: item priors
(overall and per hour slot), first- and second-order transitions (also per hour slot), and the
typical delay of each transition (for expected times)."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence

from ..observations import Episode, Observation
from ..timeofday import hour_slot

CONTEXT_WINDOW = 30  # observations the "active entities" context is read from
ACTIVE_FOR = 3600.0  # an entity switched on longer ago than this no longer counts as active
RECENT_SAMPLE = 300  # delays and stays kept per key, the most recent: enough for medians
ON_VALUES = frozenset({"on", "open", "home", "playing", "unlocked"})


def pace_bucket(seconds: float) -> int:
    """How fast events come: <2 s, <8 s, <30 s, <2 min, <10 min, <1 h, longer."""
    for n, limit in enumerate((2.0, 8.0, 30.0, 120.0, 600.0, 3600.0)):
        if seconds < limit:
            return n
    return 6


_SPLIT: dict[str, tuple[str, str]] = {}


def split_item(item: str) -> tuple[str, str]:
    """'light.kitchen:on' -> ('light.kitchen', 'on'), cached: items repeat endlessly."""
    found = _SPLIT.get(item)
    if found is None:
        entity, _, value = item.rpartition(":")
        found = _SPLIT[item] = (entity, value)
    return found


def active_entities(window: Iterable[Observation], now: float) -> tuple[str, ...]:
    """Entities whose last state in the window is on/open, switched less than an hour ago,
    without the entity of the window's last observation (it is the context's own item)."""
    state: dict[str, tuple[str, float]] = {}
    last_entity = ""
    for obs in window:
        entity, value = split_item(obs.item)
        seen = state.get(entity)
        if seen is None or seen[0] != value:
            state[entity] = (value, obs.time)
        last_entity = entity
    return tuple(
        sorted(
            e
            for e, (v, t) in state.items()
            if v in ON_VALUES and now - t <= ACTIVE_FOR and e != last_entity
        )
    )


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
        # how long each entity stays in each state (e.g. a door open, a lamp on)
        self._durations: defaultdict[tuple[str, str], RecentSample] = defaultdict(RecentSample)
        self._entity_state: dict[str, tuple[str, float]] = {}

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
            self._entity_state.clear()  # a new episode: another user, or another log
        entity, value = split_item(item)
        before = self._entity_state.get(entity)
        if before is None or before[0] != value:
            if before is not None:
                self._durations[(entity, before[0])].add(max(0.0, obs.time - before[1]))
            self._entity_state[entity] = (value, obs.time)
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
        spans = self._durations.get((entity, value))
        return spans.median() if spans else None

    def hazard(
        self, entity: str, value: str, elapsed: float, soon: float = 10.0, later: float = 120.0
    ) -> tuple[float, float, float]:
        """How the entity's stay in `value` ends, from its recent stays, given it has lasted
        `elapsed` seconds: (share of stays that lasted longer, share of those that ended within
        `soon` more seconds, within `later` more seconds); -1 where too few stays say."""
        spans = self._durations.get((entity, value))
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

    def expected_time(self, now: float, recent: Sequence[Observation], item: str) -> float | None:
        if not recent:
            return None
        gap = self.typical_gap(recent[-1].item, item)
        if gap is None:
            return None
        return max(now, recent[-1].time + gap)
