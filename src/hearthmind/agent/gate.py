"""The hard rules between what a routine's level says and what the agent does: people who
opted out or are away, someone there who said "never" to the routine or who undoes its
actions, quiet hours, and each person's daily budget of questions (whom a question is for,
and spending it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthmind.routines.timeofday import DAY, to_wall_clock

from .events import Level
from .safety import AWAY_STATES, OFF_LIKE, anyone_home, is_away, people_in_room, user_of
from .units import RoutineUnit

if TYPE_CHECKING:
    from .agent import Agent


def hold_back(
    agent: Agent, unit: RoutineUnit, level: Level, now: float, *, away_ok: bool = False
) -> tuple[Level, str | None]:
    """The hard rules: people who opted out or are away, quiet hours, the question budget.
    What is held back is still observed (it is evidence all the same). `away_ok`: the
    routine is about people coming home (a room warmed for their arrival), so that they are
    away is no reason to hold it back."""
    if level == "observe":
        return level, None
    people = unit.main_people() or ([unit.person] if unit.person else [])
    if people and all(p in agent.opted_out for p in people):
        return "observe", "opted out"
    if not away_ok and not present_for(agent, unit, people):
        return "observe", "away"
    if unit.refused_by:  # their "never": nothing done around them, nor asked of them
        here = [p for p in people_in_room(agent.hub, unit.entity_id) if p in unit.refused_by]
        if here:
            return "observe", f"{here[0]} said never"
    held = None
    if level == "act" and agent.policy.name == "ladder":  # learning who minds: the ladder's
        near = agent.undoers.near(agent.hub, unit.entity_id, now)
        if near is not None:  # someone who undoes what it does is there: ask
            level, held = "suggest", f"{near} is there and undid its actions lately"
    if level == "suggest":
        wall = to_wall_clock(now, agent.zone)
        quiet = agent.config.quiet_hours
        if quiet is not None and quiet.contains(wall % DAY):
            return "observe", "quiet hours"
        futile = unit.evidence.why_not_ask(now)
        if futile is not None:
            return "observe", futile
        person = asked_person(agent, unit)
        if person is None and unit.refused_by:
            return "observe", "nobody to ask but people who said never"
        if agent.budget.left(person, int(wall // DAY)) <= 0:
            return "observe", "question budget"
    return level, held


def present_for(agent: Agent, unit: RoutineUnit, people: list[str]) -> bool:
    """Someone the routine is for is home; or, with nobody home, it switches something
    off (the last one out, lights off)."""
    if not people:
        return anyone_home(agent.hub) or unit.value in OFF_LIKE
    if any(not is_away(agent.hub, p) for p in people):
        return True
    return unit.value in OFF_LIKE and not anyone_home(agent.hub)


def asked_person(agent: Agent, unit: RoutineUnit) -> str | None:
    """Whom to ask: the routine's person, or the one of its people who is home; for a
    routine of nobody in particular, someone at home (so every question is someone's,
    within their daily budget); never someone who said "never" to it. None when the hub
    knows no people, or nobody but those."""
    refused = unit.refused_by
    for person in [unit.person, *unit.main_people()]:
        if person is not None and person not in refused and not is_away(agent.hub, person):
            return person
    if unit.person is not None and unit.person not in refused:
        return unit.person
    home = sorted(
        user
        for s in agent.hub.states.async_all("person")
        if s.state not in AWAY_STATES and (user := user_of(s)) not in refused
    )
    return home[0] if home else None


def household(agent: Agent) -> set[str]:
    """The user ids of everyone the hub knows (at home or not)."""
    return {user_of(s) for s in agent.hub.states.async_all("person")}


def spend_question(agent: Agent, person: str | None, when: float) -> None:
    agent.budget.spend(person, int(to_wall_clock(when, agent.zone) // DAY))
