"""`fan`: on/off, speed as a percentage of the device's speed range, preset modes,
oscillation and direction, each with command and state topics and templates, as Home
Assistant's MQTT fan has them (attributes `percentage`, `percentage_step`, `preset_mode`,
`preset_modes`, `oscillating`, `direction`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import ValueTemplate, optional_template
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
    payload_reset_percentage: str = "None"
    speed_range_min: int = Field(default=1, ge=1)
    speed_range_max: int = Field(default=100, ge=1)
    preset_mode_command_topic: str | None = None
    preset_mode_command_template: str | None = None
    preset_mode_state_topic: str | None = None
    preset_mode_value_template: str | None = None
    preset_modes: list[str] = Field(default_factory=list)
    payload_reset_preset_mode: str = "None"
    oscillation_command_topic: str | None = None
    oscillation_command_template: str | None = None
    oscillation_state_topic: str | None = None
    oscillation_value_template: str | None = None
    payload_oscillation_on: str = "oscillate_on"
    payload_oscillation_off: str = "oscillate_off"
    direction_command_topic: str | None = None
    direction_command_template: str | None = None
    direction_state_topic: str | None = None
    direction_value_template: str | None = None
    optimistic: bool | None = None

    @field_validator(
        "payload_on", "payload_off", "payload_oscillation_on", "payload_oscillation_off",
        "payload_reset_percentage", "payload_reset_preset_mode", mode="before",
    )  # fmt: skip
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttFan(MqttEntity[FanConfig]):
    component = "fan"
    config_model = FanConfig
    blocked_attributes: ClassVar[frozenset[str]] = frozenset(
        {"direction", "oscillating", "percentage_step", "percentage", "preset_mode", "preset_modes"}
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        if c.speed_range_max < c.speed_range_min:
            raise PayloadError("speed_range_max must be > speed_range_min")
        if c.preset_mode_command_topic and not c.preset_modes:
            raise PayloadError("preset_modes must be set together with preset_mode_command_topic")
        if c.payload_reset_preset_mode in c.preset_modes:
            raise PayloadError(
                "preset_modes must not contain payload_reset_preset_mode "
                f"{c.payload_reset_preset_mode!r}"
            )
        self._tpl: dict[str, ValueTemplate | None] = {
            name: optional_template(getattr(c, name))
            for name in (
                "command_template", "state_value_template", "percentage_value_template",
                "percentage_command_template", "preset_mode_value_template",
                "preset_mode_command_template", "oscillation_value_template",
                "oscillation_command_template", "direction_value_template",
                "direction_command_template",
            )
        }  # fmt: skip
        self.attributes = {"percentage": None, "preset_mode": None}
        if c.oscillation_command_topic or c.oscillation_state_topic:
            # HA: False once there is a topic that reports it, unknown (None) until then
            self.attributes["oscillating"] = False if c.oscillation_state_topic else None
        if c.direction_command_topic or c.direction_state_topic:
            self.attributes["direction"] = None

    @property
    def optimistic(self) -> bool:
        return bool(self.config.optimistic) or self.config.state_topic is None

    @property
    def speed_count(self) -> int:
        return self.config.speed_range_max - self.config.speed_range_min + 1

    @property
    def supported_features(self) -> int:
        """HA's FanEntityFeature: SET_SPEED 1, OSCILLATE 2, DIRECTION 4, PRESET_MODE 8."""
        c = self.config
        features = 0
        if c.percentage_command_topic:
            features |= 1
        if c.oscillation_command_topic:
            features |= 2
        if c.direction_command_topic:
            features |= 4
        if c.preset_mode_command_topic and c.preset_modes:
            features |= 8
        return features

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        if self.config.percentage_command_topic:
            # HA counts at most 100 speeds (a 1..200 range steps by 1 %)
            attrs["percentage_step"] = 100 / min(self.speed_count, 100)
        if self.config.preset_modes:
            attrs["preset_modes"] = list(self.config.preset_modes)
        return attrs

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        for topic, handler in (
            (c.state_topic, self._on_state),
            (c.percentage_state_topic, self._on_percentage),
            (c.preset_mode_state_topic, self._on_preset),
            (c.oscillation_state_topic, self._on_oscillation),
            (c.direction_state_topic, self._on_direction),
        ):
            if topic:
                add_handler(topics, topic, handler)
        return topics

    # -- reports ---------------------------------------------------------------------------

    def _on_state(self, text: str) -> None:
        value = self.render(self._tpl["state_value_template"], text)
        if value == "":
            return  # HA: "Ignoring empty state from ..."
        on = on_off_payloads(value, self.config.payload_on, self.config.payload_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()

    def _on_percentage(self, text: str) -> None:
        value = self.render(self._tpl["percentage_value_template"], text)
        if value == "":
            return
        if value == self.config.payload_reset_percentage:
            self.attributes["percentage"] = None
            self.report()
            return
        try:
            speed = int(parse_float(value, "percentage"))
        except PayloadError:
            speed = -(10**9)  # reported below as not a valid speed
        # HA's ranged_value_to_percentage: the value below the range's start is 0 %
        percentage = (speed - self.config.speed_range_min + 1) * 100 // self.speed_count
        if not 0 <= percentage <= 100:
            raise PayloadError(
                f"'{value}' received on topic {self.config.percentage_state_topic}. '{value}' "
                f"is not a valid speed within the speed range"
            )
        self.attributes["percentage"] = percentage
        self.report()

    def _on_preset(self, text: str) -> None:
        value = self.render(self._tpl["preset_mode_value_template"], text)
        if value == "":
            return
        if value == self.config.payload_reset_preset_mode:
            self.attributes["preset_mode"] = None
        elif value not in self.config.preset_modes:
            raise PayloadError(
                f"'{value}' received on topic {self.config.preset_mode_state_topic}. "
                f"'{value}' is not a valid preset mode"
            )
        else:
            self.attributes["preset_mode"] = value
        self.report()

    def _on_oscillation(self, text: str) -> None:
        value = self.render(self._tpl["oscillation_value_template"], text)
        c = self.config
        if value == c.payload_oscillation_on:
            self.attributes["oscillating"] = True
        elif value == c.payload_oscillation_off:
            self.attributes["oscillating"] = False
        else:
            raise PayloadError(f"oscillation {value[:40]!r} is not a known payload")
        self.report()

    def _on_direction(self, text: str) -> None:
        value = self.render(self._tpl["direction_value_template"], text)
        if value == "":
            return
        if value not in ("forward", "reverse"):
            raise PayloadError(f"direction {value[:40]!r} is neither forward nor reverse")
        self.attributes["direction"] = value
        self.report()

    # -- commands --------------------------------------------------------------------------

    def _send(self, topic: str | None, template: str, value: Any, context: Context) -> None:
        if topic is None:
            raise PayloadError(f"{self.entity_id} has no topic for this command")
        tpl = self._tpl[template]
        self.publish(topic, str(value) if tpl is None else tpl.render_command(value), context)

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        if service in ("turn_on", "turn_off"):
            on = service == "turn_on"
            self._send(
                c.command_topic, "command_template", c.payload_on if on else c.payload_off, context
            )
            if self.optimistic:
                self.state = "on" if on else "off"
            if on and data.get("percentage") is not None:
                self._set_percentage(int(data["percentage"]), context)
            if on and data.get("preset_mode") is not None:
                self._set_preset(str(data["preset_mode"]), context)
        elif service == "set_percentage":
            self._set_percentage(int(data["percentage"]), context)
        elif service == "set_preset_mode":
            self._set_preset(str(data["preset_mode"]), context)
        elif service == "oscillate":
            oscillating = bool(data["oscillating"])
            payload = c.payload_oscillation_on if oscillating else c.payload_oscillation_off
            self._send(
                c.oscillation_command_topic, "oscillation_command_template", payload, context
            )
            if c.oscillation_state_topic is None or c.optimistic:
                self.attributes["oscillating"] = oscillating
        elif service == "set_direction":
            direction = str(data["direction"])
            self._send(c.direction_command_topic, "direction_command_template", direction, context)
            if c.direction_state_topic is None or c.optimistic:
                self.attributes["direction"] = direction
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        if self._any_optimistic():
            self.optimistic_update(context)

    def _any_optimistic(self) -> bool:
        c = self.config
        return bool(
            self.optimistic
            or c.optimistic
            or (c.percentage_command_topic and not c.percentage_state_topic)
            or (c.preset_mode_command_topic and not c.preset_mode_state_topic)
            or (c.oscillation_command_topic and not c.oscillation_state_topic)
            or (c.direction_command_topic and not c.direction_state_topic)
        )

    def _set_percentage(self, percentage: int, context: Context) -> None:
        c = self.config
        speed = math.ceil(c.speed_range_min - 1 + self.speed_count * percentage / 100)
        self._send(c.percentage_command_topic, "percentage_command_template", speed, context)
        if c.percentage_state_topic is None or c.optimistic:
            self.attributes["percentage"] = percentage

    def _set_preset(self, preset: str, context: Context) -> None:
        c = self.config
        if preset not in c.preset_modes:
            raise PayloadError(
                f"Preset mode {preset} is not valid, valid preset modes are: {c.preset_modes}"
            )
        self._send(c.preset_mode_command_topic, "preset_mode_command_template", preset, context)
        if c.preset_mode_state_topic is None or c.optimistic:
            self.attributes["preset_mode"] = preset
