"""The ladder's rules on their own: a routine climbs only on evidence, falls at once on a
revert or a "no", a person's level is a ceiling, safety classes stop at suggest."""

from __future__ import annotations

import pytest

from hearthmind.agent.config import AgentConfig, LadderRules, QuietHours, clock_seconds
from hearthmind.agent.ladder import (
    LadderPolicy,
    ThresholdPolicy,
    after_outcome,
    evidence_level,
    forbid,
    make_policy,
    set_level,
)
from hearthmind.agent.safety import QuestionBudget, safety_class
from hearthmind.agent.units import RoutineUnit, part_of_day, routine_id
from hearthmind.core import Context, Origin, State

RULES = LadderRules(suggest_after=2, suggest_min_rate=0.6, act_after=4, act_min_rate=0.9)


def _unit(**kw: object) -> RoutineUnit:
    return RoutineUnit("light.hall:on@morning", "light.hall", "on", "morning", **kw)  # type: ignore[arg-type]


def _feed(unit: RoutineUnit, *kinds: str) -> list[str]:
    return [after_outcome(unit, kind, RULES) for kind in kinds]


def test_a_routine_climbs_only_on_evidence() -> None:
    unit = _unit()
    assert unit.level == "observe"
    # neutral outcomes (busy, the device failed) do not move it
    assert _feed(unit, "ignored", "device_ignored", "conflict") == ["observe"] * 3
    assert _feed(unit, "came_true", "came_true") == ["observe", "suggest"]
    assert _feed(unit, "came_true", "missed") == ["suggest", "act"]
    assert unit.evidence.streak == 4 and unit.evidence.rate == 1.0


def test_strong_evidence_goes_straight_to_act_and_a_revert_brings_it_down() -> None:
    unit = _unit()
    _feed(unit, *["came_true"] * 4)
    assert unit.level == "act"
    assert _feed(unit, "kept", "revert") == ["act", "observe"]
    assert unit.evidence.reverts == 1
    # the streak to act again is twice as long after a revert
    assert _feed(unit, *["came_true"] * 7)[-1] == "suggest"
    assert _feed(unit, "came_true") == ["act"]
    assert evidence_level(unit, RULES) == "act"


def test_predictions_that_do_not_come_true_keep_it_down() -> None:
    unit = _unit()
    levels = _feed(unit, "came_true", "not_true", "came_true", "not_true", "came_true")
    assert "act" not in levels and "suggest" not in levels
    unit = _unit()
    _feed(unit, "came_true", "came_true")
    assert unit.level == "suggest"
    assert _feed(unit, "declined") == ["observe"]


def test_a_persons_level_is_a_ceiling_and_forbidding_is_final() -> None:
    unit = _unit()
    set_level(unit, "suggest", "ana")
    assert (unit.level, unit.ceiling, unit.pinned, unit.set_by) == (
        "suggest",
        "suggest",
        True,
        "ana",
    )
    _feed(unit, *["came_true"] * 10)
    assert unit.level == "suggest"  # never above what Ana set
    assert _feed(unit, "declined") == ["observe"]  # her "no" still counts
    _feed(unit, *["came_true"] * 3)
    assert unit.level == "suggest"
    set_level(unit, "act", "ana")
    assert unit.level == "act"
    forbid(unit, "ana")
    assert _feed(unit, *["came_true"] * 10)[-1] == "off"


def test_the_policies() -> None:
    unit = _unit()
    ladder = make_policy(AgentConfig(ladder=RULES))
    assert isinstance(ladder, LadderPolicy) and ladder.uses_triggers
    assert ladder.level_for(unit, 0.99) == "observe"
    assert not ladder.considers(0.4) and ladder.considers(0.5)
    threshold = make_policy(AgentConfig(policy="threshold", threshold=0.7))
    assert isinstance(threshold, ThresholdPolicy) and not threshold.uses_triggers
    assert threshold.level_for(unit, 0.71) == "act" and not threshold.considers(0.69)
    lock = _unit(ceiling="suggest")
    assert threshold.level_for(lock, 0.99) == "suggest"
    forbid(unit, None)
    assert threshold.level_for(unit, 0.99) == "off"


def _state(entity_id: str, **attrs: object) -> State:
    return State(entity_id, "off", attrs, 0.0, 0.0, Context("c", Origin.SENSOR))


