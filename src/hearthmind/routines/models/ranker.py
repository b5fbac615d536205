"""The context ranker: gradient-boosted trees (LightGBM) that score candidate next items.

For each moment it gathers candidates (items in the recent window, other states of entities
seen there, likely successors and what is usual at this hour) and describes each one by
context features (time of day, weekday, gap since the last event) and sequence features (how
often and how recently it occurred in the window, what followed the last items before, both
in this window and in all history). One binary model scores every candidate; a softmax with
a temperature fitted on held-out history turns scores into calibrated probabilities.

History statistics used as features are computed out-of-fold while training, so the trees
learn how much to trust counts that did not see the example they describe.

This module gathers the examples and runs the model online; the features, by name, are in
`features.py`, the stream's memory (item occurrences, the entity-state timeline) in
`memory.py`, the trees and their calibration in `booster.py`."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..observations import Episode, Observation
from ..predictor import Prediction, explain_from_evidence
from ..timeofday import SLOT_HOURS, hour_slot
from .booster import (
    PARAMS,
    Example,
    calibrate,
    contributions,
    probabilities,
    raw_scores,
    train_boosters,
)
from .features import NAMES, FeatureRows
from .lezi import ActiveLeZi
from .memory import StreamMemory
from .ranker_reasons import reasons
from .stats import SequenceStats

EXPLAINABLE = 256  # latest predictions whose feature rows are kept for explain()


class ContextRanker(FeatureRows):
    name = "boosted_ranker"

    def __init__(
        self,
        *,
        now_is_target_time: bool = False,
        window: int = 10,
        max_examples: int = 40000,
        max_rows: int = 320_000,
        folds: int = 5,
        prequential_from: int = 20000,
        max_candidates: int = 16,
        refit_growth: float | None = 0.15,
        rounds: int = 200,
        ensemble: int = 3,
        seed: int = 0,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        # SmartThings gives the target's weekday and hour slot (now = the target's time);
        # in a live home we predict right after the last event (now = its time).
        self.now_is_target_time = now_is_target_time
        self.window = window
        self.state_window = 3 * window
        self.max_examples = max_examples
        self.max_rows = max_rows  # candidate rows to train on: bounds the fit time
        self.folds = folds
        self.prequential_from = prequential_from
        self.max_candidates = max_candidates
        # the trees learn only at fit time: refit once history grew by this share (the
        # count tables behind the features still learn online from every update)
        self.refit_growth: float | None = refit_growth
        self.rounds = rounds
        self.ensemble = ensemble
        self._boosters: list[Any] = []
        self.fit_size = (0, 0)  # training moments and candidate rows of the last fit
        self.seed = seed
        self.progress = progress
        self.params = dict(PARAMS)
        self.stats = SequenceStats()
        self.vocab: dict[str, int] = {}
        self._by_entity: dict[str, list[str]] = {}
        self._booster: Any = None
        self._ppm = _context_model()  # higher-order context, as a feature
        self._memory = StreamMemory()
        self.temperature = 1.0
        self.coverage = 1.0
        self._prev: Observation | None = None
        self._prev2: Observation | None = None
        # the last observations of the stream, as many as training examples saw
        self._tail: deque[Observation] = deque(maxlen=self.state_window)
        # the feature rows behind the latest predictions, so explain() can ask the trees why
        self._explainable: dict[Prediction, tuple[tuple[float, ...], float]] = {}

    # -- training ---------------------------------------------------------------------------

    def fit(self, history: Sequence[Episode]) -> None:
        episodes = [list(ep) for ep in history if len(ep) >= 2]
        if not episodes:
            raise ValueError("the ranker needs at least one episode of 2 or more observations")
        self._explainable.clear()  # rows of the old trees' predictions
        for ep in episodes:
            for obs in ep:
                self._learn_item(obs.item)
        frequency = Counter(obs.item for ep in episodes for obs in ep)
        for items in self._by_entity.values():
            items.sort(key=lambda i: -frequency.get(i, 0))  # other states, most common first
        all_positions = [(e, i) for e, ep in enumerate(episodes) for i in range(1, len(ep))]
        positions = all_positions
        # the row budget buys as many moments as the home's real candidate count allows
        budget = min(self.max_examples, int(self.max_rows / self._candidates_per_moment(episodes)))
        if len(positions) > budget:
            # keep the most recent half whole, sample the older history: habits drift
            recent_n = budget // 2
            older = positions[:-recent_n]
            rng = random.Random(self.seed)
            positions = sorted(rng.sample(older, budget - recent_n)) + positions[-recent_n:]
        xs: list[tuple[float, ...]] = []
        ys: list[int] = []
        groups: list[int] = []
        held_examples: list[Example] = []
        hold_from = positions[-max(1, len(positions) // 10)]
        memories: dict[int, StreamMemory] = {}

        def collect(pos: tuple[int, int], example: Example) -> None:
            if pos >= hold_from:  # the newest examples: early stopping and calibration
                held_examples.append(example)
                return
            xs.extend(example.rows)
            ys.extend(int(c == example.target) for c in example.candidates)
            groups.append(len(example.candidates))

        if len(episodes) >= 2 * self.folds or len(all_positions) < self.prequential_from:
            # Many independent episodes, or a short history: out-of-fold statistics, so fold
            # k's examples see counts from the other folds only (by episode, or by blocks of
            # time).
            fold_of = self._fold_assigner(episodes, all_positions)
            fold_members: dict[int, set[tuple[int, int]]] = {}
            for e, ep in enumerate(episodes):
                for i in range(len(ep)):
                    fold_members.setdefault(fold_of((e, i)), set()).add((e, i))
            examples_by_fold: dict[int, list[tuple[int, int]]] = {}
            for pos in positions:
                examples_by_fold.setdefault(fold_of(pos), []).append(pos)
            for k in sorted(examples_by_fold):
                self._say(f"features, fold {k + 1} of {len(examples_by_fold)}")
                self.stats = _stats_without(episodes, fold_members[k])
                self._ppm = _context_model()
                self._ppm.fit(_episodes_without(episodes, fold_members[k]))
                for pos in examples_by_fold[k]:
                    e, i = pos
                    if e not in memories:
                        memories[e] = StreamMemory.of(episodes[e])
                    collect(pos, self._example(episodes[e], i, memories[e]))
            self.stats = SequenceStats().fit(episodes)
            self._ppm = _context_model()
            self._ppm.fit(episodes)
        else:
            # A long history: prequential statistics, one pass in time order; each example
            # sees only counts from before it, as at prediction time, at a fifth of the cost.
            self._say("features, one pass over the history")
            wanted = set(positions)
            self.stats = SequenceStats()
            self._ppm = _context_model()
            for e, ep in enumerate(episodes):
                memories[e] = StreamMemory.of(ep)
                self._ppm.new_episode()
                for i, obs in enumerate(ep):
                    if (e, i) in wanted:
                        collect((e, i), self._example(ep, i, memories[e]))
                    self.stats.observe(
                        ep[i - 2] if i >= 2 else None, ep[i - 1] if i >= 1 else None, obs
                    )
                    self._ppm.update(obs)
        self._prev = episodes[-1][-1]
        self._prev2 = episodes[-1][-2]
        self._tail = deque(episodes[-1][-self.state_window :], maxlen=self.state_window)
        # the live stream continues the last episode
        self._memory = memories.get(len(episodes) - 1) or StreamMemory.of(episodes[-1])
        self.fit_size = (len(groups), len(ys))
        self._say(f"boosting on {len(groups)} moments, {len(ys)} candidates")
        # Short histories: average a few boosters that differ only by their random samples of
        # rows and features; there it costs little and steadies the ranking. Long ones: one.
        n_boosters = max(1, min(self.ensemble, self.max_rows // max(1, len(ys))))
        self._boosters = train_boosters(
            self.params, xs, ys, groups, held_examples,
            rounds=self.rounds, n_boosters=n_boosters, seed=self.seed,
        )  # fmt: skip
        self._booster = self._boosters[0]
        if held_examples:
            self.temperature, self.coverage, _ = calibrate(self._boosters, held_examples)

    def _candidates_per_moment(
        self, episodes: list[list[Observation]], history: int = 4000, moments: int = 200
    ) -> float:
        """Mean count of candidates per moment, measured on a pilot: count tables from the
        last `history` observations, candidates gathered at up to `moments` moments among them.
        A home with few sensors has far fewer candidates than the cap, so a budget counted in
        rows can afford more of its moments."""
        tail: list[list[Observation]] = []
        kept = 0
        for ep in reversed(episodes):
            tail.append(ep[-(history - kept) :])
            kept += len(tail[-1])
            if kept >= history:
                break
        tail.reverse()
        stats = SequenceStats().fit(tail)
        ppm = _context_model()
        ppm.fit(tail)
        where = [(e, i) for e, ep in enumerate(tail) for i in range(1, len(ep))]
        sizes = []
        for e, i in where[:: max(1, len(where) // moments)]:
            recent = tail[e][max(0, i - self.window) : i]
            now = tail[e][i].time if self.now_is_target_time else recent[-1].time
            dist = ppm.distribution(recent)
            top = sorted(dist, key=lambda item: -dist[item])[:3]
            sizes.append(len(self._candidates(now, recent, dist, top, stats)))
        worst = float(max(1, min(self.max_candidates, len(self.vocab))))
        return min(worst, max(1.0, sum(sizes) / len(sizes))) if sizes else worst

    def _fold_assigner(
        self, episodes: list[list[Observation]], positions: list[tuple[int, int]]
    ) -> Callable[[tuple[int, int]], int]:
        """Many short episodes: fold by episode. One long history: contiguous blocks of time."""
        k = self.folds
        if len(episodes) >= 2 * k:
            return lambda pos: pos[0] % k
        rank = {pos: n for n, pos in enumerate(positions)}
        total = len(positions)
        return lambda pos: rank.get(pos, 0) * k // total

    # -- online -----------------------------------------------------------------------------

    def update(self, observation: Observation) -> None:
        self.stats.observe(self._prev2, self._prev, observation)
        self._ppm.update(observation)
        self._memory.add(observation)
        self._learn_item(observation.item)
        self._prev2, self._prev = self._prev, observation
        self._tail.append(observation)

    def _learn_item(self, item: str) -> None:
        if item not in self.vocab:
            self.vocab[item] = len(self.vocab)
            self._by_entity.setdefault(item.rsplit(":", 1)[0], []).append(item)

    # -- prediction -------------------------------------------------------------------------

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        if self._booster is None:
            raise RuntimeError("fit the ranker before predicting")
        recent = list(recent[-self.state_window :])
        if not recent:
            total = self.stats.prior.total(None)
            return [
                Prediction(i, c / total, None, self.name, (("seen", f"{c} of {total}"),))
                for i, c in self.stats.prior.of(None).most_common(k)
            ]
        recent, memory, before = self._stream(recent)
        cands, rows = self._features(now, recent, memory, before)
        probs = self._probabilities(self._raw(rows))
        order = np.argsort(-probs, kind="stable")[:k]
        out = [
            Prediction(
                cands[j],
                float(probs[j]),
                self.stats.expected_time(now, recent, cands[j]),
                self.name,
                self._evidence(now, recent, cands[j]),
            )
            for j in order
        ]
        for prediction, j in zip(out, order, strict=True):
            self._explainable[prediction] = (rows[j], now)
        while len(self._explainable) > EXPLAINABLE:  # the oldest first (insertion order)
            del self._explainable[next(iter(self._explainable))]
        return out

    def _raw(self, rows: Sequence[Sequence[float]]) -> Any:
        return raw_scores(self._boosters, rows)

    def _probabilities(self, raw: Any) -> Any:
        return probabilities(raw, self.temperature, self.coverage)

    def describe(self, now: float, recent: Sequence[Observation]) -> dict[str, dict[str, float]]:
        """Every candidate at this moment with its features by name: what the trees see."""
        window, memory, before = self._stream(list(recent[-self.state_window :]))
        if not window:
            return {}
        cands, named = self._named_features(now, window, memory, before)
        return dict(zip(cands, named, strict=True))

    def _stream(self, recent: list[Observation]) -> tuple[list[Observation], StreamMemory, int]:
        """The observations, memory and position the features of a moment read: the long
        memory when `recent` continues the stream this model has seen, else the window alone.
        The features then read as many past observations as the training examples did, even
        if the caller handed in fewer."""
        if self._prev is not None and recent and recent[-1] == self._prev:
            if len(recent) < len(self._tail):
                recent = list(self._tail)
            return recent, self._memory, self._memory.length
        return recent, StreamMemory.of(recent), len(recent)

    def explain(self, prediction: Prediction) -> str:
        """The trees' own reasons (see ranker_reasons) for one of the latest predictions;
        for an older one, the counts behind it."""
        found = self._explainable.get(prediction)
        if found is None or not self._boosters:
            return explain_from_evidence(prediction)
        row, now = found
        names = {i: item for item, i in self.vocab.items()}
        pushed = contributions(self._boosters, row)
        why = reasons(prediction.item, row, pushed, NAMES, names, now)
        if not why:
            return explain_from_evidence(prediction)
        head = explain_from_evidence(
            Prediction(prediction.item, prediction.probability, prediction.expected_time, self.name)
        )
        return f"{head}: " + "; ".join(why)

    def _evidence(
        self, now: float, recent: list[Observation], item: str
    ) -> tuple[tuple[str, str], ...]:
        last = recent[-1].item
        followed = self.stats.first.of(last).get(item, 0)
        facts = [(f"after {last}", f"{followed} of {self.stats.first.total(last)} times")]
        slot = hour_slot(now)
        facts.append(
            (
                f"between {slot * SLOT_HOURS:02d}:00 and {(slot + 1) * SLOT_HOURS:02d}:00",
                f"{self.stats.by_slot.share(slot, item):.0%} of events",
            )
        )
        n = sum(1 for o in recent if o.item == item)
        if n:
            facts.append(("in the last events", f"{n} of {len(recent)}"))
        return tuple(facts)

    # -- features ---------------------------------------------------------------------------

    def _example(self, episode: list[Observation], i: int, memory: StreamMemory) -> Example:
        recent = episode[max(0, i - self.state_window) : i]
        target = episode[i]
        now = target.time if self.now_is_target_time else recent[-1].time
        cands, rows = self._features(now, recent, memory, i)
        return Example(cands, rows, target.item)

    def _say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)


def _context_model() -> ActiveLeZi:
    """Active LeZi for its distribution only: the delays behind its expected times are never
    read here, and learning them would cost as much as the trie itself."""
    return ActiveLeZi(expected_times=False)


def _episodes_without(
    episodes: list[list[Observation]], excluded: set[tuple[int, int]]
) -> list[list[Observation]]:
    """The history with excluded positions cut out; each remaining run is its own episode."""
    out: list[list[Observation]] = []
    for e, ep in enumerate(episodes):
        run: list[Observation] = []
        for i, obs in enumerate(ep):
            if (e, i) in excluded:
                if run:
                    out.append(run)
                run = []
            else:
                run.append(obs)
        if run:
            out.append(run)
    return out


def _stats_without(
    episodes: list[list[Observation]], excluded: set[tuple[int, int]]
) -> SequenceStats:
    """Counts over every transition whose target is not an excluded position."""
    stats = SequenceStats()
    for e, ep in enumerate(episodes):
        for i, obs in enumerate(ep):
            if (e, i) in excluded:
                continue
            stats.observe(ep[i - 2] if i >= 2 else None, ep[i - 1] if i >= 1 else None, obs)
    return stats
