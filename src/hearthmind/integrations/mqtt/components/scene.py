"""`scene`: `scene.turn_on` publishes `payload_on`; the state is when the scene was last
activated (an ISO timestamp), as Home Assistant's scenes report it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from .base import EntityConfig, MqttEntity, to_str
from .helpers import iso_timestamp


class SceneConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    payload_on: str = "ON"

    @field_validator("payload_on", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttScene(MqttEntity[SceneConfig]):
    component = "scene"
    config_model = SceneConfig

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service != "turn_on":
            raise PayloadError(f"{self.entity_id} cannot {service}")
        self.publish(self.config.command_topic, self.config.payload_on, context)
        self.state = iso_timestamp(self.host)
        self.optimistic_update(context)
