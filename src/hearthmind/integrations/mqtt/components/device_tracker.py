"""`device_tracker`: where a phone or a tag is. A payload on the state topic names the place
(`payload_home` -> home, `payload_not_home` -> not_home, anything else a zone's name,
`payload_reset` unknown); GPS coordinates come as JSON attributes (`latitude`, `longitude`,
`gps_accuracy`, `source_type`), as Home Assistant's MQTT device tracker takes them: within the
home's radius of the hub's home location the state is `home`, elsewhere `not_home`."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str

SOURCE_TYPES = ("gps", "router", "bluetooth", "bluetooth_le")
GPS_KEYS = ("latitude", "longitude", "gps_accuracy")
EARTH_RADIUS_M = 6_371_008.8


class DeviceTrackerConfig(EntityConfig):
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    payload_home: str = "home"
    payload_not_home: str = "not_home"
    payload_reset: str = "None"
    source_type: Literal["gps", "router", "bluetooth", "bluetooth_le"] = "gps"

    @field_validator("payload_home", "payload_not_home", "payload_reset", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _has_a_topic(self) -> DeviceTrackerConfig:
        if self.state_topic is None and self.json_attributes_topic is None:
            raise ValueError("a device tracker needs state_topic or json_attributes_topic")
        return self


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), as HA's location.distance for zones."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


class MqttDeviceTracker(MqttEntity[DeviceTrackerConfig]):
    component = "device_tracker"
    config_model = DeviceTrackerConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self._location: str | None = None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.state_topic:
            add_handler(topics, self.config.state_topic, self._on_state)
        topic = self.config.json_attributes_topic
        if topic in topics:
            inner = topics[topic]

            def coordinates(text: str) -> None:
                inner(text)
                if self._gps() is not None:
                    self._location = None  # the newest word on where it is wins

            topics[topic] = coordinates
        return topics

    def _gps(self) -> tuple[float, float] | None:
        lat = _number(self.json_attributes.get("latitude"))
        lon = _number(self.json_attributes.get("longitude"))
        return None if lat is None or lon is None else (lat, lon)

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        state, attrs = super().hub_state()
        for key in (*GPS_KEYS, "source_type"):
            attrs.pop(key, None)
        source = self.json_attributes.get("source_type")
        attrs["source_type"] = source if source in SOURCE_TYPES else self.config.source_type
        if state == "unavailable":
            return state, attrs
        gps = self._gps()
        if gps is not None:
            accuracy = _number(self.json_attributes.get("gps_accuracy"))
            attrs.update(latitude=gps[0], longitude=gps[1], gps_accuracy=accuracy or 0)
        if self._location is not None:
            return self._location, attrs
        if gps is None:
            return "unknown", attrs
        return ("home" if self._at_home(*gps) else "not_home"), attrs

    def _at_home(self, lat: float, lon: float) -> bool:
        core = getattr(getattr(getattr(self.host, "hub", None), "config", None), "core", None)
        if core is None:
            return False
        return bool(distance_m(lat, lon, core.latitude, core.longitude) <= core.radius)

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        c = self.config
        if value == "":
            return  # HA ignores an empty payload and keeps the state
        if value == c.payload_reset:
            self._location = None
        elif value == c.payload_home:
            self._location = "home"
        elif value == c.payload_not_home:
            self._location = "not_home"
        else:
            self._location = value
        self.report()
