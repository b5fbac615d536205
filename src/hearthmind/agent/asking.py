"""Asking: a suggestion (agent_suggestion) for a routine at suggest, its expiry (ignored),
and a person's answer (the `agent.answer` service): yes does it with their confirmation, no
lowers the routine, never is that person's (`ladder.refuse`: not asked again, nothing done
around them; forbidden outright when everyone it is for refused), not now leaves it be for a
while. An answer after the suggestion expired does nothing, but is noted (and "never" is
obeyed)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hearthmind.core import Context, Origin

from . import doing, explain, gate, ladder, proposals
from .acting import name_of, service_for, value_of
from .errors import (
    AlreadyAnsweredError,
    EntityGoneError,
    SuggestionExpiredError,
    UnknownSuggestionError,
)
from .events import EVENT_AGENT_SUGGESTION, EVENT_SUGGESTION_ANSWERED, Answer
from .store import SuggestionRecord
from .units import RoutineUnit, is_proposed

if TYPE_CHECKING:
    from .agent import Agent
    from .runs import Run


def suggest(agent: Agent, run: Run, now: float) -> None:
    unit = run.unit
    state = agent.hub.states.get(unit.entity_id)
    if state is None:
        return
    expires = now + agent.config.suggestion_expires_minutes * 60.0
    explanation = explain.suggestion_sentence(
        unit, name_of(state, unit.entity_id), agent.habit(unit), run.probability
    )
    suggestion = ask(agent, unit, run.run, run.probability, explanation, expires, now)
    if suggestion is not None:
        run.suggestion_id = suggestion.suggestion_id
        run.deadline = max(run.deadline, expires)


def ask(
    agent: Agent,
    unit: RoutineUnit,
    parent: Context,
    probability: float,
    explanation: str,
    expires: float,
    now: float,
) -> SuggestionRecord | None:
    """A question to the routine's person (gate.asked_person), on their daily budget, for
    the service call that gives the entity the routine's value; None when no service does.
    Runs ask it (suggest), and so do other components' proposals (proposals.py)."""
    hub = agent.hub
    state = hub.states.get(unit.entity_id)
    call = None if state is None else service_for(unit.entity_id, unit.value, state.state)
    if call is None or state is None:
        return None
    domain, service, data = call
    person = gate.asked_person(agent, unit)
    ctx = hub.context(Origin.AGENT, parent=parent)
    suggestion = SuggestionRecord(
        ctx.id, unit.routine_id, person, unit.entity_id, f"{domain}.{service}", data,
        unit.value, ctx.id, parent.id, probability, explanation, "open", now, expires,
    )  # fmt: skip
    agent.suggestions[suggestion.suggestion_id] = suggestion
    gate.spend_question(agent, person, now)
    agent.counts["suggestions"] += 1
    agent.store.save_suggestion(suggestion)
    agent.call_at(expires, functools.partial(expire, agent, suggestion))
    hub.bus.async_fire(
        EVENT_AGENT_SUGGESTION,
        {
            "suggestion_id": suggestion.suggestion_id,
            "routine_id": unit.routine_id,
            "person": person,
            "entity_id": unit.entity_id,
            "service": suggestion.service,
            "service_data": dict(data),
            "explanation": suggestion.explanation,
            "expires": expires,
            "probability": round(probability, 4),
        },
        ctx,
    )
    return suggestion


def expire(agent: Agent, suggestion: SuggestionRecord) -> None:
    if suggestion.status != "open":
        return
    suggestion.status = "ignored"
    suggestion.closed = agent.hub.clock.timestamp()
    agent.store.save_suggestion(suggestion)
    agent.hub.bus.async_fire(
        EVENT_SUGGESTION_ANSWERED,
        {
            "suggestion_id": suggestion.suggestion_id,
            "routine_id": suggestion.routine_id,
            "answer": "ignored",
        },
        agent.hub.contexts.new(Origin.AGENT, None, suggestion.parent_id),
    )
    unit = agent.units.get(suggestion.routine_id)
    if unit is not None:
        unit.evidence.question(False, suggestion.created)
        agent.outcome(unit, "ignored", suggestion_id=suggestion.suggestion_id)


