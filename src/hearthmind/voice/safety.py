"""What the hub never does by voice or text alone: unlocking or opening a lock, opening a
garage door, gate or door, opening a water valve, disarming an alarm, turning on an oven or
a cooktop. A person confirms those in the app (DESIGN: safety classes); by voice the hub says
so and does nothing. The other direction (locking, closing, turning off) is always allowed:
it is what a person calls out when leaving in a hurry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .answers import the
from .home import NamedEntity
from .turns import NotUnderstood

# (domain, service[:kind]) that needs a person's confirmation in the app. The kinds:
#   entry    a cover that is a way in (device_class garage, gate or door)
#   cooking  a switch or climate entity whose name or id says oven, cooktop, hob or stove
#   opening  a position above 0 (a valve or an entry cover set "to 50 percent" opens it), or
#            an oven's mode set to anything but off
NEEDS_CONFIRMATION = frozenset(
    {
        ("lock", "unlock"),
        ("lock", "open"),
        ("alarm_control_panel", "alarm_disarm"),
        ("valve", "open_valve"),
        ("valve", "toggle"),
        ("valve", "set_valve_position:opening"),
        ("cover", "open_cover:entry"),
        ("cover", "toggle:entry"),
        ("cover", "set_cover_position:entry:opening"),
        ("switch", "turn_on:cooking"),
        ("switch", "toggle:cooking"),
        ("climate", "turn_on:cooking"),
        ("climate", "toggle:cooking"),
        ("climate", "set_hvac_mode:cooking:opening"),
    }
)
ENTRY_COVER_CLASSES = frozenset({"garage", "gate", "door"})
COOKING = re.compile(r"(?:^|[\s._-])(ovens?|cooktops?|hobs?|stoves?)(?:$|[\s._-])", re.I)


def is_cooking(entity: NamedEntity) -> bool:
    """An oven or a cooktop, by its name, any alias or its entity id."""
    return any(COOKING.search(text) for text in (entity.entity_id, *entity.names))


def safety_key(entity: NamedEntity, service: str, data: Mapping[str, Any] | None = None) -> str:
    """The service as NEEDS_CONFIRMATION names it for this entity and data."""
    key = service
    if entity.domain == "cover" and entity.attributes.get("device_class") in ENTRY_COVER_CLASSES:
        key += ":entry"
    if entity.domain in ("switch", "climate") and is_cooking(entity):
        key += ":cooking"
    if service == "set_hvac_mode" and (data or {}).get("hvac_mode") != "off":
        key += ":opening"
    elif service in ("set_valve_position", "set_cover_position"):
        try:
            opening = float((data or {}).get("position", 0)) > 0
        except (TypeError, ValueError):
            opening = True  # a position we cannot read is treated as the unsafe one
        if opening:
            key += ":opening"
    return key


def needs_confirmation(
    entity: NamedEntity, service: str, data: Mapping[str, Any] | None = None
) -> bool:
    return (entity.domain, safety_key(entity, service, data)) in NEEDS_CONFIRMATION


def _verb(domain: str, service: str) -> str:
    """'open_cover' -> 'open', 'alarm_disarm' -> 'disarm': the service's words without its
    domain's (and a position set above 0 is an opening)."""
    if service.startswith("set_") and service.endswith("_position"):
        return "open"
    if domain == "alarm_control_panel":
        return service.removeprefix("alarm_")
    if service == "set_hvac_mode":
        return "turn on"
    return " ".join(w for w in service.split("_") if w != domain)


def refuse_unconfirmed(
    entity: NamedEntity, service: str, data: Mapping[str, Any] | None = None
) -> None:
    """NotUnderstood (spoken) when `service` on `entity` needs a person's confirmation."""
    if needs_confirmation(entity, service, data):
        raise NotUnderstood(
            f"For safety, please confirm that in the app: I don't {_verb(entity.domain, service)} "
            f"{the(entity.name)} by voice alone.",
            "needs_confirmation",
        )
