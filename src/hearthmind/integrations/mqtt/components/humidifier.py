"""`humidifier` (and dehumidifier): on/off, a target humidity, a mode among `modes`, the
measured humidity and what it is doing (`action`), each on its own topics as Home
Assistant's MQTT humidifier has them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import optional_template
from .base import (
    EntityConfig,
    MessageHandler,
    MqttEntity,
    on_off_payloads,
    to_str,
)
from .helpers import add_shared_handlers, is_none_payload, render_command

ACTIONS = frozenset({"off", "humidifying", "drying", "idle"})


class HumidifierConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    state_topic: str | None = None
    state_value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    target_humidity_command_topic: str = Field(min_length=1)
    target_humidity_command_template: str | None = None
    target_humidity_state_topic: str | None = None
    target_humidity_state_template: str | None = None
    mode_command_topic: str | None = None
    mode_command_template: str | None = None
    mode_state_topic: str | None = None
    mode_state_template: str | None = None
    modes: list[str] = Field(default_factory=list)
    current_humidity_topic: str | None = None
    current_humidity_template: str | None = None
    action_topic: str | None = None
    action_template: str | None = None
    device_class: Literal["humidifier", "dehumidifier"] | None = "humidifier"
    min_humidity: float = Field(default=0, ge=0, le=100)
    max_humidity: float = Field(default=100, ge=0, le=100)
    payload_reset_humidity: str = "None"
    payload_reset_mode: str = "None"
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _valid(self) -> HumidifierConfig:
        # HA's humidifier schema checks, so a config HA refuses is refused here too
        if self.min_humidity >= self.max_humidity:
            raise ValueError("target_humidity_max must be > target_humidity_min")
        if self.mode_command_topic and not self.modes:
            raise ValueError("modes must be set when mode_command_topic is")
        if self.payload_reset_mode in self.modes:
            raise ValueError("modes must not contain payload_reset_mode")
        return self


class MqttHumidifier(MqttEntity[HumidifierConfig]):
    component = "humidifier"
    config_model = HumidifierConfig
    measurements = frozenset({"current_humidity", "action"})

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._state_tpl = optional_template(c.state_value_template)
        self._cmd_tpl = optional_template(c.command_template)
        self._hum_tpl = optional_template(c.target_humidity_state_template)
        self._hum_cmd_tpl = optional_template(c.target_humidity_command_template)
        self._mode_tpl = optional_template(c.mode_state_template)
        self._mode_cmd_tpl = optional_template(c.mode_command_template)
        self._cur_tpl = optional_template(c.current_humidity_template)
        self._action_tpl = optional_template(c.action_template)
        self.attributes = {
            "supported_features": 1 if c.mode_command_topic else 0,  # HA's MODES bit
            "min_humidity": c.min_humidity,
            "max_humidity": c.max_humidity,
            "humidity": None,
        }
        if c.modes:
            self.attributes["available_modes"] = list(c.modes)
            self.attributes["mode"] = None
        if c.current_humidity_topic:
            self.attributes["current_humidity"] = None
        if c.action_topic:
            self.attributes["action"] = None

    def _optimistic(self, topic: str | None) -> bool:
        return bool(self.config.optimistic) or topic is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        add_shared_handlers(
            topics,
            (
                (c.state_topic, self._on_state),
                (c.target_humidity_state_topic, self._on_target),
                (c.mode_state_topic, self._on_mode),
                (c.current_humidity_topic, self._on_current),
                (c.action_topic, self._on_action),
            ),
        )
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._state_tpl, text)
        if value == "":
            return  # HA: an empty state payload is ignored
        on = on_off_payloads(value, self.config.payload_on, self.config.payload_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()

    def _humidity(self, value: str, what: str, topic: str | None) -> int:
        problem = f"'{value[:40]}' received on topic {topic}. '{value[:40]}' is not a valid {what}"
        try:
            humidity = round(parse_float(value, what))
        except PayloadError:
            raise PayloadError(problem) from None
        c = self.config
        low, high = (c.min_humidity, c.max_humidity) if what == "target humidity" else (0, 100)
        if not low <= humidity <= high:
            raise PayloadError(problem)
        return humidity

    def _on_target(self, text: str) -> None:
        value = self.render(self._hum_tpl, text)
        if value == "":
            return
        if value == self.config.payload_reset_humidity:
            self.attributes["humidity"] = None
        else:
            self.attributes["humidity"] = self._humidity(
                value, "target humidity", self.config.target_humidity_state_topic
            )
        self.report()

    def _on_mode(self, text: str) -> None:
        value = self.render(self._mode_tpl, text)
        if value == "":
            return
        if value == self.config.payload_reset_mode:
            self.attributes["mode"] = None
        elif value in self.config.modes:
            self.attributes["mode"] = value
        else:
            raise PayloadError(
                f"'{value[:40]}' received on topic {self.config.mode_state_topic}"
                f" is not a valid mode"
            )
        self.report()

    def _on_current(self, text: str) -> None:
        value = self.render(self._cur_tpl, text)
        if value == "":
            return
        if value == self.config.payload_reset_humidity:
            self.attributes["current_humidity"] = None
        else:
            self.attributes["current_humidity"] = self._humidity(
                value, "current humidity", self.config.current_humidity_topic
            )
        self.report()

    def _on_action(self, text: str) -> None:
        value = self.render(self._action_tpl, text)
        if is_none_payload(value):
            self.attributes["action"] = None
        elif value in ACTIONS:
            self.attributes["action"] = value
        else:
            raise PayloadError(
                f"Invalid action '{value[:40]}' for {self.entity_id} (valid: {sorted(ACTIONS)})"
            )
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        if service in ("turn_on", "turn_off"):
            on = service == "turn_on"
            value = c.payload_on if on else c.payload_off
            self.publish(
                c.command_topic, render_command(self.entity_id, self._cmd_tpl, value), context
            )
            if self._optimistic(c.state_topic):
                self.state = "on" if on else "off"
                self.optimistic_update(context)
        elif service == "set_humidity":
            humidity = data["humidity"]
            humidity = int(humidity) if float(humidity).is_integer() else humidity
            if not c.min_humidity <= humidity <= c.max_humidity:
                raise PayloadError(
                    f"Provided humidity {humidity} is not valid. Accepted range is "
                    f"{c.min_humidity} to {c.max_humidity}"
                )
            payload = render_command(self.entity_id, self._hum_cmd_tpl, humidity)
            self.publish(c.target_humidity_command_topic, payload, context)
            if self._optimistic(c.target_humidity_state_topic):
                self.attributes["humidity"] = humidity
                self.optimistic_update(context)
        elif service == "set_mode":
            mode = str(data["mode"])
            if c.mode_command_topic is None or mode not in c.modes:
                raise PayloadError(f"{self.entity_id}: '{mode}' is not a valid mode ({c.modes})")
            self.publish(
                c.mode_command_topic,
                render_command(self.entity_id, self._mode_cmd_tpl, mode),
                context,
            )
            if self._optimistic(c.mode_state_topic):
                self.attributes["mode"] = mode
                self.optimistic_update(context)
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")
