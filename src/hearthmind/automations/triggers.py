"""Triggers: `state`, `numeric_state`, `event`, `homeassistant`, `time`, `time_pattern`, `sun`.

Each compiles once from its YAML and `attach(fire)`es to the hub: state triggers through the
state machine's per-entity index (one dict lookup per change, however many rules), events
through the bus, times through `hub.clock` timers only, so the same rules run deterministically
under a simulated clock. `fire(variables, context)` is called inline with the trigger's
variables (HA's `trigger.*`) and the context of what caused it (None for time)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from hearthmind.core import (
    EVENT_HUB_START,
    EVENT_HUB_STOP,
    Context,
    Event,
    State,
    valid_entity_id,
)

from .conditions import NumericCheck
from .schedule import TimePattern, next_sun_event, next_time_of_day
from .templates import TemplateError
from .validation import (
    KeyPath,
    RuleError,
    as_list,
    check_keys,
    entity_id_list,
    parse_duration,
    parse_time_of_day,
    pick,
    require_mapping,
    state_values,
)

if TYPE_CHECKING:
    from hearthmind.core import Hub
    from hearthmind.core.clock import TimerHandle

    from .environment import RuleEnvironment

FireTrigger = Callable[[dict[str, Any], Context | None], None]
Detach = Callable[[], None]

_COMMON = {"platform", "trigger", "id", "alias", "enabled"}


class Trigger:
    """Base: the trigger's platform, its `id` (HA's `trigger.id`, default its index)."""

    platform = ""

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        self.env = env
        self.index = str(index)
        self.id = str(config.get("id", self.index))
        self.description = self.platform

    def base_variables(self) -> dict[str, Any]:
        return {"platform": self.platform, "id": self.id, "idx": self.index}

    def attach(self, fire: FireTrigger) -> Detach:
        raise NotImplementedError


class PendingTimers:
    """The `for:` timers of one attached trigger, one per entity: started when the entity
    begins to match, cancelled when it stops matching, all cancelled on detach. Each timer
    keeps the state it was started for, so a later change can be compared against it."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._timers: dict[str, tuple[TimerHandle, State | None]] = {}

    def __bool__(self) -> bool:
        return bool(self._timers)

    def held(self, entity_id: str) -> State | None:
        """The state the entity's running timer was started for (None: no timer, or none kept)."""
        timer = self._timers.get(entity_id)
        return None if timer is None else timer[1]

    def running(self, entity_id: str) -> bool:
        return entity_id in self._timers

    def start(
        self, entity_id: str, seconds: float, fire: Callable[[], None], held: State | None = None
    ) -> None:
        """(Re)start the entity's timer: `fire` runs after `seconds` unless cancelled first."""
        self.cancel(entity_id)

        def elapsed() -> None:
            self._timers.pop(entity_id, None)
            fire()

        when = datetime.fromtimestamp(self._hub.clock.timestamp() + seconds, UTC)
        self._timers[entity_id] = (self._hub.clock.call_at(when, elapsed), held)

    def cancel(self, entity_id: str) -> None:
        timer = self._timers.pop(entity_id, None)
        if timer is not None:
            timer[0].cancel()

    def cancel_all(self) -> None:
        for handle, _ in self._timers.values():
            handle.cancel()
        self._timers.clear()


# -- state ------------------------------------------------------------------------------------


