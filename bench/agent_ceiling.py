"""How much of a simulated home's routine wants any event-triggered agent could take over, with
hindsight: an upper bound for the agent's takeover at a given precision (issue 18).

For each want (entity, target, part of the day) and each sensed event (entity:state, kept apart
for the dark and the light for lights and covers, as the agent's own triggers are), the event's
*occasions* are the times it came while the want's entity was not already so, and it was
*followed* when the resident wanted that within the agent's truth window (10 minutes; 3 for
switching off). With hindsight over the whole run, the good triggers of a want are those with at
least `--min-occasions` occasions whose share followed is at least the precision; a want is
*reachable* at that precision when one of its good triggers came within the window before it.
The share of wants reachable (weeks 3 on, as the benchmark counts) is what an agent acting at
once on the best triggers, chosen knowing the whole run, could take over while people do what
it did at least that share of the time. It is a ceiling for the agent's trigger moments, not
for acting on the clock or on a model, and it asks nothing of how people take a wrong action.

The run's own record is the trace: a run's HOME-POLICY folder (home.db and its intentions log)
from `bench/agent.py --work DIR`. What the agent did is put back as the
residents' own doing at the moment they wanted it (an agent's change is dropped; the want it
fulfilled becomes a change by hand), so the trace is nearly the one without an agent.

    .venv/bin/python bench/agent_ceiling.py /tmp/agent-s12/single-ours [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from agent_metrics import is_need
from hearthmind.agent.config import LadderRules
from hearthmind.agent.moments import DARK_BELOW
from hearthmind.agent.triggers import sun_elevation, trigger_key
from hearthmind.agent.units import part_of_day
from hearthmind.routines.timeofday import to_wall_clock

HOMES = Path(__file__).resolve().parents[1] / "src/hearthmind/integrations/simulator/homes"
WEEK = 7 * 86400.0
_RULES = LadderRules()  # the agent's truth windows, its defaults
WINDOW_ON = _RULES.truth_window_minutes * 60.0
WINDOW_OFF = _RULES.truth_window_off_minutes * 60.0
OFF_TARGETS = frozenset({"off", "closed", "locked", "idle", "standby", "paused"})
PRECISIONS = (0.99, 0.95, 0.9, 0.85, 0.8, 0.7)


@dataclass(frozen=True, slots=True)
class Change:
    time: float
    entity_id: str
    state: str


@dataclass(frozen=True, slots=True)
class Want:
    time: float
    entity_id: str
    target: str
    part: str

    @property
    def kind(self) -> tuple[str, str, str]:
        return self.entity_id, self.target, self.part


def window(target: str) -> float:
    return WINDOW_OFF if target in OFF_TARGETS else WINDOW_ON


def satisfies(state: str | None, target: str) -> bool:
    """A climate want's target is a set-point ("20.5"); the trace keeps the mode only, so a
    thermostat is never taken as already so (more occasions: a stricter ceiling)."""
    return state == target


def load_run(folder: Path) -> tuple[list[Change], list[Want], float, ZoneInfo, tuple[float, float]]:
    # the simulated home's place and zone: its spec (the folder is HOME-POLICY)
    spec = yaml.safe_load((HOMES / f"{folder.name.split('-')[0]}.yaml").read_text())
    zone = ZoneInfo(str(spec["time_zone"]))
    place = (float(spec["latitude"]), float(spec["longitude"]))
    intentions = [
        json.loads(line)
        for line in (folder / "home.db.intentions.jsonl").read_text().splitlines()
        if line.strip()
    ]
    start = min(float(r["epoch"]) for r in intentions)
    wants = []
    by_agent: list[Change] = []
    for r in intentions:
        if not is_need(r):
            continue
        t = float(r["epoch"])
        part = part_of_day(to_wall_clock(t, zone))
        wants.append(Want(t, str(r["entity_id"]), str(r["target"]), part))
        if r.get("satisfied_by") == "agent":  # as if by hand, when they wanted it
            by_agent.append(Change(t, str(r["entity_id"]), str(r["target"])))
    db = sqlite3.connect(f"file:{folder / 'home.db'}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT last_updated_ts, entity_id, state, origin FROM states "
        "WHERE state IS NOT NULL ORDER BY last_updated_ts"
    ).fetchall()
    db.close()
    changes = [
        Change(float(t), str(e), str(s))
        for t, e, s, origin in rows
        if origin != "agent" and not _numeric(str(s))
    ]
    changes.extend(by_agent)
    changes.sort(key=lambda c: c.time)
    return changes, wants, start, zone, place


def _numeric(state: str) -> bool:
    try:
        float(state)
    except ValueError:
        return False
    return True


def ceiling(
    changes: Sequence[Change],
    wants: Sequence[Want],
    start: float,
    zone: ZoneInfo,
    place: tuple[float, float],
    precisions: Iterable[float] = PRECISIONS,
    min_occasions: int = 5,
    first_week: int = 2,
) -> dict[str, Any]:
    """Per precision: the share of wants (weeks `first_week` + 1 on) a good trigger came
    before; and the wants by kind, for who wants to see where the bound comes from."""
    times_by_kind: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    kinds_of_entity: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for want in wants:
        times_by_kind[want.kind].append(want.time)
        kinds_of_entity[want.entity_id].add((want.target, want.part))
    # occasions: (want kind, trigger key) -> times; followed counted against the wants
    occasions: dict[tuple[tuple[str, str, str], str], list[float]] = defaultdict(list)
    state: dict[str, str] = {}
    for change in changes:
        t = change.time
        part = part_of_day(to_wall_clock(t, zone))
        dark = sun_elevation(t, *place) < DARK_BELOW
        item = f"{change.entity_id}:{change.state}"
        for entity_id, kinds in kinds_of_entity.items():
            if entity_id == change.entity_id:
                continue
            for target, want_part in kinds:
                if want_part != part or satisfies(state.get(entity_id), target):
                    continue
                key = trigger_key(item, dark, entity_id)
                occasions[((entity_id, target, part), key)].append(t)
        state[change.entity_id] = change.state
    for times in times_by_kind.values():
        times.sort()
    rate: dict[tuple[tuple[str, str, str], str], tuple[int, int]] = {}
    for (kind, key), times in occasions.items():
        wanted = times_by_kind[kind]
        span = window(kind[1])  # the want's target
        followed = sum(bisect_right(wanted, t + span) > bisect_left(wanted, t) for t in times)
        rate[(kind, key)] = (len(times), followed)
    cutoff = start + first_week * WEEK
    counted = [w for w in wants if w.time >= cutoff]
    out: dict[str, Any] = {"wants": len(counted), "precision": {}}
    for precision in precisions:
        good: dict[tuple[str, str, str], list[float]] = defaultdict(list)
        for (kind, key), (n, hits) in rate.items():
            if n >= min_occasions and hits / n >= precision:
                good[kind].extend(occasions[(kind, key)])
        for times in good.values():
            times.sort()
        reachable = 0
        for want in counted:
            times = good.get(want.kind, [])
            i = bisect_right(times, want.time)  # a good occasion at or before the want ...
            reachable += i > 0 and want.time - times[i - 1] <= window(want.target)
        out["precision"][f"{precision:.2f}"] = {
            "reachable": reachable,
            "share": reachable / len(counted) if counted else 0.0,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run", type=Path, nargs="+", help="a run's HOME-POLICY folder")
    parser.add_argument("--min-occasions", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    results = {}
    for folder in args.run:
        changes, wants, start, zone, place = load_run(folder)
        found = ceiling(changes, wants, start, zone, place, min_occasions=args.min_occasions)
        results[folder.name] = found
        shares = ", ".join(f"{p}: {v['share']:.3f}" for p, v in found["precision"].items())
        print(f"{folder.name}: {found['wants']} wants (weeks 3 on); reachable at {shares}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
