"""The perfect-foresight bound for CityLearn 2022: one LP over the whole episode on the true
loads, PV, prices and carbon (read from a no-control run's observations), with the same
objective and battery model as our MPC. Its battery schedule is then replayed in CityLearn,
so the bound is scored by the same simulator as everyone else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hearthmind.comfort.battery_mpc import BatterySpec, MpcWeights, plan_batteries

CHUNK_DAYS = 28  # the year is solved in four-week windows, each seeing two more days ahead


def bound_actions(
    series: dict[str, Any],
    buildings: list[dict[str, float]],
    weights: MpcWeights,
    efficiency: float = 0.93,
) -> list[list[float]]:
    load = np.array(series["load"], float).T  # (B, T)
    pv = np.array(series["pv"], float).T
    price = np.array(series["price"], float)
    carbon = np.array(series["carbon"], float)
    specs = [BatterySpec(b["capacity"], b["power"], efficiency) for b in buildings]
    n_b, n_t = load.shape
    soc = np.zeros(n_b)
    actions = np.zeros((n_t, n_b))
    prev: float | None = None
    step = 24 * CHUNK_DAYS
    for start in range(0, n_t, step):
        end = min(n_t, start + step + 48)
        sl = slice(start, end)
        days = np.arange(end - start) // 24
        plan = plan_batteries(
            specs,
            soc,
            load[:, sl],
            pv[:, sl],
            price[sl],
            carbon[sl],
            weights,
            prev_district=prev,
            day_of_step=days,
            time_limit_s=600,
        )
        keep = min(step, n_t - start)
        for b, sp in enumerate(specs):
            actions[start : start + keep, b] = plan.charge[b, :keep] / sp.capacity_kwh
        soc = plan.soc[:, keep - 1]
        prev = float(np.sum(plan.grid[:, keep - 1]))
    return np.clip(actions, -1, 1).tolist()
