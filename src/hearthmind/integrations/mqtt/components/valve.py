"""`valve`: open / close / stop on a command topic and, for valves that report a position
(`reports_position`), a position between `position_closed` and `position_open`. A valve is a
safety-class entity for the agent (see hearthmind.agent.safety)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Context

from ..payloads import PayloadError, number_in, parse_json
from ..templates import optional_template
from .base import EntityConfig, to_str
from .helpers import StateTopicEntity, render_command

_STATES = ("open", "opening", "closed", "closing")


class ValveConfig(EntityConfig):
    command_topic: str | None = Field(default=None, min_length=1)
    command_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    # None given explicitly drops the feature; unset means HA's default (OPEN, CLOSE)
    payload_open: str | None = "OPEN"
    payload_close: str | None = "CLOSE"
    payload_stop: str | None = None
    state_open: str = "open"
    state_opening: str = "opening"
    state_closed: str = "closed"
    state_closing: str = "closing"
    reports_position: bool = False
    position_open: int = 100
    position_closed: int = 0
    optimistic: bool | None = None

    @field_validator(
        "payload_open",
        "payload_close",
        "payload_stop",
        "state_open",
        "state_opening",
        "state_closed",
        "state_closing",
        mode="before",
    )
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _positions(self) -> ValveConfig:
        if self.position_open == self.position_closed:
            raise ValueError("position_open and position_closed must differ")
        given = {"payload_open", "payload_close", "state_open", "state_closed"}
        if self.reports_position and given & self.model_fields_set:
            raise ValueError(
                "Options `payload_open`, `payload_close`, `state_open` and "
                "`state_closed` are not allowed if the valve reports a position."
            )
        return self


class MqttValve(StateTopicEntity[ValveConfig]):
    component = "valve"
    config_model = ValveConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.value_template)
        self._cmd_tpl = optional_template(c.command_template)
        self._states = dict(
            zip(
                (c.state_open, c.state_opening, c.state_closed, c.state_closing),
                _STATES,
                strict=True,
            )
        )
        # HA's ValveEntityFeature: OPEN 1, CLOSE 2, SET_POSITION 4, STOP 8
        features = (
            (1 if c.reports_position or c.payload_open is not None else 0)
            | (2 if c.reports_position or c.payload_close is not None else 0)
            | (4 if c.reports_position else 0)
            | (8 if c.payload_stop is not None else 0)
        )
        self.attributes = {"supported_features": features}
        if c.reports_position:
            self.attributes["current_position"] = None

    def _percent(self, position: float) -> int:
        # HA's ranged_value_to_percentage over (closed + 1 .. open), clamped to 0..100
        c = self.config
        percent = (position - c.position_closed) * 100 // (c.position_open - c.position_closed)
        return int(min(100, max(0, percent)))

    def _device_position(self, percent: float) -> int:
        c = self.config
        return round(c.position_closed + percent * (c.position_open - c.position_closed) / 100)

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == "":
            return  # HA ignores an empty state payload
        if value == "None":
            self.state = "unknown"
            self.report()
            return
        reports = self.config.reports_position
        data: Any = None
        with contextlib.suppress(PayloadError):
            data = parse_json(value)
        state: str | None = None
        position: float | None = None
        if isinstance(data, dict):
            if reports and "position" not in data:
                raise PayloadError("Missing required `position` attribute in json payload")
            if not reports and "state" not in data:
                raise PayloadError("Missing required `state` attribute in json payload")
            raw_state = data.get("state")
            if raw_state is not None:
                state = self._states.get(str(raw_state))
                if state is None:
                    raise PayloadError(f"Payload is not one of the valve states: {value[:60]}")
            if reports:
                position = number_in(data["position"], "position")
        elif reports:
            if isinstance(data, int | float) and not isinstance(data, bool):
                position = float(data)
            elif value in (self.config.state_opening, self.config.state_closing):
                state = self._states[value]
            else:
                raise PayloadError(f"Payload '{value[:40]}' is not numeric for {self.entity_id}")
        else:
            state = self._states.get(value)
            if state is None:
                raise PayloadError(f"Payload is not one of the valve states: {value[:60]}")
        if position is not None:
            percent = self._percent(position)
            self.attributes["current_position"] = percent
            if state is None:
                # a position alone ends an opening or closing
                state = "closed" if percent == 0 else "open"
        if state is not None:
            self.state = state
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        topic = c.command_topic
        if topic is None:
            raise PayloadError(f"{self.entity_id} has no command_topic")
        if service == "toggle":
            service = "close_valve" if self.state in ("open", "opening") else "open_valve"
        position: int | None = None
        if service in ("open_valve", "close_valve"):
            percent = 100 if service == "open_valve" else 0
            if c.reports_position:
                position = percent
                value: Any = c.position_open if percent else c.position_closed
            else:
                value = c.payload_open if percent else c.payload_close
                if value is None:
                    raise PayloadError(f"{self.entity_id} cannot {service}")
        elif service == "stop_valve":
            if c.payload_stop is None:
                raise PayloadError(f"{self.entity_id} cannot stop")
            value = c.payload_stop
        elif service == "set_valve_position":
            if not c.reports_position:
                raise PayloadError(f"{self.entity_id} does not take a position")
            position = int(data["position"])
            value = self._device_position(position)
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        variables = {} if position is None else {"position": value}
        self.publish(
            topic, render_command(self.entity_id, self._cmd_tpl, value, **variables), context
        )
        if self.optimistic and service != "stop_valve":
            if position is not None:
                self.attributes["current_position"] = position
                self.state = "closed" if position == 0 else "open"
            else:
                self.state = "open" if service == "open_valve" else "closed"
            self.optimistic_update(context)
