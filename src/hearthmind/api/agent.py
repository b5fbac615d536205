"""The agent over HTTP (`/api/hearthmind/agent/...`) and, through the same functions, over
the WebSocket (websocket/agent.py): its routines with level and evidence, its suggestions and
actions, answering, undoing, setting a level, forbidding, opting out, the off switch.

Changes go through the hub's services (`agent.answer`, `agent.undo`, `agent.set_level`,
`agent.forbid`, `agent.opt_out`, `switch.turn_off` on switch.hearthmind_agent) with the
token's Context (origin app), as Home Assistant's clients call them, so the recorder and the
agent see who asked. Refusals keep the agent's status: 404 an unknown routine, suggestion or
action, 410 an expired suggestion, 409 an entity gone or a level a safety class may not have.

    GET  /api/hearthmind/agent                     status: on/off, policy, routines by level
    GET  /api/hearthmind/agent/routines            every routine: level, evidence, sentence
    GET  /api/hearthmind/agent/routines/{id}       one routine
    POST /api/hearthmind/agent/routines/{id}/level {"level": "off|observe|suggest|act"}
    POST /api/hearthmind/agent/routines/{id}/forbid
    GET  /api/hearthmind/agent/suggestions[?all=1] the open ones (all of the last day)
    POST /api/hearthmind/agent/suggestions/{id}/answer {"answer": "yes|no|not_now|never"}
    GET  /api/hearthmind/agent/actions             the last day's actions, newest first
    POST /api/hearthmind/agent/actions/{id}/undo   (POST .../agent/undo: the last action)
    POST /api/hearthmind/agent/off | /on           the off switch
    POST /api/hearthmind/agent/opt_out             {"person": "ana"?, "opted_out": true}"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request

from hearthmind.core import Context, HearthmindError, Hub, InvalidServiceDataError

from .auth import Authorized, Runtime
from .operations import ApiError, call_service, context_for
from .rest import JsonResponse, _json_body

if TYPE_CHECKING:
    from hearthmind.agent import Agent

router = APIRouter(prefix="/api/hearthmind/agent", default_response_class=JsonResponse)


def agent_of(hub: Hub) -> Agent:
    from hearthmind.agent import get_agent

    agent = get_agent(hub)
    if agent is None:
        raise ApiError(404, "not_found", "the agent is not set up on this hub (agent: enabled)")
    return agent


def status(hub: Hub) -> dict[str, Any]:
    agent = agent_of(hub)
    levels = Counter(unit.level for unit in agent.units.values())
    return {
        "enabled": agent.enabled,
        "policy": agent.policy.name,
        "model": None if agent.learner.model is None else agent.learner.model.name,
        "routines": len(agent.units),
        "levels": {level: levels.get(level, 0) for level in ("off", "observe", "suggest", "act")},
        "open_suggestions": len(agent.open_suggestions()),
        "opted_out": sorted(agent.opted_out),
        "undo_window_minutes": agent.config.undo_window_minutes,
    }


def routines(hub: Hub) -> list[dict[str, Any]]:
    return agent_of(hub).routines()


def routine(hub: Hub, routine_id: str) -> dict[str, Any]:
    agent = agent_of(hub)
    unit = agent.units.get(routine_id)
    if unit is None:
        raise ApiError(404, "not_found", f"no routine {routine_id!r}")
    return unit.as_dict(agent.name_of)


def suggestions(hub: Hub, everything: bool = False) -> list[dict[str, Any]]:
    agent = agent_of(hub)
    found = list(agent.suggestions.values()) if everything else agent.open_suggestions()
    return [s.as_dict() for s in sorted(found, key=lambda s: -s.created)]


def actions(hub: Hub, limit: int = 50) -> list[dict[str, Any]]:
    agent = agent_of(hub)
    newest = sorted(agent.actions.values(), key=lambda a: -a.time)[: max(1, min(limit, 500))]
    return [a.as_dict() for a in newest]


async def agent_service(
    hub: Hub, service: str, data: dict[str, Any], context: Context
) -> dict[str, Any]:
    """Call an `agent.*` service; its answer, or its refusal with the agent's status."""
    agent_of(hub)
    try:
        answer = await hub.services.async_call("agent", service, data, context=context)
    except InvalidServiceDataError as err:
        raise ApiError(400, "invalid_format", str(err), counted=True) from err
    except HearthmindError as err:
        status_code = int(getattr(err, "status", 400))
        code = "not_found" if status_code == 404 else "home_assistant_error"
        raise ApiError(status_code, code, str(err), counted=True) from err
    return answer if isinstance(answer, dict) else {"message": str(answer)}


