"""`event` and `homeassistant` (start, shutdown) triggers, through the bus."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hearthmind.core import EVENT_HUB_START, EVENT_HUB_STOP, Event

from .trigger import TRIGGER_KEYS, Detach, FireTrigger, Trigger
from .validation import KeyPath, RuleError, as_list, check_keys, require_mapping

if TYPE_CHECKING:
    from .environment import RuleEnvironment


# -- event and homeassistant ------------------------------------------------------------------


class EventTrigger(Trigger):
    platform = "event"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config, TRIGGER_KEYS | {"event_type", "event_data", "context"}, path, "an event trigger"
        )
        types = as_list(config.get("event_type"))
        if not types or not all(isinstance(t, str) and t for t in types):
            raise RuleError((*path, "event_type"), "an event trigger needs 'event_type' text")
        self.event_types: list[str] = types
        self.event_data = dict(
            require_mapping(config.get("event_data") or {}, (*path, "event_data"), "event_data")
        )
        context = require_mapping(config.get("context") or {}, (*path, "context"), "context")
        check_keys(context, {"user_id"}, (*path, "context"), "an event trigger's context")
        self.user_ids = {str(u) for u in as_list(context.get("user_id"))}
        self.description = f"event '{', '.join(self.event_types)}'"

    def matches(self, event: Event) -> bool:
        data = event.data
        for key, want in self.event_data.items():
            if key not in data or not _data_matches(want, data[key]):
                return False
        return not self.user_ids or event.context.user_id in self.user_ids

    def attach(self, fire: FireTrigger) -> Detach:
        base = self.base_variables()

        def on_event(event: Event) -> None:
            if self.matches(event):
                fire({**base, "event": event, "description": self.description}, event.context)

        unsubs = [self.env.hub.bus.async_listen(t, on_event) for t in self.event_types]

        def detach() -> None:
            for unsubscribe in unsubs:
                unsubscribe()

        return detach


def _data_matches(want: Any, got: Any) -> bool:
    """`event_data` matches a subset, recursively into mappings."""
    if isinstance(want, Mapping):
        return isinstance(got, Mapping) and all(
            k in got and _data_matches(v, got[k]) for k, v in want.items()
        )
    return bool(want == got) or (
        isinstance(want, str) and not isinstance(got, str) and want == str(got)
    )


class HubTrigger(Trigger):
    """HA's `homeassistant` trigger: `event: start` or `event: shutdown`."""

    platform = "homeassistant"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(config, TRIGGER_KEYS | {"event"}, path, "a homeassistant trigger")
        event = config.get("event")
        if event not in ("start", "shutdown"):
            raise RuleError((*path, "event"), f"event must be 'start' or 'shutdown', got {event!r}")
        self.event = str(event)
        self.description = f"hub {event}"

    def attach(self, fire: FireTrigger) -> Detach:
        base = self.base_variables()
        event_type = EVENT_HUB_START if self.event == "start" else EVENT_HUB_STOP

        def on_event(event: Event) -> None:
            fire({**base, "event": self.event, "description": self.description}, event.context)

        return self.env.hub.bus.async_listen(event_type, on_event)
