"""Home Assistant's REST API (https://developers.home-assistant.io/docs/api/rest/), same paths
and shapes, so its clients and scripts work unchanged."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.datastructures import QueryParams

from hearthmind.core import ConfigError, describe_services, load_config
from hearthmind.recorder import get_recorder

from . import history, operations
from .auth import Authorized, Runtime
from .config import ApiConfig
from .jsonutil import dumps, loads
from .operations import ApiError, context_for
from .runtime import ApiRuntime

_OBJECT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


class JsonResponse(Response):
    """JSON of anything an integration put in attributes (see jsonutil)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


def message(text: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"message": text}, status_code=status)


async def _json_body(request: Request, rt: Runtime) -> Any:
    limit = rt.config.max_body_bytes
    chunks: list[bytes] = []
    size = 0
    # read at most `limit` bytes, whatever Content-Length says (or does not say)
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            operations.count_problem(
                rt.hub, "api_bad_request", f"{request.url.path}: body over {limit} bytes refused"
            )
            raise ApiError(413, "invalid_format", f"the body is over {limit} bytes", counted=True)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    try:
        return loads(raw)
    except ValueError as err:
        operations.count_problem(rt.hub, "api_bad_request", f"{request.url.path}: {err}")
        raise ApiError(
            400, "invalid_format", f"Data should be valid JSON ({err})", counted=True
        ) from err


def _flag(params: QueryParams, name: str) -> bool:
    """HA's flags are present-or-absent (`?minimal_response`), any value but false/0."""
    if name not in params:
        return False
    return params[name].lower() not in ("0", "false", "no")


router = APIRouter(prefix="/api", default_response_class=JsonResponse)


@router.get("/", summary="Is the API running?")
async def api_status(_: Authorized) -> JsonResponse:
    return message("API running.")


