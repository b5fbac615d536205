"""Time for the whole hub. Nothing else reads the wall clock: a simulated clock runs a month
of a home in seconds, deterministically."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class TimerHandle(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """What every component uses for time."""

    @property
    def simulated(self) -> bool: ...

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def timestamp(self) -> float:
        """The current time as seconds since the epoch (cheap, for hot paths)."""
        ...

    async def async_sleep(self, seconds: float) -> None: ...

    async def async_sleep_until(self, when: datetime) -> None: ...

    def call_at(self, when: datetime, callback: Callable[[], None]) -> TimerHandle: ...


def track_time_interval(
    clock: Clock, interval: timedelta, action: Callable[[], None]
) -> TimerHandle:
    """Call `action` every `interval` on `clock`, the first time one interval from now, until
    the returned handle is cancelled (Home Assistant's async_track_time_interval). The next
    call is set once the action has run, from the clock's time then, as the components that
    each wrote this chain of timers did; an action that raises ends the chain."""
    return _Repeating(clock, interval, action).start()


@dataclass(eq=False)
class _Repeating:
    clock: Clock
    interval: timedelta
    action: Callable[[], None]
    handle: TimerHandle | None = None
    cancelled: bool = False

    def start(self) -> _Repeating:
        self.handle = self.clock.call_at(self.clock.now() + self.interval, self._fire)
        return self

    def _fire(self) -> None:
        if self.cancelled:
            return
        self.action()
        if not self.cancelled:  # the action may have cancelled it
            self.start()

    def cancel(self) -> None:
        self.cancelled = True
        if self.handle is not None:
            self.handle.cancel()


class RealClock:
    """Wall-clock time, optionally sped up (`speed=60` runs an hour a minute) from `start`."""

    def __init__(self, start: datetime | None = None, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        self.speed = speed
        self._mono0 = time.monotonic()
        wall0 = time.time()
        self._t0 = start.timestamp() if start is not None else wall0

    @property
    def simulated(self) -> bool:
        return self.speed != 1.0

    def timestamp(self) -> float:
        return self._t0 + (time.monotonic() - self._mono0) * self.speed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    async def async_sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    async def async_sleep_until(self, when: datetime) -> None:
        await self.async_sleep(when.timestamp() - self.timestamp())

    def call_at(self, when: datetime, callback: Callable[[], None]) -> TimerHandle:
        loop = asyncio.get_running_loop()
        delay = max(0.0, when.timestamp() - self.timestamp()) / self.speed
        return loop.call_later(delay, callback)


@dataclass(order=True)
class _Timer:
    when: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class SimulatedClock:
    """Virtual time that only moves when `async_run_until` advances it: timers fire in time
    order (ties in scheduling order), and between timers the event loop is allowed to settle,
    so the same seed gives the same history."""

    SETTLE_YIELDS = 8

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start")
        self._now = start.timestamp()
        self._heap: list[_Timer] = []
        self._seq = itertools.count()

    @property
    def simulated(self) -> bool:
        return True

    def timestamp(self) -> float:
        return self._now

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._now, UTC)

    def call_at(self, when: datetime, callback: Callable[[], None]) -> TimerHandle:
        timer = _Timer(max(when.timestamp(), self._now), next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        return timer

    async def async_sleep_until(self, when: datetime) -> None:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not fut.done():
                fut.set_result(None)

        timer = self.call_at(when, wake)
        try:
            await fut
        finally:
            timer.cancel()

    async def async_sleep(self, seconds: float) -> None:
        await self.async_sleep_until(datetime.fromtimestamp(self._now + max(0.0, seconds), UTC))

    async def async_settle(self) -> None:
        for _ in range(self.SETTLE_YIELDS):
            await asyncio.sleep(0)

    async def async_run_until(
        self, end: datetime, on_advance: Callable[[float], None] | None = None
    ) -> None:
        """Advance virtual time to `end`, firing every timer due on the way."""
        end_ts = end.timestamp()
        while True:
            await self.async_settle()
            while self._heap and self._heap[0].cancelled:
                heapq.heappop(self._heap)
            if not self._heap or self._heap[0].when > end_ts:
                break
            timer = heapq.heappop(self._heap)
            self._now = timer.when
            timer.callback()
            if on_advance is not None:
                on_advance(self._now)
        self._now = max(self._now, end_ts)
        await self.async_settle()

    async def async_advance(self, delta: timedelta) -> None:
        await self.async_run_until(datetime.fromtimestamp(self._now, UTC) + delta)
