"""SmartThings, the published protocol: predict the 10th control from the first 9, knowing
the 10th's weekday and hour slot; fit on train + valid, score on test (or, to choose
settings or the best model without reading the test split, fit on train and score on valid).
Each model is also scored on the scored instances whose last 9 actions, target included,
occur nowhere in what it learned from (overlap.py)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..importers import load_smartthings_split
from ..predictor import Predictor
from .catalogue import make_models
from .metrics import RankingScore
from .overlap import WINDOW, unseen_mask

Progress = Callable[[str, int, int], None]  # (what, done, total)


def evaluate_smartthings(
    folder: Path, progress: Progress | None = None, *, validation: bool = False
) -> tuple[dict[str, Any], dict[str, RankingScore]]:
    train = load_smartthings_split(folder, "train")
    splits = [train]
    if validation:
        test = load_smartthings_split(folder, "valid")
    else:
        # a folder without a validation split trains on train alone
        with contextlib.suppress(ValueError):
            splits.append(load_smartthings_split(folder, "valid"))
        test = load_smartthings_split(folder, "test")
    history = [ep for split in splits for ep in split.episodes]
    results: dict[str, Any] = {}
    scores: dict[str, RankingScore] = {}
    models: list[Predictor] = make_models(now_is_target_time=True)
    unseen = unseen_mask(history, test.episodes)
    unseen_figures: dict[str, dict[str, Any]] = {}
    for model in models:
        started = time.perf_counter()
        if progress:
            progress(f"SmartThings: fitting {model.name}", 0, len(test.episodes))
        model.fit(history)
        fit_s = time.perf_counter() - started
        score, score_unseen = RankingScore(), RankingScore()
        for n, episode in enumerate(test.episodes):
            recent, target = episode[:-1], episode[-1]
            t0 = time.perf_counter()
            predictions = model.predict(target.time, recent, k=3)
            score.latencies.append(time.perf_counter() - t0)
            score.add(predictions, target.item)
            if unseen[n]:
                score_unseen.add(predictions, target.item)
            if progress and n % 100 == 0:
                progress(f"SmartThings: {model.name}", n, len(test.episodes))
        results[model.name] = {**score.as_dict(), "fit_s": round(fit_s, 2)}
        scores[model.name] = score
        u = score_unseen.as_dict()
        unseen_figures[model.name] = {"top1": u["top1"], "top3": u["top3"], "n": u["n"]}
    skipped = sum(s.report.total_skipped for s in [*splits, test])
    results["_data"] = {
        "train_instances": len(history),
        "test_instances": len(test.episodes),
        "skipped_lines": skipped,
        "window": WINDOW,
        "overlapping": unseen.count(False),
        "overlap_share": round(unseen.count(False) / max(1, len(unseen)), 4),
    }
    results["_unseen"] = unseen_figures
    return results, scores
