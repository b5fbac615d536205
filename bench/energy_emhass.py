"""EMHASS's optimiser as a worker (runs in the EMHASS bench venv, bench/.emhass-venv).

Reads one JSON problem per line on stdin and writes one JSON answer per line on stdout.
A problem: {"battery": {"capacity_kwh", "power_kw", "efficiency"}, "soc_init", "soc_final",
"load_kw": [...], "pv_kw": [...], "cost": [...], "grid_max_kw"}; the answer: {"p_batt_kw":
[...] (EMHASS's sign: + discharge), "soc": [...], "status"}. Each problem is solved by
EMHASS's own ``Optimization.perform_naive_mpc_optim`` (its MPC entry point, HiGHS inside),
with its default configuration except the battery, the one-hour step and ``costfun="cost"``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pathlib
import sys
import tempfile
from typing import Any

import numpy as np
import pandas as pd
from emhass import utils
from emhass.optimization import Optimization

ROOT = pathlib.Path(utils.__file__).parent
LOGGER = logging.getLogger("emhass")
LOGGER.setLevel(logging.CRITICAL)
logging.basicConfig(stream=sys.stderr)
_CACHE: dict[tuple[Any, ...], tuple[Optimization, Any]] = {}


def _optimizer(
    cap: float, power: float, eff: float, grid_max: float, def_kw: tuple[float, ...] = ()
) -> tuple[Optimization, Any]:
    key = (cap, power, eff, grid_max, def_kw)
    if key in _CACHE:
        return _CACHE[key]
    conf = {
        "data_path": pathlib.Path(tempfile.mkdtemp()),
        "root_path": ROOT,
        "associations_path": ROOT / "data/associations.csv",
        "defaults_path": ROOT / "data/config_defaults.json",
    }
    config = json.loads((ROOT / "data/config_defaults.json").read_text())
    n_def = len(def_kw)
    per_load: dict[str, Any] = {
        k: [v[0]] * n_def if v else []
        for k, v in config.items()
        if isinstance(v, list)
        and k != "deferrable_load_groups"
        and ("deferrable" in k or k.startswith("def_") or k in ("is_electric_load",))
    }
    config.update(per_load)
    config.update(
        {
            "nominal_power_of_deferrable_loads": [p * 1000 for p in def_kw],
            "operating_hours_of_each_deferrable_load": [1] * n_def,
            "minimum_power_of_deferrable_loads": [0.0] * n_def,
        }
    )
    config.update(
        {
            "optimization_time_step": 60,
            "number_of_deferrable_loads": n_def,
            "set_use_battery": True,
            "battery_nominal_energy_capacity": cap * 1000,
            "battery_charge_power_max": power * 1000,
            "battery_discharge_power_max": power * 1000,
            "battery_minimum_state_of_charge": 0.0,
            "battery_maximum_state_of_charge": 1.0,
            "battery_charge_efficiency": eff,
            "battery_discharge_efficiency": eff,
            "maximum_power_from_grid": grid_max * 1000,
            "maximum_power_to_grid": 100000,
            "set_nodischarge_to_grid": True,
            "costfun": "cost",
            "lp_solver": "Highs",
            "num_threads": 1,
        }
    )
    params = asyncio.run(utils.build_params(conf, {}, config, LOGGER))
    rh, oc, pc = utils.get_yaml_parse(params, LOGGER)
    opt = Optimization(rh, oc, pc, "unit_load_cost", "unit_prod_price", "cost", conf, LOGGER)
    _CACHE[key] = (opt, rh["time_zone"])
    return _CACHE[key]


def solve(p: dict[str, Any]) -> dict[str, Any]:
    b = p["battery"]
    defs = p.get("deferrables", [])
    opt, tz = _optimizer(
        float(b["capacity_kwh"]),
        float(b["power_kw"]),
        float(b["efficiency"]),
        float(p.get("grid_max_kw", 100.0)),
        tuple(float(d["power_kw"]) for d in defs),
    )
    n = len(p["load_kw"])
    idx = pd.date_range("2022-01-01", periods=n, freq="60min", tz=tz)
    df = pd.DataFrame(
        {"unit_load_cost": np.asarray(p["cost"], float), "unit_prod_price": np.zeros(n)}, index=idx
    )
    pv = pd.Series(np.asarray(p["pv_kw"], float) * 1000, index=idx)
    load = pd.Series(np.asarray(p["load_kw"], float) * 1000, index=idx)
    try:
        extra: dict[str, Any] = {}
        if defs:
            extra = {
                "def_total_hours": [1] * len(defs),
                "def_start_timestep": [0] * len(defs),
                "def_end_timestep": [int(d["end"]) for d in defs],
            }
        out = opt.perform_naive_mpc_optim(
            df, pv, load, n, soc_init=float(p["soc_init"]), soc_final=float(p["soc_final"]), **extra
        )
        status = str(opt.optim_status)
        if not status.startswith("Optimal"):
            return {"status": status, "p_batt_kw": [0.0] * n, "soc": [float(p["soc_init"])] * n}
        deferred = [(out[f"P_deferrable{j}"].to_numpy() / 1000).tolist() for j in range(len(defs))]
        return {
            "status": status,
            "p_batt_kw": (out["P_batt"].to_numpy() / 1000).tolist(),
            "soc": out["SOC_opt"].to_numpy().tolist(),
            "deferrables_kw": deferred,
        }
    except Exception as err:  # EMHASS raises on infeasible inputs; the caller holds the battery
        return {
            "status": f"error: {err}",
            "p_batt_kw": [0.0] * n,
            "soc": [float(p["soc_init"])] * n,
        }


def main() -> None:
    # HiGHS' banner (written by C to fd 1) and EMHASS' prints must not mix with the answers
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if line.strip():
            out.write(json.dumps(solve(json.loads(line))) + "\n")
            out.flush()


if __name__ == "__main__":
    main()
