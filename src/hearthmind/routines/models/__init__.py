"""Models behind the `Predictor` protocol."""

from __future__ import annotations

from .baselines import MarkovChain, MostFrequent, RepeatLast
from .lezi import ActiveLeZi
from .ranker import ContextRanker
from .stats import SequenceStats
from .time_habits import TimeHabitMiner

__all__ = [
    "ActiveLeZi",
    "ContextRanker",
    "MarkovChain",
    "MostFrequent",
    "RepeatLast",
    "SequenceStats",
    "TimeHabitMiner",
]
