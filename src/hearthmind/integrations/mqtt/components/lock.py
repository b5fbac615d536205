"""`lock`: LOCK / UNLOCK / OPEN on a command topic, LOCKED / UNLOCKED / JAMMED reported."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, to_str
from .helpers import StateTopicEntity


class LockConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str | None = None
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    payload_lock: str = "LOCK"
    payload_unlock: str = "UNLOCK"
    payload_open: str | None = None
    state_locked: str = "LOCKED"
    state_unlocked: str = "UNLOCKED"
    state_locking: str = "LOCKING"
    state_unlocking: str = "UNLOCKING"
    state_jammed: str = "JAMMED"
    state_open: str = "OPEN"
    state_opening: str = "OPENING"
    payload_reset: str = "None"
    code_format: str | None = None
    optimistic: bool | None = None

    @field_validator(
        "payload_lock",
        "payload_unlock",
        "payload_open",
        "state_locked",
        "state_unlocked",
        "state_locking",
        "state_unlocking",
        "state_jammed",
        "state_open",
        "state_opening",
        "payload_reset",
        mode="before",
    )
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttLock(StateTopicEntity[LockConfig]):
    component = "lock"
    config_model = LockConfig
    blocked_attributes: ClassVar[frozenset[str]] = frozenset({"code_format", "changed_by"})

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.value_template)
        self._cmd_tpl = optional_template(c.command_template)
        self._states = {
            c.state_locked: "locked",
            c.state_unlocked: "unlocked",
            c.state_locking: "locking",
            c.state_unlocking: "unlocking",
            c.state_jammed: "jammed",
            c.state_open: "open",
            c.state_opening: "opening",
        }
        if self.optimistic:
            self.state = "unlocked"  # HA's optimistic lock starts unlocked

    @property
    def supported_features(self) -> int:
        """HA's LockEntityFeature: OPEN 1 when the lock has `payload_open`."""
        return 1 if self.config.payload_open is not None else 0

    def base_attributes(self) -> dict[str, Any]:
        attrs = super().base_attributes()
        if self.config.code_format is not None:
            attrs["code_format"] = self.config.code_format
        return attrs

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == "":
            return  # HA: "Ignoring empty state message"
        state = self._states.get(value)
        if state is None:
            if value != self.config.payload_reset:
                raise PayloadError(f"lock state {value[:40]!r} is not one it knows")
            state = "unknown"
        self.state = state
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        c = self.config
        payloads = {"lock": c.payload_lock, "unlock": c.payload_unlock, "open": c.payload_open}
        payload = payloads.get(service)
        if payload is None:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        code = data.get("code")
        if c.code_format is not None and not re.fullmatch(c.code_format, str(code or "")):
            raise PayloadError(
                f"Code '{code}' for {self.entity_id} doesn't match pattern {c.code_format}"
            )
        if self._cmd_tpl is not None:
            payload = self._cmd_tpl.render_command(payload, code=data.get("code"))
        self.publish(c.command_topic, payload, context)
        if self.optimistic:
            self.state = {"lock": "locked", "unlock": "unlocked", "open": "open"}[service]
            self.optimistic_update(context)
