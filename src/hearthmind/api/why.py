""" "Why did this change?" for `GET /api/hearthmind/why/{entity_id}` and the WebSocket command
`hearthmind/why`: the request is read and checked here; the Context-chain query
(recorder/causes.py) and the wording (recorder/why.py) are the recorder's, shared with
`hearthmind why`."""

from __future__ import annotations

import asyncio
from typing import Any

from hearthmind.core import Hub, valid_entity_id
from hearthmind.recorder import change_causes, people_names, why_answer

from .history import _flushed_engine, parse_time
from .operations import ApiError

MAX_CHANGES = 50


def _names(hub: Hub) -> dict[str, str]:
    """user id -> name of the people the hub knows now (their `person.*` entities)."""
    names: dict[str, str] = {}
    for person in hub.states.async_all("person"):
        user_id = person.attributes.get("user_id") or person.entity_id.partition(".")[2]
        name = person.attributes.get("friendly_name")
        if isinstance(name, str) and name:
            names[str(user_id)] = name
    return names


async def why(
    hub: Hub, entity_id: str, last: int = 1, at_text: str | None = None
) -> dict[str, Any]:
    """The entity's last `last` changes up to `at` (ISO; without an offset, the home's time)
    and their causes. 404 for an entity neither the hub nor the recorder knows."""
    entity_id = entity_id.strip().lower()
    if not valid_entity_id(entity_id):
        raise ApiError(400, "invalid_format", f"{entity_id!r} is not an entity id (domain.name)")
    if not 1 <= last <= MAX_CHANGES:
        raise ApiError(400, "invalid_format", f"last must be 1 to {MAX_CHANGES}, not {last}")
    at = parse_time(at_text, hub, "at").timestamp() if at_text else None
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()

    def read() -> tuple[list[Any], dict[str, str]]:
        found = change_causes(engine, entity_id, at=at, last=last)
        # people who left the hub's registry are still named by their recorded entity
        return found, (people_names(engine) if found else {})

    found, names = await loop.run_in_executor(None, read)
    names.update(_names(hub))  # the hub's own records win (read on the loop, not the thread)
    current = hub.states.get(entity_id)
    if not found and current is None:
        raise ApiError(
            404,
            "not_found",
            f"unknown entity {entity_id}: the hub has no such entity and none was recorded",
        )
    return why_answer(
        entity_id,
        found,
        zone=hub.config.zone,
        names=names,
        current_state=None if current is None else current.state,
        at=at,
    )
