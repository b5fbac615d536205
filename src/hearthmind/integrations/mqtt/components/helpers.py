"""Small pieces the device platforms share: the ISO timestamp that stateless entities
(button, scene, event, notify, image) report as their state, as Home Assistant does, and a
command published through an optional command template."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..templates import ValueTemplate
from .base import C, EntityHost, MessageHandler, MqttEntity, add_handler


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


def add_shared_handlers(
    topics: dict[str, MessageHandler], pairs: Iterable[tuple[str | None, MessageHandler]]
) -> None:
    """Several values of one entity read from one topic (a JSON report with `state`,
    `humidity` and `mode`): every part is read even when another fails on this message, as
    HA's separate subscriptions do; the first failure is raised after all have run."""
    by_topic: dict[str, list[MessageHandler]] = {}
    for topic, handler in pairs:
        if topic:
            by_topic.setdefault(topic, []).append(handler)
    for topic, handlers in by_topic.items():
        add_handler(topics, topic, _all_of(handlers))


def _all_of(handlers: list[MessageHandler]) -> MessageHandler:
    if len(handlers) == 1:
        return handlers[0]

    def run(text: str) -> None:
        failure: Exception | None = None
        for handler in handlers:
            try:
                handler(text)
            except Exception as err:  # re-raised below, after the other parts
                failure = failure or err
        if failure is not None:
            raise failure

    return run


class StateTopicEntity(MqttEntity[C]):
    """An entity whose state comes on an optional `state_topic` (read by `_on_state`); with
    none, or with `optimistic: true`, it assumes its commands worked, as HA's do."""

    @property
    def optimistic(self) -> bool:
        c = self.config
        return bool(getattr(c, "optimistic", None)) or getattr(c, "state_topic", None) is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        topic = getattr(self.config, "state_topic", None)
        if topic:
            add_handler(topics, topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        raise NotImplementedError
