"""Small pieces the device platforms share: the ISO timestamp that stateless entities
(button, scene, event, notify, image) report as their state, as Home Assistant does, and a
command published through an optional command template."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..templates import ValueTemplate
from .base import EntityHost


def iso_timestamp(host: EntityHost, timespec: str = "microseconds") -> str:
    """The hub clock's now as HA writes it (`2025-01-01T12:00:00.000000+00:00`; events in
    milliseconds, `2025-01-01T12:00:00.000+00:00`)."""
    return datetime.fromtimestamp(host.timestamp(), UTC).isoformat(timespec=timespec)


def render_command(
    entity_id: str, template: ValueTemplate | None, value: Any, **variables: Any
) -> str:
    """`value` through the command template if there is one (with HA's `entity_id` among
    its variables), else as text."""
    if template is None:
        return value if isinstance(value, str) else str(value)
    return template.render_command(value, entity_id=entity_id, **variables)


def is_none_payload(value: str) -> bool:
    """HA's reset payloads: an empty report or `None` makes the value unknown."""
    return value == "" or value.lower() == "none"
