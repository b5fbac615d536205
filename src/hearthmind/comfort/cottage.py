"""The off-grid cottage's controller: PV, a battery, a heat pump, a hot-water tank and a few
deferrable loads, no grid.

Off grid the battery inverter balances every hour by itself (it stores the surplus and covers
the deficit until it is empty); what the controller decides is when the flexible loads run:
heat for the rooms (the building's mass is a store), heat for the tank (so is the water) and
the start of each deferrable load. One LP over the next 24 hours, from forecasts of the
household's own load, PV and outdoor temperature, minimises unserved energy first, then
discomfort (degree-hours below the room's floor, below 45 C in the tank), then curtailed PV.
Only the first hour is acted on. It says what it does in words.

When the LP gives no plan, :func:`safe_rule` runs the loads on thermostats and starts a
deferrable load only on surplus or at its deadline: nothing goes dark because a solve failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .lp import Array, LinearProgram, SolverError
from .thermal import RcModel

# per kWh unserved, per degree-hour of the room below its floor (+ the margin) and of the tank
# below 45 C, per kWh curtailed. ROOM_COST 3 (was 1) and the 1 K margin were chosen on the
# cottage bench's development buildings (CityLearn 2022 phase_1 Building_1 and _2, never the
# reported phase_2 Building_9), among room costs 1 and 3, tank costs 0.5 and 1.5 and margins
# 0, 0.5 and 1: the fewest discomfort hours, the unserved energy nearly the same
UNSERVED_COST, ROOM_COST, TANK_COST, CURTAIL_COST = 10.0, 3.0, 0.5, 0.001
# Power the battery and the sun cannot give, drawn anyway by a flexible load the controller
# switched on: the inverter then browns out the whole house (lights and fridge with it), so a
# plan may only do it when nothing else is possible (a load at its deadline, a forecast
# already wrong), never to buy comfort.
BROWNOUT_COST = 1000.0
# the plan aims this far above the room's floor: the room model is a fitted 1R1C, and a plan
# that lands exactly on the floor is below it whenever the model is a little optimistic
COMFORT_MARGIN_K = 1.0


@dataclass(frozen=True)
class CottageSpec:
    battery_kwh: float = 13.5
    battery_kw: float = 5.0
    efficiency: float = 0.95
    heat_pump_kw: float = 5.0  # thermal
    tank_kwh_per_k: float = 0.232  # 200 litres
    tank_heater_kw: float = 2.0
    tank_floor_c: float = 45.0
    tank_max_c: float = 65.0
    tank_loss_per_h: float = 0.01
    room_ceiling_c: float = 24.0


@dataclass(frozen=True)
class Deferrable:
    name: str
    power_kw: float
    hours_left_to_deadline: int  # it must have run by then


@dataclass
class CottageState:
    soc_kwh: float
    room_c: float
    tank_c: float


@dataclass
class CottageDecision:
    heat_kw: float
    tank_kw: float
    start: list[str]
    solved: bool
    say: str
    plan_soc: Array = field(default_factory=lambda: np.zeros(0))
    # the whole plan per hour (empty on the safe rule): heat, tank element, battery charge
    # (+) / discharge (-) in kW, the room and the tank at the end of each hour, and the hour
    # (from now) each deferrable load starts in
    plan_heat: Array = field(default_factory=lambda: np.zeros(0))
    plan_tank_kw: Array = field(default_factory=lambda: np.zeros(0))
    plan_battery_kw: Array = field(default_factory=lambda: np.zeros(0))
    plan_room: Array = field(default_factory=lambda: np.zeros(0))
    plan_tank_c: Array = field(default_factory=lambda: np.zeros(0))
    load_hour: dict[str, int] = field(default_factory=dict)


def safe_rule(
    spec: CottageSpec,
    state: CottageState,
    room_floor: float,
    pv_now: float,
    load_now: float,
    loads: list[Deferrable],
) -> CottageDecision:
    """Thermostats, and deferrable loads on surplus or at their deadline."""
    heat = spec.heat_pump_kw if state.room_c < room_floor else 0.0
    tank = spec.tank_heater_kw if state.tank_c < spec.tank_floor_c + 5 else 0.0
    surplus = pv_now - load_now
    start = [d.name for d in loads if d.hours_left_to_deadline <= 1 or surplus >= d.power_kw]
    return CottageDecision(heat, tank, start, solved=False, say="on the safe rule: thermostats")


def plan_cottage(
    spec: CottageSpec,
    state: CottageState,
    model: RcModel,
    pv: Array,
    load: Array,
    outdoor: Array,
    ghi: Array,
    cop: Array,
    room_floor: Array,
    tank_draw_kwh: Array,
    loads: list[Deferrable],
    hour_of_day: int,
    time_limit_s: float = 3.0,
    margin_k: float = COMFORT_MARGIN_K,
) -> CottageDecision:
    n = len(pv)
    if not (
        np.all(np.isfinite(pv))
        and np.all(np.isfinite(load))
        and np.isfinite(state.room_c)
        and np.isfinite(state.tank_c)
        and np.isfinite(state.soc_kwh)
    ):
        raise SolverError("non-finite forecast or state")
    lp = LinearProgram()
    q = lp.add_vars(n, 0.0, spec.heat_pump_kw)
    room = lp.add_vars(n, -40.0, 60.0)
    w = lp.add_vars(n, 0.0, spec.tank_heater_kw)
    tank = lp.add_vars(n, 0.0, spec.tank_max_c)
    c = lp.add_vars(n, 0.0, spec.battery_kw)
    d = lp.add_vars(n, 0.0, spec.battery_kw)
    s = lp.add_vars(n, 0.0, spec.battery_kwh)
    # unserved energy: the household's own load the battery cannot cover (u, at most that
    # load), and power the plan's flexible loads would draw beyond it (b, a brown-out)
    u = lp.add_vars(n, 0.0, np.maximum(np.asarray(load, dtype=np.float64), 0.0), UNSERVED_COST)
    b = lp.add_vars(n, 0.0, np.inf, BROWNOUT_COST)
    k = lp.add_vars(n, 0.0, np.inf, CURTAIL_COST)
    cold = lp.add_vars(n, 0.0, np.inf, ROOM_COST)
    warm = lp.add_vars(n, 0.0, np.inf, ROOM_COST * 0.2)
    cool_tank = lp.add_vars(n, 0.0, np.inf, TANK_COST)
    early = 1e-4 * np.arange(n, dtype=np.float64)  # earlier is a hair better
    runs = [lp.add_vars(n, 0.0, 1.0, early) for _ in loads]
    soc0 = float(np.clip(state.soc_kwh, 0, spec.battery_kwh))
    for t in range(n):
        # power: pv - k + d + u + b = load + q / cop + w + sum P x + c
        row = {
            int(k[t]): -1.0,
            int(d[t]): 1.0,
            int(u[t]): 1.0,
            int(b[t]): 1.0,
            int(q[t]): -1.0 / float(cop[t]),
            int(w[t]): -1.0,
            int(c[t]): -1.0,
        }
        for j, dl in enumerate(loads):
            row[int(runs[j][t])] = -dl.power_kw
        lp.add_eq(row, float(load[t] - pv[t]))
        srow = {int(s[t]): 1.0, int(c[t]): -spec.efficiency, int(d[t]): 1.0 / spec.efficiency}
        if t:
            srow[int(s[t - 1])] = -1.0
        lp.add_eq(srow, soc0 if t == 0 else 0.0)
        rrow = {int(room[t]): 1.0, int(q[t]): -model.c}
        if t:
            rrow[int(room[t - 1])] = -model.a
        lp.add_eq(
            rrow,
            float(
                model.b * outdoor[t]
                + model.d * ghi[t]
                + model.e
                + (model.a * state.room_c if t == 0 else 0.0)
            ),
        )
        lp.add_row({int(room[t]): 1.0, int(cold[t]): 1.0}, lo=float(room_floor[t]) + margin_k)
        lp.add_row({int(room[t]): 1.0, int(warm[t]): -1.0}, hi=spec.room_ceiling_c)
        # the tank loses a share of its excess over the room (20 C) each hour
        trow = {int(tank[t]): 1.0, int(w[t]): -1.0 / spec.tank_kwh_per_k}
        if t:
            trow[int(tank[t - 1])] = -(1 - spec.tank_loss_per_h)
        lp.add_eq(
            trow,
            float(
                -tank_draw_kwh[t] / spec.tank_kwh_per_k
                + spec.tank_loss_per_h * 20.0
                + ((1 - spec.tank_loss_per_h) * state.tank_c if t == 0 else 0.0)
            ),
        )
        lp.add_row({int(tank[t]): 1.0, int(cool_tank[t]): 1.0}, lo=spec.tank_floor_c)
    for j, dl in enumerate(loads):
        window = range(0, max(1, min(n, dl.hours_left_to_deadline)))
        lp.add_eq({int(runs[j][t]): 1.0 for t in window}, 1.0)
        for t in range(len(window), n):
            lp.add_eq({int(runs[j][t]): 1.0}, 0.0)
    x = lp.solve(time_limit_s)
    start = [
        dl.name
        for j, dl in enumerate(loads)
        if x[runs[j][0]] >= 0.5 or dl.hours_left_to_deadline <= 1
    ]
    say = describe(loads, [x[r] for r in runs], x[s], hour_of_day, start)
    return CottageDecision(
        float(x[q[0]]),
        float(x[w[0]]),
        start,
        True,
        say,
        x[s],
        plan_heat=x[q],
        plan_tank_kw=x[w],
        plan_battery_kw=x[c] - x[d],
        plan_room=x[room],
        plan_tank_c=x[tank],
        load_hour={
            dl.name: 0 if dl.name in start else int(np.argmax(x[runs[j]]))
            for j, dl in enumerate(loads)
        },
    )


def describe(
    loads: list[Deferrable], runs: list[Array], soc: Array, hour_of_day: int, start: list[str]
) -> str:
    """The plan in words: when each load runs, what the battery keeps for the night."""
    parts = []
    for dl, r in zip(loads, runs, strict=True):
        if dl.name in start:
            parts.append(f"the {dl.name} runs now")
        else:
            when = (hour_of_day + int(np.argmax(r))) % 24
            parts.append(f"the {dl.name} waits for {'noon' if when == 12 else f'{when:02d}:00'}")
    dusk = (20 - hour_of_day) % 24
    if dusk < len(soc):
        parts.append(f"the battery keeps {soc[dusk]:.0f} kWh for tonight")
    return "; ".join(parts) if parts else "nothing to shift"
