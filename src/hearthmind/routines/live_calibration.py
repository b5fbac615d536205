"""How well the live learner's confidence matches what happens: a bounded running record of
its guesses (the top three items with their probabilities) and the observation that came next,
scored by the evaluation code's own `RankingScore` (Brier score of the top guess, reliability
curve, expected calibration error), so the dashboard's calibration plot is the one
`hearthmind eval` draws, on the home's own recent life instead of a held-out log.

Each guess is made as the evaluation harness makes it (evaluation/homes.py): before the
observation is learned, at the time of the last one, from the recent observations. Only the
last `keep` guesses are kept, so the record says how calibrated the model is now, in constant
memory however long the hub runs."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

from .evaluation.metrics import RELIABILITY_BINS, RankingScore
from .predictor import Prediction

DEFAULT_KEEP = 2000
TOP = 3  # as the harness asks for (top-1 and top-3 accuracy)

# one scored guess: ((item, probability) of the top guesses, best first), what came next
Record = tuple[tuple[tuple[str, float], ...], str]


class RunningCalibration:
    """The last `keep` (guesses, truth) pairs; `score()` replays them into a `RankingScore`."""

    def __init__(self, keep: int = DEFAULT_KEEP) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, not {keep}")
        self.records: deque[Record] = deque(maxlen=keep)
        self.total = 0  # guesses scored since the start, kept or not
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

    def score(self) -> RankingScore:
        """The kept guesses scored by the evaluation's metrics (no second implementation)."""
        score = RankingScore()
        for top, truth in self.records:
            score.add([Prediction(item, p, None, self.model or "") for item, p in top], truth)
        return score

    def as_dict(self) -> dict[str, Any]:
        """What the API serves: the scores and the reliability curve's points (mean predicted
        probability, observed share correct, count per non-empty bin of width 1/bins)."""
        score = self.score()
        figures = score.as_dict() if score.n else {"n": 0}
        return {
            **figures,
            "model": self.model,
            "keep": self.keep,
            "total": self.total,
            "bins": RELIABILITY_BINS,
            "reliability": [
                {"predicted": round(p, 4), "observed": round(o, 4), "count": c}
                for p, o, c in score.reliability()
            ],
        }
