"""Comfort and energy at home (issue 22), side by side in one run.

    .venv/bin/python bench/energy.py [--json FILE] [--quick] [--citylearn-dataset DIR ...]
        [--weather EPW] [--parts citylearn_2022,citylearn_2023,cottage,home_preheat] [--docs]
        [--interior-factor X]

- citylearn_2022: our MPC as a CityLearn 3.0.2 agent against no control (1.0), OptimizedRBC,
  EMHASS's MPC fed our forecasts and a perfect-foresight LP bound. Score = mean of cost,
  carbon and grid, grid = mean of ramping and daily (1 - load factor), all district KPIs of
  CityLearn's own evaluate() as ratios to no control. phase_1 is the development set (the
  MPC's weights were chosen on it); the figures under "ours" etc. are phase_2's, which no
  choice looked at ("development" holds phase_1's).
- citylearn_2023: on citylearn_challenge_2023_phase_2_local_evaluation, ours against
  CityLearn's BaselineAgent, 0.3 comfort + 0.1 emissions + 0.3 grid + 0.3 resilience.
- cottage: a year off grid (bench/energy_cottage.py).
- home_preheat: the simulated homes over January, heated room by room, with the single-zone
  figures beside (bench/energy_preheat.py; ``--interior-factor`` sets the heat exchange between
  rooms, 1.0 by default).

CityLearn and EMHASS run in the bench's own venvs (bench/energy_venv.py), made on first use.
``--quick`` runs a week of each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from energy_venv import citylearn_python, emhass_python  # noqa: E402

DATA = Path(os.environ.get("HEARTHMIND_DATA", ROOT.parent / "shared" / "data"))
CITYLEARN = DATA / "energy" / "citylearn"
DEV_2022 = CITYLEARN / "citylearn_challenge_2022_phase_1"
REPORT_2022 = [CITYLEARN / "citylearn_challenge_2022_phase_2"]
SET_2023 = CITYLEARN / "citylearn_challenge_2023_phase_2_local_evaluation"
WEATHER = DATA / "energy" / "datacenter" / "weather" / "USA_VA_Leesburg.Exec.epw"
# chosen on phase_1 (development); price in its currency per kWh, carbon per kg CO2/kWh
WEIGHTS = {"price": 1.0, "carbon": 2.0, "ramping": 0.05, "peak": 0.1}
# 2023's score has no cost term and weighs the grid and resilience: chosen on 2023 phase_1
WEIGHTS_2023 = {"price": 0.2, "carbon": 1.0, "ramping": 0.3, "peak": 0.5}
OUT = BENCH / "out"


def log(msg: str) -> None:
    print(
        f"[{time.strftime('%H:%M:%S')}] {msg} (load {os.getloadavg()[0]:.1f})",
        file=sys.stderr,
        flush=True,
    )


def episode(
    dataset: Path, agent: str, steps: int | None, extra: list[str] | None = None
) -> dict[str, Any]:
    """One CityLearn episode in the CityLearn venv."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    cmd = [
        str(citylearn_python()),
        str(BENCH / "energy_citylearn.py"),
        "--dataset",
        str(dataset),
        "--agent",
        agent,
        "--out",
        str(out),
        *(extra or []),
    ]
    if steps:
        cmd += ["--steps", str(steps)]
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{agent} on {dataset.name} failed: {proc.stderr[-800:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    log(
        f"{dataset.name} {agent}: score 2022 {result['score_2022']}, 2023 {result['score_2023']}, {time.time() - t0:.0f} s"
    )
    return result


def citylearn_2022_one(dataset: Path, steps: int | None) -> dict[str, Any]:
    from energy_bound import bound_actions
    from hearthmind.comfort.battery_mpc import MpcWeights

    w = json.dumps(WEIGHTS)
    # the episodes are independent: they run side by side (each is one process)
    jobs = {
        "no_control": ("none", ["--series"]),
        "optimized_rbc": ("optimized_rbc", []),
        "ours": ("ours", ["--weights", w, "--series"]),
        "emhass": ("emhass", ["--weights", w, "--emhass-python", str(emhass_python())]),
    }
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = {k: pool.submit(episode, dataset, a, steps, x) for k, (a, x) in jobs.items()}
        runs = {k: f.result() for k, f in futures.items()}
    none = runs["no_control"]
    t0 = time.time()
    acts = bound_actions(none["series"], none["buildings"], MpcWeights(**WEIGHTS))
    log(f"{dataset.name} bound LP solved in {time.time() - t0:.0f} s")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(acts, f)
    runs["lp_bound"] = episode(dataset, "none", steps, ["--actions", f.name, "--series"])
    Path(f.name).unlink()
    return runs


def citylearn_2022(datasets: list[Path], steps: int | None, dev: bool) -> dict[str, Any]:
    per: dict[str, dict[str, Any]] = {}
    for ds in datasets:
        per[ds.name] = citylearn_2022_one(ds, steps)
    names = ("ours", "optimized_rbc", "emhass", "lp_bound", "no_control")
    out: dict[str, Any] = {n: float(np.mean([per[d][n]["score_2022"] for d in per])) for n in names}
    out["datasets"] = list(per)
    out["kpis"] = {d: {n: per[d][n]["kpis"] for n in names} for d in per}
    out["ours_solver_fallbacks"] = int(sum(per[d]["ours"]["fallbacks"] for d in per))
    out["emhass_failures"] = int(sum(per[d]["emhass"]["emhass_failures"] for d in per))
    out["score"] = (
        "mean(cost_total, carbon_emissions_total, mean(ramping_average, daily_one_minus_load_factor_average)), district, ratio to no control"
    )
    out["weights"] = WEIGHTS
    out["_series"] = {
        d: {n: per[d][n].get("series") for n in ("no_control", "ours", "lp_bound")} for d in per
    }
    return out


def citylearn_2023(steps: int | None) -> dict[str, Any]:
    base = episode(SET_2023, "baseline", steps)
    ours = episode(SET_2023, "ours2023", steps, ["--weights", json.dumps(WEIGHTS_2023), "--series"])
    return {
        "ours": ours["score_2023"],
        "baseline": base["score_2023"],
        "kpis": {"ours": ours["kpis"], "baseline": base["kpis"]},
        "score": "0.3 discomfort_proportion + 0.1 carbon_emissions_total + 0.3 mean(ramping, "
        "daily 1-load factor, daily peak, all-time peak) + 0.3 mean(1 - thermal "
        "resilience, normalised unserved energy in outages)",
        "_series": ours.get("series"),
    }


def cottage(hours: int, weather: Path | None) -> dict[str, Any]:
    from energy_cottage import read_inputs, run_cottage

    inp = read_inputs(CITYLEARN / "citylearn_challenge_2022_phase_2", "Building_9", weather)
    out: dict[str, Any] = {}
    traces: dict[str, Any] = {}
    for policy in ("rule", "rule_guarded", "ours", "emhass"):
        t0 = time.time()
        r = run_cottage(inp, policy, min(hours, len(inp.load)), str(emhass_python()))
        out[policy] = {
            "unserved_kwh": r.unserved_kwh,
            "discomfort_hours": r.discomfort_hours,
            "curtailed_kwh": r.curtailed_kwh,
            "fallbacks": r.fallbacks,
        }
        traces[policy] = r.trace
        if r.said:
            out[policy]["says"] = r.said[-3:]
        log(f"cottage {policy}: {out[policy]} in {time.time() - t0:.0f} s")
    out["_series"] = traces
    return out


def home_preheat(weather: Path, quick: bool, interior_factor: float = 1.0) -> dict[str, Any]:
    from energy_preheat import run_preheat

    r = run_preheat(weather, quick, interior_factor=interior_factor)
    one = r["single_zone"]
    log(
        f"preheat per room (interior factor {interior_factor}): saving {r['energy_saving']:.3f}, "
        f"discomfort {r['discomfort_hours']} vs {r['baseline_discomfort_hours']}; single zone: "
        f"saving {one['energy_saving']:.3f}, discomfort {one['discomfort_hours']} vs "
        f"{one['baseline_discomfort_hours']}"
    )
    r["_series"] = r.pop("series")
    return r


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--json", type=Path)
    p.add_argument("--quick", action="store_true", help="a week of each")
    p.add_argument("--days", type=int, help="the first N days of CityLearn 2022 and the cottage")
    p.add_argument(
        "--citylearn-dataset",
        type=Path,
        action="append",
        help="a 2022-format dataset to report on (instead of phase_2); repeatable",
    )
    p.add_argument("--weather", type=Path, help="an EPW file for the cottage and the homes")
    p.add_argument("--parts", default="citylearn_2022,citylearn_2023,cottage,home_preheat")
    p.add_argument("--dev", action="store_true", help="also run phase_1 (the development set)")
    p.add_argument("--plots", action="store_true", help="write docs/energy-*.png")
    p.add_argument(
        "--interior-factor",
        type=float,
        default=1.0,
        help="home_preheat: heat exchange between rooms, as a multiple of a room's conductance "
        "to outdoors (an assumption, not fitted; bench/energy_preheat_house.py)",
    )
    args = p.parse_args()
    parts = args.parts.split(",")
    steps = 168 if args.quick else (24 * args.days if args.days else None)
    result: dict[str, Any] = {}
    if "citylearn_2022" in parts:
        result["citylearn_2022"] = citylearn_2022(
            args.citylearn_dataset or REPORT_2022, steps, False
        )
        if args.dev:
            result["citylearn_2022"]["development"] = {
                k: v
                for k, v in citylearn_2022([DEV_2022], steps, True).items()
                if not k.startswith("_")
            }
    if "citylearn_2023" in parts:
        result["citylearn_2023"] = citylearn_2023(steps)
    if "cottage" in parts:
        result["cottage"] = cottage(steps or 8760, args.weather)
    if "home_preheat" in parts:
        result["home_preheat"] = home_preheat(
            args.weather or WEATHER, args.quick, args.interior_factor
        )
    result["load_avg_end"] = os.getloadavg()[0]
    if args.plots:
        from energy_plots import plot_all

        plot_all(result, ROOT / "docs")
    OUT.mkdir(exist_ok=True)
    series_name = f"{args.json.stem}-series.json" if args.json else "energy-series.json"
    (OUT / series_name).write_text(json.dumps(result))
    clean = {
        k: (
            {kk: vv for kk, vv in v.items() if not kk.startswith("_")} if isinstance(v, dict) else v
        )
        for k, v in result.items()
    }
    text = json.dumps(clean, indent=1)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
