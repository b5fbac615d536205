"""Which predictions are worth showing a person, and in whose words: the one rule the status
page, the API and `hearthmind predict` share.

A guess that is already true ("the garden light on" while it is on), or one under the
threshold a person set (`routines: min_probability`), is noise beside the real ones; a row of
0 % teaches people to ignore the list. What is shown is named as the person sees the device
(its friendly name), and the count shown is said against the count considered."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .predictor import Prediction
from .readable import describe_item

DEFAULT_MIN_PROBABILITY = 0.1


@dataclass(frozen=True, slots=True)
class Shown:
    """What came out of the filter: the guesses kept and why the others were left out."""

    kept: list[Prediction]
    considered: int
    already_true: int
    below_threshold: int

    def summary(self, min_probability: float) -> str:
        left = []
        if self.already_true:
            left.append(f"{self.already_true} already so")
        if self.below_threshold:
            left.append(f"{self.below_threshold} under {min_probability:.0%}")
        tail = f" ({', '.join(left)} left out)" if left else ""
        return f"{len(self.kept)} of {self.considered} guesses shown{tail}"


def worth_showing(
    guesses: Sequence[Prediction],
    current: Callable[[str], str | None],
    min_probability: float,
    k: int,
) -> Shown:
    """The `k` likeliest guesses that are not already true (`current(entity_id)` is the
    entity's value as the learner sees it) and reach `min_probability`."""
    kept: list[Prediction] = []
    already = below = 0
    for guess in guesses:
        entity_id, _, value = guess.item.rpartition(":")
        if current(entity_id) == value:
            already += 1
        elif guess.probability < min_probability:
            below += 1
        elif len(kept) < k:
            kept.append(guess)
    return Shown(kept, len(guesses), already, below)


def friendly_item(item: str, names: Mapping[str, str]) -> str:
    """'light.sam_room:on' -> "Sam's light on" when the hub knows the friendly name; the
    id-derived words otherwise."""
    return describe_item(item, names=names)


def evidence_text(explanation: str) -> str:
    """The model's reasons without its head ('item (p% around ...) by model: '), which repeats
    what the row shows beside it: the probability is said once, the reasons are its evidence."""
    head, sep, rest = explanation.partition(": ")
    return rest if sep and " by " in head else explanation
