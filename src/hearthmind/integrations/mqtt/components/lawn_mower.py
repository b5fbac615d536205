"""`lawn_mower`: its activity (mowing, paused, docked, returning, error) on a state topic;
start mowing, pause and dock on a command topic each, as Home Assistant's MQTT lawn mower."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler
from .helpers import render_command

ACTIVITIES = ("mowing", "paused", "docked", "returning", "error")
# service -> (its command topic option, the activity it leads to when optimistic)
COMMANDS = {"start_mowing": "mowing", "pause": "paused", "dock": "docked"}


class LawnMowerConfig(EntityConfig):
    activity_state_topic: str | None = Field(default=None, min_length=1)
    activity_value_template: str | None = None
    start_mowing_command_topic: str | None = None
    start_mowing_command_template: str | None = None
    pause_command_topic: str | None = None
    pause_command_template: str | None = None
    dock_command_topic: str | None = None
    dock_command_template: str | None = None
    optimistic: bool | None = None


class MqttLawnMower(MqttEntity[LawnMowerConfig]):
    component = "lawn_mower"
    config_model = LawnMowerConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.activity_value_template)
        self._cmd = {
            name: (
                getattr(c, f"{name}_command_topic"),
                optional_template(getattr(c, f"{name}_command_template")),
            )
            for name in COMMANDS
        }
        # HA's LawnMowerEntityFeature: START_MOWING 1, PAUSE 2, DOCK 4, by the topics given
        bits = {"start_mowing": 1, "pause": 2, "dock": 4}
        self.attributes = {
            "supported_features": sum(bits[n] for n, (t, _) in self._cmd.items() if t is not None)
        }

    @property
    def optimistic(self) -> bool:
        return bool(self.config.optimistic) or self.config.activity_state_topic is None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.activity_state_topic:
            add_handler(topics, self.config.activity_state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == "":
            return  # HA ignores an empty activity
        if value.lower() == "none":
            self.state = "unknown"
        elif value in ACTIVITIES:
            self.state = value
        else:
            raise PayloadError(
                f"Invalid activity for {self.entity_id}: '{value[:40]}' "
                f"(valid activities: {list(ACTIVITIES)})"
            )
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service not in self._cmd:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        topic, template = self._cmd[service]
        if topic is None:
            raise PayloadError(f"{self.entity_id} has no {service}_command_topic")
        self.publish(topic, render_command(self.entity_id, template, service), context)
        if self.optimistic:
            self.state = COMMANDS[service]
            self.optimistic_update(context)
