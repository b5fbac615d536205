"""Proposals: a change another component wants, for a routine of its own, through the ladder.

A component that plans (comfort's pre-heating) knows *when* a change is wanted and why ("start
warming the living room at 06:05 so it is 21 C when you are usually up at 06:40"), but not
whether the people want the hub to do it. It hands the change to the agent as a `Proposal`
(`Agent.async_propose`), and the agent treats it as one of its routines: a `RoutineUnit` whose
id is the proposal's `routine_key` ("preheat:living_room@morning"; units.is_proposed), stored
with the others, on the same ladder, behind the same hard rules (gate.py) and safety classes.

A new proposed routine starts at **suggest** (issue 22: a new heating routine is suggested
before it is acted on), not at observe as a learned one does: the component's plan is the
evidence a learned routine has to gather first. A component whose occasions judge themselves
(`Proposal.judge`: left_on.py's light left on in an empty room) has those it could not ask
about judged by their shadow, as observed ones are. At each proposal, by the routine's level:

- act: done at `at` through the core's services (doing.perform), with a Context of origin
  agent whose parent is the proposal's moment; kept or reverted as any action of the agent.
- suggest: the person is asked now, ahead of `at` (a question at 06:05 would fall in quiet
  hours); a yes is done at `at` (at once when that has passed) and is evidence, a no or a
  "never" brings the routine down as for learned routines (asking.answer).
- observe (after a revert or a no): nothing is done; the routine is evidence again when a
  person turns the entity up to the proposed value themselves by `due` (came true) or not
  (not true), so it climbs back as learned routines do.

One occasion per routine is open at a time: a proposal for the same `due` (within
`SAME_OCCASION`) updates the open one (the plan moved its start) without asking again."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearthmind.core import Context, Origin
from hearthmind.core.clock import TimerHandle
from hearthmind.routines.observations import state_of
from hearthmind.routines.timeofday import DAY, to_wall_clock

from . import asking, doing, explain, gate
from .acting import name_of, service_for, value_of
from .errors import AgentError
from .events import EVENT_AGENT_MOMENT, Level
from .store import SuggestionRecord
from .units import RoutineUnit, is_proposed, part_of_day

if TYPE_CHECKING:
    from .agent import Agent

SAME_OCCASION = 3 * 3600.0  # proposals whose `due` is this close are one occasion
_KEY = re.compile(r"^[a-z][a-z0-9_]*:[^:\s]+$")


class BadProposalError(AgentError):
    """A proposal the agent cannot take: a key that is not a proposed routine's, an entity
    that is not there or that no service gives the value."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """A change another component wants done for its own routine."""

    routine_key: str  # "<component>:<what>@<part of day>": the routine's id
    entity_id: str
    value: str  # the learned value to give it (routines.observations): "heat@21"
    at: float  # when to do it (epoch s, hub clock)
    due: float  # when it must have done its work (the wake-up, the arrival)
    question: str  # what it would ask: "Shall I start warming the living room at 06:05 ...?"
    reason: str  # the routine's sentence: why, with its evidence
    people: tuple[str, ...] = ()  # the user ids it is for
    probability: float = 1.0  # how sure the component is (share of such days)
    while_away: bool = False  # about people coming home: done while they are away
    # how an occasion only observed (or held back: not asked in quiet hours, nobody home to
    # ask) is judged when no person gave the entity the value: None, not true, and a held-back
    # occasion is no evidence; else this says whether doing it would have been right
    # (left_on.py: nobody came back within the undo window, so switching off would have stood)
    judge: Callable[[], bool] | None = None


@dataclass(frozen=True, slots=True)
class ProposalStatus:
    """What the agent made of a proposal: `status` is asked, waiting (an answer or `at`),
    scheduled, done, observed, held or off; `detail` says it in words."""

    routine_id: str
    level: Level
    status: str
    detail: str
    suggestion_id: str | None = None
    action_id: str | None = None


@dataclass
class Occasion:
    proposal: Proposal
    moment: Context  # origin agent, parent the component's context: the routine's moment
    level: Level  # what the agent does with it: observe, suggest or act
    held: str | None  # why a higher level was held back
    created: float
    suggestion_id: str | None = None
    confirmed_by: str | None = None  # a person's yes: done at `at`
    action_id: str | None = None
    timers: tuple[TimerHandle, ...] = ()
    done_by_person: bool = False  # a person gave the entity the value meanwhile
    closed: bool = False


def check(agent: Agent, proposal: Proposal) -> None:
    if not _KEY.match(proposal.routine_key) or not is_proposed(proposal.routine_key):
        raise BadProposalError(
            f"{proposal.routine_key!r} is not a proposed routine's key "
            "(<component>:<what>@<part of day>, e.g. preheat:living_room@morning)"
        )
    state = agent.hub.states.get(proposal.entity_id)
    entry = agent.hub.entities.get(proposal.entity_id)
    if state is None or entry is None or entry.handler is None:
        raise BadProposalError(f"{proposal.entity_id} is not a device the agent can command")
    if service_for(proposal.entity_id, proposal.value, state.state) is None:
        raise BadProposalError(f"no service gives {proposal.entity_id} {proposal.value!r}")


async def propose(agent: Agent, proposal: Proposal, context: Context | None) -> ProposalStatus:
    check(agent, proposal)
    rid = proposal.routine_key
    now = agent.hub.clock.timestamp()
    if not agent.enabled:
        return ProposalStatus(rid, "off", "off", "the agent is switched off")
    unit = _unit(agent, proposal, now)
    if unit.level == "off":
        return ProposalStatus(rid, "off", "off", "the routine is forbidden")
    occasion = agent.proposals.get(rid)
    if occasion is not None and not occasion.closed:
        if abs(occasion.proposal.due - proposal.due) < SAME_OCCASION:
            return await _update(agent, occasion, unit, proposal, now)
        close_occasion(agent, occasion)  # an older occasion, not closed yet: judged now
    moment = agent.hub.context(Origin.AGENT, parent=context)
    occasion = Occasion(proposal, moment, "observe", None, now)
    agent.proposals[rid] = occasion
    return await _decide(agent, occasion, unit, now)


def _unit(agent: Agent, proposal: Proposal, now: float) -> RoutineUnit:
    """The proposed routine, new at suggest; its value, people and sentence are the latest
    proposal's (a room's target follows the people expected there)."""
    rid = proposal.routine_key
    unit = agent.units.get(rid)
    if unit is None:
        part = part_of_day(to_wall_clock(proposal.due, agent.zone))
        unit = RoutineUnit(
            rid, proposal.entity_id, proposal.value, part, level="suggest", created=now
        )
        agent._classify(unit)  # a safety class keeps it at suggest, whoever proposes it
        agent._add_unit(unit)
    unit.entity_id, unit.value = proposal.entity_id, proposal.value
    unit.people = Counter(dict.fromkeys(proposal.people, 1))
    unit.habit = proposal.reason
    unit.updated = now
    agent.store.save_routine(unit)
    return unit


async def _decide(
    agent: Agent, occasion: Occasion, unit: RoutineUnit, now: float
) -> ProposalStatus:
    """What the routine's level and the hard rules say to do with this occasion."""
    proposal = occasion.proposal
    level, held = gate.hold_back(agent, unit, unit.level, now, away_ok=proposal.while_away)
    occasion.level, occasion.held = level, held
    agent.counts[f"proposals_{level}"] += 1
    _schedule(agent, occasion)
    if level in ("suggest", "act"):  # recorded: what "why" follows back to the component
        agent.hub.bus.async_fire(
            EVENT_AGENT_MOMENT,
            {
                "routine_id": unit.routine_id,
                "level": level,
                "source": unit.routine_id.partition(":")[0],
                "probability": round(proposal.probability, 4),
                "expected": proposal.due,
            },
            occasion.moment,
        )
    if level == "suggest":
        return _ask(agent, occasion, unit, now)
    if level == "act":
        if proposal.at <= now:
            await _act(agent, occasion)
            return _status(occasion, unit, "done" if occasion.action_id else "held")
        return _status(occasion, unit, "scheduled")
    return _status(occasion, unit, "held" if held else "observed")


