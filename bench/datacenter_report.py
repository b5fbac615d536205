"""docs/BENCHMARKS.md's data-hall section from a finished bench/datacenter.py run.

    .venv/bin/python bench/datacenter_report.py bench/out/datacenter.json [--note TEXT]

Only the text between `<!-- datahall:start -->` and `<!-- datahall:end -->` is replaced (the
section is appended when absent)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from docs_section import write_marked

DOC = Path(__file__).resolve().parents[1] / "docs" / "BENCHMARKS.md"
START, END = "<!-- datahall:start -->", "<!-- datahall:end -->"


def _row(name: str, f: dict[str, Any], ref: dict[str, Any] | None = None) -> str:
    saved = ""
    if ref is not None:
        saved = f"{1 - f['cooling_kwh'] / ref['cooling_kwh']:+.1%}"
    return (
        f"| {name} | {f['cooling_kwh']:,.0f} | {saved} | {f['pue']:.3f} | "
        f"{f.get('facility_kwh', f['cooling_kwh'] + f['it_kwh']):,.0f} | {f['max_inlet_c']:.1f} | "
        f"{f['p95_inlet_c']:.1f} | {f['hours_above_27']} | {f['hours_below_18']} |"
    )


def unseen_table(report: dict[str, Any]) -> list[str]:
    """A compact table of a run on weather files no choice looked at (every setting was fixed
    before they were run), for the report's held-out figures."""
    lines = [
        "**Weather no choice saw.** Four climates the surrogate and the settings never met "
        "(pyenergyplus's TMY3 files, both report traces; not the issue's targets, which are "
        "on the three files above, but the same bars): `.venv/bin/python bench/datacenter.py "
        f"{_weather_args(report)}--json bench/out/datacenter-heldout.json`.",
        "",
        "| weather | ours cooling kWh | saved vs shipped | saved vs best fixed | h out of "
        "18-27 C | max inlet C | facility kWh ours / shipped |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for weather, r in report["runs"].items():
        o, s, b = r["ours"], r["shipped"], r["best_fixed"]
        lines.append(
            f"| {weather.replace('_', ' ')} | {o['cooling_kwh']:,.0f} | "
            f"{1 - o['cooling_kwh'] / s['cooling_kwh']:+.1%} | "
            f"{1 - o['cooling_kwh'] / b['cooling_kwh']:+.1%} | "
            f"{o['hours_above_27'] + o['hours_below_18']} | {o['max_inlet_c']:.1f} | "
            f"{o['facility_kwh']:,.0f} / {s['facility_kwh']:,.0f} |"
        )
    misses = [
        f"{w.replace('_', ' ')} {1 - r['ours']['cooling_kwh'] / r[peer]['cooling_kwh']:.1%} vs "
        f"{peer.replace('_', ' ')}"
        for w, r in report["runs"].items()
        for peer, bar in (("shipped", 0.70), ("best_fixed", 0.90))
        if r["ours"]["cooling_kwh"] > bar * r[peer]["cooling_kwh"]
    ]
    lines += [
        "",
        "The same bars there (30 % / 10 % / 0 hours): "
        + ("all met." if not misses else "missed by " + "; ".join(misses) + "."),
    ]
    return [*lines, ""]


def _weather_args(report: dict[str, Any]) -> str:
    files = report.get("weather_files") or [f"{w}.epw" for w in report["runs"]]
    return "".join(f"--weather .../{Path(f).name} " for f in files)


def section(
    report: dict[str, Any], note: str, unseen: dict[str, Any] | None = None, unseen_note: str = ""
) -> str:
    lines = [
        START,
        "## Data hall: cooling supervision in EnergyPlus (issue 23)",
        "",
        "Command: `.venv/bin/python bench/datacenter.py --json bench/out/datacenter.json "
        "--plots docs` (the check: `../shared/checks/datacenter`). " + note,
        "",
        f"Sinergym's `{report['model']}` (two zones, chilled water, economiser, evaporative "
        f"coolers; MIT, kept in bench/datahall/) in EnergyPlus 26.1 (pyenergyplus-lbnl), "
        f"a {report['period']} on each weather file with the hourly IT-load trace(s) "
        f"{', '.join(report['workloads'])} driving the CPU-loading schedule (figures add the "
        "traces' runs). Cooling = the facility's HVAC electricity (fans, chiller, pumps, tower, "
        "evaporative coolers); cooling PUE = (IT + cooling) / IT; inlets are the ITE objects' "
        "inlet dry bulb, hottest (max, p95, hours above 27 C) and coldest (hours below 18 C) "
        "zone each hour. DeepMind's 30-40 % came from real Google plants; ours come from a "
        "simulated one.",
        "",
    ]
    misses = []
    for weather, r in report["runs"].items():
        o, s, b = r["ours"], r["shipped"], r["best_fixed"]
        lines += [
            f"**{weather.replace('_', ' ')}**",
            "",
            "| control | cooling kWh | saved | cooling PUE | facility kWh | max inlet C | "
            "p95 inlet C | h > 27 C | h < 18 C |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
            _row("shipped (the model's own)", s),
            _row("best fixed set-points", b),
            _row("**ours** (vs shipped)", o, s),
            _row("ours vs best fixed", o, b),
            "",
        ]
        fixed = [
            f"{w.split('_')[0]}: zone {v['best_fixed'].get('zone_cooling_c')} C, chilled water "
            f"{v['best_fixed'].get('chilled_water_c')} C"
            for w, v in r.get("by_workload", {}).items()
        ]
        if fixed:
            lines += [f"Best fixed found: {'; '.join(fixed)}.", ""]
        if o["cooling_kwh"] > 0.70 * s["cooling_kwh"]:
            misses.append(f"{weather}: {1 - o['cooling_kwh'] / s['cooling_kwh']:.1%} vs shipped")
        if o["cooling_kwh"] > 0.90 * b["cooling_kwh"]:
            misses.append(f"{weather}: {1 - o['cooling_kwh'] / b['cooling_kwh']:.1%} vs best fixed")
        if o["hours_above_27"] + o["hours_below_18"] > 0:
            misses.append(
                f"{weather}: {o['hours_above_27'] + o['hours_below_18']} hours out of band"
            )
    lines += [
        "Targets (>= 30 % less cooling than shipped, >= 10 % less than best fixed, 0 hours out "
        "of 18-27 C, on every weather file): "
        + ("all met." if not misses else "**not met**: " + "; ".join(misses) + "."),
        "",
        *(unseen_table(unseen) if unseen is not None else []),
        *([unseen_note, ""] if unseen is not None and unseen_note else []),
        "**Facility energy goes up.** The model's servers draw 6.7 % more of their design "
        "power per K of inlet temperature (`-1 + load + 0.0667 T_inlet`), so the warm inlets "
        "that save cooling cost more IT power than they save: ours uses the least cooling and "
        "the most facility energy of the three. The issue's objective is cooling energy; in "
        "this model a facility-energy supervisor would run the inlets at the band's cold edge. "
        "That is an option, off here (`datahall: it_power_per_kelvin_kw`, "
        "`bench/datacenter.py --it-per-kelvin auto`: 6.55 kW/K from the model's ITE objects); "
        "on the development inputs only (Newark + Alibaba 2) it took ours from 985,770 to "
        "737,968 facility kWh (best fixed 740,011, shipped 708,778 with 1,130 hours under "
        "18 C) for 83,160 cooling kWh instead of 54,486, 0 hours out of band (DESIGN-NOTES).",
        "",
        "Where the saving comes from: the supply air reset to 24-25 C (inlets held 0.8 K under "
        "27 C), which the model's own manager (12-18 C supply) and any fixed set-point (its "
        "18 C cap) cannot make, and warmer chilled water. In a winter week ours uses about as "
        "much as the best fixed set-points or more (warmer supply air moves more air while the "
        "economiser does the cooling; the surrogate's error, 2.9 kW on a 10 kW mean, hides "
        "that): the saving is made in the warm months.",
        "",
        "![summer week](datacenter-summer-week.png) ![winter week](datacenter-winter-week.png)",
        "",
        "Development inputs (surrogate fit and every setting): Newark NJ TMY3 (pyenergyplus) "
        "with Alibaba trace 2 (`bench/datacenter_train.py`, `bench/datacenter.py --dev`), and "
        "for the on-line refinement (on, as the hub runs it) and the surrogate's climates also "
        "pyenergyplus's Golden CO, Tampa FL, Oklahoma City OK, Fresno CA, Orlando FL and "
        "Colorado Springs CO TMY3 with Alibaba trace 2; the three EPWs with the Google and "
        "Alibaba-1 traces are report inputs (DESIGN-NOTES says which structural changes came "
        "after July runs on them), and the four climates of the table above were run only to "
        "report (twice, as said there). Weather forecast: the EPW's next two hours (perfect); IT load: held at its "
        "current value. The best fixed set-points are searched on the evaluated year itself "
        "(hindsight the peer gets free).",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("json", type=Path)
    ap.add_argument("--note", default="", help="when and at what load it ran")
    ap.add_argument("--unseen", type=Path, help="a run on weather no choice looked at")
    ap.add_argument("--unseen-note", default="", help="what that run's history is")
    args = ap.parse_args()
    report = json.loads(args.json.read_text())
    unseen = json.loads(args.unseen.read_text()) if args.unseen else None
    write_marked(DOC, START, END, section(report, args.note, unseen, args.unseen_note))
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
