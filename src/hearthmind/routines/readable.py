"""Routines a person can read: "weekdays 06:35-06:50, after the bedroom motion sensor:
kitchen light on (38 of 41 days)".

For each action (or, in logs without device actions, each activity), per kind of day, the
`RoutineMiner` finds the peaks of its time-of-day density, takes the window holding most of
the occurrences around each peak, counts on how many days it happened inside that window
(support) out of the days observed (confidence = support / days), and names the event that
most often came just before it. A day is the home's: it turns over at the quietest night hour,
so a bedtime at 00:30 on a Friday night belongs to Friday."""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .observations import HomeLog, Kind, Observation
from .timeline import is_open
from .timeofday import (
    DAY,
    circular_distance,
    circular_quantile_window,
    circular_summary,
    clock_text,
    day_index,
    home_day_start,
    is_weekend,
    lived_days,
    seconds_of_day,
)

_DOMAIN_NOUN = {
    "light": "light", "switch": "switch", "fan": "fan", "cover": "blind", "lock": "lock",
    "climate": "thermostat", "media_player": "TV", "binary_sensor": "sensor", "sensor": "sensor",
    "person": "", "activity": "",
}  # fmt: skip


@dataclass(frozen=True)
class Routine:
    item: str
    day_kind: str  # "weekdays", "weekends" or "every day"
    start: float  # seconds of day
    end: float
    support: int  # days it happened inside the window
    days: int  # days of that kind observed
    after: str | None  # the event that usually came just before
    after_share: float
    regularity: float  # resultant length of the times in the window (1 = same minute)

    @property
    def confidence(self) -> float:
        return self.support / self.days if self.days else 0.0

    def text(self, names: Mapping[str, str] | None = None) -> str:
        """The routine in words; `names` (entity id -> friendly name) names the devices as
        the person sees them, else words from their ids."""
        window = f"{clock_text(self.start)}-{clock_text(self.end)}"
        before = describe_item(self.after, state=False, names=names)
        after = f", after {_the(before, names, self.after)}" if self.after else ""
        what = describe_item(self.item, names=names)
        return f"{self.day_kind} {window}{after}: {what} ({self.support} of {self.days} days)"

    @property
    def spread_minutes(self) -> float:
        """How far the times stray from the usual one, in minutes (the circular standard
        deviation of `regularity` over a day): 0 is the same minute every day."""
        r = min(max(self.regularity, 1e-9), 1.0)
        return math.sqrt(-2 * math.log(r)) * 1440 / (2 * math.pi)


def _the(words: str, names: Mapping[str, str] | None, item: str | None) -> str:
    # "the hallway motion sensor", but a friendly name stands alone ("Sam's light")
    entity = (item or "").rpartition(":")[0]
    return words if names and entity in names else f"the {words}"


def describe_item(
    item: str | None, *, state: bool = True, names: Mapping[str, str] | None = None
) -> str:
    """'light.kitchen:on' -> 'kitchen light on'; 'binary_sensor.bedroom_motion:on' ->
    'bedroom motion sensor'; with `names` (entity id -> friendly name) a device is called
    what the person calls it: 'light.sam_room:on' -> "Sam's light on"."""
    if item is None:
        return ""
    entity, _, value = item.rpartition(":")
    domain, _, object_id = entity.partition(".")
    if domain == "sensor" and object_id.endswith("_area"):  # a room-presence sensor: where
        who = object_id.removesuffix("_area").replace("_", " ")
        return f"{who} {_where(value)}" if state else f"where {who} is"
    if names and entity in names and domain not in ("person", "device_tracker", "activity"):
        if domain == "climate" and "@" in value:
            mode, _, setpoint = value.partition("@")
            value = f"{mode} to {setpoint}"
        shown = value.replace("_", " ")
        if not state or (domain == "binary_sensor" and value == "on"):
            return names[entity]
        return f"{names[entity]} {shown}"
    words = object_id.replace("_", " ")
    noun = _DOMAIN_NOUN.get(domain, domain.replace("_", " "))
    if domain == "activity":
        return words
    if domain in ("person", "device_tracker") and state:  # where someone is
        return f"{words} {_where(value)}"
    if domain == "climate" and "@" in value:  # a set-point (learned_value): "heat@20.5"
        mode, _, setpoint = value.partition("@")
        value = f"{mode} to {setpoint}"
    name = words if not noun or noun.lower() in words.split() else f"{words} {noun}"
    if not state or (domain in ("binary_sensor",) and value == "on"):
        return name
    return f"{name} {value}"


def _where(value: str) -> str:
    if value == "home":
        return "home"
    if value in ("not_home", "away"):
        return "away"
    return f"in the {value.replace('_', ' ')}"


UNLABELLED = frozenset({"other", "other_activity", "none", "idle", "unknown"})


