"""`sensor`: a value on a state topic, with a unit and a device class."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from hearthmind.core.states import MAX_STATE_LENGTH

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler


class SensorConfig(EntityConfig):
    state_topic: str = Field(min_length=1)
    value_template: str | None = None
    unit_of_measurement: str | None = None
    state_class: str | None = None
    suggested_display_precision: int | None = None
    force_update: bool = False


NUMERIC_CLASSES = frozenset({"measurement", "total", "total_increasing"})


class MqttSensor(MqttEntity[SensorConfig]):
    component = "sensor"
    config_model = SensorConfig
    controllable: ClassVar[bool] = False

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self._numeric = (
            self.config.state_class in NUMERIC_CLASSES
            or self.config.unit_of_measurement is not None
        )

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        if self.config.unit_of_measurement is not None:
            attrs["unit_of_measurement"] = self.config.unit_of_measurement
        if self.config.state_class is not None:
            attrs["state_class"] = self.config.state_class
        return attrs

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if len(value) > MAX_STATE_LENGTH:
            raise PayloadError(f"value is {len(value)} characters (max {MAX_STATE_LENGTH})")
        if self._numeric and value not in ("", "None", "unknown"):
            # HA refuses a non-numeric value for a sensor with a unit: the reading is wrong
            try:
                number = float(value)
            except ValueError:
                raise PayloadError(f"value {value[:40]!r} is not a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise PayloadError(f"value {value[:40]!r} is not a finite number")
        self.state = "unknown" if value in ("", "None") else value
        self.report()
