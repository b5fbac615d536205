"""A routine's triggers: for each event that comes while the routine is not yet done (the
kitchen light off, in the morning, when the kitchen motion sensor goes on), how often the
routine then followed within its window (10 minutes; 3 for switching something off: done
too early it is not wanted), for lights and covers kept apart for the dark and the light of
the day, since people switch lights on after the same event only in the dark.

These are the routine's own predictions, beside the model's: counted on every occasion, not
only on those the model saw, and they keep counting when the agent does the routine for
people (its action, if kept, is the routine done), where the model, which learns only from
what people do, loses sight of it. A trigger is trusted when the lower bound of its rate
(Wilson, one standard error) reaches `trigger_min_rate` after `trigger_min` occasions; a
routine whose moment it is by a trusted trigger opens a run as the model's moments do."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from .config import LadderRules
from .safety import OFF_LIKE
from .units import RoutineUnit

MAX_TRIGGERS = 24  # per routine: the most informative are kept


# what people use against the dark: their records are kept apart for the dark and the light
DAYLIGHT_DOMAINS = frozenset({"light", "cover"})


def trigger_key(item: str, dark: bool, entity_id: str = "light.") -> str:
    """The record of `item` as a trigger of a routine of `entity_id`: apart for the dark and
    the light for lights and covers, one record for the rest."""
    if entity_id.partition(".")[0] not in DAYLIGHT_DOMAINS:
        return f"{item}|any"
    return f"{item}|{'dark' if dark else 'light'}"


def wilson_interval(hits: int, n: int, z: float = 1.0) -> tuple[float, float]:
    """A success rate's Wilson interval, `z` standard errors wide ((0, 1) with no occasions)."""
    if n <= 0:
        return 0.0, 1.0
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return (centre - spread) / scale, (centre + spread) / scale


def wilson_lower(hits: int, n: int, z: float = 1.0) -> float:
    """The lower bound of a success rate's interval (0 with no occasions)."""
    return wilson_interval(hits, n, z)[0]


def wilson_upper(hits: int, n: int, z: float = 1.0) -> float:
    """The upper bound of a success rate's interval (1 with no occasions)."""
    return wilson_interval(hits, n, z)[1]


def sun_elevation(ts: float, latitude: float, longitude: float) -> float:
    """The sun's elevation in degrees (a textbook approximation, good to about a degree)."""
    moment = datetime.fromtimestamp(ts, UTC)
    declination = math.radians(23.44) * math.sin(
        2 * math.pi * (284 + moment.timetuple().tm_yday) / 365
    )
    solar_hours = moment.hour + moment.minute / 60 + moment.second / 3600 + longitude / 15
    hour_angle = math.radians(15 * (solar_hours - 12))
    lat = math.radians(latitude)
    sine = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(declination) * math.cos(
        hour_angle
    )
    return math.degrees(math.asin(max(-1.0, min(1.0, sine))))


def window(unit: RoutineUnit, rules: LadderRules) -> float:
    """Seconds after its moment within which the routine counts as done."""
    if unit.value in OFF_LIKE:
        return rules.truth_window_off_minutes * 60.0
    return rules.truth_window_minutes * 60.0


@dataclass(slots=True)
class Occasion:
    routine_id: str
    key: str
    opened: float
    deadline: float


class TriggerBook:
    """The occasions still open, by the item that would close them."""

    def __init__(self, rules: LadderRules) -> None:
        self.rules = rules
        self._open: defaultdict[str, list[Occasion]] = defaultdict(list)

    def occasion(
        self, unit: RoutineUnit, key: str, now: float, deadline: float | None = None
    ) -> None:
        """`key`'s event came while `unit` is not done: one more occasion, followed if the
        routine is done by `deadline` (default: its window from now)."""
        until = now + window(unit, self.rules) if deadline is None else deadline
        triggers = unit.evidence.triggers
        counts = triggers.get(key)
        if counts is None:
            if len(triggers) >= MAX_TRIGGERS:
                # forget the one least likely ever to be trusted: the lowest upper bound of
                # its rate. (Forgetting the fewest occasions kept the hallway motion, 146 of
                # 508, and dropped every newcomer at once: the family's bathroom motion, 143
                # of 143 in hindsight, never got a record; a newcomer's bound is high.)
                least = min(
                    triggers, key=lambda k: (wilson_upper(triggers[k][1], triggers[k][0]), k)
                )
                del triggers[least]
                unit.evidence.delays.pop(least, None)
            counts = triggers[key] = [0, 0]
        counts[0] += 1
        occasions = self._open[unit.item]
        for open_ in occasions:
            if open_.routine_id == unit.routine_id and open_.key == key:
                open_.opened, open_.deadline = now, until  # the latest occasion counts
                return
        occasions.append(Occasion(unit.routine_id, key, now, until))

    def done(self, item: str, now: float, units: dict[str, RoutineUnit]) -> None:
        """A person did `item`: each of its open occasions was followed by it."""
        for occasion in self._take(item, now):
            unit = units.get(occasion.routine_id)
            if unit is not None:
                credit(unit, occasion.key)
                _learn_delay(unit, occasion.key, now - occasion.opened)

    def taken(self, item: str, now: float) -> list[Occasion]:
        """The agent did `item`: its open occasions wait for the action to be kept."""
        return self._take(item, now)

    def trusted(self, unit: RoutineUnit, key: str) -> float | None:
        """The trigger's rate's lower bound when it is trusted, else None."""
        n, hits = unit.evidence.triggers.get(key, (0, 0))
        if n < self.rules.trigger_min:
            return None
        lower = wilson_lower(hits, n)
        return lower if lower >= self.rules.trigger_min_rate else None

    def forget_before(self, now: float) -> None:
        for item in list(self._open):
            kept = [o for o in self._open[item] if o.deadline >= now]
            if kept:
                self._open[item] = kept
            else:
                del self._open[item]

    def _take(self, item: str, now: float) -> list[Occasion]:
        occasions = self._open.pop(item, [])
        return [o for o in occasions if o.deadline >= now]


def credit(unit: RoutineUnit, key: str) -> None:
    counts = unit.evidence.triggers.get(key)
    if counts is not None and counts[1] < counts[0]:
        counts[1] += 1


def _learn_delay(unit: RoutineUnit, key: str, delay: float) -> None:
    ev = unit.evidence
    delay = max(0.0, delay)
    ev.delay = delay if ev.delay is None else 0.7 * ev.delay + 0.3 * delay
    known = ev.delays.get(key)
    ev.delays[key] = delay if known is None else 0.7 * known + 0.3 * delay


def expected_delay(unit: RoutineUnit, key: str) -> float:
    """How long after this trigger the routine is usually done (seconds): its own record,
    else the routine's over all its triggers, else at once."""
    ev = unit.evidence
    known = ev.delays.get(key)
    if known is not None:
        return known
    return ev.delay or 0.0
