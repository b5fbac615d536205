"""The off-grid cottage for a year: ours against a plain rule and against EMHASS's MPC.

Inputs (all real): a household's hourly load and PV output per kWp from CityLearn 2022 phase 2
(Building_9, Fontana CA, a year from July), that place's outdoor temperature and irradiance
from the same dataset; with ``--weather EPW`` the temperature comes from the EPW file and PV
from its global horizontal irradiance (x 0.8 for losses). The cottage: 6 kWp PV, a 13.5 kWh /
5 kW battery, a 5 kW (thermal) heat pump whose COP falls with the cold, a 200 l hot-water
tank with a 2 kW element and 6 kWh of draws a day, a dishwasher (1.2 kW for an hour, asked for
at 20:00, done by 18:00 next day) and a washing machine (1 kW, asked for at 09:00, done by
20:00). The room is the simulator's two-node RC room. No grid.

The same physics for all three: each hour the inverter stores the surplus (the rest is
curtailed) and covers the deficit from the battery; what it cannot cover is unserved, and the
loads of that hour are cut in proportion (the heat they would have made is lost too).

- rule: heat pump on a thermostat (on below the floor: 20 C from 07:00 to 23:00, 17 C at
  night), tank element on below 50 C until 60 C, deferrable loads start when asked;
- rule_guarded (reported beside, not a peer of the issue's): the rule's thermostats switched
  on only when the hour's sun and battery can run them, the guard ours' safety net has, so
  the figures show what the guard alone does and what the plan adds;
- ours: hearthmind.comfort.cottage's LP on forecasts learned from the cottage's own past
  (hearthmind.comfort.forecast) and a room model fitted from it (hearthmind.comfort.thermal);
- emhass: EMHASS's MPC (bench/energy_emhass.py) with the grid disabled, modelled as an import
  at 10 per kWh that the physics then refuses; it schedules the two deferrable loads and sees
  the thermostats' consumption inside its load forecast (it has no room or tank model here).

Discomfort hour: an hour the room is below its floor by more than 0.5 K, or the tank is
below 45 C when water is drawn.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hearthmind.comfort.cottage import (
    CottageSpec,
    CottageState,
    Deferrable,
    plan_cottage,
    safe_rule,
)
from hearthmind.comfort.forecast import SeasonalForecaster
from hearthmind.comfort.lp import SolverError
from hearthmind.comfort.thermal import RoomModelKeeper
from hearthmind.integrations.simulator.thermal import EpwWeather, RoomPhysics, heat_pump_cop

PV_KWP = 6.0
LOAD_SHARE = 0.5  # a cottage uses half of what this Californian house does (about 10 kWh a day)
DRAWS = {7: 2.0, 13: 1.0, 20: 3.0}  # hour -> kWh of hot water drawn
# the cold water that replaces what is drawn: a draw takes at most the heat the tank holds
# above it (a cold tank gives cold water, not heat it never had: the tank used to fall to
# -19 C in winter and owe that energy back)
MAINS_C = 15.0
LOADS = {
    "dishwasher": (1.2, 20, 22),
    "washing machine": (1.0, 9, 11),
}  # kW, asked at, hours allowed


def spare_kw(spec: CottageSpec, pv: float, soc: float, base: float) -> float:
    """What the hour's sun and battery can give beyond the household's own load."""
    return pv + min(spec.battery_kw, soc * spec.efficiency) - base


def room_floor(hour: int) -> float:
    return 20.0 if 7 <= hour < 23 else 17.0


@dataclass
class Inputs:
    load: np.ndarray
    pv: np.ndarray
    outdoor: np.ndarray
    ghi: np.ndarray
    first_hour: int  # hour of day of index 0


def read_inputs(dataset: Path, building: str, weather: Path | None) -> Inputs:
    b = pd.read_csv(dataset / f"{building}.csv")
    w = pd.read_csv(dataset / "weather.csv")
    load = LOAD_SHARE * b["non_shiftable_load"].to_numpy(float)
    pv = PV_KWP * b["solar_generation"].to_numpy(float) / 1000.0
    outdoor = w["outdoor_dry_bulb_temperature"].to_numpy(float)
    ghi = (w["direct_solar_irradiance"] + w["diffuse_solar_irradiance"]).to_numpy(float)
    if weather is not None:
        epw = EpwWeather.read(weather)
        outdoor, ghi = epw.outdoor_c, epw.ghi_w_m2
        pv = PV_KWP * 0.8 * ghi / 1000.0
    n = min(len(load), len(outdoor))
    return Inputs(load[:n], pv[:n], outdoor[:n], ghi[:n], int(b["hour"].iloc[0]) % 24)


@dataclass
class Result:
    unserved_kwh: float = 0.0
    discomfort_hours: int = 0
    curtailed_kwh: float = 0.0
    fallbacks: int = 0
    said: list[str] = field(default_factory=list)
    trace: dict[str, list[float]] = field(
        default_factory=lambda: {
            "soc": [],
            "room": [],
            "tank": [],
            "pv": [],
            "use": [],
            "unserved": [],
        }
    )


class Emhass:
    """A pipe to EMHASS's optimiser in its own venv."""

    def __init__(self, python: str) -> None:
        worker = Path(__file__).resolve().parent / "energy_emhass.py"
        self.proc = subprocess.Popen(
            [python, str(worker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def solve(self, problem: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(problem) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_cottage(
    inp: Inputs,
    policy: str,
    hours: int,
    emhass_python: str | None = None,
    horizon: int = 24,
    emhass_replan: int = 4,
) -> Result:
    spec = CottageSpec()
    room = RoomPhysics(max_heat_kw=spec.heat_pump_kw, air=20.0, mass=20.0)
    soc, tank = spec.battery_kwh * 0.5, 55.0
    res = Result()
    keeper = RoomModelKeeper()
    f_load, f_pv, f_out = (
        SeasonalForecaster(horizon),
        SeasonalForecaster(horizon),
        SeasonalForecaster(horizon, nonnegative=False),
    )
    f_ghi = SeasonalForecaster(horizon)
    f_total = SeasonalForecaster(horizon)  # base + thermostats, what EMHASS is told
    pending: dict[str, int] = {}  # load -> hour index of its deadline
    emhass = Emhass(emhass_python) if policy == "emhass" and emhass_python else None
    emhass_plan: list[list[float]] = []
    plan_age = 0
    heat_on = tank_on = False
    emhass_names: list[str] = []
    for t in range(hours):
        hod = (inp.first_hour + t) % 24
        for name, (_kw, asked, allowed) in LOADS.items():
            if hod == asked and name not in pending:
                pending[name] = t + allowed
        out, ghi, pv, base = inp.outdoor[t], inp.ghi[t], inp.pv[t], inp.load[t]
        cop = float(heat_pump_cop(out))
        floor = room_floor(hod)
        state = CottageState(soc, room.air, tank)
        loads = [Deferrable(n, LOADS[n][0], d - t) for n, d in pending.items()]
        rule = safe_rule(spec, state, floor, pv, base, loads)
        # the plain rule: thermostats with hysteresis (room: floor .. floor + 1, tank: 50 .. 60),
        # loads start when asked
        heat_on = room.air < floor or (heat_on and room.air < floor + 1)
        tank_on = tank < 50 or (tank_on and tank < 60)
        heat = spec.heat_pump_kw if heat_on else 0.0
        tank_kw = spec.tank_heater_kw if tank_on else 0.0
        start = list(pending)
        if policy == "rule_guarded":
            # the rule's thermostats behind the same guard as ours' safety net: a load is
            # switched on only when the hour's sun and battery can run it
            spare = spare_kw(spec, pv, soc, base)
            heat = heat if heat / cop <= spare else 0.0
            tank_kw = tank_kw if tank_kw <= spare - heat / cop else 0.0
        if policy == "ours":
            ahead = [(hod + j) % 24 for j in range(horizon)]
            draws = np.array([DRAWS.get(h, 0.0) for h in ahead])
            floors = np.array([room_floor(h) for h in ahead])
            lf = np.concatenate([[base], f_load.forecast()[: horizon - 1]])
            pf = np.concatenate([[pv], f_pv.forecast()[: horizon - 1]])
            of = np.concatenate([[out], f_out.forecast()[: horizon - 1]])
            gf = np.concatenate([[ghi], f_ghi.forecast()[: horizon - 1]])
            try:
                if keeper.model is None:
                    raise SolverError("no room model yet")
                dec = plan_cottage(
                    spec,
                    state,
                    keeper.model,
                    pf,
                    lf,
                    of,
                    gf,
                    heat_pump_cop(of),
                    floors,
                    draws,
                    loads,
                    hod,
                )
            except SolverError:
                dec = rule
                res.fallbacks += 1
            heat, tank_kw, start = dec.heat_kw, dec.tank_kw, dec.start
            # the thermostats stay as a safety net under the plan, where there is power for
            # them: a net that switches a load on with the battery empty and no sun only
            # browns the house out (every load of the hour is cut), so it waits for power
            spare = spare_kw(spec, pv, soc, base) - heat / cop - tank_kw
            if room.air < floor - 1.0 and spare >= (spec.heat_pump_kw - heat) / cop:
                spare -= (spec.heat_pump_kw - heat) / cop
                heat = spec.heat_pump_kw
            if tank < spec.tank_floor_c - 3 and spare >= spec.tank_heater_kw - tank_kw:
                tank_kw = spec.tank_heater_kw
            if dec.solved and hod == 9 and len(res.said) < 400:
                res.said.append(dec.say)
        elif emhass is not None:
            plan_age += 1
            if (
                not emhass_plan
                or plan_age >= emhass_replan
                or any(n not in emhass_names for n in pending)
            ):
                plan_age = 0
                tf = np.concatenate(
                    [[base + heat / cop + tank_kw], f_total.forecast()[: horizon - 1]]
                )
                pf = np.concatenate([[pv], f_pv.forecast()[: horizon - 1]])
                names = list(pending)
                problem = {
                    "battery": {
                        "capacity_kwh": spec.battery_kwh,
                        "power_kw": spec.battery_kw,
                        "efficiency": spec.efficiency,
                    },
                    "soc_init": soc / spec.battery_kwh,
                    "soc_final": 0.3,
                    "grid_max_kw": 50.0,
                    "load_kw": tf.tolist(),
                    "pv_kw": pf.tolist(),
                    "cost": [10.0] * horizon,
                    "deferrables": [
                        {"power_kw": LOADS[n][0], "end": max(1, min(horizon, pending[n] - t))}
                        for n in names
                    ],
                }
                answer = emhass.solve(problem)
                emhass_plan = answer.get("deferrables_kw", [])
                emhass_names = names
                if not str(answer["status"]).startswith("Optimal"):
                    res.fallbacks += 1
            start = [
                n
                for j, n in enumerate(emhass_names)
                if n in pending
                and j < len(emhass_plan)
                and plan_age < len(emhass_plan[j])
                and emhass_plan[j][plan_age] > 0.1
            ]
            start += [n for n in pending if pending[n] - t <= 1 and n not in start]
        # physics of the hour
        defer_kw = sum(LOADS[n][0] for n in start if n in pending)
        use = base + heat / cop + tank_kw + defer_kw
        net = pv - use
        short = 0.0
        if net >= 0:
            charge = min(net, spec.battery_kw, (spec.battery_kwh - soc) / spec.efficiency)
            soc += charge * spec.efficiency
            res.curtailed_kwh += net - charge
            served = 1.0
        else:
            dis = min(-net, spec.battery_kw, soc * spec.efficiency)
            soc -= dis / spec.efficiency
            short = -net - dis
            res.unserved_kwh += short
            served = 1.0 - short / use if use > 0 else 1.0
        before = room.air
        room.step(out, heat * served, ghi)
        draw = DRAWS.get(hod, 0.0)
        drawn = min(draw, max(0.0, tank - MAINS_C) * spec.tank_kwh_per_k)
        tank = (
            tank
            - spec.tank_loss_per_h * (tank - 20.0)
            + (tank_kw * served - drawn) / spec.tank_kwh_per_k
        )
        tank = min(tank, spec.tank_max_c)
        if room.air < floor - 0.5 or (draw > 0 and tank < spec.tank_floor_c):
            res.discomfort_hours += 1
        for n in start:
            pending.pop(n, None)
        keeper.add(before, out, heat * served, ghi)
        f_load.observe(base)
        f_pv.observe(pv)
        f_out.observe(out)
        f_ghi.observe(ghi)
        f_total.observe(base + (heat / cop + tank_kw) * served)
        tr = res.trace
        tr["soc"].append(soc)
        tr["room"].append(room.air)
        tr["tank"].append(tank)
        tr["pv"].append(pv)
        tr["use"].append(use)
        tr["unserved"].append(short)  # what the hour could not serve, as the total counts it
    if emhass is not None:
        emhass.close()
    return res
