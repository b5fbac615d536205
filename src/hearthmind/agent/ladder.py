"""The autonomy ladder: off, observe, suggest, act, per routine, and the policies that read it.

A routine starts in observe: at its moments the agent records what it would have done and
whether the person then did it. It climbs only on evidence: to suggest after
`suggest_after` successes in a row at a hit rate of `suggest_min_rate`; to act after
`act_after` successes in a row, at `act_min_rate`, of the moments from a trusted source
(triggers.py: the agent acts only at those; straight from observe when the evidence is that
strong, since asking about what is sure costs questions). At its other moments a routine at
act asks, as one at suggest does: act when sure, ask when not. It falls at once on a revert (to
observe, and each revert makes the streak needed to act again `revert_penalty` times longer)
or a declined suggestion (to observe), and to the level its hit rate still supports when
predictions stop coming true. A person's "never" is theirs (`refuse`: not asked again, nothing
done around them); it forbids the routine once everyone it is for said it. A person may set a
level (it is then the routine's ceiling, and evidence no longer moves it up; a revert or a "no"
still brings it down); safety classes have "suggest" as their ceiling, whatever the confidence.

The threshold policy (the benchmark's baseline) has no ladder: it acts whenever the model's
probability reaches the threshold, within the same hard rules (safety classes, forbidden
routines, opt-outs, people away)."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Protocol

from .config import AgentConfig, LadderRules
from .events import Level
from .units import FAILURES, SUCCESSES, RoutineUnit, lower


def evidence_level(unit: RoutineUnit, rules: LadderRules) -> Level:
    """The level the evidence supports, from where the routine stands now: act on the
    outcomes of trusted moments (those it would act on), suggest on those of any moment."""
    ev = unit.evidence
    rate, sure = ev.rate, ev.sure_rate
    need_act = math.ceil(rules.act_after * rules.revert_penalty**ev.reverts)
    sure_enough = sure is not None and sure >= rules.act_min_rate
    if sure_enough and (ev.sure_streak >= need_act or unit.level == "act"):
        return "act"  # staying at act needs the rate, not a new streak
    climbing = ev.streak >= rules.suggest_after or unit.level in ("suggest", "act")
    if rate is not None and rate >= rules.suggest_min_rate and climbing:
        return "suggest"
    return "observe"


def after_outcome(unit: RoutineUnit, kind: str, rules: LadderRules, trusted: bool = True) -> Level:
    """Record an outcome in the routine's evidence and move it on the ladder; returns its
    new level. `trusted`: the moment's source (a trigger, the model: triggers.py) was
    trusted, so the agent would have acted on it."""
    unit.evidence.record(kind, rules.window, trusted)
    if unit.ceiling == "off" or unit.level == "off":
        unit.level = "off"
        return unit.level
    if kind in ("revert", "declined"):
        unit.pinned = False  # the person's own "no" outranks what they set before
        unit.level = lower("observe", unit.ceiling)
    elif not unit.pinned and (kind in SUCCESSES or kind in FAILURES):
        unit.level = lower(evidence_level(unit, rules), unit.ceiling)
    return unit.level


def set_level(unit: RoutineUnit, level: Level, by: str | None) -> None:
    """A person's choice: the level, and the most evidence may take it to from now on."""
    unit.level = level
    unit.ceiling = level
    unit.pinned = level != "off"
    unit.set_by = by


def forbid(unit: RoutineUnit, by: str | None) -> None:
    set_level(unit, "off", by)


def refuse(unit: RoutineUnit, by: str | None, household: Collection[str] = ()) -> bool:
    """A person's "never": theirs, not the household's. They are not asked again and nothing
    is done while they are in the entity's room (gate.py), and the routine goes on for the
    others; when nobody is named, or everyone the routine is for has refused, it is forbidden
    outright. A routine of nobody in particular (a light left on in an empty room) is for the
    whole `household`: one member's "never" does not take it from the others. Returns whether
    it was forbidden."""
    if by is not None:
        unit.refused_by.add(by)
    people = set(unit.main_people()) | ({unit.person} if unit.person else set())
    if not people:
        people = set(household)
    if by is None or people <= unit.refused_by:
        forbid(unit, by)
        return True
    return False


class Policy(Protocol):
    name: str
    # a routine at suggest or act also answers its own trigger (the event its successes
    # followed), whatever the model says then: the model no longer sees the person do what
    # the agent does for them, so its probability fades as the agent takes over
    uses_triggers: bool

    def level_for(self, unit: RoutineUnit, probability: float) -> Level:
        """What to do at this moment of the routine: observe (shadow), suggest or act.
        "off": nothing at all, not even a shadow record."""
        ...

    def considers(self, probability: float) -> bool:
        """Whether a prediction this sure is a moment at all."""
        ...


class LadderPolicy:
    name = "ladder"
    uses_triggers = True

    def __init__(self, rules: LadderRules) -> None:
        self.rules = rules

    def considers(self, probability: float) -> bool:
        return probability >= self.rules.min_probability

    def level_for(self, unit: RoutineUnit, probability: float) -> Level:
        return unit.level


class ThresholdPolicy:
    """Act whenever p >= threshold: no ladder, no evidence (the benchmark's baseline)."""

    name = "threshold"
    uses_triggers = False

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    def considers(self, probability: float) -> bool:
        return probability >= self.threshold

    def level_for(self, unit: RoutineUnit, probability: float) -> Level:
        if unit.ceiling == "off":
            return "off"
        return lower("act", unit.ceiling)


def make_policy(config: AgentConfig) -> Policy:
    if config.policy == "threshold":
        return ThresholdPolicy(config.threshold)
    return LadderPolicy(config.ladder)
