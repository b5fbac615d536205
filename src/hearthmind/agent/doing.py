"""Acting: the service call at a run's moment, with a Context of origin agent whose parent is
the run, announced as agent_action; then the action's life: a device that does not do it is
found out after `device_timeout_seconds`, an action nobody undid within the undo window is
kept (and the occasions it closed count as the routine done after its trigger)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hearthmind.core import Context, Origin

from . import explain, gate
from .acting import name_of, service_for, value_of
from .events import EVENT_AGENT_ACTION
from .safety import OFF_LIKE, person_room
from .store import ActionRecord
from .triggers import credit
from .units import RoutineUnit

if TYPE_CHECKING:
    from .agent import Agent
    from .runs import Run

# devices people switch off as they leave a room: an opposite change followed by leaving the
# room is the action used, not undone
ROOM_DEVICES = frozenset({"light", "fan", "switch", "media_player"})
LEAVING_SECONDS = 60.0  # how soon after switching off a person who was leaving is elsewhere


async def act_now(agent: Agent, run: Run) -> None:
    """The run's moment: do it, unless it is already done, the agent was switched off, or
    what happened since makes it unlikely now."""
    if run.closed or run.action_id is not None or not agent.enabled:
        return
    unit = run.unit
    state = agent.hub.states.get(unit.entity_id)
    if state is None or value_of(state) == unit.value:
        agent.close_run(run, None)  # gone, or done by something other than a person
        return
    seen = agent.learner.recent[-1] if agent.learner.recent else None
    if not run.by_trigger and seen is not run.seen:
        still = next((g for g in agent.predictions() if g.item == unit.item), None)
        if still is None or not agent.policy.considers(still.probability):
            run.level, run.held = "observe", "no longer likely"
            return
    level, held = gate.hold_back(agent, unit, "act", agent.hub.clock.timestamp())
    if level != "act":
        run.level, run.held = level, held
        return
    action = await perform(agent, unit, run.run, run.probability, None, None)
    if action is None:
        agent.close_run(run, None)
        return
    run.action_id = action.action_id
    agent.close_run(run, None)  # its outcome comes from the action: kept or reverted


async def perform(
    agent: Agent,
    unit: RoutineUnit,
    parent: Context,
    probability: float,
    suggestion_id: str | None,
    confirmed_by: str | None,
) -> ActionRecord | None:
    """The service call, with a Context of origin agent whose parent is the run; the
    action is announced (agent_action) and may be undone."""
    state = agent.hub.states.get(unit.entity_id)
    call = None if state is None else service_for(unit.entity_id, unit.value, state.state)
    if call is None or state is None:
        return None
    domain, service, data = call
    ctx = agent.hub.context(Origin.AGENT, confirmed_by, parent=parent)
    now = agent.hub.clock.timestamp()
    action = ActionRecord(
        ctx.id, unit.routine_id, unit.person, unit.entity_id, f"{domain}.{service}", data,
        unit.value, value_of(state), ctx.id, parent.id, suggestion_id, probability,
        explain.action_sentence(
            unit, name_of(state, unit.entity_id), agent.habit(unit), probability,
            agent.config.undo_window(unit.entity_id) / 60.0, confirmed_by,
        ),
        "sent", now,
    )  # fmt: skip
    agent.actions[action.action_id] = action
    # the occasions it closes count once it is kept
    agent.waiting[action.action_id] = agent.triggers.taken(unit.item, now)
    # not again while it may still be undone or the device may still answer
    hold = max(agent.config.undo_window(unit.entity_id), agent.config.device_timeout_seconds)
    agent.block(unit.item, hold)
    try:
        await agent.hub.services.async_call(
            domain, service, data, target={"entity_id": unit.entity_id}, context=ctx
        )
    except Exception as err:  # a device that cannot be reached: counted, never fatal
        action.status, action.closed = "failed", agent.hub.clock.timestamp()
        agent.waiting.pop(action.action_id, None)
        agent.store.save_action(action)
        agent.problem("agent_action_errors", f"{action.service} {unit.entity_id}: {err}")
        agent.outcome(unit, "failed", action_id=action.action_id, detail=str(err))
        agent.block(unit.item)
        return None
    if value_of(agent.hub.states.get(unit.entity_id)) == unit.value:
        action.status = "done"
    agent.counts["actions"] += 1
    agent.undoers.around(agent.hub, unit.entity_id, now)
    agent.store.save_action(action)
    agent.hub.bus.async_fire(
        EVENT_AGENT_ACTION,
        {
            "action_id": action.action_id,
            "routine_id": unit.routine_id,
            "person": unit.person,
            "entity_id": unit.entity_id,
            "service": action.service,
            "service_data": dict(data),
            "explanation": action.explanation,
            "suggestion_id": suggestion_id,
            "probability": round(probability, 4),
        },
        ctx,
    )
    schedule_close(agent, action)
    return action


def opposite_change(agent: Agent, action: ActionRecord, user_id: str | None, when: float) -> None:
    """A person changed back what the agent did, within the undo window: a revert; unless
    they switched a room's light (fan, TV, ...) off on their way out of that room, which is
    the action used, not undone (which of the two shows in where they are a little later),
    or switched on one it switched off in an empty room on coming in after the one who left
    it (`Agent.new_use`: a use of their own; the switch-off stood for the one who left)."""
    area = agent.hub.registries.area_of(action.entity_id)
    switched_on = (
        action.target not in OFF_LIKE and action.entity_id.partition(".")[0] in ROOM_DEVICES
    )
    if user_id is not None and not switched_on and agent.new_use is not None:
        use = agent.new_use(action, user_id)
        if use is not None:  # the switch-off stood for whoever left the room
            _kept(agent, action, use)
            return
    if user_id is None or area is None or not switched_on:
        _reverted(agent, action, user_id, when)
        return
    action.status = "judging"  # neither kept at the window's end nor reverted twice

    def judge() -> None:
        if action.status != "judging":
            return
        if person_room(agent.hub, user_id) == area.id:
            _reverted(agent, action, user_id, when)
            return
        _kept(agent, action, f"used until {user_id} left the room")

    agent.call_at(when + LEAVING_SECONDS, judge)


def _reverted(agent: Agent, action: ActionRecord, user_id: str | None, when: float) -> None:
    close_action(agent, action, "reverted", "revert", f"by {user_id or 'a person'}")
    agent.block(action.target_item)
    if user_id is not None:
        agent.undoers.undone_by(user_id, when)
        agent.store.save_setting("undoers", agent.undoers.as_dict())


def schedule_close(agent: Agent, action: ActionRecord) -> None:
    """A device that did not do it is found out after `device_timeout_seconds`; an
    action nobody undid within the undo window is kept."""
    if action.status == "sent":
        agent.call_at(
            action.time + agent.config.device_timeout_seconds,
            lambda: _device_due(agent, action),
        )
    agent.call_at(
        action.time + agent.config.undo_window(action.entity_id),
        lambda: _undo_window_over(agent, action),
    )


def _device_due(agent: Agent, action: ActionRecord) -> None:
    if action.status != "sent":
        return
    if value_of(agent.hub.states.get(action.entity_id)) == action.target:
        action.status = "done"  # it got there, though not with our context
        agent.store.save_action(action)
        return
    agent.problem(
        "agent_device_ignored",
        f"{action.entity_id} did not do {action.service} "
        f"within {agent.config.device_timeout_seconds:g} s",
    )
    close_action(agent, action, "device_ignored", "device_ignored", "the device did not do it")
    agent.block(action.target_item)  # asking the device again and again helps nobody


def _undo_window_over(agent: Agent, action: ActionRecord) -> None:
    if action.status != "done":
        return
    _kept(agent, action, None)


def _kept(agent: Agent, action: ActionRecord, detail: str | None) -> None:
    unit = agent.units.get(action.routine_id)
    if unit is not None:
        for occasion in agent.waiting.get(action.action_id, []):
            credit(unit, occasion.key)  # the routine was done after its trigger
    close_action(agent, action, "kept", "kept", detail)


def close_action(
    agent: Agent, action: ActionRecord, status: str, kind: str, detail: str | None
) -> None:
    agent.waiting.pop(action.action_id, None)
    action.status = status
    action.closed = agent.hub.clock.timestamp()
    agent.store.save_action(action)
    unit = agent.units.get(action.routine_id)
    if unit is not None:
        agent.outcome(
            unit, kind, action_id=action.action_id, suggestion_id=action.suggestion_id,
            detail=detail,
        )  # fmt: skip
