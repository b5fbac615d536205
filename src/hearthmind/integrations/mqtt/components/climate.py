"""`climate`: the HVAC mode and the target temperature, each with command and state
topics, and the measured temperature on its own topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler

DEFAULT_MODES = ["auto", "off", "cool", "heat", "dry", "fan_only"]


class ClimateConfig(EntityConfig):
    modes: list[str] = Field(default_factory=lambda: list(DEFAULT_MODES))
    mode_command_topic: str | None = None
    mode_command_template: str | None = None
    mode_state_topic: str | None = None
    mode_state_template: str | None = None
    temperature_command_topic: str | None = None
    temperature_command_template: str | None = None
    temperature_state_topic: str | None = None
    temperature_state_template: str | None = None
    current_temperature_topic: str | None = None
    current_temperature_template: str | None = None
    power_command_topic: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    min_temp: float = 7.0
    max_temp: float = 35.0
    temp_step: float = Field(default=0.5, gt=0)
    temperature_unit: str | None = None
    value_template: str | None = None  # HA: default for the state templates
    optimistic: bool | None = None


class MqttClimate(MqttEntity[ClimateConfig]):
    component = "climate"
    config_model = ClimateConfig
    measurements = frozenset({"current_temperature", "hvac_action"})

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        default = c.value_template
        self._mode_tpl = optional_template(c.mode_state_template or default)
        self._temp_tpl = optional_template(c.temperature_state_template or default)
        self._cur_tpl = optional_template(c.current_temperature_template or default)
        self._mode_cmd_tpl = optional_template(c.mode_command_template)
        self._temp_cmd_tpl = optional_template(c.temperature_command_template)
        self.state = "off" if c.mode_state_topic is None else "unknown"
        self.attributes = {"temperature": None, "current_temperature": None}
        self._last_on_mode = next((m for m in c.modes if m != "off"), "heat")

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        attrs["hvac_modes"] = list(self.config.modes)
        attrs["min_temp"] = self.config.min_temp
        attrs["max_temp"] = self.config.max_temp
        attrs["target_temp_step"] = self.config.temp_step
        return attrs

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        handlers = (
            (c.mode_state_topic, self._on_mode),
            (c.temperature_state_topic, self._on_target),
            (c.current_temperature_topic, self._on_current),
        )
        for topic, handler in handlers:
            if topic:
                add_handler(topics, topic, handler)
        return topics

    def _on_mode(self, text: str) -> None:
        mode = self.render(self._mode_tpl, text)
        if mode not in self.config.modes:
            raise PayloadError(f"mode {mode[:40]!r} is not one of {self.config.modes}")
        self.state = mode
        if mode != "off":
            self._last_on_mode = mode
        self.report()

    def _on_target(self, text: str) -> None:
        self.attributes["temperature"] = _reading(self.render(self._temp_tpl, text), "temperature")
        self.report()

    def _on_current(self, text: str) -> None:
        self.attributes["current_temperature"] = _reading(
            self.render(self._cur_tpl, text), "current temperature"
        )
        self.report()

    def _send_mode(self, mode: str, context: Context) -> None:
        c = self.config
        if mode not in c.modes:
            raise PayloadError(f"{self.entity_id} has no mode {mode!r} (modes: {c.modes})")
        if c.mode_command_topic is None:
            raise PayloadError(f"{self.entity_id} has no mode_command_topic")
        text = self._mode_cmd_tpl.render_command(mode) if self._mode_cmd_tpl else mode
        self.publish(c.mode_command_topic, text, context)
        if c.optimistic or c.mode_state_topic is None:
            self.state = mode
            if mode != "off":
                self._last_on_mode = mode

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "set_hvac_mode":
            self._send_mode(str(data["hvac_mode"]), context)
        elif service == "turn_on":
            if c.power_command_topic:
                self.publish(c.power_command_topic, c.payload_on, context)
            else:
                self._send_mode(self._last_on_mode, context)
        elif service == "turn_off":
            if c.power_command_topic:
                self.publish(c.power_command_topic, c.payload_off, context)
            else:
                self._send_mode("off", context)
        elif service == "set_temperature":
            if data.get("hvac_mode") is not None:
                self._send_mode(str(data["hvac_mode"]), context)
            temperature = data.get("temperature")
            if temperature is not None:
                if c.temperature_command_topic is None:
                    raise PayloadError(f"{self.entity_id} has no temperature_command_topic")
                value = max(c.min_temp, min(c.max_temp, float(temperature)))
                text = (
                    self._temp_cmd_tpl.render_command(value) if self._temp_cmd_tpl else str(value)
                )
                self.publish(c.temperature_command_topic, text, context)
                if c.optimistic or c.temperature_state_topic is None:
                    self.attributes["temperature"] = value
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        if c.optimistic or c.mode_state_topic is None or c.temperature_state_topic is None:
            self.optimistic_update(context)


def _reading(value: str, what: str) -> float | None:
    """A number, or None when the device says it does not know (`None`, empty)."""
    if value in ("", "None", "null", "unknown"):
        return None
    return parse_float(value, what)
