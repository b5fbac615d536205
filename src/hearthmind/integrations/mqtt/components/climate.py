"""`climate`: as Home Assistant's MQTT climate has it: the HVAC mode (the state), target
temperature or a low/high range, current temperature and humidity, target humidity, the
running action (`hvac_action`), preset, fan and swing modes, power on/off; each with
command and state topics and templates, optimistic where no state topic reports it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import ValueTemplate, optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str

DEFAULT_MODES = ["auto", "off", "cool", "heat", "dry", "fan_only"]
HVAC_ACTIONS = frozenset(
    {"cooling", "defrosting", "drying", "fan", "heating", "idle", "off", "preheating"}
)
PRESET_NONE = "none"


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
    temperature_low_command_topic: str | None = None
    temperature_low_command_template: str | None = None
    temperature_low_state_topic: str | None = None
    temperature_low_state_template: str | None = None
    temperature_high_command_topic: str | None = None
    temperature_high_command_template: str | None = None
    temperature_high_state_topic: str | None = None
    temperature_high_state_template: str | None = None
    current_temperature_topic: str | None = None
    current_temperature_template: str | None = None
    current_humidity_topic: str | None = None
    current_humidity_template: str | None = None
    target_humidity_command_topic: str | None = None
    target_humidity_command_template: str | None = None
    target_humidity_state_topic: str | None = None
    target_humidity_state_template: str | None = None
    min_humidity: float = Field(default=30, ge=0)
    max_humidity: float = Field(default=99, le=100)
    action_topic: str | None = None
    action_template: str | None = None
    preset_mode_command_topic: str | None = None
    preset_mode_command_template: str | None = None
    preset_mode_state_topic: str | None = None
    preset_mode_value_template: str | None = None
    preset_modes: list[str] = Field(default_factory=list)
    fan_mode_command_topic: str | None = None
    fan_mode_command_template: str | None = None
    fan_mode_state_topic: str | None = None
    fan_mode_state_template: str | None = None
    fan_modes: list[str] = Field(default_factory=lambda: ["auto", "low", "medium", "high"])
    swing_mode_command_topic: str | None = None
    swing_mode_command_template: str | None = None
    swing_mode_state_topic: str | None = None
    swing_mode_state_template: str | None = None
    swing_modes: list[str] = Field(default_factory=lambda: ["on", "off"])
    power_command_topic: str | None = None
    power_command_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    min_temp: float | None = None
    max_temp: float | None = None
    temp_step: float = Field(default=0.5, gt=0)
    precision: float | None = None
    temperature_unit: str | None = None
    initial: float = 21.0
    value_template: str | None = None  # HA: default for the state templates
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @field_validator("preset_modes")
    @classmethod
    def _no_none_preset(cls, value: list[str]) -> list[str]:
        if PRESET_NONE in value:
            raise ValueError("preset_modes must not include preset mode 'none'")
        return value

    @model_validator(mode="after")
    def _humidity_config(self) -> ClimateConfig:
        # HA's valid_humidity_range_configuration and valid_humidity_state_configuration
        if self.min_humidity >= self.max_humidity:
            raise ValueError("target_humidity_max must be > target_humidity_min")
        if self.target_humidity_state_topic and not self.target_humidity_command_topic:
            raise ValueError(
                "target_humidity_state_topic cannot be used without target_humidity_command_topic"
            )
        return self


@dataclass(frozen=True, slots=True)
class _Feature:
    """One value with its state topic, the attribute it fills and its command topic."""

    key: str  # the config's name for it (temperature, temperature_low, fan_mode, ...)
    attribute: str
    state_topic: str
    state_template: str
    command_topic: str | None
    command_template: str | None
    number: bool


_FEATURES = (
    _Feature("temperature", "temperature", "temperature_state_topic", "temperature_state_template",
             "temperature_command_topic", "temperature_command_template", True),
    _Feature("temperature_low", "target_temp_low", "temperature_low_state_topic",
             "temperature_low_state_template", "temperature_low_command_topic",
             "temperature_low_command_template", True),
    _Feature("temperature_high", "target_temp_high", "temperature_high_state_topic",
             "temperature_high_state_template", "temperature_high_command_topic",
             "temperature_high_command_template", True),
    _Feature("current_temperature", "current_temperature", "current_temperature_topic",
             "current_temperature_template", None, None, True),
    _Feature("current_humidity", "current_humidity", "current_humidity_topic",
             "current_humidity_template", None, None, True),
    _Feature("target_humidity", "humidity", "target_humidity_state_topic",
             "target_humidity_state_template", "target_humidity_command_topic",
             "target_humidity_command_template", True),
    _Feature("action", "hvac_action", "action_topic", "action_template", None, None, False),
    _Feature("preset_mode", "preset_mode", "preset_mode_state_topic",
             "preset_mode_value_template", "preset_mode_command_topic",
             "preset_mode_command_template", False),
    _Feature("fan_mode", "fan_mode", "fan_mode_state_topic", "fan_mode_state_template",
             "fan_mode_command_topic", "fan_mode_command_template", False),
    _Feature("swing_mode", "swing_mode", "swing_mode_state_topic", "swing_mode_state_template",
             "swing_mode_command_topic", "swing_mode_command_template", False),
)  # fmt: skip
_BY_KEY = {f.key: f for f in _FEATURES}


class MqttClimate(MqttEntity[ClimateConfig]):
    component = "climate"
    config_model = ClimateConfig
    measurements = frozenset({"current_temperature", "current_humidity", "hvac_action"})
    blocked_attributes: ClassVar[frozenset[str]] = frozenset(
        {
            "aux_heat", "current_humidity", "current_temperature", "fan_mode", "fan_modes",
            "humidity", "hvac_action", "hvac_modes", "max_humidity", "max_temp",
            "min_humidity", "min_temp", "preset_mode", "preset_modes", "swing_mode",
            "swing_modes", "target_temp_high", "target_temp_low", "target_temp_step",
            "temperature",
        }
    )  # fmt: skip

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        default = c.value_template
        self._mode_tpl = optional_template(c.mode_state_template or default)
        self._mode_cmd_tpl = optional_template(c.mode_command_template)
        self._power_tpl = optional_template(c.power_command_template)
        self._state_tpl: dict[str, ValueTemplate | None] = {}
        self._cmd_tpl: dict[str, ValueTemplate | None] = {}
        for f in _FEATURES:
            self._state_tpl[f.key] = optional_template(getattr(c, f.state_template) or default)
            if f.command_template:
                self._cmd_tpl[f.key] = optional_template(getattr(c, f.command_template))
        opt = bool(c.optimistic)
        self.state = "off" if c.mode_state_topic is None or opt else "unknown"
        self.attributes = {"current_temperature": None}
        for f in _FEATURES:
            if self._has(f):
                self.attributes[f.attribute] = None
        # what HA assumes until a device says otherwise (optimistic values only)
        if (c.temperature_state_topic is None or opt) and (
            c.temperature_command_topic or not self._has_range()
        ):
            self.attributes["temperature"] = c.initial
        for key, start in (
            ("temperature_low", c.initial),
            ("temperature_high", c.initial),
            ("fan_mode", "low"),
            ("swing_mode", "off"),
        ):
            f = _BY_KEY[key]
            commanded = bool(f.command_topic and getattr(c, f.command_topic))
            if commanded and (getattr(c, f.state_topic) is None or opt):
                self.attributes[f.attribute] = start
        if c.preset_modes:
            self.attributes["preset_mode"] = PRESET_NONE
        self._last_on_mode = next((m for m in c.modes if m != "off"), "heat")

    def _has(self, f: _Feature) -> bool:
        c = self.config
        topics = (
            getattr(c, f.state_topic),
            getattr(c, f.command_topic) if f.command_topic else None,
        )
        if f.key == "preset_mode":
            return bool(c.preset_modes)
        return any(topics)

    def _has_range(self) -> bool:
        c = self.config
        return bool(c.temperature_low_command_topic or c.temperature_high_command_topic)

    @property
    def _fahrenheit(self) -> bool:
        return (self.config.temperature_unit or "").upper() in ("F", "°F")

    @property
    def supported_features(self) -> int:
        """HA's ClimateEntityFeature: TARGET_TEMPERATURE 1, TARGET_TEMPERATURE_RANGE 2,
        TARGET_HUMIDITY 4, FAN_MODE 8, PRESET_MODE 16, SWING_MODE 32, TURN_OFF 128,
        TURN_ON 256 (an MQTT thermostat always has the last two)."""
        c = self.config
        features = 128 | 256
        if c.temperature_state_topic or c.temperature_command_topic:
            features |= 1
        if (
            c.temperature_low_state_topic
            or c.temperature_low_command_topic
            or c.temperature_high_state_topic
            or c.temperature_high_command_topic
        ):
            features |= 2
        if c.target_humidity_command_topic:
            features |= 4
        if c.fan_mode_state_topic or c.fan_mode_command_topic:
            features |= 8
        if c.preset_mode_command_topic and c.preset_modes:
            features |= 16
        if c.swing_mode_state_topic or c.swing_mode_command_topic:
            features |= 32
        return features

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        c = self.config
        attrs["hvac_modes"] = list(c.modes)
        attrs["min_temp"] = (
            c.min_temp if c.min_temp is not None else (45 if self._fahrenheit else 7)
        )
        attrs["max_temp"] = (
            c.max_temp if c.max_temp is not None else (95 if self._fahrenheit else 35)
        )
        attrs["target_temp_step"] = c.temp_step
        if self._has(_BY_KEY["target_humidity"]):
            attrs["min_humidity"] = c.min_humidity
            attrs["max_humidity"] = c.max_humidity
        if c.preset_modes:
            attrs["preset_modes"] = [PRESET_NONE, *c.preset_modes]
        if self._has(_BY_KEY["fan_mode"]):
            attrs["fan_modes"] = list(c.fan_modes)
        if self._has(_BY_KEY["swing_mode"]):
            attrs["swing_modes"] = list(c.swing_modes)
        return attrs

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        state, attrs = super().hub_state()
        for key in ("temperature", "target_temp_low", "target_temp_high", "current_temperature"):
            value = attrs.get(key)
            if isinstance(value, int | float):
                attrs[key] = self._shown(float(value))
        return state, attrs

    def _shown(self, value: float) -> float:
        """HA's show_temp: the precision (tenths in °C, whole in °F unless configured)."""
        precision = self.config.precision or (1.0 if self._fahrenheit else 0.1)
        if precision == 0.5:
            return round(value * 2) / 2.0
        if precision == 0.1:
            return round(value, 1)
        return float(round(value))

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        if c.mode_state_topic:
            add_handler(topics, c.mode_state_topic, self._on_mode)
        for f in _FEATURES:
            topic = getattr(c, f.state_topic)
            if topic:
                add_handler(topics, topic, self._handler(f))
        return topics

    # -- reports ---------------------------------------------------------------------------

    def _on_mode(self, text: str) -> None:
        mode = self.render(self._mode_tpl, text)
        if mode == "":
            return
        if mode not in self.config.modes:
            raise PayloadError(
                f"Invalid ['hvac_mode'] mode: {mode[:40]} (modes: {self.config.modes})"
            )
        self.state = mode
        if mode != "off":
            self._last_on_mode = mode
        self.report()

    def _handler(self, f: _Feature) -> MessageHandler:
        def handle(text: str) -> None:
            value = self.render(self._state_tpl[f.key], text)
            if value == "":
                return  # HA ignores an empty payload
            if f.key == "action" and value == "None":
                return  # HA: a null action is ignored, the last one stays
            if f.number:
                try:
                    self.attributes[f.attribute] = _reading(value, f.key)
                except PayloadError:
                    raise PayloadError(
                        f"Could not parse {f.state_template} from {value[:40]}"
                    ) from None
            else:
                self.attributes[f.attribute] = self._choice(f, value)
            self.report()

        return handle

    def _choice(self, f: _Feature, value: str) -> str | None:
        c = self.config
        if f.key == "action":
            if value not in HVAC_ACTIONS:
                raise PayloadError(
                    f"Invalid ['hvac_action'] action: {value[:40]}, expected one of {sorted(HVAC_ACTIONS)}"
                )
            return value
        if f.key == "preset_mode":
            if value in ("None", PRESET_NONE):
                return PRESET_NONE
            allowed = c.preset_modes
        else:
            allowed = c.fan_modes if f.key == "fan_mode" else c.swing_modes
        if value not in allowed:
            raise PayloadError(
                f"'{value[:40]}' received on topic {getattr(c, f.state_topic)}. '{value[:40]}' is not a valid {f.key.replace('_', ' ')}"
            )
        return value

    # -- commands --------------------------------------------------------------------------

    def _optimistic_for(self, state_topic: str | None) -> bool:
        return bool(self.config.optimistic) or state_topic is None

    def _send(self, key: str, value: Any, context: Context) -> None:
        f = _BY_KEY[key]
        c = self.config
        topic = getattr(c, f.command_topic) if f.command_topic else None
        if topic is None:
            raise PayloadError(f"{self.entity_id} has no {f.command_topic}")
        tpl = self._cmd_tpl.get(key)
        self.publish(topic, tpl.render_command(value) if tpl else str(value), context)
        if self._optimistic_for(getattr(c, f.state_topic)):
            self.attributes[f.attribute] = value

    def _send_mode(self, mode: str, context: Context) -> None:
        c = self.config
        if mode not in c.modes:
            raise PayloadError(f"{self.entity_id} has no mode {mode!r} (modes: {c.modes})")
        if c.mode_command_topic is None:
            raise PayloadError(f"{self.entity_id} has no mode_command_topic")
        text = self._mode_cmd_tpl.render_command(mode) if self._mode_cmd_tpl else mode
        self.publish(c.mode_command_topic, text, context)
        if self._optimistic_for(c.mode_state_topic):
            self.state = mode
            if mode != "off":
                self._last_on_mode = mode

    def _power(self, on: bool, context: Context) -> None:
        c = self.config
        assert c.power_command_topic is not None
        payload = c.payload_on if on else c.payload_off
        text = self._power_tpl.render_command(payload) if self._power_tpl else payload
        self.publish(c.power_command_topic, text, context)
        if self._optimistic_for(c.mode_state_topic) and not on:
            self.state = "off"

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "toggle":
            service = "turn_on" if self.state == "off" else "turn_off"
        if service == "set_hvac_mode":
            self._send_mode(str(data["hvac_mode"]), context)
        elif service in ("turn_on", "turn_off"):
            on = service == "turn_on"
            if c.power_command_topic:
                self._power(on, context)
            else:
                self._send_mode(self._last_on_mode if on else "off", context)
        elif service == "set_temperature":
            if data.get("hvac_mode") is not None:
                self._send_mode(str(data["hvac_mode"]), context)
            for key, name in (
                ("temperature", "temperature"),
                ("temperature_low", "target_temp_low"),
                ("temperature_high", "target_temp_high"),
            ):
                if data.get(name) is not None:
                    self._send(key, self._clamped(float(data[name])), context)
        elif service == "set_humidity":
            self._send("target_humidity", _whole(float(data["humidity"])), context)
        elif service == "set_preset_mode":
            preset = str(data["preset_mode"])
            if preset != PRESET_NONE and preset not in c.preset_modes:
                raise PayloadError(f"preset mode {preset!r} is not one of {c.preset_modes}")
            self._send("preset_mode", preset, context)
        elif service in ("set_fan_mode", "set_swing_mode"):
            key = service.removeprefix("set_")
            value = str(data[key])
            allowed = c.fan_modes if key == "fan_mode" else c.swing_modes
            if value not in allowed:
                raise PayloadError(f"{key.replace('_', ' ')} {value!r} is not one of {allowed}")
            self._send(key, value, context)
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        self.optimistic_update(context)

    def _clamped(self, value: float) -> float:
        attrs = self.base_attributes()
        return max(float(attrs["min_temp"]), min(float(attrs["max_temp"]), value))


def _whole(value: float) -> float | int:
    return int(value) if value == int(value) else value


def _reading(value: str, what: str) -> float | None:
    """A number, or None when the device says it does not know (`None`, empty)."""
    if value in ("", "None", "null", "unknown"):
        return None
    return parse_float(value, what)
