"""Which models the harness runs, built fresh for each task."""

from __future__ import annotations

from collections.abc import Callable, Collection

from ..models import (
    ActiveLeZi,
    ContextRanker,
    MarkovChain,
    MostFrequent,
    RepeatLast,
    TimeHabitMiner,
)
from ..predictor import Predictor

BEST = "boosted_ranker"


def make_models(
    *,
    now_is_target_time: bool,
    progress: Callable[[str], None] | None = None,
    only: Collection[str] | None = None,
) -> list[Predictor]:
    """All models (or those named in `only`), fresh."""
    models: list[Predictor] = [
        MostFrequent(),
        RepeatLast(),
        MarkovChain(use_hour_slot=False),
        MarkovChain(use_hour_slot=True),
        ActiveLeZi(),
        TimeHabitMiner(),
        ContextRanker(now_is_target_time=now_is_target_time, progress=progress),
    ]
    return [m for m in models if only is None or m.name in only]
