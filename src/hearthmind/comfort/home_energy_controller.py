"""The hub's hourly battery planner (configured by ``home_energy:``, see home_energy.py)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from hearthmind.core import HearthmindError, Hub, Origin

from .battery_mpc import BatterySpec, MpcWeights, plan_batteries, self_consumption
from .forecast import SeasonalForecaster
from .guard import Guard
from .lp import SolverError

if TYPE_CHECKING:
    from .home_energy import HomeEnergyConfig

_LOGGER = logging.getLogger(__name__)
HORIZON = 24


class HomeEnergy:
    """One hour at a time: read, guard, forecast, plan, act, say."""

    def __init__(self, hub: Hub, cfg: HomeEnergyConfig) -> None:
        self.hub = hub
        self.cfg = cfg
        self.spec = BatterySpec(cfg.battery_kwh, cfg.battery_kw)
        self.guard = Guard(hub.health, "home energy")
        self.load_f = SeasonalForecaster(HORIZON)
        self.pv_f = SeasonalForecaster(HORIZON)
        self.last_soc: float | None = None
        self.last_plan: dict[str, Any] = {}
        self._timer: Any = None

    def _number(self, entity_id: str | None) -> float | None:
        if entity_id is None:
            return None
        state = self.hub.states.get(entity_id)
        try:
            return float(state.state) if state is not None else None
        except ValueError:
            return None

    async def async_tick(self) -> dict[str, Any]:
        ts = self.hub.clock.timestamp()
        pv, use = self._number(self.cfg.pv_power), self._number(self.cfg.house_power)
        soc_pct = self._number(self.cfg.battery_soc)
        soc = soc_pct / 100.0 * self.spec.capacity_kwh if soc_pct is not None else None
        pv_ok = self.guard.reading("PV power", pv, ts, 0.0, 1000.0)
        use_ok = self.guard.reading("house power", use, ts, 0.0, 1000.0)
        soc_ok = self.guard.battery(
            soc, self.spec.capacity_kwh, self.last_soc, self.spec.power_kw, ts
        )
        self.load_f.observe(use if use_ok and use is not None else float("nan"))
        self.pv_f.observe(pv if pv_ok and pv is not None else float("nan"))
        if soc_ok:
            self.last_soc = soc
        load, pvs = self.load_f.forecast(), self.pv_f.forecast()
        price = self._number(self.cfg.price) or 1.0
        carbon = self._number(self.cfg.carbon) or 0.0
        reasons: list[str] = []
        mode = "mpc"
        soc0 = np.array([soc if soc_ok and soc is not None else 0.0])
        try:
            if not (pv_ok and use_ok and soc_ok):
                raise SolverError("bad input this hour")
            plan = plan_batteries(
                [self.spec],
                soc0,
                load[None, :],
                pvs[None, :],
                np.full(HORIZON, price),
                np.full(HORIZON, carbon),
                MpcWeights(),
                time_limit_s=5.0,
            )
        except SolverError as err:
            if str(err) != "bad input this hour":
                self.guard.solver(err, ts)
            plan = self_consumption([self.spec], soc0, load[None, :], pvs[None, :])
            mode = "rule"
            reasons.append(f"safe rule: {err}")
        setpoint = float(plan.charge[0, 0])
        dusk = int(np.argmax(pvs[::-1] > 0.05)) if np.any(pvs > 0.05) else 0
        reasons.append(
            f"the battery {'charges' if setpoint > 0 else 'gives'} {abs(setpoint):.1f} kW this hour"
        )
        if soc_ok and plan.soc.size:
            reasons.append(
                f"the battery keeps {plan.soc[0, max(0, HORIZON - 1 - dusk)]:.1f} kWh for tonight"
            )
        await self._apply(setpoint)
        ctx = self.hub.context(Origin.AUTOMATION)
        p = self.cfg.prefix
        for name, series in (("load_forecast", load), ("pv_forecast", pvs)):
            self.hub.states.async_set(
                f"sensor.{p}_{name}",
                f"{series[0]:.3f}",
                {
                    "unit_of_measurement": "kWh",
                    "forecast": [round(float(v), 3) for v in series],
                    "friendly_name": name.replace("_", " ").capitalize(),
                },
                ctx,
            )
        self.last_plan = {
            "mode": mode,
            "reasons": reasons,
            "charge_kw": [round(float(v), 3) for v in plan.charge[0]],
            "soc_kwh": [round(float(v), 3) for v in plan.soc[0]],
            "fallbacks": self.guard.fallbacks,
        }
        self.hub.states.async_set(
            f"sensor.{p}_plan", mode, {**self.last_plan, "friendly_name": "Battery plan"}, ctx
        )
        return self.last_plan

    async def _apply(self, setpoint_kw: float) -> None:
        try:
            await self.hub.services.async_call(
                "number",
                "set_value",
                {"value": round(setpoint_kw, 3)},
                context=self.hub.context(Origin.AUTOMATION),
                target={"entity_id": self.cfg.battery_setpoint},
            )
        except HearthmindError as err:  # counted by the service registry
            _LOGGER.warning("home energy: battery set-point not taken: %s", err)

    def schedule(self) -> None:
        def fire() -> None:
            self.hub.async_create_task(self.async_tick())
            self.schedule()

        self._timer = self.hub.clock.call_at(self.hub.clock.now() + timedelta(hours=1), fire)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
