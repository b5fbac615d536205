"""`platform: device` triggers: a device's own triggers (a remote's button, a knob), as Home
Assistant's device automations write them:

    trigger:
      - platform: device
        domain: mqtt
        device_id: 0x00158d0001
        type: button_short_press
        subtype: button_1

Integrations fire the hub's `device_trigger` event (domain, device_id, type, subtype and what
else they know, such as the MQTT `topic` and `payload`); this trigger matches on it, so
automations import no integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hearthmind.core import Event

from .trigger import TRIGGER_KEYS, Detach, FireTrigger, Trigger
from .validation import KeyPath, RuleError, check_keys

if TYPE_CHECKING:
    from .environment import RuleEnvironment

EVENT_DEVICE_TRIGGER = "device_trigger"
_MATCHED = ("domain", "device_id", "type", "subtype")


class DeviceTrigger(Trigger):
    platform = "device"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(config, TRIGGER_KEYS | {*_MATCHED, "discovery_id"}, path, "a device trigger")
        for key in ("domain", "device_id", "type"):
            if not isinstance(config.get(key), str) or not config[key]:
                raise RuleError((*path, key), f"a device trigger needs '{key}' text")
        self.want = {k: str(config[k]) for k in _MATCHED if config.get(k) is not None}
        self.description = f"device {self.want['device_id']} {self.want['type']}" + (
            f" {self.want['subtype']}" if "subtype" in self.want else ""
        )

    def matches(self, event: Event) -> bool:
        return all(event.data.get(k) == v for k, v in self.want.items())

    def attach(self, fire: FireTrigger) -> Detach:
        base = self.base_variables()

        def on_event(event: Event) -> None:
            if self.matches(event):
                variables = {**base, **dict(event.data), "description": self.description}
                variables["platform"] = self.platform
                fire(variables, event.context)

        return self.env.hub.bus.async_listen(EVENT_DEVICE_TRIGGER, on_event)