async def answer(agent: Agent, suggestion_id: str, reply: Answer, context: Context) -> str:
    suggestion = agent.suggestions.get(suggestion_id)
    if suggestion is None:
        raise UnknownSuggestionError(suggestion_id)
    now = agent.hub.clock.timestamp()
    if suggestion.status == "open" and now >= suggestion.expires:
        expire(agent, suggestion)
    unit = agent.units.get(suggestion.routine_id)
    if suggestion.status != "open":
        return _too_late(agent, suggestion, reply, context)
    suggestion.status = {"yes": "accepted", "no": "declined"}.get(reply, reply)
    suggestion.answered_by = context.user_id
    if unit is not None:
        unit.evidence.question(True, suggestion.created)
    suggestion.closed = now
    agent.store.save_suggestion(suggestion)
    agent.hub.bus.async_fire(
        EVENT_SUGGESTION_ANSWERED,
        {"suggestion_id": suggestion_id, "routine_id": suggestion.routine_id, "answer": reply},
        context,
    )
    run = agent.runs.get(suggestion.routine_id)
    if run is not None and run.suggestion_id != suggestion_id:
        run = None
    if run is not None:
        agent.close_run(run, None)
    if unit is None:
        return "noted"
    if reply == "yes":
        agent.outcome(unit, "accepted", suggestion_id=suggestion_id)
        if is_proposed(unit.routine_id):  # another component's: done at its own time
            return await proposals.confirmed(agent, suggestion, unit, context)
        state = agent.hub.states.get(unit.entity_id)
        if state is None:
            raise EntityGoneError(
                f"{unit.entity_id} is no longer there: nothing done (your yes is noted)"
            )
        if value_of(state) == unit.value:
            return f"{state.name} is already {unit.value}"
        parent = run.run if run is not None else agent.hub.context(Origin.AGENT)
        action = await doing.perform(
            agent, unit, parent, suggestion.probability or 1.0, suggestion_id, context.user_id
        )
        if action is None:
            return f"could not {suggestion.service} {unit.entity_id} (see the health counters)"
        return action.explanation
    agent.block(unit.item)
    if reply == "not_now":
        agent.outcome(unit, "not_now", suggestion_id=suggestion_id)
        return "not now: I will not ask again for a while"
    if reply == "never":
        if ladder.refuse(unit, context.user_id, gate.household(agent)):
            agent.outcome(unit, "declined", suggestion_id=suggestion_id)
            return f"I will never do this again: {agent.habit(unit)}"
        # the others it is for still want it: their evidence stands
        agent.outcome(unit, "refused", suggestion_id=suggestion_id, detail=context.user_id)
        return f"I will not ask you again, nor do this around you: {agent.habit(unit)}"
    agent.outcome(unit, "declined", suggestion_id=suggestion_id)
    return "declined: I will watch a while longer before I ask again"


def _too_late(agent: Agent, suggestion: SuggestionRecord, reply: Answer, context: Context) -> str:
    """An answer to a suggestion that expired or that the person did by hand meanwhile: it
    does nothing, but is noted, and "never" is obeyed all the same."""
    unit = agent.units.get(suggestion.routine_id)
    who = context.user_id or "someone"
    if unit is not None and suggestion.status in ("ignored", "done_by_person"):
        if reply == "never":
            ladder.refuse(unit, context.user_id, gate.household(agent))
        agent.outcome(
            unit, "late_answer", suggestion_id=suggestion.suggestion_id,
            detail=f"{who} said {reply} after it was {suggestion.status}",
        )  # fmt: skip
    if suggestion.status == "ignored":
        until = datetime.fromtimestamp(suggestion.expires, UTC).isoformat()
        heard = ""
        if reply == "never":
            forbidden = unit is None or unit.level == "off"
            heard = (
                ", and the routine is forbidden as asked"
                if forbidden
                else ", and it will not be done around you again"
            )
        raise SuggestionExpiredError(
            f"suggestion {suggestion.suggestion_id} expired at {until}: nothing was done"
            + heard
            + " (your answer is noted)"
        )
    if suggestion.status == "done_by_person":
        return f"{suggestion.entity_id} was already done by hand; answer noted"
    raise AlreadyAnsweredError(
        f"suggestion {suggestion.suggestion_id} was already answered ({suggestion.status})"
    )
