"""The ranker's trees: LightGBM boosters fitted on candidate rows (named by `features.NAMES`),
their raw scores, a softmax over a moment's candidates calibrated on held-out moments, and
the trees' own attribution of a score to each feature (for the explanations)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .features import CATEGORICAL_INDEX, NAMES

# One thread: on a shared 2-core box OpenMP threads fighting for cores run far slower.
PARAMS: dict[str, object] = {
    "objective": "binary", "learning_rate": 0.12, "num_leaves": 31, "min_data_in_leaf": 20,
    "max_bin": 63, "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
    "lambda_l2": 1.0, "verbose": -1, "num_threads": 1,
}  # fmt: skip
TEMPERATURES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5, 3.0)


@dataclass
class Example:
    """One moment: its candidates, their feature rows (in the FEATURES order), what came."""

    candidates: list[str]
    rows: list[tuple[float, ...]]
    target: str | None


def train_boosters(
    params: dict[str, object],
    xs: list[tuple[float, ...]],
    ys: list[int],
    groups: list[int],
    held: list[Example],
    *,
    rounds: int,
    n_boosters: int,
    seed: int,
) -> list[Any]:
    """`n_boosters` boosters on the rows `xs` (labels `ys`, `groups` candidates per moment),
    stopped early on the held-out moments; they differ only by their random seeds."""
    # loaded on demand: a heavy optional dependency, needed only when the ranker is fitted
    import lightgbm as lgb

    params = {**params, "seed": seed}
    ranking = params.get("objective") == "lambdarank"
    if ranking:
        params.setdefault("eval_at", [1])
    train = lgb.Dataset(
        np.asarray(xs, np.float32),
        np.asarray(ys),
        group=groups if ranking else None,
        feature_name=NAMES,
        categorical_feature=CATEGORICAL_INDEX,
        free_raw_data=True,
    )
    hx = [r for ex in held for r in ex.rows]
    hy = [int(c == ex.target) for ex in held for c in ex.candidates]
    callbacks: list[Any] = []
    valid_sets = []
    if hy and any(hy):
        held_groups = [len(ex.candidates) for ex in held] if ranking else None
        valid_sets = [
            lgb.Dataset(
                np.asarray(hx, np.float32), np.asarray(hy), group=held_groups, reference=train
            )
        ]
        callbacks = [lgb.early_stopping(30, verbose=False)]
    return [
        lgb.train(
            {**params, "seed": seed + m}, train, rounds, valid_sets=valid_sets,
            callbacks=callbacks,
        )
        for m in range(n_boosters)
    ]  # fmt: skip


def raw_scores(boosters: Sequence[Any], rows: Sequence[Sequence[float]]) -> Any:
    """The boosters' mean raw score of each row."""
    x = np.asarray(rows, np.float32)
    raw = [b.predict(x, raw_score=True, num_threads=1) for b in boosters]
    return raw[0] if len(raw) == 1 else np.mean(raw, axis=0)


def probabilities(raw: Any, temperature: float, coverage: float) -> Any:
    """Softmax over one moment's candidates, times the share of moments whose next item was
    among the candidates at all."""
    z = raw / temperature
    z = np.exp(z - z.max())
    return z / z.sum() * coverage


def calibrate(boosters: Sequence[Any], held: list[Example]) -> tuple[float, float, float]:
    """(temperature, coverage, held-out negative log-likelihood per moment): the softmax's
    temperature by held-out log-likelihood, and the share of moments whose true next item was
    among the candidates. No held-out moment: (1, 1, inf)."""
    if not held:
        return 1.0, 1.0, math.inf
    scored = [(raw_scores(boosters, ex.rows), ex) for ex in held]
    covered = [
        (raw, ex.candidates.index(ex.target)) for raw, ex in scored if ex.target in ex.candidates
    ]
    coverage = max(0.05, len(covered) / len(held))
    best = (math.inf, 1.0)
    for t in TEMPERATURES:
        nll = 0.0
        for raw, idx in covered:
            z = raw / t
            z = z - z.max()
            nll -= z[idx] - math.log(float(np.exp(z).sum()))
        best = min(best, (nll, t))
    return best[1], coverage, best[0] / max(1, len(covered))


def contributions(boosters: Sequence[Any], row: Sequence[float]) -> list[float]:
    """The trees' attribution (SHAP, `pred_contrib`) of the row's score to each feature, in
    the FEATURES order, then the bias; the mean over the boosters."""
    x = np.asarray([row], np.float32)
    mean = np.mean([b.predict(x, pred_contrib=True, num_threads=1)[0] for b in boosters], axis=0)
    return [float(v) for v in mean]
