"""The context ranker: gradient-boosted trees (LightGBM) that score candidate next items.

For each moment it gathers candidates (items in the recent window, other states of entities
seen there, likely successors and what is usual at this hour) and describes each one by
context features (time of day, weekday, gap since the last event) and sequence features (how
often and how recently it occurred in the window, what followed the last items before, both
in this window and in all history). One binary model scores every candidate; a softmax with
a temperature fitted on held-out history turns scores into calibrated probabilities.

History statistics used as features are computed out-of-fold while training, so the trees
learn how much to trust counts that did not see the example they describe."""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..observations import Episode, Observation
from ..predictor import Prediction, explain_from_evidence
from ..timeofday import SLOT_HOURS, hour_of_day, hour_slot, weekday
from .lezi import ActiveLeZi
from .ranker_reasons import reasons
from .stats import (
    CONTEXT_WINDOW,
    ON_VALUES,
    SequenceStats,
    active_entities,
    pace_bucket,
    split_item,
)

FEATURES = [
    "candidate", "last_item", "n_recent", "distinct_recent", "hour", "slot", "weekday", "weekend",
    "log_gap_last", "same_slot_as_last", "same_day_as_last",
    "count_recent", "share_recent", "last_pos", "first_pos", "count_same_slot", "count_same_day_slot",
    "count_same_day", "follows_last_here", "follows_last2_here", "is_last", "is_last2",
    "p_first", "n_first", "p_first_slot", "n_first_slot", "p_second", "n_second", "p_prior", "p_slot",
    "same_entity_as_last", "entity_count_recent", "entity_change", "log_since_candidate",
    "slot_distance", "log_typical_gap", "p_context", "rank_context",
    "entity_state_known", "log_entity_elapsed", "log_entity_typical", "entity_overdue",
    "last2_item", "last3_item", "log_gap_prev1", "log_gap_prev2",
    "log_since_any", "count_24h", "count_today",
    "p_first_pace", "n_first_pace", "p_first_active", "n_first_active",
    "state_same", "closes_open", "open_rank", "n_open", "log_state_elapsed",
    "survival", "hazard_soon", "hazard_later",
]  # fmt: skip
# One thread: on a shared 2-core box OpenMP threads fighting for cores run far slower.
PARAMS: dict[str, object] = {
    "objective": "binary", "learning_rate": 0.12, "num_leaves": 31, "min_data_in_leaf": 20,
    "max_bin": 63, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
    "lambda_l2": 1.0, "verbose": -1, "num_threads": 1,
}  # fmt: skip
EXPLAINABLE = 256  # latest predictions whose feature rows are kept for explain()
_CATEGORICAL = [0, 1, FEATURES.index("last2_item"), FEATURES.index("last3_item")]


class _Memory:
    """Where each item occurred in one stream (positions and times), for long-memory features
    beyond the recent window: how long since it last happened, how often in the last day; and
    when each entity changed state, so the state of every entity (what is open, since when)
    is known at any position, however long ago it changed."""

    __slots__ = ("changes", "length", "positions", "times")

    def __init__(self) -> None:
        self.positions: dict[str, list[int]] = {}
        self.times: dict[str, list[float]] = {}
        # per entity, each change of state: (positions, values, times)
        self.changes: dict[str, tuple[list[int], list[str], list[float]]] = {}
        self.length = 0

    def add(self, obs: Observation) -> None:
        self.positions.setdefault(obs.item, []).append(self.length)
        self.times.setdefault(obs.item, []).append(obs.time)
        entity, value = split_item(obs.item)
        found = self.changes.get(entity)
        if found is None:
            found = self.changes[entity] = ([], [], [])
        if not found[1] or found[1][-1] != value:
            found[0].append(self.length)
            found[1].append(value)
            found[2].append(obs.time)
        self.length += 1

    def states(self, before: int) -> dict[str, tuple[str, float]]:
        """Every entity's state (value, since when) just before position `before`."""
        out: dict[str, tuple[str, float]] = {}
        for entity, (positions, values, times) in self.changes.items():
            k = bisect.bisect_left(positions, before)
            if k:
                out[entity] = (values[k - 1], times[k - 1])
        return out

    @classmethod
    def of(cls, episode: Sequence[Observation]) -> _Memory:
        memory = cls()
        for obs in episode:
            memory.add(obs)
        return memory

    def features(self, item: str, before: int, now: float) -> tuple[float, float, float]:
        """(log seconds since it last occurred, occurrences in the last 24 h, today since
        04:00), counting only positions before `before`."""
        positions = self.positions.get(item)
        if not positions:
            return (-1.0, 0.0, 0.0)
        k = bisect.bisect_left(positions, before)
        if k == 0:
            return (-1.0, 0.0, 0.0)
        times = self.times[item]
        since = math.log1p(max(0.0, now - times[k - 1]))
        day = bisect.bisect_left(times, now - 86400.0, 0, k)
        morning = (now - 4 * 3600.0) // 86400.0 * 86400.0 + 4 * 3600.0
        today = bisect.bisect_left(times, morning, 0, k)
        return (since, float(k - day), float(k - today))


