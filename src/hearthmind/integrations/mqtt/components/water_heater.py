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
from .base import EntityConfig, MessageHandler, MqttEntity, to_str
from .helpers import add_shared_handlers, is_none_payload, render_command

DEFAULT_MODES = ["eco", "electric", "gas", "heat_pump", "high_demand", "performance", "off"]
# HA's defaults, 110 °F and 140 °F, in the heater's own unit
DEFAULT_RANGE = {"F": (110.0, 140.0), "C": (43.3, 60.0)}


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
    min_temp: float | None = None
    max_temp: float | None = None
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
        unit = "F" if (c.temperature_unit or "").lstrip("°").upper() == "F" else "C"
        low, high = DEFAULT_RANGE[unit]
        min_temp = float(c.min_temp) if c.min_temp is not None else low
        max_temp = float(c.max_temp) if c.max_temp is not None else high
        # optimistic: the target starts at `initial`, else the lowest, as in HA
        target = None if c.temperature_state_topic else (c.initial or min_temp)
        self.state = "unknown" if c.mode_state_topic and not c.optimistic else "off"
        self.attributes = {
            # HA's WaterHeaterEntityFeature: TARGET_TEMPERATURE 1, OPERATION_MODE 2, ON_OFF 8
            "supported_features": (1 if c.temperature_command_topic else 0)
            | (2 if c.mode_command_topic else 0)
            | (8 if c.power_command_topic else 0),
            "min_temp": min_temp,
            "max_temp": max_temp,
            "operation_list": list(c.modes),
            "current_temperature": None,
            "temperature": target,
            "target_temp_high": None,
            "target_temp_low": None,
            "operation_mode": None if self.state == "unknown" else "off",
        }

    def _optimistic(self, topic: str | None) -> bool:
        return bool(self.config.optimistic) or topic is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        add_shared_handlers(
            topics,
            (
                (c.mode_state_topic, self._on_mode),
                (c.temperature_state_topic, self._on_target),
                (c.current_temperature_topic, self._on_current),
            ),
        )
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

    def _temperature(self, text: str, template: Any, key: str, option: str) -> None:
        value = self.render(template, text)
        if value == "":
            raise PayloadError(f"Invalid empty payload for attribute _attr_{key}, ignoring update")
        if value.lower() in ("none", "null"):
            self.attributes[key] = None
        else:
            try:
                number = parse_float(value, key)
            except PayloadError:
                raise PayloadError(f"Could not parse {option} from {value[:40]}") from None
            self.attributes[key] = self._rounded(number)
        self.report()

    def _on_target(self, text: str) -> None:
        self._temperature(text, self._temp_tpl, "temperature", "temperature_state_template")

    def _on_current(self, text: str) -> None:
        self._temperature(
            text, self._cur_tpl, "current_temperature", "current_temperature_template"
        )

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "set_temperature":
            temperature = float(data["temperature"])
            if c.temperature_command_topic is None:
                raise PayloadError(f"{self.entity_id} has no temperature_command_topic")
            if data.get("operation_mode") is not None:
                await self._set_mode(str(data["operation_mode"]), context)
            # HA sends the target as a float (`120.0`)
            payload = render_command(self.entity_id, self._temp_cmd_tpl, temperature)
            self.publish(c.temperature_command_topic, payload, context)
            if self._optimistic(c.temperature_state_topic):
                self.attributes["temperature"] = temperature
                self.optimistic_update(context)
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
