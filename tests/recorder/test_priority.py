"""The writer thread's CPU priority: background while it keeps up, normal when work piles up."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from hearthmind.core import Hub
from hearthmind.recorder import Recorder
from hearthmind.recorder.priority import ThreadPriority, _can_return_to_normal

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SCHED_IDLE is a Linux scheduling class"
)


def _policy_in_thread(steps: list[str]) -> list[int]:
    """Run `steps` ("background" / "normal") on a ThreadPriority in a fresh thread; return
    the thread's scheduling policy after each step (the process's own is never touched)."""
    seen: list[int] = []

    def run() -> None:
        priority = ThreadPriority("background")
        for step in steps:
            priority.to_background() if step == "background" else priority.to_normal()
            seen.append(os.sched_getscheduler(0))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    return seen


@linux_only
def test_switches_only_the_calling_thread() -> None:
    if not _can_return_to_normal():
        pytest.skip("this process may not return a thread to normal priority (RLIMIT_NICE)")
    seen = _policy_in_thread(["background", "normal", "background"])
    assert seen == [os.SCHED_IDLE, os.SCHED_OTHER, os.SCHED_IDLE]
    assert os.sched_getscheduler(0) == os.SCHED_OTHER  # this (main) thread is untouched


def test_normal_wanted_never_switches() -> None:
    priority = ThreadPriority("normal")
    assert not priority.supported
    priority.to_background()
    assert not priority.background


@linux_only
async def test_writer_raises_priority_while_behind_and_drops_it_after(
    hub: Hub, tmp_path: Path
) -> None:
    if not _can_return_to_normal():
        pytest.skip("this process may not return a thread to normal priority (RLIMIT_NICE)")
    # tiny batches and a low threshold: a burst of 2,000 changes puts the writer behind
    rec = Recorder(hub, f"sqlite:///{tmp_path / 'db.sqlite'}", max_batch=20, raise_priority_at=50)
    await rec.async_start()
    await hub.async_start()
    try:
        ctx = hub.context("sensor")
        for i in range(2_000):
            hub.states.async_set(f"sensor.s{i % 40}", str(i), None, ctx)
        await rec.async_flush()
        assert rec.committed_states == 2_000
        assert hub.health.counts["recorder_priority_raised"] >= 1
        assert rec._priority.raised >= 1
        # caught up: back in the background
        for _ in range(100):
            if rec._priority.background:
                break
            hub.states.async_set("sensor.tick", str(_), None, ctx)
            await rec.async_flush()
        assert rec._priority.background
    finally:
        await hub.async_stop()
        await rec.async_stop()
