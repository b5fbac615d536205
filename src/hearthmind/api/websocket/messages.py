"""The WebSocket commands, each with the fields it accepts (anything else is refused with
`invalid_format`, so a typo in a client is an error it sees, not a silent no-op)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from hearthmind.api import operations
from hearthmind.api.operations import ApiError, context_for
from hearthmind.core import EVENT_STATE_CHANGED, MATCH_ALL, Event, State

from .triggers import subscribe_trigger

if TYPE_CHECKING:
    from .connection import WebSocketSession

Handler = Callable[["WebSocketSession", int, Any], Awaitable[None]]


class Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoFields(Fields):
    pass


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    schema: type[BaseModel]
    slow: bool = False  # runs devices: limited in number per client


COMMANDS: dict[str, Command] = {}


F = TypeVar("F", bound=Callable[..., Awaitable[None]])


def command(
    name: str, schema: type[BaseModel] = NoFields, *, slow: bool = False
) -> Callable[[F], F]:
    def register(handler: F) -> F:
        COMMANDS[name] = Command(name, handler, schema, slow)
        return handler

    return register


def _token(session: WebSocketSession) -> Any:
    assert session.token is not None  # commands run only after auth_ok
    return session.token


# -- basics -----------------------------------------------------------------------------------


@command("ping")
async def ping(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    session.send({"id": msg_id, "type": "pong"})


class SupportedFeatures(Fields):
    features: dict[str, Any] = Field(default_factory=dict)


@command("supported_features", SupportedFeatures)
async def supported_features(
    session: WebSocketSession, msg_id: int, params: SupportedFeatures
) -> None:
    # coalesce_messages: several answers may go out as one JSON array per frame
    session.coalesce = bool(params.features.get("coalesce_messages"))
    session.result(msg_id, None)


@command("auth/current_user")
async def current_user(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    token = _token(session)
    session.result(
        msg_id,
        {
            "id": token.user_id,
            "name": token.name,
            "is_owner": True,
            "is_admin": True,
            "credentials": [],
            "mfa_modules": [],
        },
    )


@command("get_states")
async def get_states(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    session.result(msg_id, [s.as_dict() for s in session.hub.states.async_all()])


@command("get_config")
async def get_config(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    session.result(msg_id, operations.config_dict(session.hub))


@command("get_services")
async def get_services(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    session.result(msg_id, operations.services_by_domain(session.hub))


# -- acting -----------------------------------------------------------------------------------


class CallService(Fields):
    domain: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=64)
    service_data: dict[str, Any] | None = None
    target: dict[str, Any] | None = None
    return_response: bool = False


@command("call_service", CallService, slow=True)
async def call_service(session: WebSocketSession, msg_id: int, params: CallService) -> None:
    if params.return_response:
        raise ApiError(
            400,
            "service_validation_error",
            f"{params.domain}.{params.service} does not return a response",
        )
    context = context_for(session.hub, _token(session))
    await operations.call_service(
        session.hub,
        params.domain,
        params.service,
        params.service_data or {},
        context,
        params.target,
    )
    session.result(msg_id, {"context": context.as_dict(), "response": None})


class FireEvent(Fields):
    event_type: str
    event_data: dict[str, Any] | None = None


@command("fire_event", FireEvent)
async def fire_event(session: WebSocketSession, msg_id: int, params: FireEvent) -> None:
    context = context_for(session.hub, _token(session))
    operations.fire_event(session.hub, params.event_type, params.event_data, context)
    session.result(msg_id, {"context": context.as_dict()})


# -- subscriptions ----------------------------------------------------------------------------


class SubscribeEvents(Fields):
    event_type: str = Field(default=MATCH_ALL, min_length=1, max_length=64)


@command("subscribe_events", SubscribeEvents)
async def subscribe_events(session: WebSocketSession, msg_id: int, params: SubscribeEvents) -> None:
    def forward(event: Event) -> None:
        session.send({"id": msg_id, "type": "event", "event": event.as_dict()})

    session.subscriptions[msg_id] = session.hub.bus.async_listen(params.event_type, forward)
    session.result(msg_id, None)


class Unsubscribe(Fields):
    subscription: int


@command("unsubscribe_events", Unsubscribe)
async def unsubscribe_events(session: WebSocketSession, msg_id: int, params: Unsubscribe) -> None:
    unsubscribe = session.subscriptions.pop(params.subscription, None)
    if unsubscribe is None:
        raise ApiError(404, "not_found", f"Subscription {params.subscription} not found.")
    unsubscribe()
    session.result(msg_id, None)


class SubscribeTrigger(Fields):
    trigger: dict[str, Any] | list[dict[str, Any]]
    variables: dict[str, Any] | None = None


@command("subscribe_trigger", SubscribeTrigger)
async def subscribe_trigger_command(
    session: WebSocketSession, msg_id: int, params: SubscribeTrigger
) -> None:
    def forward(variables: dict[str, Any], context: dict[str, Any] | None) -> None:
        session.send(
            {
                "id": msg_id,
                "type": "event",
                "event": {"variables": variables, "context": context},
            }
        )

    detach = subscribe_trigger(session.hub, params.trigger, forward)
    session.subscriptions[msg_id] = detach
    session.result(msg_id, None)


class RenderTemplate(Fields):
    template: str = Field(max_length=100_000)
    variables: dict[str, Any] | None = None
    report_errors: bool = False
    strict: bool = False
    timeout: float | None = None


@command("render_template", RenderTemplate)
async def render_template(session: WebSocketSession, msg_id: int, params: RenderTemplate) -> None:
    """Render now, then again after state changes, sending the result when it differs (as HA
    does). Re-renders follow every entity (`listeners.all`), batched per loop turn: a burst of
    changes costs one render."""
    import asyncio

    from hearthmind.api.rules import compile_off_loop, render_compiled, render_off_loop

    hub = session.hub
    template = await compile_off_loop(hub, params.template)
    # the first render off the loop with the worker's budget; re-renders (after state
    # changes) on the loop with the loop's, so a template too slow for it fails there
    last = await render_off_loop(hub, template, params.variables)
    listeners = {"all": True, "domains": [], "entities": [], "time": False}
    loop = asyncio.get_running_loop()
    pending: list[asyncio.Handle] = []

    def rerender() -> None:
        nonlocal last
        pending.clear()
        try:
            result = render_compiled(hub, template, params.variables)
        except ApiError as err:
            if params.report_errors:
                failed = {"error": err.message, "level": "ERROR"}
                session.send({"id": msg_id, "type": "event", "event": failed})
            return
        if result != last:
            last = result
            update = {"result": result, "listeners": listeners}
            session.send({"id": msg_id, "type": "event", "event": update})

    def on_change(_: Event) -> None:
        if not pending:
            pending.append(loop.call_soon(rerender))

    unsubscribe = hub.bus.async_listen(EVENT_STATE_CHANGED, on_change)

    def stop() -> None:
        unsubscribe()
        for handle in pending:
            handle.cancel()

    session.subscriptions[msg_id] = stop
    session.result(msg_id, None)
    session.send({"id": msg_id, "type": "event", "event": {"result": last, "listeners": listeners}})


class SubscribeEntities(Fields):
    entity_ids: list[str] | None = None


def _compressed(state: State) -> dict[str, Any]:
    """HA's compressed state for `subscribe_entities` (s, a, c, lc, lu)."""
    out: dict[str, Any] = {
        "s": state.state,
        "a": dict(state.attributes),
        "c": state.context.id,
        "lc": state.last_changed,
    }
    if state.last_updated != state.last_changed:
        out["lu"] = state.last_updated
    return out


