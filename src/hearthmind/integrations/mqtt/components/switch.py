"""`switch`: on/off payloads on a command topic, the device's report on a state topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, on_off_payloads, to_str
from .helpers import StateTopicEntity


class SwitchConfig(EntityConfig):
    command_topic: str | None = Field(default=None, min_length=1)
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    command_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    state_on: str | None = None
    state_off: str | None = None
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", "state_on", "state_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttSwitch(StateTopicEntity[SwitchConfig]):
    component = "switch"
    config_model = SwitchConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self._command_tpl = optional_template(self.config.command_template)
        self.state_on = self.config.state_on or self.config.payload_on
        self.state_off = self.config.state_off or self.config.payload_off

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        on = on_off_payloads(value, self.state_on, self.state_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        topic = self.config.command_topic
        if topic is None:
            raise PayloadError(f"{self.entity_id} has no command_topic")
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        if service not in ("turn_on", "turn_off"):
            raise PayloadError(f"{self.entity_id} cannot {service}")
        on = service == "turn_on"
        payload = self.config.payload_on if on else self.config.payload_off
        if self._command_tpl is not None:
            payload = self._command_tpl.render_command(payload)
        self.publish(topic, payload, context)
        if self.optimistic:
            self.state = "on" if on else "off"
            self.optimistic_update(context)
