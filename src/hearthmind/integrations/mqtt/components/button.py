"""`button`: `button.press` publishes `payload_press`; the state is when it was last pressed
(an ISO timestamp), as Home Assistant's buttons report it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MqttEntity, to_str
from .helpers import iso_timestamp, render_command


class ButtonConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    payload_press: str = "PRESS"

    @field_validator("payload_press", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttButton(MqttEntity[ButtonConfig]):
    component = "button"
    config_model = ButtonConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._cmd_tpl = optional_template(self.config.command_template)

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service != "press":
            raise PayloadError(f"{self.entity_id} cannot {service}")
        payload = render_command(self.entity_id, self._cmd_tpl, self.config.payload_press)
        self.publish(self.config.command_topic, payload, context)
        self.state = iso_timestamp(self.host)
        self.optimistic_update(context)
