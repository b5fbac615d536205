"""Routines as units: each habit the agent may act on, with a stable id, a sentence a person
can read, the person it belongs to, its evidence and its level on the ladder.

A routine is *what* is done and *when in the day*: an entity, the value a person gives it and
the part of the day (`light.kitchen:on@morning`). The id is derived from those three alone, so
it survives refits (a habit whose window drifts from 06:40 to 06:55 is the same routine) and
restarts (the id is what the store keys on). The sentence is the routines code's own
(`routines.readable`: "weekdays 06:35-06:50, after the bedroom motion sensor: kitchen light on
(38 of 41 days)"), with the names people gave their devices."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hearthmind.routines.observations import Kind, Observation
from hearthmind.routines.readable import Routine, describe_item
from hearthmind.routines.timeofday import DAY, clock_text

from .events import LEVELS, Level

# parts of the home's day (wall clock), [start hour, end hour)
PartOfDay = Literal["night", "morning", "day", "evening", "late"]
PARTS_OF_DAY: tuple[tuple[PartOfDay, int, int, str], ...] = (
    ("night", 0, 5, "at night"),
    ("morning", 5, 10, "in the morning"),
    ("day", 10, 17, "during the day"),
    ("evening", 17, 21, "in the evening"),
    ("late", 21, 24, "late in the evening"),
)
_PHRASE: dict[str, str] = {name: phrase for name, _, _, phrase in PARTS_OF_DAY}

SUCCESSES = frozenset({"came_true", "missed", "accepted", "kept"})
FAILURES = frozenset({"not_true", "declined", "revert"})
# stored and counted, but neither for nor against the routine: the person was busy, the
# device failed, two routines disagreed, the person was away; one person's "never" (the
# routine goes on for the others)
NEUTRAL = frozenset(
    {"ignored", "not_now", "device_ignored", "failed", "conflict", "late_answer", "refused"}
)
OUTCOMES = SUCCESSES | FAILURES | NEUTRAL
# a question that went unanswered is not asked again this soon; after this many in a row
# that went unanswered or came too late (the person did it first), at most once a week
HUSH_AFTER_UNANSWERED = 3 * 3600.0
HUSH_AFTER_FUTILE = 3
HUSH_FUTILE_SECONDS = 7 * 86400.0


def part_of_day(wall_clock: float) -> PartOfDay:
    """The part of the home's day a wall-clock time (see routines.timeofday) falls in."""
    hour = (wall_clock % DAY) / 3600.0
    for name, start, end, _ in PARTS_OF_DAY:
        if start <= hour < end:
            return name
    return "late"


def routine_id(entity_id: str, value: str, part: str) -> str:
    return f"{entity_id}:{value}@{part}"


def is_proposed(rid: str) -> bool:
    """A routine another component proposes (proposals.py: "preheat:living_room@morning"),
    not one learned from what people do ("light.hall:on@morning"): its id starts with the
    component's name, which, unlike an entity id, has no dot."""
    head, colon, _ = rid.partition(":")
    return bool(colon) and "." not in head


def rank(level: Level) -> int:
    return LEVELS.index(level)


def lower(a: Level, b: Level) -> Level:
    return a if rank(a) <= rank(b) else b


