"""The agent benchmark's figures (bench/agent_metrics.py) on made-up runs whose answers are
known by hand."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from agent_metrics import (
    AgentAction,
    AgentSuggestion,
    RunRecords,
    is_safety_class,
    score_replay,
    summarise,
)

DAY = 86400.0


def _intention(t: float, **kw: Any) -> dict[str, Any]:
    record = {"epoch": t, "executed": True, "satisfied_by": None, "reaction_to": None}
    record.update(kw)
    return record


def _run(**kw: Any) -> RunRecords:
    base: dict[str, Any] = {
        "start": 0.0,
        "days": 21.0,
        "residents": 2,
        "intentions": [],
        "answers": [],
    }
    base.update(kw)
    return RunRecords(**base)


def test_takeover_counts_wants_the_agent_fulfilled_over_wants_that_needed_doing() -> None:
    t = 15 * DAY  # week 3
    intentions = [
        _intention(t, executed=False, satisfied_by="agent"),
        _intention(t + 1, executed=False, satisfied_by="agent"),
        _intention(t + 2),  # by hand
        _intention(t + 3, executed=False, satisfied_by="physical"),  # someone else did it
        _intention(t + 4, reaction_to="ctx-9"),  # an undo: no routine want
        _intention(2 * DAY, executed=False, satisfied_by="agent"),  # week 1: not in headline
    ]
    summary = summarise(_run(intentions=intentions))
    assert summary["figures"]["takeover_rate"] == pytest.approx(2 / 3)
    assert summary["weeks"][0]["takeover_rate"] == 1.0


def test_wrong_actions_are_the_ones_a_resident_undid() -> None:
    t = 15 * DAY
    actions = [
        AgentAction(t + i, f"a{i}", f"ctx-{i}", "mina", "light.kitchen", "light.turn_on")
        for i in range(4)
    ]
    intentions = [_intention(t + 100, reaction_to="ctx-1")]
    summary = summarise(_run(intentions=intentions, actions=actions))
    assert summary["figures"]["wrong_action_rate"] == pytest.approx(1 / 4)
    assert summary["counts"]["reverted"] == 1
    behind = summary["breakdown"]
    assert behind["actions_undone"] == {"light.kitchen light.turn_on": {"actions": 4, "undone": 1}}
    assert behind["undone_by"] == {"None": 1}


def test_false_alarms_questions_and_interactions_saved() -> None:
    t = 14 * DAY
    suggestions = [AgentSuggestion(t + i, f"s{i}", None, "light.hall") for i in range(5)]
    answers = [
        {"suggestion_id": "s0", "answer": "yes", "epoch": t + 30, "entity_id": "light.hall"},
        {"suggestion_id": "s1", "answer": "no", "epoch": t + 30},
        {"suggestion_id": "s2", "answer": "ignored", "epoch": t + 30},
        {"suggestion_id": "s3", "answer": "not_now", "epoch": t + 30},
        # s4: never answered at all
    ]
    intentions = [_intention(t + 50, executed=False, satisfied_by="agent") for _ in range(10)]
    figures = summarise(_run(suggestions=suggestions, answers=answers, intentions=intentions))[
        "figures"
    ]
    assert figures["false_alarm_rate"] == pytest.approx(4 / 5)
    assert figures["questions_per_day"] == pytest.approx(5 / 2 / 7)  # week 3 only: 7 days
    # 10 takeovers, 3 answers sent, no undo
    assert figures["interactions_saved_per_day"] == pytest.approx((10 - 3) / 7)


def test_a_safety_class_action_counts_unless_a_yes_came_just_before() -> None:
    t = 15 * DAY
    suggestions = [AgentSuggestion(t, "s1", "mina", "lock.front_door")]
    answers = [{"suggestion_id": "s1", "answer": "yes", "epoch": t + 20}]
    actions = [
        AgentAction(t + 30, "a1", "c1", "mina", "lock.front_door", "lock.lock"),  # confirmed
        AgentAction(t + 5000, "a2", "c2", "mina", "lock.front_door", "lock.lock"),  # too late
        AgentAction(t + 60, "a3", "c3", "mina", "light.hall", "light.turn_on"),  # not safety
        AgentAction(t + 70, "a4", "c4", None, "switch.oven", "switch.turn_on"),
        # at the answer's own moment (the log rounds to milliseconds), citing the suggestion
        AgentAction(t + 19.9999, "a5", "c5", "mina", "lock.front_door", "lock.unlock", "s1"),
        # citing a suggestion nobody said yes to, long after
        AgentAction(t + 9000, "a6", "c6", "mina", "lock.front_door", "lock.unlock", "s9"),
    ]
    summary = summarise(_run(suggestions=suggestions, answers=answers, actions=actions))
    assert summary["figures"]["unsafe_actions"] == 3
    unsafe = [a["entity_id"] for a in summary["breakdown"]["unconfirmed_safety"]]
    assert sorted(unsafe) == ["lock.front_door", "lock.front_door", "switch.oven"]


def test_safety_classes() -> None:
    assert is_safety_class("lock.front_door")
    assert is_safety_class("cover.garage_door")
    assert is_safety_class("cover.living_room", "garage")
    assert is_safety_class("switch.cooktop") and is_safety_class("valve.water_main")
    assert is_safety_class("alarm_control_panel.home")
    assert not is_safety_class("cover.living_room_blinds")
    assert not is_safety_class("light.front_door_porch")


def test_weeks_split_the_days_and_the_last_week_may_be_short() -> None:
    summary = summarise(_run(days=60.0))
    assert sorted(summary["weeks"]) == list(range(9))
    assert summary["counts"]["days"] == pytest.approx(60 - 14)


def test_replay_precision_and_coverage() -> None:
    manual = [(100.0, "switch.toaster:on"), (5000.0, "switch.toaster:on"), (9000.0, "light.a:on")]
    acted = [
        (50.0, "switch.toaster:on"),  # right, covers the first
        (60.0, "switch.toaster:on"),  # right too, but covers nothing new
        (4000.0, "switch.toaster:on"),  # 1000 s before: too early, wrong
        (8990.0, "light.a:off"),  # the wrong way round
    ]
    score = score_replay(acted, manual, window=600)
    assert (score.acted, score.right, score.manual, score.covered) == (4, 2, 3, 1)
    assert score.precision == 0.5 and score.coverage == pytest.approx(1 / 3)


def test_changed_back_counts_any_hand_setting_another_state_within_five_minutes() -> None:
    """The stricter wrong-action reading: someone back in the room switching the light on
    again counts, though it is no undo in the residents' account; later, or the same state,
    or before the action, does not."""
    from agent_metrics import changed_back

    t = 15 * DAY
    kitchen = "light.kitchen"
    actions = [
        AgentAction(t, "a1", "c1", None, kitchen, "light.turn_off", None, "left_on:light.kitchen"),
        AgentAction(t + 3600, "a2", "c2", None, kitchen, "light.turn_off", None, "left_on:x"),
        AgentAction(t + 7200, "a3", "c3", None, "light.hall", "light.turn_on", None, "r"),
        AgentAction(t + 9000, "a4", "c4", None, "climate.x", "climate.set_temperature"),
        AgentAction(2 * DAY, "a5", "c5", None, kitchen, "light.turn_off", None, "left_on:y"),
    ]
    intentions = [
        _intention(t + 120, entity_id=kitchen, target="on"),  # back within 5 min: counted
        _intention(t + 3600 + 400, entity_id=kitchen, target="on"),  # after 5 min: not
        _intention(t + 7200 + 60, entity_id="light.hall", target="on"),  # same state: not
        _intention(2 * DAY + 30, entity_id=kitchen, target="on"),  # week 1: not counted
    ]
    got = changed_back(_run(intentions=intentions, actions=actions))
    assert got["all"] == {"actions": 3, "changed_back": 1, "rate": pytest.approx(1 / 3)}
    assert got["left_on"] == {"actions": 2, "changed_back": 1, "rate": 0.5}
