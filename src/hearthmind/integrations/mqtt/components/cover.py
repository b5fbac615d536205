"""`cover`: OPEN / CLOSE / STOP on a command topic, the state and the position reported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_float
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str


class CoverConfig(EntityConfig):
    command_topic: str | None = Field(default=None, min_length=1)
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    payload_open: str | None = "OPEN"
    payload_close: str | None = "CLOSE"
    payload_stop: str | None = "STOP"
    state_open: str = "open"
    state_opening: str = "opening"
    state_closed: str = "closed"
    state_closing: str = "closing"
    state_stopped: str = "stopped"
    position_topic: str | None = None
    position_template: str | None = None
    set_position_topic: str | None = None
    set_position_template: str | None = None
    position_open: int = 100
    position_closed: int = 0
    optimistic: bool | None = None

    @field_validator("payload_open", "payload_close", "payload_stop", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttCover(MqttEntity[CoverConfig]):
    component = "cover"
    config_model = CoverConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        if c.position_open == c.position_closed:
            raise PayloadError("position_open equals position_closed")
        self._value_tpl = optional_template(c.value_template)
        self._pos_tpl = optional_template(c.position_template)
        self._set_pos_tpl = optional_template(c.set_position_template)
        self._states = {
            c.state_open: "open",
            c.state_opening: "opening",
            c.state_closed: "closed",
            c.state_closing: "closing",
        }

    @property
    def optimistic(self) -> bool:
        c = self.config
        return bool(c.optimistic) or (c.state_topic is None and c.position_topic is None)

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.state_topic:
            add_handler(topics, self.config.state_topic, self._on_state)
        if self.config.position_topic:
            add_handler(topics, self.config.position_topic, self._on_position)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == self.config.state_stopped:
            # stopped part-way: HA shows open unless fully closed
            position = self.attributes.get("current_position")
            self.state = "closed" if position == 0 else "open"
        elif value in self._states:
            self.state = self._states[value]
        elif value == "None":
            self.state = "unknown"
        else:
            raise PayloadError(f"cover state {value[:40]!r} is not one it knows")
        self.report()

    def _to_percent(self, device: float) -> int:
        c = self.config
        pct = (device - c.position_closed) * 100 / (c.position_open - c.position_closed)
        return max(0, min(100, round(pct)))

    def _to_device(self, percent: int) -> int:
        c = self.config
        return round(c.position_closed + percent * (c.position_open - c.position_closed) / 100)

    def _on_position(self, text: str) -> None:
        position = self._to_percent(parse_float(self.render(self._pos_tpl, text), "position"))
        self.attributes["current_position"] = position
        if self.config.state_topic is None:
            self.state = "closed" if position == 0 else "open"
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        if service == "toggle":
            service = "close_cover" if self.state in ("open", "opening") else "open_cover"
        if service == "set_cover_position":
            if c.set_position_topic is None:
                raise PayloadError(f"{self.entity_id} has no set_position_topic")
            position = int(data["position"])
            device = self._to_device(position)
            text = (
                self._set_pos_tpl.render_command(device, position=device)
                if self._set_pos_tpl
                else str(device)
            )
            self.publish(c.set_position_topic, text, context)
            if self.optimistic:
                self.attributes["current_position"] = position
                self.state = "closed" if position == 0 else "open"
                self.optimistic_update(context)
            return
        payloads = {
            "open_cover": c.payload_open,
            "close_cover": c.payload_close,
            "stop_cover": c.payload_stop,
        }
        payload = payloads.get(service)
        if payload is None or c.command_topic is None:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        self.publish(c.command_topic, payload, context)
        if self.optimistic and service != "stop_cover":
            self.state = "open" if service == "open_cover" else "closed"
            self.attributes["current_position"] = 100 if service == "open_cover" else 0
            self.optimistic_update(context)
