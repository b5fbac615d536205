"""`light`, in both of Home Assistant's MQTT schemas:

- default: one topic per feature (`command_topic` with ON/OFF, `brightness_command_topic`,
  `rgb_command_topic`, ... and the matching state topics with value templates);
- json (`schema: json`, what Zigbee2MQTT uses): one JSON object per command and per report,
  `{"state": "ON", "brightness": 180, "color_temp": 370, "color": {"r": 255, ...}}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import orjson
from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import (
    PayloadError,
    kelvin_to_mired,
    mired_to_kelvin,
    number_in,
    parse_float,
    parse_json_object,
    parse_rgb,
    rgb_in,
)
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, on_off_payloads, to_str


class LightConfig(EntityConfig):
    schema_: Literal["default", "basic", "json", "template"] = Field(
        default="default", alias="schema"
    )
    command_topic: str = Field(min_length=1)
    state_topic: str | None = Field(default=None, min_length=1)
    payload_on: str = "ON"
    payload_off: str = "OFF"
    state_value_template: str | None = None
    brightness_command_topic: str | None = None
    brightness_command_template: str | None = None
    brightness_state_topic: str | None = None
    brightness_value_template: str | None = None
    brightness_scale: int = Field(default=255, ge=1)
    brightness: bool = False  # json schema: the light takes brightness
    color_temp_command_topic: str | None = None
    color_temp_state_topic: str | None = None
    color_temp_value_template: str | None = None
    rgb_command_topic: str | None = None
    rgb_state_topic: str | None = None
    rgb_value_template: str | None = None
    supported_color_modes: list[str] | None = None
    on_command_type: Literal["last", "first", "brightness"] = "last"
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttLight(MqttEntity[LightConfig]):
    component = "light"
    config_model = LightConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self.json_schema = c.schema_ == "json"
        if c.schema_ == "template":
            raise PayloadError("light schema 'template' is not supported (use default or json)")
        self._state_tpl = optional_template(c.state_value_template)
        self._bri_tpl = optional_template(c.brightness_value_template)
        self._bri_cmd_tpl = optional_template(c.brightness_command_template)
        self._ct_tpl = optional_template(c.color_temp_value_template)
        self._rgb_tpl = optional_template(c.rgb_value_template)

    @property
    def optimistic(self) -> bool:
        return bool(self.config.optimistic) or self.config.state_topic is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        if c.state_topic:
            add_handler(
                topics, c.state_topic, self._on_json_state if self.json_schema else self._on_state
            )
        if not self.json_schema:
            if c.brightness_state_topic:
                add_handler(topics, c.brightness_state_topic, self._on_brightness)
            if c.color_temp_state_topic:
                add_handler(topics, c.color_temp_state_topic, self._on_color_temp)
            if c.rgb_state_topic:
                add_handler(topics, c.rgb_state_topic, self._on_rgb)
        return topics

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        state, attrs = super().hub_state()
        if state != "on":
            # HA shows brightness and color only while the light is on
            for key in ("brightness", "color_temp_kelvin", "rgb_color"):
                attrs.pop(key, None)
        return state, attrs

    # -- reports ---------------------------------------------------------------------------

    def _scaled(self, value: float) -> int:
        scale = self.config.brightness_scale
        return max(0, min(255, round(value * 255 / scale)))

    def _on_state(self, text: str) -> None:
        value = self.render(self._state_tpl, text)
        c = self.config
        on = on_off_payloads(value, c.payload_on, c.payload_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()

    def _on_brightness(self, text: str) -> None:
        value = parse_float(self.render(self._bri_tpl, text), "brightness")
        self.attributes["brightness"] = self._scaled(value)
        self.report()

    def _on_color_temp(self, text: str) -> None:
        mired = parse_float(self.render(self._ct_tpl, text), "color_temp")
        self.attributes["color_temp_kelvin"] = mired_to_kelvin(mired)
        self.report()

    def _on_rgb(self, text: str) -> None:
        self.attributes["rgb_color"] = parse_rgb(self.render(self._rgb_tpl, text))
        self.report()

    def _on_json_state(self, text: str) -> None:
        self.apply_json_state(parse_json_object(text))
        self.report()

    def apply_json_state(self, data: Mapping[str, Any]) -> None:
        """Zigbee2MQTT's light report; validates everything before changing anything."""
        updates: dict[str, Any] = {}
        state = self.state
        if "state" in data:
            raw = data["state"]
            if raw is None:
                state = "unknown"
            elif not isinstance(raw, str):
                raise PayloadError(f"state is {type(raw).__name__}, not a string")
            else:
                on = on_off_payloads(raw, "ON", "OFF", "state")
                state = "unknown" if on is None else ("on" if on else "off")
        if data.get("brightness") is not None:
            updates["brightness"] = self._scaled(number_in(data["brightness"], "brightness"))
        if data.get("color_temp") is not None:
            updates["color_temp_kelvin"] = mired_to_kelvin(
                number_in(data["color_temp"], "color_temp")
            )
        color = data.get("color")
        if color is not None:
            if not isinstance(color, Mapping):
                raise PayloadError(f"color is {type(color).__name__}, not an object")
            if any(k in color for k in ("r", "g", "b")):  # may carry only x/y or hue
                updates["rgb_color"] = rgb_in(color)
        self.state = state
        self.attributes.update(updates)

    # -- commands --------------------------------------------------------------------------

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        if service not in ("turn_on", "turn_off"):
            raise PayloadError(f"{self.entity_id} cannot {service}")
        wanted = _wanted(service, data, self.attributes.get("brightness"))
        if self.json_schema:
            self._command_json(wanted, data, context)
        else:
            self._command_default(wanted, context)
        if self.optimistic:
            self.state = "on" if wanted.get("on") else "off"
            for key in ("brightness", "color_temp_kelvin", "rgb_color"):
                if key in wanted:
                    self.attributes[key] = wanted[key]
            self.optimistic_update(context)

    def _device_brightness(self, brightness: int) -> int:
        return round(brightness * self.config.brightness_scale / 255)

    def _command_json(
        self, wanted: Mapping[str, Any], data: Mapping[str, Any], context: Context
    ) -> None:
        message: dict[str, Any] = {"state": "ON" if wanted["on"] else "OFF"}
        if "brightness" in wanted:
            message["brightness"] = self._device_brightness(wanted["brightness"])
        if "color_temp_kelvin" in wanted:
            message["color_temp"] = kelvin_to_mired(wanted["color_temp_kelvin"])
        if "rgb_color" in wanted:
            r, g, b = wanted["rgb_color"]
            message["color"] = {"r": r, "g": g, "b": b}
        if data.get("transition") is not None:
            message["transition"] = data["transition"]
        if data.get("effect") is not None:
            message["effect"] = data["effect"]
        self.publish(self.config.command_topic, orjson.dumps(message).decode(), context)

    def _command_default(self, wanted: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if not wanted["on"]:
            self.publish(c.command_topic, c.payload_off, context)
            return
        extra: list[tuple[str, str]] = []
        if "brightness" in wanted and c.brightness_command_topic:
            value = self._device_brightness(wanted["brightness"])
            payload = self._bri_cmd_tpl.render_command(value) if self._bri_cmd_tpl else str(value)
            extra.append((c.brightness_command_topic, payload))
        if "color_temp_kelvin" in wanted and c.color_temp_command_topic:
            extra.append(
                (c.color_temp_command_topic, str(kelvin_to_mired(wanted["color_temp_kelvin"])))
            )
        if "rgb_color" in wanted and c.rgb_command_topic:
            extra.append((c.rgb_command_topic, ",".join(str(v) for v in wanted["rgb_color"])))
        on = (c.command_topic, c.payload_on)
        if c.on_command_type == "first":
            sends = [on, *extra]
        elif c.on_command_type == "brightness" and any(
            t == c.brightness_command_topic for t, _ in extra
        ):
            sends = extra
        else:
            sends = [*extra, on]
        for topic, payload in sends:
            self.publish(topic, payload, context)


def _wanted(service: str, data: Mapping[str, Any], current: Any) -> dict[str, Any]:
    """What a turn_on asks of the light, in the hub's units (brightness 0..255, kelvin)."""
    wanted: dict[str, Any] = {"on": service == "turn_on"}
    if service != "turn_on":
        return wanted
    if data.get("brightness") is not None:
        wanted["brightness"] = int(data["brightness"])
    elif data.get("brightness_pct") is not None:
        wanted["brightness"] = round(float(data["brightness_pct"]) * 255 / 100)
    elif data.get("brightness_step_pct") is not None:
        base = int(current) if isinstance(current, int | float) else 255
        step = round(float(data["brightness_step_pct"]) * 255 / 100)
        wanted["brightness"] = max(0, min(255, base + step))
    if wanted.get("brightness") == 0:
        return {"on": False}
    if data.get("color_temp_kelvin") is not None:
        wanted["color_temp_kelvin"] = int(data["color_temp_kelvin"])
    if data.get("rgb_color") is not None:
        wanted["rgb_color"] = tuple(int(v) for v in data["rgb_color"])
    return wanted
