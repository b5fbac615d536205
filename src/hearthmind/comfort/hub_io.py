"""What the hub-side comfort controllers (pre-heating, the cottage) share: reading numbers
from the state machine, the home's time zone, and a tick at every full hour of the hub's
clock run as a task that stopping waits for."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthmind.core import Hub
from hearthmind.core.clock import TimerHandle

HOUR = 3600.0


def float_or_none(value: Any) -> float | None:
    """A finite number, or None for anything else (text, None, NaN, infinity)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def number(hub: Hub, entity_id: str | None) -> float | None:
    """An entity's state as a finite number (None: no such entity, or not a number)."""
    state = hub.states.get(entity_id) if entity_id else None
    return None if state is None else float_or_none(state.state)


def home_zone(hub: Hub) -> tzinfo | None:
    try:
        return ZoneInfo(hub.config.core.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class HourlyTicks:
    """`tick()` at every full hour of the hub's clock, each run as a task of its own (and any
    other coroutine given to `spawn`); `async_stop` cancels the next one and waits for those
    still running."""

    def __init__(self, hub: Hub, tick: Callable[[], Coroutine[Any, Any, Any]], name: str) -> None:
        self.hub = hub
        self._tick = tick
        self._name = name
        self._timer: TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def schedule(self) -> None:
        nxt = (self.hub.clock.timestamp() // HOUR + 1) * HOUR

        def fire() -> None:
            self.spawn(self._tick())
            self.schedule()

        self._timer = self.hub.clock.call_at(datetime.fromtimestamp(nxt, UTC), fire)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = self.hub.async_create_task(coro, name=self._name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def async_stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
