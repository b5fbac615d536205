"""The agent's services (domain `agent`, events.py) and its off switch, the entity
`switch.hearthmind_agent`, which answers `switch.turn_off` like any switch, so Home
Assistant's clients and `/api/services/switch/turn_off` turn the agent off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import Field

from hearthmind.core import Context, Hub, ServiceCall, ServiceData

from .agent import Agent
from .errors import AgentError
from .events import (
    DOMAIN,
    SERVICE_ANSWER,
    SERVICE_FORBID,
    SERVICE_OPT_OUT,
    SERVICE_SET_LEVEL,
    SERVICE_UNDO,
    SWITCH_ENTITY_ID,
    Answer,
    Level,
)

OWNER = "agent"
Handler = Callable[[ServiceCall], Awaitable[Any]]


class AnswerData(ServiceData):
    suggestion_id: str = Field(min_length=1, max_length=64)
    answer: Answer


class UndoData(ServiceData):
    action_id: str | None = Field(default=None, min_length=1, max_length=64)


class LevelData(ServiceData):
    routine_id: str = Field(min_length=1, max_length=255)
    level: Level


class RoutineData(ServiceData):
    routine_id: str = Field(min_length=1, max_length=255)


class OptOutData(ServiceData):
    person: str | None = Field(default=None, min_length=1, max_length=64)  # default: the caller
    opted_out: bool = True


def _counted(hub: Hub, handler: Handler) -> Handler:
    """A refusal (unknown routine, expired suggestion, ...) is counted, then answered."""

    async def run(call: ServiceCall) -> Any:
        try:
            return await handler(call)
        except AgentError as err:
            hub.health.problem(err.counter, str(err), hub.clock.timestamp())
            raise

    return run


def register(hub: Hub, agent: Agent) -> None:
    async def answer(call: ServiceCall) -> dict[str, Any]:
        data = AnswerData.model_validate(call.data.model_dump())
        said = await agent.async_answer(data.suggestion_id, data.answer, call.context)
        return {"message": said}

    async def undo(call: ServiceCall) -> dict[str, Any]:
        data = UndoData.model_validate(call.data.model_dump())
        return {"message": await agent.async_undo(data.action_id, call.context)}

    async def level(call: ServiceCall) -> dict[str, Any]:
        data = LevelData.model_validate(call.data.model_dump())
        unit = agent.set_level(data.routine_id, data.level, call.context.user_id)
        return unit.as_dict(agent.name_of)

    async def forbid(call: ServiceCall) -> dict[str, Any]:
        data = RoutineData.model_validate(call.data.model_dump())
        return agent.forbid(data.routine_id, call.context.user_id).as_dict(agent.name_of)

    async def opt_out(call: ServiceCall) -> dict[str, Any]:
        data = OptOutData.model_validate(call.data.model_dump())
        person = data.person or call.context.user_id
        if person is None:
            raise AgentError("opt_out: say which person (no user behind this call)")
        agent.opt_out(person, data.opted_out)
        return {"person": person, "opted_out": data.opted_out}

    for name, handler, schema, text in (
        (SERVICE_ANSWER, answer, AnswerData, "answer a suggestion: yes, no, not_now, never"),
        (SERVICE_UNDO, undo, UndoData, "undo an action (the last one without action_id)"),
        (SERVICE_SET_LEVEL, level, LevelData, "set a routine's level: off, observe, suggest, act"),
        (SERVICE_FORBID, forbid, RoutineData, "never do a routine again"),
        (SERVICE_OPT_OUT, opt_out, OptOutData, "a person opts out of (or back into) the agent"),
    ):
        hub.services.async_register(
            DOMAIN, name, _counted(hub, handler), schema, needs_target=False, description=text
        )
    _add_switch(hub, agent)


def _add_switch(hub: Hub, agent: Agent) -> None:
    def show(context: Context) -> None:
        hub.states.async_set(
            SWITCH_ENTITY_ID,
            "on" if agent.enabled else "off",
            {"friendly_name": "Hearthmind agent", "icon": "mdi:robot"},
            context,
        )

    async def command(service: str, entity_id: str, data: Mapping[str, Any], ctx: Context) -> None:
        on = {"turn_on": True, "turn_off": False, "toggle": not agent.enabled}.get(service)
        if on is None:
            from hearthmind.core.domains import NoHandlerError

            raise NoHandlerError(entity_id, service)
        agent.set_enabled(on)
        show(ctx)

    hub.entities.async_add(SWITCH_ENTITY_ID, OWNER, command, unique_id="hearthmind_agent")
    show(hub.context("agent"))
