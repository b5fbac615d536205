"""Why the ranker ranked a candidate where it did, in words a person can check.

The trees' own attribution (LightGBM's SHAP values, `pred_contrib`) says how much each
feature of the candidate's row pushed its score up or down. Features that tell one story are
summed into one reason (the sequence so far, the time of day, the state of the candidate's
device, what happened recently, the pace of events), and the strongest reasons that pushed up
are written from the row's own values: "after the hallway motion sensor it came next 172 of
212 times", "the bathroom light has been on for 12 min (usually 9 min)"."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ..readable import describe_item
from ..timeofday import clock_text

_GROUPS: dict[str, tuple[str, ...]] = {
    "sequence": (
        "last_item", "last2_item", "last3_item", "p_first", "n_first", "p_second", "n_second",
        "follows_last_here", "follows_last2_here", "is_last", "is_last2", "same_entity_as_last",
        "p_context", "rank_context", "p_first_pace", "n_first_pace", "p_first_active",
        "n_first_active", "log_typical_gap",
    ),
    "time": (
        "hour", "slot", "weekday", "weekend", "p_first_slot", "n_first_slot", "p_slot",
        "count_same_slot", "count_same_day_slot", "count_same_day", "slot_distance",
        "same_slot_as_last", "same_day_as_last",
    ),
    "state": (
        "entity_state_known", "log_entity_elapsed", "log_entity_typical", "entity_overdue",
        "state_same", "closes_open", "open_rank", "n_open", "log_state_elapsed", "survival",
        "hazard_soon", "hazard_later", "entity_change",
    ),
    "recent": (
        "count_recent", "share_recent", "last_pos", "first_pos", "entity_count_recent",
        "log_since_candidate", "count_24h", "count_today", "log_since_any", "n_recent",
        "distinct_recent", "p_prior", "candidate",
    ),
    "pace": ("log_gap_last", "log_gap_prev1", "log_gap_prev2"),
}  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


def _seconds(log_value: float) -> float:
    """Back from log(1 + seconds)."""
    return math.expm1(max(0.0, log_value))


def _times(log_count: float) -> int:
    return round(math.expm1(max(0.0, log_count)))


def _of(share: float, times: int) -> str:
    """'17 of 20 times': the evidence in counts, so that beside the guess's own probability
    it reads as what was seen, not as a second, disagreeing probability."""
    return f"{round(share * times)} of {times} times"


def reasons(
    item: str,
    row: Sequence[float],
    contributions: Sequence[float],
    features: Sequence[str],
    names: Mapping[int, str],
    now: float,
    limit: int = 3,
) -> list[str]:
    """The strongest reasons that pushed `item` up, strongest first. `row` is its feature row,
    `contributions` the trees' attribution of each feature (the last entry, the bias, is
    ignored), `names` the vocabulary by id (for the last items)."""
    value = dict(zip(features, row, strict=False))
    push = dict(zip(features, contributions, strict=False))
    totals = {group: sum(push.get(f, 0.0) for f in members) for group, members in _GROUPS.items()}
    writers: dict[str, Callable[[str], str | None]] = {
        "sequence": lambda top: _sequence(value, names),
        "time": lambda top: _time(value, names, now, top),
        "state": lambda top: _state(item, value),
        "recent": lambda top: _recent(value),
        "pace": lambda top: _pace(value),
    }
    out: list[str] = []
    for group, total in sorted(totals.items(), key=lambda kv: -kv[1]):
        if total <= 0 or len(out) >= limit:
            break
        # the phrasing follows the feature of the group that pushed most
        top = max(_GROUPS[group], key=lambda f: push.get(f, 0.0))
        text = writers[group](top)
        if text:
            out.append(text)
    return out


def _name(names: Mapping[int, str], vocab_id: float) -> str | None:
    found = names.get(int(vocab_id)) if vocab_id >= 0 else None
    return describe_item(found) if found else None


def _sequence(value: Mapping[str, float], names: Mapping[int, str]) -> str | None:
    last = _name(names, value.get("last_item", -1.0))
    if last is None:
        return None
    p_second, n_second = value.get("p_second", -1.0), _times(value.get("n_second", 0.0))
    last2 = _name(names, value.get("last2_item", -1.0))
    if last2 and p_second >= 0 and n_second >= 5 and p_second >= value.get("p_first", 0.0):
        return f"after {last2} then {last} it came next {_of(p_second, n_second)}"
    p_first = value.get("p_first", -1.0)
    if p_first < 0:
        return f"the events just before, like {last}, came before it in the past"
    return f"after {last} it came next {_of(p_first, _times(value.get('n_first', 0.0)))}"


def _time(value: Mapping[str, float], names: Mapping[int, str], now: float, top: str) -> str:
    day = _WEEKDAYS[int(value.get("weekday", 0)) % 7]
    at = f"it is {clock_text(now)} on a {day}"
    p_slot, n_slot = value.get("p_first_slot", -1.0), _times(value.get("n_first_slot", 0.0))
    last = _name(names, value.get("last_item", -1.0))
    if top in ("p_first_slot", "n_first_slot") and last and p_slot >= 0 and n_slot >= 3:
        return f"{at}: after {last} at this time of day it came next {_of(p_slot, n_slot)}"
    if top == "p_slot":
        return f"{at}: {value.get('p_slot', 0.0):.0%} of events at this time of day are this one"
    return at


def _state(item: str, value: Mapping[str, float]) -> str | None:
    if value.get("entity_state_known", 0.0) <= 0:
        return None
    entity = describe_item(item, state=False)
    log_elapsed = value.get("log_state_elapsed", -1.0)
    if log_elapsed < 0:
        log_elapsed = value.get("log_entity_elapsed", 0.0)
    elapsed = duration_text(_seconds(log_elapsed))
    typical = value.get("log_entity_typical", -1.0)
    usual = f" (usually {duration_text(_seconds(typical))})" if typical >= 0 else ""
    if value.get("closes_open", 0.0) > 0:
        return f"the {entity} has been on for {elapsed}{usual}"
    if value.get("state_same", -1.0) == 1.0:
        return f"the {entity} is already so, for {elapsed}: its sensor repeats"
    if _seconds(log_elapsed) < 1:
        stays = (
            f" (it usually stays so for {duration_text(_seconds(typical))})" if typical >= 0 else ""
        )
        return f"the {entity} has just changed{stays}"
    return f"the {entity} has stayed as it is for {elapsed}{usual}"


def _recent(value: Mapping[str, float]) -> str | None:
    count, n = int(value.get("count_recent", 0)), int(value.get("n_recent", 0))
    if count:
        return f"it happened {_count(count)} in the last {n} events"
    today = int(value.get("count_today", 0))
    if today:
        return f"it happened {_count(today)} today"
    since = value.get("log_since_candidate", -1.0)
    if since >= 0:
        return f"it last happened {duration_text(_seconds(since))} ago"
    return None


def _count(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _pace(value: Mapping[str, float]) -> str | None:
    gap = value.get("log_gap_prev1", -1.0)
    if gap < 0:
        return None
    return f"the last events came {duration_text(_seconds(gap))} apart"
