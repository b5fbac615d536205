"""`device_tracker`: where a phone or a tag is. A payload on the state topic names the place
(`payload_home` -> home, `payload_not_home` -> not_home, anything else a zone's name,
`payload_reset` unknown); GPS coordinates come as JSON attributes (`latitude`, `longitude`,
`gps_accuracy`), as Home Assistant's MQTT device tracker takes them."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str


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


class MqttDeviceTracker(MqttEntity[DeviceTrackerConfig]):
    component = "device_tracker"
    config_model = DeviceTrackerConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self.attributes = {"source_type": self.config.source_type}
        self._location: str | None = None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.state_topic:
            add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        state, attrs = super().hub_state()
        if state == "unavailable":
            return state, attrs
        if self._location is not None:
            return self._location, attrs
        if self._has_gps():
            # HA places coordinates in its zones; the hub has no zones: away from a named place
            return "not_home", attrs
        return "unknown", attrs

    def _has_gps(self) -> bool:
        attrs = self.json_attributes
        return isinstance(attrs.get("latitude"), int | float) and isinstance(
            attrs.get("longitude"), int | float
        )

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        c = self.config
        if value == c.payload_reset:
            self._location = None
        elif value == c.payload_home:
            self._location = "home"
        elif value == c.payload_not_home:
            self._location = "not_home"
        elif value == "":
            raise PayloadError("an empty location")
        else:
            self._location = value
        self.report()