class StateTrigger(Trigger):
    platform = "state"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config,
            _COMMON | {"entity_id", "from", "to", "not_from", "not_to", "attribute", "for"},
            path,
            "a state trigger",
        )
        if "entity_id" not in config:
            raise RuleError(path, "a state trigger needs 'entity_id'")
        self.entity_ids = entity_id_list(config["entity_id"], (*path, "entity_id"))
        self.attribute: str | None = config.get("attribute")
        for a, b in (("from", "not_from"), ("to", "not_to")):
            if a in config and b in config and config[a] is not None:
                raise RuleError((*path, b), f"use either {a!r} or {b!r}, not both")
        self.from_ = self._values(config, "from", path)
        self.to = self._values(config, "to", path)
        self.not_from = self._values(config, "not_from", path)
        self.not_to = self._values(config, "not_to", path)
        # with only entity_id (no from/to/attribute), attribute-only changes trigger too
        self.match_all = not any(
            k in config for k in ("from", "to", "not_from", "not_to", "attribute")
        )
        self.for_ = parse_duration(config["for"], (*path, "for")) if "for" in config else None
        self.description = f"state of {', '.join(self.entity_ids)}"

    def _values(self, config: Mapping[str, Any], key: str, path: KeyPath) -> frozenset[str] | None:
        if key not in config:
            return None
        values = state_values(config[key], (*path, key))
        if values is not None and self.attribute is not None:
            # attribute values keep their YAML type (numbers), compare them as text too
            values = values | {str(v) for v in as_list(config[key])}
        return values

    def _value(self, state: State | None) -> str | None:
        if state is None:
            return None
        if self.attribute is None:
            return state.state
        value = state.attributes.get(self.attribute)
        return None if value is None else _as_text(value)

    def matches(self, old: State | None, new: State | None) -> bool:
        if new is None:
            return False  # the entity was removed
        old_value = self._value(old)
        new_value = self._value(new)
        if self.attribute is not None and old is not None and old_value == new_value:
            return False
        if self.from_ is not None and old_value not in self.from_:
            return False
        if self.not_from is not None and old_value in self.not_from:
            return False
        if self.to is not None and new_value not in self.to:
            return False
        if self.not_to is not None and new_value in self.not_to:
            return False
        return self.match_all or old is None or old_value != new_value

    def attach(self, fire: FireTrigger) -> Detach:
        hub = self.env.hub
        pending = PendingTimers(hub)
        base = self.base_variables()
        attribute = self.attribute
        for_ = self.for_
        for_delta = timedelta(seconds=for_) if for_ is not None else None
        description = self.description

        def on_change(event: Event) -> None:
            data = event.data
            entity_id: str = data["entity_id"]
            old: State | None = data["old_state"]
            new: State | None = data["new_state"]
            # the value a timer waits on changed (or the entity went): the rule no longer
            # holds for the whole `for:`
            if (
                pending
                and pending.running(entity_id)
                and (new is None or self._value(new) != self._value(pending.held(entity_id)))
            ):
                pending.cancel(entity_id)
            if not self.matches(old, new):
                return
            variables = {
                **base,
                "entity_id": entity_id,
                "from_state": old,
                "to_state": new,
                "for": for_delta,
                "attribute": attribute,
                "description": description,
            }
            if for_ is None:
                fire(variables, event.context)
                return
            context = event.context
            pending.start(entity_id, for_, lambda: fire(variables, context), held=new)

        unsubscribe = hub.states.async_track_entities(self.entity_ids, on_change)

        def detach() -> None:
            unsubscribe()
            pending.cancel_all()

        return detach


def _as_text(value: Any) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value)


# -- numeric_state ----------------------------------------------------------------------------


class NumericStateTrigger(Trigger):
    """Fires when a value enters the range: it must have been outside it first, as in HA (an
    entity already in range when the rule is attached does not fire until it leaves)."""

    platform = "numeric_state"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config,
            _COMMON | {"entity_id", "above", "below", "attribute", "value_template", "for"},
            path,
            "a numeric_state trigger",
        )
        if "entity_id" not in config:
            raise RuleError(path, "a numeric_state trigger needs 'entity_id'")
        self.entity_ids = entity_id_list(config["entity_id"], (*path, "entity_id"))
        self.check = NumericCheck(config, path, env)
        self.for_ = parse_duration(config["for"], (*path, "for")) if "for" in config else None
        self.description = f"numeric state of {', '.join(self.entity_ids)}"

    def attach(self, fire: FireTrigger) -> Detach:
        hub = self.env.hub
        check = self.check
        base = self.base_variables()
        for_ = self.for_
        empty: dict[str, Any] = {}
        armed = {e for e in self.entity_ids if not self._safe_in_range(hub.states.get(e), empty)}
        pending = PendingTimers(hub)

        def on_change(event: Event) -> None:
            entity_id: str = event.data["entity_id"]
            new: State | None = event.data["new_state"]
            variables = {
                **base,
                "entity_id": entity_id,
                "from_state": event.data["old_state"],
                "to_state": new,
                "above": check.above,
                "below": check.below,
                "for": timedelta(seconds=for_) if for_ is not None else None,
                "description": self.description,
            }
            try:
                in_range = check.in_range(new, {"trigger": variables})
            except TemplateError as err:
                hub.health.problem(
                    "automation_template_errors",
                    f"{self.description}: value_template: {err}",
                    hub.clock.timestamp(),
                )
                in_range = False
            if not in_range:
                armed.add(entity_id)
                pending.cancel(entity_id)
                return
            if entity_id not in armed:
                return
            armed.discard(entity_id)
            if for_ is None:
                fire(variables, event.context)
                return
            context = event.context
            pending.start(entity_id, for_, lambda: fire(variables, context))

        unsubscribe = hub.states.async_track_entities(self.entity_ids, on_change)

        def detach() -> None:
            unsubscribe()
            pending.cancel_all()

        return detach

    def _safe_in_range(self, state: State | None, variables: dict[str, Any]) -> bool:
        try:
            return self.check.in_range(state, variables)
        except Exception:  # a template that needs `trigger` cannot judge the initial state
            return False


