"""`event`: a device's events (a button's press, a remote's key) on a state topic, as JSON
with an `event_type` among `event_types` and any other attributes. The state is when the
last event came (an ISO timestamp), its type and attributes the state's attributes; automations
see each one as a state change, as in Home Assistant."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from pydantic import Field, field_validator

from hearthmind.core import Context, Origin

from ..payloads import PayloadError, parse_json
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str
from .helpers import iso_timestamp

_LOGGER = logging.getLogger(__name__)


class EventConfig(EntityConfig):
    state_topic: str = Field(min_length=1)
    value_template: str | None = None
    event_types: list[str] = Field(min_length=1)

    @field_validator("event_types", mode="before")
    @classmethod
    def _type_texts(cls, value: Any) -> Any:
        return [to_str(v) for v in value] if isinstance(value, list) else value


class MqttEvent(MqttEntity[EventConfig]):
    component = "event"
    config_model = EventConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self.attributes = {"event_types": list(self.config.event_types), "event_type": None}

    def reporting_context(self) -> Context:
        # an event is someone at the device (a button pressed, a doorbell rung), as a device
        # trigger is; a retained one replayed on subscribing is old news
        if self.host.replaying:
            return self.host.new_context(Origin.SENSOR)
        return self.host.new_context(Origin.PHYSICAL)

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value in ("", "None"):
            _LOGGER.debug("%s: ignoring an empty event payload", self.entity_id)
            return
        try:
            data = parse_json(value)
        except PayloadError:
            data = None
        if not isinstance(data, dict):
            raise PayloadError(
                f"No valid JSON event payload detected, value after processing payload "
                f"'{value[:60]}'"
            )
        if "event_type" not in data:
            raise PayloadError(f"`event_type` missing in JSON event payload, '{value[:60]}'")
        event_type = str(data.pop("event_type"))
        if event_type not in self.config.event_types:
            raise PayloadError(
                f"Invalid event type {event_type} for {self.entity_id}, "
                f"payload {value[:60]} (event types: {self.config.event_types})"
            )
        self.attributes = {
            "event_types": list(self.config.event_types),
            "event_type": event_type,
            **{k: v for k, v in data.items() if k not in ("event_types", "friendly_name")},
        }
        self.state = iso_timestamp(self.host, "milliseconds")
        self.report()
