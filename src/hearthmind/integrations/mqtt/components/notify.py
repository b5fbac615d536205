"""`notify`: `notify.send_message` publishes the message (through `command_template`,
variable `value`) on the command topic; the state is when the last message went out (an ISO
timestamp), as Home Assistant's notify entities report it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MqttEntity
from .helpers import iso_timestamp, render_command


class NotifyConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None


class MqttNotify(MqttEntity[NotifyConfig]):
    component = "notify"
    config_model = NotifyConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._cmd_tpl = optional_template(self.config.command_template)

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service != "send_message":
            raise PayloadError(f"{self.entity_id} cannot {service}")
        message = str(data["message"])
        title = data.get("title")
        payload = render_command(self.entity_id, self._cmd_tpl, message, title=title)
        self.publish(self.config.command_topic, payload, context)
        self.state = iso_timestamp(self.host)
        self.optimistic_update(context)
