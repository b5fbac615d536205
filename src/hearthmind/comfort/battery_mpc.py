"""Solar + battery scheduling with a rolling horizon: one LP per step over the forecasts.

Per battery b and hour t: charge c, discharge d (AC side, kWh), state of charge s, grid
import i and export e with  load - pv + c - d = i - e  and  s_t = s_{t-1} + eta c - d / eta.
The objective is what the home pays for: price and carbon of imports (exports earn nothing,
as on CityLearn's tariffs), the district's ramping |D_t - D_{t-1}| and each day's peak D
(the grid terms), less a value on the energy left at the horizon's end so the plan does not
empty the battery for the sake of a horizon that ends. Only the first hour is acted on; the
next hour plans again from what happened (model-predictive control).

If HiGHS fails, times out or is handed nonsense, :func:`self_consumption` is the safe rule:
charge from surplus, discharge on deficit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lp import Array, LinearProgram, SolverError


@dataclass(frozen=True)
class BatterySpec:
    """A battery as the planner sees it."""

    capacity_kwh: float
    power_kw: float
    efficiency: float = 0.95  # one way; round trip is its square
    reserve_kwh: float = 0.0


@dataclass(frozen=True)
class MpcWeights:
    """What one unit of each term costs in the objective (tuned on a development set)."""

    price: float = 1.0
    carbon: float = 1.0
    ramping: float = 0.0
    peak: float = 0.0
    terminal: float = 0.8  # value of a stored kWh at the end, as a share of the mean import cost
    export: float = 0.0  # what an exported kWh earns


@dataclass
class BatteryPlan:
    """The plan: per battery and hour, net charge (AC kWh, + charge / - discharge) and SoC."""

    charge: Array  # (B, T)
    soc: Array  # (B, T) at the end of each hour
    grid: Array  # (B, T) import - export
    solved: bool  # False when the safe rule made it


def self_consumption(specs: list[BatterySpec], soc0: Array, load: Array, pv: Array) -> BatteryPlan:
    """The safe rule: store the surplus, cover the deficit, within power and energy limits."""
    n_b, n_t = load.shape
    charge = np.zeros((n_b, n_t))
    soc = np.zeros((n_b, n_t))
    for b, sp in enumerate(specs):
        # a state of charge that makes no sense counts as empty: never discharge on a guess
        s = float(np.clip(soc0[b], 0.0, sp.capacity_kwh)) if np.isfinite(soc0[b]) else 0.0
        for t in range(n_t):
            surplus = pv[b, t] - load[b, t]
            if surplus > 0:
                c = min(surplus, sp.power_kw, (sp.capacity_kwh - s) / sp.efficiency)
                s += c * sp.efficiency
                charge[b, t] = c
            else:
                d = min(-surplus, sp.power_kw, max(0.0, s - sp.reserve_kwh) * sp.efficiency)
                s -= d / sp.efficiency
                charge[b, t] = -d
            soc[b, t] = s
    return BatteryPlan(charge, soc, load - pv + charge, solved=False)


def plan_batteries(
    specs: list[BatterySpec],
    soc0: Array,
    load: Array,
    pv: Array,
    price: Array,
    carbon: Array,
    weights: MpcWeights,
    prev_district: float | None = None,
    day_of_step: Array | None = None,
    time_limit_s: float = 5.0,
) -> BatteryPlan:
    """The LP plan over the horizon of ``load`` (B, T); SolverError if there is none."""
    n_b, n_t = load.shape
    if not (np.all(np.isfinite(load)) and np.all(np.isfinite(pv)) and np.all(np.isfinite(soc0))):
        raise SolverError("non-finite forecast or state of charge")
    lp = LinearProgram()
    unit = weights.price * price + weights.carbon * carbon  # cost of one imported kWh
    end_value = weights.terminal * float(np.mean(unit))
    c_idx, d_idx, s_idx, i_idx, e_idx = [], [], [], [], []
    for b, sp in enumerate(specs):
        c_idx.append(lp.add_vars(n_t, 0.0, sp.power_kw))
        d_idx.append(lp.add_vars(n_t, 0.0, sp.power_kw))
        s_cost = np.zeros(n_t)
        s_cost[-1] = -end_value
        s_idx.append(
            lp.add_vars(n_t, min(sp.reserve_kwh, sp.capacity_kwh), sp.capacity_kwh, s_cost)
        )
        i_idx.append(lp.add_vars(n_t, 0.0, np.inf, unit))
        e_idx.append(lp.add_vars(n_t, 0.0, np.inf, -weights.export * price))
        s_start = float(np.clip(soc0[b], 0.0, sp.capacity_kwh))
        for t in range(n_t):
            # balance: c - d - i + e = pv - load
            lp.add_eq(
                {c_idx[b][t]: 1.0, d_idx[b][t]: -1.0, i_idx[b][t]: -1.0, e_idx[b][t]: 1.0},
                float(pv[b, t] - load[b, t]),
            )
            # storage: s_t - s_{t-1} - eta c + d / eta = 0
            row = {s_idx[b][t]: 1.0, c_idx[b][t]: -sp.efficiency, d_idx[b][t]: 1.0 / sp.efficiency}
            if t == 0:
                lp.add_eq(row, s_start)
            else:
                row[s_idx[b][t - 1]] = -1.0
                lp.add_eq(row, 0.0)
    if weights.ramping > 0 or weights.peak > 0:
        # district net D_t = sum_b (i - e); ramp r_t >= |D_t - D_{t-1}|
        dist = lp.add_vars(n_t, -np.inf, np.inf)
        for t in range(n_t):
            row = {int(dist[t]): 1.0}
            for b in range(n_b):
                row[int(i_idx[b][t])] = -1.0
                row[int(e_idx[b][t])] = 1.0
            lp.add_eq(row, 0.0)
        if weights.ramping > 0:
            ramp = lp.add_vars(n_t, 0.0, np.inf, weights.ramping)
            for t in range(n_t):
                if t == 0 and prev_district is None:
                    continue
                prev: dict[int, float] = {} if t == 0 else {int(dist[t - 1]): -1.0}
                rhs = float(prev_district) if t == 0 and prev_district is not None else 0.0
                lp.add_row({int(ramp[t]): 1.0, int(dist[t]): -1.0, **_neg(prev)}, lo=-rhs)
                lp.add_row({int(ramp[t]): 1.0, int(dist[t]): 1.0, **prev}, lo=rhs)
        if weights.peak > 0:
            days = np.zeros(n_t, dtype=int) if day_of_step is None else np.asarray(day_of_step)
            for day in np.unique(days):
                peak = lp.add_vars(1, 0.0, np.inf, weights.peak)
                for ti in np.flatnonzero(days == day):
                    lp.add_row({int(peak[0]): 1.0, int(dist[ti]): -1.0}, lo=0.0)
    x = lp.solve(time_limit_s)
    charge = np.array([x[c_idx[b]] - x[d_idx[b]] for b in range(n_b)])
    soc = np.array([x[s_idx[b]] for b in range(n_b)])
    grid = np.array([x[i_idx[b]] - x[e_idx[b]] for b in range(n_b)])
    return BatteryPlan(charge, soc, grid, solved=True)


def _neg(row: dict[int, float]) -> dict[int, float]:
    return {k: -v for k, v in row.items()}


def plan_or_rule(
    specs: list[BatterySpec],
    soc0: Array,
    load: Array,
    pv: Array,
    price: Array,
    carbon: Array,
    weights: MpcWeights,
    **kw: object,
) -> BatteryPlan:
    """The LP plan, or the self-consumption rule when the LP gives none."""
    try:
        return plan_batteries(specs, soc0, load, pv, price, carbon, weights, **kw)  # type: ignore[arg-type]
    except SolverError:
        return self_consumption(specs, soc0, np.nan_to_num(load), np.nan_to_num(pv))
