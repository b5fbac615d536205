"""The data-hall benchmark (issue 23): a year of Sinergym's two-zone chilled-water data
center in real EnergyPlus on each weather file, with the Google and Alibaba (trace 1)
hourly IT-load traces driving the CPU-loading schedule, under three controls:

- shipped:    the model's own schedules and set-point managers;
- best_fixed: the constant zone cooling and chilled-water set-points with the least cooling
              energy and no hour outside 18-27 C, found by search on the evaluated year
              itself (hindsight the peer gets for free);
- ours:       hearthmind.comfort.datahall's supervisor every 15 minutes, as the hub runs it:
              the shipped surrogate refined on line from the hall's own readings
              (`datahall: learn_online`, on by default; `--no-learn-online` keeps it fixed).
              `--it-per-kelvin X` (kW/K, or `auto` from the model's ITE objects) gives it
              the facility objective (`datahall: it_power_per_kelvin_kw`): cooling + IT.

    .venv/bin/python bench/datacenter.py --json bench/out/datacenter.json [--quick]
        [--weather EPW ...] [--workload CSV ...] [--plots] [--jobs 2] [--it-per-kelvin auto]

The supervisor's surrogate and settings were chosen on development inputs only (Newark NJ
TMY3 + Alibaba trace 2: bench/datacenter_train.py, `--dev` here); the figures are on the
three EPWs of ../shared/data/energy/datacenter with the Google and Alibaba-1 traces.
`runs[WEATHER]` sums both traces' years; `by_workload` keeps each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datacenter_eplus as eplus

PARTS: Path | None = Path(__file__).resolve().parent / "out" / "datacenter-parts"
QUICK_MONTH = 7  # --quick: July, the month the inlets are hardest to hold
WEATHERS = (
    "weather/USA_VA_Leesburg.Exec.epw",
    "weather/USA_AZ_Phoenix-Sky.Harbor.epw",
    "weather/USA_IL_Chicago.OHare.epw",
)
WORKLOADS = (
    "workload/GoogleClusteData_CPU_Data_Hourly_1.csv",
    "workload/Alibaba_CPU_Data_Hourly_1.csv",
)
# the best-fixed search: zone cooling set-points first (chilled water at the model's 7 C),
# then chilled water at the best zone set-point
ZONE_GRID = (27.0,)  # the band's top: the model's manager then holds supply air at its 18 C cap
CHW_GRID = (6.0, 7.0, 9.0, 12.0)


def _feasible(f: dict[str, Any]) -> bool:
    return bool(f["hours_above_27"] == 0 and f["hours_below_18"] == 0)


def best_fixed(epw: Path, workload: Any, month: int | None) -> tuple[dict[str, Any], Any]:
    """Coordinate search over constant set-points; the least energy with no hour out of band
    (or, when none holds the band, the fewest hours out)."""
    tried: dict[tuple[float, float], tuple[dict[str, Any], Any]] = {}

    def run(zone: float, chw: float) -> dict[str, Any]:
        if (zone, chw) not in tried:
            r = eplus.run(epw, workload, fixed=eplus.Fixed(zone, chw), month=month)
            tried[(zone, chw)] = (r.figures(), r)
        return tried[(zone, chw)][0]

    def key(zc: tuple[float, float]) -> tuple[int, float]:
        f = run(*zc)
        return (f["hours_above_27"] + f["hours_below_18"], f["cooling_kwh"])

    zone = min(((z, 7.0) for z in ZONE_GRID), key=key)[0]
    best = min(((zone, c) for c in CHW_GRID), key=key)
    figures, result = tried[best]
    figures = dict(figures, zone_cooling_c=best[0], chilled_water_c=best[1], searched=len(tried))
    return figures, result


def one(job: tuple[str, str, str, int | None, bool, bool, float]) -> dict[str, Any]:
    """shipped, best fixed and ours on one weather file and one workload trace."""
    from datacenter_ours import Ours
    from hearthmind.comfort.datahall.planner import PlanLimits
    from hearthmind.comfort.datahall.supervisor import SupervisorConfig
    from hearthmind.comfort.datahall.surrogate import PlantSurrogate

    epw_s, wl_s, label, month, keep, learn_online, it_per_k = job
    epw, csv = Path(epw_s), Path(wl_s)
    workload = eplus.load_workload(csv)
    start = time.time()
    shipped = eplus.run(epw, workload, month=month)
    fixed_figs, fixed = best_fixed(epw, workload, month)
    config = SupervisorConfig(
        learn_online=learn_online, limits=PlanLimits(it_power_per_kelvin_kw=it_per_k)
    )
    ours_ctl = Ours(epw, PlantSurrogate.load(), config)
    ours = eplus.run(epw, workload, controller=ours_ctl, month=month)
    out: dict[str, Any] = {
        "weather": epw.name,
        "workload": csv.name,
        "shipped": shipped.figures(),
        "best_fixed": fixed_figs,
        "ours": dict(ours.figures(), modes=ours.modes, problems=ours_ctl.sup.counts),
        "seconds": round(time.time() - start, 1),
        "period": f"month {month}" if month else "year",
        "learn_online": learn_online,
        "it_power_per_kelvin_kw": it_per_k,
    }
    if keep:
        out["series"] = {
            name: {
                "inlet_c": r.inlet_c,
                "hvac_kwh": r.hvac_kwh,
                "outdoor_c": r.outdoor_c,
                "chilled_water_c": r.chilled_water_c,
                "supply_c": r.supply_c,
            }
            for name, r in (("ours", ours), ("shipped", shipped), ("best_fixed", fixed))
        }
    print(f"{label} / {csv.name}: done in {out['seconds']} s", flush=True)
    if PARTS is not None:  # each finished pair at once, so a long run's figures survive
        PARTS.mkdir(parents=True, exist_ok=True)
        part = {k: v for k, v in out.items() if k != "series"}
        # the facility objective's pairs apart, so that they never overwrite the others
        tag = f"-it{it_per_k:g}" if it_per_k > 0 else ""
        (PARTS / f"{label}-{csv.stem}{tag}.json").write_text(json.dumps(part, indent=1))
    return out


def combine(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One weather's figures over its workload traces: energies and hours add up."""
    out: dict[str, Any] = {}
    for name in ("ours", "shipped", "best_fixed"):
        figs = [p[name] for p in parts]
        cooling = sum(f["cooling_kwh"] for f in figs)
        it = sum(f["it_kwh"] for f in figs)
        out[name] = {
            "cooling_kwh": round(cooling, 1),
            "it_kwh": round(it, 1),
            "facility_kwh": round(cooling + it, 1),
            "pue": round((cooling + it) / it, 4),
            "hours_above_27": sum(f["hours_above_27"] for f in figs),
            "hours_below_18": sum(f["hours_below_18"] for f in figs),
            "max_inlet_c": max(f["max_inlet_c"] for f in figs),
            "p95_inlet_c": max(f["p95_inlet_c"] for f in figs),
        }
    out["by_workload"] = {
        p["workload"]: {k: p[k] for k in ("ours", "shipped", "best_fixed")} for p in parts
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--weather", type=Path, action="append", help="EPW file (repeatable)")
    ap.add_argument(
        "--workload", type=Path, action="append", help="hourly cpu_load CSV (repeatable)"
    )
    ap.add_argument("--quick", action="store_true", help=f"one month (month {QUICK_MONTH})")
    ap.add_argument(
        "--dev", action="store_true", help="the development inputs (Newark + Alibaba 2)"
    )
    ap.add_argument(
        "--data", type=Path, default=None, help="default ../shared/data/energy/datacenter"
    )
    ap.add_argument(
        "--plots", type=Path, default=None, help="write week plots (PNG) to this folder"
    )
    ap.add_argument("--jobs", type=int, default=3, help="EnergyPlus runs at once")
    ap.add_argument(
        "--no-learn-online",
        dest="learn_online",
        action="store_false",
        help="keep the shipped surrogate as it is (the hub refines it from the hall's own "
        "readings: datahall: learn_online, on by default)",
    )
    ap.add_argument(
        "--it-per-kelvin",
        default="0",
        help="ours minimises cooling + IT: the hall's extra IT kW per K of inlet (kW/K), or "
        "'auto': the model's ITE design power x its CPU curve's per-K coefficient "
        "(datahall: it_power_per_kelvin_kw; 0, the default, minimises cooling alone)",
    )
    ap.add_argument(
        "--from-parts",
        type=Path,
        help="no runs: the JSON from the pairs finished earlier (bench/out/datacenter-parts)",
    )
    args = ap.parse_args()
    it_per_k = it_per_kelvin(args.it_per_kelvin)
    if args.from_parts:
        period = "month 7" if args.quick else "year"
        write(from_parts(args.from_parts, period, it_per_k), args.json)
        return
    data = args.data or eplus.data_dir()
    if args.dev:
        from datacenter_train import DEV_WORKLOAD, dev_weather

        weathers, workloads = [dev_weather()], [data / DEV_WORKLOAD]
    else:
        weathers = args.weather or [data / w for w in WEATHERS]
        workloads = args.workload or [data / w for w in WORKLOADS]
    for path in [*weathers, *workloads]:
        if not path.exists():
            sys.exit(f"missing input {path} (set --data or HEARTHMIND_DATA)")
    month = QUICK_MONTH if args.quick else None
    labels = {w: label_of(w.name) for w in weathers}
    # every weather on the first trace first, then the next trace
    jobs = [
        (
            str(w),
            str(c),
            labels[w],
            month,
            args.plots is not None and i == 0 and j == 0,
            args.learn_online,
            it_per_k,
        )
        for j, c in enumerate(workloads)
        for i, w in enumerate(weathers)
    ]
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(one, jobs))
    runs = {labels[w]: combine([r for r in results if r["weather"] == w.name]) for w in weathers}
    report = {
        "runs": runs,
        "period": f"month {month}" if month else "year",
        "workloads": [c.name for c in workloads],
        "weather_files": [w.name for w in weathers],
        "learn_online": args.learn_online,
        "it_power_per_kelvin_kw": it_per_k,
        "it_per_kelvin_from": args.it_per_kelvin,
        "model": eplus.MODEL.name,
    }
    if args.plots is not None:
        from datacenter_plots import week_plots

        first = next(r for r in results if "series" in r)
        label = f"{labels[weathers[0]].replace('_', ' ')}, {first['workload']}"
        for path in week_plots(first["series"], args.plots, month, label):
            print(f"wrote {path}")
    write(report, args.json)


