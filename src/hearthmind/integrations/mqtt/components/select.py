"""`select`: one of a list of `options`, chosen through a command topic
(`select.select_option`, first/last/next/previous) and reported on a state topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, to_str
from .helpers import StateTopicEntity, is_none_payload, render_command


class SelectConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    options: list[str] = Field(min_length=1)
    optimistic: bool | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _option_texts(cls, value: Any) -> Any:
        return [to_str(v) for v in value] if isinstance(value, list) else value


class MqttSelect(StateTopicEntity[SelectConfig]):
    component = "select"
    config_model = SelectConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._value_tpl = optional_template(self.config.value_template)
        self._cmd_tpl = optional_template(self.config.command_template)
        self.attributes = {"options": list(self.config.options)}

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if is_none_payload(value):
            self.state = "unknown"
        elif value in self.config.options:
            self.state = value
        else:
            raise PayloadError(
                f"Invalid option for {self.entity_id}: '{value[:40]}' "
                f"(valid options: {self.config.options})"
            )
        self.report()

    def _pick(self, service: str, data: Mapping[str, Any]) -> str:
        options = self.config.options
        if service == "select_option":
            option = str(data["option"])
            if option not in options:
                raise PayloadError(
                    f"Option {option} is not valid for {self.entity_id} (options: {options})"
                )
            return option
        if service == "select_first":
            return options[0]
        if service == "select_last":
            return options[-1]
        if service in ("select_next", "select_previous"):
            step = 1 if service == "select_next" else -1
            if self.state not in options:
                return options[0] if step == 1 else options[-1]
            index = options.index(self.state) + step
            if not 0 <= index < len(options):
                if not data.get("cycle", True):
                    return self.state
                index %= len(options)
            return options[index]
        raise PayloadError(f"{self.entity_id} cannot {service}")

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        option = self._pick(service, data)
        self.publish(
            self.config.command_topic,
            render_command(self.entity_id, self._cmd_tpl, option),
            context,
        )
        if self.optimistic:
            self.state = option
            self.optimistic_update(context)