async def _update(
    agent: Agent, occasion: Occasion, unit: RoutineUnit, proposal: Proposal, now: float
) -> ProposalStatus:
    """The same occasion again (the plan moved its start): the new time, and what was held
    back (quiet hours, the question budget) is tried again; nobody is asked twice."""
    moved = proposal.at != occasion.proposal.at or proposal.due != occasion.proposal.due
    occasion.proposal = proposal
    if occasion.action_id is not None:
        return _status(occasion, unit, "done")
    if occasion.held is not None and occasion.suggestion_id is None:
        return await _decide(agent, occasion, unit, now)
    if moved:
        _schedule(agent, occasion)
    if occasion.level == "suggest" and occasion.confirmed_by is None:
        return _status(occasion, unit, "waiting")
    if occasion.level == "act" and proposal.at <= now:
        await _act(agent, occasion)
        return _status(occasion, unit, "done" if occasion.action_id else "held")
    return _status(occasion, unit, "scheduled" if occasion.level == "act" else "observed")


def _ask(agent: Agent, occasion: Occasion, unit: RoutineUnit, now: float) -> ProposalStatus:
    proposal = occasion.proposal
    # open until the change is due (asked the evening before, answered in the morning)
    expires = max(now + agent.config.suggestion_expires_minutes * 60.0, proposal.at)
    sentence = (
        f"{proposal.question} {proposal.reason[:1].upper()}{proposal.reason[1:]}. "
        f"I am {proposal.probability:.0%} sure{explain.evidence_phrase(unit)}. "
        "Answer yes, no, not now or never."
    )
    suggestion = asking.ask(
        agent, unit, occasion.moment, proposal.probability, sentence, expires, now
    )
    if suggestion is None:
        occasion.level, occasion.held = "observe", "no service does it"
        return _status(occasion, unit, "held")
    occasion.suggestion_id = suggestion.suggestion_id
    return _status(occasion, unit, "asked")


