"""`vacuum` (Home Assistant's state schema, the only one since 2024): a JSON report with
`state`, `fan_speed` (and `battery_level` from older devices) on the state topic; start,
pause, stop, return to base, clean spot and locate as payloads on the command topic; fan
speed and free commands on their own topics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from pydantic import Field

from hearthmind.core import Context

from ..payloads import PayloadError, number_in, parse_json_object
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler

STATES = frozenset({"cleaning", "docked", "paused", "idle", "returning", "error"})
# HA's VacuumEntityFeature bits, by the names MQTT discovery's `supported_features` uses
FEATURES = {
    "pause": 4,
    "stop": 8,
    "return_home": 16,
    "fan_speed": 32,
    "battery": 64,
    "send_command": 256,
    "locate": 512,
    "clean_spot": 1024,
    "status": 4096,
    "start": 8192,
}
DEFAULT_FEATURES = ["start", "stop", "return_home", "clean_spot"]
# service -> (the feature it needs, the payload option that carries it)
COMMANDS = {
    "start": ("start", "payload_start"),
    "pause": ("pause", "payload_pause"),
    "stop": ("stop", "payload_stop"),
    "return_to_base": ("return_home", "payload_return_to_base"),
    "clean_spot": ("clean_spot", "payload_clean_spot"),
    "locate": ("locate", "payload_locate"),
}


class VacuumConfig(EntityConfig):
    command_topic: str | None = None
    send_command_topic: str | None = None
    set_fan_speed_topic: str | None = None
    state_topic: str | None = None
    fan_speed_list: list[str] = Field(default_factory=list)
    supported_features: list[str] = Field(default_factory=lambda: list(DEFAULT_FEATURES))
    payload_start: str = "start"
    payload_pause: str = "pause"
    payload_stop: str = "stop"
    payload_return_to_base: str = "return_to_base"
    payload_clean_spot: str = "clean_spot"
    payload_locate: str = "locate"


class MqttVacuum(MqttEntity[VacuumConfig]):
    component = "vacuum"
    config_model = VacuumConfig
    measurements = frozenset({"battery_level"})

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        unknown = [f for f in c.supported_features if f not in FEATURES]
        if unknown:
            raise PayloadError(f"unknown vacuum features {unknown} (known: {sorted(FEATURES)})")
        self.features = set(c.supported_features)
        self.attributes = {"supported_features": sum(FEATURES[f] for f in self.features)}
        if "fan_speed" in self.features:
            self.attributes["fan_speed_list"] = list(c.fan_speed_list)
            self.attributes["fan_speed"] = None
        if "battery" in self.features:
            self.attributes["battery_level"] = None

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.state_topic:
            add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        if text == "":
            return
        data = parse_json_object(text)
        if "state" in data:
            state = data["state"]
            if state is None:
                self.state = "unknown"
            elif state in STATES:
                self.state = state
            else:
                raise PayloadError(
                    f"vacuum state {str(state)[:40]!r} is not one of {sorted(STATES)}"
                )
        if "fan_speed" in data and "fan_speed" in self.features:
            self.attributes["fan_speed"] = data["fan_speed"]
        if "battery_level" in data and data["battery_level"] is not None:
            level = number_in(data["battery_level"], "battery_level")
            self.attributes["battery_level"] = int(level) if level.is_integer() else level
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        # a feature the vacuum lacks is an error; a feature without its topic sends nothing,
        # as in HA
        if service in COMMANDS:
            feature, option = COMMANDS[service]
            self._require(feature, service)
            if c.command_topic is not None:
                self.publish(c.command_topic, str(getattr(c, option)), context)
        elif service == "set_fan_speed":
            speed = str(data["fan_speed"])
            self._require("fan_speed", service)
            if c.set_fan_speed_topic is None:
                return
            if speed not in c.fan_speed_list:
                raise PayloadError(f"fan speed {speed!r} is not one of {c.fan_speed_list}")
            self.publish(c.set_fan_speed_topic, speed, context)
        elif service == "send_command":
            self._require("send_command", service)
            params = data.get("params")
            if isinstance(params, dict):
                payload = orjson.dumps({"command": data["command"], **params}).decode()
            else:
                payload = str(data["command"])
            if c.send_command_topic is not None:
                self.publish(c.send_command_topic, payload, context)
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")

    def _require(self, feature: str, service: str) -> None:
        if feature not in self.features:
            raise PayloadError(f"Entity {self.entity_id} does not support {service}")