@pytest.mark.parametrize(
    ("entity_id", "attrs", "sensitive", "expected"),
    [
        ("lock.front_door", {}, [], "a lock"),
        ("alarm_control_panel.home", {}, [], "an alarm"),
        ("valve.main_water", {}, [], "a valve"),
        ("switch.water_main", {"friendly_name": "Water valve"}, [], "a valve"),
        ("cover.garage", {"device_class": "garage"}, [], "a garage door"),
        ("cover.side", {"device_class": "gate"}, [], "a gate"),
        ("switch.kitchen_oven", {}, [], "an oven or cooktop"),
        ("switch.plug_3", {"friendly_name": "Induction cooktop"}, [], "an oven or cooktop"),
        ("cover.front_door_blind", {}, [], "named front door: an entrance, heat, water or alarm"),
        ("fan.cooker_hood", {}, [], None),
        ("cover.living_room", {"device_class": "blind"}, [], None),
        ("light.kitchen", {}, [], None),
        ("switch.heater", {}, ["switch.heat*"], "marked sensitive"),
    ],
)
def test_safety_classes(
    entity_id: str, attrs: dict[str, object], sensitive: list[str], expected: str | None
) -> None:
    assert safety_class(entity_id, _state(entity_id, **attrs), sensitive) == expected


def test_quiet_hours_budget_ids_and_parts_of_day() -> None:
    quiet = QuietHours(start="22:30", end="07:00")
    assert quiet.contains(clock_seconds("23:00")) and quiet.contains(clock_seconds("06:59"))
    assert not quiet.contains(clock_seconds("07:00")) and not quiet.contains(clock_seconds("12:00"))
    assert QuietHours(start="13:00", end="14:00").contains(clock_seconds("13:30"))
    with pytest.raises(ValueError, match="25:00"):
        QuietHours(start="25:00")
    budget = QuestionBudget(3)
    for _ in range(3):
        budget.spend("ana", 10)
    assert (
        budget.left("ana", 10) == 0 and budget.left("ana", 11) == 3 and budget.left("ben", 10) == 3
    )
    assert [part_of_day(h * 3600.0) for h in (1, 6, 12, 18, 22)] == [
        "night", "morning", "day", "evening", "late",
    ]  # fmt: skip
    assert routine_id("light.hall", "on", "morning") == "light.hall:on@morning"


def test_a_trigger_is_trusted_on_its_record() -> None:
    from hearthmind.agent.triggers import TriggerBook, trigger_key, wilson_lower

    rules = LadderRules(trigger_min=5, trigger_min_rate=0.8)
    book = TriggerBook(rules)
    unit = _unit()
    units = {unit.routine_id: unit}
    key = trigger_key("binary_sensor.hall_motion:on", True, unit.entity_id)
    assert key == "binary_sensor.hall_motion:on|dark"
    t = 0.0
    for _ in range(5):  # five mornings: the motion, and the light 30 s later
        book.occasion(unit, key, t)
        book.done(unit.item, t + 30, units)
        t += 86400
    assert unit.evidence.triggers[key] == [5, 5] and unit.evidence.delay == 30.0
    # 5 of 5: the rate's lower bound is 5/6, above 0.8: trusted (4 of 4 would be too few)
    assert wilson_lower(5, 5) == pytest.approx(5 / 6)
    assert book.trusted(unit, key) == pytest.approx(5 / 6)
    # one morning it is not followed within the window (10 minutes): counted against it
    book.occasion(unit, key, t)
    book.done(unit.item, t + 3600, units)
    assert unit.evidence.triggers[key] == [6, 5]
    assert wilson_lower(5, 6) < 0.8 and book.trusted(unit, key) is None
    # in the light the same event is another record, for lights and covers only
    assert trigger_key("binary_sensor.hall_motion:on", False) not in unit.evidence.triggers
    assert trigger_key("x:on", True, "cover.bedroom") == "x:on|dark"
    assert trigger_key("x:on", True, "climate.living") == trigger_key("x:on", False, "fan.a")
    # an action the agent took closes its occasions only once it is kept (credit)
    book.occasion(unit, key, t + 7200)
    taken = book.taken(unit.item, t + 7210)
    assert [o.key for o in taken] == [key] and unit.evidence.triggers[key] == [7, 5]


def test_guesses_of_an_untrusted_source_do_not_stop_a_trusted_trigger() -> None:
    """The model's guesses of a routine's time (an untrusted source: the agent would not act
    on them) fail half the time; its trusted trigger is followed every time. The agent acts
    only at trusted moments, so only their outcomes decide whether it may act."""
    unit = _unit()
    for _ in range(6):
        after_outcome(unit, "not_true", RULES, trusted=False)
        after_outcome(unit, "came_true", RULES, trusted=True)
    assert unit.evidence.rate == 0.5 and unit.evidence.sure_rate == 1.0
    assert unit.level == "act"
    # a trusted moment that does not come true counts, of course
    after_outcome(unit, "not_true", RULES, trusted=True)
    assert unit.evidence.sure_streak == 0
