"""The agent's WebSocket commands (Hearthmind's own, beside Home Assistant's): the same
answers as its REST paths (api/agent.py). Its actions and suggestions are announced as events
(`subscribe_events` with `event_type` agent_action, agent_suggestion,
agent_suggestion_answered or agent_feedback), as any event is.

    hearthmind/agent                 status
    hearthmind/agent/routines        every routine with level and evidence
    hearthmind/agent/suggestions     {all?: bool}
    hearthmind/agent/actions         {limit?: int}
    hearthmind/agent/answer          {suggestion_id, answer}
    hearthmind/agent/undo            {action_id?}
    hearthmind/agent/set_level       {routine_id, level}
    hearthmind/agent/forbid          {routine_id}
    hearthmind/agent/switch          {on: bool}"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from hearthmind.api import agent as agent_api
from hearthmind.api.operations import context_for

from .messages import Fields, NoFields, command

if TYPE_CHECKING:
    from .connection import WebSocketSession


def _context(session: WebSocketSession) -> Any:
    assert session.token is not None  # commands run only after auth_ok
    return context_for(session.hub, session.token)


@command("hearthmind/agent")
async def status(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    session.result(msg_id, agent_api.status(session.hub))


@command("hearthmind/agent/routines")
async def routines(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    session.result(msg_id, agent_api.routines(session.hub))


class Suggestions(Fields):
    all: bool = False


@command("hearthmind/agent/suggestions", Suggestions)
async def suggestions(session: WebSocketSession, msg_id: int, params: Suggestions) -> None:
    session.result(msg_id, agent_api.suggestions(session.hub, params.all))


class Actions(Fields):
    limit: int = Field(default=50, ge=1, le=500)


@command("hearthmind/agent/actions", Actions)
async def actions(session: WebSocketSession, msg_id: int, params: Actions) -> None:
    session.result(msg_id, agent_api.actions(session.hub, params.limit))


class Answer(Fields):
    suggestion_id: str
    answer: str


@command("hearthmind/agent/answer", Answer)
async def answer(session: WebSocketSession, msg_id: int, params: Answer) -> None:
    data = {"suggestion_id": params.suggestion_id, "answer": params.answer}
    session.result(
        msg_id, await agent_api.agent_service(session.hub, "answer", data, _context(session))
    )


class Undo(Fields):
    action_id: str | None = None


@command("hearthmind/agent/undo", Undo)
async def undo(session: WebSocketSession, msg_id: int, params: Undo) -> None:
    data = {} if params.action_id is None else {"action_id": params.action_id}
    session.result(
        msg_id, await agent_api.agent_service(session.hub, "undo", data, _context(session))
    )


class SetLevel(Fields):
    routine_id: str
    level: str


@command("hearthmind/agent/set_level", SetLevel)
async def set_level(session: WebSocketSession, msg_id: int, params: SetLevel) -> None:
    data = {"routine_id": params.routine_id, "level": params.level}
    session.result(
        msg_id, await agent_api.agent_service(session.hub, "set_level", data, _context(session))
    )


class Routine(Fields):
    routine_id: str


@command("hearthmind/agent/forbid", Routine)
async def forbid(session: WebSocketSession, msg_id: int, params: Routine) -> None:
    data = {"routine_id": params.routine_id}
    session.result(
        msg_id, await agent_api.agent_service(session.hub, "forbid", data, _context(session))
    )


class Switch(Fields):
    on: bool


@command("hearthmind/agent/switch", Switch, slow=True)
async def switch(session: WebSocketSession, msg_id: int, params: Switch) -> None:
    session.result(msg_id, await agent_api.switch(session.hub, params.on, _context(session)))
