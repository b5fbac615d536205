"""The ranker's features by name: every feature named once (FEATURES), each candidate's values
computed under those names and laid out in that one order, and the explanations reading the
same names."""

from __future__ import annotations

import math

import pytest

from hearthmind.routines.models import ContextRanker
from hearthmind.routines.models.features import CATEGORICAL, FEATURES, NAMES, feature_row
from hearthmind.routines.models.memory import StreamMemory
from hearthmind.routines.models.ranker_reasons import _GROUPS
from hearthmind.routines.observations import Observation
from hearthmind.routines.timeofday import hour_of_day, weekday

T0 = 1_700_000_000.0  # a Tuesday, 22:13 UTC


def _cycle(t: float) -> list[Observation]:
    """A door opened for 30 s while the hall sensor pulses; then a lamp on for a minute."""
    return [
        Observation(t, "door.a:on"),
        Observation(t + 5, "motion.hall:on"),
        Observation(t + 10, "motion.hall:off"),
        Observation(t + 30, "door.a:off"),
        Observation(t + 40, "light.b:on"),
        Observation(t + 100, "light.b:off"),
    ]


@pytest.fixture(scope="module")
def ranker() -> ContextRanker:
    stream = [obs for n in range(60) for obs in _cycle(T0 + 600.0 * n)]
    model = ContextRanker(rounds=10)
    model.fit([stream])
    return model


def test_every_feature_is_named_once_and_explained_in_one_group() -> None:
    assert len(NAMES) == len(set(NAMES)) == len(FEATURES) == 61
    assert all(FEATURES[name] for name in NAMES)  # each says what it means
    assert set(CATEGORICAL) <= set(NAMES)
    grouped = [name for members in _GROUPS.values() for name in members]
    assert sorted(grouped) == sorted(NAMES)  # the explanations know every feature, once


def test_values_under_their_names_from_a_tiny_history(ranker: ContextRanker) -> None:
    now = T0 + 600.0 * 100
    recent = [
        *_cycle(now - 1200.0),
        *_cycle(now - 600.0),
        Observation(now, "door.a:on"),
        Observation(now + 5, "motion.hall:on"),
    ]
    described = ranker.describe(now + 5, recent)
    close = described["door.a:off"]
    assert set(close) == set(NAMES)
    # the door is open (since `now`), so closing it closes an open stay; the hall sensor opened
    # after it, so the door's is the second most recent of the two open stays
    assert close["state_same"] == 0.0 and close["closes_open"] == 1.0
    assert close["n_open"] == 2.0 and close["open_rank"] == 1.0
    assert close["log_state_elapsed"] == pytest.approx(math.log1p(5.0))
    assert close["entity_state_known"] == 1.0
    assert close["log_entity_elapsed"] == pytest.approx(math.log1p(5.0))
    assert close["log_entity_typical"] == pytest.approx(math.log1p(30.0))  # the door's stays
    # every past open stay lasted 30 s: all outlast 5 s, none ends in 10 s more, all in 2 min
    assert (close["survival"], close["hazard_soon"], close["hazard_later"]) == (1.0, 0.0, 1.0)
    # after the hall sensor on came its off, 60 times of 60: never the door's close
    assert close["p_first"] == 0.0 and close["n_first"] == pytest.approx(math.log1p(60))
    assert described["motion.hall:off"]["p_first"] == 1.0
    assert close["is_last"] == 0.0 and described["motion.hall:on"]["is_last"] == 1.0
    assert close["last_item"] == float(ranker.vocab["motion.hall:on"])
    assert close["candidate"] == float(ranker.vocab["door.a:off"])
    assert close["hour"] == pytest.approx(hour_of_day(now + 5))
    assert close["weekday"] == float(weekday(now + 5))
    assert close["count_recent"] == 1.0  # once in the last 10 observations
    assert close["log_gap_prev1"] == pytest.approx(math.log1p(5.0))


def test_rows_lay_the_named_values_out_in_the_one_order(ranker: ContextRanker) -> None:
    recent = [obs for n in range(3) for obs in _cycle(T0 + 90_000.0 + 600.0 * n)][:-2]
    memory = StreamMemory.of(recent)
    cands, named = ranker._named_features(recent[-1].time, recent, memory, memory.length)
    same, rows = ranker._features(recent[-1].time, recent, memory, memory.length)
    assert same == cands
    for values, row in zip(named, rows, strict=True):
        assert row == tuple(values[name] for name in NAMES) == feature_row(values)
        assert row[NAMES.index("candidate")] == values["candidate"]