class RoutineMiner:
    def __init__(
        self,
        *,
        min_confidence: float = 0.5,
        min_support: int = 3,
        share: float = 0.9,
        after_within: float = 600.0,
    ) -> None:
        self.min_confidence = min_confidence
        self.min_support = min_support
        self.share = share  # of occurrences around a peak the window must hold
        self.after_within = after_within  # seconds: "after X" looks this far back
        self.days = 0  # the home's days in the history last mined
        self.day_start = 0.0  # seconds after midnight where those days turned over

    def mine_log(self, log: HomeLog) -> list[Routine]:
        """Device actions when the log has them; otherwise its activities; otherwise sensor
        events opening a stay (the timeline's `is_open`: on, open, home, playing, unlocked)."""
        actions = [o for o in log.observations if o.kind is Kind.ACTION]
        if actions:
            targets = actions
        elif log.activities:
            # "Other_Activity" is what annotators call time they did not label: never a routine
            targets = [
                o
                for o in log.activity_observations()
                if o.entity_id.split(".", 1)[1].lower() not in UNLABELLED
            ]
        else:
            targets = [o for o in log.observations if is_open(o.value)]
        return self.mine(targets, log.observations)

    def mine(self, targets: Sequence[Observation], context: Sequence[Observation]) -> list[Routine]:
        if not targets:
            self.days = 0
            return []
        # the home's days, turning over at its quietest night hour rather than at midnight
        day_start = self.day_start = home_day_start(o.time for o in (context or targets))
        # days observed: the days lived in the home, not days holding only a stray event
        all_days = set(
            lived_days(Counter(day_index(o.time, day_start) for o in [*targets, *context]))
        )
        self.days = len(all_days)
        days_of = {
            "weekdays": {d for d in all_days if not is_weekend(d * DAY)},
            "weekends": {d for d in all_days if is_weekend(d * DAY)},
        }
        by_item: defaultdict[str, list[Observation]] = defaultdict(list)
        for obs in targets:
            by_item[obs.item].append(obs)
        context_sorted = sorted(context, key=lambda o: o.time)
        routines: list[Routine] = []
        for item, occurrences in by_item.items():
            found: dict[str, list[Routine]] = {}
            for kind, days in days_of.items():
                occ = [o for o in occurrences if day_index(o.time, day_start) in days]
                found[kind] = self._routines(item, kind, occ, len(days), context_sorted, day_start)
            routines += self._merge_kinds(found, days_of)
        routines.sort(key=lambda r: (-r.confidence, r.start))
        return routines

    def _routines(
        self,
        item: str,
        kind: str,
        occ: list[Observation],
        days: int,
        context: list[Observation],
        day_start: float,
    ) -> list[Routine]:
        if days == 0 or len(occ) < self.min_support:
            return []
        times = [seconds_of_day(o.time) for o in occ]
        out = []
        for peak in _peaks(times):
            near = [
                o for o, t in zip(occ, times, strict=True) if circular_distance(t, peak) <= 5400
            ]
            if len(near) < self.min_support:
                continue
            centre = circular_summary([seconds_of_day(o.time) for o in near])
            start, end = circular_quantile_window(
                [seconds_of_day(o.time) for o in near], centre.mean, self.share
            )
            inside = [o for o in near if _within(seconds_of_day(o.time), start, end)]
            support = len({day_index(o.time, day_start) for o in inside})
            if support < self.min_support or support / days < self.min_confidence:
                continue
            after, share = self._usual_predecessor(inside, context)
            out.append(
                Routine(item, kind, start, end, support, days, after, share, centre.resultant)
            )
        return out

    def _usual_predecessor(
        self, inside: list[Observation], context: list[Observation]
    ) -> tuple[str | None, float]:
        times = [o.time for o in context]
        before: Counter[str] = Counter()
        for obs in inside:
            j = bisect.bisect_left(times, obs.time) - 1
            seen: set[str] = set()
            while j >= 0 and obs.time - times[j] <= self.after_within:
                other = context[j]
                if (
                    other.item != obs.item
                    and other.entity_id != obs.entity_id
                    and other.item not in seen
                ):
                    seen.add(other.item)
                    before[other.item] += 1
                    break  # the nearest different event
                j -= 1
        if not before:
            return None, 0.0
        item, count = before.most_common(1)[0]
        share = count / len(inside)
        return (item, share) if share >= 0.5 else (None, 0.0)

    def _merge_kinds(
        self, found: dict[str, list[Routine]], days_of: dict[str, set[int]]
    ) -> list[Routine]:
        """A routine at the same time on weekdays and weekends is an every-day routine."""
        merged = []
        weekend = list(found.get("weekends", []))
        for r in found.get("weekdays", []):
            twin = next(
                (
                    w
                    for w in weekend
                    if circular_distance(w.start, r.start) <= 1800
                    and circular_distance(w.end, r.end) <= 1800
                ),
                None,
            )
            if twin is None:
                merged.append(r)
                continue
            weekend.remove(twin)
            merged.append(
                Routine(
                    r.item,
                    "every day",
                    min(r.start, twin.start),
                    max(r.end, twin.end),
                    r.support + twin.support,
                    r.days + twin.days,
                    r.after,
                    r.after_share,
                    r.regularity,
                )
            )
        return merged + weekend


def _within(t: float, start: float, end: float) -> bool:
    return start <= t <= end if start <= end else (t >= start or t <= end)


def _peaks(times: list[float], bins: int = 96) -> list[float]:
    """Local maxima of a smoothed 15-minute histogram, strongest first, at least 2 h apart."""
    width = DAY / bins
    hist = [0.0] * bins
    for t in times:
        hist[int(t // width) % bins] += 1
    smooth = [
        sum(
            hist[(b + d) % bins] * w
            for d, w in ((-2, 0.25), (-1, 0.5), (0, 1.0), (1, 0.5), (2, 0.25))
        )
        for b in range(bins)
    ]
    candidates = [
        b
        for b in range(bins)
        if smooth[b] > 0
        and smooth[b] >= smooth[(b - 1) % bins]
        and smooth[b] > smooth[(b + 1) % bins]
    ]
    candidates.sort(key=lambda b: -smooth[b])
    peaks: list[float] = []
    for b in candidates:
        centre = (b + 0.5) * width
        if all(circular_distance(centre, p) >= 7200 for p in peaks):
            peaks.append(centre)
    return peaks
