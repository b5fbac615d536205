"""What a simulated home tells its bindings: entities, devices, residents, changes and counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Context

from .spec import EntityKind


@dataclass(frozen=True, slots=True)
class EntityChange:
    """A new state of a simulated entity (or of a resident's presence, `person.<id>`), and
    who caused it: a resident at the device (physical), a sensor, or the hub's command."""

    entity_id: str
    state: str
    attributes: Mapping[str, Any]
    context: Context


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What a binding needs to announce an entity (e.g. MQTT discovery)."""

    entity_id: str
    domain: str
    kind: EntityKind
    name: str
    area: str
    device_id: str
    role: str | None
    controllable: bool
    services: tuple[str, ...]
    capabilities: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: str
    name: str
    area: str
    area_name: str
    manufacturer: str
    model: str | None
    entity_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResidentInfo:
    id: str
    name: str
    entity_id: str  # person.<id>


@dataclass
class SimStats:
    steps: int = 0
    intentions: int = 0
    executed: int = 0
    already_satisfied: int = 0
    reactions: int = 0
    left_to_hub: int = 0  # leave-room switch-offs left on for the hub (reliance.py)
    relied_dropped: int = 0  # ... that ended in nothing: the room was in use again
    hub_commands: int = 0
    days_planned: int = 0
    labels: list[str] = field(default_factory=list)  # today's household labels
