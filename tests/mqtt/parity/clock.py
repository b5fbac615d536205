"""Time a parity case can move forward (HA's tests use `async_fire_time_changed`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from hearthmind.core.clock import RealClock, TimerHandle


class ShiftClock(RealClock):
    """Wall-clock time that a case can move forward (`advance`): timers due by then fire at
    once, as HA's tests do with `async_fire_time_changed`."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = 0.0
        self._timers: list[_ShiftTimer] = []

    def timestamp(self) -> float:
        return super().timestamp() + self.offset

    def call_at(self, when: datetime, callback: Callable[[], None]) -> TimerHandle:
        timer = _ShiftTimer(self, when.timestamp(), callback)
        self._timers.append(timer)
        timer.schedule()
        return timer

    def advance(self, seconds: float) -> None:
        self.offset += seconds
        self._timers = [t for t in self._timers if not t.done]
        for timer in list(self._timers):
            timer.schedule()


class _ShiftTimer:
    def __init__(self, clock: ShiftClock, when: float, callback: Callable[[], None]) -> None:
        self.clock, self.when, self.callback = clock, when, callback
        self.handle: asyncio.TimerHandle | None = None
        self.done = False

    def schedule(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
        delay = max(0.0, self.when - self.clock.timestamp())
        self.handle = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        if not self.done:
            self.done = True
            self.callback()

    def cancel(self) -> None:
        self.done = True
        if self.handle is not None:
            self.handle.cancel()