@command("subscribe_entities", SubscribeEntities)
async def subscribe_entities(
    session: WebSocketSession, msg_id: int, params: SubscribeEntities
) -> None:
    hub = session.hub
    wanted = set(params.entity_ids) if params.entity_ids else None

    def forward(event: Event) -> None:
        entity_id = event.data["entity_id"]
        if wanted is not None and entity_id not in wanted:
            return
        new = event.data.get("new_state")
        if new is None:
            session.send({"id": msg_id, "type": "event", "event": {"r": [entity_id]}})
            return
        # the whole new state as "+" (HA sends only what differs; clients merge either way),
        # and under "-" the attributes that went away, so a merging client drops them
        change: dict[str, Any] = {"+": _compressed(new)}
        old = event.data.get("old_state")
        if isinstance(old, State):
            gone = [k for k in old.attributes if k not in new.attributes]
            if gone:
                change["-"] = {"a": gone}
        session.send({"id": msg_id, "type": "event", "event": {"c": {entity_id: change}}})

    session.subscriptions[msg_id] = hub.bus.async_listen(EVENT_STATE_CHANGED, forward)
    session.result(msg_id, None)
    current = [s for s in hub.states.async_all() if wanted is None or s.entity_id in wanted]
    session.send(
        {
            "id": msg_id,
            "type": "event",
            "event": {"a": {s.entity_id: _compressed(s) for s in current}},
        }
    )


