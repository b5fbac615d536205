"""The heap settler: after a burst of long-lived objects it collects and freezes once.

No wall-clock windows here: a burst is requests made without yielding to the loop (so no
timer can fire between them, however slow the machine), and the settle is awaited, not
slept for."""

from __future__ import annotations

import asyncio
import gc

from hearthmind.core import HeapSettler


async def test_each_request_pushes_the_settle_back_and_it_runs_once() -> None:
    loop = asyncio.get_running_loop()
    settler = HeapSettler(quiet=0.05)
    frozen_before = gc.get_freeze_count()
    # long-lived objects made during the burst (a list inside: a dict of numbers only is not
    # tracked by the collector, so it would never be frozen)
    kept = [{"n": [i]} for i in range(1000)]
    dues: list[float] = []
    for _ in range(5):  # a burst: each request replaces the timer with a later one
        asked = loop.time()
        settler.async_request()
        assert settler.pending and settler.due is not None
        assert settler.due >= asked + 0.05
        dues.append(settler.due)
    assert dues == sorted(dues)
    assert settler.settles == 0  # nothing ran: the loop had no turn during the burst
    while settler.pending:  # bounded by the test timeout, not by a guess of the delay
        await asyncio.sleep(0.01)
    assert settler.settles == 1 and settler.due is None
    assert gc.get_freeze_count() >= frozen_before + len(kept)
    gc.unfreeze()  # leave the test process as it was


async def test_cancel_drops_a_pending_settle() -> None:
    settler = HeapSettler(quiet=0.01)
    settler.async_request()
    settler.cancel()
    assert not settler.pending
    # the loop runs timers in order of their time: one due at 0.01 s would run before this
    # 0.05 s sleep ends, on any machine
    await asyncio.sleep(0.05)
    assert settler.settles == 0


def test_request_without_a_loop_does_nothing() -> None:
    settler = HeapSettler()
    settler.async_request()
    assert not settler.pending and settler.settles == 0