async def switch(hub: Hub, on: bool, context: Context) -> dict[str, Any]:
    """The off switch, through the switch entity's own service (as HA's apps do)."""
    from hearthmind.agent.events import SWITCH_ENTITY_ID

    agent = agent_of(hub)
    service = "turn_on" if on else "turn_off"
    await call_service(hub, "switch", service, {"entity_id": SWITCH_ENTITY_ID}, context)
    return {"enabled": agent.enabled}


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_format", "the body must be a JSON object")
    return body


@router.get("", summary="The agent: on or off, its policy, routines by level")
async def get_status(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(status(rt.hub))


@router.get("/routines", summary="Every routine with its level and evidence")
async def get_routines(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(routines(rt.hub))


@router.get("/routines/{routine_id}", summary="One routine")
async def get_routine(rt: Runtime, _: Authorized, routine_id: str) -> JsonResponse:
    return JsonResponse(routine(rt.hub, routine_id))


@router.post("/routines/{routine_id}/level", summary="Set a routine's level")
async def post_level(
    request: Request, rt: Runtime, token: Authorized, routine_id: str
) -> JsonResponse:
    body = _object(await _json_body(request, rt))
    data = {"routine_id": routine_id, "level": body.get("level")}
    return JsonResponse(await agent_service(rt.hub, "set_level", data, context_for(rt.hub, token)))


@router.post("/routines/{routine_id}/forbid", summary="Never do a routine again")
async def post_forbid(rt: Runtime, token: Authorized, routine_id: str) -> JsonResponse:
    data = {"routine_id": routine_id}
    return JsonResponse(await agent_service(rt.hub, "forbid", data, context_for(rt.hub, token)))


@router.get("/suggestions", summary="Open suggestions (?all=1: the last day's)")
async def get_suggestions(rt: Runtime, _: Authorized, all: bool = False) -> JsonResponse:
    return JsonResponse(suggestions(rt.hub, all))


@router.post("/suggestions/{suggestion_id}/answer", summary="Answer a suggestion")
async def post_answer(
    request: Request, rt: Runtime, token: Authorized, suggestion_id: str
) -> JsonResponse:
    body = _object(await _json_body(request, rt))
    data = {"suggestion_id": suggestion_id, "answer": body.get("answer")}
    return JsonResponse(await agent_service(rt.hub, "answer", data, context_for(rt.hub, token)))


@router.get("/actions", summary="The last day's actions, newest first")
async def get_actions(rt: Runtime, _: Authorized, limit: int = 50) -> JsonResponse:
    return JsonResponse(actions(rt.hub, limit))


@router.post("/actions/{action_id}/undo", summary="Undo an action")
async def post_undo(rt: Runtime, token: Authorized, action_id: str) -> JsonResponse:
    data = {"action_id": action_id}
    return JsonResponse(await agent_service(rt.hub, "undo", data, context_for(rt.hub, token)))


@router.post("/undo", summary="Undo the agent's last action")
async def post_undo_last(rt: Runtime, token: Authorized) -> JsonResponse:
    return JsonResponse(await agent_service(rt.hub, "undo", {}, context_for(rt.hub, token)))


@router.post("/off", summary="Switch the agent off (switch.hearthmind_agent)")
async def post_off(rt: Runtime, token: Authorized) -> JsonResponse:
    return JsonResponse(await switch(rt.hub, False, context_for(rt.hub, token)))


@router.post("/on", summary="Switch the agent on")
async def post_on(rt: Runtime, token: Authorized) -> JsonResponse:
    return JsonResponse(await switch(rt.hub, True, context_for(rt.hub, token)))


@router.post("/opt_out", summary="A person opts out of the agent (or back in)")
async def post_opt_out(request: Request, rt: Runtime, token: Authorized) -> JsonResponse:
    body = _object(await _json_body(request, rt))
    data: dict[str, Any] = {k: body[k] for k in ("person", "opted_out") if k in body}
    return JsonResponse(await agent_service(rt.hub, "opt_out", data, context_for(rt.hub, token)))