def it_per_kelvin(arg: str) -> float:
    """--it-per-kelvin's kW/K: a number, or `auto` from the model (said on the console)."""
    if arg == "auto":
        value = round(eplus.it_power_per_kelvin_kw(), 3)
        print(
            f"--it-per-kelvin auto: {value} kW/K (the ITE objects' design power x their CPU "
            f"curve's per-K coefficient, {eplus.MODEL.name})",
            flush=True,
        )
        return value
    try:
        value = float(arg)
    except ValueError:
        sys.exit(f"--it-per-kelvin {arg!r}: give kW/K or auto")
    if not value >= 0.0 or value == float("inf"):
        sys.exit(f"--it-per-kelvin {arg}: give a finite kW/K of 0 or more")
    return value


def label_of(epw_name: str) -> str:
    return Path(epw_name).stem.replace("USA_", "").split(".")[0]


def from_parts(folder: Path, period: str, it_per_k: float = 0.0) -> dict[str, Any]:
    """The report from the per-pair files of earlier runs (runs split over processes), of
    the one objective asked for."""
    parts = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
    parts = [
        p
        for p in parts
        if p.get("period", "year") == period and p.get("it_power_per_kelvin_kw", 0.0) == it_per_k
    ]
    weathers = sorted({p["weather"] for p in parts})
    return {
        "runs": {label_of(w): combine([p for p in parts if p["weather"] == w]) for w in weathers},
        "period": period,
        "workloads": sorted({p["workload"] for p in parts}),
        "weather_files": weathers,
        "it_power_per_kelvin_kw": it_per_k,
        "model": eplus.MODEL.name,
    }


def write(report: dict[str, Any], path: Path | None) -> None:
    for name, r in report["runs"].items():
        o, s, b = r["ours"], r["shipped"], r["best_fixed"]
        print(
            f"{name}: cooling ours {o['cooling_kwh']:.0f} kWh, shipped {s['cooling_kwh']:.0f} "
            f"({1 - o['cooling_kwh'] / s['cooling_kwh']:+.1%} saved), best fixed "
            f"{b['cooling_kwh']:.0f} ({1 - o['cooling_kwh'] / b['cooling_kwh']:+.1%}); "
            f"hours out of band ours {o['hours_above_27'] + o['hours_below_18']}, "
            f"max inlet {o['max_inlet_c']} C; facility kWh ours {o['facility_kwh']:.0f}, "
            f"shipped {s['facility_kwh']:.0f}, best fixed {b['facility_kwh']:.0f}"
        )
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=1))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