# -- registries (read-only) -------------------------------------------------------------------


@command("config/area_registry/list")
async def area_registry(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    areas = session.hub.registries.areas.values()
    session.result(
        msg_id,
        [
            {"area_id": a.id, "name": a.name, "floor_id": a.space_id, "aliases": [], "icon": None}
            for a in areas
        ],
    )


@command("config/device_registry/list")
async def device_registry(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    devices = session.hub.registries.devices.values()
    session.result(
        msg_id,
        [
            {
                "id": d.id,
                "name": d.name,
                "name_by_user": None,
                "area_id": d.area_id,
                "manufacturer": d.manufacturer,
                "model": d.model,
                "disabled_by": None,
            }
            for d in devices
        ],
    )


@command("config/entity_registry/list")
async def entity_registry(session: WebSocketSession, msg_id: int, _: NoFields) -> None:
    hub = session.hub
    out = []
    for state in hub.states.async_all():
        entry = hub.entities.get(state.entity_id)
        device = hub.registries.device_of(state.entity_id)
        area = hub.registries.area_of(state.entity_id)
        out.append(
            {
                "entity_id": state.entity_id,
                "name": None,
                "platform": entry.owner if entry else "hearthmind",
                "device_id": device.id if device else None,
                "area_id": area.id if area else None,
                "unique_id": entry.unique_id if entry else None,
                "disabled_by": None,
                "hidden_by": None,
            }
        )
    session.result(msg_id, out)


# -- history ----------------------------------------------------------------------------------


class HistoryDuringPeriod(Fields):
    start_time: str
    end_time: str | None = None
    entity_ids: list[str] = Field(min_length=1)
    minimal_response: bool = False
    no_attributes: bool = False
    significant_changes_only: bool = True


@command("history/history_during_period", HistoryDuringPeriod)
async def history_during_period(
    session: WebSocketSession, msg_id: int, params: HistoryDuringPeriod
) -> None:
    from hearthmind.api import history

    lists = await history.history_period(
        session.hub,
        params.start_time,
        params.end_time,
        ",".join(params.entity_ids),
        no_attributes=params.no_attributes,
        minimal_response=params.minimal_response,
    )
    # the WebSocket shape: {entity_id: [states]} (full states here, not HA's compressed ones)
    result: dict[str, Any] = {}
    for items in lists:
        entity_id = next((i["entity_id"] for i in items if "entity_id" in i), None)
        if entity_id is not None:
            result[entity_id] = items
    session.result(msg_id, result)


class Predictions(Fields):
    k: int = Field(default=5, ge=1, le=50)


@command("hearthmind/predictions", Predictions)
async def predictions(session: WebSocketSession, msg_id: int, params: Predictions) -> None:
    """Hearthmind's own: what people will likely do next, when, and why (as the REST path)."""
    from hearthmind.api.predictions import next_actions

    session.result(msg_id, next_actions(session.hub, params.k))


class Why(Fields):
    entity_id: str
    last: int = Field(default=1, ge=1, le=50)
    at: str | None = None


@command("hearthmind/why", Why)
async def why(session: WebSocketSession, msg_id: int, params: Why) -> None:
    """Hearthmind's own: who or what made an entity's last changes (as the REST path)."""
    from hearthmind.api.why import why as explain

    session.result(msg_id, await explain(session.hub, params.entity_id, params.last, params.at))
