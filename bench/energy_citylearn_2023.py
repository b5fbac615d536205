"""Our controller as a CityLearn 2023 agent (heat pumps, comfort, outages; CityLearn venv).

Per building: the heat pump is asked for the cooling the hour needs (the observed cooling
demand turned into a share of its electric power through its COP at today's outdoor
temperature) plus a correction of 0.3 per kelvin the room is off its set-point; the
hot-water tank is left alone; the battery follows hearthmind.comfort.battery_mpc on learned
forecasts of the building's electric use (plug loads + cooling + hot water) and PV, keeping a
reserve of a quarter of its energy for outages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hearthmind.comfort.battery_mpc import BatterySpec, MpcWeights, plan_or_rule
from hearthmind.comfort.forecast import SeasonalForecaster

GAIN_PER_K = float(__import__("os").environ.get("HM_GAIN", "0.3"))
RESERVE_SHARE = 0.25


class Agent2023:
    def __init__(self, env: Any, weights: dict[str, float], horizon: int = 24) -> None:
        self.env = env
        self.horizon = horizon
        self.weights = MpcWeights(**weights)
        self.buildings = env.buildings
        self.specs = [
            BatterySpec(
                b.electrical_storage.capacity,
                b.electrical_storage.nominal_power,
                0.95,
                reserve_kwh=RESERVE_SHARE * b.electrical_storage.capacity,
            )
            for b in self.buildings
        ]
        self.use_f = [SeasonalForecaster(horizon) for _ in self.buildings]
        self.pv_f = [SeasonalForecaster(horizon) for _ in self.buildings]
        self.price_f = SeasonalForecaster(horizon)
        self.carbon_f = SeasonalForecaster(horizon)
        names = env.observation_names[0]
        self.idx: dict[str, list[int]] = {}
        for i, n in enumerate(names):
            self.idx.setdefault(n, []).append(i)
        self.layout = env.action_names[0]
        self.solver_fallbacks = 0
        self.prev: float | None = None

    def _get(self, obs: list[float], name: str, b: int | None = None) -> float:
        ids = self.idx[name]
        if b is None or len(ids) == 1:
            return float(obs[ids[0]])
        # shared observations come first; per-building ones repeat once per building
        return float(obs[ids[-len(self.buildings) + b]])

    def predict(self, observations: list[list[float]]) -> list[list[float]]:
        obs = observations[0]
        t_out = self._get(obs, "outdoor_dry_bulb_temperature")
        cool_share, use_now, pv_now = [], [], []
        for b, bld in enumerate(self.buildings):
            demand = self._get(obs, "cooling_demand", b)
            cop = float(np.atleast_1d(bld.cooling_device.get_cop(t_out, heating=False))[0])
            share = demand / max(cop * bld.cooling_device.nominal_power, 1e-6)
            t_in = self._get(obs, "indoor_dry_bulb_temperature", b)
            setpoint = self._get(obs, "indoor_dry_bulb_temperature_cooling_set_point", b)
            share += GAIN_PER_K * (t_in - setpoint)
            share = float(np.clip(share, 0.0, 1.0))
            cool_share.append(share)
            dhw = self._get(obs, "dhw_demand", b) / max(bld.dhw_device.efficiency, 1e-6)
            # the heat pump keeps its own thermostat (the env's cooling action is off): its use is
            # the cooling demand over its COP
            use = self._get(obs, "non_shiftable_load", b) + demand / max(cop, 1e-6) + dhw
            use_now.append(use)
            pv_now.append(self._get(obs, "solar_generation", b))
            self.use_f[b].observe(use)
            self.pv_f[b].observe(pv_now[-1])
        price = self._get(obs, "electricity_pricing")
        carbon = self._get(obs, "carbon_intensity")
        self.price_f.observe(price)
        self.carbon_f.observe(carbon)
        h = self.horizon
        load = np.array(
            [
                np.concatenate([[use_now[b]], f.forecast()[: h - 1]])
                for b, f in enumerate(self.use_f)
            ]
        )
        pv = np.array(
            [np.concatenate([[pv_now[b]], f.forecast()[: h - 1]]) for b, f in enumerate(self.pv_f)]
        )
        prices = np.concatenate([[price], self.price_f.forecast()[: h - 1]])
        carbons = np.concatenate([[carbon], self.carbon_f.forecast()[: h - 1]])
        soc0 = np.array(
            [
                self._get(obs, "electrical_storage_soc", b) * sp.capacity_kwh
                for b, sp in enumerate(self.specs)
            ]
        )
        hour = int(self._get(obs, "hour")) % 24
        has_outages = "power_outage" in self.idx  # 2023 phase_1 has no outages at all
        outage = [
            has_outages and self._get(obs, "power_outage", b) > 0.5
            for b in range(len(self.buildings))
        ]
        plan = plan_or_rule(
            self.specs,
            soc0,
            load,
            pv,
            prices,
            carbons,
            self.weights,
            prev_district=self.prev,
            day_of_step=(hour + np.arange(h)) // 24,
        )
        if not plan.solved:
            self.solver_fallbacks += 1
        self.prev = float(np.sum(plan.grid[:, 0]))
        actions: list[float] = []
        b = -1
        for name in self.layout:
            if name == "dhw_storage":
                b += 1
                actions.append(0.0)
            elif name == "electrical_storage":
                if outage[b]:  # in an outage the battery serves the building, reserve and all
                    actions.append(float(np.clip(-use_now[b] / self.specs[b].capacity_kwh, -1, 0)))
                else:
                    actions.append(
                        float(np.clip(plan.charge[b, 0] / self.specs[b].capacity_kwh, -1, 1))
                    )
            elif name == "cooling_device":
                actions.append(cool_share[b])
            else:
                actions.append(0.0)
        return [actions]
