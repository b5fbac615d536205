"""How well the live learner's confidence matches what happens: a bounded running record of
its guesses (the top three items with their probabilities) and the observation that came next.

Each guess is made as the evaluation harness makes it (evaluation/homes.py): before the
observation is learned, at the time of the last one, from the recent observations. Only the
last `keep` guesses are kept, so the record says how calibrated the model is now, in constant
memory however long the hub runs.

The record is only kept here: it is scored by the evaluation's own `RankingScore` (Brier score
of the top guess, reliability curve) where it is shown (api/learning.py), so the dashboard's
calibration plot is the one `hearthmind eval` draws with no second implementation, and the
live learner does not import the evaluation harness (../shared/checks/house)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

from .predictor import Prediction

DEFAULT_KEEP = 2000
TOP = 3  # as the harness asks for (top-1 and top-3 accuracy)

# one scored guess: ((item, probability) of the top guesses, best first), what came next
Record = tuple[tuple[tuple[str, float], ...], str]


class RunningCalibration:
    """The last `keep` (guesses, truth) pairs."""

    def __init__(self, keep: int = DEFAULT_KEEP) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, not {keep}")
        self.records: deque[Record] = deque(maxlen=keep)
        self.total = 0  # guesses recorded since the start, kept or not
        self.model: str | None = None  # the model that made the last guess

    @property
    def keep(self) -> int:
        return self.records.maxlen or 0

    def add(self, predictions: Sequence[Prediction], truth: str) -> None:
        top = tuple((p.item, float(p.probability)) for p in predictions[:TOP])
        self.records.append((top, truth))
        self.total += 1
        if predictions:
            self.model = predictions[0].model

    def guesses(self) -> Iterator[tuple[list[Prediction], str]]:
        """The kept guesses as predictions, oldest first, each with what came next: what a
        scorer's `add(predictions, truth)` takes."""
        for top, truth in list(self.records):
            yield [Prediction(item, p, None, self.model or "") for item, p in top], truth
