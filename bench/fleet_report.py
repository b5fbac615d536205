"""docs/BENCHMARKS.md's fleet section from a finished bench/fleet.py run's JSON (printed; the
section between `<!-- fleet:start -->` and `<!-- fleet:end -->` is replaced with `--write`).

    .venv/bin/python bench/fleet_report.py bench/out/fleet.json [--write]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- fleet:start -->", "<!-- fleet:end -->"


def section(j: dict[str, Any], when: str) -> str:
    d = j["details"]
    ser, ray, kill, rep = d["serial"], d["ray"], d["kill"], d["report"]
    cold = j["cold_start"]
    probes = d["cold_start_probes"]
    rss = sorted(ray["peak_rss_mb"].values())
    lines = [
        "## Fleet: 2,000 homes' routines on Ray (issue 27)",
        START,
        "",
        f"Command: `.venv/bin/python bench/fleet.py --json bench/out/fleet.json` ({when}). "
        + _repeats(d),
        "",
        "| figure | value | target |",
        "|---|---:|---:|",
        f"| spaces (simulated homes of 30 days) | {j['spaces']:,} | >= 2,000 |",
        f"| serial loop, spaces fitted per minute | {j['serial_per_min']:.0f} | |",
        f"| Ray local mode, 2 workers, spaces per minute | {j['ray_per_min']:.0f} | |",
        f"| speedup | **{j['speedup']:.2f}x** | >= 1.7x |",
        f"| peak RSS per Ray worker | {j['peak_rss_mb_per_worker']:.0f} MB "
        f"({', '.join(f'{r:.0f}' for r in rss)}) | |",
        f"| a worker SIGKILLed mid-run ({kill['spaces']} spaces): lost / fitted twice | "
        f"**{j['lost_after_kill']}** / {kill['twice']} ({kill['artefacts']} artefacts) | 0 |",
    ]
    for days in ("1", "3", "7", "14"):
        c = cold[days]
        gap = 100 * (c["pooled"] - c["per_space"])
        lines.append(
            f"| cold start, {days} day{'s' if days != '1' else ''} of history: pooled then "
            f"fine-tuned / own model only ({probes[days]} probe homes) | "
            f"**{100 * c['pooled']:.1f} % / {100 * c['per_space']:.1f} %** ({gap:+.1f} pts) | "
            + ("+10 pts" if days == "3" else ">= 0" if days == "14" else "")
            + " |"
        )
    lines += [
        "",
        f"Load average: serial {ser['load_before'].split()[0]} -> {ser['load_after'].split()[0]}"
        f", Ray {ray['load_before'].split()[0]} -> {ray['load_after'].split()[0]} "
        f"(serial {ser['seconds']:.0f} s, Ray {ray['seconds']:.0f} s wall). Next-event top-1 "
        f"of the 2,000 served models on their held-out last 3 days: median "
        f"{100 * rep['top1_median']:.1f} %, p10 {100 * rep['top1_p10']:.1f} %, p90 "
        f"{100 * rep['top1_p90']:.1f} %. Plots: ![accuracy](fleet-accuracy.png) "
        "![cold start](fleet-cold-start.png) ![slowest](fleet-slowest.png)",
        "",
    ]
    lines += [
        "Settings (pool of 10 spaces, own model from 14 days, 3 held-out days, Active LeZi "
        "without expected times) were chosen on the development homes 0-59 by "
        "`bench/fleet.py --dev` (13 probes there: pooled 81.0 % vs own 65.6 % at 3 days, 81.3 "
        "vs 74.9 at 14); the figures above are on homes 60-2059, with cold start on their "
        "probe homes, which the pooled model never saw and no choice looked at. The homes were "
        "made by the full simulator (`hearthmind sim`'s `run_sim`, recorder and all; "
        "bench/fleet_homes.py, 8 resident variants per shipped home, a seed per home): 2,060 "
        "homes took about 55 minutes at load 25-40 (cached in bench/out/fleet/homes/, 4 GB), "
        'slower than the "few minutes" the issue hoped for; the day planner alone was not '
        "tried.",
        "",
    ]
    cpu_file = REPO / "bench" / "out" / "fleet-cpu.json"
    if cpu_file.is_file():
        lines += cpu_lines(json.loads(cpu_file.read_text()))
    lines += projection_lines(d)
    lines.append(END)
    return "\n".join(lines) + "\n"


def _repeats(d: dict[str, Any]) -> str:
    """How the timed pairs ran: the runs, their loads, the median."""
    speedups = d.get("speedups")
    if not speedups:
        return (
            "One run of each timed part, not a median of repeats, in one hold of "
            "`/tmp/hearthmind-bench.lock` (load averages below)."
        )
    runs = [
        f"{s['per_min']:.0f} / {r['per_min']:.0f} per min = {x:.2f}x (load at their starts "
        f"{s['load_before'].split()[0]} / {r['load_before'].split()[0]})"
        for s, r, x in zip(d["serial_runs"], d["ray_runs"], speedups, strict=True)
    ]
    return (
        f"{len(speedups)} timed pairs (serial / Ray), serial first then Ray first in turn, all "
        f"in one hold of `/tmp/hearthmind-bench.lock`: {'; '.join(runs)}. The speedup is the "
        f"median of the pairs' ratios ({min(speedups):.2f}-{max(speedups):.2f}x), the rates "
        "the median runs'."
    )


def cpu_lines(c: dict[str, Any]) -> list[str]:
    """bench/fleet_cpu.py's figures: Ray's overhead in CPU seconds."""
    s, r = c["serial"], c["ray"]
    return [
        "Ray's overhead in CPU seconds (a diagnosis from a shared machine, kept beside the "
        "wall-clock figure): "
        "`.venv/bin/python bench/fleet_cpu.py --spaces 100 --json bench/out/fleet-cpu.json` "
        "(its own session; serial then Ray over the first 100 spaces of the same export, "
        "counting the CPU seconds of every process of its session from /proc, Ray's idle "
        f"daemons included; load {c['load'].split()[0]} at its end, run while the main Ray "
        f"run was going on): serial {s['cpu_per_space']:.3f} CPU-s per space, Ray "
        f"{r['cpu_per_space']:.3f} ({100 * c['ray_cpu_overhead']:+.1f} % CPU overhead, "
        f"Ray's daemons at rest {c['ray_idle_cpu_per_s']:.2f} CPU-s per second); with both "
        f"cores free that is a speedup of about {c['speedup_if_cores_free']:.2f}x (an "
        "estimate from CPU time, not a measurement of wall time).",
        "",
    ]


def projection_lines(d: dict[str, Any]) -> list[str]:
    a = d["projection_assumptions"]
    out = [
        f"Projection (docs: assumptions here). Measured per space on this machine: "
        f"{d['per_space_cpu_seconds']:.2f} CPU-seconds to fit and evaluate (the median serial "
        f"pass's wall time per space), {d['export_cpu_seconds_per_space']:.2f} to export (the "
        "export's wall time x 2 workers per space, when it was made, at load 25-40; it is "
        "cached since); Ray's efficiency per core as measured here "
        "(speedup / 2). Assumed: nodes of "
        f"{a['node_cores']} vCPUs at {a['usd_per_node_hour']} USD per node-hour (an on-demand "
        "c6i.4xlarge's list price; not measured), every core a worker, the export reading "
        "databases as fast as here (PostgreSQL over a network may not), no Ray start-up or "
        "pooled fit (minutes, once).",
        "",
        "| spaces | nodes | wall time | cost per night |",
        "|---:|---:|---:|---:|",
    ]
    for row in d["projection"]:
        hours = row["hours"]
        wall = f"{hours:.1f} h" if hours >= 1 else f"{60 * hours:.0f} min"
        out.append(f"| {row['spaces']:,} | {row['nodes']} | {wall} | {row['usd']:.2f} USD |")
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("json", type=Path)
    parser.add_argument("--when", default="")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    text = section(json.loads(args.json.read_text()), args.when)
    if not args.write:
        print(text)
        return 0
    doc = REPO / "docs" / "BENCHMARKS.md"
    current = doc.read_text()
    if START in current:
        head = current[: current.index(START)]
        head = head[: head.rindex("## Fleet")]
        tail = current[current.index(END) + len(END) :].lstrip("\n")
        doc.write_text(head + text + ("\n" + tail if tail else ""))
    else:
        doc.write_text(current.rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
