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

    def __init__(
        self, env: Any, weights: MpcWeights, horizon: int = 24, efficiency: float = 0.93
    ) -> None:
        self.env = env
        self.weights = weights
        self.horizon = horizon
        self.buildings = env.buildings
        self.specs = [
            BatterySpec(
                b.electrical_storage.capacity, b.electrical_storage.nominal_power, efficiency
            )
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
        load = np.array(
            [
                np.concatenate([[loads[b]], f.forecast()[: self.horizon - 1]])
                for b, f in enumerate(self.load_f)
            ]
        )
        pv = np.array(
            [
                np.concatenate([[pvs[b]], f.forecast()[: self.horizon - 1]])
                for b, f in enumerate(self.pv_f)
            ]
        )
        prices = np.concatenate([[price], self.price_f.forecast()[: self.horizon - 1]])
        carbons = np.concatenate([[carbon], self.carbon_f.forecast()[: self.horizon - 1]])
        soc0 = np.array([s * sp.capacity_kwh for s, sp in zip(socs, self.specs, strict=False)])
        hour = int(self._obs(obs, "hour")[0]) % 24
        day = (hour + np.arange(self.horizon)) // 24
        plan = plan_or_rule(
            self.specs,
            soc0,
            load,
            pv,
            prices,
            carbons,
            self.weights,
            prev_district=self.prev_district,
            day_of_step=day,
        )
        if not plan.solved:
            self.solver_fallbacks += 1
        self.prev_district = float(np.sum(plan.grid[:, 0]))
        self.step += 1
        return [
            [
                float(np.clip(plan.charge[b, 0] / sp.capacity_kwh, -1.0, 1.0))
                for b, sp in enumerate(self.specs)
            ]
        ]


class EmhassAgent(MpcAgent):
    """EMHASS's MPC fed the very forecasts ours gets, one solve per building and hour.

    The optimiser runs in EMHASS's own venv (bench/energy_emhass.py) behind a pipe. Its cost
    per imported kWh is ours (price + carbon weight x carbon); EMHASS has no ramping or
    daily-peak term, and it ends each horizon at its default target state of charge (0.6).
    To keep a year within the machine's means it plans every ``replan_every`` hours (ours
    plans every hour) and follows its planned battery power in between.
    """

    def __init__(
        self,
        env: Any,
        weights: MpcWeights,
        emhass_python: str,
        horizon: int = 24,
        soc_final: float = 0.6,
        efficiency: float = 0.93,
        replan_every: int = 4,
    ) -> None:
        super().__init__(env, weights, horizon, efficiency)
        import subprocess
        from pathlib import Path

        worker = Path(__file__).resolve().parent / "energy_emhass.py"
        self.proc = subprocess.Popen(
            [emhass_python, str(worker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.soc_final = soc_final
        self.failures = 0
        self.replan_every = replan_every
        self.plan: list[list[float]] = []
        self.age = 0

    def predict(self, observations: list[list[float]]) -> list[list[float]]:
        import json

        obs = observations[0]
        loads = self._obs(obs, "non_shiftable_load")
        pvs = self._obs(obs, "solar_generation")
        socs = self._obs(obs, "electrical_storage_soc")
        price = self._obs(obs, "electricity_pricing")[0]
        carbon = self._obs(obs, "carbon_intensity")[0]
        for b in range(len(self.buildings)):
            self.load_f[b].observe(loads[b])
            self.pv_f[b].observe(pvs[b])
        self.price_f.observe(price)
        self.carbon_f.observe(carbon)
        prices = np.concatenate([[price], self.price_f.forecast()[: self.horizon - 1]])
        carbons = np.concatenate([[carbon], self.carbon_f.forecast()[: self.horizon - 1]])
        cost = self.weights.price * prices + self.weights.carbon * carbons
        self.age += 1
        if self.plan and self.age < self.replan_every:
            return [
                [
                    float(np.clip(-p[self.age] / sp.capacity_kwh, -1, 1))
                    for p, sp in zip(self.plan, self.specs, strict=False)
                ]
            ]
        self.age = 0
        self.plan = []
        actions = []
        for b, sp in enumerate(self.specs):
            load = np.concatenate([[loads[b]], self.load_f[b].forecast()[: self.horizon - 1]])
            pv = np.concatenate([[pvs[b]], self.pv_f[b].forecast()[: self.horizon - 1]])
            problem = {
                "battery": {
                    "capacity_kwh": sp.capacity_kwh,
                    "power_kw": sp.power_kw,
                    "efficiency": sp.efficiency,
                },
                "soc_init": float(np.clip(socs[b], 0, 1)),
                "soc_final": self.soc_final,
                "load_kw": load.tolist(),
                "pv_kw": pv.tolist(),
                "cost": cost.tolist(),
            }
            assert self.proc.stdin is not None and self.proc.stdout is not None
            self.proc.stdin.write(json.dumps(problem) + "\n")
            self.proc.stdin.flush()
            answer = json.loads(self.proc.stdout.readline())
            if not str(answer["status"]).startswith("Optimal"):
                self.failures += 1
            self.plan.append(answer["p_batt_kw"])
            actions.append(float(np.clip(-answer["p_batt_kw"][0] / sp.capacity_kwh, -1, 1)))
        return [actions]
