"""Simulated homes: anticipation precision and recall against the residents' ground truth.

The models learn from the first 70 % of days (people's actions and sensor events, as the
recorder holds them), then walk the rest: after every event each model makes its top guess;
a guess of a device action with probability >= `threshold` is an anticipation at its expected
time. It counts (precision) when a resident does that action within `tolerance` seconds of
that time; a resident's action counts as anticipated (recall) when some anticipation of it,
made before it happened, lies within `tolerance` of it. Repeated guesses of the same action
within the tolerance are one anticipation."""

from __future__ import annotations

import bisect
import json
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..observations import HomeLog, Kind, is_number, learned_value, on_wall_clock
from ..recorder_bridge import read_observations
from ..timeofday import to_wall_clock
from .catalogue import make_models
from .homes import WINDOW
from .splits import evaluation_split

Progress = Callable[[str, int, int], None]
TOLERANCE = 600.0


def intentions_file(db: Path) -> Path:
    return db.with_name(db.name + ".intentions.jsonl")


def home_time_zone(db: Path) -> tzinfo | None:
    """The zone the simulated home's residents live in, as its ground truth names it (None:
    a file written before it did, read in UTC as then)."""
    path = intentions_file(db)
    if not path.is_file():
        raise ValueError(f"{db}: no ground truth at {path.name}")
    with path.open(encoding="utf-8") as fh:
        line = next((line for line in fh if line.strip()), None)
    try:
        name = json.loads(line).get("time_zone") if line else None
        return ZoneInfo(name) if name else None
    except (ValueError, AttributeError, KeyError) as err:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"{path.name}:1: unreadable time zone ({err})") from err


def read_simulated(db: Path, zone: tzinfo | None = None) -> tuple[HomeLog, tzinfo | None]:
    """The simulated home's recorded history on its residents' clock (`zone`, else the one
    its ground truth names), and that zone."""
    zone = zone or home_time_zone(db)
    return on_wall_clock(read_observations(db), zone), zone


def load_done_actions(
    db: Path, start: float, end: float = math.inf, zone: tzinfo | None = None
) -> dict[str, list[float]]:
    """Ground truth: actions residents carried out (executed intentions) from `start` until
    `end`, as models learn and predict them: as the recorder shows them (`recorded_action`: a
    TV turned on shows "playing"), with a thermostat's set-point (shown "heat", learned
    "heat@20.5", see `learned_value`). Files without it fall back to the wanted `action`.
    With `zone`, times (and `start`, `end`) are on that wall clock, as the models see them."""
    path = intentions_file(db)
    if not path.is_file():
        raise ValueError(f"{db}: no ground truth at {path.name}")
    done: defaultdict[str, list[float]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                when, shown, executed = (
                    to_wall_clock(float(record["epoch"]), zone),
                    str(record.get("recorded_action") or record["action"]),
                    bool(record["executed"]),
                )
                entity, _, state = shown.rpartition(":")
                target = record.get("target")
                setpoint = {"temperature": float(target)} if is_number(target) else None
                action = f"{entity}:{learned_value(entity, state, setpoint)}"
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path.name}:{number}: unreadable intention ({err})") from err
            if executed and start <= when <= end:
                done[action].append(when)
    for times in done.values():
        times.sort()
    return dict(done)


AHEAD = 0.01  # seconds: an anticipation must come before the action (times match to 1 ms)


def score_anticipations(
    anticipations: Mapping[str, Sequence[tuple[float, float]]],
    done: Mapping[str, Sequence[float]],
    tolerance: float = TOLERANCE,
) -> tuple[int, int, int]:
    """(anticipations made, those a resident's action followed within `tolerance` of the
    expected time, residents' actions anticipated). Only actions after the moment an
    anticipation was made count for it: a guess made just after the action it names (the
    hub saw it happen) anticipated nothing."""
    made = sum(len(v) for v in anticipations.values())
    correct = 0
    for item, made_list in anticipations.items():
        times = done.get(item, [])
        for at, expected in made_list:
            j = bisect.bisect_left(times, max(expected - tolerance, at + AHEAD))
            correct += j < len(times) and times[j] <= expected + tolerance
    caught = 0
    for item, times in done.items():
        made_for = anticipations.get(item, [])
        for t in times:
            caught += any(at + AHEAD <= t and abs(exp - t) <= tolerance for at, exp in made_for)
    return made, correct, caught


def evaluate_simulated(
    db: Path,
    progress: Progress | None = None,
    threshold: float = 0.5,
    tolerance: float = TOLERANCE,
    only: Collection[str] | None = None,
    *,
    validation: bool = False,
    zone: tzinfo | None = None,
) -> tuple[str, dict[str, Any]]:
    """With `validation`, the training days are split 70/30 again and the ground truth is read
    for the scored days only, so the test days are never looked at. Times are on the
    residents' clock: `zone`, else the home's as its ground truth names it."""
    log, zone = read_simulated(db, zone)
    split = evaluation_split(log.observations, validation)
    # the scored days' ground truth only: in validation mode the test days stay unread
    end = split.test[-1].time if validation and split.test else math.inf
    if not split.test:
        raise ValueError(f"{db}: no test days")
    test_start = split.test[0].time
    done = load_done_actions(db, test_start, end, zone)
    total_done = sum(len(t) for t in done.values())
    # (from the days in play only: in validation mode the test days stay unread)
    action_items = {o.item for o in (*split.train, *split.test) if o.kind is Kind.ACTION}
    results: dict[str, Any] = {}
    for model in make_models(now_is_target_time=False, only=only):
        model.fit([split.train])
        anticipations: defaultdict[str, list[tuple[float, float]]] = defaultdict(
            list
        )  # item -> (made at, expected)
        recent = list(split.train[-WINDOW:])
        step = max(1, len(split.test) // 50)
        for n, obs in enumerate(split.test):
            if recent:
                guesses = model.predict(recent[-1].time, recent, k=1)
                if (
                    guesses
                    and guesses[0].item in action_items
                    and guesses[0].probability >= threshold
                ):
                    g = guesses[0]
                    expected = g.expected_time if g.expected_time is not None else recent[-1].time
                    previous = anticipations[g.item]
                    if not previous or abs(previous[-1][1] - expected) > tolerance:
                        previous.append((recent[-1].time, expected))
            model.update(obs)
            recent.append(obs)
            if len(recent) > WINDOW:
                del recent[0]
            if progress and n % step == 0:
                progress(f"sim {log.name}: {model.name}", n, len(split.test))
        made, correct, caught = score_anticipations(anticipations, done, tolerance)
        results[model.name] = {
            "precision": round(correct / made, 4) if made else None,
            "recall": round(caught / total_done, 4) if total_done else None,
            "anticipations": made,
            "actions": total_done,
        }
    return log.name, results
