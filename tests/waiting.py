"""Waiting for something to become true without guessing how long it takes: poll, bounded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> None:
    """Return once `predicate()` is true; fail after `timeout` seconds (a hang, not a race)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)
