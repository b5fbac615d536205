"""Every model behind the Predictor protocol: ranked, normalised, explained; each baseline
does what its name says; the ranker uses context the first-order chain cannot see."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from hearthmind.routines.models import (
    ActiveLeZi,
    ContextRanker,
    MarkovChain,
    MostFrequent,
    RepeatLast,
    TimeHabitMiner,
)
from hearthmind.routines.observations import Kind, Observation
from hearthmind.routines.predictor import Prediction, Predictor
from hearthmind.routines.timeofday import circular_distance, circular_summary, quietest_hour

from .synthetic import START, observations


def all_models() -> list[Predictor]:
    return [
        MostFrequent(),
        RepeatLast(),
        MarkovChain(use_hour_slot=False),
        MarkovChain(),
        ActiveLeZi(),
        TimeHabitMiner(),
        ContextRanker(rounds=60),
    ]


@pytest.fixture(scope="module")
def history() -> list[Observation]:
    return observations(21)


@pytest.mark.parametrize("model", all_models(), ids=lambda m: m.name)
def test_protocol_ranked_normalised_explained(model: Predictor, history: list[Observation]) -> None:
    assert isinstance(model, Predictor)
    model.fit([history[:-20]])
    for obs in history[-20:-10]:
        model.update(obs)
    recent = history[-10:]
    predictions = model.predict(recent[-1].time, recent, k=3)
    assert 1 <= len(predictions) <= 3
    probs = [p.probability for p in predictions]
    assert probs == sorted(probs, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probs) and sum(probs) <= 1.0 + 1e-9
    text = model.explain(predictions[0])
    assert predictions[0].item in text and model.name in text
    assert (
        predictions[0].expected_time is None or predictions[0].expected_time >= recent[-1].time - 1
    )


def _obs(t: float, item: str) -> Observation:
    return Observation(t, item, Kind.ACTION, origin="physical")


def test_most_frequent_and_repeat_last() -> None:
    seq = [_obs(i * 60.0, x) for i, x in enumerate("AABABAAC")]
    mf, rl = MostFrequent(), RepeatLast()
    mf.fit([seq])
    rl.fit([seq])
    assert mf.predict(1000, seq, 1)[0].item == "A"
    last = [_obs(2000, "C")]
    top = rl.predict(2000, last, 2)
    assert top[0].item == "C"
    assert top[0].probability == pytest.approx(2 / 7)  # A->A twice in 7 transitions
    # a history that never repeats itself: the last item again is not a coin toss
    never = RepeatLast()
    never.fit([[_obs(i * 60.0, x) for i, x in enumerate("ABCABCABC")]])
    assert never.predict(2000, [_obs(2000, "C")], 1)[0].probability == 0.0


def test_markov_uses_the_hour_slot() -> None:
    # after X: Y in the morning, Z in the evening
    seq = []
    for day in range(10):
        base = day * 86400.0
        seq += [
            _obs(base + 7 * 3600, "X"),
            _obs(base + 7 * 3600 + 60, "Y"),
            _obs(base + 19 * 3600, "X"),
            _obs(base + 19 * 3600 + 60, "Z"),
        ]
    plain, hourly = MarkovChain(use_hour_slot=False), MarkovChain()
    plain.fit([seq])
    hourly.fit([seq])
    morning = 20 * 86400.0 + 7 * 3600
    evening = 20 * 86400.0 + 19 * 3600
    assert hourly.predict(morning, [_obs(morning, "X")], 1)[0].item == "Y"
    assert hourly.predict(evening, [_obs(evening, "X")], 1)[0].item == "Z"
    p = plain.predict(morning, [_obs(morning, "X")], 2)
    assert abs(p[0].probability - p[1].probability) < 0.05  # cannot tell them apart
    # unseen context backs off to the prior, never an empty answer
    assert hourly.predict(morning, [_obs(morning, "NEW")], 1)


def test_active_lezi_learns_longer_context() -> None:
    # A B -> C but D B -> E: first order after B is a coin toss, second order is certain
    rng = random.Random(3)
    seq, t = [], 0.0
    for _ in range(300):
        first = rng.choice("AD")
        for x in (first, "B", "C" if first == "A" else "E"):
            seq.append(_obs(t, x))
            t += 30
    alz = ActiveLeZi()
    alz.fit([seq])
    assert alz.predict(t, [_obs(t, "A"), _obs(t + 1, "B")], 1)[0].item == "C"
    assert alz.predict(t, [_obs(t, "D"), _obs(t + 1, "B")], 1)[0].item == "E"
    # without expected times (the ranker's own copy): the same distribution, no times
    bare = ActiveLeZi(expected_times=False)
    bare.fit([seq])
    recent = [_obs(t, "A"), _obs(t + 1, "B")]
    assert bare.distribution(recent) == alz.distribution(recent)
    assert alz.predict(t + 1, recent, 1)[0].expected_time == t + 1 + 30
    assert bare.predict(t + 1, recent, 1)[0].expected_time is None


def test_ranker_beats_first_order_markov_on_second_order_data() -> None:
    rng = random.Random(5)
    seq, t = [], 0.0
    for _ in range(400):
        first = rng.choice("AD")
        for x in (first, "B", "C" if first == "A" else "E"):
            seq.append(_obs(t, f"switch.{x.lower()}:on"))
            t += rng.uniform(20, 90)
    train, test = seq[:900], seq[900:]
    scores = {}
    for model in (MarkovChain(use_hour_slot=False), ContextRanker(rounds=80)):
        model.fit([train])
        hits = 0
        for i in range(10, len(test)):
            hits += model.predict(test[i - 1].time, test[i - 10 : i], 1)[0].item == test[i].item
        scores[model.name] = hits / (len(test) - 10)
    assert scores["boosted_ranker"] > scores["markov"] + 0.1


def test_ranker_probabilities_are_calibrated_on_its_own_history(history: list[Observation]) -> None:
    model = ContextRanker(rounds=80)
    model.fit([history])
    assert 0.3 <= model.temperature <= 3.0
    assert 0.5 <= model.coverage <= 1.0


def test_time_habits_circular_statistics_across_midnight() -> None:
    summary = circular_summary([23.5 * 3600, 0.5 * 3600])
    assert min(summary.mean, 86400 - summary.mean) < 60  # the mean of 23:30 and 00:30 is midnight
    assert summary.resultant > 0.95
    spread = circular_summary([0.0, 6 * 3600, 12 * 3600, 18 * 3600])
    assert spread.resultant < 1e-9


def test_time_habits_of_an_action_always_at_the_same_second() -> None:
    # three sums of one sine and cosine round to a resultant a hair above 1 (found on the
    # SmartThings train split): the spread must be 0, not a math domain error
    same = circular_summary([485.0] * 3)
    assert same.resultant == 1.0 and same.std == 0.0 and same.n == 3


def test_time_habits_knows_weekday_and_weekend_mornings(history: list[Observation]) -> None:
    miner = TimeHabitMiner()
    miner.fit([history])
    weekday = miner.habits[("light.kitchen:on", "weekday")]
    weekend = miner.habits[("light.kitchen:on", "weekend")]
    assert abs(weekday.times.mean / 3600 - 6.7) < 0.2
    assert abs(weekend.times.mean / 3600 - 8.55) < 0.2
    assert weekday.regularity > 0.99 and weekday.daily_share == 1.0
    # a Monday at 06:35: the morning routine is what is due
    monday = (START.timestamp() + 21 * 86400) + 6.58 * 3600
    ranked = {p.item: p.probability for p in miner.predict(monday, [], 20)}
    assert ranked["light.kitchen:on"] > 0.05
    assert ranked.get("media_player.tv:on", 0.0) < 0.01 * ranked["light.kitchen:on"]
    assert "regularity" in miner.explain(miner.predict(monday, [], 1)[0])


def test_ranker_needs_history() -> None:
    with pytest.raises(ValueError, match="at least one episode"):
        ContextRanker().fit([[]])
    with pytest.raises(RuntimeError, match="fit the ranker"):
        ContextRanker().predict(0.0, [_obs(0, "A")])


class _CountingBooster:
    """A booster that counts what each prediction asks of it."""

    def __init__(self, booster: Any) -> None:
        self.booster = booster
        self.batches: list[int] = []

    def predict(self, x: Any, **kwargs: Any) -> Any:
        self.batches.append(len(x))
        return self.booster.predict(x, **kwargs)


def test_a_prediction_is_one_bounded_batch_per_booster(history: list[Observation]) -> None:
    """What a prediction costs, counted rather than timed (bench/routines.py times it): one
    batch per booster, of at most max_candidates rows, however long the history handed in."""
    model = ContextRanker(rounds=60, max_candidates=4)
    model.fit([history])
    assert len(model.vocab) > 4  # so the cap has something to cut
    counting = [_CountingBooster(b) for b in model._boosters]
    model._boosters = list(counting)
    for end in range(len(history) - 50, len(history)):
        assert model.predict(history[end - 1].time, history[:end], 3)
    for booster in counting:
        assert len(booster.batches) == 50
        assert 1 <= max(booster.batches) <= 4


def _evenings_and_mornings(days: int) -> list[Observation]:
    """Someone who is awake until about 01:00 and up at 07:00, out at work 09:00-17:00
    (so noon is as quiet as the night), and who brushes their teeth after 00:00 on odd
    nights and every morning at 07:10."""
    rng = random.Random(4)
    day0 = START.timestamp()
    out: list[Observation] = []
    for d in range(days):
        base = day0 + d * 86400
        for hour in [7, 8, *range(17, 24)]:
            for _ in range(6):
                out.append(_obs(base + hour * 3600 + rng.uniform(0, 3500), "motion.hall:on"))
        for _ in range(4):
            out.append(_obs(base + 86400 + rng.uniform(0, 3000), "motion.hall:on"))
        out.append(_obs(base + 7 * 3600 + 600 + rng.uniform(-300, 300), "activity.teeth:start"))
        if d % 2:
            out.append(_obs(base + 86400 + 1200 + rng.uniform(-300, 300), "activity.teeth:start"))
    return sorted(out, key=lambda o: o.time)


def test_the_home_day_turns_over_in_the_quiet_of_the_night() -> None:
    history = _evenings_and_mornings(21)
    # quiet 02:00-07:00 and 09:00-17:00: the night is chosen, not the empty workday
    assert quietest_hour(o.time for o in history) in (2, 3, 4, 5)
    assert quietest_hour([]) == 0
    miner = TimeHabitMiner()
    miner.fit([history])
    assert 2 * 3600 <= miner.day_start <= 5 * 3600
    # the first brushing of the home's day is the morning one, every day
    predicted = miner.daily_time("activity.teeth:start", history[-1].time)
    assert predicted is not None and abs(predicted - 7 * 3600 - 600) < 15 * 60
    # counted from midnight, half the days start with the 00:20 brushing: the mean is far off
    calendar = TimeHabitMiner(day_start=0.0)
    calendar.fit([history])
    off = calendar.daily_time("activity.teeth:start", history[-1].time)
    assert off is not None and circular_distance(off, 7 * 3600 + 600) > 60 * 60


def test_the_ranker_says_why_in_the_trees_own_terms(history: list[Observation]) -> None:
    """explain() asks the trees which features pushed the guess up (SHAP values) and writes
    the strongest reasons from the candidate's own features."""
    model = ContextRanker(seed=0)
    model.fit([history[:-40]])
    at = next(
        i
        for i in range(len(history) - 40, len(history))
        if history[i].item == "binary_sensor.kitchen_motion:on"
    )
    for obs in history[len(history) - 40 : at + 1]:
        model.update(obs)
    recent = history[at - 9 : at + 1]
    top = model.predict(recent[-1].time, recent, k=3)[0]
    assert top.item == "light.kitchen:on"
    text = model.explain(top)
    # the sequence, in counts (not a second percentage beside the guess's probability)
    assert re.search(r"kitchen motion sensor it came next (\d+) of \1 times", text), text
    assert text.count(";") >= 1  # more than one reason, strongest first
    # a prediction the ranker did not just make: the counts behind it, not a crash
    other = Prediction("light.kitchen:on", 0.5, None, model.name)
    assert model.explain(other).startswith("light.kitchen:on (50%)")
