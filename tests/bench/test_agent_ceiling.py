"""The hindsight ceiling of event-triggered acting (bench/agent_ceiling.py) on a made-up trace
whose answer is known by hand."""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from agent_ceiling import Change, Want, ceiling

DAY = 86400.0
UTC = ZoneInfo("UTC")
NIGHT = 2 * 3600.0  # 02:00 UTC on the equator at 0 degrees: dark, "night"
PLACE = (0.0, 0.0)


def _trace(days: int) -> tuple[list[Change], list[Want]]:
    """Every night the hall motion, and 30 s later the hall light on, except on every
    fourth night (the motion, no light); the bedroom light on every night at 02:30, after
    nothing in particular (the motion half an hour before is outside its 10 minutes)."""
    changes, wants = [], []
    for day in range(days):
        t = day * DAY + NIGHT
        changes += [Change(t, "binary_sensor.hall_motion", "on")]
        changes += [Change(t + 60, "binary_sensor.hall_motion", "off")]
        if day % 4 != 3:
            wants.append(Want(t + 30, "light.hall", "on", "night"))
            changes.append(Change(t + 30, "light.hall", "on"))
        changes.append(Change(t + 1100, "light.hall", "off"))  # by hand, no routine here
        wants.append(Want(t + 1800, "light.bedroom", "on", "night"))
        changes.append(Change(t + 1800, "light.bedroom", "on"))
        changes.append(Change(t + 3000, "light.bedroom", "off"))
    changes.sort(key=lambda c: c.time)
    return changes, wants


def test_a_want_is_reachable_when_a_trigger_good_enough_comes_before_it() -> None:
    changes, wants = _trace(28)
    found = ceiling(changes, wants, 0.0, UTC, PLACE, precisions=(0.95, 0.7), first_week=2)
    # weeks 3-4: days 14-27, 14 bedroom wants and the hall light on 10 of those nights
    assert found["wants"] == 24
    # the motion is followed by the hall light 3 nights in 4: too few for 0.95, enough for 0.7
    assert found["precision"]["0.95"]["reachable"] == 0
    # at 0.7 the hall light is reachable; the bedroom light is not: the hall light off, the
    # last change before it, comes 700 s before, outside its 10 minutes
    assert found["precision"]["0.70"]["reachable"] == 10
    assert found["precision"]["0.70"]["share"] == pytest.approx(10 / 24)


def test_too_few_occasions_are_no_trigger() -> None:
    changes, wants = _trace(4)
    found = ceiling(changes, wants, 0.0, UTC, PLACE, precisions=(0.5,), first_week=0)
    assert found["precision"]["0.50"]["reachable"] == 0  # 4 occasions, 5 needed
