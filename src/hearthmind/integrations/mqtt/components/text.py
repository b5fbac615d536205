"""`text`: a text value of `min`..`max` characters (optionally matching `pattern`), set
through a command topic (`text.set_value`) and reported on a state topic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from hearthmind.core import Context
from hearthmind.core.states import MAX_STATE_LENGTH

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig
from .helpers import StateTopicEntity, render_command


class TextConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    min: int = Field(default=0, ge=0)
    max: int = Field(default=MAX_STATE_LENGTH, ge=0, le=MAX_STATE_LENGTH)
    mode: Literal["text", "password"] = "text"
    pattern: str | None = None
    optimistic: bool | None = None

    @model_validator(mode="after")
    def _valid(self) -> TextConfig:
        if self.min > self.max:
            raise ValueError(f"text length min must be <= max (min {self.min}, max {self.max})")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as err:
                raise ValueError(f"pattern {self.pattern!r} is not a regular expression") from err
        return self


class MqttText(StateTopicEntity[TextConfig]):
    component = "text"
    config_model = TextConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.value_template)
        self._cmd_tpl = optional_template(c.command_template)
        self._pattern = re.compile(c.pattern) if c.pattern is not None else None
        self.attributes = {"min": c.min, "max": c.max, "mode": c.mode, "pattern": c.pattern}

    def _check(self, value: str) -> None:
        # HA's wording (TextEntity.state), so a log reads the same in both
        c = self.config
        if len(value) < c.min:
            raise PayloadError(
                f"Entity {self.entity_id} provides state {value[:60]} which is too short "
                f"(minimum length {c.min})"
            )
        if len(value) > c.max:
            raise PayloadError(
                f"Entity {self.entity_id} provides state {value[:60]} which is too long "
                f"(maximum length {c.max})"
            )
        if self._pattern is not None and not self._pattern.match(value):
            raise PayloadError(
                f"Entity {self.entity_id} provides state {value[:60]} which does not match "
                f"expected pattern {c.pattern}"
            )

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        self._check(value)
        self.state = value
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service != "set_value":
            raise PayloadError(f"{self.entity_id} cannot {service}")
        value = str(data["value"])
        self._check(value)
        self.publish(
            self.config.command_topic, render_command(self.entity_id, self._cmd_tpl, value), context
        )
        if self.optimistic:
            self.state = value
            self.optimistic_update(context)
