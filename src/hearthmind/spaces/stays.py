"""A person in (or on the way to) an area of a space: what they shared with it, what they chose
there, and the timers that apply their profile before they arrive and at each change of
activity while they stay."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import SpaceKind
from hearthmind.core.clock import TimerHandle


class SpacesError(Exception):
    """A refused request (unknown room, unknown person, ...); `counter` names its counter."""

    def __init__(self, counter: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.counter = counter
        self.status = status


@dataclass
class Stay:
    person: str  # the person's subject id (their id at their home hub)
    home_hub: str | None  # the hub that holds their profile; None: this one
    space_id: str
    area_id: str
    kind: SpaceKind
    # the shared view's preferences by activity; None: a guest without a profile here
    view: dict[str, dict[str, Any]] | None = None
    categories: set[str] = field(default_factory=set)  # what the person shares with it
    fetched: bool = False
    present: bool = False
    expected_at: float | None = None
    # what the person chose here: [{"ts": ..., "values": {...}}], sent home on departure
    learned: list[dict[str, Any]] = field(default_factory=list)
    applied_activity: str | None = None
    timers: list[TimerHandle] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "home_hub": self.home_hub,
            "space_id": self.space_id,
            "area_id": self.area_id,
            "kind": self.kind.value,
            "has_profile": self.view is not None,
            "present": self.present,
            "expected_at": self.expected_at,
            "learned_here": len(self.learned),
            "applications": list(self.applications),
        }
