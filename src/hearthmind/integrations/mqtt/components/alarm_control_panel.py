"""`alarm_control_panel`: arm (home, away, night, vacation, custom bypass), disarm and
trigger through `command_template` (variables `action` and `code`), the panel's state on a
state topic. A code given in the config is checked here before anything is sent; `REMOTE_CODE`
/ `REMOTE_CODE_TEXT` leave the check to the panel. An alarm panel is a safety-class entity for
the agent (see hearthmind.agent.safety)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str

_LOGGER = logging.getLogger(__name__)

STATES = frozenset(
    {
        "disarmed",
        "armed_home",
        "armed_away",
        "armed_night",
        "armed_vacation",
        "armed_custom_bypass",
        "pending",
        "arming",
        "disarming",
        "triggered",
    }
)
# HA's AlarmControlPanelEntityFeature bits
FEATURES = {
    "arm_home": 1,
    "arm_away": 2,
    "arm_night": 4,
    "trigger": 8,
    "arm_custom_bypass": 16,
    "arm_vacation": 32,
}
REMOTE_CODE = "REMOTE_CODE"
REMOTE_CODE_TEXT = "REMOTE_CODE_TEXT"
# service -> (the feature it needs, or None; its payload option; which code_*_required)
SERVICES = {
    "alarm_arm_home": ("arm_home", "payload_arm_home", "arm"),
    "alarm_arm_away": ("arm_away", "payload_arm_away", "arm"),
    "alarm_arm_night": ("arm_night", "payload_arm_night", "arm"),
    "alarm_arm_vacation": ("arm_vacation", "payload_arm_vacation", "arm"),
    "alarm_arm_custom_bypass": ("arm_custom_bypass", "payload_arm_custom_bypass", "arm"),
    "alarm_trigger": ("trigger", "payload_trigger", "trigger"),
    "alarm_disarm": (None, "payload_disarm", "disarm"),
}


class AlarmConfig(EntityConfig):
    command_topic: str = Field(min_length=1)
    command_template: str = "{{action}}"
    state_topic: str = Field(min_length=1)
    value_template: str | None = None
    code: str | None = None
    code_arm_required: bool = True
    code_disarm_required: bool = True
    code_trigger_required: bool = True
    payload_arm_home: str = "ARM_HOME"
    payload_arm_away: str = "ARM_AWAY"
    payload_arm_night: str = "ARM_NIGHT"
    payload_arm_vacation: str = "ARM_VACATION"
    payload_arm_custom_bypass: str = "ARM_CUSTOM_BYPASS"
    payload_disarm: str = "DISARM"
    payload_trigger: str = "TRIGGER"
    supported_features: list[str] = Field(default_factory=lambda: list(FEATURES))

    @field_validator("code", mode="before")
    @classmethod
    def _code_text(cls, value: Any) -> Any:
        return to_str(value)


class MqttAlarmControlPanel(MqttEntity[AlarmConfig]):
    component = "alarm_control_panel"
    config_model = AlarmConfig

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        unknown = [f for f in c.supported_features if f not in FEATURES]
        if unknown:
            raise PayloadError(f"unknown alarm features {unknown} (known: {sorted(FEATURES)})")
        self._value_tpl = optional_template(c.value_template)
        self._cmd_tpl = optional_template(c.command_template)
        self.attributes = {
            "code_format": self._code_format(),
            "changed_by": None,
            "code_arm_required": c.code_arm_required,
            "supported_features": sum(FEATURES[f] for f in set(c.supported_features)),
        }

    def _code_format(self) -> str | None:
        code = self.config.code
        if code is None:
            return None
        if code == REMOTE_CODE or code.isdigit():
            return "number"
        return "text"

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        add_handler(topics, self.config.state_topic, self._on_state)
        return topics

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == "":
            _LOGGER.debug("%s: ignoring an empty state payload", self.entity_id)
            return
        if value == "None":
            self.state = "unknown"
        elif value in STATES:
            self.state = value
        else:
            raise PayloadError(f"Received unexpected payload: {value[:40]}")
        self.report()

    def _check_code(self, code: str | None, kind: str) -> None:
        c = self.config
        required = {
            "arm": c.code_arm_required,
            "disarm": c.code_disarm_required,
            "trigger": c.code_trigger_required,
        }[kind]
        if c.code is None or not required:
            return
        if c.code in (REMOTE_CODE, REMOTE_CODE_TEXT):
            # the panel checks it, but one must be given
            if not code:
                raise PayloadError(f"Invalid alarm code provided for {self.entity_id}")
            return
        if code is None or not hmac.compare_digest(code.encode(), c.code.encode()):
            raise PayloadError(f"Invalid alarm code provided for {self.entity_id}")

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service not in SERVICES:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        feature, option, kind = SERVICES[service]
        if feature is not None and feature not in self.config.supported_features:
            raise PayloadError(f"{self.entity_id} does not support {service}")
        code = data.get("code")
        code = None if code is None else str(code)
        self._check_code(code, kind)
        action = str(getattr(self.config, option))
        assert self._cmd_tpl is not None
        payload = self._cmd_tpl.render_command(
            action, action=action, code=code, entity_id=self.entity_id
        )
        self.publish(self.config.command_topic, payload, context)
