"""Splits by days in time order: the first share of the days with data to learn, the rest to
test. Days without any data are counted (and reported), never silently treated as data.

A day holding only stray events (see `timeofday.lived_days`) keeps its events, on their side
of the cut, but does not count as a day, so such days cannot take the test period's place:
counted as `sparse_days`."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..observations import Observation
from ..timeofday import day_index, lived_days


@dataclass
class DaySplit:
    train: list[Observation]
    test: list[Observation]
    train_days: list[int]
    test_days: list[int]
    empty_days: int  # calendar days between the first and last day with no observation
    sparse_days: int = 0  # days with stray events only, not counted as days (see above)


class SplitError(ValueError):
    pass


def split_by_days(observations: Sequence[Observation], train_share: float = 0.7) -> DaySplit:
    per_day = Counter(day_index(o.time) for o in observations)
    days = sorted(per_day)
    if len(days) < 2:
        raise SplitError(f"need at least 2 days with data to split, found {len(days)}")
    lived = lived_days(per_day)
    n_train = min(len(lived) - 1, max(1, math.floor(len(lived) * train_share + 0.5)))
    cut = lived[n_train]  # first test day
    train = [o for o in observations if day_index(o.time) < cut]
    test = [o for o in observations if day_index(o.time) >= cut]
    empty = (days[-1] - days[0] + 1) - len(days)
    return DaySplit(
        train,
        test,
        [d for d in lived if d < cut],
        [d for d in lived if d >= cut],
        empty,
        len(days) - len(lived),
    )


def evaluation_split(observations: Sequence[Observation], validation: bool = False) -> DaySplit:
    """The test split; with `validation`, the same split again inside its training days, so
    settings are chosen without reading the test days."""
    split = split_by_days(observations)
    return split_by_days(split.train) if validation else split
