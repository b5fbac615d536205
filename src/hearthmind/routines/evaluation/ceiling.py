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
allows; a target above it needs information the context does not hold. Given the log's
annotated activities, the last items plus the activity under way (a label the hub never has
live) say whether knowing what the person is doing would tell more."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from ..observations import ActivitySpan, Observation
from .splits import split_by_days

Context = Callable[[Sequence[Observation], int], Hashable]
Table = dict[Hashable, Counter[str]]  # context -> what followed it, counted


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


def activity_labels(seq: Sequence[Observation], spans: Sequence[ActivitySpan]) -> list[str]:
    """The annotated activity under way at each observation: of the spans that hold its time,
    the latest begun ("" outside every span). Activities overlap; none lasts a day."""
    spans = sorted(spans, key=lambda s: s.start)
    starts = [s.start for s in spans]
    labels = []
    for obs in seq:
        label, j = "", bisect.bisect_right(starts, obs.time) - 1
        while j >= 0 and obs.time - spans[j].start < 86400.0:
            if spans[j].end >= obs.time:
                label = spans[j].label
                break
            j -= 1
        labels.append(label)
    return labels


def with_activity(k: int, labels: Sequence[str]) -> Context:
    """The last k items and the activity under way at the last of them."""
    items = last_items(k)

    def context(seq: Sequence[Observation], i: int) -> Hashable:
        return (items(seq, i), labels[i - 1])

    return context


@dataclass(frozen=True)
class CeilingRow:
    context: str
    learned: float
    oracle: float
    crossed: float
    contexts_seen: int  # distinct contexts on the test days
    test_events: int


def ceiling(
    observations: Sequence[Observation],
    contexts: dict[str, Context] | None = None,
    activities: Sequence[ActivitySpan] = (),
) -> list[CeilingRow]:
    split = split_by_days(observations)
    seq = list(split.train) + list(split.test)
    contexts = dict(contexts or CONTEXTS)
    if activities:
        labels = activity_labels(seq, activities)
        for k in (1, 2, 3):
            name = "last item" if k == 1 else f"last {k} items"
            contexts[f"{name} + activity (labelled)"] = with_activity(k, labels)
    first_test = len(split.train)
    start = max(_REACH, first_test)
    if start >= len(seq):
        raise ValueError("too few events on the test days to measure")
    end, middle = len(seq), (start + len(seq)) // 2
    rows = []
    for name, context in contexts.items():
        keys = [context(seq, i) if i >= _REACH else None for i in range(end)]
        tested = _table(seq, keys, start, end)
        learned = _hits(seq, keys, start, end, _table(seq, keys, _REACH, first_test))
        oracle = sum(c.most_common(1)[0][1] for c in tested.values())
        # each half of the test events predicted from the other half's table
        crossed = _hits(seq, keys, start, middle, _table(seq, keys, middle, end)) + _hits(
            seq, keys, middle, end, _table(seq, keys, start, middle)
        )
        n = end - start
        rows.append(CeilingRow(name, learned / n, oracle / n, crossed / n, len(tested), n))
    return rows


def _table(seq: Sequence[Observation], keys: list[Hashable], lo: int, hi: int) -> Table:
    """What followed each context among positions lo..hi-1."""
    table: defaultdict[Hashable, Counter[str]] = defaultdict(Counter)
    for i in range(lo, hi):
        table[keys[i]][seq[i].item] += 1
    return table


def _hits(seq: Sequence[Observation], keys: list[Hashable], lo: int, hi: int, table: Table) -> int:
    """Positions lo..hi-1 whose item is the table's most frequent one after their context
    (an unseen context counts as wrong)."""
    hits = 0
    for i in range(lo, hi):
        known = table.get(keys[i])
        hits += known is not None and known.most_common(1)[0][0] == seq[i].item
    return hits
