"""Pre-conditioning: heat each room just in time for the people the routines expect.

Given a room's fitted RC model, forecasts of outdoor temperature and sun, and per hour the
lowest temperature allowed (the person's preferred temperature minus half a degree while
someone is predicted home and awake, a setback otherwise), one LP picks the heat-pump output
per hour that keeps the room in its band for the least cost: electricity = heat / COP, priced
by the tariff and carbon; the COP falls as it gets colder outside, so heat made in the milder
afternoon is cheaper than heat made at dawn. Only the first hour is acted on.

When the solver gives no plan, :func:`thermostat_rule` is the safe rule: heat at full output
below the band's floor, proportionally within a degree of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lp import Array, LinearProgram, SolverError
from .thermal import RcModel

DISCOMFORT_COST = 50.0  # per degree-hour below the band: far above any tariff


@dataclass
class HeatPlan:
    heat_kw: Array  # thermal output per hour
    temperature: Array  # predicted air temperature at the end of each hour
    solved: bool
    reason: str = ""


def thermostat_rule(model: RcModel | None, t_now: float, floor: float, max_heat_kw: float) -> float:
    """The safe rule: full heat below the floor, half within 0.5 K above it, none above."""
    if not np.isfinite(t_now):
        return max_heat_kw * 0.5  # no reading: keep heating gently rather than let it freeze
    if t_now < floor:
        return max_heat_kw
    return max_heat_kw * 0.5 if t_now < floor + 0.5 else 0.0


def plan_heat(
    model: RcModel,
    t_now: float,
    outdoor: Array,
    ghi: Array,
    floor: Array,
    cop: Array,
    price: Array,
    carbon: Array | None = None,
    carbon_weight: float = 0.0,
    max_heat_kw: float = 6.0,
    ceiling: float = 24.0,
    time_limit_s: float = 2.0,
) -> HeatPlan:
    """The cheapest heat per hour that keeps each hour's end temperature above its floor."""
    n = len(floor)
    if not np.isfinite(t_now) or not np.all(np.isfinite(outdoor)):
        raise SolverError("no indoor or outdoor temperature to plan from")
    unit = np.asarray(price, float) + (
        carbon_weight * np.asarray(carbon, float) if carbon is not None else 0.0
    )
    lp = LinearProgram()
    q = lp.add_vars(n, 0.0, max_heat_kw, unit / np.asarray(cop, float))
    temp = lp.add_vars(n, -50.0, 60.0)
    short = lp.add_vars(n, 0.0, np.inf, DISCOMFORT_COST)
    over = lp.add_vars(n, 0.0, np.inf, DISCOMFORT_COST * 0.1)
    for t in range(n):
        # temp_t = a temp_{t-1} + b out + c q + d ghi + e
        row = {int(temp[t]): 1.0, int(q[t]): -model.c}
        rhs = model.b * outdoor[t] + model.d * ghi[t] + model.e
        if t == 0:
            rhs += model.a * t_now
        else:
            row[int(temp[t - 1])] = -model.a
        lp.add_eq(row, float(rhs))
        lp.add_row({int(temp[t]): 1.0, int(short[t]): 1.0}, lo=float(floor[t]))
        lp.add_row({int(temp[t]): 1.0, int(over[t]): -1.0}, hi=float(ceiling))
    x = lp.solve(time_limit_s)
    return HeatPlan(x[q], x[temp], solved=True)


def plan_or_rule(
    model: RcModel | None,
    t_now: float,
    outdoor: Array,
    ghi: Array,
    floor: Array,
    cop: Array,
    price: Array,
    max_heat_kw: float = 6.0,
    **kw: object,
) -> HeatPlan:
    """The LP plan, or the thermostat rule for this hour when there is no model or no plan."""
    if model is not None:
        try:
            return plan_heat(
                model,
                t_now,
                outdoor,
                ghi,
                floor,
                cop,
                price,
                max_heat_kw=max_heat_kw,
                **kw,  # type: ignore[arg-type]
            )
        except SolverError as err:
            reason = str(err)
    else:
        reason = "no fitted room model yet"
    q0 = thermostat_rule(model, t_now, float(floor[0]), max_heat_kw)
    return HeatPlan(np.array([q0]), np.array([t_now]), solved=False, reason=reason)