@router.get("/config", summary="The hub's configuration (HA shape)")
async def get_config(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(operations.config_dict(rt.hub))


@router.get("/components", summary="Loaded components")
async def get_components(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(operations.components(rt.hub))


@router.get("/states", summary="All current states")
async def get_states(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse([s.as_dict() for s in rt.hub.states.async_all()])


@router.get("/states/{entity_id}", summary="One entity's state")
async def get_state(entity_id: str, rt: Runtime, _: Authorized) -> JsonResponse:
    state = rt.hub.states.get(entity_id)
    if state is None:
        return message("Entity not found.", 404)
    return JsonResponse(state.as_dict())


@router.post("/states/{entity_id}", summary="Set an entity's state", openapi_extra=_OBJECT_BODY)
async def post_state(
    entity_id: str, request: Request, rt: Runtime, token: Authorized
) -> JsonResponse:
    body = await _json_body(request, rt)
    state, created = operations.set_state(rt.hub, entity_id, body, context_for(rt.hub, token))
    return JsonResponse(
        state.as_dict(),
        status_code=201 if created else 200,
        headers={"Location": f"/api/states/{entity_id}"},
    )


@router.delete("/states/{entity_id}", summary="Remove an entity's state")
async def delete_state(entity_id: str, rt: Runtime, token: Authorized) -> JsonResponse:
    if rt.hub.states.async_remove(entity_id, context_for(rt.hub, token)):
        return message("Entity removed.")
    return message("Entity not found.", 404)


@router.get("/services", summary="Services by domain")
async def get_services(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(describe_services(rt.hub.services))


@router.post(
    "/services/{domain}/{service}",
    summary="Call a service; returns the states it changed",
    openapi_extra=_OBJECT_BODY,
)
async def post_service(
    domain: str, service: str, request: Request, rt: Runtime, token: Authorized
) -> JsonResponse:
    body = await _json_body(request, rt)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_format", "service data must be a JSON object")
    if "return_response" in request.query_params:
        # no Hearthmind service returns data; HA answers such a request exactly so
        raise ApiError(
            400,
            "invalid_format",
            "Service does not support responses. Remove return_response from request.",
        )
    target = {k: body.pop(k) for k in ("area_id", "device_id") if k in body}
    changed = await operations.call_service(
        rt.hub, domain, service, body, context_for(rt.hub, token), target or None
    )
    return JsonResponse([s.as_dict() for s in changed])


@router.get("/events", summary="Event types with listeners")
async def get_events(rt: Runtime, _: Authorized) -> JsonResponse:
    counts = rt.hub.bus.listener_count()
    return JsonResponse([{"event": e, "listener_count": n} for e, n in sorted(counts.items())])


@router.post("/events/{event_type}", summary="Fire an event", openapi_extra=_OBJECT_BODY)
async def post_event(
    event_type: str, request: Request, rt: Runtime, token: Authorized
) -> JsonResponse:
    body = await _json_body(request, rt)
    if body is not None and not isinstance(body, dict):
        raise ApiError(400, "invalid_format", "Event data should be a JSON object")
    operations.fire_event(rt.hub, event_type, body, context_for(rt.hub, token))
    return message(f"Event {event_type} fired.")


@router.get("/history/period", summary="History of the last day")
async def history_default(
    request: Request,
    rt: Runtime,
    _: Authorized,
    filter_entity_id: str | None = None,
    end_time: str | None = None,
) -> JsonResponse:
    return await _history(request, rt, None, filter_entity_id, end_time)


@router.get("/history/period/{timestamp}", summary="History from a time (HA shape)")
async def history_from(
    timestamp: str,
    request: Request,
    rt: Runtime,
    _: Authorized,
    filter_entity_id: str | None = None,
    end_time: str | None = None,
) -> JsonResponse:
    return await _history(request, rt, timestamp, filter_entity_id, end_time)


async def _history(
    request: Request,
    rt: Runtime,
    start: str | None,
    filter_entity_id: str | None,
    end_time: str | None,
) -> JsonResponse:
    params = request.query_params
    result = await history.history_period(
        rt.hub,
        start,
        end_time,
        filter_entity_id,
        no_attributes=_flag(params, "no_attributes"),
        minimal_response=_flag(params, "minimal_response"),
    )
    return JsonResponse(result)


@router.get("/logbook", summary="State changes of the last day, with their causes")
async def logbook_default(
    rt: Runtime, _: Authorized, entity: str | None = None, end_time: str | None = None
) -> JsonResponse:
    return JsonResponse(await history.logbook(rt.hub, None, end_time, entity))


@router.get("/logbook/{timestamp}", summary="State changes from a time, with their causes")
async def logbook_from(
    timestamp: str,
    rt: Runtime,
    _: Authorized,
    entity: str | None = None,
    end_time: str | None = None,
) -> JsonResponse:
    return JsonResponse(await history.logbook(rt.hub, timestamp, end_time, entity))


@router.post(
    "/config/core/check_config",
    summary="Check configuration.yaml (YAML, includes, secrets, core and api sections)",
)
async def check_config(rt: Runtime, _: Authorized) -> JsonResponse:
    def check() -> str | None:
        try:
            config = load_config(rt.hub.config.config_dir, create=False)
            if "api" in config.raw:
                config.section("api", ApiConfig)
        except ConfigError as err:
            return str(err)
        return None

    errors = await asyncio.get_running_loop().run_in_executor(None, check)
    return JsonResponse({"result": "invalid" if errors else "valid", "errors": errors})


@router.post(
    "/template",
    summary="Render a template (Jinja2, HA's functions)",
    response_class=PlainTextResponse,
    openapi_extra=_OBJECT_BODY,
)
async def post_template(request: Request, rt: Runtime, _: Authorized) -> PlainTextResponse:
    from .rules import render_template

    body = await _json_body(request, rt)
    if not isinstance(body, dict) or not isinstance(body.get("template"), str):
        raise ApiError(400, "invalid_format", 'the body must be {"template": "..."}')
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise ApiError(400, "invalid_format", "variables must be a JSON object")
    return PlainTextResponse(await render_template(rt.hub, body["template"], variables))


@router.get("/error_log", summary="Recent problems, as text", response_class=PlainTextResponse)
async def error_log(rt: Runtime, _: Authorized) -> PlainTextResponse:
    # as Home Assistant's log lines: the time a person reads, in the home's zone
    zone = rt.hub.config.zone
    lines = [
        f"{datetime.fromtimestamp(p.timestamp, zone):%Y-%m-%d %H:%M:%S} {p.counter}: {p.message}"
        for p in list(rt.hub.health.recent)
    ]
    return PlainTextResponse("\n".join(lines) + ("\n" if lines else ""))


# -- Hearthmind's own: what Home Assistant lacks ----------------------------------------------


@router.get("/hearthmind/health", summary="Counters of events, errors and dropped input")
async def health(rt: Runtime, _: Authorized) -> JsonResponse:
    body = rt.hub.health.as_dict()
    zone = rt.hub.config.zone
    for problem in body["recent_problems"]:  # ISO 8601 with the home's offset beside epoch
        problem["time"] = datetime.fromtimestamp(problem["timestamp"], zone).isoformat()
    body["now"] = rt.hub.clock.now().astimezone(zone).isoformat()  # the hub's clock
    body["time_zone"] = rt.hub.config.core.time_zone
    body["entities"] = len(rt.hub.states)
    body["websocket_connections"] = len(rt.sessions)
    body["running"] = rt.hub.running
    body["recorder"] = _recorder_health(rt)
    return JsonResponse(body)


def _recorder_health(rt: ApiRuntime) -> dict[str, Any] | None:
    recorder = get_recorder(rt.hub)
    if recorder is None:
        return None
    return {
        "backlog": recorder.backlog,
        "committed_states": recorder.committed_states,
        "committed_events": recorder.committed_events,
        "lost": recorder.lost,
        "failing": recorder.failing,
    }


@router.get("/hearthmind/predictions", summary="What people will likely do next, when, and why")
async def predictions(rt: Runtime, _: Authorized, k: int = 5) -> JsonResponse:
    from .predictions import next_actions

    return JsonResponse(next_actions(rt.hub, k))


@router.get("/hearthmind/why/{entity_id}", summary="Who or what made an entity's last changes")
async def why(
    rt: Runtime, _: Authorized, entity_id: str, last: int = 1, at: str | None = None
) -> JsonResponse:
    from .why import why as explain

    return JsonResponse(await explain(rt.hub, entity_id, last, at))


@router.get("/hearthmind/origins", summary="Recorded state changes and events by origin")
async def origins(
    rt: Runtime, _: Authorized, start_time: str | None = None, end_time: str | None = None
) -> JsonResponse:
    return JsonResponse(await history.origin_counts(rt.hub, start_time, end_time))
