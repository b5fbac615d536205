"""How far a space may go with one person's profile: the agent's ladder (observe, suggest,
act) per person and kind of space, under the space's own level as the ceiling.

A person's profile starts at the ceiling in a kind of space they share it with (sharing is
their yes). It falls to suggest at once when they undo what it set, or pull a device back
towards what it was before it was set (a revert, as the agent reads one); each revert makes
the streak of accepted suggestions it needs to climb back `REVERT_PENALTY` times longer. A
declined suggestion resets the streak. A visited space (a hotel, a desk, a rental car)
forgets a person's standing when they leave, with everything else of theirs, so there a fall
lasts the stay; their home and their own car keep it. The rules are the agent's (agent/ladder.py) in small,
chosen before any benchmark run, not fitted to one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Level = Literal["observe", "suggest", "act"]
ORDER: dict[str, int] = {"observe": 0, "suggest": 1, "act": 2}
ACT_AFTER = 2  # accepted suggestions in a row that bring a profile back to act
REVERT_PENALTY = 1.5
REVERT_WINDOW = 15 * 60.0  # seconds after an application in which a pull-back is a revert


def lower(a: Level, b: Level) -> Level:
    return a if ORDER[a] <= ORDER[b] else b


@dataclass
class Standing:
    level: Level
    streak: int = 0
    reverts: int = 0
    accepted: int = 0
    declined: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "level": self.level,
            "streak": self.streak,
            "reverts": self.reverts,
            "accepted": self.accepted,
            "declined": self.declined,
        }


class Ladder:
    def __init__(self, ceiling: Level) -> None:
        self.ceiling: Level = ceiling
        self.standing: dict[tuple[str, str], Standing] = {}

    def _of(self, person: str, kind: str) -> Standing:
        return self.standing.setdefault((person, kind), Standing(self.ceiling))

    def level(self, person: str, kind: str) -> Level:
        return lower(self._of(person, kind).level, self.ceiling)

    def revert(self, person: str, kind: str) -> Level:
        s = self._of(person, kind)
        s.reverts += 1
        s.streak = 0
        s.level = lower("suggest", s.level)
        return s.level

    def answered(self, person: str, kind: str, yes: bool) -> Level:
        s = self._of(person, kind)
        if not yes:
            s.declined += 1
            s.streak = 0
            return s.level
        s.accepted += 1
        s.streak += 1
        if s.streak >= math.ceil(ACT_AFTER * REVERT_PENALTY ** max(0, s.reverts - 1)):
            s.level = self.ceiling
        return s.level

    def forget(self, person: str) -> None:
        for key in [k for k in self.standing if k[0] == person]:
            del self.standing[key]


def is_pull_back(before: float, applied: float, now: float) -> bool:
    """A person's new value nearer what was there before the application than what it set."""
    return abs(now - before) < abs(now - applied)
