"""`light`, in Home Assistant's three MQTT schemas, reporting what HA reports (`color_mode`,
`supported_color_modes`, every colour representation, `None` while off):

- default: one topic per feature (`command_topic` with ON/OFF, `brightness_command_topic`,
  `rgb_command_topic`, `hs_`, `xy_`, `rgbw_`, `rgbww_`, `color_temp_`, `effect_`, `white_`,
  ... and the matching state topics with value templates);
- json (`schema: json`, what Zigbee2MQTT uses): one JSON object per command and per report,
  `{"state": "ON", "brightness": 180, "color_mode": "xy", "color": {"x": 0.3, "y": 0.3}}`
  (see light_json.py);
- template (`schema: template`): one state topic read by templates, one command topic
  written by `command_on_template`/`command_off_template` (see light_template.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, on_off_payloads, to_str
from .light_commands import default_commands, wanted_values
from .light_json import JsonLightSchema
from .light_state import LIGHT_ATTRIBUTES, LightState, kelvin_to_mired, mired_to_kelvin, valid_modes
from .light_template import TemplateLightSchema

# (mode, state topic key, value template key, number of channels, attribute)
_COLOR_TOPICS = (
    ("hs", "hs_state_topic", "hs_value_template", 2, "hs_color"),
    ("xy", "xy_state_topic", "xy_value_template", 2, "xy_color"),
    ("rgb", "rgb_state_topic", "rgb_value_template", 3, "rgb_color"),
    ("rgbw", "rgbw_state_topic", "rgbw_value_template", 4, "rgbw_color"),
    ("rgbww", "rgbww_state_topic", "rgbww_value_template", 5, "rgbww_color"),
)


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
    color_mode_state_topic: str | None = None
    color_mode_value_template: str | None = None
    color_temp_command_topic: str | None = None
    color_temp_command_template: str | None = None
    color_temp_state_topic: str | None = None
    color_temp_value_template: str | None = None
    color_temp_kelvin: bool = False  # the device speaks kelvin, not mired
    min_mireds: int | None = Field(default=None, ge=1)
    max_mireds: int | None = Field(default=None, ge=1)
    min_kelvin: int | None = Field(default=None, ge=1)
    max_kelvin: int | None = Field(default=None, ge=1)
    effect_command_topic: str | None = None
    effect_command_template: str | None = None
    effect_state_topic: str | None = None
    effect_value_template: str | None = None
    effect_list: list[str] | None = None
    effect: bool = False  # json schema: the light takes effects
    hs_command_topic: str | None = None
    hs_command_template: str | None = None
    hs_state_topic: str | None = None
    hs_value_template: str | None = None
    rgb_command_topic: str | None = None
    rgb_command_template: str | None = None
    rgb_state_topic: str | None = None
    rgb_value_template: str | None = None
    rgbw_command_topic: str | None = None
    rgbw_command_template: str | None = None
    rgbw_state_topic: str | None = None
    rgbw_value_template: str | None = None
    rgbww_command_topic: str | None = None
    rgbww_command_template: str | None = None
    rgbww_state_topic: str | None = None
    rgbww_value_template: str | None = None
    xy_command_topic: str | None = None
    xy_command_template: str | None = None
    xy_state_topic: str | None = None
    xy_value_template: str | None = None
    white_command_topic: str | None = None
    white_scale: int = Field(default=255, ge=1)
    supported_color_modes: list[str] | None = None
    flash_time_short: int = 2
    flash_time_long: int = 10
    on_command_type: Literal["last", "first", "brightness"] = "last"
    optimistic: bool | None = None
    # the template schema (light_template.py)
    command_on_template: str | None = None
    command_off_template: str | None = None
    state_template: str | None = None
    brightness_template: str | None = None
    color_temp_template: str | None = None
    red_template: str | None = None
    green_template: str | None = None
    blue_template: str | None = None
    effect_template: str | None = None

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @field_validator("supported_color_modes", mode="before")
    @classmethod
    def _modes(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]  # HA takes a single mode as a string too
        if not isinstance(value, list):
            return value
        try:
            return valid_modes(str(v) for v in value)
        except ValueError as err:
            raise ValueError(f"Invalid supported_color_modes {value}: {err}") from None

    @model_validator(mode="after")
    def _template_schema(self) -> LightConfig:
        if self.schema_ == "template" and (
            self.command_on_template is None or self.command_off_template is None
        ):
            raise ValueError(
                "light schema 'template' needs command_on_template and command_off_template"
            )
        return self


def default_modes(c: LightConfig) -> list[str]:
    """The colour modes of a default-schema light, from its command topics (as HA)."""
    modes = {
        mode
        for mode, topic in (
            ("color_temp", c.color_temp_command_topic),
            ("hs", c.hs_command_topic),
            ("rgb", c.rgb_command_topic),
            ("rgbw", c.rgbw_command_topic),
            ("rgbww", c.rgbww_command_topic),
            ("xy", c.xy_command_topic),
        )
        if topic
    }
    if c.white_command_topic and modes:
        modes.add("white")
    if not modes:
        modes.add("brightness" if c.brightness_command_topic else "onoff")
    return sorted(modes)


def kelvin_range(c: LightConfig) -> tuple[int, int]:
    low = c.min_kelvin or (mired_to_kelvin(c.max_mireds) if c.max_mireds else 2000)
    high = c.max_kelvin or (mired_to_kelvin(c.min_mireds) if c.min_mireds else 6535)
    return low, high


class MqttLight(MqttEntity[LightConfig]):
    component = "light"
    config_model = LightConfig
    blocked_attributes: ClassVar[frozenset[str]] = LIGHT_ATTRIBUTES

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self.json = JsonLightSchema(self) if c.schema_ == "json" else None
        self.template = TemplateLightSchema(self) if c.schema_ == "template" else None
        if self.json is not None:
            modes = self.json.modes()
        elif self.template is not None:
            modes = self.template.modes()
        else:
            modes = default_modes(c)
        low, high = kelvin_range(c)
        self.light = LightState(modes, low, high, c.effect_list)
        self._state_tpl = optional_template(c.state_value_template)
        self._bri_tpl = optional_template(c.brightness_value_template)
        self._ct_tpl = optional_template(c.color_temp_value_template)
        self._mode_tpl = optional_template(c.color_mode_value_template)
        self._fx_tpl = optional_template(c.effect_value_template)

    @property
    def optimistic(self) -> bool:
        if self.template is not None:
            return self.template.optimistic
        return bool(self.config.optimistic) or self.config.state_topic is None

    @property
    def supported_features(self) -> int:
        """HA's LightEntityFeature: EFFECT 4, FLASH 8, TRANSITION 32. The default schema has
        EFFECT with an effect command topic; json and template have FLASH and TRANSITION,
        and EFFECT with `effect: true` (json) or an effect list (template)."""
        c = self.config
        if self.json is not None:
            return 8 | 32 | (4 if c.effect else 0)
        if self.template is not None:
            return 8 | 32 | (4 if c.effect_list is not None else 0)
        return 4 if c.effect_command_topic else 0

    def adopt(self, old: MqttEntity[Any]) -> None:
        super().adopt(old)
        if isinstance(old, MqttLight):
            self.light.values = dict(old.light.values)
            if old.light.color_mode in self.light.supported:
                self.light.color_mode = old.light.color_mode

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        state, attrs = super().hub_state()
        if state == "unavailable":
            return state, attrs
        attrs.update(self.light.attributes(state == "on"))
        return state, attrs

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        if self.json is not None:
            if c.state_topic:
                add_handler(topics, c.state_topic, self.json.on_state)
            return topics
        if self.template is not None:
            if c.state_topic:
                add_handler(topics, c.state_topic, self.template.on_state)
            return topics
        handlers: list[tuple[str | None, MessageHandler]] = [
            (c.state_topic, self._on_state),
            (c.brightness_state_topic, self._on_brightness),
            (c.color_mode_state_topic, self._on_color_mode),
            (c.color_temp_state_topic, self._on_color_temp),
            (c.effect_state_topic, self._on_effect),
        ]
        for mode, topic_key, tpl_key, channels, attr in _COLOR_TOPICS:
            topic = getattr(c, topic_key)
            template = optional_template(getattr(c, tpl_key))
            handlers.append((topic, self._color_handler(mode, template, channels, attr)))
        for topic, handler in handlers:
            if topic:
                add_handler(topics, topic, handler)
        return topics

    # -- reports (default schema) ------------------------------------------------------------

    def _on_state(self, text: str) -> None:
        value = self.render(self._state_tpl, text)
        if value == "":
            return  # HA: "Ignoring empty state message"
        c = self.config
        on = on_off_payloads(value, c.payload_on, c.payload_off, "state")
        self.state = "unknown" if on is None else ("on" if on else "off")
        self.report()

    def _on_brightness(self, text: str) -> None:
        value = self.render(self._bri_tpl, text)
        if value == "":
            return
        device = parse_float(value, "brightness")
        if device == 0:
            return  # HA ignores a zero brightness (the state topic says off)
        scale = self.config.brightness_scale
        self.light.values["brightness"] = max(0, min(255, round(device / scale * 255)))
        self.report()

    def _on_color_mode(self, text: str) -> None:
        value = self.render(self._mode_tpl, text)
        if value == "":
            return
        if value not in self.light.supported:
            raise PayloadError(f"color mode {value[:20]!r} is not one of {self.light.supported}")
        self.light.color_mode = value
        self.report()

    def _on_color_temp(self, text: str) -> None:
        value = self.render(self._ct_tpl, text)
        if value == "":
            return
        number = parse_float(value, "color_temp")
        kelvin = round(number) if self.config.color_temp_kelvin else mired_to_kelvin(number)
        self._set_color("color_temp", "color_temp_kelvin", kelvin)

    def _on_effect(self, text: str) -> None:
        value = self.render(self._fx_tpl, text)
        if value == "":
            return
        self.light.values["effect"] = value
        self.report()

    def _color_handler(self, mode: str, template: Any, channels: int, attr: str) -> MessageHandler:
        def handle(text: str) -> None:
            value = self.render(template, text)
            if value == "":
                return
            parts = value.split(",")
            try:
                numbers = [float(p) for p in parts]
            except ValueError:
                raise PayloadError(f"Failed to parse {mode} state update {value[:40]!r}") from None
            if len(numbers) != channels:
                raise PayloadError(f"Failed to parse {mode} state update {value[:40]!r}")
            if mode in ("hs", "xy"):
                self._set_color(mode, attr, (numbers[0], numbers[1]))
                return
            color = tuple(int(n) for n in numbers)
            if not all(0 <= n <= 255 for n in color):
                raise PayloadError(f"{mode} {value[:40]!r} has a channel outside 0..255")
            if self.config.brightness_state_topic is None:
                # no brightness of its own: the colour carries it (HA's rgb brightness)
                top = max(color)
                if top == 0:
                    return  # HA ignores an all-zero colour
                self.light.values["brightness"] = top
                color = tuple(round(n * 255 / top) for n in color)
            self._set_color(mode, attr, color)

        return handle

    def _set_color(self, mode: str, key: str, value: Any) -> None:
        # with a colour-mode topic the device says its mode there, unless optimistic (HA)
        if self.config.color_mode_state_topic is None or self.config.optimistic:
            self.light.set_color(mode, key, value)
        else:
            self.light.values[key] = value
        self.report()

    # -- commands --------------------------------------------------------------------------

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        if service not in ("turn_on", "turn_off"):
            raise PayloadError(f"{self.entity_id} cannot {service}")
        wanted = wanted_values(service, data, self.light, is_on=self.state == "on")
        if self.template is not None:
            self.template.command(wanted, context)
            return
        if self.json is not None:
            self.json.command(wanted, data, context)
        else:
            for topic, payload in default_commands(self, wanted):
                self.publish(topic, payload, context)
        if self.optimistic:
            self.state = "on" if wanted.get("on") else "off"
            self._apply_optimistic(wanted)
            self.optimistic_update(context)

    def _apply_optimistic(self, wanted: Mapping[str, Any]) -> None:
        light = self.light
        if "brightness" in wanted:
            light.values["brightness"] = wanted["brightness"]
        for mode, key in (
            ("color_temp", "color_temp_kelvin"),
            ("hs", "hs_color"),
            ("xy", "xy_color"),
            ("rgb", "rgb_color"),
            ("rgbw", "rgbw_color"),
            ("rgbww", "rgbww_color"),
        ):
            if key in wanted and mode in light.supported:
                light.set_color(mode, key, wanted[key])
        if "white" in wanted and "white" in light.supported:
            light.color_mode = "white"
            light.values["brightness"] = wanted["white"]
        if "effect" in wanted:
            light.values["effect"] = wanted["effect"]


__all__ = ["LightConfig", "MqttLight", "kelvin_to_mired"]