async def confirmed(
    agent: Agent, suggestion: SuggestionRecord, unit: RoutineUnit, context: Context
) -> str:
    """A yes to a proposed routine's question (asking.answer): done at its time, or now
    when that has passed."""
    occasion = agent.proposals.get(unit.routine_id)
    if occasion is None or occasion.closed or occasion.suggestion_id != suggestion.suggestion_id:
        # the occasion asked about is gone (a restart): the yes counts, the next is asked
        return "yes noted: nothing is planned now; I will ask again the next time"
    occasion.level, occasion.held = "act", None
    occasion.confirmed_by = context.user_id or "a person"
    at = occasion.proposal.at
    state = agent.hub.states.get(unit.entity_id)
    what = explain.doing(name_of(state, unit.entity_id), unit.value, past=False)
    if at > agent.hub.clock.timestamp():
        return f"yes: I will {what} at {_clock(agent, at)}"
    await _act(agent, occasion)
    action = agent.actions.get(occasion.action_id or "")
    if action is None:
        return f"could not {what} (see the health counters)"
    return action.explanation


def _schedule(agent: Agent, occasion: Occasion) -> None:
    """Timers: do it at `at` (when at act), judge the occasion after `due`."""
    for timer in occasion.timers:
        agent.cancel(timer)
    proposal = occasion.proposal
    deadline = proposal.due + agent.rules.truth_window_minutes * 60.0
    act = agent.call_at(proposal.at, lambda: agent.spawn(_act(agent, occasion), "agent-propose"))
    judge = agent.call_at(max(deadline, proposal.at), lambda: close_occasion(agent, occasion))
    occasion.timers = (act, judge)


