"""The predictability probe: context tables learned on the training days, and the test days'
own tables as an optimistic bound, on streams whose answer is known."""

from __future__ import annotations

import random

import pytest

from hearthmind.routines.evaluation.ceiling import ceiling
from hearthmind.routines.observations import Observation

START = 1_700_000_000.0


def _stream(items: list[str], per_day: int = 200) -> list[Observation]:
    return [
        Observation(START + (n // per_day) * 86400.0 + (n % per_day) * 60.0, item)
        for n, item in enumerate(items)
    ]


def test_a_fixed_cycle_is_fully_predictable() -> None:
    cycle = ["motion.hall:on", "light.hall:on", "motion.hall:off", "light.hall:off"]
    rows = ceiling(_stream(cycle * 500))
    assert {r.context for r in rows} >= {"last item", "last 4 items + pace"}
    for row in rows:
        assert row.learned == row.oracle == row.crossed == 1.0


def test_coin_flips_are_predictable_only_as_far_as_the_bias() -> None:
    rng = random.Random(4)
    items = ["a:on" if rng.random() < 0.7 else "b:on" for _ in range(4000)]
    rows = {r.context: r for r in ceiling(_stream(items))}
    first = rows["last item"]
    assert first.learned == pytest.approx(0.7, abs=0.03)
    # the bound flatters more as contexts multiply, never less than what was learned
    assert rows["last 4 items"].oracle >= first.oracle >= first.learned - 1e-9
    assert rows["last 4 items"].learned == pytest.approx(0.7, abs=0.03)


def test_too_little_to_measure_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least 2 days"):
        ceiling(_stream(["a:on", "b:on"] * 10))


def test_the_activity_under_way_is_a_context_when_the_log_has_labels() -> None:
    from hearthmind.routines.evaluation.ceiling import activity_labels
    from hearthmind.routines.observations import ActivitySpan

    # after "a", cooking is followed by "b" and cleaning by "c": the last item alone cannot
    # tell them apart, the labelled activity can
    rng = random.Random(2)
    items, spans = [], []
    for n in range(0, 4000, 2):
        cooking = rng.random() < 0.5
        items += ["a:on", "b:on" if cooking else "c:on"]
        t = START + (n // 200) * 86400.0 + (n % 200) * 60.0
        spans.append(ActivitySpan(t, t + 90.0, "cook" if cooking else "clean"))
    stream = _stream(items)
    first, second = spans[0].label, spans[1].label
    assert activity_labels(stream[:4], spans[:2]) == [first, first, second, second]
    assert activity_labels(stream[4:5], spans[:2]) == [""]  # after every span
    rows = {r.context: r for r in ceiling(stream, activities=spans)}
    assert rows["last item"].learned == pytest.approx(0.75, abs=0.03)  # a->? is a coin flip
    assert rows["last item + activity (labelled)"].learned == 1.0
    assert "last 3 items + activity (labelled)" in rows
    assert "last item + activity (labelled)" not in {r.context for r in ceiling(stream)}
