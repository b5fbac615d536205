"""`water_heater`: the operation mode (the state), the target temperature, the measured
temperature and power on/off, each on its own topics as Home Assistant's MQTT water heater
has them. Temperatures are in the device's unit (`temperature_unit`, HA's default °C)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str
from .helpers import is_none_payload, render_command

DEFAULT_MODES = ["off", "eco", "electric", "gas", "heat_pump", "high_demand", "performance"]


class WaterHeaterConfig(EntityConfig):
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
    power_command_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    initial: float | None = None
    min_temp: float = 43.3  # HA's 110 °F
    max_temp: float = 60.0  # HA's 140 °F
    precision: float | None = None
    temperature_unit: str | None = None
    value_template: str | None = None
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttWaterHeater(MqttEntity[WaterHeaterConfig]):
    component = "water_heater"
    config_model = WaterHeaterConfig
    measurements = frozenset({"current_temperature"})

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        default = c.value_template
        self._mode_tpl = optional_template(c.mode_state_template or default)
        self._temp_tpl = optional_template(c.temperature_state_template or default)
        self._cur_tpl = optional_template(c.current_temperature_template or default)
        self._mode_cmd_tpl = optional_template(c.mode_command_template)
        self._temp_cmd_tpl = optional_template(c.temperature_command_template)
        self._power_cmd_tpl = optional_template(c.power_command_template)
        self.state = "unknown" if c.mode_state_topic else "off"
        self.attributes = {
            "min_temp": c.min_temp,
            "max_temp": c.max_temp,
            "operation_list": list(c.modes),
            "current_temperature": None,
            "temperature": c.initial,
            "target_temp_high": None,
            "target_temp_low": None,
            "operation_mode": None if c.mode_state_topic else "off",
        }
        if c.temperature_unit:
            self.attributes["temperature_unit"] = c.temperature_unit

    def _optimistic(self, topic: str | None) -> bool:
        return bool(self.config.optimistic) or topic is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        for topic, handler in (
            (c.mode_state_topic, self._on_mode),
            (c.temperature_state_topic, self._on_target),
            (c.current_temperature_topic, self._on_current),
        ):
            if topic:
                add_handler(topics, topic, handler)
        return topics

    def _rounded(self, value: float) -> float:
        precision = self.config.precision
        return round(value / precision) * precision if precision else value

    def _on_mode(self, text: str) -> None:
        value = self.render(self._mode_tpl, text)
        if is_none_payload(value):
            self.state = "unknown"
            self.attributes["operation_mode"] = None
        elif value in self.config.modes:
            self.state = value
            self.attributes["operation_mode"] = value
        else:
            raise PayloadError(f"Invalid modes mode: {value[:40]}")
        self.report()

    def _temperature(self, text: str, template: Any, key: str) -> None:
        value = self.render(template, text)
        if is_none_payload(value):
            self.attributes[key] = None
        else:
            self.attributes[key] = self._rounded(parse_float(value, key.replace("_", " ")))
        self.report()

    def _on_target(self, text: str) -> None:
        self._temperature(text, self._temp_tpl, "temperature")

    def _on_current(self, text: str) -> None:
        self._temperature(text, self._cur_tpl, "current_temperature")

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "set_temperature":
            temperature = float(data["temperature"])
            if c.temperature_command_topic is None:
                raise PayloadError(f"{self.entity_id} has no temperature_command_topic")
            value = int(temperature) if temperature.is_integer() else temperature
            payload = render_command(self.entity_id, self._temp_cmd_tpl, value)
            self.publish(c.temperature_command_topic, payload, context)
            if self._optimistic(c.temperature_state_topic):
                self.attributes["temperature"] = temperature
                self.optimistic_update(context)
            if data.get("operation_mode") is not None:
                await self._set_mode(str(data["operation_mode"]), context)
        elif service == "set_operation_mode":
            await self._set_mode(str(data["operation_mode"]), context)
        elif service in ("turn_on", "turn_off"):
            if c.power_command_topic is None:
                raise PayloadError(f"{self.entity_id} has no power_command_topic")
            value_text = c.payload_on if service == "turn_on" else c.payload_off
            payload = render_command(self.entity_id, self._power_cmd_tpl, value_text)
            self.publish(c.power_command_topic, payload, context)
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")

    async def _set_mode(self, mode: str, context: Context) -> None:
        c = self.config
        if c.mode_command_topic is None or mode not in c.modes:
            raise PayloadError(f"{self.entity_id}: operation mode {mode!r} not in {c.modes}")
        self.publish(
            c.mode_command_topic, render_command(self.entity_id, self._mode_cmd_tpl, mode), context
        )
        if self._optimistic(c.mode_state_topic):
            self.state = mode
            self.attributes["operation_mode"] = mode
            self.optimistic_update(context)
