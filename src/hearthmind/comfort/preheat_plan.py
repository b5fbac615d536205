"""One room's hour of pre-heating, without the hub: the floor per hour from who is expected,
the plan (comfort.preheat), and from it the next warm-up: when to start so that the room is
warm when people are usually up or home, and the sentences that say so."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hearthmind.routines.timeofday import DAY

from .lp import Array
from .preheat import HeatPlan, plan_or_rule
from .preheat_history import HOUR, DayKind, Occupancy, day_kind
from .thermal import RcModel

HORIZON = 24
HEATING = 0.05  # kW: less than this in an hour is no heating
START_STEP = 300.0  # a start is said and done on 5-minute steps


@dataclass(frozen=True)
class Expected:
    """Who is expected up (or home) in each of the next HORIZON + 1 hours, and the target."""

    up: list[bool]
    people: list[list[str]]
    target: list[float]
    share: list[float]


def expected(
    occupancy: Occupancy,
    wall_hour0: float,
    room_people: list[str] | None,
    preferences: dict[str, float],
    comfort: float,
    threshold: float,
) -> Expected:
    """Per hour from the wall-clock hour `wall_hour0`: up when the share of such days reaches
    `threshold`; the target is the highest preference of the room's people expected then."""
    up, people, target, share = [], [], [], []
    for j in range(HORIZON + 1):
        wall = wall_hour0 + j * HOUR
        kind, hour = day_kind(wall), int(wall % DAY // HOUR)
        here = occupancy.people(kind, hour, threshold)
        if room_people is not None:
            here = [p for p in here if p in room_people]
        s = occupancy.share(kind, hour)
        up.append(s >= threshold)
        people.append(here)
        share.append(s)
        wanted = [preferences[p] for p in here if p in preferences]
        target.append(max(wanted) if wanted else comfort)
    return Expected(up, people, target, share)


def floors(exp: Expected, band: float, setback: float) -> Array:
    """The lowest temperature allowed at the end of each planned hour: the band's floor when
    people are up in that hour or the next (warm when they get up), the setback otherwise."""
    out = np.full(HORIZON, setback)
    for t in range(HORIZON):
        for s in (t, t + 1):
            if exp.up[s]:
                out[t] = max(out[t], exp.target[s] - band)
    return out


@dataclass
class WarmUp:
    """The next warm-up the plan makes: start heating at `start` to reach `target` for the
    people usually up (or home) at `due`."""

    start: float
    due: float
    target: float
    people: list[str]
    share: float
    hour: int  # the hour of the home's day people are expected
    kind: DayKind


@dataclass
class RoomHour:
    plan: HeatPlan
    floor: Array
    warm_up: WarmUp | None
    note: str  # why there is no warm-up, when there is none


def plan_room(
    model: RcModel,
    t_now: float,
    outdoor: Array,
    price: Array,
    carbon: Array | None,
    carbon_weight: float,
    exp: Expected,
    occupancy: Occupancy,
    band: float,
    setback: float,
    cop: float,
    max_heat_kw: float,
    hour0: float,
    wall_hour0: float,
    now: float,
    time_limit_s: float,
) -> RoomHour:
    """Plan the next HORIZON hours from the hour starting at `hour0` (epoch s) and find the
    next warm-up in it."""
    floor = floors(exp, band, setback)
    plan = plan_or_rule(
        model,
        t_now,
        outdoor,
        np.zeros(HORIZON),
        floor,
        np.full(HORIZON, cop),
        price,
        max_heat_kw=max_heat_kw,
        carbon=carbon,
        carbon_weight=carbon_weight,
        ceiling=max(exp.target) + 1.0,
        time_limit_s=time_limit_s,
    )
    if not plan.solved:
        return RoomHour(plan, floor, None, f"no plan: {plan.reason}")
    onset = next((s for s in range(1, HORIZON + 1) if exp.up[s] and not exp.up[s - 1]), None)
    if onset is None:
        note = "someone is usually up now" if exp.up[0] else "nobody is expected for 24 hours"
        return RoomHour(plan, floor, None, note)
    wall = wall_hour0 + onset * HOUR
    kind, hour = day_kind(wall), int(wall % DAY // HOUR)
    due = hour0 + onset * HOUR + occupancy.onset_minute(kind, hour) * 60.0
    last = onset - 1  # the plan's hour that ends as they come
    extra = _warming(model, plan, t_now, outdoor)
    if extra[last] < HEATING:
        return RoomHour(plan, floor, None, "the room stays warm enough without warming up")
    first = last
    while first > 0 and extra[first - 1] >= HEATING:
        first -= 1
    # the plan's extra heat in the first hour of the warm-up, at full output, ends that hour
    hold = float(plan.heat_kw[first]) - float(extra[first])
    fraction = min(1.0, float(extra[first]) / max(max_heat_kw - hold, 1e-6))
    start = hour0 + (first + 1.0 - fraction) * HOUR
    start = max(now, start // START_STEP * START_STEP)
    warm = WarmUp(start, due, exp.target[onset], exp.people[onset], exp.share[onset], hour, kind)
    return RoomHour(plan, floor, warm, "")


def _warming(model: RcModel, plan: HeatPlan, t_now: float, outdoor: Array) -> Array:
    """Per planned hour, the heat beyond what holds the room where it was at the hour's
    start: the warm-up, as against keeping the setback through a cold night."""
    before = np.concatenate([[t_now], plan.temperature[:-1]])
    hold = (before - model.a * before - model.b * outdoor - model.e) / model.c
    return np.asarray(plan.heat_kw - np.maximum(hold, 0.0), dtype=float)


def clock(wall: float) -> str:
    seconds = int(wall % DAY)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def setpoint_value(target: float) -> str:
    """The thermostat's learned value for heating to `target` (routines.observations)."""
    return f"heat@{round(target * 2) / 2:g}"


def reason(
    room: str,
    warm: WarmUp,
    occupancy: Occupancy,
    start_wall: float,
    due_wall: float,
    arriving: bool,
    outdoor: float,
) -> str:
    """ "the living room warms from 06:05 for 06:40, when someone is usually up (17 of 21
    work days); it is 2 C outside" """
    days = occupancy.days.get(warm.kind, 0)
    seen = occupancy.up.get(warm.kind, [0] * 24)[warm.hour]
    kind = "work days" if warm.kind == "work day" else "weekend days"
    how = "home" if arriving else "up"
    return (
        f"the {room} warms from {clock(start_wall)} for {clock(due_wall)}, when someone is "
        f"usually {how} ({seen} of {days} {kind}); it is {outdoor:.0f} C outside"
    )


def question(room: str, warm: WarmUp, start_wall: float, due_wall: float, arriving: bool) -> str:
    how = "home" if arriving else "up"
    return (
        f"Shall I start warming the {room} at {clock(start_wall)} so it is {warm.target:g} C "
        f"when you are usually {how} at {clock(due_wall)}?"
    )
