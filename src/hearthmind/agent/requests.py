"""What people ask of the agent, besides answering it (asking.py): undo an action, set a
routine's level or forbid it, opt out, switch the agent off; and what they read of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hearthmind.core import Context

from . import doing, explain, ladder
from .acting import service_for, value_of
from .errors import EntityGoneError, LevelRefusedError, NothingToUndoError, UnknownActionError
from .events import LEVELS, Level
from .units import RoutineUnit

if TYPE_CHECKING:
    from .agent import Agent


async def undo(agent: Agent, action_id: str | None, context: Context) -> str:
    """Undo an action (the last one when no id is given): the entity goes back to what it
    was, and the routine takes it as a revert. Its feedback is kept even when the entity
    can no longer be put back."""
    if action_id is None:
        done = [
            a for a in agent.actions.values() if a.status in ("sent", "done", "kept", "judging")
        ]
        if not done:
            raise NothingToUndoError("the agent has done nothing that could be undone")
        action = max(done, key=lambda a: a.time)
    else:
        found = agent.actions.get(action_id)
        if found is None:
            raise UnknownActionError(f"no action {action_id!r}")
        action = found
    if action.status in ("reverted", "undone"):
        raise NothingToUndoError(f"action {action.action_id} was already undone")
    if action.status in ("failed", "device_ignored"):
        raise NothingToUndoError(
            f"action {action.action_id} did nothing ({action.status}): nothing to undo"
        )
    by = context.user_id or "a person"
    doing.close_action(agent, action, "undone", "revert", f"undone by {by}")
    agent.block(action.target_item)
    if context.user_id is not None:
        agent.undoers.undone_by(context.user_id, agent.hub.clock.timestamp())
        agent.store.save_setting("undoers", agent.undoers.as_dict())
    hub = agent.hub
    state = hub.states.get(action.entity_id)
    entry = hub.entities.get(action.entity_id)
    if state is None or entry is None or entry.handler is None:
        raise EntityGoneError(
            f"{action.entity_id} is no longer there, so it cannot be put back; the routine "
            "takes it as undone all the same"
        )
    if action.previous is None or value_of(state) == action.previous:
        return f"{state.name} is already {action.previous or state.state}"
    call = service_for(action.entity_id, action.previous, state.state)
    if call is None:
        raise NothingToUndoError(
            f"no service puts {action.entity_id} back to {action.previous!r}; the routine "
            "takes it as undone all the same"
        )
    domain, service, data = call
    # the person's doing, on the agent's action: the recorder links the two
    ctx = hub.contexts.new(context.origin, context.user_id, action.context_id)
    await hub.services.async_call(
        domain, service, data, target={"entity_id": action.entity_id}, context=ctx
    )
    return f"undone: {state.name} back to {action.previous}"


def set_level(agent: Agent, rid: str, level: Level, by: str | None) -> RoutineUnit:
    unit = agent.unit(rid)
    if level not in LEVELS:
        raise LevelRefusedError(f"no level {level!r} (levels: {', '.join(LEVELS)})")
    if level == "act" and unit.safety is not None:
        raise LevelRefusedError(
            f"{unit.entity_id} is {unit.safety}: the agent only suggests it, never acts "
            "on it without a person's yes"
        )
    ladder.set_level(unit, level, by)
    unit.updated = agent.hub.clock.timestamp()
    agent.store.save_routine(unit)
    if level in ("off", "observe"):
        run = agent.runs.get(rid)
        if run is not None:
            agent.close_run(run, None)
    return unit


def opt_out(agent: Agent, person: str, opted_out: bool) -> None:
    if opted_out:
        agent.opted_out.add(person)
    else:
        agent.opted_out.discard(person)
    agent.store.save_setting("opted_out", sorted(agent.opted_out))


def set_enabled(agent: Agent, on: bool) -> None:
    """The off switch: off, the agent does nothing at all (earlier actions' feedback still
    counts); its open runs are closed."""
    agent.enabled = on
    agent.store.save_setting("enabled", on)
    if not on:
        for run in list(agent.runs.values()):
            agent.close_run(run, None)


def reject_last_action(agent: Agent, user_id: str | None) -> str | None:
    """ "Don't do that again": the last action's routine is forbidden."""
    last = agent.last_action()
    if last is None or last.routine_id not in agent.units:
        return None
    unit = set_level(agent, last.routine_id, "off", user_id)
    agent.outcome(unit, "declined", action_id=last.action_id, detail="don't do that again")
    name = agent.name_of(unit.entity_id) or unit.entity_id
    return f"I won't {explain.doing(name, unit.value, past=False)} on my own again."


def routines(agent: Agent) -> list[dict[str, Any]]:
    """Every routine, the most trusted first."""
    order = {level: i for i, level in enumerate(reversed(LEVELS))}
    units = sorted(agent.units.values(), key=lambda u: (order[u.level], u.routine_id))
    return [u.as_dict(agent.name_of) for u in units]
