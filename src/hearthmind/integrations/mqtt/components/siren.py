"""`siren`: on/off with a tone, a duration and a volume. Commands go out as HA sends them:
through `command_template` (variables `value`, `tone`, `duration`, `volume_level`) or, without
one, as JSON (`{"state": "ON", "tone": "bell"}`); the state topic takes the on/off payloads or
such a JSON object."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import jinja2
import orjson
from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_json
from ..templates import optional_template
from .base import EntityConfig, to_str
from .helpers import StateTopicEntity

_LOGGER = logging.getLogger(__name__)


class SirenConfig(EntityConfig):
    command_topic: str | None = Field(default=None, min_length=1)
    command_template: str | None = None
    command_off_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    state_value_template: str | None = None
    payload_on: str = "ON"
    payload_off: str = "OFF"
    state_on: str | None = None
    state_off: str | None = None
    available_tones: list[str | int] | None = None
    support_duration: bool = True
    support_volume_set: bool = True
    optimistic: bool | None = None

    @field_validator("payload_on", "payload_off", "state_on", "state_off", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttSiren(StateTopicEntity[SirenConfig]):
    component = "siren"
    config_model = SirenConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.state_value_template)
        self._on_tpl = optional_template(c.command_template)
        self._off_tpl = optional_template(c.command_off_template or c.command_template)
        self.state_on = c.state_on or c.payload_on
        self.state_off = c.state_off or c.payload_off
        # the attributes the siren supports are there from the start (None until known)
        self._supported = []
        if c.available_tones:
            self._supported.append("tone")
        if c.support_duration:
            self._supported.append("duration")
        if c.support_volume_set:
            self._supported.append("volume_level")
        self.attributes = dict.fromkeys(self._supported)
        # HA's SirenEntityFeature: TURN_ON 1, TURN_OFF 2, TONES 4, VOLUME_SET 8, DURATION 16
        self.attributes["supported_features"] = (
            3
            | (4 if c.available_tones else 0)
            | (8 if c.support_volume_set else 0)
            | (16 if c.support_duration else 0)
        )
        if c.available_tones:
            self.attributes["available_tones"] = list(c.available_tones)
        if self.optimistic:
            self.state = "off"

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if not value or value == "{}":
            return  # HA ignores an empty report
        data: Any
        if value in (self.state_on, self.state_off, "None"):
            data = {"state": value}
        else:
            try:
                data = parse_json(value)
            except PayloadError:
                data = None
            if not isinstance(data, dict):
                raise PayloadError(
                    f"No valid (JSON) payload detected after processing payload '{value[:40]}'"
                )
        if "state" in data:
            state = to_str(data["state"])
            if state == self.state_on:
                self.state = "on"
            elif state == self.state_off:
                self.state = "off"
            elif state in ("None", None):
                self.state = "unknown"
            else:
                raise PayloadError(f"siren state {str(state)[:40]!r} is neither on nor off")
        params = {k: data[k] for k in ("tone", "duration", "volume_level") if k in data}
        if params:
            self._update_params(params, strict=False)
        self.report()

    def _update_params(self, params: Mapping[str, Any], strict: bool) -> None:
        volume = params.get("volume_level")
        duration = params.get("duration")
        problem = None
        if volume is not None and (not isinstance(volume, int | float) or not 0 <= volume <= 1):
            problem = "value must be at most 1 for dictionary value @ data['volume_level']"
        elif duration is not None and (not isinstance(duration, int) or duration < 0):
            problem = "expected a positive integer for dictionary value @ data['duration']"
        elif (
            "tone" in params
            and self.config.available_tones is not None
            and params["tone"] not in self.config.available_tones
        ):
            problem = f"tone {params['tone']!r} is not one of {self.config.available_tones}"
        if problem is not None:
            message = (
                f"Unable to update siren state attributes from payload '{dict(params)}': {problem}"
            )
            if strict:
                raise PayloadError(message)
            _LOGGER.warning("%s: %s", self.entity_id, message)
            return
        for key in self._supported:
            if key in params:
                self.attributes[key] = params[key]

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        topic = self.config.command_topic
        if topic is None:
            raise PayloadError(f"{self.entity_id} has no command_topic")
        if service == "toggle":
            service = "turn_off" if self.state == "on" else "turn_on"
        if service not in ("turn_on", "turn_off"):
            raise PayloadError(f"{self.entity_id} cannot {service}")
        on = service == "turn_on"
        value = self.config.payload_on if on else self.config.payload_off
        params = {k: data[k] for k in self._supported if on and k in data}
        if on:
            self._update_params(params, strict=True)
        template = self._on_tpl if on else self._off_tpl
        if template is not None:
            # what the call did not give is undefined, as in HA's templates: it renders
            # empty, and `default(...)` / `is defined` see it missing (Zigbee2MQTT's sirens)
            variables: dict[str, Any] = {
                k: jinja2.Undefined(name=k) for k in ("tone", "duration", "volume_level")
            }
            variables.update(params)
            payload = template.render_command(value, entity_id=self.entity_id, **variables).strip()
        else:
            payload = orjson.dumps({"state": value, **params}).decode()
        self.publish(topic, payload, context)
        if self.optimistic:
            self.state = "on" if on else "off"
            self.optimistic_update(context)
