"""Home logs: split by days (70/30 in time order); every model predicts each test event right
after the previous one (and learns it online afterwards), for sensor/device events and for
activity instances; the time-habit miner's daily times are scored in minutes."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import tzinfo
from pathlib import Path
from statistics import mean, median
from typing import Any

from ..importers import load_home
from ..models import TimeHabitMiner
from ..observations import HomeLog, Observation
from ..predictor import Predictor
from ..timeofday import circular_distance, day_index, home_day_start, seconds_of_day
from .catalogue import make_models
from .metrics import RankingScore
from .splits import SplitError, evaluation_split

Progress = Callable[[str, int, int], None]
WINDOW = 10  # recent observations handed to predict()


def score_stream(
    model: Predictor,
    train: Sequence[Observation],
    test: Sequence[Observation],
    label: str,
    progress: Progress | None = None,
) -> tuple[RankingScore, float]:
    """Fits on train, then walks the test stream: predict the next item, then learn it.

    Models that learn only partly online (`refit_growth` set, e.g. the ranker's trees) are
    refitted on everything seen so far at the first event of a new day once the history has
    grown by that share since their last fit, as a hub's nightly refit would do."""
    started = time.perf_counter()
    seen = list(train)
    model.fit([seen])
    fit_s = time.perf_counter() - started
    growth: float | None = getattr(model, "refit_growth", None)
    fitted_on = len(seen)
    score = RankingScore()
    recent = list(train[-WINDOW:])
    step = max(1, len(test) // 50)
    for n, obs in enumerate(test):
        if (
            growth is not None
            and len(seen) >= fitted_on * (1 + growth)
            and day_index(obs.time) != day_index(seen[-1].time)
        ):
            model.fit([seen])
            fitted_on = len(seen)
        if recent:
            t0 = time.perf_counter()
            predictions = model.predict(recent[-1].time, recent, k=3)
            score.latencies.append(time.perf_counter() - t0)
            score.add(predictions, obs.item)
        model.update(obs)
        seen.append(obs)
        recent.append(obs)
        if len(recent) > WINDOW:
            del recent[0]
        if progress and n % step == 0:
            progress(f"{label}: {model.name}", n, len(test))
    return score, fit_s


def daily_time_errors(
    train: Sequence[Observation],
    test: Sequence[Observation],
    min_share: float = 0.5,
    day_start: float | None = None,
) -> dict[str, float]:
    """For each item done on at least `min_share` of training days: median minutes between its
    predicted (circular mean) and actual first time of day on the test days it happened. Days
    are the home's (from its quietest night hour, as the miner learned them), not calendar days."""
    miner = TimeHabitMiner(day_start=day_start)
    miner.fit([list(train)])
    firsts: defaultdict[str, dict[int, float]] = defaultdict(dict)
    for obs in test:  # in time order: the first seen of each day is the day's first
        firsts[obs.item].setdefault(miner.day_of(obs.time), obs.time)
    errors = {}
    for item, by_day in firsts.items():
        shares = [h.daily_share for (i, _), h in miner.habits.items() if i == item]
        if not shares or max(shares) < min_share:
            continue
        minutes = []
        for first in by_day.values():
            predicted = miner.daily_time(item, first)
            if predicted is not None:
                minutes.append(circular_distance(predicted, seconds_of_day(first)) / 60)
        if minutes:
            errors[item] = round(median(minutes), 1)
    return errors


def evaluate_home(
    folder: Path,
    progress: Progress | None = None,
    name: str | None = None,
    *,
    validation: bool = False,
    zone: tzinfo | None = None,
) -> tuple[str, dict[str, Any], dict[str, RankingScore]]:
    """Every model on one home log. With `validation`, the same protocol runs inside the
    training days only (their first 70 % to learn, the rest to score), so settings can be
    chosen without ever reading the test days. `zone`: the residents', for a log kept in UTC
    (a Home Assistant database; see `load_home`)."""
    log: HomeLog = load_home(folder, name, zone=zone)
    split = evaluation_split(log.observations, validation)
    activities = log.activity_observations()
    activity_split = None
    if len(activities) >= 10:
        try:
            activity_split = evaluation_split(activities, validation)
        except SplitError:
            activity_split = None
    results: dict[str, Any] = {}
    scores: dict[str, RankingScore] = {}
    event_models = make_models(now_is_target_time=False)
    activity_models = make_models(now_is_target_time=False) if activity_split else []
    for model in event_models:
        score, fit_s = score_stream(model, split.train, split.test, f"{log.name} events", progress)
        results[model.name] = {
            "next_event_top1": round(score.top1_rate, 4),
            "next_event_top3": round(score.top3_rate, 4),
            "brier_top1": round(score.brier, 4),
            "fit_s": round(fit_s, 2),
            **_latency(score),
        }
        scores[model.name] = score
    for model in activity_models:
        assert activity_split is not None
        score, _ = score_stream(
            model, activity_split.train, activity_split.test, f"{log.name} activities", progress
        )
        results[model.name]["next_activity_top1"] = round(score.top1_rate, 4)
    for model in event_models:
        results[model.name].setdefault("next_activity_top1", None)
    daily_source = activity_split or split
    # the home's day turns over at its quietest night hour, read from every training event
    day_start = home_day_start(o.time for o in split.train)
    errors = daily_time_errors(daily_source.train, daily_source.test, day_start=day_start)
    results["_data"] = {
        "format_report": log.report.summary(),
        "skipped": dict(log.report.skipped),
        "repaired": log.report.repaired,
        "observations": len(log.observations),
        "train_days": len(split.train_days),
        "test_days": len(split.test_days),
        "empty_days": split.empty_days,
        "sparse_days": split.sparse_days,
        "test_events": len(split.test),
        "activities": len(activities),
        "day_starts_at_hour": round(day_start / 3600),
        "daily_time_error_minutes": errors,
        "daily_time_error_minutes_mean": round(mean(errors.values()), 1) if errors else None,
    }
    return log.name, results, scores


def _latency(score: RankingScore) -> dict[str, float]:
    d = score.as_dict()
    return {k: v for k, v in d.items() if k.startswith("predict_ms")}
