"""`device_automation` with `automation_type: trigger`: a device's button presses, remote keys
and knob turns announced as triggers (`type`, `subtype`) on a topic, with an optional
`payload` (after `value_template`) that must match. They are not entities: a matching message
fires the hub's `device_trigger` event (domain mqtt, the device's id, type and subtype), which
automations' `platform: device` triggers listen to, as Home Assistant's MQTT device triggers
reach its automations."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Origin

from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str

if TYPE_CHECKING:
    from hearthmind.core import Hub

_LOGGER = logging.getLogger(__name__)

EVENT_DEVICE_TRIGGER = "device_trigger"


class DeviceTriggerConfig(EntityConfig):
    automation_type: Literal["trigger"]
    topic: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subtype: str = Field(min_length=1)
    payload: str | None = None
    value_template: str | None = None

    @field_validator("payload", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _has_device(self) -> DeviceTriggerConfig:
        device = self.device or {}
        if not device.get("identifiers") and not device.get("connections"):
            raise ValueError("a device trigger needs a device with identifiers or connections")
        return self


def device_id_of(device: dict[str, Any]) -> str:
    """The hub's device id: the first identifier (as the integration registers devices)."""
    identifiers = device.get("identifiers")
    if isinstance(identifiers, list) and identifiers:
        identifiers = identifiers[0]
    if isinstance(identifiers, str) and identifiers:
        return identifiers
    connections = device.get("connections") or [[]]
    return ":".join(str(part) for part in connections[0])


class MqttDeviceTrigger(MqttEntity[DeviceTriggerConfig]):
    component = "device_automation"
    config_model = DeviceTriggerConfig
    controllable: ClassVar[bool] = False
    # no entity and no state: the integration only subscribes its topic
    has_entity: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self.device_id = device_id_of(self.config.device or {})

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics: dict[str, MessageHandler] = {}
        add_handler(topics, self.config.topic, self._on_message)
        return topics

    def _on_message(self, text: str) -> None:
        c = self.config
        value = self.render(self._value_tpl, text)
        if c.payload is not None and value != c.payload:
            return
        hub: Hub = self.host.hub  # type: ignore[attr-defined]
        _LOGGER.info(
            "device trigger %s %s of %s fired (%s)", c.type, c.subtype, self.device_id, c.topic
        )
        hub.bus.async_fire(
            EVENT_DEVICE_TRIGGER,
            {
                "domain": "mqtt",
                "device_id": self.device_id,
                "type": c.type,
                "subtype": c.subtype,
                "discovery_id": self.discovery_topic,
                "topic": c.topic,
                "payload": text,
            },
            self.host.new_context(Origin.PHYSICAL),
        )
