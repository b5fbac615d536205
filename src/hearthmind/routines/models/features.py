"""The ranker's features, by name: what each one means, and how a moment's candidates are
described by them.

`FEATURES` names every feature once, with its meaning, in the order of the vector the trees
see. The code below computes each value under its name (a moment's own features once, those of
a candidate's entity once per entity, the candidate's own per candidate) and `feature_row`
lays a candidate's named values out in that one order, so nothing else depends on where a
feature sits: the trees get the names (LightGBM's `feature_name`), the explanations
(`ranker_reasons`) read rows back by name.

Entity states come from the entity-state timeline (`routines/timeline.py`) in two scopes, each
named for what it is: `entity_*` features from the timeline of the recent observations handed
in (the last `state_window`: an entity unseen there is unknown, and a stay is counted from its
first sighting there), `state_*`/`open_*` ones from the whole stream's timeline (the ranker's
memory). The two scopes stay apart because both sets were measured and tuned that way."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from operator import itemgetter

from ..observations import Observation
from ..timeline import EntityTimeline, is_open
from ..timeofday import hour_of_day, hour_slot, weekday
from .lezi import ActiveLeZi
from .memory import StreamMemory
from .stats import CONTEXT_WINDOW, SequenceStats, active_entities, pace_bucket

FEATURES: dict[str, str] = {
    # the candidate and the moment
    "candidate": "the candidate's vocabulary id (categorical)",
    "last_item": "the last item's vocabulary id (categorical)",
    "n_recent": "observations in the recent window",
    "distinct_recent": "distinct items in the recent window",
    "hour": "hour of day, fractional",
    "slot": "3-hour slot of the day",
    "weekday": "day of the week, Monday 0",
    "weekend": "1 on Saturday and Sunday",
    "log_gap_last": "log seconds from the last observation to now",
    "same_slot_as_last": "1 when the last observation was in this hour slot",
    "same_day_as_last": "1 when the last observation was on this weekday",
    # the candidate in the recent window
    "count_recent": "times the candidate occurs in the window",
    "share_recent": "its share of the window",
    "last_pos": "steps back to its latest occurrence in the window (99: none)",
    "first_pos": "steps back to its earliest occurrence in the window (99: none)",
    "count_same_slot": "its occurrences in the window in this hour slot",
    "count_same_day_slot": "... in this hour slot on this weekday",
    "count_same_day": "... on this weekday",
    "follows_last_here": "times it came right after the last item, in the window",
    "follows_last2_here": "times it came right after the last two items, in the window",
    "is_last": "1 when it is the last item",
    "is_last2": "1 when it is the item before the last",
    # what the count tables learned from all history
    "p_first": "share of times it followed the last item (-1: never seen)",
    "n_first": "log times the last item was followed by anything",
    "p_first_slot": "share after the last item in this hour slot",
    "n_first_slot": "log count of that context",
    "p_second": "share after the last two items",
    "n_second": "log count of that context",
    "p_prior": "its share of all events",
    "p_slot": "its share of the events in this hour slot",
    "same_entity_as_last": "1 when it is a state of the last item's entity",
    "entity_count_recent": "observations of its entity in the window",
    "entity_change": "1 when it changes its entity's last value in the window (-1: not there)",
    "log_since_candidate": "log seconds since it last occurred in the window (-1: not there)",
    "slot_distance": "hour slots between now and its latest occurrence in the window (9: none)",
    "log_typical_gap": "log median seconds from the last item to it (-1: unknown)",
    "p_context": "Active LeZi's probability of it (higher-order context)",
    "rank_context": "its rank in Active LeZi's distribution (20: lower)",
    # its entity in the recent observations (timeline of the state window)
    "entity_state_known": "1 when its entity shows in the state window",
    "log_entity_elapsed": "log seconds its entity has held its value, seen in that window",
    "log_entity_typical": "log median seconds its entity stays in that value",
    "entity_overdue": "log elapsed minus log typical: an 'off' is due after the usual 'on'",
    # the moment's pace and previous items
    "last2_item": "the item before the last (categorical)",
    "last3_item": "the item two before the last (categorical)",
    "log_gap_prev1": "log seconds between the last two observations",
    "log_gap_prev2": "log seconds between the two before",
    # the candidate over the whole stream (long memory)
    "log_since_any": "log seconds since it last occurred anywhere in the stream",
    "count_24h": "its occurrences in the last 24 h",
    "count_today": "its occurrences today (since 04:00)",
    "p_first_pace": "share after the last item at this pace of events",
    "n_first_pace": "log count of that context",
    "p_first_active": "share after the last item with these entities open",
    "n_first_active": "log count of that context",
    # its entity over the whole stream (timeline of the memory)
    "state_same": "1 when it repeats its entity's current value (-1: entity never seen)",
    "closes_open": "1 when it changes an open entity (see timeline.is_open)",
    "open_rank": "how recently its entity's open stay began among those open (0: latest)",
    "n_open": "entities open now",
    "log_state_elapsed": "log seconds its entity has held its current value",
    "survival": "share of its entity's past stays in that value that lasted this long",
    "hazard_soon": "of those, share that ended within 10 s more",
    "hazard_later": "of those, share that ended within 2 min more",
}
NAMES: list[str] = list(FEATURES)
CATEGORICAL = ("candidate", "last_item", "last2_item", "last3_item")
CATEGORICAL_INDEX = [NAMES.index(name) for name in CATEGORICAL]
# a candidate's named values -> its row, in the FEATURES order (in C: rows are built by the
# hundred thousand while training)
feature_row: Callable[[Mapping[str, float]], tuple[float, ...]] = itemgetter(*NAMES)


def log_seconds(seconds: float) -> float:
    """log(1 + seconds); negative spans (clocks that went back) count as zero."""
    return math.log1p(max(0.0, seconds))


class FeatureRows:
    """Candidates and their named features at one moment; the ContextRanker's half that
    describes, given its count tables (`stats`), its context model (`_ppm`) and vocabulary."""

    window: int
    max_candidates: int
    stats: SequenceStats
    vocab: dict[str, int]
    _by_entity: dict[str, list[str]]
    _ppm: ActiveLeZi

    def _candidates(
        self,
        now: float,
        recent: list[Observation],
        ppm: dict[str, float],
        ppm_top: list[str],
        stats: SequenceStats | None = None,
    ) -> list[str]:
        st = self.stats if stats is None else stats
        last = recent[-1].item
        slot = hour_slot(now)
        found: dict[str, None] = {}
        for obs in recent:
            found[obs.item] = None
            for other in self._by_entity.get(obs.entity_id, ())[:3]:
                found[other] = None
        for item in st.first.top(last, 6):
            found[item] = None
        for item in st.first_slot.top((last, slot), 4):
            found[item] = None
        if len(recent) >= 2:
            for item in st.second.top((recent[-2].item, last), 3):
                found[item] = None
        for item in st.by_slot.top(slot, 3):
            found[item] = None
        for item in st.prior.top(None, 3):
            found[item] = None
        for item in ppm_top:
            found[item] = None
        if len(found) <= self.max_candidates:
            return list(found)
        # Too many (homes with many devices): keep the likeliest by a cheap score, which bounds
        # the cost of training and of each prediction.
        first = st.first.of(last)
        n_first = max(1, st.first.total(last))
        in_window = Counter(o.item for o in recent)

        def cheap(item: str) -> float:
            return (
                ppm.get(item, 0.0)
                + first.get(item, 0) / n_first
                + 0.5 * in_window[item] / len(recent)
            )

        return sorted(found, key=cheap, reverse=True)[: self.max_candidates]

    def _features(
        self, now: float, longer: list[Observation], memory: StreamMemory, before: int
    ) -> tuple[list[str], list[tuple[float, ...]]]:
        """The moment's candidates and their rows, in the FEATURES order."""
        cands, named = self._named_features(now, longer, memory, before)
        return cands, [feature_row(values) for values in named]

    def _named_features(
        self, now: float, longer: list[Observation], memory: StreamMemory, before: int
    ) -> tuple[list[str], list[dict[str, float]]]:
        """The moment's candidates and, for each, every feature's value by name. `longer` is
        the recent stream (the last `state_window` observations), `memory` the whole stream and
        `before` the position of now in it."""
        st = self.stats
        # entity states (what is on, since when) in the observations handed in; sequence
        # counts from the last `window` of them only
        in_window = EntityTimeline.of(longer)
        recent = longer[-self.window :]
        n = len(recent)
        last = recent[-1]
        last2 = recent[-2].item if n >= 2 else None
        slot, day = hour_slot(now), weekday(now)
        # one pass over the window
        count: dict[str, int] = {}
        first_at: dict[str, int] = {}
        last_at: dict[str, int] = {}
        same_slot: dict[str, int] = {}
        same_day_slot: dict[str, int] = {}
        same_day: dict[str, int] = {}
        follows: dict[str, int] = {}
        follows2: dict[str, int] = {}
        entity_count: dict[str, int] = {}
        entity_value: dict[str, str] = {}
        for j, obs in enumerate(recent):
            item = obs.item
            count[item] = count.get(item, 0) + 1
            first_at.setdefault(item, j)
            last_at[item] = j
            o_slot, o_day = hour_slot(obs.time), weekday(obs.time)
            if o_slot == slot:
                same_slot[item] = same_slot.get(item, 0) + 1
                if o_day == day:
                    same_day_slot[item] = same_day_slot.get(item, 0) + 1
            if o_day == day:
                same_day[item] = same_day.get(item, 0) + 1
            if j >= 1 and recent[j - 1].item == last.item:
                follows[item] = follows.get(item, 0) + 1
                if j >= 2 and recent[j - 2].item == last2:
                    follows2[item] = follows2.get(item, 0) + 1
            entity = obs.entity_id
            entity_count[entity] = entity_count.get(entity, 0) + 1
            entity_value[entity] = obs.value
        key_pace = (last.item, pace_bucket(last.time - recent[-2].time)) if n >= 2 else None
        pace_counts = st.first_pace.of(key_pace)
        n_pace = st.first_pace.total(key_pace)
        key_active = (last.item, active_entities(longer[-CONTEXT_WINDOW:], last.time))
        active_counts = st.first_active.of(key_active)
        n_active = st.first_active.total(key_active)
        moment: dict[str, float] = {
            "last_item": float(self.vocab.get(last.item, -1)),
            "n_recent": float(n),
            "distinct_recent": float(len(count)),
            "hour": hour_of_day(now),
            "slot": float(slot),
            "weekday": float(day),
            "weekend": float(day >= 5),
            "log_gap_last": math.log1p(max(0.0, now - last.time)),
            "same_slot_as_last": float(hour_slot(last.time) == slot),
            "same_day_as_last": float(weekday(last.time) == day),
            # the pace of the last few events (known at prediction time, unlike the next gap)
            "last2_item": float(self.vocab.get(recent[-2].item, -1)) if n >= 2 else -1.0,
            "last3_item": float(self.vocab.get(recent[-3].item, -1)) if n >= 3 else -1.0,
            "log_gap_prev1": log_seconds(last.time - recent[-2].time) if n >= 2 else -1.0,
            "log_gap_prev2": log_seconds(recent[-2].time - recent[-3].time) if n >= 3 else -1.0,
            "n_first_pace": math.log1p(n_pace),
            "n_first_active": math.log1p(n_active),
        }
        key_slot = (last.item, slot)
        key2 = (last2, last.item)
        n_first, n_first_slot, n_second = (
            st.first.total(last.item),
            st.first_slot.total(key_slot),
            st.second.total(key2),
        )
        moment["n_first"] = math.log1p(n_first)
        moment["n_first_slot"] = math.log1p(n_first_slot)
        moment["n_second"] = math.log1p(n_second)
        first_counts = st.first.of(last.item)
        first_slot_counts = st.first_slot.of(key_slot)
        second_counts = st.second.of(key2)
        prior_total = max(1, st.prior.total(None))
        prior_counts = st.prior.of(None)
        slot_total = max(1, st.by_slot.total(slot))
        slot_counts = st.by_slot.of(slot)
        last_entity = last.entity_id
        ppm = self._ppm.distribution(recent)
        ppm_ranked = sorted(ppm, key=lambda i: -ppm[i])
        ppm_rank = {item: r for r, item in enumerate(ppm_ranked[:20])}
        cands = self._candidates(now, recent, ppm, ppm_ranked[:3])
        states = memory.timeline.states(before)
        opened = sorted((t for v, t in states.values() if is_open(v)), reverse=True)
        moment["n_open"] = float(len(opened))
        out: list[dict[str, float]] = []
        # candidates are often several states of one entity: its own features once per moment
        by_entity: dict[str, tuple[dict[str, float], str | None]] = {}
        for c in cands:
            cnt = count.get(c, 0)
            entity, _, value = c.rpartition(":")
            of_entity = by_entity.get(entity)
            if of_entity is None:
                of_entity = by_entity[entity] = self._entity_features(
                    now, entity, in_window, states, opened
                )
            entity_part, state = of_entity
            seen_value = entity_value.get(entity)
            if c in last_at:
                since = now - recent[last_at[c]].time
                last_slot = hour_slot(recent[last_at[c]].time)
                slot_distance = min((slot - last_slot) % 8, (last_slot - slot) % 8)
            else:
                since, slot_distance = -1.0, 9
            gap = st.typical_gap(last.item, c)
            since_any, count_24h, count_today = memory.occurrences(c, before, now)
            out.append({
                **moment, **entity_part,
                "candidate": float(self.vocab.get(c, -1)),
                "count_recent": float(cnt),
                "share_recent": cnt / n,
                "last_pos": float(n - last_at[c]) if c in last_at else 99.0,
                "first_pos": float(n - first_at[c]) if c in first_at else 99.0,
                "count_same_slot": float(same_slot.get(c, 0)),
                "count_same_day_slot": float(same_day_slot.get(c, 0)),
                "count_same_day": float(same_day.get(c, 0)),
                "follows_last_here": float(follows.get(c, 0)),
                "follows_last2_here": float(follows2.get(c, 0)),
                "is_last": float(c == last.item),
                "is_last2": float(c == last2),
                "p_first": first_counts.get(c, 0) / n_first if n_first else -1.0,
                "p_first_slot": (
                    first_slot_counts.get(c, 0) / n_first_slot if n_first_slot else -1.0
                ),
                "p_second": second_counts.get(c, 0) / n_second if n_second else -1.0,
                "p_prior": prior_counts.get(c, 0) / prior_total,
                "p_slot": slot_counts.get(c, 0) / slot_total,
                "same_entity_as_last": float(entity == last_entity),
                "entity_count_recent": float(entity_count.get(entity, 0)),
                "entity_change": -1.0 if seen_value is None else float(seen_value != value),
                "log_since_candidate": math.log1p(since) if since >= 0 else -1.0,
                "slot_distance": float(slot_distance),
                "log_typical_gap": log_seconds(gap) if gap is not None else -1.0,
                "p_context": ppm.get(c, 0.0),
                "rank_context": float(ppm_rank.get(c, 20)),
                "log_since_any": since_any,
                "count_24h": count_24h,
                "count_today": count_today,
                "p_first_pace": pace_counts.get(c, 0) / n_pace if n_pace else -1.0,
                "p_first_active": active_counts.get(c, 0) / n_active if n_active else -1.0,
                "state_same": -1.0 if state is None else float(value == state),
                "closes_open": (
                    float(is_open(state) and value != state) if state is not None else 0.0
                ),
            })  # fmt: skip
        return cands, out

    def _entity_features(
        self,
        now: float,
        entity: str,
        in_window: EntityTimeline,
        states: dict[str, tuple[str, float]],
        opened: list[float],
    ) -> tuple[dict[str, float], str | None]:
        """The candidate's entity: its `entity_*` features (timeline of the state window), its
        `state_*` ones (the whole stream's) and its current value over the whole stream (None
        when never seen)."""
        values = self._window_state(now, entity, in_window)
        state = self._stream_state(now, entity, states, opened, values)
        return values, state

    def _window_state(self, now: float, entity: str, in_window: EntityTimeline) -> dict[str, float]:
        """How long the candidate's entity has been in its current state, against how long it
        usually stays there: an 'off' is due when an 'on' has lasted its usual time."""
        current = in_window.state(entity)
        if current is None:
            return {
                "entity_state_known": 0.0,
                "log_entity_elapsed": -1.0,
                "log_entity_typical": -1.0,
                "entity_overdue": 0.0,
            }
        elapsed = max(0.0, now - current[1])
        typical = self.stats.typical_duration(entity, current[0])
        if typical is None:
            return {
                "entity_state_known": 1.0,
                "log_entity_elapsed": math.log1p(elapsed),
                "log_entity_typical": -1.0,
                "entity_overdue": 0.0,
            }
        return {
            "entity_state_known": 1.0,
            "log_entity_elapsed": log_seconds(elapsed),
            "log_entity_typical": log_seconds(typical),
            "entity_overdue": log_seconds(elapsed) - log_seconds(typical),
        }

    def _stream_state(
        self,
        now: float,
        entity: str,
        states: dict[str, tuple[str, float]],
        opened: list[float],
        values: dict[str, float],
    ) -> str | None:
        """The candidate's entity over the whole stream, into `values`; returns its state (None
        when never seen): with that state, each candidate tells whether it repeats the state or
        changes it and whether it closes an open interval. Here: how recently that interval
        opened among those open (intervals overlap, and which one ends next is the usual
        confusion), and how likely the current stay ends soon given how long it has lasted."""
        current = states.get(entity)
        if current is None:
            values.update(
                open_rank=-1.0, log_state_elapsed=-1.0, survival=-1.0, hazard_soon=-1.0,
                hazard_later=-1.0,
            )  # fmt: skip
            return None
        state, since = current
        open_now = is_open(state)
        rank = float(opened.index(since)) if open_now and since in opened else -1.0
        elapsed = max(0.0, now - since)
        survival, soon, later = self.stats.hazard(entity, state, elapsed)
        values.update(
            open_rank=rank, log_state_elapsed=log_seconds(elapsed), survival=survival,
            hazard_soon=soon, hazard_later=later,
        )  # fmt: skip
        return state
