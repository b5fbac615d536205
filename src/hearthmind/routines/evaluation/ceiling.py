"""How much of a home's next events the recent past can tell at all: context tables as probes.

For a context (the last k items, optionally with the gap before the last one), two figures on
the test days of the usual 70/30 split by days:

- `learned`: the most frequent next item after that context in the training days (no online
  learning, no back-off: an unseen context counts as wrong), scored on the test days;
- `oracle`: the most frequent next item after that context in the test days themselves. No
  predictor that sees only this context can beat it on these days; it is an optimistic bound
  (the more contexts, the more it flatters, since each has fewer events to be right about);
- `crossed`: the test days cut in two halves, each scored with the other half's table: what
  the test period's own habits predict without scoring an event with its own count.

A model that already scores near the oracle of rich contexts is near what this information
allows; a target above it needs information the context does not hold."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from ..observations import Observation
from .splits import split_by_days

Context = Callable[[Sequence[Observation], int], Hashable]


def gap_bucket(seconds: float) -> int:
    """Three paces of a gap: under 0.8 s (another sensor within a motion pulse), under 1.5 s
    (about one pulse), longer."""
    return 0 if seconds < 0.8 else (1 if seconds < 1.5 else 2)


def last_items(k: int, with_gap: bool = False) -> Context:
    def context(seq: Sequence[Observation], i: int) -> Hashable:
        items = tuple(seq[i - j].item for j in range(1, k + 1))
        if with_gap:
            return (*items, gap_bucket(seq[i - 1].time - seq[i - 2].time))
        return items

    return context


CONTEXTS: dict[str, Context] = {
    "last item": last_items(1),
    "last 2 items": last_items(2),
    "last 3 items": last_items(3),
    "last 4 items": last_items(4),
    "last 3 items + pace": last_items(3, with_gap=True),
    "last 4 items + pace": last_items(4, with_gap=True),
}
_REACH = 5  # events of history every context above may look back over


@dataclass(frozen=True)
class CeilingRow:
    context: str
    learned: float
    oracle: float
    crossed: float
    contexts_seen: int  # distinct contexts on the test days
    test_events: int


def ceiling(
    observations: Sequence[Observation], contexts: dict[str, Context] | None = None
) -> list[CeilingRow]:
    split = split_by_days(observations)
    seq = list(split.train) + list(split.test)
    first_test = len(split.train)
    start = max(_REACH, first_test)
    if start >= len(seq):
        raise ValueError("too few events on the test days to measure")
    rows = []
    for name, context in (contexts or CONTEXTS).items():
        learned_counts: defaultdict[Hashable, Counter[str]] = defaultdict(Counter)
        for i in range(_REACH, first_test):
            learned_counts[context(seq, i)][seq[i].item] += 1
        test_counts: defaultdict[Hashable, Counter[str]] = defaultdict(Counter)
        hits = 0
        for i in range(start, len(seq)):
            key = context(seq, i)
            test_counts[key][seq[i].item] += 1
            known = learned_counts.get(key)
            hits += known is not None and known.most_common(1)[0][0] == seq[i].item
        n = len(seq) - start
        best = sum(c.most_common(1)[0][1] for c in test_counts.values())
        crossed = _crossed(seq, start, context)
        rows.append(CeilingRow(name, hits / n, best / n, crossed / n, len(test_counts), n))
    return rows


def _crossed(seq: Sequence[Observation], start: int, context: Context) -> int:
    """Hits when each half of the test events is predicted from the other half's table."""
    middle = (start + len(seq)) // 2
    halves = ((start, middle), (middle, len(seq)))
    tables: list[defaultdict[Hashable, Counter[str]]] = []
    for lo, hi in halves:
        table: defaultdict[Hashable, Counter[str]] = defaultdict(Counter)
        for i in range(lo, hi):
            table[context(seq, i)][seq[i].item] += 1
        tables.append(table)
    hits = 0
    for (lo, hi), other in zip(halves, reversed(tables), strict=True):
        for i in range(lo, hi):
            known = other.get(context(seq, i))
            hits += known is not None and known.most_common(1)[0][0] == seq[i].item
    return hits
