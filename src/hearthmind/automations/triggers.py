"""Triggers: `state`, `numeric_state`, `event`, `homeassistant`, `time`, `time_pattern`, `sun`.

Each compiles once from its YAML and `attach(fire)`es to the hub: state triggers through the
state machine's per-entity index (one dict lookup per change, however many rules), events
through the bus, times through `hub.clock` timers only, so the same rules run deterministically
under a simulated clock. `fire(variables, context)` is called inline with the trigger's
variables (HA's `trigger.*`) and the context of what caused it (None for time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .device_trigger import DeviceTrigger
from .event_triggers import EventTrigger, HubTrigger
from .state_triggers import NumericStateTrigger, StateTrigger
from .template_trigger import TemplateTrigger
from .time_triggers import SunTrigger, TimePatternTrigger, TimeTrigger
from .trigger import Detach, FireTrigger, Trigger
from .validation import KeyPath, RuleError, as_list, pick, require_mapping

if TYPE_CHECKING:
    from .environment import RuleEnvironment

__all__ = ["Detach", "FireTrigger", "Trigger", "compile_triggers"]

_PLATFORMS: dict[str, type[Trigger]] = {
    "state": StateTrigger,
    "numeric_state": NumericStateTrigger,
    "event": EventTrigger,
    "homeassistant": HubTrigger,
    "time": TimeTrigger,
    "time_pattern": TimePatternTrigger,
    "sun": SunTrigger,
    "template": TemplateTrigger,
    "device": DeviceTrigger,
}


def compile_triggers(value: Any, path: KeyPath, env: RuleEnvironment) -> list[Trigger]:
    items = as_list(value)
    out: list[Trigger] = []
    for i, item in enumerate(items):
        here = (*path, i) if isinstance(value, list) else path
        config = require_mapping(item, here, "a trigger")
        if config.get("enabled", True) is False:
            continue
        key, platform = pick(config, here, "platform", "trigger")
        if key is None:
            raise RuleError(here, "a trigger needs 'platform:' (or 'trigger:'), e.g. state")
        cls = _PLATFORMS.get(str(platform))
        if cls is None:
            raise RuleError(
                (*here, key),
                f"unknown trigger platform {platform!r} (known: {', '.join(sorted(_PLATFORMS))})",
            )
        out.append(cls(config, here, i, env))
    return out
