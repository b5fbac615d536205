"""`binary_sensor`: a state topic whose payload is on or off (motion, doors, windows).

As in Home Assistant: `off_delay` turns it off that many seconds after the last `on`
(motion sensors that only say "motion"), `expire_after` makes it unavailable when no report
came for that long, an empty template output is ignored, `None` makes it unknown."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, field_validator

from hearthmind.core import Origin

from ..templates import optional_template
from .base import (
    EntityConfig,
    MessageHandler,
    MqttEntity,
    add_handler,
    on_off_payloads,
    to_str,
)

DEVICE_CLASSES = frozenset(
    {
        "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door",
        "garage_door", "gas", "heat", "light", "lock", "moisture", "motion", "moving",
        "occupancy", "opening", "plug", "power", "presence", "problem", "running", "safety",
        "smoke", "sound", "tamper", "update", "vibration", "window",
    }
)  # fmt: skip


class BinarySensorConfig(EntityConfig):
    state_topic: str = Field(min_length=1)
    value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    force_update: bool = False
    off_delay: float | None = Field(default=None, ge=0)
    expire_after: float | None = Field(default=None, ge=0)

    @field_validator("payload_on", "payload_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @field_validator("device_class")
    @classmethod
    def _known_class(cls, value: str | None) -> str | None:
        if value is not None and value not in DEVICE_CLASSES:
            raise ValueError(f"expected BinarySensorDeviceClass, got {value!r}")
        return value


class MqttBinarySensor(MqttEntity[BinarySensorConfig]):
    component = "binary_sensor"
    config_model = BinarySensorConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == "":
            # HA: "Empty template output": nothing said, nothing changes (the expiry is
            # still refreshed: the device did report)
            self.touch_expiry()
            return
        on = on_off_payloads(value, self.config.payload_on, self.config.payload_off, "state")
        self.touch_expiry()
        self.state = "unknown" if on is None else ("on" if on else "off")
        delay = self.config.off_delay
        if on and delay is not None:
            self.schedule("off_delay", delay, self._off)
        elif delay is not None:
            self.cancel("off_delay")
        self.report()

    def _off(self) -> None:
        self.state = "off"
        self.host.write_state(self, self.host.new_context(Origin.SENSOR))
