"""The model-predictive plan: supply-air, chilled-water and economiser set-points for the
next steps (15 minutes each) that use the least cooling power the surrogate predicts, with
every step's supply air inside the bounds that keep the rack inlets in their band and the
set-points moving no faster than a plant should (SciPy's SLSQP solves it).

With `PlanLimits.it_power_per_kelvin_kw` > 0 the objective is the facility's instead:
predicted cooling power plus the servers' extra power at warmer inlets, taken as that many
kW per K of the zones' planned supply air (the inlets follow the supply at their measured
rise, so a K of supply is a K of inlet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeResult, minimize

from .surrogate import PlantSurrogate


class SolverFailedError(RuntimeError):
    """The solver gave no usable plan."""


class SolverTimeoutError(SolverFailedError):
    """The solver ran past its time budget."""


@dataclass(frozen=True)
class PlanInputs:
    """The horizon's forecast and bounds, one entry a step."""

    outdoor_c: np.ndarray
    wetbulb_c: np.ndarray
    it_kw: np.ndarray
    supply_low_c: np.ndarray
    supply_high_c: np.ndarray
    previous_supply_c: float
    previous_chilled_water_c: float
    supply_offset_k: float = 0.0  # the zones' mean supply over the planned zone's


@dataclass(frozen=True)
class Plan:
    supply_c: np.ndarray
    chilled_water_c: np.ndarray
    economiser: np.ndarray
    cooling_kw: np.ndarray


@dataclass(frozen=True)
class PlanLimits:
    chilled_water_low_c: float = 6.0
    chilled_water_high_c: float = 16.0
    max_supply_step_k: float = 1.0  # per 15 minutes
    max_chilled_water_step_k: float = 1.0
    move_weight: float = 0.05  # kW per K^2 of set-point change: a calm plant
    block_steps: int = 2  # set-points held over blocks of this many steps (fewer unknowns)
    # the hall's extra IT kW per K of rack inlet (servers' data sheets or a step test);
    # 0 = minimise cooling alone, > 0 = cooling + IT (the facility's energy)
    it_power_per_kelvin_kw: float = 0.0


Solver = Callable[[PlantSurrogate, PlanInputs, PlanLimits, Callable[[], bool]], Plan]


def _rows(v: np.ndarray, p: PlanInputs, n: int, block: int) -> np.ndarray:
    h = len(p.outdoor_c)

    def steps(part: np.ndarray) -> np.ndarray:
        return np.repeat(part, block)[:h]

    return np.column_stack(
        [
            steps(v[:n]) + p.supply_offset_k,
            steps(v[n : 2 * n]),
            steps(v[2 * n :]),
            p.outdoor_c,
            p.wetbulb_c,
            p.it_kw,
        ]
    )


