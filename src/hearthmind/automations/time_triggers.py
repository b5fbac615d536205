"""`time`, `time_pattern` and `sun` triggers: moments computed ahead and scheduled on `hub.clock`
timers only, so the same rules run deterministically under a simulated clock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from hearthmind.core import valid_entity_id

from .schedule import TimePattern, next_sun_event, next_time_of_day
from .trigger import TRIGGER_KEYS, Detach, FireTrigger, Trigger
from .validation import KeyPath, RuleError, as_list, check_keys, parse_duration, parse_time_of_day

if TYPE_CHECKING:
    from hearthmind.core.clock import TimerHandle

    from .environment import RuleEnvironment


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
        check_keys(config, TRIGGER_KEYS | {"at"}, path, "a time trigger")
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
            config, TRIGGER_KEYS | {"hours", "minutes", "seconds"}, path, "a time_pattern trigger"
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
        check_keys(config, TRIGGER_KEYS | {"event", "offset"}, path, "a sun trigger")
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
