"""What the REST and WebSocket APIs do, once: both call these and only differ in shapes.

Every change made through the API carries a context of origin `app` and the token's user, so
the recorder, the learner and "why did this happen?" all see who asked."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from hearthmind import __version__
from hearthmind.core import (
    EVENT_CALL_SERVICE,
    EVENT_HUB_START,
    EVENT_HUB_STOP,
    EVENT_STATE_CHANGED,
    Context,
    Event,
    HearthmindError,
    Hub,
    Origin,
    ServiceNotFoundError,
    State,
    describe_services,
)
from hearthmind.core.states import MAX_STATE_LENGTH, valid_entity_id

from .tokens import TokenInfo

# The Home Assistant release whose API shapes we follow; clients read it from auth_ok.
HA_API_VERSION = "2024.3.3"

# Events only the hub itself may fire: a client faking `state_changed` would lie to every
# listener and to the recorder.
RESERVED_EVENTS = frozenset(
    {EVENT_STATE_CHANGED, EVENT_CALL_SERVICE, EVENT_HUB_START, EVENT_HUB_STOP}
)


class ApiError(Exception):
    """A request the API refuses; `status` for REST, `code` for WebSocket (HA's codes)."""

    def __init__(self, status: int, code: str, message: str, *, counted: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.counted = counted  # already in the health counters (by the service registry)


def context_for(hub: Hub, token: TokenInfo) -> Context:
    return hub.context(Origin.APP, user_id=token.user_id)


def config_dict(hub: Hub) -> dict[str, Any]:
    """Home Assistant's `/api/config` and WebSocket `get_config` shape."""
    core = hub.config.core
    metric = core.unit_system == "metric"
    return {
        "latitude": core.latitude,
        "longitude": core.longitude,
        "elevation": core.elevation,
        "unit_system": {
            "length": "km" if metric else "mi",
            "accumulated_precipitation": "mm" if metric else "in",
            "mass": "g" if metric else "lb",
            "pressure": "Pa" if metric else "psi",
            "temperature": "°C" if metric else "°F",
            "volume": "L" if metric else "gal",
            "wind_speed": "m/s" if metric else "mph",
        },
        "location_name": core.name,
        "time_zone": core.time_zone,
        "components": components(hub),
        "config_dir": str(hub.config.config_dir),
        "allowlist_external_dirs": [],
        "allowlist_external_urls": [],
        "version": HA_API_VERSION,
        "hearthmind_version": __version__,
        "config_source": "yaml",
        "recovery_mode": False,
        "safe_mode": False,
        "state": "RUNNING" if hub.running else "STARTING",
        "external_url": None,
        "internal_url": None,
        "currency": "EUR",
        "country": None,
        "language": "en",
        "radius": 100,
    }


def components(hub: Hub) -> list[str]:
    names = set(hub.data.names()) | set(hub.services.async_services()) | {"api", "websocket_api"}
    return sorted(names)


def services_by_domain(hub: Hub) -> dict[str, dict[str, Any]]:
    """WebSocket `get_services` shape: {domain: {service: description}}."""
    return {d["domain"]: d["services"] for d in describe_services(hub.services)}


async def call_service(
    hub: Hub,
    domain: str,
    service: str,
    data: Mapping[str, Any],
    context: Context,
    target: Mapping[str, Any] | None = None,
) -> list[State]:
    """Run a service call and return the states it changed while it ran (as Home Assistant's
    REST API does). Devices that answer later (over MQTT) report their state after this
    returns; clients see that in `state_changed` events or by reading the state again."""
    changed: dict[str, State] = {}

    def on_change(event: Event) -> None:
        new = event.data.get("new_state")
        if isinstance(new, State) and event.context.id == context.id:
            changed[new.entity_id] = new

    data, target = _resolve_devices(hub, domain, data, target)
    unsubscribe = hub.bus.async_listen(EVENT_STATE_CHANGED, on_change)
    try:
        await hub.services.async_call(domain, service, data, context=context, target=target)
    except HearthmindError as err:
        # already counted by the service registry (unknown service, entity, bad data)
        raise ApiError(400, _ws_code(err), str(err), counted=True) from err
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except Exception as err:
        message = f"{domain}.{service} failed: {err!r}"
        hub.health.problem("api_service_errors", message, hub.clock.timestamp())
        raise ApiError(500, "home_assistant_error", message, counted=True) from err
    finally:
        unsubscribe()
    return list(changed.values())


def _resolve_devices(
    hub: Hub, domain: str, data: Mapping[str, Any], target: Mapping[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """HA clients may target a `device_id`: the service registry knows entities and areas,
    so a device becomes its entities (of the service's domain, or all for `homeassistant`)."""
    data = dict(data)
    new_target = dict(target) if target else {}
    devices: list[Any] = []
    for source in (data, new_target):
        raw = source.pop("device_id", None)
        if raw is not None:
            devices.extend(raw if isinstance(raw, list) else [raw])
    if not devices:
        return data, (new_target or None)
    ids: list[str] = []
    for device_id in devices:
        device = hub.registries.devices.get(str(device_id))
        if device is None:
            count_problem(hub, "unknown_device", f"unknown device: {device_id}")
            raise ApiError(400, "invalid_format", f"unknown device: {device_id}", counted=True)
        ids.extend(
            e for e in device.entity_ids if domain == "homeassistant" or e.startswith(domain + ".")
        )
    existing = new_target.get("entity_id")
    if isinstance(existing, str):
        ids = [existing, *ids]
    elif isinstance(existing, list):
        ids = [*existing, *ids]
    new_target["entity_id"] = ids
    return data, new_target


def _ws_code(err: HearthmindError) -> str:
    if isinstance(err, ServiceNotFoundError):
        return "not_found"
    return "invalid_format" if err.counter == "invalid_service_data" else "home_assistant_error"


def fire_event(
    hub: Hub, event_type: str, data: Mapping[str, Any] | None, context: Context
) -> Event:
    if not event_type or len(event_type) > 64:
        raise ApiError(400, "invalid_format", "event_type must be 1 to 64 characters")
    if event_type in RESERVED_EVENTS:
        raise ApiError(
            400,
            "not_allowed",
            f"{event_type} events are the hub's own; use POST /api/states or a service call",
        )
    return hub.bus.async_fire(event_type, dict(data or {}), context)


def set_state(hub: Hub, entity_id: str, body: Any, context: Context) -> tuple[State, bool]:
    """POST /api/states/{entity_id}: returns (state, created)."""
    if not valid_entity_id(entity_id):
        raise ApiError(400, "invalid_format", f"Invalid entity ID specified: {entity_id!r}")
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_format", "the body must be a JSON object with 'state'")
    if "state" not in body or body["state"] is None:
        raise ApiError(400, "invalid_format", "No state specified.")
    state_value = body["state"]
    if not isinstance(state_value, str | int | float | bool):
        raise ApiError(400, "invalid_format", "state must be a string or a number")
    attributes = body.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ApiError(400, "invalid_format", "attributes must be a JSON object")
    text = str(state_value)
    if len(text) > MAX_STATE_LENGTH:
        raise ApiError(
            400, "invalid_format", f"state is {len(text)} characters (max {MAX_STATE_LENGTH})"
        )
    created = entity_id not in hub.states
    new = hub.states.async_set(
        entity_id, text, attributes, context, force_update=bool(body.get("force_update"))
    )
    state = new or hub.states.require(entity_id)
    return state, created


def count_problem(hub: Hub, counter: str, message: str) -> None:
    hub.health.problem(counter, message, hub.clock.timestamp())