@dataclass
class _Example:
    candidates: list[str]
    rows: list[list[float]]
    target: str | None


class ContextRanker:
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
        self._memory = _Memory()
        self.temperature = 1.0
        self.coverage = 1.0
        self._prev: Observation | None = None
        self._prev2: Observation | None = None
        # the last observations of the stream, as many as training examples saw
        self._tail: deque[Observation] = deque(maxlen=self.state_window)
        # the feature rows behind the latest predictions, so explain() can ask the trees why
        self._explainable: dict[Prediction, tuple[list[float], float]] = {}

    # -- training ---------------------------------------------------------------------------

    def fit(self, history: Sequence[Episode]) -> None:
        import lightgbm as lgb

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
        xs: list[list[float]] = []
        ys: list[int] = []
        groups: list[int] = []
        held_examples: list[_Example] = []
        hold_from = positions[-max(1, len(positions) // 10)]
        memories: dict[int, _Memory] = {}

        def collect(pos: tuple[int, int], example: _Example) -> None:
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
                        memories[e] = _Memory.of(episodes[e])
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
                memories[e] = _Memory.of(ep)
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
        self._memory = memories.get(len(episodes) - 1) or _Memory.of(episodes[-1])
        hx = [r for ex in held_examples for r in ex.rows]
        hy = [int(c == ex.target) for ex in held_examples for c in ex.candidates]
        params = {**self.params, "seed": self.seed}
        self.fit_size = (len(groups), len(ys))
        self._say(f"boosting on {len(groups)} moments, {len(ys)} candidates")
        ranking = params.get("objective") == "lambdarank"
        if ranking:
            params.setdefault("eval_at", [1])
        train = lgb.Dataset(
            np.asarray(xs, np.float32),
            np.asarray(ys),
            group=groups if ranking else None,
            feature_name=FEATURES,
            categorical_feature=_CATEGORICAL,
            free_raw_data=True,
        )
        callbacks: list[Any] = []
        valid_sets = []
        if hy and any(hy):
            held_groups = [len(ex.candidates) for ex in held_examples] if ranking else None
            valid_sets = [
                lgb.Dataset(
                    np.asarray(hx, np.float32), np.asarray(hy), group=held_groups, reference=train
                )
            ]
            callbacks = [lgb.early_stopping(30, verbose=False)]
        # Short histories: average a few boosters that differ only by their random samples of
        # rows and features; there it costs little and steadies the ranking. Long ones: one.
        n_boosters = max(1, min(self.ensemble, self.max_rows // max(1, len(ys))))
        self._boosters = [
            lgb.train(
                {**params, "seed": self.seed + m}, train, self.rounds, valid_sets=valid_sets,
                callbacks=callbacks,
            )
            for m in range(n_boosters)
        ]  # fmt: skip
        self._booster = self._boosters[0]
        self._calibrate(held_examples)

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

    def _calibrate(self, held: list[_Example]) -> float:
        """Temperature of the softmax over candidates by held-out log-likelihood, and the share
        of moments whose true next item was among the candidates at all. Returns the held-out
        negative log-likelihood per moment (for choosing between boosters)."""
        if not held:
            return math.inf
        scored = [(self._raw(ex.rows), ex) for ex in held]
        covered = [
            (raw, ex.candidates.index(ex.target))
            for raw, ex in scored
            if ex.target in ex.candidates
        ]
        self.coverage = max(0.05, len(covered) / len(held))
        best = (math.inf, 1.0)
        for t in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0):
            nll = 0.0
            for raw, idx in covered:
                z = raw / t
                z = z - z.max()
                nll -= z[idx] - math.log(float(np.exp(z).sum()))
            best = min(best, (nll, t))
        self.temperature = best[1]
        return best[0] / max(1, len(covered))

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
        # long memory when `recent` continues the stream this model has seen; else the window.
        # The features then read as many past observations as the training examples did, even
        # if the caller handed in fewer.
        if self._prev is not None and recent[-1] == self._prev:
            memory, before = self._memory, self._memory.length
            if len(recent) < len(self._tail):
                recent = list(self._tail)
        else:
            memory, before = _Memory.of(recent), len(recent)
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

    def _raw(self, rows: list[list[float]]) -> Any:
        x = np.asarray(rows, np.float32)
        raw = [b.predict(x, raw_score=True, num_threads=1) for b in self._boosters]
        return raw[0] if len(raw) == 1 else np.mean(raw, axis=0)

    def _probabilities(self, raw: Any) -> Any:
        z = raw / self.temperature
        z = np.exp(z - z.max())
        return z / z.sum() * self.coverage

    def explain(self, prediction: Prediction) -> str:
        """The trees' own reasons (see ranker_reasons) for one of the latest predictions;
        for an older one, the counts behind it."""
        found = self._explainable.get(prediction)
        if found is None or not self._boosters:
            return explain_from_evidence(prediction)
        row, now = found
        x = np.asarray([row], np.float32)
        contributions = np.mean(
            [b.predict(x, pred_contrib=True, num_threads=1)[0] for b in self._boosters], axis=0
        )
        names = {i: item for item, i in self.vocab.items()}
        why = reasons(prediction.item, row, list(contributions), FEATURES, names, now)
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

    def _example(self, episode: list[Observation], i: int, memory: _Memory) -> _Example:
        recent = episode[max(0, i - self.state_window) : i]
        target = episode[i]
        now = target.time if self.now_is_target_time else recent[-1].time
        cands, rows = self._features(now, recent, memory, i)
        return _Example(cands, rows, target.item)

    def _candidates(
        self,
        now: float,
        recent: list[Observation],
        ppm: dict[str, float],
        ppm_top: list[str],
        stats: SequenceStats | None = None,
    ) -> list[str]:
        st = self.stats if stats is None else stats
        last = recent[-1].item
        slot = hour_slot(now)
        found: dict[str, None] = {}
        for obs in recent:
            found[obs.item] = None
            for other in self._by_entity.get(obs.entity_id, ())[:3]:
                found[other] = None
        for item in st.first.top(last, 6):
            found[item] = None
        for item in st.first_slot.top((last, slot), 4):
            found[item] = None
        if len(recent) >= 2:
            for item in st.second.top((recent[-2].item, last), 3):
                found[item] = None
        for item in st.by_slot.top(slot, 3):
            found[item] = None
        for item in st.prior.top(None, 3):
            found[item] = None
        for item in ppm_top:
            found[item] = None
        if len(found) <= self.max_candidates:
            return list(found)
        # Too many (homes with many devices): keep the likeliest by a cheap score, which bounds
        # the cost of training and of each prediction.
        first = st.first.of(last)
        n_first = max(1, st.first.total(last))
        in_window = Counter(o.item for o in recent)

        def cheap(item: str) -> float:
            return (
                ppm.get(item, 0.0)
                + first.get(item, 0) / n_first
                + 0.5 * in_window[item] / len(recent)
            )

        return sorted(found, key=cheap, reverse=True)[: self.max_candidates]

    def _features(
        self, now: float, longer: list[Observation], memory: _Memory, before: int
    ) -> tuple[list[str], list[list[float]]]:
        st = self.stats
        # entity states (what is on, since when) from everything handed in; sequence counts
        # from the last `window` observations only
        entity_since: dict[str, tuple[str, float]] = {}
        for obs in longer:
            entity, _, value = obs.item.rpartition(":")
            seen = entity_since.get(entity)
            if seen is None or seen[0] != value:
                entity_since[entity] = (value, obs.time)
        recent = longer[-self.window :]
        n = len(recent)
        last = recent[-1]
        last2 = recent[-2].item if n >= 2 else None
        slot, day = hour_slot(now), weekday(now)
        # one pass over the window
        count: dict[str, int] = {}
        first_at: dict[str, int] = {}
        last_at: dict[str, int] = {}
        same_slot: dict[str, int] = {}
        same_day_slot: dict[str, int] = {}
        same_day: dict[str, int] = {}
        follows: dict[str, int] = {}
        follows2: dict[str, int] = {}
        entity_count: dict[str, int] = {}
        entity_value: dict[str, str] = {}
        for j, obs in enumerate(recent):
            item = obs.item
            count[item] = count.get(item, 0) + 1
            first_at.setdefault(item, j)
            last_at[item] = j
            o_slot, o_day = hour_slot(obs.time), weekday(obs.time)
            if o_slot == slot:
                same_slot[item] = same_slot.get(item, 0) + 1
                if o_day == day:
                    same_day_slot[item] = same_day_slot.get(item, 0) + 1
            if o_day == day:
                same_day[item] = same_day.get(item, 0) + 1
            if j >= 1 and recent[j - 1].item == last.item:
                follows[item] = follows.get(item, 0) + 1
                if j >= 2 and recent[j - 2].item == last2:
                    follows2[item] = follows2.get(item, 0) + 1
            entity = obs.entity_id
            entity_count[entity] = entity_count.get(entity, 0) + 1
            entity_value[entity] = obs.value
        gap_last = now - last.time
        context = [
            float(self.vocab.get(last.item, -1)), float(n), float(len(count)), hour_of_day(now), float(slot),
            float(day), float(day >= 5), math.log1p(max(0.0, gap_last)),
            float(hour_slot(last.time) == slot), float(weekday(last.time) == day),
        ]  # fmt: skip
        # the pace of the last few events (known at prediction time, unlike the next gap)
        tail = [
            float(self.vocab.get(recent[-2].item, -1)) if n >= 2 else -1.0,
            float(self.vocab.get(recent[-3].item, -1)) if n >= 3 else -1.0,
            _log_seconds(last.time - recent[-2].time) if n >= 2 else -1.0,
            _log_seconds(recent[-2].time - recent[-3].time) if n >= 3 else -1.0,
        ]
        key_pace = (last.item, pace_bucket(last.time - recent[-2].time)) if n >= 2 else None
        pace_counts = st.first_pace.of(key_pace)
        n_pace = st.first_pace.total(key_pace)
        key_active = (last.item, active_entities(longer[-CONTEXT_WINDOW:], last.time))
        active_counts = st.first_active.of(key_active)
        n_active = st.first_active.total(key_active)
        key_slot = (last.item, slot)
        key2 = (last2, last.item)
        n_first, n_first_slot, n_second = (
            st.first.total(last.item),
            st.first_slot.total(key_slot),
            st.second.total(key2),
        )
        first_counts = st.first.of(last.item)
        first_slot_counts = st.first_slot.of(key_slot)
        second_counts = st.second.of(key2)
        prior_total = max(1, st.prior.total(None))
        prior_counts = st.prior.of(None)
        slot_total = max(1, st.by_slot.total(slot))
        slot_counts = st.by_slot.of(slot)
        last_entity = last.entity_id
        ppm = self._ppm.distribution(recent)
        ppm_ranked = sorted(ppm, key=lambda i: -ppm[i])
        ppm_rank = {item: r for r, item in enumerate(ppm_ranked[:20])}
        cands = self._candidates(now, recent, ppm, ppm_ranked[:3])
        states = memory.states(before)
        opened = sorted((t for v, t in states.values() if v in ON_VALUES), reverse=True)
        rows = []
        # candidates are often several states of one entity: its own features once per moment
        by_entity: dict[str, tuple[tuple[float, ...], tuple[float, ...], str | None]] = {}
        for c in cands:
            cnt = count.get(c, 0)
            entity, _, value = c.rpartition(":")
            of_entity = by_entity.get(entity)
            if of_entity is None:
                of_entity = by_entity[entity] = (
                    self._entity_features(now, entity, entity_since),
                    *self._state_features(now, entity, states, opened),
                )
            entity_part, state_part, state = of_entity
            seen_value = entity_value.get(entity)
            if c in last_at:
                since = now - recent[last_at[c]].time
                last_slot = hour_slot(recent[last_at[c]].time)
                slot_distance = min((slot - last_slot) % 8, (last_slot - slot) % 8)
            else:
                since, slot_distance = -1.0, 9
            gap = st.typical_gap(last.item, c)
            rows.append([
                float(self.vocab.get(c, -1)), *context,
                float(cnt), cnt / n, float(n - last_at[c]) if c in last_at else 99.0,
                float(n - first_at[c]) if c in first_at else 99.0,
                float(same_slot.get(c, 0)), float(same_day_slot.get(c, 0)), float(same_day.get(c, 0)),
                float(follows.get(c, 0)), float(follows2.get(c, 0)), float(c == last.item), float(c == last2),
                first_counts.get(c, 0) / n_first if n_first else -1.0, math.log1p(n_first),
                first_slot_counts.get(c, 0) / n_first_slot if n_first_slot else -1.0, math.log1p(n_first_slot),
                second_counts.get(c, 0) / n_second if n_second else -1.0, math.log1p(n_second),
                prior_counts.get(c, 0) / prior_total, slot_counts.get(c, 0) / slot_total,
                float(entity == last_entity), float(entity_count.get(entity, 0)),
                -1.0 if seen_value is None else float(seen_value != value),
                math.log1p(since) if since >= 0 else -1.0, float(slot_distance),
                _log_seconds(gap) if gap is not None else -1.0,
                ppm.get(c, 0.0), float(ppm_rank.get(c, 20)),
                *entity_part,
                *tail,
                *memory.features(c, before, now),
                pace_counts.get(c, 0) / n_pace if n_pace else -1.0, math.log1p(n_pace),
                active_counts.get(c, 0) / n_active if n_active else -1.0, math.log1p(n_active),
                -1.0 if state is None else float(value == state),
                float(state in ON_VALUES and value != state) if state is not None else 0.0,
                *state_part,
            ])  # fmt: skip
        return cands, rows

    def _entity_features(
        self, now: float, entity: str, entity_since: dict[str, tuple[str, float]]
    ) -> tuple[float, float, float, float]:
        """How long the candidate's entity has been in its current state, against how long it
        usually stays there: an 'off' is due when an 'on' has lasted its usual time."""
        current = entity_since.get(entity)
        if current is None:
            return (0.0, -1.0, -1.0, 0.0)
        elapsed = max(0.0, now - current[1])
        typical = self.stats.typical_duration(entity, current[0])
        if typical is None:
            return (1.0, math.log1p(elapsed), -1.0, 0.0)
        return (
            1.0,
            _log_seconds(elapsed),
            _log_seconds(typical),
            _log_seconds(elapsed) - _log_seconds(typical),
        )

    def _state_features(
        self,
        now: float,
        entity: str,
        states: dict[str, tuple[str, float]],
        opened: list[float],
    ) -> tuple[tuple[float, ...], str | None]:
        """The candidate's entity over the whole stream, and its state (None when never seen):
        with that state, each candidate tells whether it repeats the state or changes it and
        whether it closes an open interval. Here: how recently that interval opened among
        those open (intervals overlap, and which one ends next is the usual confusion), and
        how likely the current stay ends soon given how long it has lasted."""
        current = states.get(entity)
        if current is None:
            return (-1.0, float(len(opened)), -1.0, -1.0, -1.0, -1.0), None
        state, since = current
        is_open = state in ON_VALUES
        rank = float(opened.index(since)) if is_open and since in opened else -1.0
        elapsed = max(0.0, now - since)
        survival, soon, later = self.stats.hazard(entity, state, elapsed)
        return (rank, float(len(opened)), _log_seconds(elapsed), survival, soon, later), state

    def _say(self, text: str) -> None:
        if self.progress is not None:
            self.progress(text)


def _context_model() -> ActiveLeZi:
    """Active LeZi for its distribution only: the delays behind its expected times are never
    read here, and learning them would cost as much as the trie itself."""
    return ActiveLeZi(expected_times=False)


def _log_seconds(seconds: float) -> float:
    """log(1 + seconds); negative spans (clocks that went back) count as zero."""
    return math.log1p(max(0.0, seconds))


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