# -- event and homeassistant ------------------------------------------------------------------


class EventTrigger(Trigger):
    platform = "event"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config, _COMMON | {"event_type", "event_data", "context"}, path, "an event trigger"
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
        check_keys(config, _COMMON | {"event"}, path, "a homeassistant trigger")
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


# -- time, time_pattern, sun ------------------------------------------------------------------


class _ScheduledTrigger(Trigger):
    """A trigger that fires at computed moments: schedule the next one on `hub.clock` when
    attached and after each firing, counting from the moment it was due (a timer that wakes a
    little early must not fire twice)."""

    def next_after(self, after: datetime) -> datetime | None:
        raise NotImplementedError

    def variables(self, due: datetime) -> dict[str, Any]:
        return {**self.base_variables(), "description": self.description}

    def attach(self, fire: FireTrigger) -> Detach:
        clock = self.env.hub.clock
        handle: list[TimerHandle] = []

        def schedule(after: datetime) -> None:
            handle.clear()
            due = self.next_after(after)
            if due is None:
                return

            def ring() -> None:
                schedule(due)
                fire(self.variables(due), None)

            handle.append(clock.call_at(due, ring))

        schedule(clock.now())

        def detach() -> None:
            for h in handle:
                h.cancel()
            handle.clear()

        return detach


class TimeTrigger(_ScheduledTrigger):
    platform = "time"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(config, _COMMON | {"at"}, path, "a time trigger")
        if "at" not in config:
            raise RuleError(path, "a time trigger needs 'at'")
        raw = config["at"]
        items = as_list(raw)
        if not items:
            raise RuleError((*path, "at"), "a time trigger needs at least one time in 'at'")
        self.times: list[time] = []
        for i, value in enumerate(items):
            here = (*path, "at", i) if isinstance(raw, list) else (*path, "at")
            if isinstance(value, str) and valid_entity_id(value.strip()):
                raise RuleError(
                    here,
                    f"time triggers at an entity's time ({value}) are not supported; "
                    "give a time of day, 'HH:MM[:SS]'",
                )
            self.times.append(parse_time_of_day(value, here))
        self.description = f"time {', '.join(t.isoformat() for t in self.times)}"

    def next_after(self, after: datetime) -> datetime | None:
        return min(next_time_of_day(after, t, self.env.tz) for t in self.times)

    def variables(self, due: datetime) -> dict[str, Any]:
        return {**super().variables(due), "now": due.astimezone(self.env.tz), "entity_id": None}


class TimePatternTrigger(_ScheduledTrigger):
    platform = "time_pattern"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config, _COMMON | {"hours", "minutes", "seconds"}, path, "a time_pattern trigger"
        )
        self.pattern = TimePattern.parse(
            config.get("hours"), config.get("minutes"), config.get("seconds"), path
        )
        self.description = "time pattern"

    def next_after(self, after: datetime) -> datetime | None:
        return self.pattern.next_after(after, self.env.tz)

    def variables(self, due: datetime) -> dict[str, Any]:
        return {**super().variables(due), "now": due.astimezone(self.env.tz)}


class SunTrigger(_ScheduledTrigger):
    platform = "sun"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(config, _COMMON | {"event", "offset"}, path, "a sun trigger")
        event = config.get("event")
        if event not in ("sunrise", "sunset"):
            raise RuleError((*path, "event"), f"event must be 'sunrise' or 'sunset', got {event!r}")
        self.event = str(event)
        seconds = (
            parse_duration(config["offset"], (*path, "offset"), allow_negative=True)
            if "offset" in config
            else 0.0
        )
        self.offset = timedelta(seconds=seconds)
        self.description = f"{event} with offset {self.offset}"

    def next_after(self, after: datetime) -> datetime | None:
        loc = self.env.location
        return next_sun_event(
            after, self.event, self.offset, loc.latitude, loc.longitude, loc.elevation, self.env.tz
        )

    def variables(self, due: datetime) -> dict[str, Any]:
        return {**super().variables(due), "event": self.event, "offset": self.offset}


_PLATFORMS: dict[str, type[Trigger]] = {
    "state": StateTrigger,
    "numeric_state": NumericStateTrigger,
    "event": EventTrigger,
    "homeassistant": HubTrigger,
    "time": TimeTrigger,
    "time_pattern": TimePatternTrigger,
    "sun": SunTrigger,
}


# the template trigger lives in its own module and builds on `Trigger`, defined above
from .template_trigger import TemplateTrigger  # noqa: E402

_PLATFORMS["template"] = TemplateTrigger


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
