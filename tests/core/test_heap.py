"""The heap settler: after a burst of long-lived objects it collects and freezes once."""

from __future__ import annotations

import asyncio
import gc

from hearthmind.core import HeapSettler


async def test_settles_once_after_a_quiet_burst() -> None:
    settler = HeapSettler(quiet=0.05)
    frozen_before = gc.get_freeze_count()
    kept = [{"n": i} for i in range(1000)]  # long-lived objects made during the burst
    for _ in range(5):  # a burst: each request pushes the settle back
        settler.async_request()
        assert settler.pending
        await asyncio.sleep(0.01)
    assert settler.settles == 0
    await asyncio.sleep(0.1)
    assert not settler.pending
    assert settler.settles == 1
    assert gc.get_freeze_count() >= frozen_before + len(kept)
    gc.unfreeze()  # leave the test process as it was


def test_request_without_a_loop_does_nothing() -> None:
    settler = HeapSettler()
    settler.async_request()
    assert not settler.pending and settler.settles == 0
