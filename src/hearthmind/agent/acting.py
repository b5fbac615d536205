"""Which service call makes an entity take a learned value, and back: the agent acts only
through the core's services, as a person's app does."""

from __future__ import annotations

from typing import Any

from hearthmind.core import DOMAIN_SERVICES, State
from hearthmind.routines.observations import learned_value, state_of

_ON_OFF = {"on": "turn_on", "off": "turn_off"}
_BY_DOMAIN: dict[str, dict[str, str]] = {
    "light": _ON_OFF,
    "switch": _ON_OFF,
    "fan": _ON_OFF,
    "input_boolean": _ON_OFF,
    "media_player": {**_ON_OFF, "playing": "media_play", "paused": "media_pause"},
    "cover": {"open": "open_cover", "closed": "close_cover"},
    "lock": {"locked": "lock", "unlocked": "unlock"},
}


def service_for(
    entity_id: str, value: str, current: str | None = None
) -> tuple[str, str, dict[str, Any]] | None:
    """(domain, service, data) that gives `entity_id` the learned `value` from its `current`
    state; None when the agent cannot do that (a sensor, a state no service sets)."""
    domain = entity_id.partition(".")[0]
    if domain == "media_player" and value == "playing" and current in (None, "off"):
        return "media_player", "turn_on", {}  # a TV switched on plays
    if domain == "climate":
        mode, attributes = state_of(entity_id, value)
        if "temperature" in attributes:
            return (
                "climate",
                "set_temperature",
                {
                    "temperature": attributes["temperature"],
                    "hvac_mode": mode,
                },
            )
        if mode in ("off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only"):
            return "climate", "set_hvac_mode", {"hvac_mode": mode}
        return None
    service = _BY_DOMAIN.get(domain, {}).get(value)
    if service is None or service not in DOMAIN_SERVICES.get(domain, {}):
        return None
    return domain, service, {}


def value_of(state: State | None) -> str | None:
    """An entity's value as the routines learn it (None: the entity is gone)."""
    if state is None:
        return None
    return learned_value(state.entity_id, str(state.state), state.attributes)


def name_of(state: State | None, entity_id: str) -> str:
    if state is not None:
        return state.name
    return entity_id.partition(".")[2].replace("_", " ")
