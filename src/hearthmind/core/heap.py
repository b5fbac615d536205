"""Keeping CPython's full garbage collections short while the hub runs.

A full collection walks every tracked object with the event loop stopped. Objects made by
set-up, by MQTT discovery or by an automation reload live as long as the hub: after a
thousand discovered entities a full collection took 10-30 ms (seen with gc.callbacks in
diagnosis probes of bench/core_mqtt.py), a pause that an automation's answer waits out. So when such a
burst has ended (nothing new for `quiet` seconds), the settler collects once and freezes
the survivors (`gc.freeze`): later full collections walk only what came after.

The price: a frozen object that later becomes cyclic garbage is never collected. What is
frozen is set-up state (entities, rules, compiled templates); removing one is rare and small.
"""

from __future__ import annotations

import asyncio
import gc

SETTLE_QUIET = 0.5  # seconds without a new request before the heap is settled


class HeapSettler:
    """Debounced `gc.collect(); gc.freeze()` after bursts of long-lived allocations."""

    def __init__(self, quiet: float = SETTLE_QUIET) -> None:
        self.quiet = quiet
        self.settles = 0
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        """A settle is scheduled (a burst has not been quiet long enough yet)."""
        return self._timer is not None

    @property
    def due(self) -> float | None:
        """When the scheduled settle runs, on the event loop's clock (None: none scheduled)."""
        return self._timer.when() if self._timer is not None else None

    def settle_now(self) -> None:
        """Collect and freeze at once (at the end of set-up, before the loop is busy)."""
        self.cancel()
        gc.collect()
        gc.freeze()
        self.settles += 1

    def async_request(self) -> None:
        """Something long-lived was just made: settle once the burst has been quiet."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous test or tool): nothing runs to pause
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(self.quiet, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.settle_now()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