def blocks(p: PlanInputs, limits: PlanLimits) -> tuple[int, int, int, np.ndarray]:
    """The horizon's steps, the steps a block holds its set-points, the number of blocks and
    each block's first step (the last block may be shorter)."""
    h = len(p.outdoor_c)
    block = max(1, limits.block_steps)
    n = -(-h // block)
    return h, block, n, np.arange(n) * block


def objective(
    surrogate: PlantSurrogate, p: PlanInputs, limits: PlanLimits
) -> tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]:
    """The plan's cost over the block unknowns (supply, chilled water, economiser; `block`
    steps each) and its exact gradient: predicted cooling kW summed over the steps, plus the
    facility term when `limits.it_power_per_kelvin_kw` > 0, plus the move penalty."""
    h, block, n, first_of_block = blocks(p, limits)
    supply_prev = p.previous_supply_c
    chw_prev = p.previous_chilled_water_c

    def moves(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ds = np.diff(np.concatenate([[supply_prev], v[:n]]))
        dc = np.diff(np.concatenate([[chw_prev], v[n : 2 * n]]))
        return ds, dc

    it_per_k = limits.it_power_per_kelvin_kw
    # steps each block covers (the last may be shorter): d(sum of step supplies)/d(block)
    block_len = np.add.reduceat(np.ones(h), first_of_block)

    def cost(v: np.ndarray) -> float:
        ds, dc = moves(v)
        rows = _rows(v, p, n, block)
        power = float(np.sum(surrogate.predict(rows)))
        if it_per_k > 0.0:  # skipped at 0 so that the cooling-only plan is exactly the old one
            power += it_per_k * float(np.sum(rows[:, 0]))
        return power + limits.move_weight * float(np.sum(ds**2) + np.sum(dc**2))

    def grad(v: np.ndarray) -> np.ndarray:
        rows = _rows(v, p, n, block)
        g = np.concatenate(
            [np.add.reduceat(surrogate.gradient(rows, c), first_of_block) for c in range(3)]
        )
        if it_per_k > 0.0:
            g[:n] += it_per_k * block_len
        ds, dc = moves(v)
        for part, d in ((0, ds), (1, dc)):
            # d/dv_k of sum (v_k - v_{k-1})^2 = 2 d_k - 2 d_{k+1}
            gm = 2 * d - 2 * np.concatenate([d[1:], [0.0]])
            g[part * n : (part + 1) * n] += limits.move_weight * gm
        return g

    return cost, grad


def solve(
    surrogate: PlantSurrogate,
    p: PlanInputs,
    limits: PlanLimits,
    expired: Callable[[], bool],
) -> Plan:
    """The least-power plan; raises SolverTimeoutError once `expired()` says so, and
    SolverFailedError when SLSQP ends without a plan inside its bounds.

    Unknowns: supply air, chilled water and economiser (relaxed to 0-1, rounded after) for
    each block of `limits.block_steps` steps; the block's power is the sum of its steps'."""
    _, block, n, first_of_block = blocks(p, limits)
    supply_prev = p.previous_supply_c
    chw_prev = p.previous_chilled_water_c
    # a block's supply bounds: the tightest of its steps
    high_b = np.minimum.reduceat(p.supply_high_c, first_of_block)
    low_b = np.minimum(np.maximum.reduceat(p.supply_low_c, first_of_block), high_b)
    step_k = np.concatenate(
        [[limits.max_supply_step_k], np.full(n - 1, block * limits.max_supply_step_k)]
    )
    step_c = np.concatenate(
        [[limits.max_chilled_water_step_k], np.full(n - 1, block * limits.max_chilled_water_step_k)]
    )

    cost, grad = objective(surrogate, p, limits)

    # rate limits: |v_k - v_{k-1}| <= step, as A v <= b rows for SLSQP ("ineq": b - A v >= 0)
    diff = np.eye(n) - np.eye(n, k=-1)
    zeros = np.zeros((n, n))
    a_supply = np.hstack([diff, zeros, zeros])
    a_chw = np.hstack([zeros, diff, zeros])
    first = np.zeros(n)
    first[0] = 1.0
    a = np.vstack([a_supply, -a_supply, a_chw, -a_chw])
    b = np.concatenate(
        [
            step_k + first * supply_prev,
            step_k - first * supply_prev,
            step_c + first * chw_prev,
            step_c - first * chw_prev,
        ]
    )
    bounds = (
        list(zip(low_b, high_b, strict=True))
        + [(limits.chilled_water_low_c, limits.chilled_water_high_c)] * n
        + [(0.0, 1.0)] * n
    )
    start = np.concatenate(
        [
            np.clip(np.full(n, supply_prev), low_b, high_b),
            np.clip(np.full(n, chw_prev), limits.chilled_water_low_c, limits.chilled_water_high_c),
            np.full(n, 0.5),
        ]
    )
    # bounds that moved past the rate limit (an inlet near its limit) win over it
    b = np.maximum(b, a @ start)

    def check(_v: np.ndarray) -> None:
        if expired():
            raise SolverTimeoutError("the plan's time budget ran out")

    result: OptimizeResult = minimize(
        cost,
        start,
        jac=grad,
        method="SLSQP",
        bounds=bounds,
        constraints=[{"type": "ineq", "fun": lambda v: b - a @ v, "jac": lambda v: -a}],
        callback=check,
        options={"maxiter": 40, "ftol": 1e-3},
    )
    v = np.asarray(result.x, dtype=float)
    lo = np.array([bd[0] for bd in bounds])
    hi = np.array([bd[1] for bd in bounds])
    if not np.all(np.isfinite(v)) or np.any(v < lo - 1e-3) or np.any(v > hi + 1e-3):
        raise SolverFailedError(f"SLSQP gave no plan inside its bounds ({result.message})")
    v = np.clip(v, lo, hi)
    v[2 * n :] = np.where(v[2 * n :] >= 0.5, 1.0, 0.0)
    rows = _rows(v, p, n, block)
    return Plan(
        supply_c=rows[:, 0],
        chilled_water_c=rows[:, 1],
        economiser=rows[:, 2],
        cooling_kw=surrogate.predict(rows),
    )
