"""Models for the child-process fit's tests: in a module of their own, so the child can
import them by name (pickle sends a class by its module path)."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from hearthmind.routines.models import MarkovChain
from hearthmind.routines.observations import Episode


class BrokenFit(MarkovChain):
    def fit(self, history: Sequence[Episode]) -> None:
        raise ValueError("model bug in fit")


class DyingFit(MarkovChain):
    """The child dies mid-fit (as the kernel's OOM killer would end it)."""

    def fit(self, history: Sequence[Episode]) -> None:
        os._exit(3)


class MarkedSlowFit(MarkovChain):
    """Writes its process id to `marker`, then fits for at most `seconds` (the test cancels
    it long before)."""

    def __init__(self, marker: str, seconds: float = 60.0) -> None:
        super().__init__()
        self.marker = marker
        self.seconds = seconds

    def fit(self, history: Sequence[Episode]) -> None:
        Path(self.marker).write_text(str(os.getpid()))
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
        super().fit(history)
