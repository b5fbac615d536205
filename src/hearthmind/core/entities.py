"""Which integration owns each entity, so that domain services (`light.turn_on`) reach the
device behind an entity whichever integration provides it (simulator, MQTT, bridge)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .context import Context

# handler(service, entity_id, data, context): make the device do `service` (e.g. "turn_on");
# the device then reports its new state through the state machine.
EntityCommandHandler = Callable[[str, str, Mapping[str, Any], Context], Awaitable[None]]


@dataclass(slots=True)
class EntityEntry:
    entity_id: str
    owner: str  # the integration, e.g. "simulator" or "mqtt"
    handler: EntityCommandHandler | None  # None: read-only (sensors)
    device_id: str | None = None
    unique_id: str | None = None


class EntityRegistry:
    def __init__(self) -> None:
        self._entries: dict[str, EntityEntry] = {}

    def async_add(
        self,
        entity_id: str,
        owner: str,
        handler: EntityCommandHandler | None,
        *,
        device_id: str | None = None,
        unique_id: str | None = None,
    ) -> EntityEntry:
        entry = EntityEntry(entity_id, owner, handler, device_id, unique_id)
        self._entries[entity_id] = entry
        return entry

    def async_remove(self, entity_id: str) -> None:
        self._entries.pop(entity_id, None)

    def get(self, entity_id: str) -> EntityEntry | None:
        return self._entries.get(entity_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._entries

    def by_owner(self, owner: str) -> list[EntityEntry]:
        return [e for e in self._entries.values() if e.owner == owner]
