"""The one interface every model implements, and what a prediction is."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .observations import Episode, Observation


@dataclass(frozen=True, slots=True)
class Prediction:
    """One ranked guess: `item` ("light.kitchen:on") with a calibrated `probability` and the
    time it is expected (epoch seconds; None when the model cannot say)."""

    item: str
    probability: float
    expected_time: float | None
    model: str
    evidence: tuple[tuple[str, str], ...] = field(default=())  # readable facts behind it

    def as_tuple(self) -> tuple[str, float, float | None]:
        return (self.item, self.probability, self.expected_time)


@runtime_checkable
class Predictor(Protocol):
    """fit on history (episodes in time order), learn from each new observation, predict the
    next item at `now` given the most recent observations, and say why."""

    name: str

    def fit(self, history: Sequence[Episode]) -> None: ...

    def update(self, observation: Observation) -> None: ...

    def predict(
        self, now: float, recent: Sequence[Observation], k: int = 5
    ) -> list[Prediction]: ...

    def explain(self, prediction: Prediction) -> str: ...


def explain_from_evidence(prediction: Prediction) -> str:
    """The shared wording: item, probability, expected time and the model's own facts."""
    from datetime import UTC, datetime

    when = ""
    if prediction.expected_time is not None:
        when = " around " + datetime.fromtimestamp(prediction.expected_time, UTC).strftime(
            "%a %H:%M"
        )
    facts = "; ".join(f"{k}: {v}" for k, v in prediction.evidence)
    text = f"{prediction.item} ({prediction.probability:.0%}{when}) by {prediction.model}"
    return f"{text}: {facts}" if facts else text


def top_k(scores: dict[str, float], k: int) -> list[tuple[str, float]]:
    """Highest scores first, ties broken by name so results are deterministic."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def likely_actions(
    model: Predictor,
    now: float,
    recent: Sequence[Observation],
    acted: Collection[str],
    k: int,
) -> list[Prediction]:
    """The `k` likeliest next items among those people do to devices (`acted`, e.g. every
    action item seen in the history): what the agent could do for them. The model ranks every
    next event, sensors too, so it is asked for more than `k`."""
    guesses = model.predict(now, recent, k=max(4 * k, 20))
    return [g for g in guesses if g.item in acted][:k]
