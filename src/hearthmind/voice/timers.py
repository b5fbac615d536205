"""Spoken timers ("set a timer for 5 minutes"), kept on the hub's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from hearthmind.core import Hub

from .turns import Turn, VoiceAnswer

EVENT_TIMER_FINISHED = "voice_timer_finished"


@dataclass(slots=True)
class VoiceTimer:
    id: int
    seconds: float
    ends_at: float | None  # None while paused
    left_when_paused: float
    name: str | None
    handle: Any = None


def _duration(turn: Turn) -> float:
    total = 0.0
    for slot, factor in (("hours", 3600), ("minutes", 60), ("seconds", 1)):
        value = turn.slot(slot) or turn.slot(f"start_{slot}")
        if value is not None:
            total += float(value) * factor
    return total


def _spoken(seconds: float) -> str:
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    parts = [
        f"{v} {u}{'s' if v != 1 else ''}"
        for v, u in ((h, "hour"), (m, "minute"), (s, "second"))
        if v
    ]
    return " and ".join(parts) or "no time"


class VoiceTimers:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.timers: dict[int, VoiceTimer] = {}
        self._next = 1

    def _answer(self, speech: str, ok: bool = True) -> VoiceAnswer:
        return VoiceAnswer(speech, None, ok, error=None if ok else "no_timer")

    def _schedule(self, timer: VoiceTimer, seconds: float) -> None:
        now = self.hub.clock.now()
        timer.ends_at = self.hub.clock.timestamp() + seconds

        def finished() -> None:
            self.timers.pop(timer.id, None)
            self.hub.bus.async_fire(
                EVENT_TIMER_FINISHED,
                {"timer_id": timer.id, "name": timer.name, "seconds": timer.seconds},
                self.hub.context("voice"),
            )

        timer.handle = self.hub.clock.call_at(now + timedelta(seconds=seconds), finished)

    def _left(self, timer: VoiceTimer) -> float:
        if timer.ends_at is None:
            return timer.left_when_paused
        return max(0.0, timer.ends_at - self.hub.clock.timestamp())

    async def start(self, turn: Turn) -> VoiceAnswer:
        seconds = _duration(turn)
        if seconds <= 0:
            return self._answer("How long should the timer run?", False)
        timer = VoiceTimer(self._next, seconds, None, seconds, turn.slot("name"))
        self._next += 1
        self.timers[timer.id] = timer
        self._schedule(timer, seconds)
        return self._answer(f"Timer set for {_spoken(seconds)}.")

    def _pick(self, turn: Turn) -> VoiceTimer | None:
        return max(self.timers.values(), key=lambda t: t.id) if self.timers else None

    def _cancel_handle(self, timer: VoiceTimer) -> None:
        if timer.handle is not None and hasattr(timer.handle, "cancel"):
            timer.handle.cancel()

    async def cancel(self, turn: Turn) -> VoiceAnswer:
        timer = self._pick(turn)
        if timer is None:
            return self._answer("There's no timer running.", False)
        self._cancel_handle(timer)
        del self.timers[timer.id]
        return self._answer("Timer cancelled.")

    async def cancel_all(self, turn: Turn) -> VoiceAnswer:
        count = len(self.timers)
        self.cancel_all_now()
        return self._answer(
            f"Cancelled {count} timer{'s' if count != 1 else ''}."
            if count
            else "There are no timers running."
        )

    def cancel_all_now(self) -> None:
        for timer in self.timers.values():
            self._cancel_handle(timer)
        self.timers.clear()

    async def status(self, turn: Turn) -> VoiceAnswer:
        timer = self._pick(turn)
        if timer is None:
            return self._answer("There's no timer running.", False)
        paused = " (paused)" if timer.ends_at is None else ""
        return self._answer(f"{_spoken(self._left(timer))} left{paused}.")

    async def pause(self, turn: Turn) -> VoiceAnswer:
        timer = self._pick(turn)
        if timer is None or timer.ends_at is None:
            return self._answer("There's no running timer to pause.", False)
        timer.left_when_paused = self._left(timer)
        timer.ends_at = None
        self._cancel_handle(timer)
        return self._answer("Timer paused.")

    async def unpause(self, turn: Turn) -> VoiceAnswer:
        timer = self._pick(turn)
        if timer is None or timer.ends_at is not None:
            return self._answer("There's no paused timer.", False)
        self._schedule(timer, timer.left_when_paused)
        return self._answer("Timer resumed.")

    async def _shift(self, turn: Turn, sign: int) -> VoiceAnswer:
        timer = self._pick(turn)
        if timer is None:
            return self._answer("There's no timer running.", False)
        delta = _duration(turn) * sign
        left = max(1.0, self._left(timer) + delta)
        if timer.ends_at is None:
            timer.left_when_paused = left
        else:
            self._cancel_handle(timer)
            self._schedule(timer, left)
        return self._answer(f"{_spoken(left)} left.")

    async def increase(self, turn: Turn) -> VoiceAnswer:
        return await self._shift(turn, 1)

    async def decrease(self, turn: Turn) -> VoiceAnswer:
        return await self._shift(turn, -1)
