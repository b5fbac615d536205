"""A routine's moment: when the model or one of the routine's own triggers says it is time.
The model's likeliest next actions (renormalised over what is not already so), the routines
whose trigger an event is, what the agent may command at all, and conflicts (two routines
wanting opposite things of one entity: neither is done). The Agent opens runs on them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearthmind.routines.predictor import Prediction, likely_actions
from hearthmind.routines.timeofday import to_wall_clock

from .acting import service_for, value_of
from .events import SWITCH_ENTITY_ID
from .triggers import expected_delay, sun_elevation, trigger_key, window
from .units import RoutineUnit, part_of_day

if TYPE_CHECKING:
    from .agent import Agent

CANDIDATES = 5  # likeliest next actions looked at per moment
DARK_BELOW = 4.0  # degrees of sun elevation: below it, rooms without lamps are dark
MODEL = "model"  # the model, as a source of moments beside the triggers (triggers.py)


@dataclass(frozen=True, slots=True)
class Moment:
    """A routine's moment, by the model or one of its triggers (`key`, triggers.py);
    `trusted`: that source has been right often enough to ask or act on."""

    unit: RoutineUnit
    probability: float
    expected: float
    by_trigger: bool
    key: str
    trusted: bool


def predictions(agent: Agent) -> list[Prediction]:
    """The model's likeliest next device actions now. What is already so cannot be the
    next change, so its share goes to the others (the probabilities are renormalised)."""
    model = agent.learner.model
    if model is None or not agent.learner.recent:
        return []
    now = to_wall_clock(agent.hub.clock.timestamp(), agent.zone)
    try:
        guesses = likely_actions(
            model, now, list(agent.learner.recent), agent._acted, 2 * CANDIDATES
        )
    except Exception as err:  # a model bug must not stop the hub
        agent.problem("agent_errors", f"{model.name} could not predict: {err!r}")
        return []
    impossible = sum(g.probability for g in guesses if already(agent, g.item))
    scale = 1.0 / (1.0 - impossible) if impossible < 0.9 else 1.0
    return [
        Prediction(g.item, min(1.0, g.probability * scale), g.expected_time, g.model, g.evidence)
        for g in guesses
        if not already(agent, g.item)
    ][:CANDIDATES]


def already(agent: Agent, item: str) -> bool:
    entity_id, _, value = item.rpartition(":")
    return value_of(agent.hub.states.get(entity_id)) == value


def is_dark(agent: Agent, now: float) -> bool:
    core = agent.hub.config.core
    return sun_elevation(now, core.latitude, core.longitude) < DARK_BELOW


def by_model(agent: Agent, now: float) -> list[Moment]:
    dark = is_dark(agent, now)
    out = []
    for guess in predictions(agent):
        if not agent.policy.considers(guess.probability):
            continue
        entity_id, _, value = guess.item.rpartition(":")
        if not can_do(agent, entity_id, value):
            continue
        expected = now
        if guess.expected_time is not None:
            expected = max(now, agent.learner.utc(guess.expected_time))
        if expected - now > agent.rules.horizon_minutes * 60.0:
            continue
        part = part_of_day(to_wall_clock(expected, agent.zone))
        unit = agent.unit_for(entity_id, value, part)
        key = trigger_key(MODEL, dark, unit.entity_id)
        trusted = agent.triggers.trusted(unit, key) is not None
        out.append(Moment(unit, guess.probability, expected, False, key, trusted))
    return out


def by_trigger(agent: Agent, item: str, now: float) -> list[Moment]:
    """Every routine not done yet in this part of the day has an occasion; those whose
    trigger this is, and trusted, have their moment."""
    dark = is_dark(agent, now)
    entity = item.rpartition(":")[0]
    out = []
    for unit in agent._by_part[part_of_day(to_wall_clock(now, agent.zone))]:
        if unit.entity_id == entity or not can_do(agent, unit.entity_id, unit.value):
            continue
        key = trigger_key(item, dark, unit.entity_id)
        sure = agent.triggers.trusted(unit, key)  # on the occasions before this one
        agent.triggers.occasion(unit, key, now)
        if sure is not None and agent.policy.uses_triggers:
            expected = now + min(expected_delay(unit, key), window(unit, agent.rules))
            out.append(Moment(unit, sure, expected, True, key, True))
    return out


def can_do(agent: Agent, entity_id: str, value: str) -> bool:
    """A device the agent may command, not already so, and a service that does it."""
    if entity_id == SWITCH_ENTITY_ID:
        return False
    state = agent.hub.states.get(entity_id)
    entry = agent.hub.entities.get(entity_id)
    if state is None or entry is None or entry.handler is None:
        return False
    return value_of(state) != value and service_for(entity_id, value, state.state) is not None


def without_conflicts(agent: Agent, moments: list[Moment]) -> list[Moment]:
    """Two routines that want opposite things of one entity at once: neither is done."""
    by_entity: defaultdict[str, set[str]] = defaultdict(set)
    for moment in moments:
        by_entity[moment.unit.entity_id].add(moment.unit.value)
    for run in agent.runs.values():
        if not run.closed and run.level in ("act", "suggest"):
            by_entity[run.unit.entity_id].add(run.unit.value)
    out = []
    for moment in moments:
        unit = moment.unit
        if len(by_entity[unit.entity_id]) == 1:
            out.append(moment)
            continue
        if unit.routine_id not in agent.runs:
            agent.counts["conflicts"] += 1
            agent.outcome(unit, "conflict", detail="another routine wants the opposite")
        for run in list(agent.runs.values()):
            if run.unit.entity_id == unit.entity_id and run.level == "act":
                run.level, run.held = "observe", "another routine wants the opposite"
    return out
