"""`fan`: on/off on a command topic, speed as a percentage on its own topics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, on_off_payloads, to_str


class FanConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    state_value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    percentage_command_topic: str | None = None
    percentage_command_template: str | None = None
    percentage_state_topic: str | None = None
    percentage_value_template: str | None = None
    speed_range_min: int = Field(default=1, ge=1)
    speed_range_max: int = Field(default=100, ge=1)
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttFan(MqttEntity[FanConfig]):
    component = "fan"
    config_model = FanConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        if c.speed_range_max < c.speed_range_min:
            raise PayloadError("speed_range_max is below speed_range_min")
        self._state_tpl = optional_template(c.state_value_template)
        self._cmd_tpl = optional_template(c.command_template)
        self._pct_tpl = optional_template(c.percentage_value_template)
        self._pct_cmd_tpl = optional_template(c.percentage_command_template)

    @property
    def optimistic(self) -> bool:
        return bool(self.config.optimistic) or self.config.state_topic is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.state_topic:
            add_handler(topics, self.config.state_topic, self._on_state)
        if self.config.percentage_state_topic:
            add_handler(topics, self.config.percentage_state_topic, self._on_percentage)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._state_tpl, text)
        on = on_off_payloads(value, self.config.payload_on, self.config.payload_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()

    def _on_percentage(self, text: str) -> None:
        speed = parse_float(self.render(self._pct_tpl, text), "percentage")
        lo, hi = self.config.speed_range_min, self.config.speed_range_max
        if speed == 0:
            self.attributes["percentage"] = 0
        elif not lo <= speed <= hi:
            raise PayloadError(f"speed {speed} is outside {lo}..{hi}")
        else:
            self.attributes["percentage"] = round((speed - lo + 1) * 100 / (hi - lo + 1))
        self.report()

    def _device_speed(self, percentage: int) -> int:
        lo, hi = self.config.speed_range_min, self.config.speed_range_max
        if percentage == 0:
            return 0
        return max(lo, min(hi, round(percentage * (hi - lo + 1) / 100) + lo - 1))

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        percentage = data.get("percentage")
        if service == "set_percentage":
            service = "turn_off" if percentage == 0 else "turn_on"
            if c.percentage_command_topic is None and percentage != 0:
                raise PayloadError(f"{self.entity_id} has no percentage_command_topic")
        if service not in ("turn_on", "turn_off"):
            raise PayloadError(f"{self.entity_id} cannot {service}")
        on = service == "turn_on"
        payload = c.payload_on if on else c.payload_off
        if self._cmd_tpl is not None:
            payload = self._cmd_tpl.render_command(payload)
        self.publish(c.command_topic, payload, context)
        if on and percentage is not None and c.percentage_command_topic:
            speed = self._device_speed(int(percentage))
            text = self._pct_cmd_tpl.render_command(speed) if self._pct_cmd_tpl else str(speed)
            self.publish(c.percentage_command_topic, text, context)
        if self.optimistic:
            self.state = "on" if on else "off"
            if percentage is not None:
                self.attributes["percentage"] = int(percentage)
            self.optimistic_update(context)
