"""The live learner's running calibration record: bounded, binned as the evaluation bins (scored
by api/learning.py with the evaluation's RankingScore), and fed by the learner with each guess
before what came next is learned."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hearthmind.api.learning import calibration_figures
from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.routines.evaluation.metrics import RELIABILITY_BINS, RankingScore
from hearthmind.routines.live_calibration import RunningCalibration
from hearthmind.routines.models import MarkovChain
from hearthmind.routines.online import RoutineLearner
from hearthmind.routines.predictor import Prediction

from .synthetic import observations


def guess(*pairs: tuple[str, float]) -> list[Prediction]:
    return [Prediction(item, p, None, "m") for item, p in pairs]


def test_bins_and_brier_are_the_evaluations() -> None:
    record = RunningCalibration(keep=100)
    # 0.95 right 3 of 4 times, 0.15 right 1 of 4, 0.55 right once: bins 9, 1 and 5
    cases = [
        (0.95, True),
        (0.95, True),
        (0.95, True),
        (0.95, False),
        (0.15, True),
        (0.15, False),
        (0.15, False),
        (0.15, False),
        (0.55, True),
    ]
    for p, right in cases:
        record.add(guess(("light.a:on", p), ("light.b:on", 0.01)), "light.a:on" if right else "x")
    body = calibration_figures(record)
    assert body["n"] == 9 and body["total"] == 9 and body["bins"] == RELIABILITY_BINS
    points = {(r["predicted"], r["observed"], r["count"]) for r in body["reliability"]}
    assert points == {(0.15, 0.25, 4), (0.55, 1.0, 1), (0.95, 0.75, 4)}
    brier = sum((p - r) ** 2 for p, r in cases) / len(cases)
    assert body["brier_top1"] == round(brier, 4)
    # the very figures RankingScore gives when fed the same guesses directly
    direct = RankingScore()
    for p, right in cases:
        direct.add(guess(("light.a:on", p), ("light.b:on", 0.01)), "light.a:on" if right else "x")
    assert {k: body[k] for k in direct.as_dict()} == direct.as_dict()


def test_bounded_keeps_the_newest() -> None:
    record = RunningCalibration(keep=5)
    for _ in range(20):
        record.add(guess(("a:on", 0.05)), "b:on")  # confidently low, wrong
    for _ in range(5):
        record.add(guess(("a:on", 0.85)), "a:on")  # high, right
    body = calibration_figures(record)
    assert len(record.records) == 5 and body["n"] == 5 and body["total"] == 25
    assert body["reliability"] == [{"predicted": 0.85, "observed": 1.0, "count": 5}]
    assert body["top1"] == 1.0


def test_no_guess_and_empty_record() -> None:
    record = RunningCalibration(keep=3)
    assert (
        calibration_figures(record)["n"] == 0 and calibration_figures(record)["reliability"] == []
    )
    record.add([], "a:on")  # no guess counts as probability 0, wrong
    assert calibration_figures(record)["reliability"] == [
        {"predicted": 0.0, "observed": 0.0, "count": 1}
    ]
    with pytest.raises(ValueError, match="keep"):
        RunningCalibration(keep=0)


async def test_the_learner_scores_each_guess_before_learning() -> None:
    history = observations(10)
    clock = SimulatedClock(datetime.fromtimestamp(history[60].time, UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, MarkovChain)
    await learner.async_start(history[:60])
    assert learner.calibration.total == 0  # the fit's history is not scored
    live = history[60:120]
    for o in live:
        entity, _, value = o.item.rpartition(":")
        hub.states.async_set(
            entity, value, {}, hub.context(Origin(o.origin), o.user_id), force_update=True
        )
    await hub.async_block_till_done()
    learned = learner.updates
    assert learned > 0 and learner.calibration.total == learned
    # each record's guess is what the model said before it learned that observation: replay
    # the same stream into a fresh fit and compare the first guess
    first_top, first_truth = learner.calibration.records[0]
    fresh = MarkovChain()
    fresh.fit([history[:60]])
    recent = list(history[:60])[-30:]
    want = fresh.predict(recent[-1].time, recent, k=3)
    assert first_top == tuple((p.item, p.probability) for p in want)
    assert first_truth == live[0].item
    body = calibration_figures(learner.calibration)
    assert sum(r["count"] for r in body["reliability"]) == body["n"] == learned
    await learner.async_stop()
