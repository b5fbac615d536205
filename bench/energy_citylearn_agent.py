"""Our battery MPC as a CityLearn agent (runs inside the CityLearn bench venv).

A thin adapter: it reads each building's load, PV, state of charge, price and carbon from
the observations as they come (no look at the dataset's future), feeds the forecasters of
``hearthmind.comfort.forecast`` and asks ``hearthmind.comfort.battery_mpc`` for a plan over
the horizon; only the first hour's charge is sent, as a share of each battery's capacity.
The controller's core imports nothing of CityLearn; this file is the only glue.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hearthmind.comfort.battery_mpc import BatterySpec, MpcWeights, plan_or_rule
from hearthmind.comfort.forecast import SeasonalForecaster


class MpcAgent:
    """Central agent over every building's electrical storage."""

    def __init__(self, env: Any, weights: MpcWeights, horizon: int = 24, efficiency: float = 0.93) -> None:
        self.env = env
        self.weights = weights
        self.horizon = horizon
        self.buildings = env.buildings
        self.specs = [
            BatterySpec(b.electrical_storage.capacity, b.electrical_storage.nominal_power, efficiency)
            for b in self.buildings
        ]
        self.load_f = [SeasonalForecaster(horizon) for _ in self.buildings]
        self.pv_f = [SeasonalForecaster(horizon) for _ in self.buildings]
        self.price_f = SeasonalForecaster(horizon, window=24 * 28)
        self.carbon_f = SeasonalForecaster(horizon)
        names = env.observation_names[0]
        self.index = {n: [i for i, m in enumerate(names) if m == n] for n in set(names)}
        self.prev_district: float | None = None
        self.solver_fallbacks = 0
        self.step = 0
        self.plans: list[float] = []

    def _obs(self, obs: list[float], name: str) -> list[float]:
        return [obs[i] for i in self.index.get(name, [])]

    def predict(self, observations: list[list[float]]) -> list[list[float]]:
        obs = observations[0]
        loads = self._obs(obs, "non_shiftable_load")
        pvs = self._obs(obs, "solar_generation")
        socs = self._obs(obs, "electrical_storage_soc")
        price = self._obs(obs, "electricity_pricing")[0]
        carbon = self._obs(obs, "carbon_intensity")[0]
        for b in range(len(self.buildings)):
            # the observation at step t is the hour about to run; forecasters take it as known
            self.load_f[b].observe(loads[b])
            self.pv_f[b].observe(pvs[b])
        self.price_f.observe(price)
        self.carbon_f.observe(carbon)
        # hour t is observed now (CityLearn shows the load of the hour being decided); t+1.. forecast
        load = np.array([np.concatenate([[loads[b]], f.forecast()[: self.horizon - 1]])
                         for b, f in enumerate(self.load_f)])
        pv = np.array([np.concatenate([[pvs[b]], f.forecast()[: self.horizon - 1]])
                       for b, f in enumerate(self.pv_f)])
        prices = np.concatenate([[price], self.price_f.forecast()[: self.horizon - 1]])
        carbons = np.concatenate([[carbon], self.carbon_f.forecast()[: self.horizon - 1]])
        soc0 = np.array([s * sp.capacity_kwh for s, sp in zip(socs, self.specs)])
        hour = int(self._obs(obs, "hour")[0]) % 24
        day = (hour + np.arange(self.horizon)) // 24
        plan = plan_or_rule(self.specs, soc0, load, pv, prices, carbons, self.weights,
                            prev_district=self.prev_district, day_of_step=day)
        if not plan.solved:
            self.solver_fallbacks += 1
        self.prev_district = float(np.sum(plan.grid[:, 0]))
        self.step += 1
        return [[float(np.clip(plan.charge[b, 0] / sp.capacity_kwh, -1.0, 1.0))
                 for b, sp in enumerate(self.specs)]]
