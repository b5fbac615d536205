"""Health counters: every error, drop and skip is counted, and the last few are kept readable."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class HealthProblem:
    timestamp: float
    counter: str
    message: str


class HealthCounters:
    """Counters of events, errors and dropped input, shared by every component of a hub."""

    def __init__(self, keep_last: int = 100) -> None:
        self.counts: Counter[str] = Counter()
        self.recent: deque[HealthProblem] = deque(maxlen=keep_last)

    def incr(self, counter: str, n: int = 1) -> None:
        self.counts[counter] += n

    def problem(self, counter: str, message: str, timestamp: float = 0.0) -> None:
        """Count a problem and keep its message; `errors` counts all problems together."""
        self.counts[counter] += 1
        self.counts["errors"] += 1
        self.recent.append(HealthProblem(timestamp, counter, message))

    def __getitem__(self, counter: str) -> int:
        return self.counts[counter]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counters": dict(sorted(self.counts.items())),
            "recent_problems": [
                {"timestamp": p.timestamp, "counter": p.counter, "message": p.message}
                for p in self.recent
            ],
        }