async def _act(agent: Agent, occasion: Occasion) -> None:
    """Its time: done when the routine is at act (or a person said yes), after the hard
    rules once more; nothing when it is already so."""
    if occasion.closed or occasion.action_id is not None or occasion.level != "act":
        return
    if not agent.enabled:
        return
    unit = agent.units.get(occasion.proposal.routine_key)
    if unit is None or unit.level == "off":
        return
    now = agent.hub.clock.timestamp()
    if occasion.confirmed_by is None:
        level, held = gate.hold_back(agent, unit, "act", now, away_ok=occasion.proposal.while_away)
        if level != "act":
            occasion.level, occasion.held = level, held
            return
    if value_of(agent.hub.states.get(unit.entity_id)) == unit.value:
        return  # already so: a person or the device's own schedule did it
    action = await doing.perform(
        agent,
        unit,
        occasion.moment,
        occasion.proposal.probability,
        occasion.suggestion_id,
        None if occasion.confirmed_by == "a person" else occasion.confirmed_by,
    )
    if action is not None:
        occasion.action_id = action.action_id


def close_occasion(agent: Agent, occasion: Occasion) -> None:
    """After `due`: an occasion only observed is judged as a learned routine's shadow is,
    by what people did: a person who turned the entity up to the proposed value themselves
    wanted it (came true), else not; one at act that a person did first is a missed chance.
    Held back ones are no evidence either way, unless the proposal judges its own occasions
    (`Proposal.judge`): then they are observed ones, as a learned routine's held-back moments
    are; asked and done ones have their outcome from the answer and the action."""
    if occasion.closed:
        return
    occasion.closed = True
    for timer in occasion.timers:
        agent.cancel(timer)
    unit = agent.units.get(occasion.proposal.routine_key)
    if unit is None or (occasion.held is not None and occasion.proposal.judge is None):
        return
    if occasion.level == "act" and occasion.action_id is None and occasion.done_by_person:
        agent.outcome(unit, "missed", detail="a person did it first")  # wanted all the same
    if occasion.level != "observe":
        return
    judge = occasion.proposal.judge
    right = occasion.done_by_person or (judge is not None and judge())
    kind = "came_true" if right else "not_true"
    agent.outcome(unit, kind, detail=f"proposed for {_clock(agent, occasion.proposal.due)}")


def person_did(agent: Agent, entity_id: str, value: str) -> None:
    """A person changed an entity (Agent._person_did): the open occasions it fulfils."""
    for occasion in agent.proposals.values():
        if not occasion.closed and occasion.proposal.entity_id == entity_id:
            occasion.done_by_person = occasion.done_by_person or _fulfils(
                entity_id, occasion.proposal.value, value
            )


def _fulfils(entity_id: str, wanted: str, value: str) -> bool:
    """The value proposed, or for a thermostat at least its set-point in the same mode."""
    if value == wanted:
        return True
    mode, want = state_of(entity_id, wanted)
    got_mode, got = state_of(entity_id, value)
    target, setpoint = want.get("temperature"), got.get("temperature")
    return (
        mode == got_mode
        and isinstance(target, float)
        and isinstance(setpoint, float)
        and setpoint >= target
    )


def _status(occasion: Occasion, unit: RoutineUnit, status: str) -> ProposalStatus:
    words = {
        "asked": "asked: a yes does it",
        "waiting": "asked already: waiting for an answer",
        "scheduled": "it will be done at its time",
        "done": "done",
        "observed": "observed: nothing done (the routine is at observe)",
        "held": f"held back: {occasion.held or 'nothing to do'}",
    }
    detail = words.get(status, status)
    if occasion.confirmed_by is not None and status == "scheduled":
        detail = f"{occasion.confirmed_by} said yes: it will be done at its time"
    return ProposalStatus(
        unit.routine_id, unit.level, status, detail, occasion.suggestion_id, occasion.action_id
    )


def _clock(agent: Agent, when: float) -> str:
    """The home's time of day: "06:05"."""
    seconds = int(to_wall_clock(when, agent.zone) % DAY)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


__all__ = [
    "BadProposalError",
    "Occasion",
    "Proposal",
    "ProposalStatus",
    "close_occasion",
    "confirmed",
    "propose",
]
