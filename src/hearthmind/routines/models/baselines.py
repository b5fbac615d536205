"""Baselines: most frequent item, repeat the last one, and a first-order Markov chain (with
the hour slot as context, backing off to plain first order and then to the prior)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..observations import Episode, Observation
from ..predictor import Prediction, explain_from_evidence, top_k
from ..timeofday import SLOT_HOURS, hour_slot
from .stats import SequenceStats


class _CountingModel:
    """Keeps `SequenceStats` current: fit on history, then every `update` adds a transition."""

    name = "counting"

    def __init__(self) -> None:
        self.stats = SequenceStats()
        self._prev: Observation | None = None
        self._prev2: Observation | None = None

    def fit(self, history: Sequence[Episode]) -> None:
        self.stats = SequenceStats().fit(history)
        last = [ep for ep in history if ep]
        self._prev = last[-1][-1] if last else None
        self._prev2 = last[-1][-2] if last and len(last[-1]) >= 2 else None

    def update(self, observation: Observation) -> None:
        self.stats.observe(self._prev2, self._prev, observation)
        self._prev2, self._prev = self._prev, observation

    def explain(self, prediction: Prediction) -> str:
        return explain_from_evidence(prediction)

    def _predictions(
        self,
        scores: dict[str, float],
        now: float,
        recent: Sequence[Observation],
        k: int,
        facts: Mapping[str, tuple[tuple[str, str], ...]],
    ) -> list[Prediction]:
        total = sum(scores.values())
        if total <= 0:
            return []
        return [
            Prediction(
                item,
                score / total,
                self.stats.expected_time(now, recent, item),
                self.name,
                facts.get(item, ()),
            )
            for item, score in top_k(scores, k)
        ]


class MostFrequent(_CountingModel):
    name = "most_frequent"

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        counts = self.stats.prior.of(None)
        total = self.stats.prior.total(None)
        facts = {i: (("seen", f"{c} of {total} observations"),) for i, c in counts.items()}
        return self._predictions(dict(counts), now, recent, k, facts)


class RepeatLast(_CountingModel):
    """The last item again, with the probability that history repeated itself; then the most
    frequent items, sharing the rest of the mass (capped so the last item stays first)."""

    name = "repeat_last"

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        counts = self.stats.prior.of(None)
        total = sum(counts.values())
        if not recent or total == 0:
            return self._predictions(dict(counts), now, recent, k, {})
        last = recent[-1].item
        # a history that never repeated says 0, not "unknown"; no history at all says 0.5
        rate = self.stats.repeat_rate if self.stats.transitions else 0.5
        others = total - counts.get(last, 0)
        rest = {i: (1 - rate) * c / others for i, c in counts.items() if i != last and others}
        ranked = [(last, rate), *top_k(rest, k - 1)]
        facts = (("history repeats the last item", f"{rate:.0%} of the time"),)
        return [
            Prediction(
                item,
                min(p, rate),
                self.stats.expected_time(now, recent, item),
                self.name,
                facts if item == last else (),
            )
            for item, p in ranked
        ]


class MarkovChain(_CountingModel):
    """P(next | last item [, hour slot of now]) with additive back-off, so unseen contexts
    still give a ranked, normalised answer."""

    def __init__(self, use_hour_slot: bool = True, strength: float = 2.0) -> None:
        super().__init__()
        self.use_hour_slot = use_hour_slot
        self.strength = strength
        self.name = "markov_hour" if use_hour_slot else "markov"

    def distribution(self, now: float, recent: Sequence[Observation]) -> dict[str, float]:
        st = self.stats
        prior_total = st.prior.total(None)
        if prior_total == 0:
            return {}
        prior = {i: c / prior_total for i, c in st.prior.of(None).items()}
        if not recent:
            return prior
        last = recent[-1].item
        a = self.strength
        first = st.first.of(last)
        n1 = st.first.total(last)
        p1 = {i: (first.get(i, 0) + a * p) / (n1 + a) for i, p in prior.items()}
        if not self.use_hour_slot:
            return p1
        key = (last, hour_slot(now))
        ctx = st.first_slot.of(key)
        n2 = st.first_slot.total(key)
        return {i: (ctx.get(i, 0) + a * p) / (n2 + a) for i, p in p1.items()}

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        scores = self.distribution(now, recent)
        facts: dict[str, tuple[tuple[str, str], ...]] = {}
        if recent:
            last = recent[-1].item
            n1 = self.stats.first.total(last)
            slot = hour_slot(now)
            for item, _ in top_k(scores, k):
                c = self.stats.first.of(last).get(item, 0)
                fact = [("after " + last, f"{c} of {n1} times")]
                if self.use_hour_slot:
                    key = (last, slot)
                    cs = self.stats.first_slot.of(key).get(item, 0)
                    fact.append(
                        (
                            f"between {slot * SLOT_HOURS:02d}:00 and {(slot + 1) * SLOT_HOURS:02d}:00",
                            f"{cs} of {self.stats.first_slot.total(key)} times",
                        )
                    )
                facts[item] = tuple(fact)
        return self._predictions(scores, now, recent, k, facts)
