"""The hub's stop is bounded: a stop hook or a task that hangs is named, counted and given up
on, and every other hook still runs (the recorder, which stops last, above all)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from hearthmind.core import hub as hub_module
from hearthmind.core.clock import SimulatedClock
from hearthmind.core.hub import Hub


def make_hub() -> Hub:
    return Hub(clock=SimulatedClock(datetime(2026, 1, 5, tzinfo=UTC)), seed=1)


async def test_a_hanging_hook_is_given_up_on_and_the_rest_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = make_hub()
    await hub.async_start()
    ran: list[str] = []
    cancelled = asyncio.Event()

    async def recorder_flush() -> None:  # added first, so it runs last
        ran.append("recorder")

    async def hangs_forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def broker() -> None:
        ran.append("broker")

    hub.async_on_stop(recorder_flush, timeout=5.0)
    hub.async_on_stop(hangs_forever, timeout=0.01)
    hub.async_on_stop(broker)
    with caplog.at_level(logging.ERROR):
        await hub.async_stop()
    assert ran == ["broker", "recorder"]
    assert cancelled.is_set()
    assert hub.health.counts["stop_timeouts"] == 1
    assert "hangs_forever" in caplog.text  # the log names it and says where it was
    assert "test_hub_stop.py" in caplog.text


async def test_a_failing_hook_is_counted_and_the_rest_still_run() -> None:
    hub = make_hub()
    await hub.async_start()
    ran: list[str] = []

    async def last() -> None:
        ran.append("last")

    async def fails() -> None:
        raise RuntimeError("port already closed")

    hub.async_on_stop(last)
    hub.async_on_stop(fails)
    await hub.async_stop()
    assert ran == ["last"]
    assert hub.health.counts["stop_errors"] == 1
    assert hub.health.counts.get("stop_timeouts", 0) == 0
    await hub.async_stop()  # a second stop runs nothing again
    assert ran == ["last"]


async def test_a_task_that_will_not_be_cancelled_does_not_hold_up_the_hooks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "STOP_TASKS_TIMEOUT", 0.01)
    hub = make_hub()
    await hub.async_start()
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue  # swallows cancellation, as a badly written loop does

    task = hub.async_create_task(stubborn(), name="stubborn loop")
    ran: list[str] = []

    async def hook() -> None:
        ran.append("hook")

    hub.async_on_stop(hook)
    await asyncio.sleep(0)  # let the task start
    await hub.async_stop()
    assert ran == ["hook"]
    assert hub.health.counts["stop_timeouts"] == 1
    release.set()
    task.cancel()
    await asyncio.wait({task})
