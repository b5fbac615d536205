"""The time-habit miner: when each item happens, by time of day and by weekday or weekend,
with circular statistics, and how regular it is.

Prediction scores each item by its daily rate times a circularly smoothed density of its
clock times (48 half-hour bins), so it answers "what usually happens around now"."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..observations import Episode, Observation
from ..predictor import Prediction, explain_from_evidence, top_k
from ..timeofday import (
    DAY,
    CircularSummary,
    circular_summary,
    clock_text,
    day_index,
    home_day_start,
    is_weekend,
    seconds_of_day,
)

BINS = 48
BIN = DAY / BINS


@dataclass
class Habit:
    """One item's timing on one kind of day ("weekday" / "weekend")."""

    item: str
    day_kind: str
    times: CircularSummary  # of every occurrence
    first_times: CircularSummary  # of the first occurrence per day
    days_with: int
    days_seen: int
    density: list[float]  # smoothed occurrences per day per bin

    @property
    def daily_share(self) -> float:
        return self.days_with / self.days_seen if self.days_seen else 0.0

    @property
    def regularity(self) -> float:
        """Resultant length of the first-of-day times: 1 = the same minute every day."""
        return self.first_times.resultant


class TimeHabitMiner:
    name = "time_habits"

    def __init__(self, smoothing_bins: float = 1.5, day_start: float | None = None) -> None:
        self.smoothing_bins = smoothing_bins
        # Seconds after midnight where the home's day begins; None: the quietest night hour of the
        # history fitted (people's days turn over while they sleep, not at midnight).
        self.fixed_day_start = day_start
        self.day_start = day_start or 0.0
        self._reset()

    def _reset(self) -> None:
        self.habits: dict[tuple[str, str], Habit] = {}
        self._times: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
        self._first: defaultdict[tuple[str, str], dict[int, float]] = defaultdict(dict)
        self._days: dict[str, set[int]] = {"weekday": set(), "weekend": set()}
        self._dirty = False

    def day_kind(self, t: float) -> str:
        """Weekday or weekend of the home's day that `t` belongs to."""
        return "weekend" if is_weekend(t - self.day_start) else "weekday"

    def day_of(self, t: float) -> int:
        """Index of the home's day (starting at `day_start`) that `t` belongs to."""
        return day_index(t, self.day_start)

    def fit(self, history: Sequence[Episode]) -> None:
        self._reset()
        if self.fixed_day_start is None:
            self.day_start = home_day_start(obs.time for episode in history for obs in episode)
        for episode in history:
            for obs in episode:
                self._add(obs)
        self._rebuild()

    def update(self, observation: Observation) -> None:
        self._add(observation)
        self._dirty = True
        # keep the density used by predict() current without a full rebuild
        key = (observation.item, self.day_kind(observation.time))
        habit = self.habits.get(key)
        if habit is not None:
            b = int(seconds_of_day(observation.time) // BIN) % BINS
            for j, w in enumerate(self._kernel):
                habit.density[(b + j - 4) % BINS] += w / habit.days_seen

    def _add(self, obs: Observation) -> None:
        kind = self.day_kind(obs.time)
        key = (obs.item, kind)
        tod = seconds_of_day(obs.time)
        times = self._times[key]
        if len(times) < 5000:
            times.append(tod)
        day = self.day_of(obs.time)
        self._days[kind].add(day)
        first = self._first[key]
        # the first of the home's day, not of the calendar day; kept as a clock time
        if day not in first or (tod - self.day_start) % DAY < (first[day] - self.day_start) % DAY:
            first[day] = tod

    @property
    def _kernel(self) -> list[float]:
        kernel = [math.exp(-0.5 * (d / self.smoothing_bins) ** 2) for d in range(-4, 5)]
        norm = sum(kernel)
        return [k / norm for k in kernel]

    def _rebuild(self) -> None:
        kernel = self._kernel
        self.habits = {}
        for (item, kind), times in self._times.items():
            days_seen = max(1, len(self._days[kind]))
            hist = [0.0] * BINS
            for t in times:
                hist[int(t // BIN) % BINS] += 1
            density = [
                sum(kernel[j] * hist[(b - j + 4) % BINS] for j in range(9)) / days_seen
                for b in range(BINS)
            ]
            firsts = list(self._first[(item, kind)].values())
            self.habits[(item, kind)] = Habit(
                item,
                kind,
                circular_summary(times),
                circular_summary(firsts),
                len(firsts),
                days_seen,
                density,
            )
        self._dirty = False

    def refresh(self) -> None:
        """Recomputes the circular summaries after online updates (for listing routines)."""
        if self._dirty:
            self._rebuild()

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        kind = self.day_kind(now)
        b = int(seconds_of_day(now) // BIN) % BINS
        scores = {}
        for (item, hk), habit in self.habits.items():
            if hk == kind:
                # the coming hour counts too: a habit due in 20 minutes is still "now"
                scores[item] = habit.density[b] + 0.5 * habit.density[(b + 1) % BINS] + 1e-9
        total = sum(scores.values())
        out = []
        for item, score in top_k(scores, k):
            habit = self.habits[(item, kind)]
            out.append(
                Prediction(
                    item,
                    score / total,
                    self.expected_time(now, habit),
                    self.name,
                    self._facts(habit),
                )
            )
        return out

    def expected_time(self, now: float, habit: Habit) -> float:
        """The density-weighted mean of the next two hours."""
        start = int(seconds_of_day(now) // BIN)
        weights = [habit.density[(start + j) % BINS] for j in range(4)]
        total = sum(weights)
        if total <= 0:
            return now
        offset = sum(w * (j + 0.5) * BIN for j, w in enumerate(weights)) / total
        return now - seconds_of_day(now) % BIN + offset

    def _facts(self, habit: Habit) -> tuple[tuple[str, str], ...]:
        return (
            (
                f"{habit.day_kind}s, usually around {clock_text(habit.times.mean)}",
                f"± {habit.times.std / 60:.0f} min",
            ),
            ("on", f"{habit.days_with} of {habit.days_seen} days"),
            ("regularity", f"{habit.regularity:.2f}"),
        )

    def daily_time(self, item: str, t: float) -> float | None:
        """Predicted clock time (seconds of day) of the item's first occurrence in the home's
        day that `t` belongs to."""
        habit = self.habits.get((item, self.day_kind(t))) or self.habits.get((item, "weekday"))
        if habit is None or habit.first_times.n == 0:
            return None
        return habit.first_times.mean

    def explain(self, prediction: Prediction) -> str:
        return explain_from_evidence(prediction)
