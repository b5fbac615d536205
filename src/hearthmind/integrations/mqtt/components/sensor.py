"""`sensor`: a value on a state topic, with a unit and a device class.

As in Home Assistant: a sensor with a unit or a numeric state class takes numbers only (an
empty value is ignored, `null`/`None` makes it unknown); `timestamp` and `date` sensors
take ISO text and report it normalised (UTC); `expire_after` makes it unavailable when no
report came for that long; `last_reset_value_template` fills `last_reset`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from pydantic import Field, field_validator

from hearthmind.core.states import MAX_STATE_LENGTH

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler

DEVICE_CLASSES = frozenset(
    {
        "absolute_humidity", "apparent_power", "aqi", "area", "atmospheric_pressure",
        "battery", "blood_glucose_concentration", "carbon_dioxide", "carbon_monoxide",
        "conductivity", "current", "data_rate", "data_size", "date", "distance", "duration",
        "energy", "energy_distance", "energy_storage", "enum", "frequency", "gas", "humidity",
        "illuminance", "irradiance", "moisture", "monetary", "nitrogen_dioxide",
        "nitrogen_monoxide", "nitrous_oxide", "ozone", "ph", "pm1", "pm10", "pm25", "pm4",
        "power", "power_factor", "precipitation", "precipitation_intensity", "pressure",
        "reactive_energy", "reactive_power", "signal_strength", "sound_pressure", "speed",
        "sulphur_dioxide", "temperature", "timestamp", "volatile_organic_compounds",
        "volatile_organic_compounds_parts", "voltage", "volume", "volume_flow_rate",
        "volume_storage", "water", "weight", "wind_direction", "wind_speed",
    }
)  # fmt: skip
STATE_CLASSES = frozenset({"measurement", "measurement_angle", "total", "total_increasing"})
NUMERIC_CLASSES = frozenset({"measurement", "measurement_angle", "total", "total_increasing"})


class SensorConfig(EntityConfig):
    state_topic: str = Field(min_length=1)
    value_template: str | None = None
    unit_of_measurement: str | None = None
    state_class: str | None = None
    suggested_display_precision: int | None = None
    force_update: bool = False
    expire_after: float | None = Field(default=None, ge=0)
    last_reset_value_template: str | None = None
    options: list[str] | None = None

    @field_validator("device_class")
    @classmethod
    def _known_class(cls, value: str | None) -> str | None:
        if value is not None and value not in DEVICE_CLASSES:
            raise ValueError(f"expected SensorDeviceClass or one of {sorted(DEVICE_CLASSES)}")
        return value

    @field_validator("state_class")
    @classmethod
    def _known_state_class(cls, value: str | None) -> str | None:
        if value is not None and value not in STATE_CLASSES:
            raise ValueError(f"expected SensorStateClass or one of {sorted(STATE_CLASSES)}")
        return value


class MqttSensor(MqttEntity[SensorConfig]):
    component = "sensor"
    config_model = SensorConfig
    controllable: ClassVar[bool] = False
    blocked_attributes: ClassVar[frozenset[str]] = frozenset({"last_reset", "state_class"})

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.value_template)
        self._last_reset_tpl = optional_template(c.last_reset_value_template)
        self._numeric = (
            c.state_class in NUMERIC_CLASSES or c.unit_of_measurement is not None
        ) and c.device_class not in ("timestamp", "date", "enum")

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        if self.config.unit_of_measurement is not None:
            attrs["unit_of_measurement"] = self.config.unit_of_measurement
        if self.config.state_class is not None:
            attrs["state_class"] = self.config.state_class
        if self.config.options is not None:
            attrs["options"] = list(self.config.options)
        return attrs

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        add_handler(topics, self.config.state_topic, self._on_state)
        if self._last_reset_tpl is not None:
            add_handler(topics, self.config.state_topic, self._on_last_reset)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        self.touch_expiry()
        if len(value) > MAX_STATE_LENGTH:
            raise PayloadError(f"value is {len(value)} characters (max {MAX_STATE_LENGTH})")
        if value == "None":
            self.state = "unknown"
        elif self._numeric:
            if value == "":
                return  # HA ignores an empty reading of a numeric sensor
            self.state = _number_text(value)
        else:
            self.state = self._typed(value)
        self.report()

    def _typed(self, value: str) -> str:
        device_class = self.config.device_class
        try:
            if device_class == "timestamp":
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    raise ValueError("no timezone")
                return moment.astimezone(UTC).isoformat()
            if device_class == "date":
                return date.fromisoformat(value).isoformat()
        except ValueError:
            self.state = "unknown"
            self.report()
            raise PayloadError(
                f"Invalid state message {value[:40]!r} for a {device_class} sensor"
            ) from None
        if device_class == "enum" and self.config.options and value not in self.config.options:
            raise PayloadError(f"value {value[:40]!r} is not one of the options")
        return value

    def _on_last_reset(self, text: str) -> None:
        assert self._last_reset_tpl is not None
        value = self.render(self._last_reset_tpl, text)
        if value in ("", "None"):
            self.attributes["last_reset"] = None
        else:
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise PayloadError(f"last_reset {value[:40]!r} is not a date and time") from None
            self.attributes["last_reset"] = moment.isoformat()
        self.report()


def _number_text(value: str) -> str:
    """HA refuses a non-numeric value for a sensor with a unit: the reading is wrong."""
    try:
        number = float(value)
    except ValueError:
        raise PayloadError(f"value {value[:40]!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise PayloadError(f"value {value[:40]!r} is not a finite number")
    return value.strip()
