"""A year of plans: real variation (drift, weekends, illness, trips, guests, work from home)."""

from __future__ import annotations

import random
import statistics
from datetime import date, datetime, timedelta

from hearthmind.integrations.simulator import load_home
from hearthmind.integrations.simulator.intentions import Step
from hearthmind.integrations.simulator.layout import Layout
from hearthmind.integrations.simulator.planner import (
    HouseholdDay,
    HouseholdPlanner,
    ResidentPlanner,
    ResidentStatus,
)


def plan_year(
    home: str, seed: int = 1, days: int = 365
) -> list[tuple[HouseholdDay, dict[str, list[Step]]]]:
    spec = load_home(home)
    layout = Layout(spec)
    household = HouseholdPlanner(spec, random.Random(f"{seed}:household"))
    statuses = {r.id: ResidentStatus(location=r.bedroom) for r in spec.residents}
    rngs = {r.id: random.Random(f"{seed}:{r.id}") for r in spec.residents}
    planners = {r.id: ResidentPlanner(r, layout, spec.zone) for r in spec.residents}
    out = []
    for d in range(days):
        day = date(2026, 1, 5) + timedelta(days=d)
        hh = household.plan(day, statuses, rngs)
        out.append(
            (hh, {rid: planners[rid].plan(day, hh, statuses[rid], rngs[rid]) for rid in planners})
        )
    return out


def minutes(ts: float, zone: object) -> float:
    local = datetime.fromtimestamp(ts, zone)  # type: ignore[arg-type]
    return local.hour * 60 + local.minute + local.second / 60


def test_a_year_of_the_family_varies_like_real_life() -> None:
    spec = load_home("family")
    year = plan_year("family")
    wake_work: list[float] = []
    wake_weekend: list[float] = []
    for hh, plans in year:
        steps = plans["tom"]
        wake = next((s.at for s in steps if s.activity == "wake up"), None)
        if wake is None or "tom" in hh.sick:
            continue
        (wake_weekend if hh.weekend else wake_work).append(minutes(wake, spec.zone))
    # wake-up drifts from day to day but stays a habit
    assert 5 < statistics.stdev(wake_work) < 45
    assert statistics.mean(wake_weekend) > statistics.mean(wake_work) + 60
    sick = [hh for hh, _ in year if hh.sick]
    trips = [hh for hh, _ in year if hh.trip == "leave"]
    guests = [hh for hh, _ in year if hh.guests]
    assert 5 <= len(sick) <= 80
    assert 1 <= len(trips) <= 10
    assert 20 <= len(guests) <= 120
    away_days = [hh for hh, plans in year if hh.trip == "away"]
    assert away_days and all(not any(plans.values()) for hh, plans in year if hh.trip == "away")
    cooks = {hh.cook for hh, _ in year}
    assert {"lena", "tom"} <= cooks and "sam" not in cooks
    activities = {s.activity for _, plans in year for steps in plans.values() for s in steps}
    for activity in (
        "cook",
        "watch TV",
        "shower",
        "work from home",
        "go to school",
        "ill: tea",
        "leave for trip",
        "back from trip",
        "go out",
    ):
        assert activity in activities, activity


def test_the_couple_lives_different_schedules() -> None:
    spec = load_home("couple")
    year = plan_year("couple", days=60)
    leave: dict[str, list[float]] = {"ana": [], "ben": []}
    bed_after_midnight = 0
    for _, plans in year:
        for rid, steps in plans.items():
            out = [s.at for s in steps if s.activity == "leave for work" and s.move == "away"]
            leave[rid].extend(minutes(t, spec.zone) for t in out)
        ben_sleep = [s.at for s in plans["ben"] if s.activity == "sleep"]
        bed_after_midnight += sum(1 for t in ben_sleep if minutes(t, spec.zone) < 5 * 60)
    assert statistics.mean(leave["ana"]) < 7 * 60 < statistics.mean(leave["ben"])
    assert bed_after_midnight > 20


def test_steps_are_in_time_order_every_day() -> None:
    for _, plans in plan_year("family", seed=5, days=120):
        for steps in plans.values():
            assert [s.at for s in steps] == sorted(s.at for s in steps)
