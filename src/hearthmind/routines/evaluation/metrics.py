"""Accuracy, calibration (Brier score of the top guess, reliability curve) and latency."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from ..predictor import Prediction

RELIABILITY_BINS = 10


@dataclass
class RankingScore:
    """Top-1/top-3 accuracy of ranked predictions, with the top guess's probability kept for
    calibration: Brier = mean (p1 - correct)^2; the reliability curve bins p1."""

    n: int = 0
    top1: int = 0
    top3: int = 0
    brier_sum: float = 0.0
    bins: list[list[float]] = field(
        default_factory=lambda: [[0.0, 0.0, 0.0] for _ in range(RELIABILITY_BINS)]
    )
    latencies: list[float] = field(default_factory=list)

    def add(self, predictions: list[Prediction], truth: str) -> None:
        self.n += 1
        items = [p.item for p in predictions]
        hit1 = bool(items) and items[0] == truth
        self.top1 += hit1
        self.top3 += truth in items[:3]
        p1 = predictions[0].probability if predictions else 0.0
        p1 = min(1.0, max(0.0, p1))
        self.brier_sum += (p1 - hit1) ** 2
        b = self.bins[min(RELIABILITY_BINS - 1, int(p1 * RELIABILITY_BINS))]
        b[0] += 1
        b[1] += p1
        b[2] += hit1

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.n if self.n else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.n if self.n else 0.0

    @property
    def brier(self) -> float:
        return self.brier_sum / self.n if self.n else math.nan

    @property
    def expected_calibration_error(self) -> float:
        if not self.n:
            return math.nan
        return sum(abs(b[1] - b[2]) for b in self.bins if b[0]) / self.n

    def reliability(self) -> list[tuple[float, float, int]]:
        """(mean predicted probability, observed accuracy, count) per non-empty bin."""
        return [(b[1] / b[0], b[2] / b[0], int(b[0])) for b in self.bins if b[0]]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n,
            "top1": round(self.top1_rate, 4),
            "top3": round(self.top3_rate, 4),
            "brier_top1": round(self.brier, 4),
            "ece": round(self.expected_calibration_error, 4),
        }
        if self.latencies:
            ordered = sorted(self.latencies)
            out["predict_ms_median"] = round(median(ordered) * 1000, 3)
            out["predict_ms_p95"] = round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3)
        return out
