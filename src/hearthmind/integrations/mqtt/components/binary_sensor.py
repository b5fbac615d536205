"""`binary_sensor`: a state topic whose payload is on or off (motion, doors, windows)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, on_off_payloads, to_str


class BinarySensorConfig(EntityConfig):
    state_topic: str = Field(min_length=1)
    value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    force_update: bool = False

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttBinarySensor(MqttEntity[BinarySensorConfig]):
    component = "binary_sensor"
    config_model = BinarySensorConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        on = on_off_payloads(value, self.config.payload_on, self.config.payload_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()