@dataclass
class Evidence:
    """What happened each time the routine's moment came: counts by outcome, the last
    outcomes (True: success), the successes since the last failure, and the reverts; and
    its triggers (triggers.py): per event that may come before it ("item|dark" or
    "item|light"), how often it came and how often the routine followed within its window,
    and how long after its trigger it is usually done (seconds): over all its triggers
    (`delay`) and after each (`delays`: the bathroom light goes off seconds after the fan,
    minutes after the hallway motion)."""

    counts: Counter[str] = field(default_factory=Counter)
    recent: list[bool] = field(default_factory=list)
    streak: int = 0
    reverts: int = 0
    triggers: dict[str, list[int]] = field(default_factory=dict)
    delay: float | None = None
    # the same, of the moments whose source was trusted (those the agent would act on)
    sure: list[bool] = field(default_factory=list)
    sure_streak: int = 0
    # how its last questions ended: True answered in time; False unanswered, or the person
    # did it before answering; and when the last was asked (epoch s)
    asked: list[bool] = field(default_factory=list)
    last_asked: float = 0.0
    delays: dict[str, float] = field(default_factory=dict)

    def record(self, kind: str, window: int, trusted: bool = True) -> None:
        self.counts[kind] += 1
        if kind not in SUCCESSES and kind not in FAILURES:
            return
        success = kind in SUCCESSES
        self.recent.append(success)
        self.streak = self.streak + 1 if success else 0
        del self.recent[:-window]
        if kind == "revert":
            self.reverts += 1
        # only the moments the agent would act on: a model's guess that did not come true
        # says nothing of how often the routine follows its trusted trigger
        if trusted:
            self.sure.append(success)
            self.sure_streak = self.sure_streak + 1 if success else 0
            del self.sure[:-window]

    def question(self, answered: bool, when: float, keep: int = 10) -> None:
        """How a question about the routine ended."""
        self.asked.append(answered)
        del self.asked[:-keep]
        self.last_asked = max(self.last_asked, when)

    def why_not_ask(self, now: float) -> str | None:
        """Why a question now would be wasted on the person's daily budget, or None: the
        last, a moment ago, went unanswered (asleep, busy) or the person did it before
        answering; or the last few all did (the person is quicker than their answers, or
        asleep at that hour: asked once a week)."""
        if not self.asked:
            return None
        since = now - self.last_asked
        if not self.asked[-1] and since < HUSH_AFTER_UNANSWERED:
            return "its last question went unanswered or came too late"
        recent = self.asked[-HUSH_AFTER_FUTILE:]
        if len(recent) == HUSH_AFTER_FUTILE and not any(recent) and since < HUSH_FUTILE_SECONDS:
            return f"its last {HUSH_AFTER_FUTILE} questions came too late or went unanswered"
        return None

    @property
    def rate(self) -> float | None:
        """Share of successes among the recent outcomes (None before any)."""
        return sum(self.recent) / len(self.recent) if self.recent else None

    @property
    def sure_rate(self) -> float | None:
        """The same, of the trusted moments' outcomes."""
        return sum(self.sure) / len(self.sure) if self.sure else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "recent": [int(x) for x in self.recent],
            "streak": self.streak,
            "reverts": self.reverts,
            "triggers": {k: list(v) for k, v in self.triggers.items()},
            "delay": self.delay,
            "sure": [int(x) for x in self.sure],
            "sure_streak": self.sure_streak,
            "asked": [int(x) for x in self.asked],
            "last_asked": self.last_asked,
            "delays": {k: round(v, 3) for k, v in self.delays.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        counts = data.get("counts") or {}
        return cls(
            Counter({str(k): int(v) for k, v in counts.items()}),
            [bool(x) for x in data.get("recent") or []],
            int(data.get("streak", 0)),
            int(data.get("reverts", 0)),
            {
                str(k): [int(v[0]), int(v[1])]
                for k, v in (data.get("triggers") or {}).items()
                if isinstance(v, list) and len(v) == 2
            },
            None if data.get("delay") is None else float(data["delay"]),
            [bool(x) for x in data.get("sure") or []],
            int(data.get("sure_streak", 0)),
            [bool(x) for x in data.get("asked") or []],
            float(data.get("last_asked") or 0.0),
            {str(k): float(v) for k, v in (data.get("delays") or {}).items()},
        )


@dataclass
class RoutineUnit:
    routine_id: str
    entity_id: str
    value: str
    part: str
    level: Level = "observe"
    # the highest level evidence may take it to: a person's set_level, "off" when forbidden,
    # "suggest" for safety classes
    ceiling: Level = "act"
    pinned: bool = False  # a person set the level: evidence does not move it up or down
    set_by: str | None = None
    safety: str | None = None  # why it is a safety class, e.g. "a lock"
    people: Counter[str] = field(default_factory=Counter)  # who did it, how often
    habit: str | None = None  # the routines code's sentence, when it found the habit
    evidence: Evidence = field(default_factory=Evidence)
    created: float = 0.0
    updated: float = 0.0
    # people who answered "never": not asked again, and nothing done while they are in the
    # entity's room; the others in the home keep the routine (gate.py)
    refused_by: set[str] = field(default_factory=set)

    @property
    def item(self) -> str:
        return f"{self.entity_id}:{self.value}"

    @property
    def person(self) -> str | None:
        """The person it belongs to: who did it most often."""
        if not self.people:
            return None
        return min(self.people.items(), key=lambda kv: (-kv[1], kv[0]))[0]

    def main_people(self, share: float = 0.2) -> list[str]:
        """Everyone who does it at least this share of the time."""
        total = sum(self.people.values())
        return sorted(p for p, n in self.people.items() if total and n / total >= share)

    def sentence(self, name_of: Callable[[str], str | None]) -> str:
        if self.habit:
            return self.habit
        what = describe_named(self.item, name_of(self.entity_id))
        seen = sum(self.people.values())
        return f"{_PHRASE.get(self.part, self.part)}: {what}" + (
            f" ({seen} times so far)" if seen else ""
        )

    def as_dict(self, name_of: Callable[[str], str | None]) -> dict[str, Any]:
        ev = self.evidence
        return {
            "routine_id": self.routine_id,
            "sentence": self.sentence(name_of),
            "entity_id": self.entity_id,
            "value": self.value,
            "part_of_day": self.part,
            "person": self.person,
            "level": self.level,
            "ceiling": self.ceiling,
            "pinned": self.pinned,
            "set_by": self.set_by,
            "safety": self.safety,
            "refused_by": sorted(self.refused_by),
            "evidence": {
                "counts": dict(ev.counts),
                "hit_rate": None if ev.rate is None else round(ev.rate, 3),
                "recent": len(ev.recent),
                "streak": ev.streak,
                "sure_streak": ev.sure_streak,
                "sure_rate": None if ev.sure_rate is None else round(ev.sure_rate, 3),
                "reverts": ev.reverts,
                "triggers": {
                    k: {"seen": n, "followed": h}
                    for k, (n, h) in sorted(ev.triggers.items(), key=lambda kv: -kv[1][1])[:3]
                },
                "delay_seconds": None if ev.delay is None else round(ev.delay, 1),
            },
        }


def describe_named(item: str, name: str | None, *, state: bool = True) -> str:
    """`routines.readable.describe_item` with the name a person gave the device:
    'light.kitchen:on' -> 'Kitchen light on'."""
    if not name:
        return describe_item(item, state=state)
    entity, _, value = item.rpartition(":")
    domain = entity.partition(".")[0]
    if not state or (domain == "binary_sensor" and value == "on"):
        return name
    if domain in ("person", "device_tracker"):
        if value == "home":
            return f"{name} home"
        if value in ("not_home", "away"):
            return f"{name} away"
        return f"{name} in the {value.replace('_', ' ')}"
    if domain == "climate" and "@" in value:
        mode, _, setpoint = value.partition("@")
        return f"{name} {mode} to {setpoint}"
    return f"{name} {value.replace('_', ' ')}"


def habit_sentence(routine: Routine, name_of: Callable[[str], str | None]) -> str:
    """`Routine.text()` with people's names for the devices."""
    window = f"{clock_text(routine.start)}-{clock_text(routine.end)}"
    after = ""
    if routine.after:
        trigger = routine.after.rpartition(":")[0]
        after = f", after the {describe_named(routine.after, name_of(trigger), state=False)}"
    what = describe_named(routine.item, name_of(routine.item.rpartition(":")[0]))
    return f"{routine.day_kind} {window}{after}: {what} ({routine.support} of {routine.days} days)"


def routine_centre(routine: Routine) -> float:
    """The middle of a mined routine's window (seconds of day; windows may wrap midnight)."""
    width = (routine.end - routine.start) % DAY
    return (routine.start + width / 2) % DAY


def habits_by_unit(mined: list[Routine], name_of: Callable[[str], str | None]) -> dict[str, str]:
    """Routine id -> the sentence of the habits the routines code found for it (the two
    with the most days, joined), by the part of the day its window's middle falls in."""
    found: dict[str, list[Routine]] = {}
    for routine in mined:
        entity, _, value = routine.item.rpartition(":")
        if not entity:
            continue
        rid = routine_id(entity, value, part_of_day(routine_centre(routine)))
        found.setdefault(rid, []).append(routine)
    out: dict[str, str] = {}
    for rid, routines in found.items():
        routines.sort(key=lambda r: (-r.support, -r.confidence, r.start))
        out[rid] = "; ".join(habit_sentence(r, name_of) for r in routines[:2])
    return out


__all__ = [
    "FAILURES",
    "LEVELS",
    "NEUTRAL",
    "OUTCOMES",
    "PARTS_OF_DAY",
    "SUCCESSES",
    "Evidence",
    "RoutineUnit",
    "describe_named",
    "habit_sentence",
    "habits_by_unit",
    "is_proposed",
    "part_of_day",
    "routine_id",
]


def mine_habits(
    history: list[Observation],
) -> tuple[list[Any], defaultdict[str, Counter[str]], set[str]]:
    """In a thread: the habits the routines code finds, who did each routine, what people
    do to devices."""
    from hearthmind.routines.observations import HomeLog
    from hearthmind.routines.readable import RoutineMiner

    doers: defaultdict[str, Counter[str]] = defaultdict(Counter)
    acted: set[str] = set()
    for obs in history:
        if obs.kind is Kind.ACTION:
            acted.add(obs.item)
            if obs.user_id:
                rid = routine_id(obs.entity_id, obs.value, part_of_day(obs.time))
                doers[rid][obs.user_id] += 1
    mined = RoutineMiner().mine_log(HomeLog("home", history)) if history else []
    return mined, doers, acted
