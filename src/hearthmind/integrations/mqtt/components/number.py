"""`number`: a value between `min` and `max` in steps of `step`, set through a command topic
(`number.set_value`) and reported on a state topic, as Home Assistant's MQTT number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, to_str
from .helpers import StateTopicEntity, render_command


class NumberConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    min: float = 1.0
    max: float = 100.0
    step: float = Field(default=1.0, gt=0)
    mode: Literal["auto", "box", "slider"] = "auto"
    unit_of_measurement: str | None = None
    payload_reset: str = "None"
    optimistic: bool | None = None

    @field_validator("payload_reset", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _range(self) -> NumberConfig:
        if self.min >= self.max:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


def number_value(value: float) -> int | float:
    """HA keeps whole numbers whole: `20` not `20.0` in states and commands."""
    return int(value) if float(value).is_integer() else value


class MqttNumber(StateTopicEntity[NumberConfig]):
    component = "number"
    config_model = NumberConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self._cmd_tpl = optional_template(self.config.command_template)
        c = self.config
        self.attributes = {"min": c.min, "max": c.max, "step": c.step, "mode": c.mode}

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        if self.config.unit_of_measurement is not None:
            attrs["unit_of_measurement"] = self.config.unit_of_measurement
        return attrs

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == self.config.payload_reset:
            self.state = "unknown"
            self.report()
            return
        try:
            number: int | float = int(value) if value.isdigit() else float(value)
        except ValueError:
            raise PayloadError(f"Payload '{value[:40]}' is not a Number") from None
        if number != number or not self.config.min <= number <= self.config.max:
            raise PayloadError(
                f"Invalid value for {self.entity_id}: {value[:40]} "
                f"(range {self.config.min} - {self.config.max})"
            )
        self.state = str(number)
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service != "set_value":
            raise PayloadError(f"{self.entity_id} cannot {service}")
        value = float(data["value"])
        if not self.config.min <= value <= self.config.max:
            raise PayloadError(
                f"Value {value} for {self.entity_id} is outside valid range "
                f"{self.config.min} - {self.config.max}"
            )
        number = number_value(value)
        self.publish(
            self.config.command_topic,
            render_command(self.entity_id, self._cmd_tpl, number),
            context,
        )
        if self.optimistic:
            self.state = str(number)
            self.optimistic_update(context)
