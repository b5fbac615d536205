"""One CityLearn episode in the CityLearn bench venv; prints its KPIs and series as JSON.

Run by bench/energy.py as a subprocess:  <citylearn venv python> bench/energy_citylearn.py
--dataset DIR --agent {none,optimized_rbc,ours,actions,baseline} [--steps N] [--actions FILE]
[--weights JSON] [--out FILE]. ``src/`` is put on the path so that ``ours`` runs the hub's
own controller code (hearthmind.comfort), which does not import CityLearn.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("CITYLEARN_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

SCORE_2022 = (
    "cost_total",
    "carbon_emissions_total",
    "ramping_average",
    "daily_one_minus_load_factor_average",
)
KPIS_2023 = (
    *SCORE_2022,
    "daily_peak_average",
    "all_time_peak_average",
    "discomfort_proportion",
    "one_minus_thermal_resilience_proportion",
    "power_outage_normalized_unserved_energy_total",
)


def make_env(dataset: Path, steps: int | None, deactivate: bool = False) -> Any:
    from citylearn.citylearn import CityLearnEnv

    schema = json.loads((dataset / "schema.json").read_text())
    schema["root_directory"] = str(dataset)
    if steps is not None:
        schema["simulation_end_time_step"] = (
            int(schema.get("simulation_start_time_step", 0)) + steps - 1
        )
    return CityLearnEnv(schema, central_agent=True)


def district_kpis(env: Any) -> dict[str, float]:
    table = env.evaluate()
    table = table[table["level"] == "district"] if "level" in table.columns else table
    out: dict[str, float] = {}
    for _, row in table.iterrows():
        name = str(row["cost_function"])
        if name in KPIS_2023 and np.isfinite(row["value"]):
            out[name] = float(row["value"])
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    dataset = Path(args.dataset)
    env = make_env(dataset, args.steps)
    agent: Any
    if args.agent == "optimized_rbc":
        from citylearn.agents.rbc import OptimizedRBC

        agent = OptimizedRBC(env)
    elif args.agent == "baseline":
        from citylearn.agents.base import BaselineAgent

        agent = BaselineAgent(env)
    elif args.agent == "ours":
        from energy_citylearn_agent import MpcAgent
        from hearthmind.comfort.battery_mpc import MpcWeights

        agent = MpcAgent(env, MpcWeights(**json.loads(args.weights or "{}")), horizon=args.horizon)
    elif args.agent == "emhass":
        from energy_citylearn_agent import EmhassAgent
        from hearthmind.comfort.battery_mpc import MpcWeights

        agent = EmhassAgent(
            env,
            MpcWeights(**json.loads(args.weights or "{}")),
            args.emhass_python,
            horizon=args.horizon,
        )
    elif args.agent == "ours2023":
        from energy_citylearn_2023 import Agent2023

        # the heat pumps keep their own thermostats (the ideal load, as for the Baseline) and the
        # hot-water tanks are left alone: ours acts on the batteries only
        for b in env.buildings:
            for name in ("cooling_device", "heating_device", "dhw_storage"):
                if name in b.action_metadata:
                    b.action_metadata[name] = False
            b.action_space = b.estimate_action_space()
            b.observation_space = b.estimate_observation_space()
        agent = Agent2023(env, json.loads(args.weights or "{}"))
    else:
        agent = None
    replay = np.array(json.loads(Path(args.actions).read_text())) if args.actions else None
    obs, _ = env.reset()
    n_b = len(env.buildings)
    series: dict[str, list[Any]] = {
        "load": [],
        "pv": [],
        "price": [],
        "carbon": [],
        "net": [],
        "soc": [],
    }
    t0 = time.time()
    step = 0
    while not env.terminated:
        if agent is None:
            acts = [[0.0] * len(env.action_names[0])]
            if replay is not None:
                acts = [[float(v) for v in replay[min(step, len(replay) - 1)]]]
        else:
            acts = agent.predict(obs)
        names = env.observation_names[0]
        o = obs[0]
        series["load"].append(
            [float(o[i]) for i, n in enumerate(names) if n == "non_shiftable_load"]
        )
        series["pv"].append([float(o[i]) for i, n in enumerate(names) if n == "solar_generation"])
        series["price"].append(
            float(next(o[i] for i, n in enumerate(names) if n == "electricity_pricing"))
        )
        series["carbon"].append(
            float(next(o[i] for i, n in enumerate(names) if n == "carbon_intensity"))
        )
        obs, _, _, _, _ = env.step(acts)
        series["net"].append(float(env.net_electricity_consumption[-1]))
        series["soc"].append(
            [float(b.electrical_storage.soc[env.time_step - 1]) for b in env.buildings]
        )
        step += 1
    kpis = district_kpis(env)
    return {
        "agent": args.agent,
        "dataset": dataset.name,
        "steps": step,
        "seconds": time.time() - t0,
        "load_avg": os.getloadavg()[0],
        "kpis": kpis,
        "score_2022": score_2022(kpis),
        "score_2023": score_2023(kpis),
        "buildings": [
            {
                "capacity": float(b.electrical_storage.capacity),
                "power": float(b.electrical_storage.nominal_power),
            }
            for b in env.buildings
        ],
        "n_buildings": n_b,
        "fallbacks": getattr(agent, "solver_fallbacks", 0),
        "emhass_failures": getattr(agent, "failures", 0),
        "series": series if args.series else None,
    }


def score_2022(k: dict[str, float]) -> float | None:
    """Mean of cost, carbon and the grid term (mean of ramping and daily 1 - load factor)."""
    try:
        grid = (k["ramping_average"] + k["daily_one_minus_load_factor_average"]) / 2
        return (k["cost_total"] + k["carbon_emissions_total"] + grid) / 3
    except KeyError:
        return None


def score_2023(k: dict[str, float]) -> float | None:
    """0.3 comfort + 0.1 emissions + 0.3 grid + 0.3 resilience (the 2023 control track)."""
    try:
        grid = np.mean(
            [
                k["ramping_average"],
                k["daily_one_minus_load_factor_average"],
                k["daily_peak_average"],
                k["all_time_peak_average"],
            ]
        )
        # without an outage in the episode CityLearn gives no thermal resilience: count it as 0
        res = np.mean(
            [
                k.get("one_minus_thermal_resilience_proportion", 0.0),
                k["power_outage_normalized_unserved_energy_total"],
            ]
        )
        return float(
            0.3 * k["discomfort_proportion"]
            + 0.1 * k["carbon_emissions_total"]
            + 0.3 * grid
            + 0.3 * res
        )
    except KeyError:
        return None


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", required=True)
    p.add_argument("--agent", default="none")
    p.add_argument("--steps", type=int)
    p.add_argument("--horizon", type=int, default=24)
    p.add_argument("--actions")
    p.add_argument("--emhass-python")
    p.add_argument("--weights")
    p.add_argument("--series", action="store_true")
    p.add_argument("--out")
    args = p.parse_args()
    result = run(args)
    text = json.dumps(result)
    if args.out:
        Path(args.out).write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
